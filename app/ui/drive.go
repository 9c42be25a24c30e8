package ui

import (
	"context"
	"fyne.io/fyne/v2/container"
	"time"

	"paydesk/app"
	"paydesk/fiscal"
	"paydesk/money"
)

// Show switches to a screen by name: pay, pending, refunds, history,
// shift, reports, disputes, settings.
func (u *UI) Show(name string) { u.show(name) }

// SignIn signs a cashier in as the sign-in screen would, synchronously
// (screenshots, demos); it must run on the UI goroutine.
func (u *UI) SignIn(login, pin string) error {
	user, err := u.till.SignIn(u.ctx, login, pin)
	if err != nil {
		return err
	}
	u.user = user
	u.win.SetContent(u.frame())
	u.status.refreshAll()
	u.show("pay")
	return nil
}

// WaitIdle waits (off the UI goroutine) until no background work runs.
func (u *UI) WaitIdle(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if !u.Busy() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// DemoPayment fills the payment screen as a cashier would and asks the
// network (for screenshots): it opens a shift when none is open.
func (u *UI) DemoPayment() {
	if st, err := u.till.Shift(u.ctx); err == nil && st.Shift == nil {
		_, _ = u.till.OpenShift(u.ctx, u.user, 1000_00)
		u.status.refreshAll()
	}
	u.show("pay")
	p, err := u.till.Provider("mts")
	if err != nil {
		return
	}
	u.pay.choose(p)
	u.pay.number.SetText("9161234567")
	u.pay.amount.SetText(money.Amount(500_00).String())
	u.pay.buyer.SetText("+7 916 123-45-67")
	u.pay.doCheck()
}

// DemoFields fills the form of the training catalogue's provider described
// field by field (the single utility bill), electricity with its meter
// reading, up to Pay (for screenshots).
func (u *UI) DemoFields() {
	u.show("pay")
	p, err := u.till.Provider("zhku")
	if err != nil {
		return
	}
	u.pay.choose(p)
	u.pay.number.SetText("1234567890")
	for _, r := range u.pay.fields.rows {
		switch r.in.ID {
		case "period":
			r.entry.SetText("112026")
		case "service":
			r.pick.SetSelectedIndex(1)
		case "meter":
			r.entry.SetText("1234.5")
		}
	}
	u.pay.amount.SetText(money.Amount(2450_00).String())
}

// DemoSettingsCatalogue shows the end of Settings: the provider catalogue
// with its import, the commission schedule, the new keys (for
// screenshots).
func (u *UI) DemoSettingsCatalogue() {
	u.show("settings")
	if sc, ok := u.settings.root.(*container.Scroll); ok {
		sc.ScrollToBottom()
	}
}

// DemoConfirm opens the summary of the checked payment (for screenshots).
func (u *UI) DemoConfirm() { u.pay.askConfirm() }

// DemoSend sends the confirmed payment (for screenshots).
func (u *UI) DemoSend() {
	if u.pay.confirmPop != nil {
		u.pay.confirmPop.Hide()
	}
	u.pay.doConfirm()
}

// DemoLife fills the Refunds and Disputes screens (for screenshots): it
// pays, in the background, the training numbers that fail after their
// receipt (9000000509) and that the network disputes (9000000510), asks
// status once more, then shows the Refunds screen. It opens a shift when
// none is open; wait for it with WaitIdle.
func (u *UI) DemoLife() {
	if st, err := u.till.Shift(u.ctx); err == nil && st.Shift == nil {
		_, _ = u.till.OpenShift(u.ctx, u.user, 1000_00)
	}
	user := u.user
	u.background(func(ctx context.Context) func() {
		for _, number := range []string{"9000000509", "9000000510"} {
			p, err := u.till.Start(ctx, user, "mts", number)
			if err == nil {
				p, err = u.till.Check(ctx, user, p, 300_00, app.Cash)
			}
			if err == nil {
				_, _ = u.till.Confirm(ctx, user, p)
			}
		}
		_, _ = u.till.ResolvePending(ctx, true)
		return func() { u.show("refunds") }
	})
}

// DemoDisputes shows the Disputes screen with its first disputed payment
// chosen (for screenshots; after DemoLife).
func (u *UI) DemoDisputes() {
	u.show("disputes")
	if len(u.disputes.disputes) > 0 {
		u.disputes.dList.Select(0)
	}
}

// DemoCopy prints, in the background, a copy of the newest payment's
// receipt from History and shows it (for screenshots; wait with WaitIdle).
func (u *UI) DemoCopy() {
	u.show("history")
	h := u.history
	for i, p := range h.rows {
		if p.FD > 0 {
			h.list.Select(i)
			h.printCopy(uint32(p.FD))
			return
		}
	}
}

// DemoHidePopups closes the dialogs open (for screenshots).
func (u *UI) DemoHidePopups() {
	for top := u.win.Canvas().Overlays().Top(); top != nil; top = u.win.Canvas().Overlays().Top() {
		top.Hide()
		u.win.Canvas().Overlays().Remove(top)
	}
}

// DemoDriveWarnings shows the payment screen with the status bar as it is
// for a fiscal drive 3 days from its expiry with 3 documents unsent to the
// OFD for two days (for screenshots: the training register's drive is new).
func (u *UI) DemoDriveWarnings() {
	u.DemoHidePopups()
	u.show("pay")
	u.pay.reset()
	now := u.opt.Clock.Now()
	y, m, d := now.Date()
	in := fiscal.Info{FFD: fiscal.FFD12, Drive: fiscal.Drive{
		Expires:  time.Date(y, m, d+3, 0, 0, 0, 0, time.UTC),
		Warnings: fiscal.WarnReplaceUrgent | fiscal.WarnExpiresSoon, Unsent: 3, FirstUnsent: 2,
		OldestUnsent: now.Add(-50 * time.Hour).Truncate(time.Minute)}}
	u.status.showInfo(&in)
}

// DemoShiftClose shows the Z report's confirmation with the drawer
// counted 100.00 short (for screenshots; it closes nothing).
func (u *UI) DemoShiftClose() {
	u.DemoHidePopups()
	u.show("shift")
	u.shift.counted.SetText((u.shift.state.Totals.Expected - 100_00).String())
	u.shift.close()
}

// DemoFill chooses the provider, types the number and the amount and checks
// it, as a cashier does (the window's own flow; wait with WaitIdle, then
// DemoSend). A shift is opened first when none is.
func (u *UI) DemoFill(code, number string, amount money.Amount) {
	if st, err := u.till.Shift(u.ctx); err == nil && st.Shift == nil {
		_, _ = u.till.OpenShift(u.ctx, u.user, 0)
	}
	if u.screen != "pay" {
		u.show("pay")
	}
	p, err := u.till.Provider(code)
	if err != nil {
		return
	}
	u.pay.choose(p)
	u.pay.number.SetText(number)
	u.pay.amount.SetText(amount.String())
	u.pay.doCheck()
}

// DemoFocus puts the focus on the payment screen's first field (its cursor
// blinks: the idle cost measured by make bench).
func (u *UI) DemoFocus() { u.show("pay") }

// DemoSignInAs chooses the cashier login on the sign-in screen, as a
// cashier picks her name from the list; the PIN is then typed (for the
// walk-through).
func (u *UI) DemoSignInAs(login string) {
	s := u.signInForm
	if s == nil {
		return
	}
	for name, l := range s.logins {
		if l == login {
			s.who.SetSelected(name)
		}
	}
	u.win.Canvas().Focus(s.pin)
}

// SignOut signs the user out as the navigation's button does.
func (u *UI) SignOut() { u.signOut() }

// DemoFocusCounted puts the focus on the shift's counted cash and returns
// what the drawer should hold (for the walk-through: the manager counts it).
func (u *UI) DemoFocusCounted() string {
	u.win.Canvas().Focus(u.shift.counted)
	return u.shift.state.Totals.Expected.String()
}
