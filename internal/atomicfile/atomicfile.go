// Package atomicfile writes files so that a crash leaves either the old
// content or the new, never a mix: a temporary file in the same folder,
// synced, then renamed over the target.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Write replaces path with data, created with perm.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	// Make the rename itself durable.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// tempPrefix is the name of Write's temporary files for path, less the
// random digits os.CreateTemp appends: ".<base>.tmp".
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// RemoveTemps deletes the temporary files that a Write of path interrupted
// by a crash or a kill left behind in path's folder (".<base>.tmpNNN"; a
// Write that fails without crashing removes its own). Files of other names,
// path itself and folders are kept. A missing folder is not an error.
//
// Call it only while no Write of path can be running, in this process or
// another (at startup, under the lock that makes the caller path's only
// writer): it would delete that Write's temporary file and make it fail.
func RemoveTemps(path string) error {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	prefix := tempPrefix(path)
	var errs []error
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !allDigits(rest) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("atomicfile: %w", err))
		}
	}
	return errors.Join(errs...)
}

// allDigits reports whether s is a non-empty run of ASCII digits, the random
// part os.CreateTemp puts in a name.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
