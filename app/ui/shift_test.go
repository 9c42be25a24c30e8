package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/training"
)

// enabled says which of the shift's actions can be pressed.
func (s *shiftScreen) enabled() map[string]bool {
	return map[string]bool{"open": !s.openB.Disabled(), "x": !s.xB.Disabled(), "in": !s.inB.Disabled(),
		"out": !s.outB.Disabled(), "close": !s.closeB.Disabled(), "in field": !s.inAmount.Disabled()}
}

// TestShiftScreen: only what can act is enabled, each action has its own
// amount, cash in and out and the Z report are read back before they are
// made (Escape makes nothing), and each says what it did next to its button.
func TestShiftScreen(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	emu := training.Of(h.rt.World).Emulator
	h.u.Show("shift")
	s := h.u.shift
	assert.Equal(t, map[string]bool{"open": true, "x": false, "in": false, "out": false, "close": false, "in field": false}, s.enabled(),
		"no shift: only opening")
	assert.Equal(t, s.float, h.u.win.Canvas().Focused(), "the float is the first field")

	test.Type(s.float, "1000")
	h.key(fyne.KeyReturn)
	h.wait("open", func() bool { return !s.working })
	assert.Equal(t, "✓ Смена №1 открыта, размен 1000.00 ₽. Можно принимать платежи (F1).", s.openNote.Text)
	assert.Equal(t, widget.SuccessImportance, s.openNote.importance())
	assert.Equal(t, map[string]bool{"open": false, "x": true, "in": false, "out": false, "close": false, "in field": true}, s.enabled(),
		"open: no amounts typed yet")

	// A bad amount enables nothing; a good one its own button only.
	test.Type(s.inAmount, "5,,0")
	assert.False(t, s.enabled()["in"])
	s.inAmount.SetText("")
	test.Type(s.inAmount, "500")
	assert.Equal(t, map[string]bool{"open": false, "x": true, "in": true, "out": false, "close": false, "in field": true}, s.enabled())

	ins := func() int { return strings.Count(strings.Join(emu.Tape(), "\n"), "ВНЕСЕНИЕ") }
	before := ins()
	s.cash("in")
	require.NotNil(t, s.ask)
	assert.Contains(t, popupText(s.ask.Content), "Внести в кассу 500.00 ₽?")
	h.key(fyne.KeyEscape)
	assert.False(t, s.ask.Visible())
	assert.Equal(t, before, ins(), "Escape made nothing")
	assert.Equal(t, "500", s.inAmount.Text, "the amount is kept to try again")

	s.cash("in")
	h.key(fyne.KeyReturn)
	h.wait("cash in", func() bool { return !s.working && s.inNote.Text != "" })
	assert.Equal(t, "✓ Внесено в кассу 500.00 ₽. Должно быть в кассе: 1500.00 ₽", s.inNote.Text)
	assert.Equal(t, before+1, ins())
	assert.Empty(t, s.inAmount.Text)
	assert.False(t, s.openNote.Visible(), "the last action's note only")

	// A cashier's Z: the difference read back, then a manager approves.
	test.Type(s.counted, "1400")
	s.close()
	assert.Contains(t, popupText(s.ask.Content), "Расхождение:         -100.00 ₽ (недостача)")
	h.key(fyne.KeyReturn)
	approve := h.u.win.Canvas().Overlays().Top()
	require.NotNil(t, approve)
	assert.Contains(t, popupText(approve.(*widget.PopUp).Content), "менеджер")
	approve.Hide()
	st, err := h.rt.Till.Shift(h.u.ctx)
	require.NoError(t, err)
	require.NotNil(t, st.Shift, "not closed without the manager")

	h.signOutAndIn("manager", "222222")
	h.u.Show("shift")
	s = h.u.shift
	assert.Empty(t, s.inNote.Text, "the cashier's news is not the manager's")
	test.Type(s.counted, "1500")
	s.close()
	h.key(fyne.KeyReturn)
	h.wait("close", func() bool { return !s.working && s.closeNote.Text != "" })
	assert.Equal(t, "✓ Смена закрыта. Ожидалось 1500.00, пересчитано 1500.00, расхождение 0.00 ₽", s.closeNote.Text)
	assert.Equal(t, map[string]bool{"open": true, "x": false, "in": false, "out": false, "close": false, "in field": false}, s.enabled())
}
