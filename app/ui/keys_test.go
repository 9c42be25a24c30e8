package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeysFromEveryScreen focuses every widget of every screen in turn and
// presses a function key there: the window's key map works whatever has
// the focus (an entry, a button, a list, a drop-down, a check box).
func TestKeysFromEveryScreen(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("admin", "999999")
	require.NotNil(t, h.u.user)
	for _, it := range h.u.navItems() {
		fyne.DoAndWait(func() { h.u.show(it.key) })
		widgets := focusables(h.u.body)
		require.NotEmpty(t, widgets, it.key)
		for i := range widgets {
			// The layout is built anew on each show: find the i-th again.
			fyne.DoAndWait(func() { h.u.show(it.key) })
			ws := focusables(h.u.body)
			require.Len(t, ws, len(widgets), it.key)
			w := ws[i]
			name := fmt.Sprintf("%s: %T #%d", it.key, w, i)
			to, key := "pay", fyne.KeyF1
			if it.key == "pay" {
				to, key = "shift", fyne.KeyF7
			}
			fyne.DoAndWait(func() {
				h.u.win.Canvas().Focus(w)
				h.key(key)
			})
			assert.Equal(t, to, h.u.screen, name)
		}
	}
}

// TestTypingGoesToTheScreenShown: F7 from the payment screen's search puts
// the focus on the shift's amount, and digits typed next land there.
func TestTypingGoesToTheScreenShown(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	fyne.DoAndWait(func() {
		h.u.win.Canvas().Focus(h.u.pay.search)
		h.key(fyne.KeyF7)
	})
	require.Equal(t, "shift", h.u.screen)
	fyne.DoAndWait(func() {
		for _, r := range "500" {
			h.u.win.Canvas().Focused().TypedRune(r)
		}
	})
	assert.Equal(t, "500", h.u.shift.float.Text, "the opening float: no shift is open")
	assert.Empty(t, h.u.pay.search.Text, "nothing typed into a screen not shown")
}

// TestQuickAmountsFromTheAmountField: Alt+1 … Alt+5 work with the focus in
// the amount field, where the number check leaves it.
func TestQuickAmountsFromTheAmountField(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 0)
	require.NoError(t, err)
	p, err := h.rt.Till.Provider("mts")
	require.NoError(t, err)
	fyne.DoAndWait(func() { h.u.pay.choose(p); h.u.win.Canvas().Focus(h.u.pay.amount) })
	for i, want := range []string{"100.00", "200.00", "300.00", "500.00", "1000.00"} {
		fyne.DoAndWait(func() { h.shortcut(fyne.KeyModifierAlt, fyne.KeyName(fmt.Sprint(i+1))) })
		assert.Equal(t, want, h.u.pay.amount.Text, "Alt+%d", i+1)
	}
	fyne.DoAndWait(func() { h.shortcut(fyne.KeyModifierControl, fyne.KeyF) })
	assert.Equal(t, h.u.pay.search, h.u.focused(), "Ctrl+F: the provider search")
}
