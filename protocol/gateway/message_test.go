package gateway

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"paydesk/internal/i18n"
	"paydesk/money"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFieldsEncodeParse(t *testing.T) {
	f := Fields{{"SD", "17031"}, {"COMMENT", "Тест платежа"}, {"EMPTY", ""}, {"ADDINFO", "a=b=c"}}
	b, err := f.Encode()
	require.NoError(t, err)
	assert.Equal(t, "SD=17031\r\nCOMMENT=\xd2\xe5\xf1\xf2 \xef\xeb\xe0\xf2\xe5\xe6\xe0\r\nEMPTY=\r\nADDINFO=a=b=c\r\n", string(b))
	back, err := ParseFields(b)
	require.NoError(t, err)
	assert.Equal(t, f, back)
	assert.Equal(t, "a=b=c", back.Get("ADDINFO"), "values split at the first =")

	_, err = Fields{{"BAD NAME", "x"}}.Encode()
	assert.Error(t, err)
	_, err = Fields{{"X", "two\r\nlines"}}.Encode()
	assert.Error(t, err)
	_, err = Fields{{"X", "€ ok, 漢 not"}}.Encode()
	assert.Error(t, err)
}

func TestParseFieldsTolerance(t *testing.T) {
	f, err := ParseFields([]byte("\r\nERROR_CODE=0\nRESULT=7\r\n\r\nERROR_MSG=\xce\xea\r\n"))
	require.NoError(t, err)
	assert.Equal(t, Fields{{"ERROR", "0"}, {"RESULT", "7"}, {"ERRMSG", "Ок"}}, f)
	_, err = ParseFields([]byte("no equals sign\r\n"))
	assert.Error(t, err)
	_, err = ParseFields([]byte("BAD-NAME=1\r\n"))
	assert.Error(t, err)
}

func TestDecodeURLValue(t *testing.T) {
	assert.Equal(t, "Абонент И.И.", DecodeURLValue("%C0%E1%EE%ED%E5%ED%F2+%C8.%C8."))
	assert.Equal(t, "plain text", DecodeURLValue("plain text"))
	assert.Equal(t, "100%", DecodeURLValue("100%"), "not URL-encoded: unchanged")
}

func TestFormBody(t *testing.T) {
	doc := []byte("0000\r\nA=B &+%\xcf~._-")
	body := FormBody(doc)
	assert.Equal(t, "inputmessage=0000%0D%0AA%3DB%20%26%2B%25%CF~._-", string(body))
	back, err := ReadForm(body)
	require.NoError(t, err)
	assert.Equal(t, doc, back)
	// Classic form encoding with + for spaces reads the same.
	back, err = ReadForm([]byte("inputmessage=" + url.QueryEscape(string(doc))))
	require.NoError(t, err)
	assert.Equal(t, doc, back)
	_, err = ReadForm([]byte("other=1"))
	assert.Error(t, err)
}

func TestDefaultCatalogue(t *testing.T) {
	c, err := DefaultCatalogue("http://127.0.0.1:8780")
	require.NoError(t, err)
	for _, g := range Groups {
		assert.NotEmpty(t, c.ByGroup(g), g)
	}
	for _, code := range []string{"mts", "beeline", "megafon", "tele2"} {
		p, err := c.Find(code)
		require.NoError(t, err)
		assert.Equal(t, Mobile, p.Group)
		assert.Equal(t, money.DefaultCommission, p.Commission)
		n, err := p.Validate("+7 (916) 123-45-67")
		require.NoError(t, err)
		assert.Equal(t, "9161234567", n)
		n, err = p.Validate("8 916 123 45 67")
		require.NoError(t, err)
		assert.Equal(t, "9161234567", n)
		_, err = p.Validate("916 123 45 6")
		assert.Error(t, err)
	}
	mts, _ := c.Find("mts")
	assert.Equal(t, "http://127.0.0.1:8780/cgi-bin/mts/mts_pay_check.cgi/mts", mts.CheckURL)
	assert.Equal(t, Supplier{Name: `ПАО "МТС"`, INN: "7740000076", Phone: "+78002500890"}, mts.Supplier)
	assert.Equal(t, "mts", GatewayDir(mts.CheckURL))
	assert.Equal(t, "mts", GatewayDir(mts.StatusURL))
	rt, _ := c.Find("rostelecom")
	assert.Equal(t, money.Rate(250), rt.Commission)
	assert.Equal(t, "ACCOUNT", rt.Field)
	_, err = rt.Validate("12345")
	var ge *Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, "лицевой счёт «12345» не подходит для Ростелеком (интернет): лицевой счёт из 12 цифр", ge.Msg().In("ru"))
	assert.Equal(t, `account "12345" is not valid for Ростелеком (интернет): a 12-digit account number`, ge.Msg().In("en"))
}

