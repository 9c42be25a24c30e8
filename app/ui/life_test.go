package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/app/training"
	"paydesk/assets"
	"paydesk/fiscal"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// returnReceipts counts the return receipts («ВОЗВРАТ ПРИХОДА») the
// training register has made.
func (h *harness) returnReceipts() int {
	h.t.Helper()
	docs, err := training.Of(h.rt.World).Emulator.Documents()
	require.NoError(h.t, err)
	n := 0
	for _, d := range docs {
		if d.Type == fiscal.DocReceipt && d.Kind == fiscal.SaleReturn {
			n++
		}
	}
	return n
}

// rowOf is the text a list shows in row i.
func rowOf(l *keyList, i int) string {
	o := l.CreateItem()
	l.UpdateItem(i, o)
	if l, ok := o.(*widget.Label); ok {
		return l.Text
	}
	var cells []string
	for _, c := range o.(*fyne.Container).Objects {
		cells = append(cells, c.(*widget.Label).Text)
	}
	return strings.Join(cells, " | ")
}

// press taps the button labelled text in a popup.
func press(t *testing.T, pop *widget.PopUp, text string) {
	t.Helper()
	require.NotNil(t, pop)
	var found *keyButton
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *keyButton:
			if v.Text == text || v.Text == text+"  Enter" {
				found = v
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(pop.Content)
	require.NotNil(t, found, "a button %q in the popup", text)
	test.Tap(found)
}

// TestRefundThroughWindow: a payment the network accepted (the receipt is
// made then) and failed afterwards (the training number 9000000509) reaches
// the Refunds screen with why; the status bar counts it; the refund asks
// for confirmation, a refund the device cannot make stays in the list with
// the message, and the one made makes one return receipt: the row leaves
// the list and pressing again does nothing on the device. On the way the
// pay screen, the pending list and history tell accepted from credited.
func TestRefundThroughWindow(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 1000_00)
	require.NoError(t, err)

	// An ordinary number is credited at once; 509 is accepted, not yet.
	res := h.payAs("9261234567")
	assert.True(t, strings.HasPrefix(res, "✓ Платёж зачислен: МегаФон, +7 (926) 123-45-67, 300.00 ₽"), res)
	res = h.payAs("9000000509")
	assert.True(t, strings.HasPrefix(res, "✓ Платёж принят, зачисляется: МегаФон"), res)
	assert.Regexp(t, `ФД \d+, ФП \d+`, res)
	assert.Contains(t, res, "зачисление проверяется по статусу")
	assert.False(t, h.u.status.alerts.Visible(), "no refunds yet")

	h.u.Show("pending")
	require.Len(t, h.u.pending.unknown, 1)
	assert.Contains(t, rowOf(h.u.pending.uList, 0), "— принят, зачисляется —")
	h.u.Show("history")
	require.Len(t, h.u.history.rows, 2)
	assert.Contains(t, rowOf(h.u.history.list, 0), "принят, зачисляется")
	assert.Contains(t, rowOf(h.u.history.list, 1), "зачислен")
	assert.NotContains(t, rowOf(h.u.history.list, 1), "принят")

	// Status fails it after its receipt: a refund due, the window is told.
	h.u.Show("pending")
	h.u.pending.resolveNow()
	h.wait("the failure", func() bool { return len(h.u.pending.unknown) == 0 })
	assert.True(t, h.u.status.alerts.Visible())
	assert.Equal(t, "Возвраты: 1", h.u.status.alerts.Text)

	h.key(fyne.KeyF10)
	require.Equal(t, "refunds", h.u.screen)
	s := h.u.refunds
	require.Len(t, s.rows, 1)
	p := s.rows[0]
	assert.Equal(t, app.StateFailed, p.State)
	why := h.rt.Till.RefundWhy(p, "ru")
	require.NotEmpty(t, why)
	row := rowOf(s.list, 0)
	for _, want := range []string{"МегаФон", "+7 (900) 000-05-09", p.Total.String() + " ₽", why} {
		assert.Contains(t, row, want)
	}
	assert.Contains(t, s.detail.Text, "ошибка, ждёт возврата (чек возврата)")
	assert.Contains(t, s.detail.Text, "Почему: "+why)
	assert.False(t, s.button.Disabled(), "the first refund is chosen")
	assert.Equal(t, "Вернуть деньги (чек возврата)", s.button.Text)

	// Cancel and Escape make nothing.
	test.Tap(s.button)
	require.NotNil(t, s.ask)
	assert.True(t, s.ask.Visible())
	text := popupText(s.ask.Content)
	assert.Contains(t, text, "Возврат денег плательщику")
	assert.Contains(t, text, "Верните деньги плательщику: "+p.Total.String()+" ₽ наличными.")
	assert.Contains(t, text, "чек возврата прихода")
	press(t, s.ask, "Отмена  Esc")
	assert.False(t, s.ask.Visible())
	test.Tap(s.button)
	h.u.router.Handle(fyne.KeyEscape)
	assert.False(t, s.ask.Visible())
	assert.Equal(t, 0, h.returnReceipts())

	// The device cannot make it: the refund stays, with the message.
	emu := training.Of(h.rt.World).Emulator
	emu.SetPaper(false)
	test.Tap(s.button)
	press(t, s.ask, "Вернуть деньги (чек возврата)")
	h.wait("the refused refund", func() bool { return !s.working })
	assert.True(t, strings.HasPrefix(s.message.Text, "✗ "), s.message.Text)
	assert.Contains(t, s.message.Text, "ленты")
	require.Len(t, s.rows, 1)
	assert.Equal(t, 0, h.returnReceipts())
	assert.Equal(t, "Возвраты: 1", h.u.status.alerts.Text)

	// With paper it is made once; the row leaves the list.
	emu.SetPaper(true)
	stale := *s.rows[0]
	test.Tap(s.button)
	press(t, s.ask, "Вернуть деньги (чек возврата)")
	h.wait("the refund", func() bool { return !s.working && len(s.rows) == 0 })
	assert.Regexp(t, `^✓ Чек возврата пробит \(ФД \d+\)\. Выдайте плательщику `+p.Total.String()+` ₽\.$`, s.message.Text)
	assert.Equal(t, 1, h.returnReceipts())
	assert.Empty(t, s.rows)
	assert.True(t, s.button.Disabled())
	assert.Equal(t, "Возвратов нет", s.detail.Text)
	assert.False(t, h.u.status.alerts.Visible())

	// Pressing again does nothing; the stale row refused by the till.
	s.ask = nil
	test.Tap(s.button)
	s.refund()
	assert.Nil(t, s.ask, "nothing to confirm")
	s.run(&stale)
	h.wait("the stale refund", func() bool { return !s.working })
	assert.Contains(t, s.message.Text, "возврат по нему не положен")
	assert.Equal(t, 1, h.returnReceipts(), "one return receipt")

	// History shows it refunded, with both documents.
	h.u.Show("history")
	require.Len(t, h.u.history.rows, 2)
	assert.Contains(t, rowOf(h.u.history.list, 0), "возвращён")
	h.u.history.list.Select(0)
	assert.Contains(t, h.u.history.detail.Text, "КАССОВЫЙ ЧЕК")
	assert.Contains(t, h.u.history.detail.Text, "ВОЗВРАТ ПРИХОДА")
}

