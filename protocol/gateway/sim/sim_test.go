package sim

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

func TestCheckPayStatusBalance(t *testing.T) {
	e := newEnv(t, nil)
	s := newSession()

	a := e.check("mts", s, "9161234567", "500.00")
	requireResult(t, a, 0, "0")
	assert.Equal(t, "26.11.2026 12:00:00", a.Get("DATE"), "Moscow time")
	assert.Equal(t, s, a.Get("SESSION"))
	assert.Equal(t, "МТС", a.Get("OPNAME"))
	assert.Equal(t, "100000.00", a.Get("REST"))
	assert.Contains(t, a.Get("ADDINFO"), "916****567")
	assert.Equal(t, ipriv.MD5, a.Hash)

	e.clk.Advance(time.Minute)
	a = e.pay("mts", s, "9161234567", "500.00")
	requireResult(t, a, 0, "0")
	assert.Regexp(t, `^\d{13}$`, a.Get("TRANSID"))
	assert.Regexp(t, `^\d+$`, a.Get("AUTHCODE"))
	trans := a.Get("TRANSID")
	assert.Equal(t, 1, e.sim.Committed(s))
	assert.Equal(t, startBalance-515_00, e.sim.Balance(), "AMOUNT_ALL is debited")

	a = e.status("mts", s)
	requireResult(t, a, 0, "3")
	assert.Equal(t, trans, a.Get("TRANSID"))
	assert.Equal(t, "26.11.2026 12:01:00", a.Get("DATE"), "status DATE is the transaction's")
	e.clk.Advance(10 * time.Second)
	a = e.status("mts", s)
	requireResult(t, a, 0, "7")
	assert.Equal(t, trans, a.Get("TRANSID"))

	a = e.do(e.balanceURL(), append(e.base(newSession()), gateway.Field{Name: "ACCEPT_KEYS", Value: "64182"}))
	requireResult(t, a, 0, "0")
	assert.Equal(t, "99485.00", a.Get("REST"))
	assert.Equal(t, "99485.00", a.Get("REST_WO_LIMIT"))

	pays := e.sim.Payments()
	require.Len(t, pays, 1)
	assert.Equal(t, Payment{Session: s, Provider: "mts", Number: "9161234567", Amount: 500_00, AmountAll: 515_00,
		TransID: trans, AuthCode: pays[0].AuthCode, At: epoch.Add(time.Minute), Result: 7, Error: 0}, pays[0])
	assert.Equal(t, 1, e.sim.Requests(OpPay))
	assert.Equal(t, 2, e.sim.Requests(OpStatus))
	assert.Equal(t, 5, e.sim.Requests(OpAll))
}

func TestAccountProviderAndSHA256(t *testing.T) {
	e := newEnv(t, nil)
	p := e.provider("rostelecom")
	s := newSession()
	f := e.payFields(p, s, "123456789012", "1000.00")
	f.Set("ACCEPT_KEYS", "64182-sha256")
	a := e.do(p.CheckURL, f)
	requireResult(t, a, 0, "0")
	assert.Equal(t, ipriv.SHA256, a.Hash)
	assert.Equal(t, "123456789012", a.Get("ACCOUNT"))
	a = e.do(p.PayURL, f)
	requireResult(t, a, 0, "0")
	assert.Equal(t, ipriv.SHA256, a.Hash)
}

func TestNumberOnlyCheck(t *testing.T) {
	e := newEnv(t, nil)
	p := e.provider("beeline")
	s := newSession()
	f := e.base(s)
	f = append(f, gateway.Field{Name: "NUMBER", Value: "9031234567"}, gateway.Field{Name: "REQ_TYPE", Value: "1"},
		gateway.Field{Name: "AMOUNT", Value: "junk"}, gateway.Field{Name: "ACCEPT_KEYS", Value: "64182"})
	a := e.do(p.CheckURL, f)
	requireResult(t, a, 0, "0")
	assert.Equal(t, "Билайн", a.Get("OPNAME"))

	requireResult(t, e.pay("beeline", s, "9031234567", "100.00"), 11, "1")
	requireResult(t, e.status("beeline", s), 11, "")
	requireResult(t, e.check("beeline", s, "9031234567", "100.00"), 1, "1")

	f.Set("SESSION", newSession())
	f.Set("NUMBER", "903123456")
	requireResult(t, e.do(p.CheckURL, f), 8, "1")
	assert.Equal(t, 0, e.sim.Committed(s))
}

// step is one request of a scenario.
type step struct {
	op      Op
	prov    string
	session int // index into the scenario's sessions
	id      string
	amount  string
	advance time.Duration // clock moved before the request
	mod     func(f *gateway.Fields)
	key     *ipriv.SecretKey
}

