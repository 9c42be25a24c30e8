package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paydesk/protocol/gateway/sim"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGatewayCLI drives paydeskctl gw against the simulator over HTTP with
// real signatures, through a configuration file.
func TestGatewayCLI(t *testing.T) {
	dir := trainingDir(t)
	keys, err := sim.TrainingKeys(filepath.Join(dir, "training", "keys"), time.Now())
	require.NoError(t, err)
	sc := keys.Config()
	sc.Balance = 5000_00
	srv, err := sim.Listen("127.0.0.1:0", sc, nil)
	require.NoError(t, err)
	defer srv.Close()
	s, base := srv.Sim, srv.URL
	cfg := writeFile(t, dir, "paydesk.yaml", fmt.Sprintf(`point: {sd: "17031", ap: "17032", op: "17034"}
keys: {secret: %s, passphrase_file: %s, bank: %s, bank_serial: 64182}
gateway: {base_url: %q, balance_url: %q}
fiscal: {port: none}
agent: {tax_system: usn, fee_tax: none}
language: en
data_dir: data
`, keys.SecretKeyFile, keys.PassphraseFile, keys.PubKeysFile, base, base+"/cgi-bin/status/get_rest.cgi"))
	// Outside training a raw request needs an administrator of the books.
	adminPIN, kassirPIN := writeFile(t, dir, "admin.pin", "987654\n"), writeFile(t, dir, "kassir.pin", "1111\n")
	r := runCLI(t, nil, "cashier", "add", "--config", cfg, "--login", "admin", "--name", "Администратор А.А.", "--role", "admin", "--pin-file", adminPIN)
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, nil, "cashier", "add", "--config", cfg, "--login", "kassir", "--name", "Кассир К.К.", "--role", "cashier", "--pin-file", kassirPIN,
		"--admin", "admin", "--admin-pin-file", adminPIN)
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, nil, "gw", "pay", "--config", cfg, "--provider", "mts", "--number", "9161234567", "--amount", "100.00")
	assert.Equal(t, exitUsage, r.code, "nobody signed in")
	assert.Contains(t, r.stderr, "needs an administrator")
	r = runCLI(t, nil, "gw", "pay", "--config", cfg, "--provider", "mts", "--number", "9161234567", "--amount", "100.00", "--cashier", "kassir", "--pin-file", kassirPIN)
	assert.Equal(t, exitFailed, r.code, "a cashier is not an administrator")
	assert.Empty(t, s.Payments(), "nothing was sent")
	as := []string{"--cashier", "admin", "--pin-file", adminPIN}
	runCLI := func(t *testing.T, stdin []byte, args ...string) result {
		if args[0] == "gw" {
			args = append(args, as...)
		}
		return runCLI(t, stdin, args...)
	}

	r = runCLI(t, nil, "gw", "check", "--config", cfg, "--provider", "mts", "--number", "9161234567", "--amount", "100.00", "--session", "CLI0000000000000001")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "ERROR=0\n")
	assert.Contains(t, r.stdout, "SESSION=CLI0000000000000001\n")

	r = runCLI(t, nil, "gw", "pay", "--config", cfg, "--provider", "mts", "--number", "9161234567", "--amount", "100.00", "--session", "CLI0000000000000001")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `TRANSID=\d{13}\n`, r.stdout)

	r = runCLI(t, nil, "gw", "status", "--config", cfg, "--provider", "mts", "--session", "CLI0000000000000001")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "RESULT=7\n")

	r = runCLI(t, nil, "gw", "balance", "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "REST=4900.00\n")

	// A refusal: fields printed, exit 1, the human message on stderr.
	r = runCLI(t, nil, "gw", "check", "--config", cfg, "--provider", "mts", "--number", "9000000023", "--amount", "100.00")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "ERROR=23\n")
	assert.Contains(t, r.stderr, "the provider rejected it")

	// No trustworthy answer: exit 3, nothing on stdout.
	s.SetFaults(sim.Faults{BadSignature: sim.OpCheck})
	r = runCLI(t, nil, "gw", "check", "--config", cfg, "--provider", "mts", "--number", "9161234567", "--amount", "100.00")
	assert.Equal(t, 3, r.code)
	assert.Empty(t, r.stdout)
	s.SetFaults(sim.Faults{})

	// Unknown session at status: exit 1, "not paid".
	r = runCLI(t, nil, "gw", "status", "--config", cfg, "--provider", "mts", "--session", "NEVERSEEN")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "not paid")

	// Bad input is refused before anything is sent.
	for _, args := range [][]string{
		{"--number", "12345", "--amount", "100.00"},
		{"--number", "9161234567", "--amount", "100.005"},
		{"--number", "9161234567", "--amount", "1.00"},
	} {
		r = runCLI(t, nil, append([]string{"gw", "check", "--config", cfg, "--provider", "mts"}, args...)...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
	r = runCLI(t, nil, "gw", "check", "--config", cfg, "--provider", "nosuch", "--number", "9161234567", "--amount", "100.00")
	assert.Equal(t, 2, r.code)
	assert.True(t, strings.Contains(r.stderr, "unknown provider"), r.stderr)

	// A configuration pointing at plain http elsewhere is refused.
	bad := writeFile(t, dir, "bad.yaml", strings.Replace(readFile(t, cfg), base, "http://192.0.2.1", -1))
	r = runCLI(t, nil, "gw", "balance", "--config", bad)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "https")

	// What the administrator did is in the audit, before and after.
	books, err := store.OpenReadOnly(context.Background(), filepath.Join(dir, "data", "paydesk.db"), store.Options{})
	require.NoError(t, err)
	defer books.Close()
	audit, err := books.Audit(context.Background(), 100)
	require.NoError(t, err)
	var actions []string
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "raw.") {
			assert.Equal(t, "admin", a.Actor)
			actions = append(actions, a.Action)
		}
	}
	assert.Contains(t, actions, "raw.gw pay")
	assert.Contains(t, actions, "raw.gw pay.done")
	assert.Contains(t, actions, "raw.gw balance")
	_, err = books.VerifyAudit(context.Background())
	require.NoError(t, err)
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}
