//go:build !unix

package store

import "testing"

// permissive skips: file modes and the umask are tested on Linux.
func permissive(t *testing.T) { t.Skip("umask is tested on Linux") }
