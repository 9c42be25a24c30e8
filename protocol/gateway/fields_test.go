package gateway

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/i18n"
)

func fieldsProvider(t *testing.T) *Provider {
	t.Helper()
	b, err := os.ReadFile("testdata/fields.yaml")
	require.NoError(t, err)
	c, err := ParseCatalogue(b, "http://127.0.0.1:1")
	require.NoError(t, err)
	p, err := c.Find("vodokanal")
	require.NoError(t, err)
	return p
}

func TestExpr(t *testing.T) {
	vals := map[string]string{"a": "2", "b": "x", "n": "10.5", "e": ""}
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"'{a}' == '2'", true},
		{`"{a}"=="3"`, false},
		{"{a} == 2", true},
		{"{a} === 2.0", true},
		{"{a} !== 2", false},
		{"{a} != 3 && {b} == 'x'", true},
		{"{a} == 3 || {b} == 'x'", true},
		{"!({a} == 3)", true},
		{"!{e}", true},
		{"{e}", false},
		{"{n} > 10", true},
		{"{n} <= 10", false},
		{"{b} > 1", false}, // not a number: an order comparison is false
		{"{missing} == ''", true},
		{"true && !false", true},
		{"({a} == 1 || {a} == 2) && {n} >= 10.5", true},
	} {
		e, err := ParseExpr(c.src)
		require.NoError(t, err, c.src)
		assert.Equal(t, c.want, e.Eval(vals), c.src)
	}
	for _, bad := range []string{"", "{a} ==", "({a} == 1", "{a} + 1", "foo()", "{a b} == 1", "'open", "{a", "{a} == 1 )", "1..2 == 1"} {
		_, err := ParseExpr(bad)
		assert.Error(t, err, bad)
	}
	e, err := ParseExpr("'{x}' == '1' && {y}")
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "y"}, e.Refs())
}

func TestInputCheck(t *testing.T) {
	p := fieldsProvider(t)
	require.Len(t, p.Inputs, 5)
	for _, c := range []struct {
		id, in, out, key string
	}{
		{"account", "1234567890", "1234567890", ""},
		{"account", " 1234567890 ", "1234567890", ""},
		{"account", "", "", "catalogue.required"},
		{"account", "123456789", "", "catalogue.too_short"},
		{"account", "12345678901", "", "catalogue.too_long"},
		{"account", "12345678ab", "", "catalogue.not_number"},
		{"period", "032026", "032026", ""},
		{"period", "132026", "", "catalogue.bad_format"},
		{"period", "0320261", "", "catalogue.bad_format"}, // the pattern holds the whole value
		{"service", "2", "2", ""},
		{"service", "3", "", "catalogue.not_choice"},
		{"meter", "123,4", "123.4", ""},
		{"meter", "12a", "", "catalogue.not_float"},
		{"note", "", "", ""},
		{"note", strings.Repeat("я", 21), "", "catalogue.too_long"},
	} {
		in := p.Input(c.id)
		require.NotNil(t, in, c.id)
		got, err := in.Check(c.in)
		if c.key == "" {
			require.NoError(t, err, "%s %q", c.id, c.in)
			assert.Equal(t, c.out, got)
			continue
		}
		var ge *Error
		require.True(t, errors.As(err, &ge), "%s %q: %v", c.id, c.in, err)
		assert.Equal(t, KindInput, ge.Kind)
		assert.Equal(t, c.key, ge.Text.Key, "%s %q", c.id, c.in)
		assert.NotContains(t, ge.Text.In("ru"), c.key, "the key has a Russian text")
		assert.NotContains(t, ge.Text.In("en"), c.key, "the key has an English text")
	}
}