func TestErrorCodes(t *testing.T) {
	unregistered := *impostor
	unregistered.Serial = 17099
	tests := []struct {
		name    string
		cfg     func(*Config)
		steps   []step // all but the last must succeed
		err     int
		result  string
		balance money.Amount // expected balance after, 0: unchanged
	}{
		{name: "1 duplicate session on check", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpCheck, prov: "mts", id: "9167654321", amount: "200.00"}}, err: 1, result: "1"},
		{name: "1 pay repeated after commit", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00"}}, err: 1, result: "1", balance: startBalance - 103_00},
		{name: "2 wrong SD", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("SD", "1") }}}, err: 2, result: "1"},
		{name: "3 wrong AP", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("AP", "1") }}}, err: 3, result: "1"},
		{name: "4 wrong OP", steps: []step{{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("OP", "") }}}, err: 4, result: "1"},
		{name: "4 wrong OP on status", steps: []step{{op: OpStatus, prov: "mts",
			mod: func(f *gateway.Fields) { f.Set("OP", "17035") }}}, err: 4},
		{name: "5 session too long", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("SESSION", strings.Repeat("A", 21)) }}}, err: 5, result: "1"},
		{name: "5 session not Latin", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("SESSION", "Сессия1") }}}, err: 5, result: "1"},
		{name: "5 session with a dash", steps: []step{{op: OpStatus, prov: "mts",
			mod: func(f *gateway.Fields) { f.Set("SESSION", "A-1") }}}, err: 5},
		{name: "5 empty session", steps: []step{{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("SESSION", "") }}}, err: 5, result: "1"},
		{name: "6 signed by another key with the dealer's serial", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00", key: impostor}}, err: 6, result: "1"},
		{name: "134 key serial not registered", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00", key: &unregistered}}, err: 134, result: "1"},
		{name: "7 amount without decimals", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("AMOUNT", "100") }}}, err: 7, result: "1"},
		{name: "7 amount with three decimals", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("AMOUNT", "100.000") }}}, err: 7, result: "1"},
		{name: "7 amount with a comma", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("AMOUNT_ALL", "103,00") }}}, err: 7, result: "1"},
		{name: "7 amount below the minimum", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "9.99"}}, err: 7, result: "1"},
		{name: "7 amount above the maximum", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "15000.01"}}, err: 7, result: "1"},
		{name: "8 number not the pattern", steps: []step{{op: OpCheck, prov: "megafon", id: "8261234567", amount: "100.00"}}, err: 8, result: "1"},
		{name: "8 number with +7", steps: []step{{op: OpCheck, prov: "tele2", id: "+79771234567", amount: "100.00"}}, err: 8, result: "1"},
		{name: "9 account not the pattern", steps: []step{{op: OpCheck, prov: "mosenergo", id: "12345", amount: "100.00"}}, err: 9, result: "1"},
		{name: "10 no ACCEPT_KEYS", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("ACCEPT_KEYS", "") }}}, err: 10, result: "1"},
		{name: "10 bad DATE", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("DATE", "2026-11-26 12:00:00") }}}, err: 10, result: "1"},
		{name: "10 bad REQ_TYPE", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("REQ_TYPE", "2") }}}, err: 10, result: "1"},
		{name: "11 pay of an unknown session", steps: []step{{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00"}}, err: 11, result: "1"},
		{name: "11 status of an unknown session", steps: []step{{op: OpStatus, prov: "mts"}}, err: 11},
		{name: "17 pay with another number", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234568", amount: "100.00"}}, err: 17, result: "1"},
		{name: "18 pay with another amount", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234567", amount: "100.01"}}, err: 18, result: "1"},
		{name: "19 pay with another account", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00",
				mod: func(f *gateway.Fields) { f.Set("ACCOUNT", "42") }}}, err: 19, result: "1"},
		{name: "21 insufficient funds", cfg: func(c *Config) { c.Balance = 100_00 }, steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00"}}, err: 21, result: "1", balance: 100_00},
		{name: "23 not this operator's number", steps: []step{{op: OpCheck, prov: "mts", id: "9000000023", amount: "100.00"}}, err: 23, result: "1"},
		{name: "23 not this provider's account", steps: []step{{op: OpCheck, prov: "rostelecom", id: "000000000023", amount: "100.00"}}, err: 23, result: "1"},
		{name: "32 same payment within the hour", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpCheck, prov: "mts", session: 1, id: "9161234567", amount: "100.00", advance: 59 * time.Minute},
			{op: OpPay, prov: "mts", session: 1, id: "9161234567", amount: "100.00"}}, err: 32, result: "1", balance: startBalance - 103_00},
		{name: "37 pay at another gateway", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "beeline", id: "9161234567", amount: "100.00"}}, err: 37, result: "1"},
		{name: "37 pay for another provider of the same gateway", steps: []step{
			{op: OpCheck, prov: "rostelecom", id: "123456789012", amount: "100.00"},
			{op: OpPay, prov: "domru", id: "123456789012", amount: "100.00",
				mod: func(f *gateway.Fields) { f.Set("AMOUNT_ALL", "102.50") }}}, err: 37, result: "1"},
		{name: "38 pay more than an hour after check", steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00"},
			{op: OpPay, prov: "mts", id: "9161234567", amount: "100.00", advance: time.Hour + time.Second}}, err: 38, result: "1"},
		{name: "81 above the dealer's maximum", cfg: func(c *Config) { c.MaxPayment = 1000_00 }, steps: []step{
			{op: OpCheck, prov: "mts", id: "9161234567", amount: "1000.01"}}, err: 81, result: "1"},
		{name: "85 AMOUNT_ALL below AMOUNT", steps: []step{{op: OpCheck, prov: "mts", id: "9161234567", amount: "100.00",
			mod: func(f *gateway.Fields) { f.Set("AMOUNT_ALL", "99.99") }}}, err: 85, result: "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.cfg)
			sessions := []string{newSession(), newSession()}
			var a answer
			for i, st := range tc.steps {
				e.clk.Advance(st.advance)
				p := e.provider(st.prov)
				var f gateway.Fields
				url := p.CheckURL
				switch st.op {
				case OpCheck:
					f = e.payFields(p, sessions[st.session], st.id, st.amount)
				case OpPay:
					f, url = e.payFields(p, sessions[st.session], st.id, st.amount), p.PayURL
				case OpStatus:
					f, url = e.statusFields(sessions[st.session]), p.StatusURL
				}
				if st.mod != nil {
					st.mod(&f)
				}
				key := st.key
				if key == nil {
					key = tk.Dealer
				}
				a = e.send(url, f, key)
				if i < len(tc.steps)-1 {
					requireResult(t, a, 0, "0")
				}
			}
			requireResult(t, a, tc.err, tc.result)
			assert.Equal(t, gateway.Lookup(tc.err).Msg().In("ru"), a.Get("ERRMSG"))
			want := tc.balance
			if want == 0 {
				want = e.sim.cfg.Balance
			}
			assert.Equal(t, want, e.sim.Balance())
			for _, s := range sessions {
				assert.LessOrEqual(t, e.sim.Committed(s), 1)
			}
		})
	}
}

