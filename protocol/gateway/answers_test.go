package gateway

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/binary"
	"net/http"
	"testing"

	"paydesk/internal/i18n"
	"paydesk/protocol/ipriv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// signText signs the answer text exactly as given (windows-1251 bytes, any
// lines) with the key.
func signText(t testing.TB, key *ipriv.SecretKey, text string) []byte {
	t.Helper()
	doc, err := key.Sign([]byte(text), ipriv.MD5, t0)
	require.NoError(t, err)
	return doc
}

func zlibOf(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func gzipOf(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// qCompressOf is Qt's qCompress form: the uncompressed length as 4 bytes
// big-endian, then a zlib stream; n is the length written.
func qCompressOf(t testing.TB, b []byte, n int) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(n)), zlibOf(t, b)...)
}

// TestCompressedAnswers: an answer labelled compressed (Content-Type
// application/x-gzip, or Content-Encoding gzip the transport left alone) is
// read in the kiosk's qUncompress form, as gzip or as bare zlib, told apart
// by its bytes; anything else so labelled, a qUncompress length that does
// not match, or more than maxAnswer unpacked, is no trustworthy answer.
func TestCompressedAnswers(t *testing.T) {
	keys(t)
	ok := func(t *testing.T, in Fields) []byte {
		return signAnswer(t, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"}, {"TRANSID", "1000010856873"}})
	}
	bomb := make([]byte, maxAnswer+1)
	tests := map[string]struct {
		contentType, contentEncoding string
		plainTransport               bool // a transport that does not undo Content-Encoding itself
		body                         func(t *testing.T, in Fields) []byte
		wantErr                      string // in the error's text; "" when the answer is read
		readable                     bool   // unpacked well, but what it unpacks to is no signed answer
	}{
		"qCompress, the kiosk's form": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			doc := ok(t, in)
			return qCompressOf(t, doc, len(doc))
		}},
		"gzip": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte { return gzipOf(t, ok(t, in)) }},
		"bare zlib": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			return zlibOf(t, ok(t, in))
		}},
		"x-gzip with parameters": {contentType: "application/x-gzip; charset=windows-1251", body: func(t *testing.T, in Fields) []byte {
			doc := ok(t, in)
			return qCompressOf(t, doc, len(doc))
		}},
		"Content-Encoding gzip, undone by the transport": {contentType: "text/plain", contentEncoding: "gzip",
			body: func(t *testing.T, in Fields) []byte { return gzipOf(t, ok(t, in)) }},
		"Content-Encoding gzip, left to the client": {contentType: "text/plain", contentEncoding: "gzip", plainTransport: true,
			body: func(t *testing.T, in Fields) []byte { return gzipOf(t, ok(t, in)) }},
		"Content-Encoding gzip over qCompress": {contentType: "application/octet-stream", contentEncoding: "gzip", plainTransport: true,
			body: func(t *testing.T, in Fields) []byte {
				doc := ok(t, in)
				return qCompressOf(t, doc, len(doc))
			}},

		"labelled compressed, not compressed": {contentType: "application/x-gzip", body: ok, wantErr: "not qCompress, gzip or zlib"},
		"qCompress length too small": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			doc := ok(t, in)
			return qCompressOf(t, doc, len(doc)-1)
		}, wantErr: "does not match"},
		"qCompress length too large": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			doc := ok(t, in)
			return qCompressOf(t, doc, len(doc)+1)
		}, wantErr: "does not match"},
		"qCompress length beyond the limit": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			return qCompressOf(t, ok(t, in), maxAnswer+1)
		}, wantErr: "larger than"},
		"truncated zlib": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			z := zlibOf(t, ok(t, in))
			return z[:len(z)/2]
		}, wantErr: "compressed answer"},
		"truncated gzip": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			z := gzipOf(t, ok(t, in))
			return z[:len(z)-6]
		}, wantErr: "compressed answer"},
		"zip bomb, zlib": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			return zlibOf(t, bomb)
		}, wantErr: "larger than"},
		"zip bomb, gzip": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			return gzipOf(t, bomb)
		}, wantErr: "larger than"},
		"zip bomb, qCompress claiming a small length": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			return qCompressOf(t, bomb, 1000)
		}, wantErr: "does not match"},
		"compressed garbage": {contentType: "application/x-gzip", body: func(t *testing.T, in Fields) []byte {
			return zlibOf(t, []byte("SESSION=x\r\nERROR=0\r\n"))
		}, wantErr: "format", readable: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			if tt.plainTransport {
				f.client.cfg.HTTP = &http.Client{Transport: &http.Transport{DisableCompression: true}}
			}
			f.net.answer = func(w http.ResponseWriter, in Fields) {
				w.Header().Set("Content-Type", tt.contentType)
				if tt.contentEncoding != "" {
					w.Header().Set("Content-Encoding", tt.contentEncoding)
				}
				_, _ = w.Write(tt.body(t, in))
			}
			for _, op := range []string{"check", "pay"} {
				send := map[string]func(context.Context, Payment) (*Answer, error){"check": f.client.Check, "pay": f.client.Pay}[op]
				a, err := send(context.Background(), f.payment("Z1"))
				if tt.wantErr == "" {
					require.NoError(t, err, op)
					assert.True(t, a.OK())
					d, _, err := bankKey.Public().Verify(a.Document)
					require.NoError(t, err, "Document is the unpacked signed document")
					assert.Contains(t, string(d.Body), "SESSION=Z1")
					continue
				}
				assert.Nil(t, a, op)
				var ge *Error
				require.ErrorAs(t, err, &ge, op)
				assert.Equal(t, KindNoAnswer, ge.Kind, "%s: %v", op, err)
				assert.Contains(t, err.Error(), tt.wantErr, op)
				if !tt.readable {
					assert.Contains(t, ge.Msg().In(i18n.EN), "compressed answer", op)
					assert.Contains(t, ge.Msg().In(i18n.RU), "сжатый ответ", op)
				} else {
					assert.NotContains(t, ge.Msg().In(i18n.EN), "compressed", op)
				}
				if op == "pay" {
					assert.Equal(t, ClassStatus, ge.Class())
					assert.Contains(t, ge.Msg().In(i18n.RU), "не повторяйте платёж")
				} else {
					assert.Equal(t, ClassRetry, ge.Class())
				}
			}
		})
	}
}

