package gateway

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/ipriv"
	"paydesk/protocol/ipriv/ipritest"
)

// fuzzBankKeyText is a throw-away 1024-bit test key (serial 64182, userid
// 0J0005) made once with ipriv.GenerateKey and stored in clear. It is fixed
// so that the answers in testdata/fuzz/FuzzAnswer, signed with it, keep
// verifying: with a key made afresh every run the fuzzer would never get
// past the signature. It protects nothing. Line ends are CRLF in the file
// format; the text below has LF and fuzzBankKey restores them.
const fuzzBankKeyText = `0000081501NM000006790000048900000000
0J0005              00064182
                    00000000
BEGIN
lQHeAwAA+rZrB/wYAAABBADHmzk6FyU3AllkjmBJfhlJ+ArrzYVQ5/+AyVCp4o7I
E1LaDE+4ew8LmhLD4xXraR2JucK1jJAk9n7Jyz0DE3xHPdkfsscA0rPl9/Bh72CY
Ww6TEhzFehnGSPX3kJCg/MzbrpKtjBZixrCqZAtRVY12Rjg+Ka7q2MxoxDj6IC3b
WwARAQABAAP/Rw09fyya/ixTZsR5iN+en+Jv/MUBNi4HGLBQitCPM7ARN3XXcNs5
HU+ga2Mru8sEjTB3G0noS4gE1M8ILk6i11Y+GO7FhtRa3FQuCv18lLiIDEaX4y7M
2uAr+nB5VgIYpvOo6jHDGAspJqKs8jyREjs62glA3+Lxz/7EwKBBUk0CAN8vmrmE
4K6oyHXK/MMovWf7RexU/SvsK9z14mwtgqvr4QMc7/zPQxl5cYjVGpZZ5bb4a6NL
Cgllyubba9Dc+pUCAOT0HeH2Khsw6BwizbU39Q4B5Mk/lE3vsXHEw1VuXd2JuKSf
8QIIOueyquFlAbX5grJMY8suBe+pTfQNBWQP8i8CANFPG4IUFyWm7BAO0ikeKd0M
W6n8OV6zSWvNfciHjNrtLL17twgMejen6ASLgMCgdfDbQF6sXisb1qEHG1wJxCOi
GLQGMEowMDA1
=LkGu
END
BEGIN SIGNATURE

END SIGNATURE
`

// fuzzSession is the SESSION of every fuzzed request; the corpus answers
// echo it.
const fuzzSession = "FZ1"

var (
	fuzzOnce   sync.Once
	fuzzBank   *ipriv.SecretKey
	fuzzClient *Client
	fuzzMTS    *Provider
	fuzzWire   = &answerWire{}
)

// answerWire is the HTTP transport of the fuzzed client: it answers every
// request with the bytes set for the current input, without a network.
type answerWire struct {
	body        []byte
	contentType string
}

func (w *answerWire) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {w.contentType}}, Body: io.NopCloser(bytes.NewReader(w.body)), Request: r}, nil
}

// fuzzSetup loads the fixed bank key and builds one client for every input:
// the 512-bit test dealer key (every fuzzed request is signed, and under
// the fuzzer's instrumentation a 1024-bit signature costs several times
// more), the built-in catalogue on a base that only the fake transport
// ever sees.
func fuzzSetup(t testing.TB) {
	fuzzOnce.Do(func() {
		var err error
		fuzzBank, err = ipriv.ParseSecretKey([]byte(strings.ReplaceAll(fuzzBankKeyText, "\n", "\r\n")), nil)
		require.NoError(t, err)
		dealer := ipritest.DealerKey()
		cat, err := DefaultCatalogue("https://gw.test")
		require.NoError(t, err)
		fuzzMTS, err = cat.Find("mts")
		require.NoError(t, err)
		fuzzClient, err = New(Config{SD: "17031", AP: "17032", OP: "17034", Key: dealer, Bank: fuzzBank.Public(),
			BalanceURL: "https://gw.test/cgi-bin/status/get_rest.cgi", HTTP: &http.Client{Transport: fuzzWire},
			Clock: clock.NewFake(t0), Timeout: 5 * time.Second})
		require.NoError(t, err)
	})
}

// fuzzOps are the requests a fuzzed answer is fed to.
var fuzzOps = []string{"check", "pay", "status", "balance"}

