package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/money"
)

func startOfDay(daysBack int) time.Time {
	n := time.Now()
	return time.Date(n.Year(), n.Month(), n.Day()-daysBack, 0, 0, 0, 0, time.Local)
}

// shiftScreen opens and closes shifts, X reports, cash in and out.
type shiftScreen struct {
	u       *UI
	root    fyne.CanvasObject
	info    *widget.Label
	amount  *keyEntry
	message *widget.Label
}

func newShiftScreen(u *UI) *shiftScreen {
	s := &shiftScreen{u: u, info: widget.NewLabel(""), amount: u.entry(), message: wrapLabel("")}
	s.info.TextStyle = fyne.TextStyle{Monospace: true}
	s.amount.PlaceHolder = u.T("shift.amount")
	open := u.button(u.T("shift.open"), theme.MediaPlayIcon(), s.open)
	x := u.button(u.T("shift.x"), theme.DocumentPrintIcon(), s.xReport)
	in := u.button(u.T("shift.cash_in"), theme.ContentAddIcon(), func() { s.cash("in") })
	out := u.button(u.T("shift.cash_out"), theme.ContentRemoveIcon(), func() { s.cash("out") })
	closeB := u.button(u.T("shift.close"), theme.MediaStopIcon(), s.close)
	closeB.Importance = widget.DangerImportance
	buttons := container.NewGridWithColumns(5, open, x, in, out, closeB)
	s.root = container.NewBorder(container.NewVBox(widget.NewLabel(u.T("shift.amount_label")), s.amount, buttons, s.message), nil, nil, nil,
		container.NewScroll(s.info))
	return s
}

func (s *shiftScreen) content() fyne.CanvasObject { s.reload(); return s.root }

func (s *shiftScreen) reload() {
	st, err := s.u.till.Shift(s.u.ctx)
	if err != nil {
		s.info.SetText(s.u.appMessage(err))
		return
	}
	if st.Shift == nil {
		s.info.SetText(s.u.T("shift.none"))
		return
	}
	t := st.Totals
	left := s.u.till.ShiftLeft(st.Shift)
	s.info.SetText(s.u.T("shift.info", "ID", st.Shift.ID, "Opened", st.Shift.OpenedAt.Local().Format("02.01.2006 15:04"),
		"Left", fmt.Sprintf("%d:%02d", int(left.Hours()), int(left.Minutes())%60), "Float", t.OpeningFloat.String(),
		"Payments", t.Payments, "Amount", t.Amount.String(), "Fee", t.Fee.String(), "Total", t.Total.String(),
		"Commission", t.Commission.String(), "In", t.CashIn.String(), "Out", t.CashOut.String(), "Pending", t.Pending,
		"Expected", t.Expected.String()))
}

func (s *shiftScreen) parseAmount(allowEmpty bool) (money.Amount, bool) {
	if s.amount.Text == "" && allowEmpty {
		return 0, true
	}
	a, err := money.Parse(s.amount.Text)
	if err != nil {
		s.message.SetText(s.u.T("pay.amount_bad"))
		return 0, false
	}
	return a, true
}

func (s *shiftScreen) done(err error, ok string) func() {
	return func() {
		if err != nil {
			s.message.SetText(s.u.appMessage(err))
		} else {
			s.message.SetText(ok)
			s.amount.SetText("")
		}
		s.reload()
		s.u.status.refreshAll()
	}
}

func (s *shiftScreen) open() {
	a, ok := s.parseAmount(true)
	if !ok {
		return
	}
	s.u.background(func(ctx context.Context) func() {
		_, err := s.u.till.OpenShift(ctx, s.u.user, a)
		return s.done(err, s.u.T("shift.opened"))
	})
}

func (s *shiftScreen) xReport() {
	s.u.background(func(ctx context.Context) func() {
		return s.done(s.u.till.XReport(ctx, s.u.user), s.u.T("shift.x_done"))
	})
}

func (s *shiftScreen) cash(kind string) {
	a, ok := s.parseAmount(false)
	if !ok {
		return
	}
	run := func(user *userRef) {
		s.u.background(func(ctx context.Context) func() {
			var err error
			if kind == "in" {
				err = s.u.till.CashIn(ctx, user.User, a)
			} else {
				err = s.u.till.CashOut(ctx, user.User, a)
			}
			return s.done(err, s.u.T("shift.cash_done"))
		})
	}
	if kind == "out" && !s.u.allowed("manager") {
		s.u.approve("cash out", run)
		return
	}
	run(&userRef{s.u.user})
}

func (s *shiftScreen) close() {
	a, ok := s.parseAmount(false)
	if !ok {
		s.message.SetText(s.u.T("shift.count_first"))
		return
	}
	run := func(user *userRef) {
		s.u.background(func(ctx context.Context) func() {
			sh, _, err := s.u.till.CloseShift(ctx, user.User, a)
			if err != nil {
				return s.done(err, "")
			}
			return s.done(nil, s.u.T("shift.closed", "Expected", sh.Expected.String(), "Counted", sh.Counted.String(), "Difference", sh.Difference.String()))
		})
	}
	if !s.u.allowed("manager") {
		s.u.approve("close shift", run)
		return
	}
	run(&userRef{s.u.user})
}