// TestAnswerLinesNotNameValue: in a verified answer a line of the signed
// message that is not NAME=value, and an empty line, is passed over, as
// CyberPlat's kiosk does (Response.cpp); a name given twice is read from its
// first line, as before.
func TestAnswerLinesNotNameValue(t *testing.T) {
	tests := map[string]struct {
		text string
		want Fields
	}{
		"a line without =": {"SESSION=L1\r\nERROR=0\r\nthis line is no field\r\nRESULT=0\r\n",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}}},
		"a name that is not a word": {"SESSION=L1\r\nBAD-NAME=1\r\nERROR=0\r\nRESULT=0\r\n",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}}},
		"an empty name": {"SESSION=L1\r\n=value\r\nERROR=0\r\nRESULT=0\r\n",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}}},
		"a name with a space": {"SESSION=L1\r\nERROR=0\r\nRE SULT=5\r\nRESULT=0\r\n",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}}},
		"empty and blank lines": {"\r\n\r\nSESSION=L1\r\n   \r\nERROR=0\r\n\r\nRESULT=0\r\n\r\n",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}}},
		"text before and after the fields": {"Ответ платёжной системы\r\nSESSION=L1\r\nERROR=0\r\nRESULT=0\r\n-- конец --",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}}},
		"values keep their = and spaces": {"SESSION=L1\r\nERROR=0\r\nRESULT=0\r\nERRMSG= a=b \r\n",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}, {"ERRMSG", " a=b "}}},
		"a name given twice: the first counts": {"SESSION=L1\r\nERROR=0\r\nRESULT=0\r\nRESULT=1\r\n",
			Fields{{"SESSION", "L1"}, {"ERROR", "0"}, {"RESULT", "0"}, {"RESULT", "1"}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.net.answer = func(w http.ResponseWriter, in Fields) { _, _ = w.Write(signText(t, bankKey, encode1251(t, tt.text))) }
			a, err := f.client.Check(context.Background(), f.payment("L1"))
			require.NoError(t, err)
			assert.Equal(t, tt.want, a.Fields)
			assert.Equal(t, 0, a.Result)
			assert.True(t, a.OK())
		})
	}
	// Requests stay strict: the simulator reads them with ParseFields.
	_, err := ParseFields([]byte("SESSION=L1\r\nno field\r\n"))
	assert.Error(t, err)
}

