package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state")
	require.NoError(t, Write(p, []byte("one"), 0o600))
	require.NoError(t, Write(p, []byte("two\r\n"), 0o600))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two\r\n", string(b))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestWriteMissingFolder(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "such"), []byte("x"), 0o600)
	assert.Error(t, err)
}

func TestRemoveTemps(t *testing.T) {
	tests := []struct {
		name string
		file string
		kept bool
	}{
		{"target", "state.json", true},
		{"killed write", ".state.json.tmp123456", false},
		{"another killed write", ".state.json.tmp9", false},
		{"no random part", ".state.json.tmp", true},
		{"temp of another file", ".state.json.tmpx.tmp77", true},
		{"other file's temp", ".other.json.tmp123", true},
		{"old-style temp without dot", "state.json.tmp123", true},
		{"neighbour", "state.json.docs", true},
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	for _, tt := range tests {
		require.NoError(t, os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.name), 0o600))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, ".state.json.tmp42"), 0o700))
	require.NoError(t, RemoveTemps(p))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := os.Stat(filepath.Join(dir, tt.file))
			if tt.kept {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, os.ErrNotExist)
			}
		})
	}
	assert.DirExists(t, filepath.Join(dir, ".state.json.tmp42"), "folders are kept")
	require.NoError(t, Write(p, []byte("three"), 0o600), "Write works after a clean-up")
}

func TestRemoveTempsOfWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state")
	// What a Write killed before its rename leaves: a temporary file of the
	// name Write itself creates.
	f, err := os.CreateTemp(dir, tempPrefix(p)+"*")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, Write(p, []byte("x"), 0o600))
	require.NoError(t, RemoveTemps(p))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "state", entries[0].Name())
}

func TestRemoveTempsMissingFolder(t *testing.T) {
	assert.NoError(t, RemoveTemps(filepath.Join(t.TempDir(), "no", "such")))
}
