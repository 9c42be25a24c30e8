package ui

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"paydesk/app/config"
	"paydesk/internal/secret"
)

// The window's tests never reach the computer's own credential store:
// every one of them talks to the library's in-memory store.
func init() { keyring.MockInit() }

// trainingPass is the passphrase of the training key set in keysDir.
func trainingPass(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(keysDir, "passphrase"))
	require.NoError(t, err)
	return strings.TrimSuffix(string(b), "\n")
}

// keySettings opens Settings as the administrator with the training key
// set's secret key in the form.
func keySettings(t *testing.T) (*harness, *settingsScreen, string, string) {
	keyring.MockInit()
	h, st, file := settingsAsAdmin(t)
	key := filepath.Join(h.rt.DataDir, "training", "keys", "secret.key")
	st.keyFile.SetText(key)
	st.bankFile.SetText(filepath.Join(h.rt.DataDir, "training", "keys", "pubkeys.key"))
	return h, st, file, key
}

// saveAndWait presses Save and waits for its message.
func saveAndWait(h *harness, st *settingsScreen) {
	st.message.SetText("")
	st.save()
	h.wait("save", func() bool {
		return st.message.Text != "" && st.message.Text != st.u.T("settings.passphrase_saving")
	})
}

// grepFolder fails when any file under dir holds s.
func grepFolder(t *testing.T, dir, s string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		assert.NotContains(t, string(b), s, "%s holds the passphrase in plain text", p)
		return nil
	})
	require.NoError(t, err)
}

// TestSettingsRememberPassphrase: saving with "Remember on this computer"
// puts the passphrase into the credential store, says so, makes the
// configuration read it from there, and writes it in plain text nowhere
// under the configuration's folder.
func TestSettingsRememberPassphrase(t *testing.T) {
	h, st, file, key := keySettings(t)
	pass := trainingPass(t)
	assert.False(t, st.remember.Checked, "nothing remembered yet")
	assert.False(t, st.plain.Visible(), "no plain file to move")
	st.loadPass.SetText(pass)
	st.remember.SetChecked(true)
	saveAndWait(h, st)
	assert.Contains(t, st.message.Text, "Сохранено в "+file)
	assert.Contains(t, st.message.Text, "Пароль ключа сохранён в хранилище учётных данных системы")

	got, err := keyring.Get(secret.Service, secret.Account(key))
	require.NoError(t, err)
	assert.Equal(t, pass, got, "in the credential store under the key file's path")
	cfg, err := config.Load(file)
	require.NoError(t, err)
	assert.Equal(t, config.StoreKeyring, cfg.Keys.PassphraseStore)
	assert.Empty(t, cfg.Keys.PassphraseFile)
	p, err := cfg.Passphrase()
	require.NoError(t, err)
	assert.Equal(t, pass, string(p), "the next start reads it from the store")
	grepFolder(t, filepath.Dir(file), pass)
	assert.NoFileExists(t, filepath.Join(filepath.Dir(file), "passphrase"))
	assert.Empty(t, st.loadPass.Text, "the field is cleared once it is kept")
	assert.True(t, st.remember.Checked)
}

// TestSettingsPassphraseSave: what Save does with the passphrase, for each
// state of the field and the check; a refusal writes nothing.
func TestSettingsPassphraseSave(t *testing.T) {
	tests := []struct {
		name     string
		before   func(t *testing.T, st *settingsScreen, key string) // the state before Save
		typed    string                                             // "{pass}": the right passphrase
		remember bool
		says     string // the message holds (a catalogue key when in braces)
		written  bool   // the configuration file was written
		store    string // its passphrase_store then
		kept     bool   // the credential store holds the passphrase after
	}{
		{name: "remembered", typed: "{pass}", remember: true, says: "{settings.passphrase_remembered}", written: true, store: config.StoreKeyring, kept: true},
		{name: "not remembered: asked at start", typed: "{pass}", says: "{settings.passphrase_not_stored}", written: true, store: config.StoreAsk},
		{name: "wrong passphrase refused", typed: "wrong", remember: true, says: "{settings.wrong_passphrase}"},
		{name: "wrong passphrase refused unremembered", typed: "wrong", says: "{settings.wrong_passphrase}"},
		{name: "remember without a passphrase", remember: true, says: "{settings.passphrase_to_remember}"},
		{name: "store unavailable", typed: "{pass}", remember: true, before: func(*testing.T, *settingsScreen, string) {
			keyring.MockInitWithError(errors.New("dbus: no session bus"))
		}, says: "Пароль не сохранён, настройки не изменены: Хранилище учётных данных системы недоступно"},
		{name: "forgotten: untick with nothing typed", before: func(t *testing.T, st *settingsScreen, key string) {
			require.NoError(t, keyring.Set(secret.Service, secret.Account(key), trainingPass(t)))
			st.pass.store = config.StoreKeyring
		}, says: "{settings.passphrase_not_stored}", written: true, store: config.StoreAsk},
		{name: "untouched: nothing about the passphrase", says: "{settings.saved}", written: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, st, file, key := keySettings(t)
			defer keyring.MockInit()
			if tt.before != nil {
				tt.before(t, st, key)
			}
			st.loadPass.SetText(strings.ReplaceAll(tt.typed, "{pass}", trainingPass(t)))
			st.remember.SetChecked(tt.remember)
			saveAndWait(h, st)
			says := tt.says
			if k, ok := strings.CutPrefix(says, "{"); ok {
				says = st.u.T(strings.TrimSuffix(k, "}"), "File", file)
				says = strings.TrimSuffix(says, "; перезапустите PayDesk")
			}
			assert.Contains(t, st.message.Text, says)
			if !tt.written {
				assert.NoFileExists(t, file, "a refusal writes nothing")
			} else {
				cfg, err := config.Load(file)
				require.NoError(t, err)
				assert.Equal(t, tt.store, cfg.Keys.PassphraseStore)
				assert.Empty(t, cfg.Keys.PassphraseFile)
				grepFolder(t, filepath.Dir(file), trainingPass(t))
			}
			_, err := keyring.Get(secret.Service, secret.Account(key))
			if tt.kept {
				assert.NoError(t, err)
			} else if tt.name == "forgotten: untick with nothing typed" {
				assert.ErrorIs(t, err, keyring.ErrNotFound, "the stored passphrase is deleted")
			}
		})
	}
}

