//go:build unix

package crash

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const childEnv = "PAYDESK_CRASH_CHILD"

// TestMain makes the test binary a child that crashes as asked.
func TestMain(m *testing.M) {
	if how := os.Getenv(childEnv); how != "" {
		dir := os.Getenv("PAYDESK_CRASH_DIR")
		if _, err := Watch(dir, "PayDesk test", time.Now()); err != nil {
			panic(err)
		}
		switch how {
		case "goroutine":
			go func() { panic("boom in a goroutine") }()
		case "nil":
			go func() {
				var p *struct{ n int }
				_ = p.n // SIGSEGV: a nil dereference
			}()
		case "abort":
			_ = syscall.Kill(os.Getpid(), syscall.SIGABRT)
		case "clean":
			os.Exit(0)
		}
		time.Sleep(5 * time.Second)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestCrashReports(t *testing.T) {
	tests := []struct {
		how  string
		want []string // in the report; none: no report
	}{
		{"goroutine", []string{"PayDesk test\n", "panic: boom in a goroutine", "goroutine "}},
		{"nil", []string{"PayDesk test\n", "nil pointer dereference", "SIGSEGV"}},
		{"abort", []string{"PayDesk test\n", "SIGABRT"}},
		{"clean", nil},
	}
	for _, tt := range tests {
		t.Run(tt.how, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.how, "PAYDESK_CRASH_DIR="+dir, "GOTRACEBACK=")
			err := cmd.Run()
			earlier, werr := Watch(dir, "PayDesk next", time.Date(2026, 12, 4, 1, 2, 3, 0, time.UTC))
			require.NoError(t, werr)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Empty(t, earlier, "a clean run leaves no report")
				return
			}
			require.Error(t, err, "the child crashed")
			require.NotEmpty(t, earlier)
			assert.True(t, strings.HasSuffix(earlier, "crash-20261204-010203.log"), earlier)
			b, err := os.ReadFile(earlier)
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, string(b), w)
			}
			st, err := os.Stat(earlier)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
			again, err := Watch(dir, "PayDesk third", time.Now())
			require.NoError(t, err)
			assert.Empty(t, again, "a report is found once")
		})
	}
}
