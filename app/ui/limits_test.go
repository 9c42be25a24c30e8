package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/training"
)

// TestStatusBarLimits: the bar says the dealer's balance and the point's
// limits, lowers the balance after each payment, and below the threshold
// turns to the warning colour and tells the manager to top it up.
func TestStatusBarLimits(t *testing.T) {
	h := newHarness(t, "ru")
	w := training.Of(h.rt.World)
	require.NoError(t, w.Sim.SetBalance(5300_00))
	w.Sim.SetLimits(3000_00, 0)
	h.signIn("kassir", "1111")
	h.openShift()
	fyne.DoAndWait(func() { h.u.status.refreshAll() })
	h.wait("limits", func() bool { return h.u.status.gateway.Text != "" && !h.u.Busy() })
	bar := h.u.status.gateway
	assert.Equal(t, "Шлюз: на связи, баланс 5300.00 ₽ · платёж до 3000.00 ₽", bar.Text)
	assert.Equal(t, widget.MediumImportance, bar.Importance)

	h.payAs("9261234567") // 300.00
	assert.Equal(t, "Шлюз: на связи, баланс 5000.00 ₽ · платёж до 3000.00 ₽", bar.Text)
	h.payAs("9261234568")
	assert.Equal(t, "Шлюз: на связи, баланс 4700.00 ₽ · платёж до 3000.00 ₽", bar.Text)
	assert.Equal(t, widget.WarningImportance, bar.Importance, "below 5000.00")

	h.signOutAndIn("manager", "222222")
	fyne.DoAndWait(func() { h.u.status.refreshAll() })
	h.wait("alerts", func() bool { return h.u.status.alerts.Visible() })
	assert.Contains(t, h.u.status.alerts.Text, "Баланс 4700.00 ₽ — ниже порога 5000.00 ₽: пополните счёт у партнёра")
}
