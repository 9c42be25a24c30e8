package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub"
	"paydesk/hub/wire"
	"paydesk/internal/i18n"
	"paydesk/internal/pgtest"
	"paydesk/protocol/ipriv/ipritest"
)

var t0 = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)

// syncBuffer is a buffer a server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs one command and returns its exit code, stdout and stderr.
func cli(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestCommands(t *testing.T) {
	url := pgtest.URL(t)
	dir := t.TempDir()
	key := ipritest.DealerKey()
	pub, err := key.Public().MarshalCertified(key, t0)
	require.NoError(t, err)
	keyPath := filepath.Join(dir, "pubkeys.key")
	require.NoError(t, os.WriteFile(keyPath, pub, 0o600))
	pwPath := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pwPath, []byte("correct horse\n"), 0o600))
	shortPath := filepath.Join(dir, "short")
	require.NoError(t, os.WriteFile(shortPath, []byte("1234567\n"), 0o600))
	vars := map[string]string{"PAYDESK_HUB_DB": url}

	code, out, errs := cli(t, vars, "migrate")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, fmt.Sprintf("schema version %d\n", hub.Latest()), out)
	code, out, errs = cli(t, vars, "partner", "add", "--id", "north", "--name", "Север")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "partner north added\n", out)
	code, _, errs = cli(t, vars, "point", "add", "--id", "P1", "--partner", "north", "--key", keyPath)
	require.Equal(t, 0, code, errs)
	code, _, errs = cli(t, vars, "user", "add", "--login", "ivan", "--partner", "north", "--password-file", pwPath)
	require.Equal(t, 0, code, errs)
	code, out, _ = cli(t, vars, "point", "list")
	require.Equal(t, 0, code)
	assert.Regexp(t, `P1\s+north\s+17033\s+0\s+-\s+P1`, out)
	bank := ipritest.BankKey()
	bankPub, err := bank.Public().MarshalCertified(bank, t0)
	require.NoError(t, err)
	bankPath := filepath.Join(dir, "bank.key")
	require.NoError(t, os.WriteFile(bankPath, bankPub, 0o600))
	code, out, errs = cli(t, vars, "point", "key", "--id", "P1", "--key", bankPath)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "point P1: new key registered\n", out)
	code, out, _ = cli(t, vars, "point", "list")
	require.Equal(t, 0, code)
	assert.Regexp(t, `P1\s+north\s+64182\s`, out)

	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"no command", vars, nil, exitUsage, ""},
		{"unknown", vars, []string{"pont", "add"}, exitUsage, `unknown command "pont add"`},
		{"no db", nil, []string{"partner", "add", "--id", "x"}, exitUsage, "--db is required"},
		{"no id", vars, []string{"partner", "add"}, exitUsage, "--id is required"},
		{"stray argument", vars, []string{"partner", "add", "--id", "x", "y"}, exitUsage, `unexpected argument "y"`},
		{"bad flag", vars, []string{"serve", "--port", "1"}, exitUsage, "flag provided but not defined"},
		{"partner twice", vars, []string{"partner", "add", "--id", "north"}, exitFailed, "уже зарегистрировано"},
		{"partner twice in English", map[string]string{"PAYDESK_HUB_DB": url, "PAYDESK_LANG": "en"},
			[]string{"partner", "add", "--id", "north"}, exitFailed, "partner north is registered already"},
		{"key missing", vars, []string{"point", "add", "--id", "P2", "--partner", "north", "--key", filepath.Join(dir, "none")}, exitFailed, "не удаётся прочитать"},
		{"key garbage", vars, []string{"point", "add", "--id", "P2", "--partner", "north", "--key", pwPath}, exitFailed, "открытый ключ точки не читается"},
		{"point of nobody", vars, []string{"point", "add", "--id", "P2", "--partner", "west", "--key", keyPath}, exitFailed, "партнёра west нет"},
		{"short password", vars, []string{"user", "add", "--login", "olga", "--partner", "north", "--point", "P1", "--password-file", shortPath}, exitFailed, "пароль должен быть длиной от 8 до 72 байт"},
		{"bad login", vars, []string{"user", "add", "--login", "ольга", "--partner", "north", "--password-file", pwPath}, exitFailed, "логин «ольга»: от 1 до 64 латинских букв"},
		{"zone", vars, []string{"point", "add", "--id", "P2", "--partner", "north", "--key", keyPath, "--tz", "Moscow"}, exitFailed, "часовой пояс «Moscow» неизвестен"},
		{"point twice", vars, []string{"point", "add", "--id", "P1", "--partner", "north", "--key", keyPath}, exitFailed, "точка P1: уже зарегистрировано"},
		{"db unreachable", map[string]string{"PAYDESK_HUB_DB": "postgres://nobody@/x?host=/nonexistent"}, []string{"point", "list"}, exitFailed, "база данных сервера"},
		{"key of no point", vars, []string{"point", "key", "--id", "P9", "--key", keyPath}, exitFailed, "точки P9 нет"},
		{"lanes", vars, []string{"serve", "--lanes", "0"}, exitUsage, "--lanes and --group must be 1 or more"},
		{"log level", vars, []string{"serve", "--log-level", "loud"}, exitUsage, "--log-level"},
		{"listen", vars, []string{"serve", "--listen", "256.0.0.1:1"}, exitFailed, "не удаётся принимать запросы на 256.0.0.1:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := cli(t, c.vars, c.args...)
			assert.Equal(t, c.code, code, errs)
			assert.Contains(t, errs, c.want)
			assert.NotContains(t, errs, "hub.kind", "a catalogue text")
		})
	}
	code, out, _ = cli(t, vars, "point", "list")
	require.Equal(t, 0, code)
	assert.Equal(t, 2, strings.Count(out, "\n"), "the refusals added nothing:\n%s", out)
}

