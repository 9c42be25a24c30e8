//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"
	"golang.org/x/sys/unix"

	"paydesk/app/config"
	"paydesk/internal/secret"
	"paydesk/protocol/gateway/sim"
)

// storeConfig writes a production configuration over the training keys
// with keys.passphrase_store set to store and no passphrase file, and
// returns it with the key's passphrase.
func storeConfig(t *testing.T, store string) (file, pass string) {
	t.Helper()
	dir := trainingDir(t)
	keys := sim.Training{SecretKeyFile: filepath.Join(dir, "training", "keys", sim.FileSecretKey),
		PassphraseFile: filepath.Join(dir, "training", "keys", sim.FilePassphrase), PubKeysFile: filepath.Join(dir, "training", "keys", sim.FilePubKeys)}
	file = writeFile(t, dir, "paydesk.yaml", fmt.Sprintf(`point: {sd: "17031", ap: "17032", op: "17034"}
keys: {secret: %q, passphrase_store: %s, bank: %q, bank_serial: 64182}
gateway: {base_url: "https://127.0.0.1:1"}
fiscal: {port: none}
agent: {tax_system: usn, fee_tax: none}
language: en
data_dir: data
`, keys.SecretKeyFile, store, keys.PubKeysFile))
	b, err := os.ReadFile(keys.PassphraseFile)
	require.NoError(t, err)
	return file, strings.TrimSuffix(string(b), "\n")
}

// terminal is a pseudo-terminal standing in for the user's: what the
// command writes to it is collected, and answers are typed once a prompt
// has appeared.
type terminal struct {
	master *os.File
	slave  *os.File // kept open so the input waits between the command's opens
	path   string
	mu     sync.Mutex
	out    bytes.Buffer
	opened int
}

