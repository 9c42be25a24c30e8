package ui

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/receipts"
)

// pendingScreen lists payments whose outcome is unknown, as the resolver
// works on them, and paid payments waiting for their receipt.
type pendingScreen struct {
	u       *UI
	root    fyne.CanvasObject
	unknown []*app.Payment
	queue   []*app.Payment
	uList   *keyList
	qList   *keyList
	qSel    int
	message *line
}

func newPendingScreen(u *UI) *pendingScreen {
	s := &pendingScreen{u: u, qSel: -1, message: newLine(fyne.TextStyle{})}
	s.uList = u.list(func() int { return len(s.unknown) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := s.unknown[i]
			o.(*widget.Label).SetText(u.T("pending.row", "Provider", p.ProviderName, "Number", payerText(p), "Total", p.Total.String(),
				"State", u.pendingState(p), "Attempts", p.StatusAttempts, "Next", p.NextStatusAt.Local().Format("15:04:05"), "Session", p.Session))
		})
	s.qList = u.list(func() int { return len(s.queue) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := s.queue[i]
			o.(*widget.Label).SetText(u.T("pending.queue_row", "Provider", p.ProviderName, "Number", payerText(p), "Total", p.Total.String(), "Error", p.FiscalError))
		})
	s.qList.OnSelected = func(i widget.ListItemID) {
		if s.qSel != i {
			s.message.SetText("") // what was said of the row chosen before
		}
		s.qSel = i
	}
	resolve := u.button(u.T("pending.resolve"), theme.ViewRefreshIcon(), s.resolveNow)
	print := u.button(u.T("pending.print_again"), theme.DocumentPrintIcon(), s.printAgain)
	print.Importance = widget.HighImportance
	top := container.NewBorder(widget.NewLabelWithStyle(u.T("pending.unknown_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		resolve, nil, nil, s.uList)
	bottom := container.NewBorder(widget.NewLabelWithStyle(u.T("pending.queue_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(print, s.message), nil, nil, s.qList)
	split := container.NewVSplit(top, bottom)
	s.root = split
	return s
}

// pendingState is an open payment's state as the pending list says it: a
// disputed one says the cash is not handed back.
func (u *UI) pendingState(p *app.Payment) string {
	if p.State == app.StateDisputed {
		return u.stateText(p.State) + ": " + u.T("pending.disputed_note")
	}
	return u.stateText(p.State)
}

func payerText(p *app.Payment) string {
	if len(p.PayerID) == 10 && strings.HasPrefix(p.PayerID, "9") {
		return receipts.FormatPhone(p.PayerID)
	}
	return p.PayerID
}

func (s *pendingScreen) content() fyne.CanvasObject { s.reload(); return s.root }

func (s *pendingScreen) reload() {
	s.unknown, _ = s.u.till.Pending(s.u.ctx)
	s.queue, _ = s.u.till.ReceiptQueue(s.u.ctx)
	s.uList.Refresh()
	s.qList.Refresh()
}

func (s *pendingScreen) resolveNow() {
	s.u.background(func(ctx context.Context) func() {
		n, err := s.u.till.ResolvePending(ctx, true)
		return func() {
			if err != nil {
				s.message.SetText(s.u.appMessage(err))
			} else {
				s.message.SetText(s.u.T("pending.resolved", "N", n))
			}
			s.reload()
		}
	})
}

func (s *pendingScreen) printAgain() {
	if s.qSel < 0 || s.qSel >= len(s.queue) {
		if len(s.queue) == 0 {
			return
		}
		s.qSel = 0
	}
	s.u.reprint(s.queue[s.qSel], s.message, func() {
		s.qSel = -1
		s.qList.UnselectAll()
		s.reload()
	})
}

// reprint prints a payment's receipt again in the background and says how
// it went on message; then, when given, runs after on the window's thread.
func (u *UI) reprint(p *app.Payment, message *line, after func()) {
	u.background(func(ctx context.Context) func() {
		err := u.till.Reprint(ctx, u.user, p)
		return func() {
			if err != nil {
				message.SetText(u.appMessage(err))
			} else {
				message.SetText(u.T("pending.printed"))
			}
			if after != nil {
				after()
			}
		}
	})
}

// historyScreen lists payments with filters and shows a payment's receipts.
type historyScreen struct {
	u        *UI
	root     fyne.CanvasObject
	rows     []*app.Payment
	list     *keyList
	number   *keyEntry
	provider *keySelect
	codes    []string // the provider codes of provider's choices ("" for all)
	state    *keySelect
	days     *keySelect
	detail   *widget.Label
	sel      *app.Payment
	message  *line
	// copySale and copyRefund print a copy of the chosen payment's receipt
	// and of its return receipt; copyAny of any fiscal document by number.
	copySale, copyRefund, copyAny *keyButton
	copyPop                       *widget.PopUp // the number asked, or the copy printed
}

var historyStates = []app.State{"", app.StatePaid, app.StateAccepted, app.StateUnknown, app.StateDisputed, app.StateNotPaid, app.StateFailed,
	app.StateRefunded, app.StateRefused, app.StateCancelled}

func newHistoryScreen(u *UI) *historyScreen {
	s := &historyScreen{u: u, detail: widget.NewLabel(""), message: newLine(fyne.TextStyle{})}
	s.detail.TextStyle = fyne.TextStyle{Monospace: true}
	s.number = u.entry()
	s.number.PlaceHolder = u.T("history.number")
	s.number.OnChanged = func(string) { s.reload() }
	provs := []string{u.T("history.all")}
	s.codes = []string{""}
	for _, p := range u.till.Providers() {
		provs = append(provs, u.nameOf(p))
		s.codes = append(s.codes, p.Code)
	}
	s.provider = u.selector(provs, nil)
	s.provider.SetSelectedIndex(0)
	var states []string
	for _, st := range historyStates {
		states = append(states, u.stateText(st))
	}
	s.state = u.selector(states, nil)
	s.state.SetSelectedIndex(0)
	s.days = u.selector([]string{u.T("history.today"), u.T("history.week"), u.T("history.month"), u.T("history.all_time")}, nil)
	s.days.SetSelectedIndex(0)
	s.list = u.list(func() int { return len(s.rows) },
		func() fyne.CanvasObject { return historyRow(nil) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := s.rows[i]
			cells := o.(*fyne.Container).Objects
			for j, t := range []string{p.CreatedAt.Local().Format("02.01 15:04"), p.ProviderName, payerText(p), p.Total.String(), u.paymentState(p)} {
				cells[j].(*widget.Label).SetText(t)
			}
		})
	s.list.OnSelected = func(i widget.ListItemID) { s.showDetail(s.rows[i]) }
	for _, sel := range []*keySelect{s.provider, s.state, s.days} {
		sel.OnChanged = func(string) { s.reload() }
	}
	reprint := u.button(u.T("history.reprint"), theme.DocumentPrintIcon(), s.reprint)
	s.copySale = u.button(u.T("history.copy_receipt"), theme.ContentCopyIcon(), func() {
		if s.sel != nil && s.sel.FD > 0 {
			s.printCopy(uint32(s.sel.FD))
		}
	})
	s.copyRefund = u.button(u.T("history.copy_refund"), theme.ContentCopyIcon(), func() {
		if s.sel != nil && s.sel.RefundFD > 0 {
			s.printCopy(uint32(s.sel.RefundFD))
		}
	})
	s.copyAny = u.button(u.T("history.copy_any"), theme.SearchIcon(), s.askCopy)
	s.copySale.Disable()
	s.copyRefund.Disable()
	labelled := func(key string, w fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabelWithStyle(u.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), w)
	}
	filters := container.NewGridWithColumns(4, labelled("history.filter_number", s.number), labelled("history.filter_provider", s.provider),
		labelled("history.filter_state", s.state), labelled("history.filter_period", s.days))
	header := historyRow([]string{u.T("history.col_time"), u.T("history.col_provider"), u.T("history.col_number"),
		u.T("history.col_total"), u.T("history.col_state")})
	buttons := container.NewGridWithColumns(2, reprint, s.copyAny, s.copySale, s.copyRefund)
	right := container.NewBorder(nil, container.NewVBox(buttons, s.message), nil, nil, container.NewScroll(s.detail))
	split := container.NewHSplit(container.NewBorder(header, nil, nil, nil, s.list), right)
	split.Offset = 0.55
	s.root = container.NewBorder(container.NewVBox(filters, widget.NewSeparator()), nil, nil, nil, split)
	return s
}

// historyRow is a row of the history's columns: the header's (bold) with
// titles, else a list row's cells to fill.
func historyRow(titles []string) *fyne.Container {
	c := container.New(&columns{widths: []float32{0.16, 0.17, 0.22, 0.16, 0.29}})
	for i := 0; i < 5; i++ {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		if titles != nil {
			l.SetText(titles[i])
			l.TextStyle = fyne.TextStyle{Bold: true}
		}
		c.Add(l)
	}
	return c
}

// columns lays objects out in a row, each given its share of the width.
type columns struct{ widths []float32 }

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objs {
		w := size.Width * c.widths[i]
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(400, h)
}

// stateText is a state as the window shows it: accepted reads "accepted,
// being credited" and paid "credited" (the slip's ПРИНЯТ and ЗАЧИСЛЕН);
// the other states as the catalogue names them.
func (u *UI) stateText(st app.State) string {
	switch st {
	case "":
		return u.T("history.all")
	case app.StatePaid:
		return u.T("state_text.paid")
	}
	return u.T("state." + string(st))
}

// paymentState is a payment's state with what is still owed on it: a
// failed or not paid payment whose cash goes back says whether the return
// receipt is still due.
func (u *UI) paymentState(p *app.Payment) string {
	st := u.stateText(p.State)
	switch p.RefundState {
	case app.RefundDue, app.RefundStarted:
		st += ", " + u.T("state_text.refund_due")
	}
	return st
}

func (s *historyScreen) content() fyne.CanvasObject { s.reload(); return s.root }

func (s *historyScreen) reload() {
	f := app.Filter{Payer: strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s.number.Text), Limit: 500}
	if i := s.provider.SelectedIndex(); i > 0 {
		f.Provider = s.codes[i]
	}
	if i := s.state.SelectedIndex(); i > 0 {
		f.State = historyStates[i]
	}
	switch s.days.SelectedIndex() {
	case 0:
		f.From = startOfDay(0)
	case 1:
		f.From = startOfDay(6)
	case 2:
		f.From = startOfDay(30)
	}
	rows, err := s.u.till.History(s.u.ctx, s.u.user, f)
	if err != nil {
		s.message.SetText(s.u.appMessage(err))
	}
	s.rows = rows
	s.list.Refresh()
}

func (s *historyScreen) showDetail(p *app.Payment) {
	if s.sel == nil || s.sel.ID != p.ID {
		s.message.SetText("") // "printed" was of the row chosen before
	}
	s.sel = p
	enable(s.copySale, p.FD > 0)
	enable(s.copyRefund, p.RefundFD > 0)
	rs, err := s.u.till.Receipts(s.u.ctx, s.u.user, p)
	if err != nil {
		s.detail.SetText(s.u.appMessage(err))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n%s: %s\n%s: %s\n", s.u.T("history.session"), p.Session, s.u.T("history.state"), s.u.paymentState(p), s.u.T("history.transid"), p.TransID)
	fmt.Fprintf(&b, "%s: %s (%s)\n", s.u.T("history.commission"), p.Commission, cmp.Or(p.CommissionRule, s.u.T("report.rule_flat")))
	if p.FeeRule != "" {
		fmt.Fprintf(&b, "%s: %s (%s)\n", s.u.T("history.fee"), p.Fee, p.FeeRule)
	}
	b.WriteString("\n")
	for _, r := range rs {
		b.WriteString(r.Text)
		b.WriteString("\n\n")
	}
	if len(rs) == 0 {
		b.WriteString(s.u.T("history.no_receipt"))
	}
	s.detail.SetText(b.String())
}

func (s *historyScreen) reprint() {
	p := s.sel
	if p == nil {
		return
	}
	s.u.reprint(p, s.message, nil)
}

// askCopy asks for a fiscal document's number (digits only) and prints
// its copy.
func (s *historyScreen) askCopy() {
	u := s.u
	number := u.entry()
	number.PlaceHolder = u.T("copy.number")
	hint := newLine(fyne.TextStyle{})
	var pop *widget.PopUp
	var printBtn *keyButton
	submit := func() {
		fd, err := parseFD(number.Text)
		if err != nil {
			hint.SetText("⚠ " + u.T("copy.number_bad"))
			return
		}
		pop.Hide()
		s.printCopy(fd)
	}
	number.OnChanged = func(t string) {
		hint.SetText("")
		_, err := parseFD(t)
		enable(printBtn, err == nil)
	}
	number.OnSubmitted = func(string) { submit() }
	printBtn = u.button(u.T("copy.print"), theme.DocumentPrintIcon(), submit)
	printBtn.Importance = widget.HighImportance
	printBtn.Disable()
	cancel := u.button(u.T("button.cancel"), nil, func() { pop.Hide() })
	pop = widget.NewModalPopUp(container.NewVBox(
		widget.NewLabelWithStyle(u.T("copy.ask_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapLabel(u.T("copy.ask_text")),
		number, hint,
		container.NewHBox(layout.NewSpacer(), cancel, printBtn),
	), u.win.Canvas())
	pop.Resize(fyne.NewSize(460, 0))
	pop.Show()
	u.win.Canvas().Focus(number)
	s.copyPop = pop
}

// parseFD reads a fiscal document number: digits only, 1 … 4294967295.
func parseFD(text string) (uint32, error) {
	t := strings.TrimSpace(text)
	if t == "" || strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.ParseUint(t, 10, 32)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, strconv.ErrRange
	}
	return uint32(n), nil
}

// printCopy prints a copy of fiscal document fd in the background and
// shows the lines printed in a dialog; a refusal goes to the message line.
func (s *historyScreen) printCopy(fd uint32) {
	u := s.u
	user := u.user
	s.message.SetText(u.T("copy.printing", "FD", fd))
	u.background(func(ctx context.Context) func() {
		lines, err := u.till.CopyDocument(ctx, user, fd)
		return func() {
			if err != nil {
				s.message.SetText("✗ " + u.appMessage(err))
				return
			}
			s.message.SetText(u.T("copy.printed", "FD", fd))
			s.copyPop = u.showCopy(fd, lines)
		}
	})
}

// showCopy shows the lines of a printed copy as the tape has them.
func (u *UI) showCopy(fd uint32, lines []string) *widget.PopUp {
	text := widget.NewLabel(strings.Join(lines, "\n"))
	text.TextStyle = fyne.TextStyle{Monospace: true}
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(440, 420))
	var pop *widget.PopUp
	ok := u.button(u.T("button.ok"), nil, func() { pop.Hide() })
	ok.Importance = widget.HighImportance
	pop = widget.NewModalPopUp(container.NewBorder(
		widget.NewLabelWithStyle(u.T("copy.title", "FD", fd), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(layout.NewSpacer(), ok), nil, nil, scroll,
	), u.win.Canvas())
	pop.Show()
	u.win.Canvas().Focus(nil)
	return pop
}
