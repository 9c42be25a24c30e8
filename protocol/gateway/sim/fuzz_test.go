package sim

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
	"paydesk/protocol/ipriv/ipritest"
)

var (
	fuzzOnce   sync.Once
	fuzzSim    *Sim
	fuzzDealer *ipriv.SecretKey
	fuzzBank   *ipriv.SecretKey
)

// fuzzTarget is one simulator shared by every fuzz input (as a long-running
// server is), on the real clock with a tiny training latency and 512-bit
// keys.
func fuzzTarget(t testing.TB) *Sim {
	fuzzOnce.Do(func() {
		fuzzDealer, fuzzBank = ipritest.DealerKey(), ipritest.BankKey()
		require.Equal(t, TrainingDealerSerial, fuzzDealer.Serial, "the test keys carry the training identities")
		require.Equal(t, TrainingBankSerial, fuzzBank.Serial)
		cat, err := gateway.DefaultCatalogue("http://127.0.0.1:8780")
		require.NoError(t, err)
		cfg := Config{Catalogue: cat, DealerKeys: &ipriv.Keyring{Keys: []*ipriv.PublicKey{fuzzDealer.Public()}},
			BankKey: fuzzBank, Clock: clock.Real{}, Balance: startBalance, TrainingLatency: time.Nanosecond}
		fuzzSim, err = New(cfg)
		require.NoError(t, err)
	})
	return fuzzSim
}

var fuzzPaths = []string{
	"/cgi-bin/mts/mts_pay_check.cgi/mts", "/cgi-bin/mts/mts_pay.cgi/mts", "/cgi-bin/mts/mts_pay_status.cgi",
	"/cgi-bin/es/es_pay_check.cgi/rostelecom", "/cgi-bin/es/es_pay.cgi/rostelecom", "/cgi-bin/status/get_rest.cgi",
}

// serve calls the handler directly; a dropped connection shows as the
// http.ErrAbortHandler panic.
func serve(s *Sim, path string, body []byte) (rec *httptest.ResponseRecorder, dropped bool) {
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	defer func() {
		if r := recover(); r != nil {
			if r != http.ErrAbortHandler { //nolint:errorlint // a panic value, compared as net/http does
				panic(r)
			}
			dropped = true
		}
	}()
	s.ServeHTTP(rec, req)
	return rec, false
}

// checkInvariants asserts what must hold for any answer: it is HTTP 200
// with a verifying document, or one of the faults; no SESSION is committed
// twice and the balance never goes negative.
func checkInvariants(t *testing.T, s *Sim, rec *httptest.ResponseRecorder, dropped, mayFault bool) {
	if dropped {
		require.True(t, mayFault, "dropped without a fault")
		return
	}
	switch rec.Code {
	case http.StatusOK:
		d, _, err := fuzzBank.Public().Verify(rec.Body.Bytes())
		if err != nil {
			require.True(t, mayFault, "answer does not verify: %v", err)
			return
		}
		a, err := gateway.ParseFields(d.Body)
		require.NoError(t, err)
		_, err = strconv.Atoi(a.Get("ERROR"))
		require.NoError(t, err, "ERROR=%q", a.Get("ERROR"))
		_, ok := a.Lookup("SESSION")
		require.True(t, ok)
	case http.StatusInternalServerError:
		require.True(t, mayFault)
	default:
		require.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, rec.Code)
	}
	require.GreaterOrEqual(t, s.Balance(), startBalance-startBalance)
	for _, p := range s.Payments() {
		require.Equal(t, 1, s.Committed(p.Session))
	}
}

// FuzzRequest feeds arbitrary bodies to every URL: nothing panics and every
// answer is a signed document.
func FuzzRequest(f *testing.F) {
	fuzzTarget(f)
	body, err := gateway.Fields{{Name: "SESSION", Value: "F1"}, {Name: "ACCEPT_KEYS", Value: "64182"}}.Encode()
	require.NoError(f, err)
	doc, err := fuzzDealer.Sign(body, ipriv.MD5, epoch)
	require.NoError(f, err)
	f.Add(uint8(2), gateway.FormBody(doc))
	f.Add(uint8(0), []byte("inputmessage="))
	f.Add(uint8(1), []byte("inputmessage=00000000"))
	f.Add(uint8(5), append([]byte("inputmessage="), doc...))
	f.Add(uint8(3), []byte("%"))
	f.Fuzz(func(t *testing.T, path uint8, body []byte) {
		s := fuzzTarget(t)
		rec, dropped := serve(s, fuzzPaths[int(path)%len(fuzzPaths)], body)
		checkInvariants(t, s, rec, dropped, false)
	})
}

