//go:build windows

package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"paydesk/internal/clock"
)

// winTempDir is t.TempDir for the Windows tests: a new folder whose name
// holds a space and Cyrillic letters, as %AppData% under a Russian user's
// profile does, removed at the end bottom-up with os.Remove. (Wine 8.0
// fails os.RemoveAll on any folder holding a folder, "unlinkat …: Invalid
// function": Go's RemoveAll deletes through an open parent handle, which
// that Wine does not implement; os.Remove works.)
func winTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "Касса PayDesk ")
	require.NoError(t, err)
	t.Cleanup(func() {
		var dirs []string
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				dirs = append(dirs, p)
				return nil
			}
			return os.Remove(p)
		})
		for i := len(dirs) - 1; i >= 0 && err == nil; i-- {
			err = os.Remove(dirs[i])
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("removing %s: %v", dir, err)
		}
	})
	return dir
}

// shortName is path's 8.3 spelling (C:\users\КАССИР~1\...).
func shortName(t *testing.T, path string) string {
	t.Helper()
	long, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n, err := windows.GetShortPathName(long, &buf[0], uint32(len(buf)))
	require.NoError(t, err)
	return windows.UTF16ToString(buf[:n])
}

// TestWindowsOneTillUnderAnyName: Windows spells one file many ways (any
// case, either slash, its 8.3 short name, relative to the current
// folder); every spelling of open books is refused while they are open,
// and opens once they are closed.
func TestWindowsOneTillUnderAnyName(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second func(t *testing.T, dir, first string) string
	}{
		{"upper case", func(_ *testing.T, _, first string) string { return strings.ToUpper(first) }},
		{"forward slashes", func(_ *testing.T, _, first string) string { return filepath.ToSlash(first) }},
		{"8.3 short name", func(t *testing.T, _, first string) string {
			s := shortName(t, filepath.Dir(first))
			require.NotContains(t, s, " ", "a short name has no spaces")
			return filepath.Join(s, filepath.Base(first))
		}},
		{"relative, other case", func(t *testing.T, dir, _ string) string {
			t.Chdir(dir)
			return `КНИГИ КАССЫ\PAYDESK.DB`
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := winTempDir(t)
			books := filepath.Join(dir, "Книги кассы")
			require.NoError(t, os.Mkdir(books, 0o700))
			first := filepath.Join(books, "paydesk.db")
			s, err := Open(ctx, first, Options{Key: testKey, Clock: clock.Real{}})
			require.NoError(t, err)
			second := tc.second(t, dir, first)
			_, err = Open(ctx, second, Options{Key: testKey})
			require.ErrorIs(t, err, ErrInUse, "%s is %s", second, first)
			require.NoError(t, s.Close())
			again, err := Open(ctx, second, Options{Key: testKey})
			require.NoError(t, err, "closing releases the lock")
			_, err = Open(ctx, first, Options{Key: testKey})
			assert.ErrorIs(t, err, ErrInUse, "and the other way round")
			require.NoError(t, again.Close())
		})
	}
}

// TestWindowsLockFileExclusive: lockFile takes the whole-file lock without
// waiting: a second handle is refused at once with the lock violation,
// and gets it after the first handle is closed.
func TestWindowsLockFileExclusive(t *testing.T) {
	path := filepath.Join(winTempDir(t), "paydesk.db.lock")
	a, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	require.NoError(t, err)
	require.NoError(t, lockFile(a))
	b, err := os.OpenFile(path, os.O_RDWR, 0o600)
	require.NoError(t, err)
	defer b.Close()
	err = lockFile(b)
	require.ErrorIs(t, err, windows.ERROR_LOCK_VIOLATION)
	require.NoError(t, a.Close())
	assert.NoError(t, lockFile(b), "the lock goes with the first handle")
}
