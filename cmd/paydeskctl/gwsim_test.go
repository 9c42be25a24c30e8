package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
	"paydesk/protocol/ipriv"
)

// gwsimBuffer is a bytes.Buffer safe for the command's goroutine and the test.
type gwsimBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *gwsimBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *gwsimBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// gwsimStart runs gateway-sim in the background and returns its base URL,
// its output and a stop function returning the exit code.
func gwsimStart(t *testing.T, args ...string) (base string, out *gwsimBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &gwsimBuffer{}, &gwsimBuffer{}
	e := &env{stdin: bytes.NewReader(nil), stdout: out, stderr: errb,
		now: func() time.Time { return time.Now() }, log: newEnv().log,
		tty: func() (*os.File, error) { return nil, errors.New("no terminal in tests") }}
	codeCh := make(chan int, 1)
	go func() { codeCh <- run(ctx, e, append([]string{"gateway-sim"}, args...)) }()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var code int
	exited := false
	require.Eventually(t, func() bool {
		select {
		case code = <-codeCh:
			exited = true
			return true
		default:
		}
		m := re.FindStringSubmatch(out.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 20*time.Second, 5*time.Millisecond)
	require.False(t, exited, "gateway-sim exited with %d: %s", code, errb.String())
	stop = func() int {
		cancel()
		select {
		case c := <-codeCh:
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("gateway-sim did not stop")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	return base, out, stop
}

// gwsimCall signs fields with the training dealer key, posts them and
// verifies the answer with the bank key in pubkeys.key.
func gwsimCall(t *testing.T, tr *sim.Training, url string, f gateway.Fields) gateway.Fields {
	t.Helper()
	body, err := f.Encode()
	require.NoError(t, err)
	doc, err := tr.Dealer.Sign(body, ipriv.MD5, time.Now())
	require.NoError(t, err)
	resp, err := http.Post(url, "application/x-www-form-urlencoded", bytes.NewReader(gateway.FormBody(doc)))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	bank, err := tr.PubKeys.Find(tr.BankSerial)
	require.NoError(t, err)
	d, _, err := bank.Verify(b)
	require.NoError(t, err)
	ans, err := gateway.ParseFields(d.Body)
	require.NoError(t, err)
	return ans
}

func gwsimFields(session string, extra ...string) gateway.Fields {
	f := gateway.Fields{{Name: "SD", Value: "17031"}, {Name: "AP", Value: "17032"}, {Name: "OP", Value: "17034"},
		{Name: "DATE", Value: time.Now().UTC().Format("02.01.2006 15:04:05")}, {Name: "SESSION", Value: session}}
	for i := 0; i+1 < len(extra); i += 2 {
		f = append(f, gateway.Field{Name: extra[i], Value: extra[i+1]})
	}
	return append(f, gateway.Field{Name: "ACCEPT_KEYS", Value: "64182"})
}

func TestGatewaySimTraining(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	state := filepath.Join(dir, "state.json")
	base, out, stop := gwsimStart(t, "--listen", "127.0.0.1:0", "--keys-dir", keys, "--state", state,
		"--status-delay", "0s", "--balance", "5000.00", "--quiet")
	assert.Contains(t, out.String(), "training keys created in "+keys)
	assert.Contains(t, out.String(), "passphrase in "+filepath.Join(keys, sim.FilePassphrase))

	tr, err := sim.TrainingKeys(keys, time.Now())
	require.NoError(t, err)
	require.False(t, tr.Created)
	cat, err := gateway.DefaultCatalogue(base)
	require.NoError(t, err)
	mts, err := cat.Find("mts")
	require.NoError(t, err)

	pay := []string{"NUMBER", "9161234567", "ACCOUNT", "", "AMOUNT", "100.00", "AMOUNT_ALL", "103.00"}
	a := gwsimCall(t, tr, mts.CheckURL, gwsimFields("CLI1", pay...))
	assert.Equal(t, "0", a.Get("ERROR"))
	assert.Equal(t, "0", a.Get("RESULT"))
	assert.Equal(t, "5000.00", a.Get("REST"))
	a = gwsimCall(t, tr, mts.PayURL, gwsimFields("CLI1", pay...))
	assert.Equal(t, "0", a.Get("ERROR"))
	assert.Regexp(t, `^\d{13}$`, a.Get("TRANSID"))
	a = gwsimCall(t, tr, mts.StatusURL, gwsimFields("CLI1"))
	assert.Equal(t, "7", a.Get("RESULT"))
	a = gwsimCall(t, tr, base+"/cgi-bin/status/get_rest.cgi", gwsimFields("CLI2"))
	assert.Equal(t, "4897.00", a.Get("REST"))
	require.Equal(t, 0, stop())
	assert.Contains(t, out.String(), "gateway-sim: stopped")

	// Restarted with explicit key files and the same state: it knows CLI1.
	base, out, stop = gwsimStart(t, "--listen", "127.0.0.1:0", "--state", state, "--quiet", "--faults", "http500=check",
		"--dealer-keys", tr.DealerKeyFile, "--bank-key", tr.BankKeyFile, "--bank-passphrase-file", tr.BankPassphraseFile)
	assert.NotContains(t, out.String(), "training keys")
	cat, err = gateway.DefaultCatalogue(base)
	require.NoError(t, err)
	mts, err = cat.Find("mts")
	require.NoError(t, err)
	a = gwsimCall(t, tr, mts.PayURL, gwsimFields("CLI1", pay...))
	assert.Equal(t, "1", a.Get("ERROR"), "a committed session is never paid twice")
	a = gwsimCall(t, tr, base+"/cgi-bin/status/get_rest.cgi", gwsimFields("CLI3"))
	assert.Equal(t, "4897.00", a.Get("REST"))
	assert.Contains(t, out.String(), "faults http500=check")
	resp, err := http.Post(mts.CheckURL, "application/x-www-form-urlencoded", bytes.NewReader([]byte("inputmessage=")))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, "the --faults flag is in force")
	require.Equal(t, 0, stop())
}

func TestGatewaySimUsage(t *testing.T) {
	for _, args := range [][]string{
		{"gateway-sim", "--dealer-keys", "x.key"},
		{"gateway-sim", "--bank-key", "x.key"},
		{"gateway-sim", "--dealer-keys", "a", "--bank-key", "b", "--keys-dir", "c"},
		{"gateway-sim", "--balance", "1.234"},
		{"gateway-sim", "--status-delay", "-1s"},
		{"gateway-sim", "--faults", "explode=pay"},
		{"gateway-sim", "extra"},
	} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
	}
	r := runCLI(t, nil, "gateway-sim", "--dealer-keys", filepath.Join(t.TempDir(), "none.key"), "--bank-key", "b.key")
	assert.Equal(t, exitFailed, r.code, r.stderr)
}
