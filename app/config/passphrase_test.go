package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"paydesk/internal/i18n"
	"paydesk/internal/secret"
	"paydesk/protocol/ipriv"
	"paydesk/protocol/ipriv/ipritest"
)

// The passphrase of keySet's secret key.
const goodPass = "secret pass"

// storeSet writes keySet's files with keys.passphrase_store set to store
// ("": not in the file) and the passphrase file only when the store reads
// it, and loads the configuration.
func storeSet(t *testing.T, store string) *Config {
	t.Helper()
	clearEnv(t)
	dir := t.TempDir()
	file := keySet(t, dir)
	keys := "keys: {secret: keys/secret.key, bank: keys/pubkeys.key, bank_serial: 64182"
	switch store {
	case StoreFile:
		keys += ", passphrase_file: keys/passphrase, passphrase_store: file"
	case "":
		require.NoError(t, os.Remove(filepath.Join(dir, "keys", "passphrase")))
	default:
		keys += ", passphrase_store: " + store
		require.NoError(t, os.Remove(filepath.Join(dir, "keys", "passphrase")))
	}
	yaml := strings.Replace(production, "keys: {secret: keys/secret.key, passphrase_file: keys/passphrase, bank: keys/pubkeys.key, bank_serial: 64182", keys, 1)
	write(t, dir, "paydesk.yaml", yaml)
	c, err := Load(file)
	require.NoError(t, err)
	return c
}

func TestPassphraseSource(t *testing.T) {
	tests := []struct {
		store, file, want string
	}{
		{"", "", StoreAsk},
		{"", "/keys/passphrase", StoreFile},
		{StoreKeyring, "", StoreKeyring},
		{StoreAsk, "", StoreAsk},
		{StoreFile, "/keys/passphrase", StoreFile},
	}
	for _, tt := range tests {
		k := Keys{PassphraseStore: tt.store, PassphraseFile: tt.file}
		assert.Equal(t, tt.want, k.PassphraseSource(), "%+v", tt)
		assert.NoError(t, k.checkStore(), "%+v", tt)
	}
}

// The refusals of keys.passphrase_store name the key and say in both
// languages what is allowed.
func TestPassphraseStoreRefused(t *testing.T) {
	tests := []struct {
		name, store, file, key string
		ru, en                 string
	}{
		{"unknown store", "vault", "", "keys.passphrase_store", "допустимо keyring, ask или file", "keyring, ask or file"},
		{"file without a file", StoreFile, "", "keys.passphrase_file", "нужен файл пароля", "a passphrase file is needed"},
		{"keyring beside a file", StoreKeyring, "/keys/passphrase", "keys.passphrase_file", "открытым текстом", "plain text"},
		{"ask beside a file", StoreAsk, "/keys/passphrase", "keys.passphrase_file", "passphrase_store: ask", "passphrase_store: ask"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Keys{PassphraseStore: tt.store, PassphraseFile: tt.file}.checkStore()
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.key, ce.Key)
			assert.Contains(t, ce.Msg().In("ru"), tt.ru)
			assert.Contains(t, ce.Msg().In("en"), tt.en)
			assertHuman(t, ce.Msg().In("ru"), ce.Msg().In("en"))
		})
	}
}

// Passphrase by store: the file, the credential store (the library's mock),
// or an ErrPassphraseNeeded saying why.
func TestPassphraseFromStore(t *testing.T) {
	tests := []struct {
		name    string
		store   string
		keyring func(c *Config) // prepares the mock store
		env     string
		want    string
		needed  bool
		ru, en  string
	}{
		{name: "file", store: StoreFile, want: goodPass},
		{name: "keyring holds it", store: StoreKeyring, keyring: stored(goodPass), want: goodPass},
		{name: "keyring holds none", store: StoreKeyring, needed: true,
			ru: "не получен из хранилища учётных данных: в хранилище учётных данных системы нет пароля этого ключа", en: "holds no passphrase for this key"},
		{name: "keyring unavailable", store: StoreKeyring, keyring: broken, needed: true,
			ru: "хранилище учётных данных системы недоступно", en: "credential store is unavailable"},
		{name: "ask", store: StoreAsk, needed: true, ru: "спрашивается при запуске", en: "asked at start"},
		{name: "default without a file is ask", store: "", needed: true, ru: "спрашивается при запуске", en: "asked at start"},
		{name: "the environment over the keyring", store: StoreKeyring, keyring: stored("other"), env: "from env", want: "from env"},
		{name: "the environment over ask", store: StoreAsk, env: "from env", want: "from env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			c := storeSet(t, tt.store)
			if tt.keyring != nil {
				tt.keyring(c)
			}
			if tt.env != "" {
				t.Setenv("PAYDESK_KEYS_PASSPHRASE", tt.env)
				var err error
				c, err = Load(c.File)
				require.NoError(t, err)
			}
			p, err := c.Passphrase()
			if !tt.needed {
				require.NoError(t, err)
				assert.Equal(t, tt.want, string(p))
				return
			}
			assert.ErrorIs(t, err, ErrPassphraseNeeded)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "keys.passphrase_store", ce.Key)
			assert.Contains(t, ce.Msg().In("ru"), tt.ru)
			assert.Contains(t, ce.Msg().In("en"), tt.en)
			assertHuman(t, ce.Msg().In("ru"), ce.Msg().In("en"))
		})
	}
}

func stored(pass string) func(c *Config) {
	return func(c *Config) {
		if err := keyring.Set(secret.Service, c.Keys.Account(), pass); err != nil {
			panic(err)
		}
	}
}

func broken(*Config) { keyring.MockInitWithError(errors.New("dbus: no session bus")) }

