// Package crash keeps the report of a crash of any goroutine: an unhandled
// panic, a fatal runtime error or a fatal signal is written by the Go
// runtime itself (runtime/debug.SetCrashOutput) to a file in the data
// folder, and the next start finds it.
package crash

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"
)

// pending is the file this run's crash would be written to.
const pending = "crash-pending.log"

// Watch makes the runtime write a fatal error of this process to dir's
// pending crash file, after header (version, start time). A pending file
// an earlier run left with more than its header is that run's crash: it
// is kept as crash-YYYYMMDD-HHMMSS.log (0600) and its path returned.
func Watch(dir, header string, now time.Time) (earlier string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("crash: %w", err)
	}
	path := filepath.Join(dir, pending)
	if b, err := os.ReadFile(path); err == nil && len(b) > headerLen(b) {
		earlier = filepath.Join(dir, "crash-"+now.Format("20060102-150405")+".log")
		if err := os.Rename(path, earlier); err != nil {
			return "", fmt.Errorf("crash: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return earlier, fmt.Errorf("crash: %w", err)
	}
	defer f.Close() // SetCrashOutput keeps its own descriptor
	if _, err := fmt.Fprintf(f, "%s\n", header); err != nil {
		return earlier, fmt.Errorf("crash: %w", err)
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		return earlier, fmt.Errorf("crash: %w", err)
	}
	return earlier, nil
}

// headerLen is the length of the header line Watch writes first.
func headerLen(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i + 1
		}
	}
	return len(b)
}