// fuzzCall sends the request op through the whole client (sign, post,
// decompress, verify, parse).
func fuzzCall(op string) (*Answer, error) {
	ctx := context.Background()
	p := Payment{Provider: fuzzMTS, Session: fuzzSession, ID: "9161234567", Amount: 100_00, Total: 103_00}
	switch op {
	case "check":
		return fuzzClient.Check(ctx, p)
	case "pay":
		return fuzzClient.Pay(ctx, p)
	case "status":
		return fuzzClient.Status(ctx, fuzzMTS, fuzzSession, "")
	}
	return fuzzClient.Balance(ctx, fuzzSession)
}

// signedAnswer is a genuine answer to a fuzzed request, signed with the
// fixed bank key.
func signedAnswer(t testing.TB, text string) []byte {
	f, err := ParseFields([]byte(text))
	require.NoError(t, err)
	body, err := f.Encode()
	require.NoError(t, err)
	doc, err := fuzzBank.Sign(body, ipriv.MD5, t0)
	require.NoError(t, err)
	return doc
}

// FuzzAnswer feeds an HTTP answer body to the client as it comes off the
// network, for each kind of request, plain or zlib-compressed. Whatever the
// bytes, the client never panics and: an answer is believed only when it
// verifies with the bank key, echoes the SESSION and carries a numeric
// ERROR; every error is a *gateway.Error of a known kind with a message in
// both languages; an untrustworthy answer to pay is KindNoAnswer (the
// outcome is unknown, never failed), and so is a verified one that is not an
// acceptance (it comes with the answer); a refusal carries its verified
// answer; a pay answer taken as success carries a TRANSID of digits and no
// field of a check answer.
func FuzzAnswer(f *testing.F) {
	fuzzSetup(f)
	for i, text := range []string{
		"SESSION=FZ1\r\nERROR=0\r\nRESULT=0\r\nTRANSID=1000001\r\nDATE=26.11.2026 09:30:00\r\n",
		"DATE=26.11.2026 09:30:00\r\nSESSION=FZ1\r\nTRANSID=1000002\r\nAUTHCODE=123456\r\nERROR=0\r\nRESULT=0\r\nPRICE=100.00\r\nADDINFO=%C8%E2%E0%ED%EE%E2+%C8.%C8.\r\n",
		"SESSION=FZ1\r\nERROR=0\r\nRESULT=7\r\nTRANSID=1000003\r\n",
		"ERROR=0\r\nRESULT=0\r\nREST=-1234.56\r\n",
	} {
		f.Add(uint8(i), signedAnswer(f, text))
	}
	f.Add(uint8(4+1), signedAnswer(f, "SESSION=FZ1\r\nERROR_CODE=23\r\nERRMSG=Номер не обслуживается\r\nRESULT=1\r\n"))
	f.Add(uint8(4+2), signedAnswer(f, "SESSION=FZ1\r\nERROR=11\r\nRESULT=0\r\n"))
	f.Add(uint8(8+1), []byte("x\x9c"))
	// A check answer handed back to pay; a pay answer without TRANSID; an
	// answer in the kiosk's qCompress form.
	f.Add(uint8(1), signedAnswer(f, "SESSION=FZ1\r\nERROR=0\r\nRESULT=0\r\nOPNAME=\r\nACCOUNT=\r\nTRANSID=\r\nREST=99.25\r\n"))
	f.Add(uint8(1), signedAnswer(f, "SESSION=FZ1\r\nERROR=0\r\nRESULT=0\r\n"))
	f.Add(uint8(12+1), signedAnswer(f, "SESSION=FZ1\r\nERROR=0\r\nRESULT=0\r\nTRANSID=1000004\r\n"))
	f.Add(uint8(1), []byte("ERROR=0\r\nRESULT=0\r\n"))
	f.Fuzz(func(t *testing.T, mode uint8, raw []byte) {
		fuzzSetup(t)
		op := fuzzOps[int(mode)%len(fuzzOps)]
		// Bits 2-3: 0 plain, 1 the body zlib-compressed as the network may
		// send it, 2 the raw bytes labelled compressed, 3 the body in Qt's
		// qCompress form (length, then zlib) as the kiosk reads it.
		served := raw
		fuzzWire.contentType, fuzzWire.body = "text/plain; charset=windows-1251", raw
		switch mode >> 2 & 3 {
		case 1:
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			_, _ = zw.Write(raw)
			require.NoError(t, zw.Close())
			fuzzWire.contentType, fuzzWire.body = "application/x-gzip", z.Bytes()
		case 2:
			fuzzWire.contentType, served = "application/x-gzip", nil
		case 3:
			var z bytes.Buffer
			z.Write(binary.BigEndian.AppendUint32(nil, uint32(len(raw))))
			zw := zlib.NewWriter(&z)
			_, _ = zw.Write(raw)
			require.NoError(t, zw.Close())
			fuzzWire.contentType, fuzzWire.body = "application/x-gzip", z.Bytes()
		}
		a, err := fuzzCall(op)
		if err != nil {
			var ge *Error
			require.ErrorAs(t, err, &ge)
			require.Equal(t, op, ge.Op)
			require.Equal(t, fuzzSession, ge.Session)
			require.NotEmpty(t, ge.Msg().In("ru"))
			require.NotEmpty(t, ge.Msg().In("en"))
			switch ge.Kind {
			case KindNoAnswer:
				if op == "pay" {
					require.Equal(t, ClassStatus, ge.Class(), "an untrustworthy answer to pay leaves the outcome unknown")
				}
				if a != nil {
					require.Equal(t, "pay", op, "only pay returns an answer with KindNoAnswer")
					require.Equal(t, 0, a.Error)
					require.NotEmpty(t, notAcceptance(a), "an answer to pay that is not an acceptance")
					require.Equal(t, "gateway.pay_not_accepted", ge.Text.Key)
				}
			case KindRefused:
				require.NotEqual(t, "status", op, "a refusal is an answer for status")
				require.NotNil(t, a)
				require.False(t, op == "pay" && a.Error == 0, "ERROR=0 to pay is never a refusal")
				require.False(t, a.OK())
				require.Equal(t, a.Error, ge.Code)
				require.Equal(t, a.Result, ge.Result)
				if ge.Code == 0 {
					require.Equal(t, ClassRetry, ge.Class(), "ERROR=0 without RESULT=0 may be tried again")
					require.NotEqual(t, Lookup(0).Msg().In("en"), ge.Msg().In("en"))
				}
			default:
				t.Fatalf("error of kind %v: %v", ge.Kind, err)
			}
		} else {
			require.NotNil(t, a)
			if op != "status" {
				require.True(t, a.OK())
			}
			if op == "pay" {
				require.Empty(t, notAcceptance(a))
				require.NotEmpty(t, a.TransID)
				for _, name := range checkOnlyFields {
					_, has := a.Fields.Lookup(name)
					require.False(t, has, "a pay answer taken as success carries no %s", name)
				}
			}
		}
		if a != nil {
			checkAnswer(t, op, a, served)
		}
	})
}