func TestValuesParamsMissing(t *testing.T) {
	p := fieldsProvider(t)
	// Water: the meter is not asked, the service comes from its default.
	v, err := p.Values(map[string]string{"account": "1234567890", "period": "032026", "meter": "junk"})
	require.NoError(t, err, "a field not in use is not checked")
	assert.Equal(t, map[string]string{"account": "1234567890", "period": "032026", "service": "1", "note": ""}, v)
	f, ok := p.Params(ReqCheck, v)
	require.True(t, ok)
	assert.Equal(t, Fields{{"ACCOUNT", "1234567890"}, {"PERIOD", "032026"}, {"SERVICE", "1"}, {"COMMENT", "1/032026"}}, f)
	bad, err := p.Received(ReqCheck, f)
	assert.NoError(t, err)
	assert.Empty(t, bad)

	// Electricity: the meter is asked and checked.
	_, err = p.Values(map[string]string{"account": "1234567890", "period": "032026", "service": "2", "meter": "junk"})
	require.Error(t, err)
	assert.Equal(t, "catalogue.not_float", err.(*Error).Text.Key)
	_, err = p.Values(map[string]string{"account": "1234567890", "period": "032026", "service": "2"})
	require.Error(t, err)
	assert.Equal(t, "catalogue.required", err.(*Error).Text.Key)
	v, err = p.Values(map[string]string{"account": "1234567890", "period": "032026", "service": "2", "meter": "100.5"})
	require.NoError(t, err)
	f, _ = p.Params(ReqPay, v)
	assert.Equal(t, "100.5", f.Get("METER"))

	_, err = p.Values(map[string]string{"account": "1234567890", "period": "032026", "colour": "red"})
	require.Error(t, err)
	assert.Equal(t, "catalogue.unknown_field", err.(*Error).Text.Key)

	_, ok = p.Params("refund", v)
	assert.False(t, ok)
	assert.Equal(t, []string{"ADDINFO"}, p.Missing(ReqCheck, Fields{{"ERROR", "0"}}))
	assert.Empty(t, p.Missing(ReqCheck, Fields{{"ADDINFO", ""}}))
	assert.Empty(t, p.Missing(ReqPay, nil))

	// The gateway's side: what arrives is checked field by field.
	for _, c := range []struct {
		f   Fields
		bad string
	}{
		{Fields{{"ACCOUNT", "1234567890"}, {"PERIOD", "032026"}}, ""},
		{Fields{{"ACCOUNT", "123"}, {"PERIOD", "032026"}}, "ACCOUNT"},
		{Fields{{"ACCOUNT", "1234567890"}}, "PERIOD"},
		{Fields{{"ACCOUNT", "1234567890"}, {"PERIOD", "032026"}, {"SERVICE", "2"}}, "METER"},
		{Fields{{"ACCOUNT", "1234567890"}, {"PERIOD", "032026"}, {"SERVICE", "9"}}, "SERVICE"},
		{Fields{{"ACCOUNT", "1234567890"}, {"PERIOD", "032026"}, {"SERVICE", "2"}, {"METER", "7"}}, ""},
	} {
		bad, err := p.Received(ReqPay, c.f)
		assert.Equal(t, c.bad, bad, "%v", c.f)
		assert.Equal(t, c.bad != "", err != nil)
	}
}

func TestFieldsCatalogueErrors(t *testing.T) {
	base := func(fields, requests string) string {
		return "providers:\n  - {code: x, name: X, group: utilities, check_url: /c, pay_url: /p, status_url: /s, field: ACCOUNT,\n     fields: " + fields + ",\n     requests: " + requests + "}\n"
	}
	okReq := "{check: {send: [{name: ACCOUNT, value: '{a}'}]}}"
	for _, c := range []struct{ name, fields, requests, want string }{
		{"bad type", "[{id: a, name: A, type: date}]", okReq, "type"},
		{"bad id", "[{id: '1a', name: A, type: text}]", okReq, "not a name"},
		{"no name", "[{id: a, type: text}]", okReq, "name is required"},
		{"enum without choices", "[{id: a, name: A, type: enum}]", okReq, "needs choices"},
		{"choices on text", "[{id: a, name: A, type: text, choices: [{name: n, value: v}]}]", okReq, "choices"},
		{"size range", "[{id: a, name: A, type: text, min_size: 5, max_size: 2}]", okReq, "range"},
		{"bad pattern", "[{id: a, name: A, type: text, pattern: '('}]", okReq, "pattern"},
		{"bad dependency", "[{id: a, name: A, type: text, depends: 'eval(1)'}]", okReq, "dependency"},
		{"dependency on nothing", "[{id: a, name: A, type: text, depends: '{b} == 1'}]", okReq, "no field"},
		{"bad default", "[{id: a, name: A, type: number, default: x1}]", okReq, "default"},
		{"twice", "[{id: a, name: A, type: text}, {id: a, name: B, type: text}]", okReq, "twice"},
		{"macro of nothing", "[{id: a, name: A, type: text}]", "{check: {send: [{name: ACCOUNT, value: '{b}'}]}}", "no field"},
		{"stray brace", "[{id: a, name: A, type: text}]", "{check: {send: [{name: ACCOUNT, value: '{a'}]}}", "brace"},
		{"bad request", "[{id: a, name: A, type: text}]", "{refund: {send: []}}", "refund"},
		{"bad send name", "[{id: a, name: A, type: text}]", "{check: {send: [{name: 'A B', value: '{a}'}]}}", "field name"},
		{"no check", "[{id: a, name: A, type: text}]", "{pay: {send: []}}", "requests.check"},
	} {
		_, err := ParseCatalogue([]byte(base(c.fields, c.requests)), "http://h")
		require.Error(t, err, c.name)
		assert.Contains(t, errors.Unwrap(err).Error(), c.want, c.name)
	}
	_, err := ParseCatalogue([]byte(base("[{id: a, name: A, type: text}]", okReq)), "http://h")
	assert.NoError(t, err)
}

func TestCatalogueKeys(t *testing.T) {
	require.NoError(t, i18n.Check())
}

func FuzzExpr(f *testing.F) {
	for _, s := range []string{"'{a}' == '2'", "{a} > 1 && !({b} == 'x') || true", "({a} === 1", "{a} !== -2.5", "'{x}{y}' == ''"} {
		f.Add(s, "2", "x")
	}
	f.Fuzz(func(t *testing.T, src, a, b string) {
		e, err := ParseExpr(src)
		if err != nil {
			return
		}
		vals := map[string]string{"a": a, "b": b}
		if e.Eval(vals) != e.Eval(vals) {
			t.Fatal("not deterministic")
		}
		for _, id := range e.Refs() {
			if !idRE.MatchString(id) {
				t.Fatalf("ref %q is not an id", id)
			}
		}
	})
}