// encode1251 is the text in windows-1251.
func encode1251(t testing.TB, s string) string {
	b, err := charmap.Windows1251.NewEncoder().String(s)
	require.NoError(t, err)
	return b
}

// TestURLEncodedOnlyWhereMarked: a field of an answer is URL-decoded only
// when the provider's catalogue entry marks it (encoded: [ADDINFO]), for the
// answers to that provider's requests; every other value is taken verbatim,
// even when it looks URL-encoded.
func TestURLEncodedOnlyWhereMarked(t *testing.T) {
	const enc = "%C0%E1%EE%ED%E5%ED%F2+%C8.%C8." // Абонент И.И. in windows-1251, form-encoded
	tests := map[string]struct {
		encoded string // the catalogue's encoded list
		op      string
		addInfo string // ADDINFO as sent
		opName  string // OPNAME as sent
		want    [2]string
	}{
		"marked, check":                {"[ADDINFO]", "check", enc, "", [2]string{"Абонент И.И.", ""}},
		"marked, check number":         {"[ADDINFO]", "check number", enc, "", [2]string{"Абонент И.И.", ""}},
		"marked, status":               {"[ADDINFO]", "status", enc, "", [2]string{"Абонент И.И.", ""}},
		"marked in lower case":         {"[addinfo]", "check", enc, "", [2]string{"Абонент И.И.", ""}},
		"not marked: verbatim":         {"", "check", enc, "", [2]string{enc, ""}},
		"not marked, status: verbatim": {"", "status", enc, "", [2]string{enc, ""}},
		"not marked: a plus stays":     {"", "check", "Тариф 5+", "", [2]string{"Тариф 5+", ""}},
		"not marked: a percent stays":  {"", "check", "скидка 10%25", "", [2]string{"скидка 10%25", ""}},
		"another field marked":         {"[OPNAME]", "check", enc, enc, [2]string{enc, "Абонент И.И."}},
		"both marked":                  {"[ADDINFO, OPNAME]", "check", enc, "%CC%D2%D1", [2]string{"Абонент И.И.", "МТС"}},
		"marked, not URL-encoded":      {"[ADDINFO]", "check", "МТС: абонент 916****567", "", [2]string{"МТС: абонент 916****567", ""}},
		"marked, a bad escape":         {"[ADDINFO]", "check", "100%", "", [2]string{"100%", ""}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			y := "providers:\n  - {code: t, name: T, group: mobile, check_url: /c, pay_url: /p, status_url: /s"
			if tt.encoded != "" {
				y += ", encoded: " + tt.encoded
			}
			cat, err := ParseCatalogue([]byte(y+"}\n"), f.srv.URL)
			require.NoError(t, err)
			prov := cat.Providers[0]
			f.net.answer = func(w http.ResponseWriter, in Fields) {
				writeAnswer(t, w, bankKey, Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}, {"RESULT", "0"},
					{"OPNAME", tt.opName}, {"ADDINFO", tt.addInfo}})
			}
			var a *Answer
			switch tt.op {
			case "check":
				a, err = f.client.Check(context.Background(), Payment{Provider: prov, Session: "E1", ID: "9161234567", Amount: 100_00})
			case "check number":
				a, err = f.client.CheckNumber(context.Background(), Payment{Provider: prov, Session: "E1", ID: "9161234567"})
			case "status":
				a, err = f.client.Status(context.Background(), prov, "E1", "")
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, [2]string{a.AddInfo, a.OpName})
			assert.Equal(t, tt.want[0], a.Fields.Get("ADDINFO"), "Fields agree with AddInfo")
			assert.Contains(t, string(a.Document), "ADDINFO="+encode1251(t, tt.addInfo), "Document is as signed")
		})
	}
}

