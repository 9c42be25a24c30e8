package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app"
)

// TestDescribedProviderForm: a provider the network describes field by
// field gets its fields on the payment screen, labelled in the window's
// language; a field whose dependency does not hold is not shown; Pay
// waits until every field shown passes; what was typed is paid and kept.
func TestDescribedProviderForm(t *testing.T) {
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, lang)
			h.signIn("kassir", "1111")
			h.openShift()
			s := h.startPayment("zhku", "12 3456 7890", "")
			want := map[string][]string{"ru": {"Лицевой счёт *", "Период (ММГГГГ) *", "Услуга", "Показания счётчика *", "Электроэнергия"},
				"en": {"Account *", "Period (MMYYYY) *", "Service", "Meter reading *", "Electricity"}}[lang]
			assert.Equal(t, want[0], s.numberL.Text)
			require.Len(t, s.fields.rows, 3)
			period, service, meter := s.fields.rows[0], s.fields.rows[1], s.fields.rows[2]
			assert.Equal(t, want[1], popupText(period.box)[:len(want[1])])
			assert.True(t, period.box.Visible())
			assert.True(t, service.box.Visible())
			assert.False(t, meter.box.Visible(), "no meter reading for rent")
			assert.Contains(t, popupText(meter.box), want[3])

			test.Type(s.amount, "1500")
			assert.True(t, s.check.Disabled(), "the period is required")
			test.Type(period.entry, "132026")
			assert.Contains(t, period.hint.Text, "⚠")
			assert.True(t, s.check.Disabled())
			period.entry.SetText("112026")
			assert.Empty(t, period.hint.Text)
			assert.False(t, s.check.Disabled(), "every field shown passes")

			service.pick.SetSelected(want[4])
			assert.True(t, meter.box.Visible(), "electricity takes the meter reading")
			assert.True(t, s.check.Disabled(), "and it is required")
			test.Type(meter.entry, "1234,5")
			assert.False(t, s.check.Disabled())

			h.key(fyne.KeyF3)
			h.wait("check", func() bool { return s.payment != nil && s.payment.State == app.StateChecked })
			h.key(fyne.KeyF4)
			h.u.router.Handle(fyne.KeyReturn)
			h.wait("confirm", func() bool { return s.payment == nil })
			assert.Contains(t, s.result.Text, "1234567890")
			assert.Empty(t, period.entry.Text, "the form is clear for the next payer")
			assert.False(t, meter.box.Visible(), "the service is back on rent")

			ps, err := h.rt.Till.History(context.Background(), h.u.user, app.Filter{Limit: 1})
			require.NoError(t, err)
			require.Len(t, ps, 1)
			assert.Equal(t, app.StatePaid, ps[0].State)
			assert.Equal(t, map[string]string{"account": "1234567890", "period": "112026", "service": "2", "meter": "1234.5"}, ps[0].Fields)
		})
	}
}
