package gateway

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/ipriv"
	"paydesk/protocol/ipriv/ipritest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	keysOnce   sync.Once
	dealerKey  *ipriv.SecretKey
	bankKey    *ipriv.SecretKey
	strangeKey *ipriv.SecretKey
	t0         = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
)

func keys(t testing.TB) {
	keysOnce.Do(func() {
		var err error
		dealerKey, bankKey = ipritest.DealerKey(), ipritest.BankKey()
		// Another key with the bank's serial: no kit has one.
		strangeKey, err = ipriv.GenerateKey(nil, 1024, 64182, "0J0005", t0)
		require.NoError(t, err)
	})
}

// network is a fake payment network: it verifies what it receives with the
// dealer key and answers what answer() says, signed with the bank key.
type network struct {
	t        testing.TB
	requests atomic.Int32
	mu       sync.Mutex
	last     Fields
	lastDoc  []byte
	answer   func(w http.ResponseWriter, f Fields) // nil: success echo
}

func (n *network) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.requests.Add(1)
	require.Equal(n.t, http.MethodPost, r.Method)
	require.Equal(n.t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	doc, err := ReadForm(body.Bytes())
	require.NoError(n.t, err)
	d, _, err := dealerKey.Public().Verify(doc)
	require.NoError(n.t, err, "the request is signed by the dealer")
	f, err := ParseFields(d.Body)
	require.NoError(n.t, err)
	n.mu.Lock()
	n.last, n.lastDoc = f, doc
	n.mu.Unlock()
	if n.answer != nil {
		n.answer(w, f)
		return
	}
	writeAnswer(n.t, w, bankKey, Fields{{"SESSION", f.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})
}

func signAnswer(t testing.TB, key *ipriv.SecretKey, f Fields) []byte {
	body, err := f.Encode()
	require.NoError(t, err)
	doc, err := key.Sign(body, ipriv.MD5, t0)
	require.NoError(t, err)
	return doc
}

func writeAnswer(t testing.TB, w http.ResponseWriter, key *ipriv.SecretKey, f Fields) {
	w.Header().Set("Content-Type", "text/plain; charset=windows-1251")
	_, _ = w.Write(signAnswer(t, key, f))
}

type fixture struct {
	net    *network
	srv    *httptest.Server
	client *Client
	clock  *clock.Fake
	cat    *Catalogue
	mts    *Provider
}

func newFixture(t *testing.T) *fixture {
	keys(t)
	n := &network{t: t}
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	fc := clock.NewFake(t0)
	cat, err := DefaultCatalogue(srv.URL)
	require.NoError(t, err)
	c, err := New(Config{SD: "17031", AP: "17032", OP: "17034", Key: dealerKey, Bank: bankKey.Public(),
		BalanceURL: srv.URL + "/cgi-bin/status/get_rest.cgi", Clock: fc, Timeout: 2 * time.Second})
	require.NoError(t, err)
	mts, err := cat.Find("mts")
	require.NoError(t, err)
	return &fixture{net: n, srv: srv, client: c, clock: fc, cat: cat, mts: mts}
}

func (f *fixture) payment(session string) Payment {
	return Payment{Provider: f.mts, Session: session, ID: "+7 (916) 123-45-67", Amount: 100_00, Total: 103_00, Comment: "Оплата связи"}
}

func TestCheckRequestAndAnswer(t *testing.T) {
	f := newFixture(t)
	f.net.answer = func(w http.ResponseWriter, in Fields) {
		writeAnswer(t, w, bankKey, Fields{
			{"DATE", "26.11.2026 12:30:00"}, {"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"},
			{"TRANSID", ""}, {"OPNAME", "МТС Москва"}, {"ADDINFO", "%C0%E1%EE%ED%E5%ED%F2+%C8.%C8."}, {"REST", "99999.25"},
		})
	}
	a, err := f.client.Check(context.Background(), f.payment("S1"))
	require.NoError(t, err)
	assert.True(t, a.OK())
	assert.Equal(t, "МТС Москва", a.OpName)
	assert.Equal(t, "%C0%E1%EE%ED%E5%ED%F2+%C8.%C8.", a.AddInfo, "ADDINFO is verbatim: the catalogue does not mark it encoded for MTS")
	assert.Equal(t, money.Amount(9999925), a.Rest)
	assert.Equal(t, "S1", a.Session)

	got := f.net.last
	want := Fields{{"SD", "17031"}, {"AP", "17032"}, {"OP", "17034"}, {"DATE", "26.11.2026 09:30:00"}, {"SESSION", "S1"},
		{"NUMBER", "9161234567"}, {"ACCOUNT", ""}, {"AMOUNT", "100.00"}, {"AMOUNT_ALL", "103.00"}, {"REQ_TYPE", "0"},
		{"PAY_TOOL", "0"}, {"COMMENT", "Оплата связи"}, {"ACCEPT_KEYS", "64182"}}
	assert.Equal(t, want, got)
	// The signed bytes are windows-1251, not UTF-8.
	assert.Contains(t, string(f.net.lastDoc), "COMMENT=\xce\xef\xeb\xe0\xf2\xe0 \xf1\xe2\xff\xe7\xe8\r\n")
}

func TestCheckNumberOnly(t *testing.T) {
	f := newFixture(t)
	_, err := f.client.CheckNumber(context.Background(), Payment{Provider: f.mts, Session: "T1", ID: "89161234567"})
	require.NoError(t, err)
	assert.Equal(t, "1", f.net.last.Get("REQ_TYPE"))
	assert.Equal(t, "10.00", f.net.last.Get("AMOUNT"), "the provider's minimum")
	assert.Equal(t, "9161234567", f.net.last.Get("NUMBER"))
}

func TestAccountProviders(t *testing.T) {
	f := newFixture(t)
	rt, err := f.cat.Find("rostelecom")
	require.NoError(t, err)
	_, err = f.client.Check(context.Background(), Payment{Provider: rt, Session: "A1", ID: "1234 5678 9012", Amount: 500_00})
	require.NoError(t, err)
	assert.Equal(t, "", f.net.last.Get("NUMBER"))
	assert.Equal(t, "123456789012", f.net.last.Get("ACCOUNT"))
	assert.Equal(t, "500.00", f.net.last.Get("AMOUNT_ALL"))
}

func TestRefusal(t *testing.T) {
	f := newFixture(t)
	f.net.answer = func(w http.ResponseWriter, in Fields) {
		writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "23"}, {"RESULT", "1"}, {"ERRMSG", "Номер не обслуживается"}})
	}
	a, err := f.client.Check(context.Background(), f.payment("S2"))
	require.Error(t, err)
	var ge *Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, KindRefused, ge.Kind)
	assert.Equal(t, 23, ge.Code)
	assert.Equal(t, ClassFinal, ge.Class())
	assert.Equal(t, "Неверный номер телефона или счёта: оператор отклонил номер", ge.Msg().In("ru"))
	assert.Equal(t, "Invalid phone or account number: the provider rejected it", ge.Msg().In("en"))
	require.NotNil(t, a)
	assert.Equal(t, "Номер не обслуживается", a.ErrMsg)

	// The same refusal to pay is settled through status.
	_, err = f.client.Pay(context.Background(), f.payment("S2"))
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, ClassStatus, ge.Class())
}

