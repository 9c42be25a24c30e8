package ui

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"paydesk/app/config"
	"paydesk/internal/secret"
	"paydesk/protocol/ipriv"
)

// passState is where the point's key passphrase is kept, as the
// configuration last saved says: the store (keyring, ask or file) and, for
// file, the plain file.
type passState struct {
	store     string
	plainFile string
}

func passStateOf(c *config.Config) passState {
	st := passState{store: c.Keys.PassphraseSource()}
	if st.store == config.StoreFile {
		st.plainFile = c.Keys.PassphraseFile
	}
	return st
}

// What Save does with the passphrase.
const (
	passKeep     = iota // nothing typed, the check as saved: nothing changes
	passRemember        // into the credential store (passphrase_store: keyring)
	passForget          // stored nowhere, asked at start (passphrase_store: ask)
)

// passChange is what Save is to do with the passphrase: its kind, the
// passphrase (typed, or read from the plain file when it is moved) and the
// secret key file it opens.
type passChange struct {
	kind    int
	pass    []byte
	keyFile string // as the form gives it (relative to the configuration's folder)
	moved   bool   // pass comes from the plain file
}

// passChange reads the form: a typed passphrase is remembered or not as the
// check says; with nothing typed, a check changed from what is saved
// remembers the plain file's passphrase (moving it) or forgets the stored
// one.
func (s *settingsScreen) passChange() passChange {
	ch := passChange{pass: []byte(s.loadPass.Text), keyFile: s.keyFile.Text}
	if ch.keyFile == "" {
		ch.keyFile = s.u.rt.Config.Keys.Secret
	}
	typed, remembered := len(ch.pass) > 0, s.pass.store == config.StoreKeyring
	switch {
	case s.remember.Checked && (typed || !remembered):
		ch.kind = passRemember
		ch.moved = !typed && s.pass.plainFile != ""
	case !s.remember.Checked && (typed || remembered):
		ch.kind = passForget
	}
	return ch
}

// keyPath resolves the form's key file as the configuration file will:
// against the file's folder.
func keyPath(configFile, keyFile string) string {
	if keyFile == "" || filepath.IsAbs(keyFile) {
		return keyFile
	}
	return filepath.Join(filepath.Dir(configFile), keyFile)
}

// savePassphrase saves the form (edit) together with the passphrase
// change, in the background: the passphrase is checked against the key,
// put into (or taken out of) the credential store, the configuration
// written with passphrase_store, and only then a plain passphrase file
// deleted. Nothing is written when any step before fails.
func (s *settingsScreen) savePassphrase(file string, ch passChange, edit func(c *config.Config), langCode string) {
	plain, user := s.pass.plainFile, s.u.user
	s.message.SetText(s.u.T("settings.passphrase_saving"))
	s.u.background(func(ctx context.Context) func() {
		save := func(edit func(c *config.Config)) error { return s.u.till.EditSettings(ctx, user, file, edit) }
		note, err := applyPassphrase(ctx, file, ch, plain, edit, save)
		return func() {
			if err != nil {
				s.message.SetText(s.passError(err))
				return
			}
			s.loadPass.SetText("")
			s.pass = passState{store: config.StoreAsk}
			if ch.kind == passRemember {
				s.pass.store = config.StoreKeyring
			}
			s.remember.SetChecked(ch.kind == passRemember)
			s.plain.Hide()
			s.saved(file, langCode, s.u.T(note.key, "File", note.file))
		}
	})
}

// passNote is what Save says of the passphrase: a message key and the
// plain file it names.
type passNote struct{ key, file string }

// applyPassphrase does savePassphrase's work off the Fyne thread.
// save writes the configuration (through the core).
func applyPassphrase(ctx context.Context, file string, ch passChange, plain string, edit func(c *config.Config), save func(func(c *config.Config)) error) (passNote, error) {
	key := keyPath(file, ch.keyFile)
	if key == "" {
		return passNote{}, errKeyFileNeeded
	}
	if ch.moved {
		b, err := (&config.Config{Keys: config.Keys{PassphraseFile: plain, PassphraseStore: config.StoreFile}}).Passphrase()
		if err != nil {
			return passNote{}, err
		}
		ch.pass = b
	}
	if ch.kind == passRemember && len(ch.pass) == 0 {
		return passNote{}, errPassphraseToRemember
	}
	if len(ch.pass) > 0 {
		if err := opens(key, ch.pass); err != nil {
			return passNote{}, err
		}
	}
	account := secret.Account(key)
	store := config.StoreAsk
	if ch.kind == passRemember {
		store = config.StoreKeyring
		if err := secret.Store(ctx, account, ch.pass); err != nil {
			return passNote{}, err
		}
	}
	err := save(func(c *config.Config) {
		edit(c)
		c.Keys.PassphraseStore, c.Keys.PassphraseFile = store, ""
	})
	if err != nil {
		return passNote{}, err
	}
	note := removePlain(plain, store)
	if ch.kind == passForget {
		// Nothing is kept: an entry an earlier save made goes too.
		if err := secret.Delete(ctx, account); err != nil && secret.KindOf(err) != secret.KindNotFound {
			note = passNote{"settings.passphrase_not_deleted", ""}
		}
	}
	return note, nil
}

// removePlain deletes the plain passphrase file once the configuration no
// longer names it, and says what became of the passphrase.
func removePlain(plain, store string) passNote {
	note := passNote{key: "settings.passphrase_remembered"}
	if store == config.StoreAsk {
		note.key = "settings.passphrase_not_stored"
	}
	if plain == "" {
		return note
	}
	if err := os.Remove(plain); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return passNote{"settings.passphrase_plain_left", plain}
	}
	note.key, note.file = note.key+"_moved", plain
	return note
}

// opens checks that pass opens the secret key in file.
func opens(file string, pass []byte) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	_, err = ipriv.ParseSecretKey(b, pass)
	return err
}

// The refusals of savePassphrase that are the form's.
var (
	errKeyFileNeeded        = errors.New("ui: no secret key file to keep a passphrase for")
	errPassphraseToRemember = errors.New("ui: no passphrase to remember")
)

// passError words a refusal of savePassphrase.
func (s *settingsScreen) passError(err error) string {
	switch {
	case errors.Is(err, errKeyFileNeeded):
		return s.u.T("settings.key_file_needed")
	case errors.Is(err, errPassphraseToRemember):
		return s.u.T("settings.passphrase_to_remember")
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission):
		return s.u.T("settings.key_read_fail")
	}
	var se *secret.Error
	if errors.As(err, &se) {
		return s.u.T("settings.passphrase_store_fail") + ": " + s.u.appMessage(err)
	}
	return s.u.ipErrText(err)
}

// plainFileOffer is the line Settings shows while the passphrase is in a
// plain file: where it is and a button that moves it into the credential
// store and deletes the file; hidden otherwise.
func (s *settingsScreen) plainFileOffer() *fyne.Container {
	text := wrapLabel(s.u.T("settings.passphrase_plain", "File", s.pass.plainFile))
	move := s.u.button(s.u.T("settings.passphrase_move"), theme.UploadIcon(), s.movePlain)
	box := container.NewVBox(text, move)
	if s.pass.plainFile == "" {
		box.Hide()
	}
	return box
}

// movePlain moves the plain file's passphrase into the credential store
// and deletes the file; the form's other fields are not saved with it.
func (s *settingsScreen) movePlain() {
	s.remember.SetChecked(true)
	ch := passChange{kind: passRemember, keyFile: s.u.rt.Config.Keys.Secret, moved: true}
	s.savePassphrase(configTarget(s.u.rt.Config), ch, func(*config.Config) {}, s.u.lang)
}
