package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/money"
)

func startOfDay(daysBack int) time.Time {
	n := time.Now()
	return time.Date(n.Year(), n.Month(), n.Day()-daysBack, 0, 0, 0, 0, time.Local)
}

// shiftScreen opens and closes shifts, X reports, cash in and out. Each
// action has its own amount and its own line for what it came to; only what
// can act is enabled (no cash and no Z without an open shift), and what
// cannot be taken back (cash in and out, the Z report) is read back first.
type shiftScreen struct {
	u     *UI
	root  fyne.CanvasObject
	info  *widget.Label
	state app.ShiftState

	float, inAmount, outAmount, counted *keyEntry
	openB, xB, inB, outB, closeB        *keyButton
	openNote, xNote, inNote, outNote    *note
	closeNote                           *note
	working                             bool
	ask                                 *widget.PopUp // the question up (tests)
}

func newShiftScreen(u *UI) *shiftScreen {
	s := &shiftScreen{u: u, info: widget.NewLabel("")}
	s.info.TextStyle = fyne.TextStyle{Monospace: true}
	amount := func(submit func()) *keyEntry {
		e := u.entry()
		e.PlaceHolder = u.T("shift.placeholder")
		e.OnChanged = func(string) { s.update() }
		e.OnSubmitted = func(string) { submit() }
		return e
	}
	s.float, s.inAmount, s.outAmount, s.counted = amount(s.open), amount(func() { s.cash("in") }),
		amount(func() { s.cash("out") }), amount(s.close)
	s.openB = u.button(u.T("shift.open"), theme.MediaPlayIcon(), s.open)
	s.openB.Importance = widget.HighImportance
	s.xB = u.button(u.T("shift.x"), theme.DocumentPrintIcon(), s.xReport)
	s.inB = u.button(u.T("shift.in_button"), theme.ContentAddIcon(), func() { s.cash("in") })
	s.outB = u.button(u.T("shift.out_button"), theme.ContentRemoveIcon(), func() { s.cash("out") })
	s.closeB = u.button(u.T("shift.close"), theme.MediaStopIcon(), s.close)
	s.closeB.Importance = widget.DangerImportance
	s.openNote, s.xNote, s.inNote, s.outNote, s.closeNote = newNote(), newNote(), newNote(), newNote(), newNote()
	row := func(e *keyEntry, b *keyButton, n *note) fyne.CanvasObject {
		if e == nil {
			return container.NewVBox(container.NewHBox(b), n)
		}
		return container.NewVBox(container.NewBorder(nil, nil, nil, b, e), n)
	}
	label := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(u.T(key), fyne.TextAlignTrailing, fyne.TextStyle{})
	}
	form := container.New(layout.NewFormLayout(),
		label("shift.float"), row(s.float, s.openB, s.openNote),
		label("shift.report"), row(nil, s.xB, s.xNote),
		label("shift.in_amount"), row(s.inAmount, s.inB, s.inNote),
		label("shift.out_amount"), row(s.outAmount, s.outB, s.outNote),
		label("shift.counted"), row(s.counted, s.closeB, s.closeNote),
	)
	s.root = container.NewBorder(container.NewVBox(titleLabel(u.T("nav.shift")), form, widget.NewSeparator()), nil, nil, nil,
		container.NewScroll(s.info))
	return s
}

func (s *shiftScreen) content() fyne.CanvasObject { s.reload(); return s.root }

