package operators

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/protocol/gateway"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// reasons gathers the notes of an operator id.
func reasons(notes []Note, id string) string {
	var out []string
	for _, n := range notes {
		if n.ID == id {
			out = append(out, n.Reason)
		}
	}
	return strings.Join(out, "; ")
}

func TestImport(t *testing.T) {
	r, err := Import(read(t, "operators.xml"), Options{Groups: read(t, "groups.xml")})
	require.NoError(t, err)
	require.Len(t, r.Catalogue.Providers, 2, "skipped: %v", r.Skipped)
	ut, mob := r.Catalogue.Providers[0], r.Catalogue.Providers[1]

	assert.Equal(t, "901", ut.Code)
	assert.Equal(t, "Водоканал Тест", ut.Name)
	assert.Equal(t, "utilities", ut.Group, "the innermost group that says one: Вода says none, Коммунальные does")
	assert.Equal(t, "ACCOUNT", ut.Field)
	assert.Equal(t, "1.00", ut.Min)
	assert.Equal(t, "15000.00", ut.Max, "the system limit lowers the operator's")
	assert.Equal(t, "https://service.cyberplat.ru/cgi-bin/vk/vk_pay_check.cgi/901", ut.CheckURL)
	require.Len(t, ut.Fields, 5)
	ids := []string{}
	for _, f := range ut.Fields {
		ids = append(ids, f.ID)
	}
	assert.Equal(t, []string{"account", "period", "service", "meter", "pin"}, ids, "in sort order")
	assert.Equal(t, "number", ut.Fields[0].Type)
	assert.Equal(t, "** ** ******", ut.Fields[0].Mask)
	assert.Equal(t, 10, ut.Fields[0].MinSize)
	assert.Nil(t, ut.Fields[0].Required, "absent: required, as the schema says")
	assert.Equal(t, []gateway.Choice{{Name: "Вода", Value: "1"}, {Name: "Электричество", Value: "2"}}, ut.Fields[2].Choices, "items in sort order")
	assert.Equal(t, "1", ut.Fields[2].Default)
	assert.Equal(t, "float", ut.Fields[3].Type)
	assert.Equal(t, `"{service}" == "2"`, ut.Fields[3].Depends)
	require.NotNil(t, ut.Fields[3].Required)
	assert.False(t, *ut.Fields[3].Required)
	assert.True(t, ut.Fields[4].Password)
	assert.Equal(t, []string{"ADDINFO"}, ut.Requests["check"].Receive)
	assert.Equal(t, gateway.Param{Name: "COMMENT", Value: "{service}/{period}"}, ut.Requests["pay"].Send[4])

	assert.Equal(t, "mobile", mob.Group)
	assert.Equal(t, "NUMBER", mob.Field)

	// What the kept operators lost is named.
	om := reasons(r.Omitted, "901")
	for _, want := range []string{"limit check", "case=upper", "show_add_info", "receipts", "cid 50901"} {
		assert.Contains(t, om, want)
	}
	assert.Empty(t, reasons(r.Omitted, "902"))

	// Every operator left out is named with its reason.
	for id, want := range map[string]string{
		"903": "PayDesk makes plain CyberPlat payments only",
		"904": "format",
		"905": "runs no JavaScript",
		"906": "<cid> is required",
		"907": "<colour> is not in the schema",
		"908": "no PayDesk group",
		"909": "encrypted",
	} {
		assert.Contains(t, reasons(r.Skipped, id), want, id)
	}
	assert.Contains(t, reasons(r.Skipped, "909"), "{nope}")

	// The output loads as PayDesk's catalogue, and its provider checks as
	// described.
	y, err := r.YAML("operators.xml")
	require.NoError(t, err)
	assert.Contains(t, string(y), "# left out: 903 (Пины Тест): processor type cyberplat_pin")
	cat, err := gateway.ParseCatalogue(y, "")
	require.NoError(t, err)
	p, err := cat.Find("901")
	require.NoError(t, err)
	v, err := p.Values(map[string]string{"account": "1234567890", "period": "032026", "service": "2", "meter": "15.5"})
	require.NoError(t, err)
	f, _ := p.Params(gateway.ReqPay, v)
	assert.Equal(t, "2/032026", f.Get("COMMENT"))
	_, err = p.Values(map[string]string{"account": "1234567890", "period": "032026", "service": "3"})
	assert.Error(t, err)
}

func TestImportDefaultGroup(t *testing.T) {
	r, err := Import(read(t, "operators.xml"), Options{Group: gateway.Utilities})
	require.NoError(t, err)
	var codes []string
	for _, p := range r.Catalogue.Providers {
		codes = append(codes, p.Code)
		assert.Equal(t, "utilities", p.Group)
	}
	assert.Equal(t, []string{"901", "902", "908"}, codes)
	r, err = Import(read(t, "operators.xml"), Options{})
	require.NoError(t, err)
	assert.Empty(t, r.Catalogue.Providers, "without groups nothing has a group")
	assert.NotEmpty(t, reasons(r.Skipped, "901"))
}

func TestImportFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, xml, want string
	}{
		{"not xml", "operators", "EOF"},
		{"another root", `<groups version="2.0"/>`, "expected element type <operators>"},
		{"no version", `<operators/>`, "version attribute is required"},
		{"format 1.0", `<operators version="1.0"/>`, "not format 2.0"},
		{"format 1.0's layout", `<?xml version="1.0" encoding="windows-1251"?><root><operators><operator id="0"/></operators></root>`, "format 1.0"},
		{"unknown attribute", `<operators version="2.0" colour="red"/>`, "not in the schema"},
		{"unknown element", `<operators version="2.0"><colour/></operators>`, "not in the schema"},
		{"trailing", `<operators version="2.0"/><operators version="2.0"/>`, "after the root"},
		{"unknown encoding", `<?xml version="1.0" encoding="x-nothing"?><operators version="2.0"/>`, "encoding"},
	} {
		_, err := Import([]byte(c.xml), Options{})
		require.Error(t, err, c.name)
		var e *Error
		require.True(t, errors.As(err, &e), c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
	}
	_, err := Import([]byte(`<operators version="2.0"/>`), Options{Groups: []byte(`<groups><group id="1"/></groups>`)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "groups.xml")
	r, err := Import([]byte(`<operators version="2.0"/>`), Options{})
	require.NoError(t, err)
	assert.Empty(t, r.Catalogue.Providers)
}

func FuzzImport(f *testing.F) {
	for _, name := range []string{"operators.xml", "groups.xml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<operators version="2.0"><operator id="1"><name>x</name><cid>1</cid><limit min="1" max="2" system="3"/><processor type="cyberplat"/></operator></operators>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Import(b, Options{Group: gateway.Mobile})
		if err != nil {
			return
		}
		y, err := r.YAML("fuzz")
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Catalogue.Providers) == 0 {
			return
		}
		if _, err := gateway.ParseCatalogue(y, ""); err != nil {
			t.Fatalf("an import that does not load: %v\n%s", err, y)
		}
	})
}
