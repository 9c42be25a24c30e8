package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"paydesk/internal/i18n"
	"paydesk/internal/secret"
	"paydesk/protocol/ipriv"
)

// Where the point's key passphrase is kept (keys.passphrase_store).
const (
	// StoreKeyring keeps it in the operating system's credential store
	// (the Secret Service on Linux, the Windows Credential Manager, the
	// macOS Keychain), under the service "paydesk" and the secret key
	// file's absolute path.
	StoreKeyring = "keyring"
	// StoreAsk keeps it nowhere: it is asked at every start.
	StoreAsk = "ask"
	// StoreFile reads it from keys.passphrase_file, in plain text (the
	// configurations made before the credential store).
	StoreFile = "file"
)

// PassphraseStores lists the values of keys.passphrase_store.
func PassphraseStores() []string { return []string{StoreKeyring, StoreAsk, StoreFile} }

// ErrPassphraseNeeded is in the chain of Passphrase's error when the
// passphrase has to be asked of the user: the configuration says "ask", or
// the credential store holds none or cannot be reached. Unlock asks then.
var ErrPassphraseNeeded = errors.New("config: the passphrase must be asked")

// KeyringTimeout bounds one question to the credential store (which may
// show an unlock prompt of its own).
var KeyringTimeout = 30 * time.Second

// PassphraseSource returns where the passphrase is kept: passphrase_store,
// or by default "file" when passphrase_file is set, else "ask".
func (k Keys) PassphraseSource() string {
	switch {
	case k.PassphraseStore != "":
		return k.PassphraseStore
	case k.PassphraseFile != "":
		return StoreFile
	}
	return StoreAsk
}

// Account is the secret key's entry in the credential store.
func (k Keys) Account() string { return secret.Account(k.Secret) }

// checkStore checks passphrase_store against passphrase_file: a store the
// program does not know, a file store without a file, or a plain file
// beside a store that would never read it.
func (k Keys) checkStore() error {
	if k.PassphraseStore != "" && !slices.Contains(PassphraseStores(), k.PassphraseStore) {
		return bad("keys.passphrase_store", i18n.M("config.passphrase_store", "value", k.PassphraseStore,
			"choices", oneOf(PassphraseStores(), "или"), "choices_en", oneOf(PassphraseStores(), "or")), nil)
	}
	switch src := k.PassphraseSource(); {
	case src == StoreFile && k.PassphraseFile == "":
		return bad("keys.passphrase_file", i18n.M("config.passphrase_file_needed"), nil)
	case src != StoreFile && k.PassphraseFile != "":
		return bad("keys.passphrase_file", i18n.M("config.passphrase_file_unused", "store", src), nil)
	}
	return nil
}

// Passphrase returns the secret key's passphrase: PAYDESK_KEYS_PASSPHRASE
// (keys.passphrase) when set, else from where passphrase_store says: the
// credential store, or the passphrase file's content without its final
// line end. With "ask", and when the credential store holds none or cannot
// be reached, the error wraps ErrPassphraseNeeded and says why: callers
// ask the user (Unlock).
func (c *Config) Passphrase() ([]byte, error) {
	if c.Keys.Passphrase != "" {
		return []byte(c.Keys.Passphrase), nil
	}
	switch c.Keys.PassphraseSource() {
	case StoreFile:
		return c.fromFile()
	case StoreKeyring:
		return c.fromKeyring()
	}
	return nil, bad("keys.passphrase_store", i18n.M("config.passphrase_ask"), ErrPassphraseNeeded)
}

// fromFile reads passphrase_file.
func (c *Config) fromFile() ([]byte, error) {
	b, err := os.ReadFile(c.Keys.PassphraseFile)
	if err != nil {
		return nil, bad("keys.passphrase_file", i18n.M("config.passphrase_read"), err)
	}
	return []byte(strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")), nil
}

// fromKeyring loads the passphrase from the credential store.
func (c *Config) fromKeyring() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), KeyringTimeout)
	defer cancel()
	b, err := secret.Load(ctx, c.Keys.Account())
	if err != nil {
		var se *secret.Error
		if errors.As(err, &se) {
			return nil, bad("keys.passphrase_store", i18n.M("config.passphrase_keyring", "cause", se.Msg()),
				fmt.Errorf("%w: %w", ErrPassphraseNeeded, err))
		}
		return nil, bad("keys.passphrase_store", i18n.M("config.passphrase_keyring", "cause", err.Error()),
			fmt.Errorf("%w: %w", ErrPassphraseNeeded, err))
	}
	return b, nil
}

