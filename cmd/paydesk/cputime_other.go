//go:build !unix

package main

import "time"

// cpuTime is not measured here (make bench runs on Linux): 0.
func cpuTime() time.Duration { return 0 }
