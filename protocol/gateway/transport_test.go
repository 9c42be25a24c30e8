package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paydesk/internal/clock"
	"paydesk/internal/i18n"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientFor is a client of the network at base through hc (DefaultHTTPClient
// when nil), with the catalogue's MTS entry.
func clientFor(t *testing.T, base string, hc *http.Client) (*Client, *Provider) {
	t.Helper()
	keys(t)
	cat, err := DefaultCatalogue(base)
	require.NoError(t, err)
	mts, err := cat.Find("mts")
	require.NoError(t, err)
	c, err := New(Config{SD: "17031", AP: "17032", OP: "17034", Key: dealerKey, Bank: bankKey.Public(),
		BalanceURL: base + "/cgi-bin/status/get_rest.cgi", HTTP: hc, Clock: clock.NewFake(t0), Timeout: 5 * time.Second})
	require.NoError(t, err)
	return c, mts
}

// trusting is DefaultHTTPClient trusting the test server's certificate,
// set through Config.HTTP: every other setting (TLS 1.2 at least, no
// redirects, the proxy) is the one PayDesk runs with.
func trusting(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	hc := DefaultHTTPClient()
	tr := hc.Transport.(*http.Transport)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr.TLSClientConfig.RootCAs = pool
	t.Cleanup(tr.CloseIdleConnections)
	return hc
}

// quiet keeps a test server's failed handshakes out of the test's output.
func quiet(srv *httptest.Server) { srv.Config.ErrorLog = log.New(io.Discard, "", 0) }

// elsewhere is where a redirect points: a server that must never be called.
type elsewhere struct {
	srv   *httptest.Server
	calls atomic.Int32
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.calls.Add(1)
		writeAnswer(t, w, bankKey, Fields{{"SESSION", r.FormValue("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})
	}))
	t.Cleanup(e.srv.Close)
	return e
}

var redirectCodes = []int{
	http.StatusMovedPermanently,  // 301: Go would follow with GET, no body
	http.StatusFound,             // 302: the same
	http.StatusSeeOther,          // 303: the same
	http.StatusTemporaryRedirect, // 307: Go would re-POST the signed body
	http.StatusPermanentRedirect, // 308: the same
}

// ops sends each request of the protocol with the session.
var ops = map[string]func(c *Client, mts *Provider, session string) (*Answer, error){
	"check": func(c *Client, mts *Provider, s string) (*Answer, error) {
		return c.Check(context.Background(), Payment{Provider: mts, Session: s, ID: "9161234567", Amount: 100_00})
	},
	"pay": func(c *Client, mts *Provider, s string) (*Answer, error) {
		return c.Pay(context.Background(), Payment{Provider: mts, Session: s, ID: "9161234567", Amount: 100_00})
	},
	"status": func(c *Client, mts *Provider, s string) (*Answer, error) {
		return c.Status(context.Background(), mts, s, "")
	},
	"balance": func(c *Client, mts *Provider, s string) (*Answer, error) {
		return c.Balance(context.Background(), s)
	},
}

// assertRedirectRefused checks the error for a redirect to location (as
// the message must show it) with the HTTP code.
func assertRedirectRefused(t *testing.T, op string, code int, location string, a *Answer, err error) {
	t.Helper()
	assert.Nil(t, a, "nothing is believed")
	var ge *Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, KindNoAnswer, ge.Kind, "%v", err)
	assert.Equal(t, op, ge.Op)
	var re *redirectError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, code, re.Status)
	assert.Equal(t, location, re.Location)
	en, ru := ge.Msg().In(i18n.EN), ge.Msg().In(i18n.RU)
	key := "gateway.no_answer.redirect"
	if op == "pay" {
		key += ".pay"
	}
	assert.Equal(t, key, ge.Msg().Key)
	if location == "" {
		assert.Contains(t, en, "an address not given")
		assert.Contains(t, ru, "неуказанный адрес")
	} else {
		assert.Contains(t, en, " to "+location+";")
		assert.Contains(t, ru, " на "+location+";")
	}
	assert.NotContains(t, en+ru+err.Error(), "secret", "no query is shown")
	assert.Contains(t, en, "HTTP "+strconv.Itoa(code))
	if op == "pay" {
		// As for any unanswered pay: unknown, settled by status, never a refusal.
		assert.Equal(t, ClassStatus, ge.Class())
		assert.Contains(t, en, "the payment was not re-sent")
		assert.Contains(t, ru, "платёж туда повторно не отправлялся")
		assert.Contains(t, ru, "не повторяйте платёж")
	} else {
		assert.Equal(t, ClassRetry, ge.Class())
		assert.Contains(t, en, "the request was not re-sent")
		assert.Contains(t, ru, "запрос туда повторно не отправлялся")
	}
}