// FuzzSignedFields signs arbitrary field text with the registered dealer key
// and sends it as check, then pay: past the signature, the field parsing
// and validation must hold up too.
func FuzzSignedFields(f *testing.F) {
	f.Add(uint8(0), []byte("SD=17031\r\nAP=17032\r\nOP=17034\r\nDATE=26.11.2026 12:00:00\r\nSESSION=Fz1\r\nNUMBER=9161234567\r\nAMOUNT=100.00\r\nAMOUNT_ALL=103.00\r\nACCEPT_KEYS=64182\r\n"))
	f.Add(uint8(3), []byte("SD=17031\r\nAP=17032\r\nOP=17034\r\nDATE=26.11.2026 12:00:00\r\nSESSION=Fz2\r\nACCOUNT=000000000502\r\nAMOUNT=100.00\r\nAMOUNT_ALL=100.00\r\nACCEPT_KEYS=64182-sha256\r\n"))
	f.Add(uint8(0), []byte("SD=17031\nAP=17032\nOP=17034\nSESSION=Fz3\nREQ_TYPE=1\nNUMBER=9000000023\nACCEPT_KEYS=1\n"))
	f.Add(uint8(0), []byte("ERROR_CODE=1\r\n=\r\nSESSION==\r\n\xff\xfe"))
	f.Fuzz(func(t *testing.T, which uint8, text []byte) {
		s := fuzzTarget(t)
		doc, err := fuzzDealer.Sign(text, ipriv.MD5, time.Now())
		if err != nil {
			require.True(t, errors.Is(err, ipriv.ErrSign), "%v", err)
			return
		}
		base := 0
		if which%2 == 1 {
			base = 3 // rostelecom
		}
		for _, p := range []string{fuzzPaths[base], fuzzPaths[base+1], fuzzPaths[base+2]} {
			rec, dropped := serve(s, p, gateway.FormBody(doc))
			checkInvariants(t, s, rec, dropped, true)
		}
	})
}

// formatFaults writes faults as ParseFaults reads them.
func formatFaults(f Faults) string {
	ops := func(o Op) string { return strings.ReplaceAll(o.String(), "|", "+") }
	var items []string
	if f.Latency != 0 {
		items = append(items, "latency="+f.Latency.String())
	}
	for _, x := range []struct {
		name string
		op   Op
	}{{"http500", f.HTTP500}, {"drop", f.Drop}, {"garble", f.Garble}, {"badsig", f.BadSignature}, {"wrongsession", f.WrongSession}} {
		if x.op != 0 {
			items = append(items, x.name+"="+ops(x.op))
		}
	}
	if f.Refuse != 0 {
		items = append(items, "refuse="+ops(f.Refuse)+":"+strconv.Itoa(f.RefuseCode))
	}
	if f.Stuck {
		items = append(items, "stuck")
	}
	if f.FailAfterCommit {
		items = append(items, "fail")
	}
	return strings.Join(items, ",")
}

// FuzzParseFaults reads the simulator's --faults flag. Faults that read
// hold only known request kinds, a latency that is not negative and a
// positive refusal code with its kinds, and written back read the same.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"", "drop=pay,latency=2s", "refuse=check+pay:30", "http500=all, garble=status ,stuck,fail",
		"badsig=balance,wrongsession=pay+status", "latency=-1s", "refuse=pay", "drop=pay+", "stuck=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fl, err := ParseFaults(s)
		if err != nil {
			require.Equal(t, Faults{}, fl)
			return
		}
		require.GreaterOrEqual(t, fl.Latency, time.Duration(0))
		for _, o := range []Op{fl.HTTP500, fl.Drop, fl.Garble, fl.BadSignature, fl.WrongSession, fl.Refuse} {
			require.Zero(t, o&^OpAll, "unknown kinds in %b", o)
		}
		require.Equal(t, fl.Refuse != 0, fl.RefuseCode > 0, "refuse %v code %d", fl.Refuse, fl.RefuseCode)
		again, err := ParseFaults(formatFaults(fl))
		require.NoError(t, err, formatFaults(fl))
		require.Equal(t, fl, again)
	})
}