func (s *shiftScreen) reload() {
	st, err := s.u.till.Shift(s.u.ctx)
	if err != nil {
		s.info.SetText(s.u.appMessage(err))
		s.state = app.ShiftState{}
		s.update()
		return
	}
	s.state = st
	s.update()
	if st.Shift == nil {
		s.info.SetText(s.u.T("shift.none_hint"))
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

// update enables what can act now: opening without a shift; the X report,
// cash and closing with one, each once its amount is typed right.
func (s *shiftScreen) update() {
	open := s.state.Shift != nil
	valid := func(e *keyEntry, positive bool) bool {
		a, err := money.Parse(e.Text)
		return err == nil && (a > 0 || !positive && a == 0)
	}
	floatOK := s.float.Text == "" || valid(s.float, false)
	enable(s.float, !open && !s.working)
	enable(s.openB, !open && !s.working && floatOK)
	enable(s.xB, open && !s.working)
	for _, e := range []*keyEntry{s.inAmount, s.outAmount, s.counted} {
		enable(e, open && !s.working)
	}
	enable(s.inB, open && !s.working && valid(s.inAmount, true))
	enable(s.outB, open && !s.working && valid(s.outAmount, true))
	enable(s.closeB, open && !s.working && valid(s.counted, false))
}

// enable enables or disables w.
func enable(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// amountOf reads e: an amount, or the note says why not.
func (s *shiftScreen) amountOf(e *keyEntry, n *note, positive bool) (money.Amount, bool) {
	if e.Text == "" {
		n.refuse(s.u.T("shift.amount_needed"))
		return 0, false
	}
	a, err := money.Parse(e.Text)
	if err != nil {
		n.refuse(s.u.T("pay.amount_bad"))
		return 0, false
	}
	if positive && a <= 0 {
		n.refuse(s.u.T("shift.amount_needed"))
		return 0, false
	}
	return a, true
}

// start clears every action's note, says n is working and disables the
// actions until the register answers.
func (s *shiftScreen) start(n *note) {
	for _, o := range []*note{s.openNote, s.xNote, s.inNote, s.outNote, s.closeNote} {
		o.clear()
	}
	n.info(s.u.T("shift.working"))
	s.working = true
	s.update()
}

// finish says how an action ended in its note, empties its field when it
// was done, and reads the shift again.
func (s *shiftScreen) finish(n *note, e *keyEntry, err error, ok func() string) func() {
	return func() {
		s.working = false
		s.reload()
		if err != nil {
			n.fail(s.u, err)
		} else {
			if e != nil {
				e.SetText("")
			}
			n.ok(ok())
		}
		s.u.status.refreshAll()
	}
}

func (s *shiftScreen) open() {
	if s.working || s.state.Shift != nil {
		return
	}
	var a money.Amount
	if s.float.Text != "" {
		var ok bool
		if a, ok = s.amountOf(s.float, s.openNote, false); !ok {
			return
		}
	}
	s.start(s.openNote)
	s.u.background(func(ctx context.Context) func() {
		sh, err := s.u.till.OpenShift(ctx, s.u.user, a)
		return s.finish(s.openNote, s.float, err, func() string {
			return s.u.T("shift.opened_float", "ID", sh.ID, "Float", a.String())
		})
	})
}

func (s *shiftScreen) xReport() {
	if s.working || s.state.Shift == nil {
		return
	}
	s.start(s.xNote)
	s.u.background(func(ctx context.Context) func() {
		return s.finish(s.xNote, nil, s.u.till.XReport(ctx, s.u.user), func() string { return s.u.T("shift.x_done") })
	})
}

// cash puts cash in or takes it out, after reading the amount back; a
// cashier's cash out is then approved by a manager.
func (s *shiftScreen) cash(kind string) {
	e, n, b := s.inAmount, s.inNote, s.inB
	if kind == "out" {
		e, n, b = s.outAmount, s.outNote, s.outB
	}
	if s.working || s.state.Shift == nil {
		return
	}
	a, ok := s.amountOf(e, n, true)
	if !ok {
		return
	}
	n.clear()
	expected := s.state.Totals.Expected
	run := func(user *userRef) {
		s.start(n)
		s.u.background(func(ctx context.Context) func() {
			var err error
			if kind == "in" {
				err = s.u.till.CashIn(ctx, user.User, a)
			} else {
				err = s.u.till.CashOut(ctx, user.User, a)
			}
			return s.finish(n, e, err, func() string {
				return s.u.T("shift."+kind+"_done", "Amount", a.String(), "Expected", s.state.Totals.Expected.String())
			})
		})
	}
	q := question{title: s.u.T("shift.in_title"), text: s.u.T("shift.in_text", "Amount", a.String()),
		yes: b.Text + " " + a.String() + " ₽", do: func() { run(&userRef{s.u.user}) }}
	if kind == "out" {
		q.title = s.u.T("shift.out_title")
		q.text = s.u.T("shift.out_text", "Amount", a.String(), "Expected", expected.String(), "Left", (expected - a).String())
		if !s.u.allowed("manager") {
			q.do = func() { s.u.approve("cash out", run) }
		}
	}
	s.ask = s.u.ask(q)
}

// close closes the shift with a Z report once the counted cash is read back
// against what the drawer should hold; a cashier's close is approved by a
// manager.
func (s *shiftScreen) close() {
	if s.working || s.state.Shift == nil {
		return
	}
	a, ok := s.amountOf(s.counted, s.closeNote, false)
	if !ok {
		return
	}
	s.closeNote.clear()
	expected := s.state.Totals.Expected
	diff := a - expected
	kind := "shift.even"
	switch {
	case diff < 0:
		kind = "shift.short"
	case diff > 0:
		kind = "shift.over"
	}
	run := func(user *userRef) {
		s.start(s.closeNote)
		s.u.background(func(ctx context.Context) func() {
			sh, _, err := s.u.till.CloseShift(ctx, user.User, a)
			return s.finish(s.closeNote, s.counted, err, func() string {
				return s.u.T("shift.closed", "Expected", sh.Expected.String(), "Counted", sh.Counted.String(), "Difference", sh.Difference.String())
			})
		})
	}
	q := question{title: s.u.T("shift.close_title"), yes: s.u.T("shift.close_button"), danger: true,
		text: s.u.T("shift.close_text", "ID", s.state.Shift.ID, "Expected", expected.String(), "Counted", a.String(),
			"Difference", diff.String(), "Kind", s.u.T(kind)),
		do: func() { run(&userRef{s.u.user}) }}
	if !s.u.allowed("manager") {
		q.do = func() { s.u.approve("close shift", run) }
	}
	s.ask = s.u.ask(q)
}
