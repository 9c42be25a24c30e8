package qr

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"paydesk/internal/i18n"
	"paydesk/money"
)

// The bank details of the Bank of Russia's worked examples (procedure N 515
// of 8 September 1997): BIC 049805746, the correspondent account keyed with
// 005, the client's account with 746.
const good = "ST00012|Name=ООО «Водоканал»|PersonalAcc=40602810700000000025|BankName=ПАО Банк|BIC=049805746|CorrespAcc=30101810800000000746"

func TestParse(t *testing.T) {
	p, err := ParseText(good + "|Sum=123456|Purpose=Вода за 03.2026|PayeeINN=7740000076|PersAcc=1234567890|PaymPeriod=032026|")
	require.NoError(t, err)
	assert.Equal(t, 2, p.Encoding)
	assert.Equal(t, "ООО «Водоканал»", p.Name)
	assert.Equal(t, "40602810700000000025", p.PersonalAcc)
	assert.Equal(t, "049805746", p.BIC)
	assert.Equal(t, money.Amount(1234_56), p.Sum)
	assert.Equal(t, "1234567890", p.Get("PersAcc"))
	assert.Equal(t, "032026", p.Get("PaymPeriod"))
	assert.Equal(t, "", p.Get("Nothing"))
	assert.Len(t, p.Fields, 10)
	assert.Equal(t, []string{"CorrespAcc key with BIC", "PersonalAcc key with BIC", "PayeeINN check digits"}, p.Checks)
	assert.Contains(t, p.String(), "sum: 1234.56\n")

	// Another separator, and a Bank of Russia payee without a correspondent account.
	p, err = ParseText(strings.ReplaceAll(strings.Replace(good, "30101810800000000746", "0", 1), "|", "#"))
	require.NoError(t, err)
	assert.Equal(t, money.Amount(0), p.Sum)
	assert.NotEmpty(t, p.Unchecked)

	// The three encodings, from bytes.
	for _, c := range []struct {
		digit string
		enc   func(string) []byte
	}{
		{"1", func(s string) []byte { b, _ := charmap.Windows1251.NewEncoder().String(s); return []byte(b) }},
		{"2", func(s string) []byte { return []byte(s) }},
		{"3", func(s string) []byte { b, _ := charmap.KOI8R.NewEncoder().String(s); return []byte(b) }},
	} {
		s := strings.Replace(strings.ReplaceAll(good, "«", "\""), "ST00012", "ST0001"+c.digit, 1)
		s = strings.ReplaceAll(s, "»", "\"")
		p, err := Parse(append(c.enc(s), '\r', '\n'))
		require.NoError(t, err, c.digit)
		assert.Equal(t, `ООО "Водоканал"`, p.Name, c.digit)
		assert.Equal(t, int(c.digit[0]-'0'), p.Encoding)
	}
}

func TestParseBad(t *testing.T) {
	swap := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	for _, c := range []struct {
		name, in, key, field string
	}{
		{"empty", "", "qr.not_payment", ""},
		{"a number typed", "40602810700000000025", "qr.not_payment", ""},
		{"another version", swap("ST0001", "ST0002"), "qr.version", ""},
		{"another encoding", swap("ST00012", "ST00019"), "qr.encoding", ""},
		{"no separator", "ST00012", "qr.no_separator", ""},
		{"a letter for a separator", swap("ST00012|", "ST00012N"), "qr.no_separator", ""},
		{"no pair", good + "|Purpose", "qr.bad_pair", ""},
		{"no key", good + "|=5", "qr.bad_pair", ""},
		{"twice", good + "|Sum=1|Sum=2", "qr.twice", "Sum"},
		{"no Name", swap("Name=ООО «Водоканал»|", ""), "qr.required", "Name"},
		{"empty Name", swap("Name=ООО «Водоканал»", "Name= "), "qr.required", "Name"},
		{"out of order", "ST00012|PersonalAcc=40602810700000000025|Name=X|BankName=ПАО Банк|BIC=049805746|CorrespAcc=30101810800000000746", "qr.order", "Name"},
		{"BIC short", swap("BIC=049805746", "BIC=04980574"), "qr.digits", "BIC"},
		{"account letters", swap("PersonalAcc=40602810700000000025", "PersonalAcc=4060281070000000002X"), "qr.digits", "PersonalAcc"},
		{"corr short", swap("CorrespAcc=30101810800000000746", "CorrespAcc=3010181080000000074"), "qr.digits", "CorrespAcc"},
		{"a digit misread in the account", swap("40602810700000000025", "40602810700000000026"), "qr.account_key", "PersonalAcc"},
		{"another bank's BIC", swap("BIC=049805746", "BIC=049805747"), "qr.account_key", "PersonalAcc"},
		{"corr key", swap("30101810800000000746", "30101810900000000746"), "qr.account_key", "CorrespAcc"},
		{"sum with a point", good + "|Sum=100.00", "qr.sum", "Sum"},
		{"sum too long", good + "|Sum=1234567890123456789", "qr.too_long", "Sum"},
		{"INN", good + "|PayeeINN=7740000077", "qr.inn", "PayeeINN"},
		{"INN letters", good + "|PayerINN=77400000AB", "qr.inn", "PayerINN"},
		{"KPP", good + "|KPP=12345", "qr.digits", "KPP"},
		{"name too long", swap("ООО «Водоканал»", strings.Repeat("я", 161)), "qr.too_long", "Name"},
	} {
		_, err := ParseText(c.in)
		var e *Error
		require.True(t, errors.As(err, &e), "%s: %v", c.name, err)
		assert.Equal(t, c.key, e.Text.Key, c.name)
		assert.Equal(t, c.field, e.Field, c.name)
		for _, lang := range []string{"ru", "en"} {
			assert.NotContains(t, e.Text.In(lang), "qr.", "%s: %s has a text", c.name, lang)
		}
	}
	_, err := Parse([]byte(strings.Replace(good, "ST00012", "ST00012", 1)[:7] + "|Name=\xff\xfe"))
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "qr.decode", e.Text.Key, "UTF-8 declared, not UTF-8 given")
	require.NoError(t, i18n.Check())
}

func TestINN(t *testing.T) {
	for _, c := range []struct {
		inn string
		ok  bool
	}{
		{"7740000076", true}, {"7713076301", true}, {"7740000075", false},
		{"500100732259", true}, {"500100732258", false}, {"123", false},
	} {
		assert.Equal(t, c.ok, validINN(c.inn), c.inn)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good + "|Sum=100|PayeeINN=7740000076"))
	f.Add([]byte("ST00011|Name=x"))
	f.Add([]byte("ST00013#Name=a#PersonalAcc=1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("an error of another type: %v", err)
			}
			return
		}
		if p.Name == "" || len(p.BIC) != 9 || len(p.PersonalAcc) != 20 || p.Sum < 0 {
			t.Fatalf("accepted without its required fields: %+v", p)
		}
	})
}