// TestSettingsMovePlainFile: a configuration that keeps the passphrase in a
// plain file goes on working, and Settings offers to move it into the
// credential store, which deletes the file.
func TestSettingsMovePlainFile(t *testing.T) {
	keyring.MockInit()
	h, _, file := settingsAsAdmin(t)
	pass := trainingPass(t)
	key := filepath.Join(h.rt.DataDir, "training", "keys", "secret.key")
	plain := filepath.Join(filepath.Dir(file), "passphrase")
	require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o700))
	require.NoError(t, os.WriteFile(plain, []byte(pass), 0o600))
	require.NoError(t, os.WriteFile(file, []byte("training: true\nkeys:\n  secret: "+key+"\n  passphrase_file: passphrase # the old Settings wrote it\n"), 0o600))
	before, err := config.Load(file)
	require.NoError(t, err)
	p, err := before.Passphrase()
	require.NoError(t, err)
	require.Equal(t, pass, string(p), "the plain file keeps working")

	h.rt.Config.Keys = before.Keys // as a start with that file would have it
	st := newSettingsScreen(h.u)
	require.True(t, st.plain.Visible(), "the offer to move it is shown")
	assert.Contains(t, popupText(st.plain), plain)
	st.message.SetText("")
	st.movePlain()
	h.wait("move", func() bool { return st.message.Text != "" && st.message.Text != st.u.T("settings.passphrase_saving") })
	assert.Contains(t, st.message.Text, st.u.T("settings.passphrase_remembered_moved", "File", plain))
	assert.NoFileExists(t, plain)
	got, err := keyring.Get(secret.Service, secret.Account(key))
	require.NoError(t, err)
	assert.Equal(t, pass, got)
	after, err := config.Load(file)
	require.NoError(t, err)
	assert.Equal(t, config.StoreKeyring, after.Keys.PassphraseStore)
	assert.Empty(t, after.Keys.PassphraseFile)
	text, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(text), "training: true", "the rest of the file stays")
	assert.False(t, st.plain.Visible(), "nothing left to move")
	assert.True(t, st.remember.Checked)
	grepFolder(t, filepath.Dir(file), pass)
}

// TestUnlockWindow: the start's passphrase window asks, says a wrong answer
// is wrong and asks again, and hands the right one to the boot; Quit ends
// the start. The asking runs on its own goroutine, as at a real start.
func TestUnlockWindow(t *testing.T) {
	a := test.NewTempApp(t)
	cfg := &config.Config{Keys: config.Keys{Secret: filepath.Join(keysDir, "secret.key"), PassphraseStore: config.StoreAsk}}
	lock := NewUnlock(a, "ru")
	lock.Window().Show()
	defer lock.Window().Close()
	done := make(chan error, 1)
	go func() {
		_, err := cfg.Unlock(context.Background(), lock.Ask)
		done <- err
	}()
	waitFor(t, "the question", func() bool { return !lock.entry.Disabled() })
	assert.Equal(t, "Пароль секретного ключа точки спрашивается при запуске (passphrase_store: ask)", lock.why.Text)
	test.Type(lock.entry, "wrong")
	test.Tap(lock.ok)
	waitFor(t, "the second question", func() bool {
		return !lock.entry.Disabled() && strings.Contains(lock.why.Text, "попробуйте ещё раз")
	})
	assert.Equal(t, "Неверный пароль секретного ключа точки, попробуйте ещё раз", lock.why.Text)
	assert.Empty(t, lock.entry.Text, "the wrong answer is cleared")
	test.Type(lock.entry, trainingPass(t))
	lock.entry.OnSubmitted(lock.entry.Text) // Enter
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the key did not open")
	}
	_, err := cfg.SecretKey()
	assert.NoError(t, err, "the boot opens the key")
	lock.Starting()
	assert.Equal(t, "Пароль подошёл, PayDesk запускается…", lock.why.Text)
	assert.True(t, lock.entry.Disabled())

	// Quit while asked: the start ends.
	lock2 := NewUnlock(a, "en")
	lock2.Window().Show()
	cfg2 := &config.Config{Keys: cfg.Keys}
	cfg2.Keys.Passphrase = ""
	go func() {
		_, err := cfg2.Unlock(context.Background(), lock2.Ask)
		done <- err
	}()
	waitFor(t, "the question", func() bool { return !lock2.entry.Disabled() })
	assert.Equal(t, "The point's secret key passphrase is asked at start (passphrase_store: ask)", lock2.why.Text)
	test.Tap(lock2.quit)
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrUnlockCancelled)
	case <-time.After(10 * time.Second):
		t.Fatal("Quit did not end the start")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFailureWindow: a start that failed says why in a window with Quit.
func TestFailureWindow(t *testing.T) {
	a := test.NewTempApp(t)
	w := NewFailure(a, "ru", "База изменена в обход кассы")
	w.Show()
	text := popupText(w.Content())
	assert.Contains(t, text, "PayDesk не запустился")
	assert.Contains(t, text, "База изменена в обход кассы")
	assert.Contains(t, text, "paydesk.log")
	w.Close()
}