func TestNoTrustworthyAnswer(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return buf.Bytes()
	}
	tests := map[string]func(t *testing.T, w http.ResponseWriter, in Fields){
		"HTTP 500": func(t *testing.T, w http.ResponseWriter, in Fields) {
			w.WriteHeader(http.StatusInternalServerError)
		},
		"empty body": func(t *testing.T, w http.ResponseWriter, in Fields) {},
		"unsigned text": func(t *testing.T, w http.ResponseWriter, in Fields) {
			_, _ = fmt.Fprintf(w, "SESSION=%s\r\nERROR=0\r\nRESULT=0\r\n", in.Get("SESSION"))
		},
		"signed by another key with the bank's serial": func(t *testing.T, w http.ResponseWriter, in Fields) {
			writeAnswer(t, w, strangeKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})
		},
		"signed by the dealer key": func(t *testing.T, w http.ResponseWriter, in Fields) {
			writeAnswer(t, w, dealerKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})
		},
		"garbled": func(t *testing.T, w http.ResponseWriter, in Fields) {
			doc := signAnswer(t, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})
			doc[len(doc)/2] ^= 0x55
			_, _ = w.Write(doc)
		},
		"body edited, signature kept": func(t *testing.T, w http.ResponseWriter, in Fields) {
			doc := signAnswer(t, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "7"}, {"RESULT", "1"}})
			_, _ = w.Write(bytes.Replace(doc, []byte("ERROR=7"), []byte("ERROR=0"), 1))
		},
		"another SESSION echoed": func(t *testing.T, w http.ResponseWriter, in Fields) {
			writeAnswer(t, w, bankKey, Fields{{"SESSION", "OTHER"}, {"ERROR", "0"}, {"RESULT", "0"}})
		},
		"no ERROR field": func(t *testing.T, w http.ResponseWriter, in Fields) {
			writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"RESULT", "0"}})
		},
		"ERROR not a number": func(t *testing.T, w http.ResponseWriter, in Fields) {
			writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "zero"}})
		},
		"line ends changed to LF": func(t *testing.T, w http.ResponseWriter, in Fields) {
			doc := signAnswer(t, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})
			_, _ = w.Write(bytes.ReplaceAll(doc, []byte("\r\n"), []byte("\n")))
		},
		"connection dropped": func(t *testing.T, w http.ResponseWriter, in Fields) {
			conn, _, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			_ = conn.Close()
		},
		"too slow": func(t *testing.T, w http.ResponseWriter, in Fields) {
			time.Sleep(300 * time.Millisecond)
			writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})
		},
		"broken compressed answer": func(t *testing.T, w http.ResponseWriter, in Fields) {
			w.Header().Set("Content-Type", "application/x-gzip")
			_, _ = w.Write([]byte("not zlib"))
		},
	}
	for name, answer := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.client.cfg.Timeout = 150 * time.Millisecond
			f.net.answer = func(w http.ResponseWriter, in Fields) { answer(t, w, in) }
			for _, op := range []string{"check", "pay"} {
				var a *Answer
				var err error
				if op == "check" {
					a, err = f.client.Check(context.Background(), f.payment("N1"))
				} else {
					a, err = f.client.Pay(context.Background(), f.payment("N1"))
				}
				assert.Nil(t, a, "no answer is believed")
				var ge *Error
				require.ErrorAs(t, err, &ge)
				assert.Equal(t, KindNoAnswer, ge.Kind, "%v", err)
				if op == "pay" {
					assert.Equal(t, ClassStatus, ge.Class(), "an unanswered pay is unknown, never failed")
					assert.Contains(t, ge.Msg().In("ru"), "не повторяйте платёж")
				} else {
					assert.Equal(t, ClassRetry, ge.Class())
				}
			}
		})
	}
	t.Run("compressed answer is read", func(t *testing.T) {
		f := newFixture(t)
		f.net.answer = func(w http.ResponseWriter, in Fields) {
			w.Header().Set("Content-Type", "application/x-gzip")
			_, _ = w.Write(gz(signAnswer(t, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}})))
		}
		_, err := f.client.Check(context.Background(), f.payment("Z1"))
		require.NoError(t, err)
	})
}