func newTerminal(t *testing.T) *terminal {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	require.NoError(t, unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	tm := &terminal{master: m, path: "/dev/pts/" + strconv.Itoa(n)}
	tm.slave, err = os.OpenFile(tm.path, os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	go func() {
		b := make([]byte, 1024)
		for {
			n, err := m.Read(b)
			tm.mu.Lock()
			tm.out.Write(b[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { tm.slave.Close(); m.Close() })
	return tm
}

// open is env.tty: the terminal, opened afresh as /dev/tty would be.
func (tm *terminal) open() (*os.File, error) {
	tm.mu.Lock()
	tm.opened++
	tm.mu.Unlock()
	return os.OpenFile(tm.path, os.O_RDWR|unix.O_NOCTTY, 0)
}

func (tm *terminal) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// answer types each answer once the prompt has been written one more time.
func (tm *terminal) answer(t *testing.T, prompt string, answers []string) {
	for i, a := range answers {
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(tm.text(), prompt) <= i {
			if time.Now().After(deadline) {
				t.Errorf("prompt %d never came: %q", i+1, tm.text())
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // ReadPassword turns echo off after the prompt
		_, err := tm.master.Write([]byte(a + "\n"))
		require.NoError(t, err)
	}
}

// TestUnlockKeysTerminal: paydeskctl asks for the key's passphrase on the
// terminal without echo when the configuration keeps it nowhere it can
// read, again after a wrong answer, and never when the environment or the
// credential store gives it.
func TestUnlockKeysTerminal(t *testing.T) {
	const prompt = "Passphrase of the point's secret key: "
	tests := []struct {
		name       string
		store      string
		stored     bool // the credential store holds the passphrase
		env        bool // PAYDESK_KEYS_PASSPHRASE gives it
		answers    []string
		says       []string // on the terminal, in turn
		remembered bool
	}{
		{name: "ask: wrong, then right", store: config.StoreAsk, answers: []string{"wrong", "{pass}"},
			says: []string{"The point's secret key passphrase is asked at start", prompt, "Wrong passphrase for the point's secret key, try again", prompt}},
		{name: "keyring holds none: asked and remembered", store: config.StoreKeyring, answers: []string{"{pass}"},
			says: []string{"The point's secret key passphrase did not come from the credential store", prompt}, remembered: true},
		{name: "keyring holds it: nothing asked", store: config.StoreKeyring, stored: true},
		{name: "the environment: nothing asked", store: config.StoreAsk, env: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			file, pass := storeConfig(t, tt.store)
			if tt.env {
				t.Setenv("PAYDESK_KEYS_PASSPHRASE", pass)
			}
			cfg, err := config.Load(file)
			require.NoError(t, err)
			if tt.stored {
				require.NoError(t, keyring.Set(secret.Service, cfg.Keys.Account(), pass))
			}
			tm := newTerminal(t)
			e := newEnv()
			e.tty = tm.open
			answers := make([]string, len(tt.answers))
			for i, a := range tt.answers {
				answers[i] = strings.ReplaceAll(a, "{pass}", pass)
			}
			done := make(chan struct{})
			go func() { defer close(done); tm.answer(t, prompt, answers) }()
			require.NoError(t, unlockKeys(context.Background(), e, cfg))
			<-done
			_, err = cfg.SecretKey()
			assert.NoError(t, err, "the key opens for the boot")
			out := tm.text()
			at := 0
			for _, s := range tt.says {
				i := strings.Index(out[at:], s)
				require.GreaterOrEqual(t, i, 0, "%q after %d in %q", s, at, out)
				at += i + len(s)
			}
			assert.NotContains(t, out, pass, "no echo")
			if len(tt.answers) == 0 {
				assert.Zero(t, tm.opened, "the terminal was not opened")
			}
			got, err := keyring.Get(secret.Service, cfg.Keys.Account())
			if tt.remembered || tt.stored {
				require.NoError(t, err)
				assert.Equal(t, pass, got)
			} else {
				assert.ErrorIs(t, err, keyring.ErrNotFound)
			}
		})
	}
}

// Without a terminal a command that needs the passphrase stops before
// doing anything (exit 2), saying why and what to do.
func TestUnlockKeysNoTerminal(t *testing.T) {
	keyring.MockInit()
	file, _ := storeConfig(t, config.StoreAsk)
	cfg, err := config.Load(file)
	require.NoError(t, err)
	e := newEnv()
	e.tty = func() (*os.File, error) { return nil, errors.New("no terminal in tests") }
	err = unlockKeys(context.Background(), e, cfg)
	var ee *exitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, exitUsage, ee.code)
	assert.Contains(t, err.Error(), "The point's secret key passphrase is asked at start (passphrase_store: ask); there is no terminal")
	assert.Contains(t, err.Error(), "PAYDESK_KEYS_PASSPHRASE")

	for _, args := range [][]string{{"gw", "balance"}, {"shift", "x", "--cashier", "admin", "--pin-file", file}} {
		r := runCLI(t, nil, append(args, "--config", file)...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "there is no terminal to ask for the passphrase", args)
		assert.NoFileExists(t, filepath.Join(filepath.Dir(file), "data", "paydesk.db"), "nothing was opened")
	}
}

// TestSecretFileForms: a PIN or passphrase file is read as written by
// hand on either system: one final line end (LF or CRLF) and a UTF-8 byte
// order mark (Windows Notepad) dropped, nothing else.
func TestSecretFileForms(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"bare", "1111", "1111"},
		{"LF", "1111\n", "1111"},
		{"CRLF", "1111\r\n", "1111"},
		{"a byte order mark and CRLF", "\xef\xbb\xbf1111\r\n", "1111"},
		{"inner spaces kept", " 11 11 \n", " 11 11 "},
		{"only one line end dropped", "1111\n\n", "1111\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "pin")
			require.NoError(t, os.WriteFile(f, []byte(tt.content), 0o600))
			got, err := readPassphrase(&env{}, f, "PIN", false)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}
