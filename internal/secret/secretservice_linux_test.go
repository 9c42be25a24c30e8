package secret

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests here talk to a real Secret Service: GNOME Keyring's daemon on a
// private D-Bus session bus of their own (scripts/deps.sh --test installs
// both). The library keeps one session-bus connection per process and
// keyring.MockInit replaces its store for good, so the part that talks to
// the store runs in a child process of the test binary (childEnv names
// which), with DBUS_SESSION_BUS_ADDRESS pointing at the private bus.

const childEnv = "PAYDESK_SECRET_CHILD"

// The passphrase the child leaves in the keyring, looked for in the
// keyring's files afterwards.
const leftPass = "оставленный пароль 17033"

// TestSecretService stores, reads, replaces and deletes passphrases in GNOME
// Keyring over D-Bus, and finds none of them in plain text in its files.
func TestSecretService(t *testing.T) {
	for _, bin := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (Debian: apt-get install dbus-daemon gnome-keyring, or scripts/deps.sh --test)", bin)
		}
	}
	dir := t.TempDir()
	addr := startBus(t, dir)
	home := startKeyring(t, dir, addr)
	out := runChild(t, "secretservice", addr)
	assert.Contains(t, out, "--- PASS: TestChildSecretService", "the child talked to the keyring")

	// gnome-keyring keeps its collections encrypted with the login
	// password: the passphrase left there is in no file as it was typed.
	n := 0
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		assert.NotContains(t, string(b), leftPass, p)
		return nil
	})
	require.NoError(t, err)
	assert.Positive(t, n, "the keyring wrote its files under the test's home")
}

// TestNoSecretService: a session bus with no Secret Service on it, and no
// session bus at all, are both "unavailable" on every operation.
func TestNoSecretService(t *testing.T) {
	t.Run("no bus", func(t *testing.T) {
		out := runChild(t, "unavailable", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
		assert.Contains(t, out, "--- PASS: TestChildUnavailable")
	})
	t.Run("bus without the service", func(t *testing.T) {
		if _, err := exec.LookPath("dbus-daemon"); err != nil {
			t.Skip("dbus-daemon is not installed (Debian: apt-get install dbus-daemon, or scripts/deps.sh --test)")
		}
		out := runChild(t, "unavailable", startBus(t, t.TempDir()))
		assert.Contains(t, out, "--- PASS: TestChildUnavailable")
	})
}

// TestChildSecretService is the child of TestSecretService.
func TestChildSecretService(t *testing.T) {
	if os.Getenv(childEnv) != "secretservice" {
		t.Skip("run by TestSecretService")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const a, b = "/srv/paydesk/keys/secret.key", "/srv/other/keys/secret.key"
	_, err := Load(ctx, a)
	assert.Equal(t, KindNotFound, KindOf(err), "%v", err)
	assert.Equal(t, KindNotFound, KindOf(Delete(ctx, a)))
	require.NoError(t, Store(ctx, a, []byte("first pass")))
	require.NoError(t, Store(ctx, a, []byte("пароль ключа ✓")), "a second store replaces the first")
	require.NoError(t, Store(ctx, b, []byte(leftPass)))
	got, err := Load(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, "пароль ключа ✓", string(got))
	got, err = Load(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, leftPass, string(got))
	require.NoError(t, Delete(ctx, a))
	_, err = Load(ctx, a)
	assert.Equal(t, KindNotFound, KindOf(err), "%v", err)
	got, err = Load(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, leftPass, string(got), "the other key's entry stays")
}

// TestChildUnavailable is the child of TestNoSecretService.
func TestChildUnavailable(t *testing.T) {
	if os.Getenv(childEnv) != "unavailable" {
		t.Skip("run by TestNoSecretService")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const a = "/srv/paydesk/keys/secret.key"
	_, err := Load(ctx, a)
	assert.Equal(t, KindUnavailable, KindOf(err), "%v", err)
	assert.Equal(t, KindUnavailable, KindOf(Store(ctx, a, []byte("p"))))
	assert.Equal(t, KindUnavailable, KindOf(Delete(ctx, a)))
}

// runChild runs the test binary's child test named by which against the
// session bus at addr and returns its verbose output.
func runChild(t *testing.T, which, addr string) string {
	t.Helper()
	name := map[string]string{"secretservice": "TestChildSecretService", "unavailable": "TestChildUnavailable"}[which]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+which, "DBUS_SESSION_BUS_ADDRESS="+addr)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// busConfig is a session bus that activates nothing: a Secret Service is
// there only when the test starts one.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// startBus starts a private session bus in dir and returns its address;
// the bus stops with the test.
func startBus(t *testing.T, dir string) string {
	t.Helper()
	conf := filepath.Join(dir, "bus.conf")
	require.NoError(t, os.WriteFile(conf, fmt.Appendf(nil, busConfig, filepath.Join(dir, "bus")), 0o600))
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	logFile := filepath.Join(dir, "bus.log")
	cmd.Stderr = create(t, logFile)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatalf("dbus-daemon printed no address: %s", readLog(logFile))
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatalf("dbus-daemon did not start: %s", readLog(logFile))
	}
	return ""
}

// startKeyring starts GNOME Keyring's Secret Service on the bus at addr,
// with its login keyring created and unlocked by a password on its
// standard input, its files under a home of its own (returned); it stops
// with the test.
func startKeyring(t *testing.T, dir, addr string) string {
	t.Helper()
	home, run := filepath.Join(dir, "home"), filepath.Join(dir, "run")
	require.NoError(t, os.MkdirAll(home, 0o700))
	require.NoError(t, os.MkdirAll(run, 0o700))
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr, "HOME="+home, "XDG_RUNTIME_DIR="+run,
		"XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	cmd.Stdin = strings.NewReader("login password of the test")
	logFile := filepath.Join(dir, "keyring.log")
	cmd.Stdout = create(t, logFile)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	conn, err := dbus.Connect(addr)
	require.NoError(t, err)
	defer conn.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var owned bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&owned)
		require.NoError(t, err)
		if owned {
			return home
		}
		if time.Now().After(deadline) {
			t.Fatalf("gnome-keyring-daemon did not take org.freedesktop.secrets: %s", readLog(logFile))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// create makes a log file for a daemon's output, closed with the test; the
// daemon writes it from its own process, so reading it races with nothing.
func create(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// readLog returns what a daemon wrote to its log so far.
func readLog(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