func TestSamePaymentAfterAnHour(t *testing.T) {
	e := newEnv(t, nil)
	s1, s2 := newSession(), newSession()
	requireResult(t, e.check("mts", s1, "9161234567", "100.00"), 0, "0")
	requireResult(t, e.pay("mts", s1, "9161234567", "100.00"), 0, "0")
	e.clk.Advance(time.Hour)
	requireResult(t, e.check("mts", s2, "9161234567", "100.00"), 0, "0")
	requireResult(t, e.pay("mts", s2, "9161234567", "100.00"), 0, "0")
	assert.Len(t, e.sim.Payments(), 2)
}

func TestRefusedPayLeavesSessionChecked(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Balance = 50_00 })
	s := newSession()
	requireResult(t, e.check("mts", s, "9161234567", "100.00"), 0, "0")
	requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 21, "1")
	requireResult(t, e.status("mts", s), 0, "1")
	require.NoError(t, e.sim.SetBalance(500_00))
	requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 0, "0")
	assert.Equal(t, money.Amount(397_00), e.sim.Balance())
}

func TestUnsignedAndMalformedRequests(t *testing.T) {
	e := newEnv(t, nil)
	p := e.provider("mts")
	s := newSession()
	f := e.payFields(p, s, "9161234567", "100.00")
	body, err := f.Encode()
	require.NoError(t, err)
	doc, err := tk.Dealer.Sign(body, ipriv.MD5, epoch)
	require.NoError(t, err)
	tampered := []byte(strings.Replace(string(doc), "AMOUNT=100.00", "AMOUNT=900.00", 1))

	tests := []struct {
		name    string
		body    []byte
		err     int
		session string
	}{
		{"no inputmessage", []byte("message=x"), 10, ""},
		{"not a form", []byte("%zz"), 10, ""},
		{"not a document", gateway.FormBody([]byte("SESSION=1\r\n")), 6, ""},
		{"tampered after signing", gateway.FormBody(tampered), 6, s},
		{"CRLF turned into LF", gateway.FormBody([]byte(strings.ReplaceAll(string(doc), "\r\n", "\n"))), 6, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, b, err := e.postRaw(p.CheckURL, tc.body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, code)
			a, err := verify(t, b)
			require.NoError(t, err)
			requireResult(t, a, tc.err, "1")
			assert.Equal(t, tc.session, a.Get("SESSION"))
		})
	}
	assert.Empty(t, e.sim.Sessions())
}

