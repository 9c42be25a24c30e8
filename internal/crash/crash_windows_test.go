//go:build windows

package crash

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const childEnv = "PAYDESK_CRASH_CHILD"

// TestMain makes the test binary a child that crashes as asked (the Unix
// tests' TestMain is crash_test.go's).
func TestMain(m *testing.M) {
	if how := os.Getenv(childEnv); how != "" {
		if _, err := Watch(os.Getenv("PAYDESK_CRASH_DIR"), "PayDesk test", time.Now()); err != nil {
			panic(err)
		}
		switch how {
		case "goroutine":
			go func() { panic("boom in a goroutine") }()
		case "nil":
			go func() {
				var p *struct{ n int }
				_ = p.n // an access violation (0xc0000005) on Windows
			}()
		case "clean":
			os.Exit(0)
		}
		time.Sleep(5 * time.Second)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// winTempDir is a new folder under a name with a space and Cyrillic
// letters, as %AppData% of a Russian user's profile, removed bottom-up
// with os.Remove at the end: Wine 8.0 fails os.RemoveAll (README,
// "Windows, proven"), so t.TempDir cannot clean up under Wine.
func winTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "Данные PayDesk ")
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

// closeCrashOutput lets go of the pending file Watch gave the runtime: on
// Windows an open file cannot be removed.
func closeCrashOutput() error { return debug.SetCrashOutput(nil, debug.CrashOptions{}) }

// TestWindowsCrashReports: on Windows the runtime writes a crashed
// process's report (a panic in a goroutine, an access violation) to the
// pending file in a data folder whose path holds a space and Cyrillic
// letters; the next start keeps it under its time, a clean exit leaves
// none.
func TestWindowsCrashReports(t *testing.T) {
	for _, tt := range []struct {
		how  string
		want []string // in the report; none: no report
	}{
		{"goroutine", []string{"PayDesk test\n", "panic: boom in a goroutine", "goroutine "}},
		{"nil", []string{"PayDesk test\n", "nil pointer dereference", "0xc0000005"}},
		{"clean", nil},
	} {
		t.Run(tt.how, func(t *testing.T) {
			dir := filepath.Join(winTempDir(t), "AppData", "Roaming", "paydesk")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.how, "PAYDESK_CRASH_DIR="+dir, "GOTRACEBACK=")
			err := cmd.Run()
			earlier, werr := Watch(dir, "PayDesk next", time.Date(2026, 12, 4, 1, 2, 3, 0, time.UTC))
			require.NoError(t, werr)
			defer func() { require.NoError(t, closeCrashOutput()) }()
			if tt.want == nil {
				require.NoError(t, err)
				assert.Empty(t, earlier, "a clean run leaves no report")
				return
			}
			require.Error(t, err, "the child crashed")
			require.NotEmpty(t, earlier)
			assert.True(t, strings.HasSuffix(earlier, `\crash-20261204-010203.log`), earlier)
			b, err := os.ReadFile(earlier)
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, string(b), w)
			}
		})
	}
}
