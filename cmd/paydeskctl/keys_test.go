package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paydesk/internal/testutil"
	"paydesk/protocol/ipriv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// result is what one paydeskctl run produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// runCLI runs paydeskctl in-process with stdin and no terminal.
func runCLI(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{
		stdin:  bytes.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		now:    func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) },
		log:    newEnv().log,
		tty:    func() (*os.File, error) { return nil, errors.New("no terminal in tests") },
	}
	code := run(context.Background(), e, args)
	return result{code, out.String(), errb.String()}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

const secretPass = "Go team passphrase 42"

// makeKeys runs keys gen into a new folder and returns it.
func makeKeys(t *testing.T) (dir, passFile string) {
	t.Helper()
	dir = t.TempDir()
	passFile = writeFile(t, dir, "pass", secretPass+"\n")
	r := runCLI(t, nil, "keys", "gen", "--serial", "17033", "--user", "api17032", "--out", filepath.Join(dir, "keys"), "--passphrase-file", passFile)
	require.Equal(t, 0, r.code, r.stderr)
	return filepath.Join(dir, "keys"), passFile
}

func TestKeysGenShow(t *testing.T) {
	keys, _ := makeKeys(t)
	sec, err := os.ReadFile(filepath.Join(keys, "secret.key"))
	require.NoError(t, err)
	k, err := ipriv.ParseSecretKey(sec, []byte(secretPass))
	require.NoError(t, err, "the passphrase file's final newline is not part of the passphrase")
	assert.Equal(t, uint32(17033), k.Serial)
	assert.Equal(t, "api17032", k.UserID)
	assert.Equal(t, 1024, k.Bits())
	st, err := os.Stat(filepath.Join(keys, "secret.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	r := runCLI(t, nil, "keys", "show", filepath.Join(keys, "pubkeys.key"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "type: public key\nserial: 17033\nuser id: api17032\nbits: 1024\nexponent: 65537\n"+
		"created: 2026-11-26T12:00:00Z\ncertified by: 17033 (api17032, self)\ncertification: verifies\n", r.stdout)

	r = runCLI(t, nil, "keys", "show", filepath.Join(keys, "secret.key"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "type: secret key\nserial: 17033\n")
	assert.Contains(t, r.stdout, "passphrase protected: yes\n")
	assert.NotContains(t, r.stdout+r.stderr, secretPass)

	// A second gen into the same folder would replace a registered key.
	r = runCLI(t, nil, "keys", "gen", "--serial", "1", "--user", "api1", "--out", keys, "--passphrase-file", filepath.Join(keys, "..", "pass"))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "exists")
}

func TestKeysGenUsage(t *testing.T) {
	dir := t.TempDir()
	pass := writeFile(t, dir, "pass", "x")
	tests := map[string][]string{
		"no serial":   {"keys", "gen", "--user", "api1", "--out", dir, "--passphrase-file", pass},
		"no user":     {"keys", "gen", "--serial", "1", "--out", dir, "--passphrase-file", pass},
		"no out":      {"keys", "gen", "--serial", "1", "--user", "api1", "--passphrase-file", pass},
		"bad bits":    {"keys", "gen", "--serial", "1", "--user", "api1", "--bits", "512", "--out", dir, "--passphrase-file", pass},
		"bad flag":    {"keys", "gen", "--nope"},
		"no tty":      {"keys", "gen", "--serial", "1", "--user", "api1", "--out", dir},
		"stray arg":   {"keys", "gen", "extra", "--serial", "1", "--user", "api1", "--out", dir, "--passphrase-file", pass},
		"unknown cmd": {"keys", "frobnicate"},
		"no command":  {},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, nil, args...)
			assert.Equal(t, 2, r.code, r.stderr)
		})
	}
}

func TestKeysGenFromCard(t *testing.T) {
	dir := t.TempDir()
	card := writeFile(t, dir, "Kapi17032.dat", string(ipriv.KeyCard{UserID: "api17032", Serial: 17033}.Marshal()))
	pass := writeFile(t, dir, "pass", "p")
	r := runCLI(t, nil, "keys", "gen", "--card", card, "--out", filepath.Join(dir, "k"), "--passphrase-file", pass)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "serial: 17033\nuser id: api17032\n")
}