// TestCheckWithoutResult: ERROR=0 with RESULT missing or not 0 answers a
// check (or the balance) without a result: a retryable refusal whose
// message says so, never ERROR 0's "success" read as final.
func TestCheckWithoutResult(t *testing.T) {
	tests := map[string]struct {
		op     string
		result string // "" leaves RESULT out
		want   int    // Error.Result
	}{
		"check, no RESULT":               {"check", "", -1},
		"check, empty RESULT":            {"check", "=", -1},
		"check, RESULT 1":                {"check", "1", 1},
		"check, RESULT 3":                {"check", "3", 3},
		"number check, no RESULT":        {"check number", "", -1},
		"number check, RESULT 1":         {"check number", "1", 1},
		"balance, RESULT 1 with ERROR 0": {"balance", "1", 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.net.answer = func(w http.ResponseWriter, in Fields) {
				a := Fields{{"SESSION", in.Get("SESSION")}, {"ERROR", "0"}}
				switch tt.result {
				case "":
				case "=":
					a = append(a, Field{"RESULT", ""})
				default:
					a = append(a, Field{"RESULT", tt.result})
				}
				writeAnswer(t, w, bankKey, a)
			}
			var a *Answer
			var err error
			switch tt.op {
			case "check":
				a, err = f.client.Check(context.Background(), f.payment("R1"))
			case "check number":
				a, err = f.client.CheckNumber(context.Background(), Payment{Provider: f.mts, Session: "R1", ID: "9161234567"})
			case "balance":
				a, err = f.client.Balance(context.Background(), "R1")
			}
			require.NotNil(t, a, "the answer is returned")
			var ge *Error
			require.ErrorAs(t, err, &ge)
			assert.Equal(t, KindRefused, ge.Kind)
			assert.Equal(t, 0, ge.Code)
			assert.Equal(t, tt.want, ge.Result)
			assert.Equal(t, ClassRetry, ge.Class(), "the same step may be tried again")
			success := Lookup(0).Msg()
			for _, lang := range []string{i18n.RU, i18n.EN} {
				assert.NotEqual(t, success.In(lang), ge.Msg().In(lang))
				assert.NotContains(t, ge.Error(), success.In(i18n.EN))
			}
			if tt.op == "balance" {
				assert.Contains(t, ge.Msg().In(i18n.EN), "without a result")
			} else {
				assert.Equal(t, "The network answered the check without a result: try again", ge.Msg().In(i18n.EN))
				assert.Equal(t, "Платёжная система ответила на проверку без результата: повторите попытку", ge.Msg().In(i18n.RU))
			}
		})
	}
}

