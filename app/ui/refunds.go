package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
)

// refundsScreen is the Refunds list (F10): the payments whose money goes
// back with a return receipt because the network failed them (or support
// confirmed them not paid) after their sale receipt was made. The cashier
// chooses one, confirms, and the till makes the return receipt and its slip
// in the background; a refund the device could not make stays in the list
// with the device's message.
type refundsScreen struct {
	u       *UI
	root    fyne.CanvasObject
	rows    []*app.Payment
	list    *keyList
	selID   int64 // the chosen payment's id; 0 when none
	detail  *widget.Label
	button  *keyButton
	message *line
	working bool          // a return receipt is being made: no second one
	ask     *widget.PopUp // the confirmation while it is shown
}

func newRefundsScreen(u *UI) *refundsScreen {
	s := &refundsScreen{u: u, detail: wrapLabel(""), message: newLine(fyne.TextStyle{})}
	s.list = u.list(func() int { return len(s.rows) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(s.rowText(s.rows[i]))
		})
	s.list.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(s.rows) {
			s.selID = s.rows[i].ID
			s.showDetail()
		}
	}
	s.button = u.button(u.T("refunds.button"), theme.MailReplyIcon(), s.refund)
	s.button.Importance = widget.DangerImportance
	left := container.NewBorder(container.NewVBox(titleLabel(u.T("refunds.title")), wrapLabel(u.T("refunds.hint"))), nil, nil, nil, s.list)
	right := container.NewBorder(nil, container.NewVBox(s.button, s.message), nil, nil, container.NewVScroll(s.detail))
	split := container.NewHSplit(left, right)
	split.Offset = 0.55
	s.root = split
	return s
}

func (s *refundsScreen) content() fyne.CanvasObject { s.reload(); return s.root }

// rowText is one line of the list: time, provider, number, total, why.
func (s *refundsScreen) rowText(p *app.Payment) string {
	return fmt.Sprintf("%s  %s  %s  %s ₽  — %s", paidAt(p).Local().Format("02.01 15:04"), p.ProviderName, payerText(p), p.Total, s.u.till.RefundWhy(p, s.u.lang))
}

// paidAt is when the payment was paid: pay sent, else created.
func paidAt(p *app.Payment) time.Time {
	if !p.PaySentAt.IsZero() {
		return p.PaySentAt
	}
	return p.CreatedAt
}

// reload reads the list again, keeping the chosen payment chosen while it
// is in it; with none chosen the first one is.
func (s *refundsScreen) reload() {
	rows, err := s.u.till.Refunds(s.u.ctx, s.u.user)
	if err != nil {
		s.message.SetText(s.u.appMessage(err))
	}
	s.rows = rows
	s.list.Refresh()
	at := -1
	for i, p := range s.rows {
		if p.ID == s.selID {
			at = i
		}
	}
	if at < 0 && len(s.rows) > 0 {
		at = 0
	}
	if at < 0 {
		s.selID = 0
		s.list.UnselectAll()
	} else {
		s.selID = s.rows[at].ID
		s.list.Select(at)
	}
	s.showDetail()
}

// chosen is the chosen payment as listed, or nil.
func (s *refundsScreen) chosen() *app.Payment {
	for _, p := range s.rows {
		if p.ID == s.selID {
			return p
		}
	}
	return nil
}

// showDetail shows the chosen payment in full and enables the button.
func (s *refundsScreen) showDetail() {
	p := s.chosen()
	if p == nil {
		s.detail.SetText(s.u.T("refunds.none"))
	} else {
		text := s.u.T("refunds.detail", "Session", p.Session, "State", s.u.paymentState(p), "Provider", p.ProviderName,
			"Number", payerText(p), "Time", paidAt(p).Local().Format("02.01.2006 15:04"), "FD", p.FD, "FP", p.FP,
			"Total", p.Total.String(), "Tool", s.u.toolText(p), "Why", s.u.till.RefundWhy(p, s.u.lang))
		if p.RefundError != "" {
			text += "\n\n" + s.u.T("refunds.last_error", "Error", p.RefundError)
		}
		s.detail.SetText(text)
	}
	if p == nil || s.working {
		s.button.Disable()
	} else {
		s.button.Enable()
	}
}

// toolText is how the payer paid, as the confirmation says it.
func (u *UI) toolText(p *app.Payment) string {
	if app.PayTool(p.PayTool) == app.Card {
		return u.T("refunds.tool_card")
	}
	return u.T("refunds.tool_cash")
}

// refund asks the cashier to confirm the chosen refund, then makes it.
func (s *refundsScreen) refund() {
	p := s.chosen()
	if p == nil || s.working {
		return
	}
	cp := *p // the background works on its own copy, the list keeps its own
	text := s.u.T("refunds.confirm_text", "Total", p.Total.String(), "Tool", s.u.toolText(p), "Provider", p.ProviderName,
		"Number", payerText(p), "Session", p.Session)
	s.ask = s.u.ask(question{title: s.u.T("refunds.confirm_title"), text: text, yes: s.u.T("refunds.button"), danger: true,
		do: func() { s.run(&cp) }})
}

// run makes the return receipt of p in the background and says how it
// went; the list is read again either way.
func (s *refundsScreen) run(p *app.Payment) {
	if s.working {
		return
	}
	s.working = true
	s.message.SetText(s.u.T("refunds.working"))
	s.showDetail()
	s.u.background(func(ctx context.Context) func() {
		err := s.u.till.Refund(ctx, s.u.user, p)
		return func() {
			s.working = false
			switch {
			case p.State == app.StateRefunded && err == nil:
				s.message.SetText(s.u.T("refunds.done", "Total", p.Total.String(), "FD", p.RefundFD))
			case p.State == app.StateRefunded:
				// Made, but the slip after it was not printed.
				s.message.SetText(s.u.T("refunds.done", "Total", p.Total.String(), "FD", p.RefundFD) + "\n" + s.u.appMessage(err))
			case err != nil:
				s.message.SetText("✗ " + s.u.appMessage(err))
			}
			s.reload()
			s.u.status.refreshLocal()
		}
	})
}

// titleLabel is a list's bold title that wraps rather than widen the screen.
func titleLabel(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}