func TestSignVerifyRoundTrip(t *testing.T) {
	keys, passFile := makeKeys(t)
	body := []byte("SD=17031\r\nAP=17032\r\nOP=17034\r\nCOMMENT=\xcf\xf0\xee\xe2\xe5\xf0\xea\xe0\r\n")
	sec := filepath.Join(keys, "secret.key")
	pub := filepath.Join(keys, "pubkeys.key")
	for _, h := range []string{"md5", "sha256"} {
		t.Run(h, func(t *testing.T) {
			r := runCLI(t, body, "sign", "--key", sec, "--passphrase-file", passFile, "--hash", h, "--time", "1795713062")
			require.Equal(t, 0, r.code, r.stderr)
			doc := []byte(r.stdout)
			assert.True(t, bytes.HasSuffix(doc, []byte("END SIGNATURE")))
			again := runCLI(t, body, "sign", "--hash", h, "--time", "1795713062", "--passphrase-file", passFile, "--key", sec)
			assert.Equal(t, r.stdout, again.stdout, "same time, same bytes")

			v := runCLI(t, doc, "verify", "--pubkeys", pub)
			require.Equal(t, 0, v.code, v.stderr)
			assert.Equal(t, string(body), v.stdout, "the body bytes exactly")
			v = runCLI(t, doc, "verify", "--pubkeys", pub, "--serial", "17033")
			require.Equal(t, 0, v.code, v.stderr)

			tampered := bytes.Replace(doc, []byte("AP=17032"), []byte("AP=17033"), 1)
			v = runCLI(t, tampered, "verify", "--pubkeys", pub)
			assert.Equal(t, 1, v.code)
			assert.Empty(t, v.stdout)
			assert.Equal(t, "paydeskctl: verify failed: signature does not match the document\n", v.stderr)

			v = runCLI(t, doc, "verify", "--pubkeys", pub, "--serial", "64182")
			assert.Equal(t, 1, v.code)
			assert.Equal(t, "paydeskctl: public key not found: no public key with serial 64182\n", v.stderr)

			v = runCLI(t, bytes.ReplaceAll(doc, []byte("\r\n"), []byte("\n")), "verify", "--pubkeys", pub)
			assert.Equal(t, 1, v.code)
			assert.True(t, strings.HasPrefix(v.stderr, "paydeskctl: invalid format: "), v.stderr)

			det := runCLI(t, body, "sign", "--detached", "--key", sec, "--passphrase-file", passFile, "--hash", h, "--time", "1795713062")
			require.Equal(t, 0, det.code, det.stderr)
			sigFile := writeFile(t, t.TempDir(), "sig", det.stdout)
			v = runCLI(t, body, "verify", "--pubkeys", pub, "--detached", sigFile)
			require.Equal(t, 0, v.code, v.stderr)
			assert.Equal(t, string(body), v.stdout)
			v = runCLI(t, append(body, 'x'), "verify", "--pubkeys", pub, "--detached", sigFile)
			assert.Equal(t, 1, v.code)
		})
	}
}

func TestSignErrors(t *testing.T) {
	keys, passFile := makeKeys(t)
	sec := filepath.Join(keys, "secret.key")
	wrong := writeFile(t, t.TempDir(), "wrong", "not it")
	r := runCLI(t, []byte("x"), "sign", "--key", sec, "--passphrase-file", wrong)
	assert.Equal(t, 1, r.code)
	assert.Equal(t, "paydeskctl: invalid passphrase: wrong passphrase (checksum mismatch)\n", r.stderr)
	assert.NotContains(t, r.stderr, "not it")

	r = runCLI(t, []byte("x"), "sign", "--key", sec, "--passphrase-file", passFile, "--hash", "sha1")
	assert.Equal(t, 2, r.code)
	r = runCLI(t, []byte("x"), "sign", "--key", sec)
	assert.Equal(t, 2, r.code, "no passphrase file and no terminal")
	r = runCLI(t, []byte("x"), "sign")
	assert.Equal(t, 2, r.code)
	r = runCLI(t, []byte("x"), "verify")
	assert.Equal(t, 2, r.code)
}

func TestKeysPasswd(t *testing.T) {
	keys, passFile := makeKeys(t)
	dir := t.TempDir()
	newPass := writeFile(t, dir, "new", "brand new\r\n")
	out := filepath.Join(dir, "secret.key")
	r := runCLI(t, nil, "keys", "passwd", "--key", filepath.Join(keys, "secret.key"), "--passphrase-file", passFile, "--new-passphrase-file", newPass, "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	_, err = ipriv.ParseSecretKey(b, []byte("brand new"))
	require.NoError(t, err, "CRLF at the end of a passphrase file is not part of it")
	_, err = ipriv.ParseSecretKey(b, []byte(secretPass))
	assert.ErrorIs(t, err, ipriv.ErrPassphrase)

	// Stored in clear with an empty new passphrase file; sign then needs none.
	empty := writeFile(t, dir, "empty", "")
	clear := filepath.Join(dir, "clear.key")
	r = runCLI(t, nil, "keys", "passwd", "--key", out, "--passphrase-file", newPass, "--new-passphrase-file", empty, "--out", clear)
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, []byte("hello"), "sign", "--key", clear)
	require.Equal(t, 0, r.code, r.stderr)

	r = runCLI(t, nil, "keys", "passwd", "--key", out, "--passphrase-file", passFile, "--new-passphrase-file", newPass, "--out", out)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "invalid passphrase")
}

func TestHelp(t *testing.T) {
	r := runCLI(t, nil, "--help")
	assert.Equal(t, 0, r.code)
	for _, c := range []string{"keys gen", "keys show", "keys passwd", "sign", "verify"} {
		assert.Contains(t, r.stdout, "\n  "+c+" ")
	}
}

// With the vendor vectors present, the CLI verifies real documents and keys.
func TestConformanceCLI(t *testing.T) {
	dir := testutil.Conformance(t, "ipriv")
	doc, err := os.ReadFile(filepath.Join(dir, "whitequark", "SIGNED_hello_world_20f9425.txt"))
	require.NoError(t, err)
	r := runCLI(t, doc, "verify", "--pubkeys", filepath.Join(dir, "libipriv_lumpov", "pubkeys.key"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "Hello world", r.stdout)

	bad, err := os.ReadFile(filepath.Join(dir, "negative", "tampered_body_wor1d.txt"))
	require.NoError(t, err)
	r = runCLI(t, bad, "verify", "--pubkeys", filepath.Join(dir, "libipriv_lumpov", "pubkeys.key"), "--serial", "17033")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, "paydeskctl: verify failed: signature does not match the document\n", r.stderr)

	r = runCLI(t, nil, "keys", "show", filepath.Join(dir, "libipriv_lumpov", "java_test_bank.pub"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 3, strings.Count(r.stdout, "certification: verifies\n"), r.stdout)

	pass := writeFile(t, t.TempDir(), "pass", "1111111111")
	r = runCLI(t, []byte("Hello world"), "sign", "--key", filepath.Join(dir, "libipriv_lumpov", "secret.key"), "--passphrase-file", pass, "--time", "1352478986")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, string(doc), r.stdout, "re-signed byte for byte")
}