func TestCatalogueErrors(t *testing.T) {
	ok := "  - {code: x, name: X, group: mobile, check_url: https://h/c, pay_url: https://h/p, status_url: https://h/s"
	tests := map[string]string{
		"not YAML":           "providers: [",
		"empty":              "providers: []",
		"bad group":          "providers:\n  - {code: x, name: X, group: radio, check_url: https://h/c, pay_url: https://h/p, status_url: https://h/s}",
		"no URL":             "providers:\n  - {code: x, name: X, group: mobile, pay_url: https://h/p, status_url: https://h/s}",
		"path, no base":      "providers:\n  - {code: x, name: X, group: mobile, check_url: /c, pay_url: /p, status_url: /s}",
		"bad pattern":        "providers:\n" + ok + ", pattern: '('}",
		"bad field":          "providers:\n" + ok + ", field: EMAIL}",
		"bad min":            "providers:\n" + ok + ", min: '1.005'}",
		"min above max":      "providers:\n" + ok + ", min: '100', max: '10'}",
		"bad commission":     "providers:\n" + ok + ", commission: lots}",
		"duplicate codes":    "providers:\n" + ok + "}\n" + ok + "}",
		"supplier INN":       "providers:\n" + ok + ", supplier: {inn: '123'}}",
		"supplier phone":     "providers:\n" + ok + ", supplier: {phone: '8-800'}}",
		"no code":            "providers:\n  - {name: X, group: mobile, check_url: https://h/c, pay_url: https://h/p, status_url: https://h/s}",
		"encoded not a name": "providers:\n" + ok + ", encoded: [ADD-INFO]}",
		"encoded empty name": "providers:\n" + ok + ", encoded: ['']}",
		"encoded not a list": "providers:\n" + ok + ", encoded: {ADDINFO: yes}}",
	}
	for name, y := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCatalogue([]byte(y), "")
			var ge *Error
			require.ErrorAs(t, err, &ge)
			assert.Equal(t, KindConfig, ge.Kind)
			assert.NotEmpty(t, ge.Msg().In("ru"))
		})
	}
	c, err := ParseCatalogue([]byte("providers:\n"+ok+", min: '5', commission: '4%', extra: {SERVICE: '12'}}"), "")
	require.NoError(t, err)
	p := c.Providers[0]
	assert.Equal(t, money.Amount(500), p.Min)
	assert.Equal(t, money.Amount(15000_00), p.Max)
	assert.Equal(t, money.Rate(400), p.Commission)
	assert.Equal(t, "12", p.Extra["SERVICE"])
	assert.Nil(t, p.Encoded, "no field is marked encoded unless the catalogue says so")
	c, err = ParseCatalogue([]byte("providers:\n"+ok+", encoded: [addinfo, ADDINFO, ' OPNAME']}"), "")
	require.NoError(t, err)
	assert.Equal(t, []string{"ADDINFO", "OPNAME"}, c.Providers[0].Encoded)
	// Scraped URLs carry trailing spaces.
	c, err = ParseCatalogue([]byte("providers:\n  - {code: x, name: X, group: tv, check_url: 'https://h/c  ', pay_url: https://h/p, status_url: https://h/s}"), "")
	require.NoError(t, err)
	assert.Equal(t, "https://h/c", c.Providers[0].CheckURL)

	dir := t.TempDir()
	file := filepath.Join(dir, "providers.yaml")
	require.NoError(t, os.WriteFile(file, defaultCatalogue, 0o600))
	_, err = LoadCatalogue(file, "https://service.cyberplat.ru")
	require.NoError(t, err)
	_, err = LoadCatalogue(filepath.Join(dir, "missing.yaml"), "")
	assert.Equal(t, KindConfig, KindOf(err))
}

func TestCatalogueMessagesEveryCode(t *testing.T) {
	for _, code := range Codes() {
		e := Lookup(code)
		assert.True(t, i18n.Has(e.Msg().Key), "code %d has its message in every language", code)
		assert.NotEqual(t, e.Msg().In(i18n.RU), e.Msg().In(i18n.EN), code)
		assert.NotZero(t, e.Class, code)
	}
	for _, c := range []int{2, 3, 4, 6, 12, 134} {
		assert.Equal(t, ClassConfig, Lookup(c).Class, "code %d needs the administrator", c)
	}
	assert.Equal(t, ClassRetry, Lookup(999).Class)
	assert.Contains(t, Lookup(999).Msg().In(i18n.RU), "999")
}

func FuzzParseFields(f *testing.F) {
	f.Add([]byte("ERROR=0\r\nRESULT=0\r\n"))
	f.Add([]byte("ADDINFO=%C0=\xc0\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fields, err := ParseFields(b)
		if err != nil {
			return
		}
		enc, err := fields.Encode()
		if err != nil {
			return // a value with characters outside windows-1251 after decoding
		}
		again, err := ParseFields(enc)
		require.NoError(t, err)
		require.Equal(t, fields, again)
	})
}