func TestInputRefusedBeforeSending(t *testing.T) {
	f := newFixture(t)
	tests := map[string]struct {
		p    Payment
		want string
	}{
		"number not matching": {Payment{Provider: f.mts, Session: "I1", ID: "8123", Amount: 100_00}, "10 digits starting with 9"},
		"landline":            {Payment{Provider: f.mts, Session: "I1", ID: "4951234567", Amount: 100_00}, "10 digits"},
		"amount below min":    {Payment{Provider: f.mts, Session: "I1", ID: "9161234567", Amount: 9_99}, "outside 10.00–15000.00"},
		"amount above max":    {Payment{Provider: f.mts, Session: "I1", ID: "9161234567", Amount: 15000_01}, "outside"},
		"no provider":         {Payment{Session: "I1", ID: "9161234567", Amount: 100_00}, "no provider"},
		"bad session":         {Payment{Provider: f.mts, Session: "bad session!", ID: "9161234567", Amount: 100_00}, "SESSION"},
		"long session":        {Payment{Provider: f.mts, Session: "ABCDEFGHIJKLMNOPQRSTU", ID: "9161234567", Amount: 100_00}, "SESSION"},
		"total below amount":  {Payment{Provider: f.mts, Session: "I1", ID: "9161234567", Amount: 100_00, Total: 99_00}, "less than"},
		"non-1251 comment":    {Payment{Provider: f.mts, Session: "I1", ID: "9161234567", Amount: 100_00, Comment: "日本"}, "windows-1251"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			for _, send := range []func(context.Context, Payment) (*Answer, error){f.client.Check, f.client.Pay} {
				_, err := send(context.Background(), tt.p)
				var ge *Error
				require.ErrorAs(t, err, &ge)
				assert.Equal(t, KindInput, ge.Kind)
				assert.Contains(t, ge.Msg().In("en"), tt.want)
				assert.NotEmpty(t, ge.Msg().In("ru"))
			}
		})
	}
	assert.Equal(t, int32(0), f.net.requests.Load(), "nothing was sent")
	_, err := f.cat.Find("nosuch")
	assert.Equal(t, KindInput, KindOf(err))
}