// SecretKey loads and opens the point's secret key. A file that holds no
// secret key is refused before any passphrase is looked for; a key stored
// in clear needs none: it opens without asking whatever the store says.
func (c *Config) SecretKey() (*ipriv.SecretKey, error) {
	k, _, err := c.secretKey()
	return k, err
}

// secretKey is SecretKey with the passphrase that opened the key.
func (c *Config) secretKey() (*ipriv.SecretKey, []byte, error) {
	b, err := os.ReadFile(c.Keys.Secret)
	if err != nil {
		return nil, nil, bad("keys.secret", i18n.M("config.secret_read"), err)
	}
	_, encrypted, err := ipriv.PeekSecretKey(b)
	if err != nil {
		return nil, nil, bad("keys.secret", i18n.M("config.secret_load"), err)
	}
	pass, err := c.Passphrase()
	if errors.Is(err, ErrPassphraseNeeded) && !encrypted {
		pass, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	k, err := ipriv.ParseSecretKey(b, pass)
	if err != nil {
		if errors.Is(err, ipriv.ErrPassphrase) {
			return nil, nil, bad(c.passphraseKey(), i18n.M("config.passphrase_wrong"), err)
		}
		return nil, nil, bad("keys.secret", i18n.M("config.secret_load"), err)
	}
	return k, pass, nil
}

// passphraseKey is the key a wrong passphrase is blamed on: the file or
// the environment where they gave it, else the store.
func (c *Config) passphraseKey() string {
	if c.Keys.Passphrase == "" && c.Keys.PassphraseSource() == StoreKeyring {
		return "keys.passphrase_store"
	}
	return "keys.passphrase_file"
}

// Asker asks the user for the secret key's passphrase; why says why it is
// asked (the configuration says "ask", the credential store holds none, the
// last answer was wrong). An error gives up (the user cancelled).
type Asker func(ctx context.Context, why i18n.Msg) ([]byte, error)

// Unlocked is what Unlock did.
type Unlocked struct {
	// Asked: the passphrase was asked of the user.
	Asked bool
	// Remembered: with passphrase_store keyring, the asked passphrase that
	// opened the key was put into the credential store (else Forgotten
	// says why not).
	Remembered bool
	Forgotten  error
}

// Unlock opens the point's secret key before the till starts (training
// needs none), asking for the passphrase when the configuration does not
// give it (Passphrase's ErrPassphraseNeeded) or the credential store's one
// does not open the key, and again while the answer does not. The
// passphrase that opened the key stays in memory (Keys.Passphrase, never
// written) for the boot. With passphrase_store keyring an asked passphrase
// that opened the key is stored in the credential store for the next
// start. A wrong passphrase from the environment or the file is not asked
// over: it is the error.
func (c *Config) Unlock(ctx context.Context, ask Asker) (Unlocked, error) {
	var u Unlocked
	if c.Training || c.Keys.Secret == "" {
		return u, nil
	}
	given := c.Keys.Passphrase != "" // by the environment
	for {
		_, pass, err := c.secretKey()
		if err == nil {
			// Held for the boot: the store is asked once per start.
			c.Keys.Passphrase = string(pass)
			c.remember(ctx, &u)
			return u, nil
		}
		why, again := c.askWhy(err, given, u.Asked)
		if !again {
			return u, err
		}
		pass, err = ask(ctx, why)
		if err != nil {
			return u, err
		}
		c.Keys.Passphrase, u.Asked = string(pass), true
	}
}

// askWhy says why the passphrase is to be asked after SecretKey's err, and
// false when it is not to be asked (another fault, or a passphrase the
// environment or the file gave).
func (c *Config) askWhy(err error, given, asked bool) (i18n.Msg, bool) {
	wrong := errors.Is(err, ipriv.ErrPassphrase)
	needed := errors.Is(err, ErrPassphraseNeeded)
	var ce *Error
	switch {
	case asked && (wrong || needed):
		return i18n.M("config.passphrase_again"), true
	case asked || given:
		return i18n.Msg{}, false
	case needed && errors.As(err, &ce):
		return ce.Msg(), true
	case wrong && c.Keys.PassphraseSource() == StoreKeyring:
		return i18n.M("config.passphrase_keyring_wrong"), true
	}
	return i18n.Msg{}, false
}

// remember puts an asked passphrase into the credential store when the
// configuration keeps it there.
func (c *Config) remember(ctx context.Context, u *Unlocked) {
	if !u.Asked || c.Keys.PassphraseSource() != StoreKeyring {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, KeyringTimeout)
	defer cancel()
	if err := secret.Store(ctx, c.Keys.Account(), []byte(c.Keys.Passphrase)); err != nil {
		u.Forgotten = err
		return
	}
	u.Remembered = true
}
