package ui

import (
	"time"

	"paydesk/money"
)

// Show switches to a screen by name: pay, pending, history, shift,
// reports, settings.
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
	u.pay.doCheck()
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