func TestCheckURL(t *testing.T) {
	tests := map[string]bool{
		"https://service.cyberplat.ru/cgi-bin/es/es_pay.cgi": true,
		"http://127.0.0.1:8780/cgi-bin/es/es_pay.cgi":        true,
		"http://127.8.9.1/x":                                 true,
		"http://localhost:8780/x":                            true,
		"http://[::1]:8780/x":                                true,
		"http://10.0.0.5/cgi-bin/es/es_pay.cgi":              false,
		"http://service.cyberplat.ru/cgi-bin/es/es_pay.cgi":  false,
		"ftp://127.0.0.1/x":                                  false,
		"not a url":                                          false,
	}
	for u, ok := range tests {
		err := CheckURL(u)
		if ok {
			assert.NoError(t, err, u)
		} else {
			assert.Equal(t, KindConfig, KindOf(err), u)
		}
	}
	// A catalogue pointing at plain http elsewhere is refused when used.
	f := newFixture(t)
	p := *f.mts
	p.CheckURL = "http://192.0.2.10/cgi-bin/mts/mts_pay_check.cgi/mts"
	_, err := f.client.Check(context.Background(), Payment{Provider: &p, Session: "U1", ID: "9161234567", Amount: 100_00})
	assert.Equal(t, KindConfig, KindOf(err))
	assert.Contains(t, err.(*Error).Msg().In("ru"), "https")
}

func TestStatusOutcome(t *testing.T) {
	tests := []struct {
		err, result int
		want        Outcome
	}{
		{11, -1, NotPaid},
		{0, 0, NotPaid},
		{0, 1, NotPaid},
		{0, 2, InProgress},
		{0, 3, InProgress},
		{0, 6, InProgress},
		{0, 7, Paid},
		{23, 7, Failed},
		{30, -1, Unknown},
		{21, 1, NotPaid}, // spec §8: RESULT 0 or 1 is not paid, whatever ERROR says why
		{23, 0, NotPaid},
		{0, -1, Unknown},
		{0, 9, Unknown},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, StatusOutcome(&Answer{Op: "status", Error: tt.err, Result: tt.result}), "ERROR=%d RESULT=%d", tt.err, tt.result)
	}
	assert.Equal(t, Unknown, StatusOutcome(nil))
}

func TestSettle(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int32
	f.net.answer = func(w http.ResponseWriter, in Fields) {
		n := calls.Add(1)
		result := "3"
		if n >= 3 {
			result = "7"
		}
		writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", result}, {"TRANSID", "1000010856873"}})
	}
	done := make(chan Outcome)
	go func() {
		out, a, err := f.client.Settle(context.Background(), f.mts, "P1", "", InteractiveSchedule)
		assert.NoError(t, err)
		assert.Equal(t, "1000010856873", a.TransID)
		done <- out
	}()
	for i := 0; i < 2; i++ {
		<-f.clock.Waiting()
		f.clock.Advance(time.Minute)
	}
	assert.Equal(t, Paid, <-done)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, "P1", f.net.last.Get("SESSION"))
	assert.Equal(t, "64182", f.net.last.Get("ACCEPT_KEYS"))

	// Still in progress when the schedule is spent: not final.
	f.net.answer = func(w http.ResponseWriter, in Fields) {
		writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "3"}})
	}
	go func() {
		out, _, _ := f.client.Settle(context.Background(), f.mts, "P2", "", []time.Duration{time.Second})
		done <- out
	}()
	<-f.clock.Waiting()
	f.clock.Advance(time.Second)
	assert.Equal(t, InProgress, <-done)

	// ERROR 11 from status: never registered.
	f.net.answer = func(w http.ResponseWriter, in Fields) {
		writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "11"}})
	}
	out, a, err := f.client.Settle(context.Background(), f.mts, "P3", "", InteractiveSchedule)
	require.NoError(t, err)
	assert.Equal(t, NotPaid, out)
	assert.Equal(t, 11, a.Error)
}