// laterClock is the real clock moved forward by a settable offset.
type laterClock struct{ off atomic.Int64 }

func (c *laterClock) Now() time.Time { return time.Now().Add(time.Duration(c.off.Load())) }

func (c *laterClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// TestDisputesForTheManager: payments the network accepted and then denied
// (the training number 9000000510) are disputed; the cashier is told not to
// return the cash and cannot open the manager's screen; the manager sees
// them with every answer of the network, closes one as paid and one as not
// paid (each behind its confirmation), and the one not paid goes to Refunds;
// a payment still open a day after pay is shown to the manager as overdue.
func TestDisputesForTheManager(t *testing.T) {
	clk := &laterClock{}
	h := newHarnessClock(t, "en", clk)
	h.signIn("kassir", "1111")
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 1000_00)
	require.NoError(t, err)
	res := h.payAs("9000000510")
	assert.True(t, strings.HasPrefix(res, "⏳ "), res)
	assert.Contains(t, res, "do not return the cash")
	res = h.payAsProvider("mts", "9000000510")
	assert.True(t, strings.HasPrefix(res, "⏳ "), res)
	res = h.payAsProvider("mts", "9000000506") // accepted, never credited
	assert.Contains(t, res, "✓ Payment accepted, being credited")

	// The cashier: told in the pending list, no manager's screen.
	h.u.Show("pending")
	require.Len(t, h.u.pending.unknown, 3)
	assert.Contains(t, rowOf(h.u.pending.uList, 0), "disputed: do not return the cash, a manager decides")
	assert.True(t, h.u.navButton["disputes"].Disabled())
	assert.Equal(t, "Disputes  F11", h.u.navButton["disputes"].Text)
	h.key(fyne.KeyF11)
	assert.Equal(t, "pending", h.u.screen, "disputes are for managers")
	overlay := h.u.win.Canvas().Overlays().Top()
	require.NotNil(t, overlay)
	assert.Contains(t, popupText(overlay.(*widget.PopUp).Content), "Your role does not allow this screen")
	overlay.Hide()
	assert.False(t, h.u.status.alerts.Visible(), "a cashier is not shown disputes")

	// The manager.
	h.signOutAndIn("manager", "222222")
	assert.False(t, h.u.navButton["disputes"].Disabled())
	assert.Equal(t, "Disputed: 2", h.u.status.alerts.Text)
	h.u.Show("disputes")
	s := h.u.disputes
	require.Len(t, s.disputes, 2)
	assert.Empty(t, s.overdue)
	assert.Equal(t, "Choose a payment on the left", s.detail.Text)
	assert.True(t, s.paid.Disabled())
	assert.True(t, s.notPaid.Disabled())
	assert.Equal(t, "Support confirmed: paid", s.paid.Text)
	assert.Equal(t, "Support confirmed: not paid", s.notPaid.Text)
	first, second := s.disputes[0], s.disputes[1]
	assert.Contains(t, rowOf(s.dList, 0), "TRANSID "+first.TransID)
	assert.Contains(t, rowOf(s.dList, 0), "МегаФон  +7 (900) 000-05-10  ")

	// Its answers: the acceptance, then status denying it.
	s.dList.Select(0)
	assert.Contains(t, s.detail.Text, "State: disputed")
	assert.Contains(t, s.detail.Text, "Transaction: "+first.TransID)
	assert.Regexp(t, `(?m)^\d\d\.\d\d \d\d:\d\d:\d\d pay    ERROR=0 RESULT=0 TRANSID=`+first.TransID+` \(kassir\)$`, s.detail.Text)
	assert.Regexp(t, `(?m)^\d\d\.\d\d \d\d:\d\d:\d\d status ERROR=11 RESULT=\S+ TRANSID=\S*`, s.detail.Text)
	assert.False(t, s.paid.Disabled())
	assert.False(t, s.notPaid.Disabled())

	// Not paid: the confirmation says the cash goes back through Refunds.
	test.Tap(s.notPaid)
	require.NotNil(t, s.ask)
	text := popupText(s.ask.Content)
	assert.Contains(t, text, "Support confirmed: not paid")
	assert.Contains(t, text, "will be recorded as not paid")
	assert.Contains(t, text, "the payment appears in Refunds")
	assert.Contains(t, text, "return receipt")
	press(t, s.ask, "Cancel  Esc")
	got, err := h.rt.Till.PaymentBySession(context.Background(), h.u.user, first.Session)
	require.NoError(t, err)
	assert.Equal(t, app.StateDisputed, got.State, "cancelled: nothing decided")
	test.Tap(s.notPaid)
	press(t, s.ask, "Record: not paid")
	h.wait("the decision", func() bool { return !s.working && len(s.disputes) == 1 })
	assert.Equal(t, "✓ Recorded: payment "+first.Session+" was not paid. It is in Refunds: hand back "+first.Total.String()+" ₽ with a return receipt.", s.message.Text)
	assert.Nil(t, s.sel, "the decided payment left the list")
	assert.Equal(t, "Refunds: 1 · Disputed: 1", h.u.status.alerts.Text)

	// Paid: the confirmation says nothing goes back.
	s.dList.Select(0)
	require.Equal(t, second.ID, s.sel.ID)
	test.Tap(s.paid)
	text = popupText(s.ask.Content)
	assert.Contains(t, text, "will be recorded as paid")
	assert.Contains(t, text, "nothing is handed back")
	press(t, s.ask, "Record: paid")
	h.wait("the decision", func() bool { return !s.working && len(s.disputes) == 0 })
	assert.Equal(t, "✓ Recorded: payment "+second.Session+" is paid (credited).", s.message.Text)
	got, err = h.rt.Till.PaymentBySession(context.Background(), h.u.user, second.Session)
	require.NoError(t, err)
	assert.Equal(t, app.StatePaid, got.State)

	// The one not paid is refunded from the Refunds screen.
	h.u.Show("refunds")
	require.Len(t, h.u.refunds.rows, 1)
	assert.Contains(t, rowOf(h.u.refunds.list, 0), h.rt.Till.RefundWhy(h.u.refunds.rows[0], "en"))
	assert.Contains(t, h.u.refunds.detail.Text, "State: not paid, refund due (return receipt)")
	assert.Equal(t, "Refund (return receipt)", h.u.refunds.button.Text)
	test.Tap(h.u.refunds.button)
	assert.Contains(t, popupText(h.u.refunds.ask.Content), "Hand the cash back to the payer: total "+first.Total.String()+" ₽ in cash.")
	press(t, h.u.refunds.ask, "Refund (return receipt)")
	h.wait("the refund", func() bool { return !h.u.refunds.working && len(h.u.refunds.rows) == 0 })
	assert.Contains(t, h.u.refunds.message.Text, "✓ Return receipt made")
	assert.Equal(t, 1, h.returnReceipts())

	// A day later the payment still being credited is overdue.
	clk.off.Store(int64(25 * time.Hour))
	h.u.Show("disputes")
	require.Len(t, s.overdue, 1)
	assert.Contains(t, rowOf(s.oList, 0), "accepted, being credited")
	assert.Contains(t, rowOf(s.oList, 0), "+7 (900) 000-05-06")
	s.oList.Select(0)
	assert.Contains(t, s.detail.Text, "pay    ERROR=0 RESULT=0")
	assert.True(t, s.paid.Disabled(), "only a dispute is decided")
	assert.Equal(t, "Overdue: 1", h.u.status.alerts.Text)
}

