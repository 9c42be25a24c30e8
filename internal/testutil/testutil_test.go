package testutil_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/testutil"
)

// recorder is a testing.TB that records a skip or a failure instead of
// ending the calling test; Skip and Fatal end only its own goroutine.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder on a goroutine of its own, so that Skip and
// Fatalf can end it as they end a test.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestConformance(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "ipriv"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o644))

	t.Setenv("PAYDESK_CONFORMANCE", "")
	r := run(t, func(tb testing.TB) { testutil.Conformance(tb, "ipriv") })
	assert.True(t, r.skipped)
	assert.Contains(t, r.msg, "PAYDESK_CONFORMANCE not set")

	t.Setenv("PAYDESK_CONFORMANCE", root)
	var got string
	r = run(t, func(tb testing.TB) { got = testutil.Conformance(tb, "ipriv") })
	assert.False(t, r.skipped || r.failed, r.msg)
	assert.Equal(t, filepath.Join(root, "ipriv"), got)

	for _, sub := range []string{"shtrih", "file"} {
		r = run(t, func(tb testing.TB) { testutil.Conformance(tb, sub) })
		assert.True(t, r.failed, "set but no folder %s: a failure, not a skip", sub)
		assert.Contains(t, r.msg, root)
	}
}

func TestUnhex(t *testing.T) {
	want := []byte{0x01, 0x0a, 0xff}
	for _, s := range []string{"010aff", "01 0A FF", " 01  0a\tff\n"} {
		assert.Equal(t, want, testutil.Unhex(t, s), "%q", s)
	}
	assert.Empty(t, testutil.Unhex(t, ""))
	for _, s := range []string{"0", "zz", "0x01"} {
		assert.True(t, run(t, func(tb testing.TB) { testutil.Unhex(tb, s) }).failed, "%q", s)
	}
}

func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write("a", "one")
	write("sub/b", "two")
	write("sub/skip.db", "books")
	write("cache/skip.db/c", "inside a skipped folder")

	before := testutil.Fingerprint(t, dir)
	assert.Equal(t, []string{".", "a", "cache", "cache/skip.db", "cache/skip.db/c", "sub", "sub/b", "sub/skip.db"}, keys(before))
	assert.True(t, strings.HasPrefix(before["."], "d"), before["."])
	assert.Equal(t, testutil.Fingerprint(t, dir), before, "the same tree, the same fingerprint")

	changes := []struct {
		name   string
		change func()
	}{
		{"content", func() { write("sub/b", "TWO") }},
		{"permission", func() { require.NoError(t, os.Chmod(filepath.Join(dir, "a"), 0o600)) }},
		{"new file", func() { write("sub/new", "") }},
		{"removal", func() { require.NoError(t, os.Remove(filepath.Join(dir, "a"))) }},
	}
	for _, c := range changes {
		base := testutil.Fingerprint(t, dir)
		c.change()
		assert.NotEqual(t, base, testutil.Fingerprint(t, dir), c.name)
	}

	skipped := testutil.Fingerprint(t, dir, "skip.db")
	assert.NotContains(t, skipped, "sub/skip.db")
	assert.NotContains(t, skipped, "cache/skip.db/c")
	write("sub/skip.db", "changed books")
	assert.Equal(t, skipped, testutil.Fingerprint(t, dir, "skip.db"), "a skipped file may change")

	assert.Nil(t, testutil.Fingerprint(t, filepath.Join(dir, "missing")))
	file := filepath.Join(dir, "sub", "b")
	assert.Equal(t, []string{"."}, keys(testutil.Fingerprint(t, file)), "a file is a tree of one")
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
