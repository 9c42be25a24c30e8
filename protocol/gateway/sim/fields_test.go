package sim

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"paydesk/protocol/gateway"
)

// fieldsCatalogue is the built-in catalogue and the utility described
// field by field of gateway's testdata, resolved against base.
func fieldsCatalogue(t testing.TB, base string) *gateway.Catalogue {
	cat, err := gateway.DefaultCatalogue(base)
	require.NoError(t, err)
	b, err := os.ReadFile("../testdata/fields.yaml")
	require.NoError(t, err)
	extra, err := gateway.ParseCatalogue(b, base)
	require.NoError(t, err)
	cat.Providers = append(cat.Providers, extra.Providers...)
	return cat
}

// TestDescribedFields: the simulator checks what a provider described
// field by field receives as its description says, on check and on pay,
// and a payment whose fields pass goes through check, pay and status.
func TestDescribedFields(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Catalogue = fieldsCatalogue(t, "http://sim.invalid") })
	e.cat = fieldsCatalogue(t, e.srv.URL)
	p := e.provider("vodokanal")
	fields := func(session string, extra ...gateway.Field) gateway.Fields {
		f := e.payFields(p, session, "1234567890", "300.00")
		return append(f, extra...)
	}
	period := gateway.Field{Name: "PERIOD", Value: "032026"}
	for _, c := range []struct {
		name  string
		extra []gateway.Field
		code  int
	}{
		{"no period", nil, 10},
		{"bad period", []gateway.Field{{Name: "PERIOD", Value: "992026"}}, 10},
		{"not a service", []gateway.Field{period, {Name: "SERVICE", Value: "7"}}, 10},
		{"electricity without the meter", []gateway.Field{period, {Name: "SERVICE", Value: "2"}}, 10},
		{"electricity, meter not a number", []gateway.Field{period, {Name: "SERVICE", Value: "2"}, {Name: "METER", Value: "x"}}, 10},
	} {
		a := e.do(p.CheckURL, fields(newSession(), c.extra...))
		requireResult(t, a, c.code, "1")
	}
	bad := e.payFields(p, newSession(), "1234567890", "300.00")
	bad = append(bad, period)
	for i := range bad {
		if bad[i].Name == "ACCOUNT" {
			bad[i].Value = "12345" // passes the provider's pattern, not the field's size
		}
	}
	requireResult(t, e.do(p.CheckURL, bad), 9, "1")

	s := newSession()
	ok := fields(s, period, gateway.Field{Name: "SERVICE", Value: "2"}, gateway.Field{Name: "METER", Value: "1024.5"})
	requireResult(t, e.do(p.CheckURL, ok), 0, "0")
	// pay is checked as well: the same session with the period dropped.
	requireResult(t, e.do(p.PayURL, fields(s)), 10, "1")
	requireResult(t, e.do(p.PayURL, ok), 0, "0")
	a := e.status("vodokanal", s)
	require.Equal(t, "0", a.Get("ERROR"), "%v", a.Fields)
}