// answers is an Asker that gives its answers in turn and records why it
// was asked; past the last it cancels.
type answers struct {
	give []string
	why  []string
}

var errCancelled = errors.New("cancelled")

func (a *answers) ask(_ context.Context, why i18n.Msg) ([]byte, error) {
	a.why = append(a.why, why.Key)
	if len(a.why) > len(a.give) {
		return nil, errCancelled
	}
	return []byte(a.give[len(a.why)-1]), nil
}

// Unlock asks exactly when the configuration does not give a passphrase
// that opens the key, asks again after a wrong answer, and remembers an
// asked passphrase in the credential store when the configuration keeps it
// there.
func TestUnlock(t *testing.T) {
	tests := []struct {
		name       string
		store      string
		keyring    func(c *Config)
		env        string
		give       []string
		why        []string // the keys of the reasons asked, in turn
		err        error    // nil: the key opened
		errKey     string
		remembered bool
	}{
		{name: "file: nothing asked", store: StoreFile},
		{name: "keyring holds it: nothing asked", store: StoreKeyring, keyring: stored(goodPass)},
		{name: "ask: asked once", store: StoreAsk, give: []string{goodPass}, why: []string{"config.passphrase_ask"}},
		{name: "ask: wrong, then right", store: StoreAsk, give: []string{"wrong", "", goodPass},
			why: []string{"config.passphrase_ask", "config.passphrase_again", "config.passphrase_again"}},
		{name: "ask: cancelled", store: StoreAsk, give: []string{"wrong"}, why: []string{"config.passphrase_ask", "config.passphrase_again"}, err: errCancelled},
		{name: "keyring holds none: asked and remembered", store: StoreKeyring, give: []string{goodPass},
			why: []string{"config.passphrase_keyring"}, remembered: true},
		{name: "keyring holds a stale one: asked and replaced", store: StoreKeyring, keyring: stored("the old key's pass"), give: []string{"wrong", goodPass},
			why: []string{"config.passphrase_keyring_wrong", "config.passphrase_again"}, remembered: true},
		{name: "keyring unavailable: asked, not remembered", store: StoreKeyring, keyring: broken, give: []string{goodPass},
			why: []string{"config.passphrase_keyring"}},
		{name: "environment right: nothing asked", store: StoreAsk, env: goodPass},
		{name: "environment wrong: refused, not asked", store: StoreKeyring, keyring: stored(goodPass), env: "wrong",
			err: ipriv.ErrPassphrase, errKey: "keys.passphrase_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			c := storeSet(t, tt.store)
			if tt.keyring != nil {
				tt.keyring(c)
			}
			if tt.env != "" {
				c.Keys.Passphrase = tt.env // as PAYDESK_KEYS_PASSPHRASE loads
			}
			a := &answers{give: tt.give}
			u, err := c.Unlock(context.Background(), a.ask)
			assert.Equal(t, tt.why, a.why)
			assert.Equal(t, len(tt.why) > 0, u.Asked)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				if tt.errKey != "" {
					var ce *Error
					require.ErrorAs(t, err, &ce)
					assert.Equal(t, tt.errKey, ce.Key)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.remembered, u.Remembered)
			if tt.remembered {
				got, err := keyring.Get(secret.Service, c.Keys.Account())
				require.NoError(t, err)
				assert.Equal(t, goodPass, got)
			}
			if tt.store == StoreKeyring && !tt.remembered && tt.keyring != nil && len(tt.why) > 0 {
				assert.Error(t, u.Forgotten, "why the passphrase was not remembered")
			}
			keyring.MockInitWithError(errors.New("the store is gone"))
			_, err = c.SecretKey()
			assert.NoError(t, err, "the boot opens the key with what Unlock left in memory, not asking the store again")
		})
	}
}

// A key stored in clear opens without a passphrase whatever the store
// says; training needs no key at all.
func TestUnlockNeedsNoPassphrase(t *testing.T) {
	keyring.MockInit()
	c := storeSet(t, StoreAsk)
	clear, err := ipritest.DealerKey().Marshal(nil, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(c.Keys.Secret, clear, 0o600))
	a := &answers{}
	u, err := c.Unlock(context.Background(), a.ask)
	require.NoError(t, err)
	assert.False(t, u.Asked)
	assert.Empty(t, a.why)

	tr, err := Load("")
	require.NoError(t, err)
	u, err = tr.Unlock(context.Background(), a.ask)
	require.NoError(t, err)
	assert.False(t, u.Asked)
}

// Another fault of the key is the error, never a question.
func TestUnlockOtherFault(t *testing.T) {
	keyring.MockInit()
	c := storeSet(t, StoreAsk)
	require.NoError(t, os.WriteFile(c.Keys.Secret, []byte("not a key"), 0o600))
	a := &answers{give: []string{goodPass}}
	_, err := c.Unlock(context.Background(), a.ask)
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "keys.secret", ce.Key)
	assert.Empty(t, a.why, "a file that holds no key is refused before any question")
}

// passphrase_store is saved and loaded back like any key.
func TestSavePassphraseStore(t *testing.T) {
	c := storeSet(t, StoreFile)
	path := c.File
	require.NoError(t, Edit(path, func(c *Config) { c.Keys.PassphraseStore, c.Keys.PassphraseFile = StoreKeyring, "" }))
	got, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, StoreKeyring, got.Keys.PassphraseStore)
	assert.Empty(t, got.Keys.PassphraseFile)
	assert.Contains(t, read(t, path), "passphrase_store: keyring")
	assert.NotContains(t, read(t, path), "passphrase_file: keys/passphrase")

	err = Edit(path, func(c *Config) { c.Keys.PassphraseStore = "vault" })
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "keys.passphrase_store", ce.Key)
}
