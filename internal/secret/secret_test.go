package secret

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"paydesk/internal/i18n"
)

// The library's in-memory store: every call behaves as a store that works.
func TestStoreLoadDelete(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	const a, b = "/keys/a/secret.key", "/keys/b/secret.key"
	steps := []struct {
		name string
		do   func() error
		kind Kind
	}{
		{"load before any store", func() error { _, err := Load(ctx, a); return err }, KindNotFound},
		{"delete before any store", func() error { return Delete(ctx, a) }, KindNotFound},
		{"store a", func() error { return Store(ctx, a, []byte("first pass")) }, 0},
		{"store a again replaces it", func() error { return Store(ctx, a, []byte("пароль ключа ✓")) }, 0},
		{"store b", func() error { return Store(ctx, b, []byte("b's pass")) }, 0},
		{"a reads back", func() error { return loaded(ctx, a, "пароль ключа ✓") }, 0},
		{"b reads back", func() error { return loaded(ctx, b, "b's pass") }, 0},
		{"delete a", func() error { return Delete(ctx, a) }, 0},
		{"a is gone", func() error { _, err := Load(ctx, a); return err }, KindNotFound},
		{"b stays", func() error { return loaded(ctx, b, "b's pass") }, 0},
		{"empty passphrase refused", func() error { return Store(ctx, a, nil) }, KindInput},
		{"no account to store", func() error { return Store(ctx, "", []byte("x")) }, KindInput},
		{"no account to load", func() error { _, err := Load(ctx, ""); return err }, KindInput},
		{"no account to delete", func() error { return Delete(ctx, "") }, KindInput},
	}
	for _, s := range steps {
		err := s.do()
		if s.kind == 0 {
			require.NoError(t, err, s.name)
			continue
		}
		require.Error(t, err, s.name)
		assert.Equal(t, s.kind, KindOf(err), "%s: %v", s.name, err)
	}
	// Everything went under the service "paydesk", account = the key file.
	got, err := keyring.Get(Service, b)
	require.NoError(t, err)
	assert.Equal(t, "b's pass", got)
}

func loaded(ctx context.Context, account, want string) error {
	got, err := Load(ctx, account)
	if err != nil {
		return err
	}
	if string(got) != want {
		return errors.New("read back " + string(got) + ", stored " + want)
	}
	return nil
}

// Each library error becomes one kind, with the operation, the account and
// a message in both languages.
func TestErrorKinds(t *testing.T) {
	tests := []struct {
		name       string
		lib        error
		kind       Kind
		ru, en     string
		wrapsIsLib bool
	}{
		{"not found", keyring.ErrNotFound, KindNotFound, "нет пароля этого ключа", "holds no passphrase for this key", true},
		{"too big", keyring.ErrSetDataTooBig, KindTooBig, "такой длинный пароль", "a passphrase that long", true},
		{"no D-Bus", errors.New("dbus: couldn't determine address of session bus"), KindUnavailable, "хранилище учётных данных системы недоступно", "credential store is unavailable", false},
		{"no Secret Service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), KindUnavailable, "Secret Service", "Credential Manager", false},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), KindUnavailable, "недоступно", "unavailable", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInitWithError(tt.lib)
			defer keyring.MockInit()
			const account = "/srv/paydesk/keys/secret.key"
			ops := map[string]error{"store": Store(context.Background(), account, []byte("p"))}
			_, ops["load"] = Load(context.Background(), account)
			ops["delete"] = Delete(context.Background(), account)
			for op, err := range ops {
				var se *Error
				require.ErrorAs(t, err, &se, op)
				assert.Equal(t, op, se.Op)
				assert.Equal(t, account, se.Account)
				assert.Equal(t, tt.kind, se.Kind, op)
				assert.ErrorIs(t, err, tt.lib, "the library's error is kept")
				assert.Contains(t, se.Msg().In(i18n.RU), tt.ru)
				assert.Contains(t, se.Msg().In(i18n.EN), tt.en)
				assert.Contains(t, err.Error(), "secret: "+op+" "+account+": ")
			}
		})
	}
}

// Every kind has its message in both languages.
func TestMessages(t *testing.T) {
	for k := KindNotFound; k <= KindInput; k++ {
		m := (&Error{Kind: k}).Msg()
		assert.True(t, i18n.Has(m.Key), "%v: %s", k, m.Key)
		assert.NotEqual(t, "unknown", k.String())
	}
	assert.Equal(t, Kind(0), KindOf(errors.New("other")))
	assert.Equal(t, Kind(0), KindOf(nil))
}

// A store that does not answer (a prompt nobody answers) gives up when the
// context ends, as unavailable.
func TestStoreTooSlow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	err := call(ctx, "load", "acct", func() error { <-release; return nil })
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, KindUnavailable, KindOf(err))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestAccount(t *testing.T) {
	abs, err := filepath.Abs("keys/secret.key")
	require.NoError(t, err)
	tests := []struct{ in, want string }{
		{"", ""},
		{"/srv/paydesk/keys/secret.key", "/srv/paydesk/keys/secret.key"},
		{"/srv/paydesk/keys/../keys/secret.key", "/srv/paydesk/keys/secret.key"},
		{"keys/secret.key", abs},
		{"./keys//secret.key", abs},
	}
	for _, tt := range tests {
		assert.Equal(t, filepath.FromSlash(tt.want), Account(filepath.FromSlash(tt.in)), tt.in)
		assert.False(t, strings.HasSuffix(Account(tt.in), "/"))
	}
}