func TestRouting(t *testing.T) {
	e := newEnv(t, nil)
	s := newSession()
	f := e.payFields(e.provider("mts"), s, "9161234567", "100.00")

	// A provider code the catalogue does not know: ERROR 15.
	a := e.do(e.srv.URL+"/cgi-bin/mts/mts_pay_check.cgi/nosuch", f)
	requireResult(t, a, 15, "1")
	// Status on a gateway directory the catalogue does not list still works.
	requireResult(t, e.do(e.srv.URL+"/cgi-bin/zz/zz_pay_status.cgi", e.statusFields(s)), 11, "")

	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodPost, "/cgi-bin/mts/nothing.cgi", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusNotFound},
		{http.MethodPost, "/cgi-bin/mts/mts_pay_check.cgi", http.StatusNotFound},
		{http.MethodGet, "/cgi-bin/mts/mts_pay_check.cgi/mts", http.StatusMethodNotAllowed},
	} {
		req, err := http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader("inputmessage="))
		require.NoError(t, err)
		resp, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tc.code, resp.StatusCode, "%s %s", tc.method, tc.path)
	}

	// A catalogue resolved against another host routes by path.
	other, err := gateway.DefaultCatalogue("https://service.example.net")
	require.NoError(t, err)
	cfg := e.sim.cfg
	cfg.Catalogue = other
	sim2, err := New(cfg)
	require.NoError(t, err)
	r, ok := sim2.routeOf("/cgi-bin/b2/b2_pay.cgi/beeline")
	require.True(t, ok)
	assert.Equal(t, OpPay, r.op)
	assert.Equal(t, "beeline", r.provider.Code)
	assert.Equal(t, "b2", r.gw)
}

func TestConcurrentPaysCommitOnce(t *testing.T) {
	e := newEnv(t, nil)
	s := newSession()
	requireResult(t, e.check("tele2", s, "9771234567", "300.00"), 0, "0")
	p := e.provider("tele2")
	bodies := make([][]byte, 16)
	for i := range bodies {
		bodies[i] = e.signed(e.payFields(p, s, "9771234567", "300.00"), tk.Dealer)
	}
	var wg sync.WaitGroup
	results := make([]string, len(bodies))
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, b, err := e.postRaw(p.PayURL, bodies[i])
			if err != nil || code != http.StatusOK {
				results[i] = "transport"
				return
			}
			a, err := verify(t, b)
			if err != nil {
				results[i] = "verify"
				return
			}
			results[i] = a.Get("ERROR")
		}()
	}
	wg.Wait()
	n0, n1 := 0, 0
	for _, r := range results {
		switch r {
		case "0":
			n0++
		case "1":
			n1++
		}
	}
	assert.Equal(t, 1, n0, "%v", results)
	assert.Equal(t, len(bodies)-1, n1, "%v", results)
	assert.Equal(t, 1, e.sim.Committed(s))
	assert.Equal(t, startBalance-309_00, e.sim.Balance())
}

func TestAnswersAreWindows1251(t *testing.T) {
	e := newEnv(t, nil)
	p := e.provider("mts")
	code, b, err := e.postRaw(p.CheckURL, e.signed(e.payFields(p, newSession(), "9161234567", "100.00"), tk.Dealer))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	// "МТС" in windows-1251 is CC D2 D1.
	assert.Contains(t, string(b), "OPNAME=\xcc\xd2\xd1\r\n")
	assert.Regexp(t, regexp.MustCompile(`^\d{8}01SM`), string(b[:12]))
	assert.Contains(t, string(b[36:68]), "0J0005              00064182")
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	cat, err := gateway.DefaultCatalogue("http://127.0.0.1:1")
	require.NoError(t, err)
	for _, cfg := range []Config{
		{DealerKeys: tk.DealerKeys, BankKey: tk.Bank},
		{Catalogue: cat, BankKey: tk.Bank},
		{Catalogue: cat, DealerKeys: tk.DealerKeys},
		{Catalogue: cat, DealerKeys: tk.DealerKeys, BankKey: tk.Bank, Balance: -1},
	} {
		_, err := New(cfg)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, KindConfig, se.Kind)
	}
}

func TestErrorMessagesTravelInWindows1251(t *testing.T) {
	for _, c := range gateway.Codes() {
		assert.Equal(t, gateway.Lookup(c).Msg().In("ru"), safeText(gateway.Lookup(c).Msg().In("ru")), "ERROR %d", c)
	}
	assert.Equal(t, "Оператор ? 1?2", safeText("Оператор 😀 1\n2"))
	p := &gateway.Provider{Name: "Очень длинное название оператора", Field: "NUMBER"}
	assert.Equal(t, "Очень длинное назван", opName(p))
	assert.Equal(t, "Очень длинное название оператора: Абонент 916****567", addInfo(p, "9161234567"))
}
