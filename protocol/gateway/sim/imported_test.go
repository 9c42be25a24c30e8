package sim

import (
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/operators"
)

// importedCatalogue is the built-in catalogue and what the operators
// importer makes of its test files, with the imported URLs moved onto
// base (the simulator routes by path).
func importedCatalogue(t testing.TB, base string) *gateway.Catalogue {
	ops, err := os.ReadFile("../operators/testdata/operators.xml")
	require.NoError(t, err)
	groups, err := os.ReadFile("../operators/testdata/groups.xml")
	require.NoError(t, err)
	r, err := operators.Import(ops, operators.Options{Groups: groups})
	require.NoError(t, err)
	b, err := r.YAML("operators.xml")
	require.NoError(t, err)
	imported, err := gateway.ParseCatalogue(b, "")
	require.NoError(t, err)
	cat, err := gateway.DefaultCatalogue(base)
	require.NoError(t, err)
	bu, err := url.Parse(base)
	require.NoError(t, err)
	for _, p := range imported.Providers {
		for _, u := range []*string{&p.CheckURL, &p.PayURL, &p.StatusURL} {
			pu, err := url.Parse(*u)
			require.NoError(t, err)
			pu.Scheme, pu.Host = bu.Scheme, bu.Host
			*u = pu.String()
		}
		cat.Providers = append(cat.Providers, p)
	}
	return cat
}

// TestImportedProvider: a utility imported from an operator file (account,
// period, an enumeration and a meter asked only for electricity) goes
// through check, pay and status, the simulator checking each field as the
// description says; the answer carries what the description says it must.
func TestImportedProvider(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Catalogue = importedCatalogue(t, "http://sim.invalid") })
	e.cat = importedCatalogue(t, e.srv.URL)
	p := e.provider("901")
	request := func(session string, typed map[string]string) gateway.Fields {
		vals, err := p.Values(typed)
		require.NoError(t, err)
		f := e.base(session)
		wire, ok := p.Params(gateway.ReqCheck, vals)
		require.True(t, ok)
		f = append(f, wire...)
		return append(f,
			gateway.Field{Name: "AMOUNT", Value: "300.00"},
			gateway.Field{Name: "AMOUNT_ALL", Value: "309.00"},
			gateway.Field{Name: "ACCEPT_KEYS", Value: "64182"})
	}
	// What the till's own checks would refuse, the simulator refuses too.
	bad := request(newSession(), map[string]string{"account": "1234567890", "period": "032026", "service": "2", "meter": "1.5"})
	for i := range bad {
		if bad[i].Name == "METER" {
			bad[i].Value = "1,5x" // not a number
		}
	}
	requireResult(t, e.do(p.CheckURL, bad), 10, "1")
	for i := range bad {
		switch bad[i].Name {
		case "METER":
			bad[i].Value = "1.5"
		case "ACCOUNT":
			bad[i].Value = "123456789" // nine digits: the field wants ten
		}
	}
	requireResult(t, e.do(p.CheckURL, bad), 9, "1")

	s := newSession()
	f := request(s, map[string]string{"account": "1234567890", "period": "032026", "service": "2", "meter": "1.5"})
	a := e.do(p.CheckURL, f)
	requireResult(t, a, 0, "0")
	require.Empty(t, p.Missing(gateway.ReqCheck, a.Fields), "ADDINFO is in the check's answer")
	requireResult(t, e.do(p.PayURL, f), 0, "0")
	st := e.status("901", s)
	require.Equal(t, "0", st.Get("ERROR"), "%v", st.Fields)
}
