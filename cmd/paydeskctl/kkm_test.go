package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal/emulator"
	"paydesk/protocol/gateway/sim"
	"paydesk/store"
)

// syncBuffer is a bytes.Buffer safe for a command running in a goroutine.
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

type kkmResult struct {
	code           int
	stdout, stderr string
}

func kkmRun(ctx context.Context, args ...string) kkmResult {
	var out, errb syncBuffer
	e := &env{
		stdin: bytes.NewReader(nil), stdout: &out, stderr: &errb,
		now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) },
		log: newEnv().log,
		tty: func() (*os.File, error) { return nil, errors.New("no terminal in tests") },
	}
	code := run(ctx, e, args)
	return kkmResult{code, out.String(), errb.String()}
}

func startEmulator(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{TCPFiller: true,
		Now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	t.Cleanup(func() { emu.Close() })
	addr, err := emu.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	return emu, "tcp://" + addr.String()
}

func TestKKMCommands(t *testing.T) {
	ctx := t.Context()
	emu, port := startEmulator(t)
	r := kkmRun(ctx, "kkm", "status", "--port", port)
	require.Equal(t, 0, r.code, r.stderr)
	for _, want := range []string{"mode: 4 (shift closed)\n", "submode: 0 (idle)\n", "shift: closed\n", "paper: yes\n", "characters per line: 48\n"} {
		assert.Contains(t, r.stdout, want)
	}
	tests := []struct {
		args []string
		code int
		out  string // in stdout for code 0, in stderr otherwise
	}{
		{[]string{"kkm", "open-shift", "--port", port}, 0, "shift opened"},
		{[]string{"kkm", "open-shift", "--port", port}, 1, "3Ch"},
		{[]string{"kkm", "cash-in", "100.50", "--port", port}, 0, "cash in 100.50: document"},
		{[]string{"kkm", "cash-in", "--port", port, "--password", "1", "20"}, 0, "cash in 20.00"},
		{[]string{"kkm", "cash-out", "--port", port, "99999"}, 1, "device code 46h: not enough cash"},
		{[]string{"kkm", "cash-out", "--port", port, "0,5"}, 0, "cash out 0.50"},
		{[]string{"kkm", "x-report", "--port", port, "--password", "1"}, 1, "4Fh"},
		{[]string{"kkm", "x-report", "--port", port}, 0, "X report printed"},
		{[]string{"kkm", "print-test", "--port", port}, 0, "test printed"},
		{[]string{"kkm", "continue", "--port", port}, 0, "printing continued"},
		{[]string{"kkm", "cancel-receipt", "--port", port}, 1, "55h"},
		{[]string{"kkm", "status", "--port", port}, 0, "shift: open\nshift number: 1\nshift opened: 2026-11-26 12:00\n"},
		{[]string{"kkm", "z-report", "--port", port}, 0, "shift closed"},
		{[]string{"kkm", "cash-in", "abc", "--port", port}, 2, "bad sum"},
		{[]string{"kkm", "cash-in", "1.234", "--port", port}, 2, "bad sum"},
		{[]string{"kkm", "cash-in", "--port", port}, 2, "takes 1 argument"},
		{[]string{"kkm", "status"}, 2, "--port is required"},
		{[]string{"kkm", "status", "--port", port, "extra"}, 2, "takes 0 argument"},
		{[]string{"kkm", "status", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"kkm-emu"}, 2, "--pty LINK or --tcp ADDR"},
		{[]string{"kkm", "ports"}, 0, ""},
		{[]string{"kkm", "ports", "x"}, 2, "no arguments"},
	}
	for _, tt := range tests {
		r := kkmRun(ctx, tt.args...)
		assert.Equal(t, tt.code, r.code, "%v: %s%s", tt.args, r.stdout, r.stderr)
		if tt.code == 0 {
			assert.Contains(t, r.stdout, tt.out, "%v", tt.args)
		} else {
			assert.Contains(t, r.stderr, tt.out, "%v", tt.args)
		}
	}
	assert.Equal(t, int64(12000), emu.State().Cash)
	// A receipt left open is cancelled by cancel-receipt.
	require.Equal(t, 0, kkmRun(ctx, "kkm", "open-shift", "--port", port).code)
	emu.Exec([]byte{0x8D, 30, 0, 0, 0, 0})
	r = kkmRun(ctx, "kkm", "cancel-receipt", "--port", port)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Nil(t, emu.State().Receipt)
	// Paper out: exit 1 naming the device code.
	emu.SetPaper(false)
	r = kkmRun(ctx, "kkm", "x-report", "--port", port)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "6Bh")
}

func TestKKMPty(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the emulator opens pseudo-terminals on Linux only")
	}
	emu, err := emulator.New(emulator.Config{})
	require.NoError(t, err)
	defer emu.Close()
	link := filepath.Join(t.TempDir(), "ttyKKM")
	_, err = emu.ListenPTY(link)
	require.NoError(t, err)
	r := kkmRun(t.Context(), "kkm", "status", "--port", link, "--baud", "9600")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "shift: closed")
}