func TestBalance(t *testing.T) {
	f := newFixture(t)
	f.net.answer = func(w http.ResponseWriter, in Fields) {
		writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"REST", "758388.01"}})
	}
	a, err := f.client.Balance(context.Background(), "B1")
	require.NoError(t, err)
	assert.True(t, a.OK())
	assert.Equal(t, money.Amount(75838801), a.Rest)
	assert.Equal(t, Fields{{"SD", "17031"}, {"AP", "17032"}, {"OP", "17034"}, {"SESSION", "B1"}, {"ACCEPT_KEYS", "64182"}}, f.net.last)
}

func TestBackoff(t *testing.T) {
	assert.Equal(t, 5*time.Minute, Backoff(0))
	assert.Equal(t, 6*time.Minute+30*time.Second, Backoff(1))
	assert.Equal(t, 2*time.Hour, Backoff(40))
	for n := 1; n < 40; n++ {
		assert.GreaterOrEqual(t, Backoff(n), Backoff(n-1))
	}
}

func TestNewConfigErrors(t *testing.T) {
	keys(t)
	tests := map[string]Config{
		"letters in SD":    {SD: "17O31", AP: "17032", OP: "17034", Key: dealerKey, Bank: bankKey.Public()},
		"no key":           {SD: "17031", AP: "17032", OP: "17034", Bank: bankKey.Public()},
		"no bank key":      {SD: "17031", AP: "17032", OP: "17034", Key: dealerKey},
		"http balance URL": {SD: "17031", AP: "17032", OP: "17034", Key: dealerKey, Bank: bankKey.Public(), BalanceURL: "http://cyberplat.example/x"},
	}
	for name, cfg := range tests {
		_, err := New(cfg)
		assert.Equal(t, KindConfig, KindOf(err), name)
	}
}

func TestNewSession(t *testing.T) {
	s := NewSession(t0)
	assert.Len(t, s, 20)
	assert.True(t, validSession(s))
	assert.Equal(t, "PD261126093000", s[:14])
	assert.NotEqual(t, s, NewSession(t0))
}

func TestLimitsOf(t *testing.T) {
	tests := []struct {
		name   string
		fields Fields
		want   Limits
		bad    string
	}{
		{"the balance alone (2012)", Fields{{"REST", "758388.01"}}, Limits{Rest: 758388_01}, ""},
		{"every limit", Fields{{"REST", "1500.00"}, {"REST_WO_LIMIT", "-500.00"}, {"AP_DAILY_LIMIT", "50000.00"}, {"AP_PAYMENT_LIMIT", "15000.00"}},
			Limits{Rest: 1500_00, RestWithoutLimit: -500_00, HasRestWithoutLimit: true, Daily: 50000_00, HasDaily: true, PerPayment: 15000_00, HasPerPayment: true}, ""},
		{"empty limits are not set", Fields{{"REST", "10.00"}, {"AP_DAILY_LIMIT", ""}, {"AP_PAYMENT_LIMIT", " "}}, Limits{Rest: 10_00}, ""},
		{"no REST", Fields{{"AP_DAILY_LIMIT", "1.00"}}, Limits{}, "REST"},
		{"a daily limit of letters", Fields{{"REST", "10.00"}, {"AP_DAILY_LIMIT", "много"}}, Limits{}, "AP_DAILY_LIMIT"},
		{"a negative payment limit", Fields{{"REST", "10.00"}, {"AP_PAYMENT_LIMIT", "-1.00"}}, Limits{}, "AP_PAYMENT_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.net.answer = func(w http.ResponseWriter, in Fields) {
				writeAnswer(t, w, bankKey, append(Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}}, tt.fields...))
			}
			a, err := f.client.Balance(context.Background(), "B1")
			require.NoError(t, err)
			got, err := LimitsOf(a)
			if tt.bad != "" {
				require.Error(t, err)
				assert.Equal(t, KindNoAnswer, KindOf(err))
				assert.Contains(t, err.(*Error).Msg().In("ru"), tt.bad)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