// TestRedirectsNotFollowed: check, pay, status and balance never follow a
// 3xx answer, whatever the code and whatever client the caller gave; the
// server redirected to is never called and the error names the target.
func TestRedirectsNotFollowed(t *testing.T) {
	following := func() *http.Client {
		return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	}
	type tc struct {
		code     int
		location func(gw, other string) string // the Location header; "" for none
		want     func(gw, other string) string // what the error names
		hc       func() *http.Client           // nil: DefaultHTTPClient
	}
	tests := map[string]tc{}
	for _, code := range redirectCodes {
		tests[strconv.Itoa(code)] = tc{code: code,
			location: func(_, other string) string { return other + "/cgi-bin/es/es_pay.cgi?token=secret#frag" },
			want:     func(_, other string) string { return other + "/cgi-bin/es/es_pay.cgi" }}
		tests[strconv.Itoa(code)+" through a client that would follow"] = tc{code: code, hc: following,
			location: func(_, other string) string { return other + "/moved?token=secret" },
			want:     func(_, other string) string { return other + "/moved" }}
	}
	tests["307 relative Location"] = tc{code: 307,
		location: func(string, string) string { return "/elsewhere/pay.cgi?token=secret" },
		want:     func(gw, _ string) string { return gw + "/elsewhere/pay.cgi" }}
	tests["307 Location with a user"] = tc{code: 307,
		location: func(_, other string) string { return strings.Replace(other, "://", "://user:secret@", 1) + "/x" },
		want:     func(_, other string) string { return other + "/x" }}
	tests["302 without Location"] = tc{code: 302}
	tests["300 multiple choices"] = tc{code: 300,
		location: func(_, other string) string { return other + "/choice" },
		want:     func(_, other string) string { return other + "/choice" }}
	tests["304 not modified"] = tc{code: 304}

	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			other := newElsewhere(t)
			var hc *http.Client
			if tt.hc != nil {
				hc = tt.hc()
			}
			c, mts := clientFor(t, f.srv.URL, hc)
			f.net.answer = func(w http.ResponseWriter, in Fields) {
				if tt.location != nil {
					w.Header().Set("Location", tt.location(f.srv.URL, other.srv.URL))
				}
				w.WriteHeader(tt.code)
			}
			want := ""
			if tt.want != nil {
				want = tt.want(f.srv.URL, other.srv.URL)
			}
			for _, op := range []string{"check", "pay", "status", "balance"} {
				before := f.net.requests.Load()
				a, err := ops[op](c, mts, "R1")
				assertRedirectRefused(t, op, tt.code, want, a, err)
				assert.Equal(t, before+1, f.net.requests.Load(), "%s: sent once", op)
			}
			assert.Zero(t, other.calls.Load(), "the server redirected to was never called")
		})
	}

	t.Run("status keeps the payment unknown", func(t *testing.T) {
		f := newFixture(t)
		other := newElsewhere(t)
		f.net.answer = func(w http.ResponseWriter, in Fields) {
			w.Header().Set("Location", other.srv.URL+"/status.cgi")
			w.WriteHeader(http.StatusPermanentRedirect)
		}
		out, a, err := f.client.Settle(context.Background(), f.mts, "R2", "", nil)
		assert.Equal(t, Unknown, out, "a redirect settles nothing")
		assert.Nil(t, a)
		assert.Equal(t, KindNoAnswer, KindOf(err))
		assert.Zero(t, other.calls.Load())
	})
}

// TestRedirectHTTPSToHTTP: an https gateway redirecting to plain http is not
// followed: the signed request never travels in clear text.
func TestRedirectHTTPSToHTTP(t *testing.T) {
	for _, code := range redirectCodes {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			keys(t)
			n := &network{t: t}
			gw := httptest.NewTLSServer(n)
			t.Cleanup(gw.Close)
			plain := newElsewhere(t)
			require.True(t, strings.HasPrefix(plain.srv.URL, "http://"))
			n.answer = func(w http.ResponseWriter, in Fields) {
				w.Header().Set("Location", plain.srv.URL+"/cgi-bin/es/es_pay.cgi?SESSION="+in.Get("SESSION"))
				w.WriteHeader(code)
			}
			c, mts := clientFor(t, gw.URL, trusting(t, gw))
			for _, op := range []string{"check", "pay", "status", "balance"} {
				a, err := ops[op](c, mts, "H1")
				assertRedirectRefused(t, op, code, plain.srv.URL+"/cgi-bin/es/es_pay.cgi", a, err)
			}
			assert.Equal(t, int32(4), n.requests.Load(), "each request reached the https gateway once")
			assert.Zero(t, plain.calls.Load(), "nothing went to the plain http server")
		})
	}
}