// checkAnswer asserts what a believed answer must satisfy.
func checkAnswer(t *testing.T, op string, a *Answer, served []byte) {
	t.Helper()
	d, _, err := fuzzBank.Public().Verify(a.Document)
	require.NoError(t, err, "a believed answer verifies with the bank key")
	if served != nil {
		require.Equal(t, served, a.Document)
	}
	require.Equal(t, op, a.Op)
	f := ParseAnswerFields(d.Body) // the fuzzed provider marks no field encoded
	require.Equal(t, f, a.Fields)
	require.True(t, a.Session == fuzzSession || op == "balance" && a.Session == "", "SESSION %q", a.Session)
	e, ok := f.Lookup("ERROR")
	require.True(t, ok)
	n, err := strconv.Atoi(strings.TrimSpace(e))
	require.NoError(t, err)
	require.Equal(t, n, a.Error)
	if r := strings.TrimSpace(f.Get("RESULT")); r == "" {
		require.Equal(t, -1, a.Result)
	} else {
		n, err := strconv.Atoi(r)
		require.NoError(t, err)
		require.Equal(t, n, a.Result)
	}
	// REST and PRICE are read when they are amounts, and then exactly.
	rest, err := parseSigned(strings.TrimSpace(f.Get("REST")))
	require.Equal(t, err == nil, a.HasRest)
	if a.HasRest {
		require.Equal(t, rest, a.Rest)
		again, err := parseSigned(a.Rest.String())
		require.NoError(t, err)
		require.Equal(t, a.Rest, again)
	}
	price, err := money.Parse(strings.TrimSpace(f.Get("PRICE")))
	require.Equal(t, err == nil, a.HasPrice)
	if a.HasPrice {
		require.Equal(t, price, a.Price)
		require.GreaterOrEqual(t, a.Price, money.Amount(0))
	}
	o := StatusOutcome(a)
	require.True(t, o >= Unknown && o <= Failed)
	require.NotEmpty(t, o.String())
	// The fields survive a round trip when windows-1251 can carry them.
	if enc, err := a.Fields.Encode(); err == nil {
		again, err := ParseFields(enc)
		require.NoError(t, err)
		require.Equal(t, a.Fields, again)
	}
}

