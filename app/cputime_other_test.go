//go:build !unix

package app

import (
	"testing"
	"time"
)

// cpuTime is not measured where getrusage is not: the client-overhead
// benchmark is a Linux measurement (make bench).
func cpuTime(b *testing.B) (user, sys time.Duration) {
	b.Skip("CPU time is measured with getrusage (Unix)")
	return 0, 0
}
