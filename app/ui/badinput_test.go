package ui

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"

	"paydesk/app"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadInputPayAmounts: amounts typed on the payment screen that do not
// parse or are outside the provider's limits are named as such in the
// screen's language, Check stays off, and F3 stores nothing.
func TestBadInputPayAmounts(t *testing.T) {
	amounts := []struct {
		text  string
		limit bool // parses, but outside the provider's limits
	}{
		{"abc", false},
		{"100.001", false},
		{"100,005", false},
		{"-5", false},
		{"1e3", false},
		{"0x10", false},
		{"１００", false},
		{"100 руб", false},
		{".50", false},
		{"0", true},
		{"9.99", true},
		{"15000.01", true},
	}
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, lang)
			h.signIn("kassir", "1111")
			require.NotNil(t, h.u.user)
			_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 0)
			require.NoError(t, err)
			s := h.u.pay
			prov, err := h.rt.Till.Provider("mts")
			require.NoError(t, err)
			s.choose(prov)
			s.number.SetText("9161234567")
			for _, a := range amounts {
				s.amount.SetText(a.text)
				q := s.quote.Text
				assert.True(t, strings.HasPrefix(q, "⚠ "), "%q: %q", a.text, q)
				msg := strings.TrimPrefix(q, "⚠ ")
				assert.NotEmpty(t, strings.TrimSpace(msg))
				cyr := strings.IndexFunc(msg, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
				if lang == "ru" {
					assert.True(t, cyr, "%q: a Russian message: %q", a.text, msg)
				} else {
					assert.False(t, strings.ContainsAny(msg, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"), "%q: an English message: %q", a.text, msg)
				}
				if a.limit {
					assert.Contains(t, msg, "10.00–15000.00", a.text)
				} else {
					assert.Equal(t, s.u.T("pay.amount_bad"), msg, a.text)
				}
				assert.True(t, s.check.Disabled(), "%q: Check stays off", a.text)
				h.key(fyne.KeyF3)
				ps, err := h.rt.Till.History(context.Background(), h.u.user, app.Filter{})
				require.NoError(t, err)
				assert.Empty(t, ps, "%q: nothing stored", a.text)
			}
			// A good amount turns Check on: the refusals above were the amount's.
			s.amount.SetText("100")
			assert.False(t, s.check.Disabled())
		})
	}
}