// TestPayAcceptance: a pay answer is an acceptance only when it is
// evidently an answer to pay (none of the fields spec §6 gives only to a
// check answer), carries a TRANSID of digits and RESULT 0. Otherwise the
// outcome is unknown (KindNoAnswer, resolved through status) and the
// verified answer is returned all the same.
func TestPayAcceptance(t *testing.T) {
	const sess = "P1"
	base := func(extra ...Field) Fields {
		return append(Fields{{"DATE", "26.11.2026 12:30:00"}, {"SESSION", sess}, {"ERROR", "0"}, {"RESULT", "0"}}, extra...)
	}
	accepted := base(Field{"TRANSID", "1000010856873"}, Field{"GATEWAY_IN", "9"}, Field{"GATEWAY_OUT", "9"})
	tests := map[string]struct {
		answer Fields
		kind   Kind   // 0: accepted
		why    string // in the error's text
	}{
		"an acceptance, as the real test server answers": {answer: accepted},
		"an acceptance with AUTHCODE and ERRMSG": {answer: base(Field{"TRANSID", "1000010856873"}, Field{"AUTHCODE", "123456"},
			Field{"ERRMSG", ""})},
		"the check answer of the same SESSION": {answer: base(Field{"OPNAME", ""}, Field{"ACCOUNT", ""}, Field{"ERRMSG", ""},
			Field{"AUTHCODE", ""}, Field{"TRANSID", ""}, Field{"REST", "99999308910842.25"}, Field{"GATEWAY_IN", "9"},
			Field{"GATEWAY_OUT", "9"}), kind: KindNoAnswer, why: "a field of a check answer"},
		"no TRANSID":            {answer: base(), kind: KindNoAnswer, why: "TRANSID"},
		"empty TRANSID":         {answer: base(Field{"TRANSID", ""}), kind: KindNoAnswer, why: "TRANSID"},
		"TRANSID not digits":    {answer: base(Field{"TRANSID", "10000108568A3"}), kind: KindNoAnswer, why: "TRANSID"},
		"TRANSID with a space":  {answer: base(Field{"TRANSID", "1000010856873 "}), kind: KindNoAnswer, why: "TRANSID"},
		"TRANSID negative":      {answer: base(Field{"TRANSID", "-1000010856873"}), kind: KindNoAnswer, why: "TRANSID"},
		"ERROR 0 but RESULT 1":  {answer: Fields{{"SESSION", sess}, {"ERROR", "0"}, {"RESULT", "1"}, {"TRANSID", "1000010856873"}}, kind: KindNoAnswer, why: "RESULT"},
		"ERROR 0 but no RESULT": {answer: Fields{{"SESSION", sess}, {"ERROR", "0"}, {"TRANSID", "1000010856873"}}, kind: KindNoAnswer, why: "RESULT"},
		"a refusal stays a refusal, for status to settle": {answer: Fields{{"SESSION", sess}, {"ERROR", "23"}, {"RESULT", "1"}},
			kind: KindRefused},
	}
	// Spec §6: the fields only a check answer carries.
	for _, name := range []string{"REST", "OPNAME", "ACCOUNT", "ADDINFO", "PRICE", "PRICE_RECOMMEND", "BALANCE", "RESTLIMIT"} {
		tests["TRANSID and "+name+" (a check answer's field)"] = struct {
			answer Fields
			kind   Kind
			why    string
		}{answer: append(append(Fields{}, accepted...), Field{name, ""}), kind: KindNoAnswer, why: name}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.net.answer = func(w http.ResponseWriter, in Fields) { writeAnswer(t, w, bankKey, tt.answer) }
			a, err := f.client.Pay(context.Background(), f.payment(sess))
			require.NotNil(t, a, "the verified answer is returned so that it can be recorded")
			assert.Equal(t, tt.answer, a.Fields)
			if tt.kind == 0 {
				require.NoError(t, err)
				assert.Equal(t, "1000010856873", a.TransID)
				return
			}
			var ge *Error
			require.ErrorAs(t, err, &ge)
			assert.Equal(t, tt.kind, ge.Kind, "%v", err)
			assert.Equal(t, ClassStatus, ge.Class(), "never a refusal, never success: status settles it")
			if tt.kind != KindNoAnswer {
				return
			}
			assert.Contains(t, err.Error(), tt.why)
			assert.Equal(t, sess, ge.Session)
			assert.Equal(t, "The answer to the payment is not an acceptance of it: its outcome is being checked, do not repeat the payment", ge.Msg().In(i18n.EN))
			assert.Equal(t, "Ответ на платёж не подтверждает его приём: результат платежа проверяется, не повторяйте платёж", ge.Msg().In(i18n.RU))
		})
	}
}