func TestKKMNoAnswer(t *testing.T) {
	// A socket that accepts and says nothing.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	r := kkmRun(t.Context(), "kkm", "status", "--port", "tcp://"+ln.Addr().String(), "--byte-timeout", "10ms")
	assert.Equal(t, 3, r.code, r.stderr)
	assert.Contains(t, r.stderr, "no link")
	// Nothing listens at all.
	l2, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l2.Addr().String()
	l2.Close()
	r = kkmRun(t.Context(), "kkm", "x-report", "--port", "tcp://"+addr)
	assert.Equal(t, 3, r.code, r.stderr)
	r = kkmRun(t.Context(), "kkm", "status", "--port", filepath.Join(t.TempDir(), "no-such-tty"))
	assert.Equal(t, 3, r.code, r.stderr)
}

func TestKKMEmu(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the emulator opens pseudo-terminals on Linux only")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	var out syncBuffer
	e := &env{stdin: bytes.NewReader(nil), stdout: &out, stderr: &out, now: time.Now, log: newEnv().log}
	done := make(chan int, 1)
	state := filepath.Join(dir, "state.json")
	go func() {
		done <- run(ctx, e, []string{"kkm-emu", "--tcp", "127.0.0.1:0", "--state", state,
			"--tape", filepath.Join(dir, "tape.txt"), "--control", "127.0.0.1:0", "--pty", filepath.Join(dir, "tty")})
	}()
	re := regexp.MustCompile(`PORT (tcp://\S+)\)`)
	var port string
	require.Eventually(t, func() bool {
		m := re.FindStringSubmatch(out.String())
		if m != nil {
			port = m[1]
		}
		return m != nil && bytes.Contains([]byte(out.String()), []byte("running"))
	}, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, out.String(), "kkm-emu: pty ")
	assert.Contains(t, out.String(), "kkm-emu: control 127.0.0.1:")
	r := kkmRun(t.Context(), "kkm", "open-shift", "--port", port)
	require.Equal(t, 0, r.code, r.stderr)
	r = kkmRun(t.Context(), "kkm", "status", "--port", filepath.Join(dir, "tty"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "shift: open")
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(5 * time.Second):
		t.Fatal("kkm-emu did not stop")
	}
	b, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"shift_open": true`)
	tape, err := os.ReadFile(filepath.Join(dir, "tape.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(tape), "ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ")
}

// Outside training, a kkm command that makes a document or moves money
// needs an administrator of the configured books, and is audited; one that
// only reads does not.
func TestKKMNeedsAnAdministrator(t *testing.T) {
	ctx := t.Context()
	emu, port := startEmulator(t)
	dir := t.TempDir()
	keys, err := sim.TrainingKeys(filepath.Join(dir, "keys"), time.Now())
	require.NoError(t, err)
	cfg := writeFile(t, dir, "paydesk.yaml", fmt.Sprintf(`point: {sd: "17031", ap: "17032", op: "17034"}
keys: {secret: %s, passphrase_file: %s, bank: %s, bank_serial: 64182}
gateway: {base_url: "https://gateway.invalid"}
fiscal: {port: none}
agent: {tax_system: usn, fee_tax: none}
language: en
data_dir: data
`, keys.SecretKeyFile, keys.PassphraseFile, keys.PubKeysFile))
	adminPIN, kassirPIN := writeFile(t, dir, "admin.pin", "987654\n"), writeFile(t, dir, "kassir.pin", "1111\n")
	r := kkmRun(ctx, "cashier", "add", "--config", cfg, "--login", "admin", "--name", "Администратор А.А.", "--role", "admin", "--pin-file", adminPIN)
	require.Equal(t, 0, r.code, r.stderr)
	r = kkmRun(ctx, "cashier", "add", "--config", cfg, "--login", "kassir", "--name", "Кассир К.К.", "--pin-file", kassirPIN, "--admin", "admin", "--admin-pin-file", adminPIN)
	require.Equal(t, 0, r.code, r.stderr)

	r = kkmRun(ctx, "kkm", "status", "--port", port)
	require.Equal(t, 0, r.code, "reading needs nobody: %s", r.stderr)
	tests := []struct {
		name string
		as   []string
		code int
	}{
		{"nobody", nil, exitUsage},
		{"a cashier", []string{"--cashier", "kassir", "--pin-file", kassirPIN}, exitFailed},
		{"a wrong PIN", []string{"--cashier", "admin", "--pin-file", kassirPIN}, exitFailed},
		{"the administrator", []string{"--cashier", "admin", "--pin-file", adminPIN}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := len(emu.State().Docs)
			r := kkmRun(ctx, append([]string{"kkm", "open-shift", "--port", port, "--config", cfg}, tt.as...)...)
			require.Equal(t, tt.code, r.code, r.stderr)
			if tt.code != exitOK {
				assert.Len(t, emu.State().Docs, docs, "the register made nothing")
				return
			}
			assert.Len(t, emu.State().Docs, docs+1)
		})
	}
	r = kkmRun(ctx, "db", "check", "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	books, err := store.OpenReadOnly(ctx, filepath.Join(dir, "data", "paydesk.db"), store.Options{})
	require.NoError(t, err)
	defer books.Close()
	audit, err := books.Audit(ctx, 100)
	require.NoError(t, err)
	var raw []string
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "raw.") {
			raw = append(raw, a.Actor+" "+a.Action+" "+a.Detail)
		}
	}
	assert.ElementsMatch(t, []string{"admin raw.kkm open-shift port=" + port, "admin raw.kkm open-shift.done ok"}, raw, "only the administrator's, before and after")
}
