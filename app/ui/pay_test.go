package ui

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app"
)

// TestPaymentScreenAfterTheEnd: a payment made, the form is the next
// payer's: nothing to send again (F3 and F4 do nothing), the result says
// what, for whom and how much until the next number is typed; a sign-out
// leaves nothing of the payer for whoever signs in next.
func TestPaymentScreenAfterTheEnd(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	h.openShift()
	s := h.u.pay
	res := h.payAs("9261234567")
	assert.Contains(t, res, "Платёж зачислен: МегаФон, +7 (926) 123-45-67, 300.00 ₽")
	assert.Regexp(t, `ФД \d+, ФП \d+ \(номер документа и фискальный признак\)`, res)
	assert.Empty(t, s.number.Text)
	assert.Empty(t, s.amount.Text)
	assert.True(t, s.check.Disabled(), "nothing to check")
	assert.True(t, s.confirm.Disabled(), "nothing to send")
	assert.True(t, s.checkNo.Disabled())

	fyne.DoAndWait(func() { h.key(fyne.KeyF3); h.key(fyne.KeyF4) })
	h.wait("nothing", func() bool { return true })
	ps, err := h.rt.Till.History(context.Background(), h.u.user, app.Filter{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, ps, 1, "F3 and F4 after the end start nothing")

	test.Type(s.number, "9")
	assert.Empty(t, s.result.Text, "the last payer's result goes with the next number")

	// A payment checked, then a sign-out: cancelled, and the next user
	// sees a clean screen.
	fyne.DoAndWait(func() { s.number.SetText("") })
	test.Type(s.number, "9267654321")
	test.Type(s.amount, "150")
	h.key(fyne.KeyF3)
	h.wait("check", func() bool { return s.payment != nil && s.payment.State == app.StateChecked })
	assert.True(t, s.check.Disabled(), "checked for this amount: only the confirmation is next")
	assert.False(t, s.confirm.Disabled())
	checked := s.payment.ID
	h.signOutAndIn("manager", "222222")
	s = h.u.pay
	assert.Nil(t, s.prov)
	assert.Empty(t, s.number.Text)
	assert.Empty(t, s.amount.Text)
	assert.Empty(t, s.result.Text)
	assert.True(t, s.confirm.Disabled())
	ps, err = h.rt.Till.History(context.Background(), h.u.user, app.Filter{Limit: 10})
	require.NoError(t, err)
	for _, p := range ps {
		if p.ID == checked {
			assert.Equal(t, app.StateCancelled, p.State, "checked, not sent: cancelled at sign-out")
		}
	}
}

// TestFirstMinute: a new desk has no open shift; the payment screen says so
// and opens one in one step (the float typed, Enter), then a payment goes
// through; "no shift open" does not outlive the shift being opened.
func TestFirstMinute(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	s := h.u.pay
	require.True(t, s.noShift.Visible(), "no shift: the first step is shown")
	assert.Equal(t, s.shiftFloat, h.u.win.Canvas().Focused())

	// A check without a shift says why, and the step stays.
	res := h.payAs("9261234567")
	assert.Contains(t, res, "✗")
	assert.True(t, s.noShift.Visible())

	// Opened on the shift screen, the stale refusal is gone on return.
	h.u.Show("shift")
	test.Type(h.u.shift.float, "0")
	h.u.shift.open()
	h.wait("open", func() bool { return !h.u.shift.working })
	h.u.Show("pay")
	assert.False(t, s.noShift.Visible())
	assert.Empty(t, s.result.Text, "no stale no-shift message")

	// A new desk: the step on the payment screen itself.
	h = newHarness(t, "en")
	h.signIn("kassir", "1111")
	s = h.u.pay
	test.Type(s.shiftFloat, "500")
	h.key(fyne.KeyReturn)
	h.wait("open", func() bool { return !s.opening })
	assert.False(t, s.noShift.Visible())
	assert.Equal(t, "✓ Shift 1 is open with a float of 500.00 ₽. Payments can be taken (F1).", s.result.Text)
	assert.Equal(t, s.search, h.u.win.Canvas().Focused(), "next: the provider")
	assert.Contains(t, h.payAs("9261234567"), "✓ Payment credited: MegaFon")
}

// TestWaitingSaysWhere: while a slow payment (the training number
// 9000000100 answers pay 5 s late) is sent, the screen names the stage, the
// seconds gone and the network's timeout, and nothing can be pressed that
// does nothing (Escape's button is disabled).
func TestWaitingSaysWhere(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	h.openShift()
	s := h.startPayment("megafon", "9000000100", "300")
	h.key(fyne.KeyF3)
	h.wait("check", func() bool { return s.confirmable() })
	h.key(fyne.KeyF4)
	h.u.router.Handle(fyne.KeyReturn)
	timeout := int(h.rt.Config.Gateway.Timeout.Seconds())
	h.during("sent", func() bool {
		return strings.HasPrefix(s.result.Text, "Платёж отправлен, ждём ответа сети… ")
	})
	fyne.DoAndWait(func() {
		assert.True(t, s.newBtn.Disabled(), "Escape does nothing while the payment is sent")
		assert.Contains(t, s.result.Text, fmt.Sprintf("(ответ сети ждём до %d с)", timeout))
	})
	h.during("a second gone", func() bool {
		return strings.Contains(s.result.Text, "… 1 с") || strings.Contains(s.result.Text, "… 2 с")
	})
	h.wait("the end", func() bool { return !s.working })
	assert.True(t, strings.HasPrefix(s.result.Text, "✓"), s.result.Text)
	assert.False(t, s.newBtn.Disabled())
}

// TestRecoveryTellsTheCashier: PayDesk stopped with a payment's pay sent
// and no answer (the flow ends at the stored pay_sent step, as a crash
// there would); the next start draws the window at once, asks the network
// in the background and tells the cashier the payment ended not paid.
func TestRecoveryTellsTheCashier(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	h.openShift()
	stop := func(step string) {
		if step == "pay_sent" {
			runtime.Goexit() // the flow stops here, its pay never sent
		}
	}
	h.onStep.Store(&stop)
	s := h.startPayment("megafon", "9261234567", "300")
	h.key(fyne.KeyF3)
	h.wait("check", func() bool { return s.confirmable() })
	h.key(fyne.KeyF4)
	h.u.router.Handle(fyne.KeyReturn)
	pending := func(rt *app.Runtime) int {
		ps, err := rt.Till.Pending(context.Background())
		require.NoError(t, err)
		return len(ps)
	}
	h.during("pay_sent stored", func() bool { return pending(h.rt) == 1 })
	h.u.Close()
	require.NoError(t, h.rt.Close())

	next := newHarnessIn(t, h.dir, "ru", nil, true)
	var text string
	next.during("the notice", func() bool {
		if top := next.u.win.Canvas().Overlays().Top(); top != nil {
			text = popupText(top.(*widget.PopUp).Content)
		}
		return text != ""
	})
	assert.Contains(t, text, "Платежи, прерванные при прошлом запуске")
	assert.Contains(t, text, "МегаФон, +7 (926) 123-45-67, 300.00 ₽")
	assert.Contains(t, text, "НЕ прошёл — ничего не зачислено")
	assert.Zero(t, pending(next.rt), "decided")
}

// TestNumberRefusedBeforeAnAmount: the network refuses the number on its
// own check (F2): the refusal asks to check the number, not an amount not
// typed yet, in the colour of a refusal, and "the number looks right" goes.
func TestNumberRefusedBeforeAnAmount(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	h.openShift()
	s := h.startPayment("megafon", "9000000023", "")
	require.NotEmpty(t, s.hint.Text)
	h.key(fyne.KeyF2)
	h.wait("refused", func() bool { return strings.HasPrefix(s.result.Text, "✗") })
	assert.Contains(t, s.result.Text, "проверьте номер с плательщиком")
	assert.NotContains(t, s.result.Text, "сумм")
	assert.Empty(t, s.hint.Text)
	assert.Equal(t, widget.DangerImportance, s.result.importance())
}

// TestActivityStopsWhenIdle: the status bar's activity bar runs while
// background work does and stops after it (a running one repaints the
// whole window 60 times a second: a core of an idle till).
func TestActivityStopsWhenIdle(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	h.openShift()
	h.u.status.refreshAll()
	assert.True(t, h.u.status.activity.Running(), "running while the status is asked")
	h.wait("idle", func() bool { return true })
	assert.False(t, h.u.status.activity.Running())
	assert.False(t, h.u.status.activity.Visible())
	h.payAs("9261234567")
	assert.False(t, h.u.status.activity.Running(), "stopped after a payment")
}

// TestHistoryNewsIsOfTheRowChosen: what a reprint said of one row is gone
// when another is chosen.
func TestHistoryNewsIsOfTheRowChosen(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	h.openShift()
	h.payAs("9261234567")
	h.payAs("9261234568")
	h.u.Show("history")
	hs := h.u.history
	require.Len(t, hs.rows, 2)
	hs.list.Select(0)
	hs.reprint()
	h.wait("reprint", func() bool { return hs.message.Text != "" })
	hs.list.Select(1)
	assert.Empty(t, hs.message.Text, "not the other row's news")
}

// TestProviderNamesInEnglish: an English window names the providers in
// English and finds them by either name; the books keep the Russian name
// that receipts print.
func TestProviderNamesInEnglish(t *testing.T) {
	h := newHarness(t, "en")
	h.signIn("kassir", "1111")
	s := h.u.pay
	var names []string
	for _, o := range s.tiles["mobile"].Objects {
		names = append(names, o.(*keyButton).Text)
	}
	assert.Equal(t, []string{"MTS", "Beeline", "MegaFon", "Tele2"}, names)
	test.Type(s.search, "мегафон")
	require.Len(t, s.tiles["mobile"].Objects, 1)
	assert.Equal(t, "MegaFon", s.tiles["mobile"].Objects[0].(*keyButton).Text)
	h.openShift()
	assert.Contains(t, h.payAs("9261234567"), "✓ Payment credited: MegaFon, ")
	h.u.Show("history")
	require.Len(t, h.u.history.rows, 1)
	assert.Equal(t, "МегаФон", h.u.history.rows[0].ProviderName, "the books keep the receipt's name")
}

// openShift opens the shift with no float, as the signed-in user.
func (h *harness) openShift() {
	h.t.Helper()
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 0)
	require.NoError(h.t, err)
}