// FuzzSignedAnswer signs arbitrary answer text with the bank key and reads
// it as the client does, so that the fuzzer works past the signature on the
// typed fields: an answer is read or refused, never half-read, and what is
// read agrees with its fields.
func FuzzSignedAnswer(f *testing.F) {
	fuzzSetup(f)
	f.Add(uint8(0), []byte("SESSION=FZ1\r\nERROR=0\r\nRESULT=0\r\nTRANSID=1000001\r\n"))
	f.Add(uint8(2), []byte("SESSION=FZ1\nERROR= 0 \nRESULT= 7\nAUTHCODE=1\n"))
	f.Add(uint8(3), []byte("ERROR=0\r\nRESULT=0\r\nREST=-0.5\r\n"))
	f.Add(uint8(1), []byte("SESSION=FZ1\r\nERROR_CODE=7\r\nERROR=8\r\nRESULT=\r\nPRICE=1,5\r\nADDINFO=%FF%+\r\n"))
	f.Add(uint8(0), []byte("SESSION=FZ2\r\nERROR=x\r\n"))
	f.Fuzz(func(t *testing.T, which uint8, text []byte) {
		fuzzSetup(t)
		op := fuzzOps[int(which)%len(fuzzOps)]
		doc, err := fuzzBank.Sign(text, ipriv.MD5, t0)
		if err != nil {
			require.ErrorIs(t, err, ipriv.ErrSign)
			return
		}
		a, err := fuzzClient.read(op, fuzzSession, doc, nil)
		if err != nil {
			require.Nil(t, a)
			return
		}
		checkAnswer(t, op, a, doc)
	})
}

// FuzzCatalogue reads a provider catalogue as a file gives it. A catalogue
// that loads satisfies every rule the loader claims to check, and written
// back as YAML it loads to the same catalogue; one that does not is a
// KindConfig error with a message in both languages.
func FuzzCatalogue(f *testing.F) {
	f.Add(defaultCatalogue, "http://127.0.0.1:8780")
	f.Add([]byte("providers:\n  - {code: x, name: X, group: mobile, check_url: /c, pay_url: /p, status_url: /s}\n"), "https://service.cyberplat.ru/")
	f.Add([]byte("providers:\n  - code: kvartplata\n    name: ЖКУ\n    group: utilities\n    field: account\n"+
		"    pattern: '^\\d{12}$'\n    min: '10'\n    max: '50000.00'\n    commission: 1.5%\n    extra: {SERVICE: '7'}\n"+
		"    check_url: ' https://gw.test/cgi-bin/es/es_pay_check.cgi '\n    pay_url: https://gw.test/cgi-bin/es/es_pay.cgi\n"+
		"    status_url: https://gw.test/cgi-bin/es/es_pay_status.cgi\n"+
		"    supplier: {name: ООО \"УК\", inn: '7701234567', phone: '+74950000000'}\n"), "")
	f.Add([]byte("providers: []\n"), "")
	f.Fuzz(func(t *testing.T, b []byte, base string) {
		c, err := ParseCatalogue(b, base)
		if err != nil {
			var ge *Error
			require.ErrorAs(t, err, &ge)
			require.Equal(t, KindConfig, ge.Kind)
			require.NotEmpty(t, ge.Msg().In("ru"))
			require.NotEmpty(t, ge.Msg().In("en"))
			return
		}
		require.NotEmpty(t, c.Providers)
		seen := map[string]bool{}
		var doc struct {
			Providers []ProviderFile `yaml:"providers"`
		}
		for _, p := range c.Providers {
			checkProvider(t, p)
			require.False(t, seen[p.Code], "code %q twice", p.Code)
			seen[p.Code] = true
			found, err := c.Find(p.Code)
			require.NoError(t, err)
			require.Same(t, p, found)
			doc.Providers = append(doc.Providers, p.File())
		}
		out, err := yaml.Marshal(doc)
		require.NoError(t, err)
		again, err := ParseCatalogue(out, "")
		require.NoError(t, err, "the catalogue written back:\n%s", out)
		require.Len(t, again.Providers, len(c.Providers))
		for i, p := range c.Providers {
			q := again.Providers[i]
			require.Equal(t, p.Pattern.String(), q.Pattern.String())
			p2, q2 := *p, *q
			p2.Pattern, q2.Pattern = nil, nil
			if len(p2.Extra) == 0 && len(q2.Extra) == 0 {
				p2.Extra, q2.Extra = nil, nil
			}
			require.Equal(t, p2, q2)
		}
	})
}

