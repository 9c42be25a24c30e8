package ipriv

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"paydesk/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func spec(dir string) KeyPairSpec {
	return KeyPairSpec{Dir: dir, Bits: 1024, Serial: 17033, UserID: "api17032", Passphrase: []byte("key pass"), Created: epoch}
}

// TestWriteKeyPair: the files, their modes and contents, and the refusal
// to replace a key already there.
func TestWriteKeyPair(t *testing.T) {
	tests := []struct {
		name      string
		existing  map[string]string // files in Dir before
		overwrite bool
		exists    string // the file refused as existing; "": written
	}{
		{name: "new folder"},
		{name: "empty folder", existing: map[string]string{}},
		{name: "a secret key there", existing: map[string]string{SecretKeyFile: "old secret"}, exists: SecretKeyFile},
		{name: "a public key there", existing: map[string]string{PublicKeyFile: "registered key"}, exists: PublicKeyFile},
		{name: "both there", existing: map[string]string{SecretKeyFile: "old secret", PublicKeyFile: "registered key"}, exists: SecretKeyFile},
		{name: "both there, overwrite", existing: map[string]string{SecretKeyFile: "old secret", PublicKeyFile: "registered key"}, overwrite: true},
		{name: "other files stay", existing: map[string]string{"passphrase": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			if tt.existing != nil {
				require.NoError(t, os.Mkdir(dir, 0o700))
			}
			for name, content := range tt.existing {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
			}
			before := testutil.Fingerprint(t, dir)
			s := spec(dir)
			s.Overwrite = tt.overwrite
			kp, err := WriteKeyPair(s)
			if tt.exists != "" {
				require.ErrorIs(t, err, fs.ErrExist)
				var pe *fs.PathError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, filepath.Join(dir, tt.exists), pe.Path)
				assert.Nil(t, kp)
				assert.Equal(t, before, testutil.Fingerprint(t, dir), "nothing written")
				assert.Equal(t, pe, CheckKeyPairFree(dir), "the same refusal before any work")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(dir, SecretKeyFile), kp.SecretFile)
			assert.Equal(t, filepath.Join(dir, PublicKeyFile), kp.PublicFile)
			st, err := os.Stat(dir)
			require.NoError(t, err)
			if tt.existing == nil {
				assert.Equal(t, os.FileMode(0o700), st.Mode().Perm(), "a new folder is the user's only")
			}
			for file, perm := range map[string]os.FileMode{kp.SecretFile: 0o600, kp.PublicFile: 0o644} {
				st, err := os.Stat(file)
				require.NoError(t, err)
				assert.Equal(t, perm, st.Mode().Perm(), file)
			}
			for name, content := range tt.existing {
				if name != SecretKeyFile && name != PublicKeyFile {
					b, err := os.ReadFile(filepath.Join(dir, name))
					require.NoError(t, err)
					assert.Equal(t, content, string(b))
				}
			}
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 2+len(tt.existing)-countKeys(tt.existing), "no temporary files left")

			// The files hold the key: it opens with the passphrase, its
			// public key is self-certified, and what it signs verifies.
			sec, err := os.ReadFile(kp.SecretFile)
			require.NoError(t, err)
			k, err := ParseSecretKey(sec, s.Passphrase)
			require.NoError(t, err)
			assert.Equal(t, uint32(17033), k.Serial)
			assert.Equal(t, "api17032", k.UserID)
			assert.Equal(t, 1024, k.Bits())
			assert.Equal(t, 0, k.N.Cmp(kp.Key.N))
			_, err = ParseSecretKey(sec, []byte("wrong"))
			require.ErrorIs(t, err, ErrPassphrase)
			pub, err := os.ReadFile(kp.PublicFile)
			require.NoError(t, err)
			assert.Equal(t, kp.Public, pub)
			ring, err := ParseKeyring(pub)
			require.NoError(t, err)
			pk, err := ring.Find(17033)
			require.NoError(t, err)
			assert.True(t, pk.SelfCertified())
			require.NoError(t, ring.CheckCertification(pk))
			doc, err := k.Sign([]byte("SD=17031\r\n"), SHA256, epoch)
			require.NoError(t, err)
			_, _, err = pk.Verify(doc)
			require.NoError(t, err)
		})
	}
}

