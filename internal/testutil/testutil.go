// Package testutil holds the small helpers PayDesk's tests share, in the
// manner of net/http/httptest and testing/fstest: a normal package, so
// that the tests of any package can import it, and one that only tests
// import.
package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// conformanceEnv names the folder of the vendor conformance vectors
// (ipriv/ with its MANIFEST.json, shtrih/ with vectors.json). None of them
// is in this tree.
const conformanceEnv = "PAYDESK_CONFORMANCE"

// Conformance returns the folder sub of the vendor conformance vectors,
// $PAYDESK_CONFORMANCE/sub. It skips the test when the variable is unset
// or empty, and fails it when the variable is set but sub is not a folder
// there: vectors that were asked for and are missing are an error, not a
// reason to skip.
func Conformance(t testing.TB, sub string) string {
	t.Helper()
	root := os.Getenv(conformanceEnv)
	if root == "" {
		t.Skip(conformanceEnv + " not set: vendor conformance vectors not available")
	}
	dir := filepath.Join(root, sub)
	if fi, err := os.Stat(dir); err != nil {
		t.Fatalf("%s=%s: %v", conformanceEnv, root, err)
	} else if !fi.IsDir() {
		t.Fatalf("%s=%s: %s is not a folder", conformanceEnv, root, dir)
	}
	return dir
}

// Unhex decodes hexadecimal s, ignoring any white space in it (so
// "01 0A ff" and "010aff" are the same bytes), and fails the test when s
// is not hex.
func Unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("unhex %q: %v", s, err)
	}
	return b
}

// Fingerprint describes the file tree under dir so that a test can check
// that nothing in it changed: compare the results of two calls with
// assert.Equal. The map has an entry for dir itself (".") and for every
// file and folder below it, keyed by the slash-separated path relative to
// dir; the value is the entry's mode (type and permissions) and, for a
// regular file, the SHA-256 of its content. Entries whose base name is in
// skip are left out, a folder with everything in it. A dir that does not
// exist gives nil, so a tree that appears (or vanishes) is a change too.
// Any other error fails the test.
func Fingerprint(t testing.TB, dir string, skip ...string) map[string]string {
	t.Helper()
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && slices.Contains(skip, d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fp := info.Mode().String()
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fp += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = fp
		return nil
	})
	if err != nil {
		t.Fatalf("fingerprint %s: %v", dir, err)
	}
	return out
}
