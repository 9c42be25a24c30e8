//go:build windows

package secret

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWindowsCredentialManager keeps a passphrase in the real Windows
// Credential Manager (CredWriteW, CredReadW, CredDeleteW; Wine's under
// make windows-test) under the path of a key in a Cyrillic profile: what
// is stored reads back byte for byte, a second store replaces it, another
// key's entry is apart, a delete leaves nothing, and a passphrase beyond
// the Credential Manager's 2560 bytes is refused as too big.
func TestWindowsCredentialManager(t *testing.T) {
	ctx := context.Background()
	a := Account(`C:\users\Кассир Смирнова 1\AppData\Roaming\paydesk\keys\secret.key`)
	b := Account(`C:\users\Кассир Смирнова 1\AppData\Roaming\paydesk\keys 2\secret.key`)
	t.Cleanup(func() { _ = Delete(ctx, a); _ = Delete(ctx, b) })
	_ = Delete(ctx, a) // an entry an interrupted run left
	_ = Delete(ctx, b)

	_, err := Load(ctx, a)
	require.Equal(t, KindNotFound, KindOf(err), "%v", err)
	first := []byte("пароль ключа: 17033 api17032 \x01\xff")
	require.NoError(t, Store(ctx, a, first))
	got, err := Load(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, first, got, "read back byte for byte")

	require.NoError(t, Store(ctx, a, []byte("второй")))
	got, err = Load(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, "второй", string(got), "a store replaces")

	_, err = Load(ctx, b)
	assert.Equal(t, KindNotFound, KindOf(err), "another key's entry is apart: %v", err)
	require.NoError(t, Store(ctx, b, []byte("b")))
	got, err = Load(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, "второй", string(got))

	require.NoError(t, Delete(ctx, a))
	_, err = Load(ctx, a)
	assert.Equal(t, KindNotFound, KindOf(err), "%v", err)
	assert.Equal(t, KindNotFound, KindOf(Delete(ctx, a)))

	err = Store(ctx, a, []byte(strings.Repeat("x", 2561)))
	assert.Equal(t, KindTooBig, KindOf(err), "%v", err)
	_, err = Load(ctx, a)
	assert.Equal(t, KindNotFound, KindOf(err), "a refused store writes nothing")
}