func TestServe(t *testing.T) {
	url := pgtest.URL(t)
	dir := t.TempDir()
	key := ipritest.DealerKey()
	pub, err := key.Public().MarshalCertified(key, t0)
	require.NoError(t, err)
	keyPath := filepath.Join(dir, "pubkeys.key")
	require.NoError(t, os.WriteFile(keyPath, pub, 0o600))
	vars := map[string]string{"PAYDESK_HUB_DB": url}

	// serve migrates a new database itself.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		e := &env{stdout: outW, stderr: logs, getenv: func(k string) string { return vars[k] }}
		done <- run(ctx, e, []string{"serve", "--listen", "127.0.0.1:0", "--log-level", "debug"})
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	require.NoError(t, err, logs.String())
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	go func() { _, _ = io.Copy(io.Discard, outR) }()

	code, _, errs := cli(t, vars, "partner", "add", "--id", "north")
	require.Equal(t, 0, code, errs)
	code, _, errs = cli(t, vars, "point", "add", "--id", "P1", "--partner", "north", "--key", keyPath)
	require.Equal(t, 0, code, errs)

	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	b := &wire.Batch{Version: wire.Version, Point: "P1", From: 1, To: 1, Sent: t0, Events: []wire.Event{
		{Seq: 1, Type: wire.TypeCash, At: t0, Cash: &wire.Cash{Op: wire.CashIn, Amount: 5000, Cashier: "kassir", Shift: 1}}}}
	doc, err := wire.Sign(b, key, t0)
	require.NoError(t, err)
	a, err := wire.Post(context.Background(), http.DefaultClient, base, doc, i18n.RU)
	require.NoError(t, err)
	assert.Equal(t, &wire.Answer{Point: "P1", Last: 1, Applied: 1}, a)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, logs.String())
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	assert.Contains(t, logs.String(), "msg=stopped")
	assert.Contains(t, logs.String(), "msg=batch point=P1 last=1 applied=1")
	_, err = http.Get(base + "/healthz")
	assert.Error(t, err, "no longer served")
}