// TestTLSVersions: the client speaks TLS 1.2 and 1.3 and refuses a server
// that offers at most 1.1 or 1.0.
func TestTLSVersions(t *testing.T) {
	// Go's client already refuses below TLS 1.2 by default: the floor is
	// pinned here too, so that the test fails if it is ever lowered or
	// dropped.
	tr := DefaultHTTPClient().Transport.(*http.Transport)
	require.NotNil(t, tr.TLSClientConfig)
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	assert.Equal(t, 15*time.Second, tr.TLSHandshakeTimeout, "the existing settings are kept")
	assert.NotNil(t, tr.Proxy)

	tests := map[string]struct {
		min, max uint16
		ok       bool
	}{
		"TLS 1.0 only":    {tls.VersionTLS10, tls.VersionTLS10, false},
		"TLS 1.1 at most": {tls.VersionTLS10, tls.VersionTLS11, false},
		"TLS 1.2 only":    {tls.VersionTLS12, tls.VersionTLS12, true},
		"TLS 1.3 only":    {tls.VersionTLS13, tls.VersionTLS13, true},
		"TLS 1.0 to 1.3":  {tls.VersionTLS10, tls.VersionTLS13, true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			keys(t)
			n := &network{t: t}
			srv := httptest.NewUnstartedServer(n)
			srv.TLS = &tls.Config{MinVersion: tt.min, MaxVersion: tt.max}
			var mu sync.Mutex
			var version uint16
			srv.Config.ConnState = func(conn net.Conn, s http.ConnState) {
				if tc, ok := conn.(*tls.Conn); ok && s == http.StateActive {
					mu.Lock()
					version = tc.ConnectionState().Version
					mu.Unlock()
				}
			}
			quiet(srv)
			srv.StartTLS()
			t.Cleanup(srv.Close)
			c, mts := clientFor(t, srv.URL, trusting(t, srv))

			a, err := ops["check"](c, mts, "T1")
			if tt.ok {
				require.NoError(t, err)
				assert.True(t, a.OK())
				mu.Lock()
				assert.GreaterOrEqual(t, version, uint16(tls.VersionTLS12))
				mu.Unlock()
				return
			}
			assert.Nil(t, a)
			assert.Equal(t, KindNoAnswer, KindOf(err), "%v", err)
			assert.Contains(t, err.Error(), "protocol version", "the error says why")
			assert.Zero(t, n.requests.Load(), "nothing was sent")

			// The server does speak its old TLS: a client allowing it gets
			// through, so the refusal above is the client's floor.
			old := trusting(t, srv)
			old.Transport.(*http.Transport).TLSClientConfig.MinVersion = tls.VersionTLS10
			c, mts = clientFor(t, srv.URL, old)
			_, err = ops["check"](c, mts, "T2")
			require.NoError(t, err)
			assert.Equal(t, int32(1), n.requests.Load())
		})
	}
}

// The proxy policy: HTTPS_PROXY is honoured, as a CONNECT tunnel (TLS end
// to end, so the proxy never sees the signed request in clear), and
// loopback addresses never go through a proxy. http.ProxyFromEnvironment
// reads the environment once per process, so the requests are made by a
// child process of this test binary with the proxy set.

const proxyChildEnv = "PAYDESK_GATEWAY_PROXY_CHILD"

func TestProxyPolicy(t *testing.T) {
	if os.Getenv(proxyChildEnv) != "" {
		t.Skip("in the child")
	}
	keys(t)
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.Host)
		mu.Unlock()
		http.Error(w, "no tunnels here", http.StatusForbidden)
	}))
	t.Cleanup(proxy.Close)
	n := &network{t: t}
	direct := httptest.NewServer(n)
	t.Cleanup(direct.Close)

	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyPolicyChild$", "-test.v", "-test.count=1")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "REQUEST_METHOD":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, proxyChildEnv+"="+direct.URL, "HTTPS_PROXY="+proxy.URL, "HTTP_PROXY="+proxy.URL)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "--- PASS: TestProxyPolicyChild", "%s", out)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"CONNECT gateway.invalid:443"}, seen,
		"the https request went to the proxy as a tunnel, the loopback one did not")
	assert.Equal(t, int32(1), n.requests.Load(), "the loopback gateway was reached directly")
}

func TestProxyPolicyChild(t *testing.T) {
	direct := os.Getenv(proxyChildEnv)
	if direct == "" {
		t.Skip("run by TestProxyPolicy")
	}
	c, mts := clientFor(t, "https://gateway.invalid", nil)
	a, err := ops["check"](c, mts, "P1")
	assert.Nil(t, a)
	assert.Equal(t, KindNoAnswer, KindOf(err), "%v", err)
	assert.Contains(t, err.Error(), "Forbidden", "the proxy's refusal: %v", err)

	c, mts = clientFor(t, direct, nil)
	_, err = ops["check"](c, mts, "P2")
	require.NoError(t, err)
}
