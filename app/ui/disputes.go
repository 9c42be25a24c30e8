package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
)

// disputesScreen is the manager's screen (F11): the disputed payments (the
// network accepted them and then said they never happened: the cash is
// never handed back until a manager decides) and the overdue ones (still
// unsettled a day after pay). Choosing one shows every answer the network
// gave about it; a disputed one is closed with what the network's support
// confirmed, each decision behind a confirmation saying what it means.
type disputesScreen struct {
	u        *UI
	root     fyne.CanvasObject
	disputes []*app.Payment
	overdue  []*app.Payment
	dList    *keyList
	oList    *keyList
	sel      *app.Payment // the chosen payment as listed; nil when none
	detail   *widget.Label
	paid     *keyButton
	notPaid  *keyButton
	message  *line
	working  bool          // a decision is being recorded
	ask      *widget.PopUp // the confirmation while it is shown
}

func newDisputesScreen(u *UI) *disputesScreen {
	s := &disputesScreen{u: u, detail: widget.NewLabel(""), message: newLine(fyne.TextStyle{})}
	s.detail.TextStyle = fyne.TextStyle{Monospace: true}
	row := func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	s.dList = u.list(func() int { return len(s.disputes) }, row,
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.disputeRow(s.disputes[i])) })
	s.oList = u.list(func() int { return len(s.overdue) }, row,
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.overdueRow(s.overdue[i])) })
	s.dList.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(s.disputes) {
			s.oList.UnselectAll()
			s.choose(s.disputes[i])
		}
	}
	s.oList.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(s.overdue) {
			s.dList.UnselectAll()
			s.choose(s.overdue[i])
		}
	}
	s.paid = u.button(u.T("disputes.paid"), theme.ConfirmIcon(), func() { s.decide(true) })
	s.paid.Importance = widget.HighImportance
	s.notPaid = u.button(u.T("disputes.not_paid"), theme.CancelIcon(), func() { s.decide(false) })
	s.notPaid.Importance = widget.DangerImportance
	top := container.NewBorder(container.NewVBox(titleLabel(u.T("disputes.title")), wrapLabel(u.T("disputes.hint"))), nil, nil, nil, s.dList)
	bottom := container.NewBorder(container.NewVBox(titleLabel(u.T("disputes.overdue_title")), wrapLabel(u.T("disputes.overdue_hint"))), nil, nil, nil, s.oList)
	lists := container.NewVSplit(top, bottom)
	buttons := container.NewVBox(s.paid, s.notPaid, s.message)
	right := container.NewBorder(titleLabel(u.T("disputes.answers")), buttons, nil, nil, container.NewScroll(s.detail))
	split := container.NewHSplit(lists, right)
	split.Offset = 0.44 // the answers' lines are long
	s.root = split
	s.update()
	return s
}

func (s *disputesScreen) content() fyne.CanvasObject { s.reload(); return s.root }

// disputeRow is a disputed payment's line: when, who, the number, the total
// and the network's transaction.
func (s *disputesScreen) disputeRow(p *app.Payment) string {
	return fmt.Sprintf("%s  %s  %s  %s ₽  TRANSID %s", paidAt(p).Local().Format("02.01 15:04"), p.ProviderName, payerText(p), p.Total, p.TransID)
}

// overdueRow is an overdue payment's line: when, who, the number, the
// total, its state and how long since pay.
func (s *disputesScreen) overdueRow(p *app.Payment) string {
	return fmt.Sprintf("%s  %s  %s  %s ₽  %s  — %s", paidAt(p).Local().Format("02.01 15:04"), p.ProviderName, payerText(p), p.Total,
		s.u.stateText(p.State), s.u.T("disputes.hours", "H", s.hoursSincePay(p)))
}

// hoursSincePay is the whole hours since pay was sent (by the window's
// clock: the till does not hand out its own).
func (s *disputesScreen) hoursSincePay(p *app.Payment) int {
	return int(time.Since(paidAt(p)) / time.Hour)
}

// reload reads both lists again (managers only), keeping the chosen
// payment chosen while it is in one of them.
func (s *disputesScreen) reload() {
	if !s.u.allowed("manager") {
		s.disputes, s.overdue, s.sel = nil, nil, nil
		s.dList.Refresh()
		s.oList.Refresh()
		s.showDetail()
		return
	}
	var errs []string
	d, err := s.u.till.Disputes(s.u.ctx, s.u.user)
	if err != nil {
		errs = append(errs, s.u.appMessage(err))
	}
	o, err := s.u.till.Overdues(s.u.ctx, s.u.user)
	if err != nil {
		errs = append(errs, s.u.appMessage(err))
	}
	if len(errs) > 0 {
		s.message.SetText(strings.Join(errs, "\n"))
	}
	// Oldest first, as every work list of the window.
	slices.SortFunc(d, func(a, b *app.Payment) int { return cmp.Compare(a.ID, b.ID) })
	s.disputes, s.overdue = d, o
	s.dList.Refresh()
	s.oList.Refresh()
	var id int64
	if s.sel != nil {
		id = s.sel.ID
	}
	s.sel = nil
	for i, p := range s.disputes {
		if p.ID == id {
			s.sel = p
			s.dList.Select(i)
		}
	}
	if s.sel == nil {
		s.dList.UnselectAll()
		for i, p := range s.overdue {
			if p.ID == id {
				s.sel = p
				s.oList.Select(i)
			}
		}
	}
	if s.sel == nil {
		s.oList.UnselectAll()
	}
	s.showDetail()
}

