package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"paydesk/internal/testutil"
	"paydesk/protocol/ipriv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The real signed answers of CyberPlat's test server verify with bank key
// 64182 and parse into the right results, through the client's HTTP path.
func TestConformanceRealAnswers(t *testing.T) {
	dir := testutil.Conformance(t, "ipriv")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return b
	}
	ring, err := ipriv.ParseKeyring(read("libipriv_lumpov/pubkeys.key"))
	require.NoError(t, err)
	bank, err := ring.Find(64182)
	require.NoError(t, err)
	ring2, err := ipriv.ParseKeyring(read("lumpov_pr_d012950/pubkeys.key"))
	require.NoError(t, err)
	prod, err := ring2.Find(904291)
	require.NoError(t, err)
	dealer, err := ipriv.ParseSecretKey(read("libipriv_lumpov/secret.key"), []byte("1111111111"))
	require.NoError(t, err)

	tests := []struct {
		file  string
		bank  *ipriv.PublicKey
		op    string
		check func(t *testing.T, a *Answer, err error)
	}{
		{"rollerkostr/ServerCheckResponse.crlf.txt", bank, "check", func(t *testing.T, a *Answer, err error) {
			require.NoError(t, err)
			assert.Equal(t, 0, a.Error)
			assert.Equal(t, 0, a.Result)
			assert.True(t, a.HasRest)
			assert.Equal(t, "08.01.2018 12:54:21", a.Date)
		}},
		{"rollerkostr/ServerPayResponse.crlf.txt", bank, "pay", func(t *testing.T, a *Answer, err error) {
			require.NoError(t, err)
			assert.True(t, a.OK())
			assert.Equal(t, "1000010856873", a.TransID)
		}},
		{"rollerkostr/ServerStatusResponse.crlf.txt", bank, "status", func(t *testing.T, a *Answer, err error) {
			require.NoError(t, err)
			assert.Equal(t, 7, a.Result)
			assert.Equal(t, Paid, StatusOutcome(a))
		}},
		{"lumpov_pr_d012950/message.txt", bank, "check", func(t *testing.T, a *Answer, err error) {
			var ge *Error
			require.ErrorAs(t, err, &ge)
			assert.Equal(t, KindRefused, ge.Kind)
			assert.Equal(t, 1, ge.Code)
			assert.Equal(t, 1, a.Result)
		}},
		{"misc_index_files/prod_904291_balance_response_1.crlf.txt", prod, "balance", func(t *testing.T, a *Answer, err error) {
			require.NoError(t, err)
			assert.True(t, a.HasRest)
		}},
		{"rollerkostr/ServerPayResponse.as_stored_LF.txt", bank, "pay", func(t *testing.T, a *Answer, err error) {
			assert.Equal(t, KindNoAnswer, KindOf(err))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := read(tt.file)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(raw) }))
			defer srv.Close()
			c, err := New(Config{SD: "17031", AP: "17032", OP: "17034", Key: dealer, Bank: tt.bank, BalanceURL: srv.URL + "/cgi-bin/status/get_rest.cgi"})
			require.NoError(t, err)
			// The answer's own SESSION, so the echo check passes.
			session := ""
			if d, _, err := ipriv.Parse(raw); err == nil {
				if f, err := ParseFields(d.Body); err == nil {
					session = f.Get("SESSION")
				}
			}
			if session == "" {
				session = "X"
			}
			p := &Provider{Code: "t", Name: "test", Group: Mobile, Field: "NUMBER", CheckURL: srv.URL + "/c", PayURL: srv.URL + "/p", StatusURL: srv.URL + "/s",
				Pattern: regexp.MustCompile(`^\d+$`), Min: 1, Max: 1_000_000_00}
			pay := Payment{Provider: p, Session: session, ID: "9261112233", Amount: 100_00}
			var a *Answer
			switch tt.op {
			case "check":
				a, err = c.Check(context.Background(), pay)
			case "pay":
				a, err = c.Pay(context.Background(), pay)
			case "status":
				a, err = c.Status(context.Background(), p, session, "")
			case "balance":
				a, err = c.Balance(context.Background(), session)
			}
			tt.check(t, a, err)
		})
	}
}