// TestLifeTextsBothLanguages: the new widgets speak Russian and English,
// every new key is in both catalogues, and the English ones have no
// Cyrillic.
func TestLifeTextsBothLanguages(t *testing.T) {
	want := map[string][]string{
		"ru": {"Возвраты  F10", "Споры  F11", "Вернуть деньги (чек возврата)", "Поддержка подтвердила: проведён",
			"Поддержка подтвердила: не проведён", "принят, зачисляется", "зачислен"},
		"en": {"Refunds  F10", "Disputes  F11", "Refund (return receipt)", "Support confirmed: paid",
			"Support confirmed: not paid", "accepted, being credited", "credited"},
	}
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, lang)
			h.signIn("manager", "222222")
			require.NotNil(t, h.u.user)
			u := h.u
			got := []string{u.navButton["refunds"].Text, u.navButton["disputes"].Text, u.refunds.button.Text, u.disputes.paid.Text,
				u.disputes.notPaid.Text, u.stateText(app.StateAccepted), u.stateText(app.StatePaid)}
			assert.Equal(t, want[lang], got)
			h.key(fyne.KeyF10)
			assert.Equal(t, "refunds", u.screen)
			assert.Equal(t, u.T("refunds.none"), u.refunds.detail.Text)
			h.key(fyne.KeyF11)
			assert.Equal(t, "disputes", u.screen)
		})
	}
	ru, err := assets.Messages("ru")
	require.NoError(t, err)
	en, err := assets.Messages("en")
	require.NoError(t, err)
	cyrillic := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
	}
	n := 0
	for k, v := range ru {
		for _, prefix := range []string{"refunds.", "disputes.", "state_text.", "status.refunds", "status.disputes", "status.overdue",
			"nav.refunds", "nav.disputes", "pay.accepted", "pending.disputed_note"} {
			if strings.HasPrefix(k, prefix) {
				n++
				assert.True(t, cyrillic(v), "%s: Russian %q", k, v)
				require.Contains(t, en, k)
				assert.False(t, cyrillic(en[k]), "%s: English %q", k, en[k])
			}
		}
	}
	assert.Greater(t, n, 40)
}

// TestTrainingHintNamesThePINs: the sign-in screen's training hint gives
// each training cashier's real PIN, in both languages.
func TestTrainingHintNamesThePINs(t *testing.T) {
	for _, lang := range []string{"ru", "en"} {
		h := newHarness(t, lang)
		hint := h.u.T("signin.training_hint")
		for _, c := range training.Cashiers {
			assert.Regexp(t, `\b`+c.PIN+`\b`, hint, "%s: %s", lang, c.Login)
		}
	}
}
