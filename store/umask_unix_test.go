//go:build unix

package store

import (
	"runtime"
	"syscall"
	"testing"
)

// permissive sets the umask to 0 for the test (Linux only).
func permissive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("umask is tested on Linux")
	}
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}