func countKeys(files map[string]string) int {
	n := 0
	for name := range files {
		if name == SecretKeyFile || name == PublicKeyFile {
			n++
		}
	}
	return n
}

// TestWriteKeyPairCheckFails: a pair whose files would not hold a working
// key is not written, not even its folder.
func TestWriteKeyPairCheckFails(t *testing.T) {
	other, err := GenerateKey(nil, 1024, 17033, "api17032", epoch)
	require.NoError(t, err)
	tests := map[string]func(k *SecretKey, pass []byte, rnd io.Reader) ([]byte, error){
		"secret under another passphrase": func(k *SecretKey, _ []byte, rnd io.Reader) ([]byte, error) {
			return k.Marshal([]byte("not the passphrase"), rnd)
		},
		"secret in clear": func(k *SecretKey, _ []byte, rnd io.Reader) ([]byte, error) { return k.Marshal(nil, rnd) },
		"another key's secret": func(_ *SecretKey, pass []byte, rnd io.Reader) ([]byte, error) {
			return other.Marshal(pass, rnd)
		},
		"corrupted secret": func(k *SecretKey, pass []byte, rnd io.Reader) ([]byte, error) {
			b, err := k.Marshal(pass, rnd)
			b[len(b)/2] ^= 0x01
			return b, err
		},
		"export fails": func(*SecretKey, []byte, io.Reader) ([]byte, error) {
			return nil, errors.New("disk of tokens unplugged")
		},
	}
	for name, export := range tests {
		t.Run(name, func(t *testing.T) {
			exportSecret = export
			t.Cleanup(func() { exportSecret = (*SecretKey).Marshal })
			dir := filepath.Join(t.TempDir(), "keys")
			kp, err := WriteKeyPair(spec(dir))
			require.Error(t, err)
			assert.Nil(t, kp)
			assert.NoDirExists(t, dir)
		})
	}
	// The check itself: the real export passes it.
	dir := filepath.Join(t.TempDir(), "keys")
	_, err = WriteKeyPair(spec(dir))
	require.NoError(t, err)
}

// TestWriteKeyPairInClear: an empty passphrase stores the key in clear.
func TestWriteKeyPairInClear(t *testing.T) {
	s := spec(filepath.Join(t.TempDir(), "keys"))
	s.Passphrase = nil
	kp, err := WriteKeyPair(s)
	require.NoError(t, err)
	b, err := os.ReadFile(kp.SecretFile)
	require.NoError(t, err)
	_, encrypted, err := PeekSecretKey(b)
	require.NoError(t, err)
	assert.False(t, encrypted)
	_, err = ParseSecretKey(b, nil)
	require.NoError(t, err)
}

// TestWriteKeyPairBadSpec: what GenerateKey refuses writes nothing.
func TestWriteKeyPairBadSpec(t *testing.T) {
	tests := map[string]func(s *KeyPairSpec){
		"512 bits":  func(s *KeyPairSpec) { s.Bits = 512 },
		"serial 0":  func(s *KeyPairSpec) { s.Serial = 0 },
		"no userid": func(s *KeyPairSpec) { s.UserID = "" },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			s := spec(dir)
			change(&s)
			_, err := WriteKeyPair(s)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.NoDirExists(t, dir)
		})
	}
}

// TestWriteNew: a file that appeared after the first look is not replaced.
func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, SecretKeyFile)
	require.NoError(t, writeNew(p, []byte("first"), 0o600))
	err := writeNew(p, []byte("second"), 0o600)
	require.ErrorIs(t, err, fs.ErrExist)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "first", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}