// choose makes p the chosen payment and shows it.
func (s *disputesScreen) choose(p *app.Payment) {
	s.sel = p
	s.showDetail()
}

// showDetail shows the chosen payment and the network's answers about it,
// one line each: time, op, ERROR, RESULT, TRANSID and who asked.
func (s *disputesScreen) showDetail() {
	defer s.update()
	p := s.sel
	if p == nil {
		s.detail.SetText(s.u.T("disputes.choose"))
		return
	}
	var b strings.Builder
	b.WriteString(s.u.T("disputes.detail", "Session", p.Session, "State", s.u.paymentState(p), "Provider", p.ProviderName,
		"Number", payerText(p), "Total", p.Total.String(), "Time", paidAt(p).Local().Format("02.01.2006 15:04"),
		"Hours", s.hoursSincePay(p), "TransID", p.TransID, "FD", p.FD))
	b.WriteString("\n\n")
	as, err := s.u.till.Answers(s.u.ctx, s.u.user, p)
	switch {
	case err != nil:
		b.WriteString(s.u.appMessage(err))
	case len(as) == 0:
		b.WriteString(s.u.T("disputes.no_answers"))
	}
	for _, a := range as {
		b.WriteString(answerLine(a))
		b.WriteString("\n")
	}
	s.detail.SetText(b.String())
}

// answerLine is one of the network's answers as the manager reads it.
func answerLine(a app.Answer) string {
	result := fmt.Sprint(a.Result)
	if a.Result < 0 {
		result = "-" // the answer had none
	}
	line := fmt.Sprintf("%s %-6s ERROR=%d RESULT=%s TRANSID=%s", a.At.Local().Format("02.01 15:04:05"), a.Op, a.Error, result, a.TransID)
	if a.Actor != "" {
		line += " (" + a.Actor + ")"
	}
	return line
}

// update enables the decisions the chosen payment allows now.
func (s *disputesScreen) update() {
	p := s.sel
	for _, b := range []*keyButton{s.paid, s.notPaid} {
		if p != nil && !s.working && s.u.allowed("manager") && app.Can(p, app.StepConfirmedPaid) {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// decide asks the manager to confirm what support said, saying what it
// means for the payment and the cash, then records it in the background.
func (s *disputesScreen) decide(paid bool) {
	p := s.sel
	if p == nil || s.working || !app.Can(p, app.StepConfirmedPaid) {
		return
	}
	cp := *p // the background works on its own copy, the list keeps its own
	args := []any{"Session", p.Session, "Provider", p.ProviderName, "Number", payerText(p), "Total", p.Total.String()}
	title, key, action := s.u.T("disputes.paid"), "disputes.paid_text", s.u.T("disputes.paid_button")
	if !paid {
		title, key, action = s.u.T("disputes.not_paid"), "disputes.not_paid_text", s.u.T("disputes.not_paid_button")
		if p.FiscalState != app.FiscalDone {
			key = "disputes.not_paid_no_receipt"
		}
	}
	s.ask = s.u.ask(question{title: title, text: s.u.T(key, args...), yes: action, danger: !paid, do: func() { s.run(&cp, paid) }})
}

// run records the decision on p in the background and says what follows.
func (s *disputesScreen) run(p *app.Payment, paid bool) {
	if s.working {
		return
	}
	s.working = true
	s.message.SetText(s.u.T("disputes.working"))
	s.update()
	s.u.background(func(ctx context.Context) func() {
		err := s.u.till.Decide(ctx, s.u.user, p, paid)
		return func() {
			s.working = false
			switch {
			case p.State == app.StatePaid:
				s.message.SetText(s.u.T("disputes.decided_paid", "Session", p.Session))
			case p.State == app.StateNotPaid && p.RefundState != app.RefundNone:
				s.message.SetText(s.u.T("disputes.decided_refund", "Session", p.Session, "Total", p.Total.String()))
			case p.State == app.StateNotPaid:
				s.message.SetText(s.u.T("disputes.decided_not_paid", "Session", p.Session, "Total", p.Total.String()))
			}
			if err != nil {
				msg := "✗ " + s.u.appMessage(err)
				if p.State != app.StateDisputed {
					msg = s.message.Text + "\n" + msg // decided; what followed failed (the receipt)
				}
				s.message.SetText(msg)
			}
			s.reload()
			s.u.status.refreshLocal()
		}
	})
}
