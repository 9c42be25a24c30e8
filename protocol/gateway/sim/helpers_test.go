package sim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

// epoch is the fake clock's start: 12:00 in Moscow.
var epoch = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// Keys made once per test binary: the training set and an impostor key with
// the dealer's serial but another modulus.
var (
	tk       *Training
	impostor *ipriv.SecretKey
	keysDir  string
)

func TestMain(m *testing.M) {
	var err error
	keysDir, err = os.MkdirTemp("", "paydesk-sim-keys")
	if err != nil {
		panic(err)
	}
	if tk, err = TrainingKeys(keysDir, epoch); err != nil {
		panic(err)
	}
	if impostor, err = ipriv.GenerateKey(nil, 1024, TrainingDealerSerial, TrainingDealerUserID, epoch); err != nil {
		panic(err)
	}
	code := m.Run()
	_ = os.RemoveAll(keysDir)
	os.Exit(code)
}

// env is a simulator on a loopback HTTP server with a fake clock.
type env struct {
	t   testing.TB
	sim *Sim
	srv *httptest.Server
	clk *clock.Fake
	cat *gateway.Catalogue

	handler atomic.Pointer[Sim]
}

var sessionSeq atomic.Int64

// newSession returns a fresh, valid SESSION.
func newSession() string { return fmt.Sprintf("T%019d", sessionSeq.Add(1)) }

const startBalance money.Amount = 100_000_00

// newEnv starts a simulator; mod may change the configuration.
func newEnv(t testing.TB, mod func(*Config)) *env {
	t.Helper()
	e := &env{t: t, clk: clock.NewFake(epoch)}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.handler.Load().ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	var err error
	e.cat, err = gateway.DefaultCatalogue(e.srv.URL)
	require.NoError(t, err)
	cfg := tk.Config()
	cfg.Catalogue = e.cat
	cfg.Clock = e.clk
	cfg.Balance = startBalance
	cfg.StatusDelay = 10 * time.Second
	if mod != nil {
		mod(&cfg)
	}
	sim, err := New(cfg)
	require.NoError(t, err)
	e.use(sim)
	return e
}

// use makes sim the simulator behind the server (as after a restart).
func (e *env) use(sim *Sim) {
	e.sim = sim
	e.handler.Store(sim)
}

func (e *env) provider(code string) *gateway.Provider {
	p, err := e.cat.Find(code)
	require.NoError(e.t, err)
	return p
}

// base returns the fields every request carries.
func (e *env) base(session string) gateway.Fields {
	return gateway.Fields{
		{Name: "SD", Value: TrainingSD}, {Name: "AP", Value: TrainingAP}, {Name: "OP", Value: TrainingOP},
		{Name: "DATE", Value: e.clk.Now().UTC().Format(dateLayout)},
		{Name: "SESSION", Value: session},
	}
}

// payFields returns check (or pay) fields for provider p, payer id and
// amount ("100.00"), with AMOUNT_ALL including the provider's commission.
func (e *env) payFields(p *gateway.Provider, session, id, amount string) gateway.Fields {
	a, err := money.Parse(amount)
	require.NoError(e.t, err)
	f := e.base(session)
	num, acc := id, ""
	if p.Field == "ACCOUNT" {
		num, acc = "", id
	}
	f = append(f,
		gateway.Field{Name: "NUMBER", Value: num},
		gateway.Field{Name: "ACCOUNT", Value: acc},
		gateway.Field{Name: "AMOUNT", Value: amount},
		gateway.Field{Name: "AMOUNT_ALL", Value: (a + p.Commission.Of(a)).String()},
		gateway.Field{Name: "PAY_TOOL", Value: "0"},
		gateway.Field{Name: "COMMENT", Value: "Тест"},
		gateway.Field{Name: "ACCEPT_KEYS", Value: strconv.FormatUint(uint64(TrainingBankSerial), 10)},
	)
	return f
}

// statusFields returns status fields for the session.
func (e *env) statusFields(session string) gateway.Fields {
	return append(e.base(session), gateway.Field{Name: "ACCEPT_KEYS", Value: "64182"})
}

// signed builds the form body of fields signed with key.
func (e *env) signed(f gateway.Fields, key *ipriv.SecretKey) []byte {
	body, err := f.Encode()
	require.NoError(e.t, err)
	doc, err := key.Sign(body, ipriv.MD5, e.clk.Now())
	require.NoError(e.t, err)
	return gateway.FormBody(doc)
}

// postRaw posts a body and returns the status code and the answer bytes, or
// the transport error.
func (e *env) postRaw(url string, body []byte) (int, []byte, error) {
	resp, err := e.srv.Client().Post(url, "application/x-www-form-urlencoded", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// answer is a verified answer.
type answer struct {
	gateway.Fields
	Hash ipriv.Hash
}

// verify checks an answer document with the bank key and parses it.
func verify(t testing.TB, doc []byte) (answer, error) {
	d, sig, err := tk.Bank.Public().Verify(doc)
	if err != nil {
		return answer{}, err
	}
	f, err := gateway.ParseFields(d.Body)
	require.NoError(t, err)
	require.True(t, bytes.HasSuffix(d.Body, []byte("\r\n")), "answers end with CRLF")
	return answer{Fields: f, Hash: sig.Hash}, nil
}

// send signs fields with key, posts them and returns the verified answer.
func (e *env) send(url string, f gateway.Fields, key *ipriv.SecretKey) answer {
	e.t.Helper()
	code, b, err := e.postRaw(url, e.signed(f, key))
	require.NoError(e.t, err)
	require.Equal(e.t, http.StatusOK, code, "body: %s", b)
	a, err := verify(e.t, b)
	require.NoError(e.t, err, "answer: %s", b)
	return a
}

func (e *env) do(url string, f gateway.Fields) answer { return e.send(url, f, tk.Dealer) }

func (e *env) check(code, session, id, amount string) answer {
	p := e.provider(code)
	return e.do(p.CheckURL, e.payFields(p, session, id, amount))
}

func (e *env) pay(code, session, id, amount string) answer {
	p := e.provider(code)
	return e.do(p.PayURL, e.payFields(p, session, id, amount))
}

func (e *env) status(code, session string) answer {
	return e.do(e.provider(code).StatusURL, e.statusFields(session))
}

func (e *env) balanceURL() string { return e.srv.URL + "/cgi-bin/status/get_rest.cgi" }

// requireResult asserts ERROR and RESULT ("" for absent).
func requireResult(t testing.TB, a answer, errCode int, result string) {
	t.Helper()
	require.Equal(t, strconv.Itoa(errCode), a.Get("ERROR"), "answer %v", a.Fields)
	r, ok := a.Lookup("RESULT")
	if result == "" {
		require.False(t, ok, "RESULT present: %v", a.Fields)
		return
	}
	require.Equal(t, result, r, "answer %v", a.Fields)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