// checkProvider asserts the rules ParseCatalogue promises for an entry.
func checkProvider(t *testing.T, p *Provider) {
	t.Helper()
	require.NotEmpty(t, p.Code)
	require.NotEmpty(t, p.Name)
	require.Contains(t, Groups, p.Group)
	require.Contains(t, []string{"NUMBER", "ACCOUNT"}, p.Field)
	for _, s := range []string{p.CheckURL, p.PayURL, p.StatusURL} {
		u, err := url.Parse(s)
		require.NoError(t, err, s)
		require.NotEmpty(t, u.Host, s)
		require.Contains(t, []string{"http", "https"}, u.Scheme, s)
	}
	require.NotNil(t, p.Pattern)
	require.Greater(t, p.Min, money.Amount(0))
	require.LessOrEqual(t, p.Min, p.Max)
	require.LessOrEqual(t, p.Max, money.Max)
	require.GreaterOrEqual(t, p.Commission, money.Rate(0))
	require.LessOrEqual(t, p.Commission, money.Rate(100_00))
	if inn := p.Supplier.INN; inn != "" {
		require.Contains(t, []int{10, 12}, len(inn))
		require.Empty(t, strings.Trim(inn, "0123456789"))
	}
	if ph := p.Supplier.Phone; ph != "" {
		require.Regexp(t, `^\+\d{5,18}$`, ph)
	}
	require.NoError(t, p.CheckAmount(p.Min))
	require.NoError(t, p.CheckAmount(p.Max))
	require.Error(t, p.CheckAmount(p.Min-1))
	// Validate accepts only what matches the pattern, normalised, up to 20
	// characters, and says why in both languages otherwise.
	for _, id := range []string{"9161234567", "+7 (916) 123-45-67", "000000000502", "", "x"} {
		n, err := p.Validate(id)
		if err != nil {
			var ge *Error
			require.ErrorAs(t, err, &ge)
			require.Equal(t, KindInput, ge.Kind)
			require.NotEmpty(t, ge.Msg().In("ru"))
			require.NotEmpty(t, ge.Msg().In("en"))
			continue
		}
		require.NotEmpty(t, n)
		require.LessOrEqual(t, len(n), 20)
		require.True(t, p.Pattern.MatchString(n))
		require.Equal(t, n, p.Normalize(id))
	}
}

// FuzzDecodeURLValue: decoding an ADDINFO value never panics, leaves a
// value without escapes alone, and undoes the windows-1251 percent-encoding
// of any text windows-1251 can carry.
func FuzzDecodeURLValue(f *testing.F) {
	f.Add("%C8%E2%E0%ED%EE%E2+%C8.%C8.")
	f.Add("100%")
	f.Add("Иванов И.И.")
	f.Fuzz(func(t *testing.T, v string) {
		d := DecodeURLValue(v)
		if !strings.ContainsAny(v, "%+") {
			require.Equal(t, v, d)
		}
		enc, err := Fields{{"X", v}}.Encode()
		if err != nil {
			return
		}
		raw := enc[2 : len(enc)-2]
		require.Equal(t, v, DecodeURLValue(url.QueryEscape(string(raw))), "escaped %q", url.QueryEscape(string(raw)))
	})
}
