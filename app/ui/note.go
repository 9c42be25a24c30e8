package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
)

// note is what an action on a screen came to, shown next to its button in
// the colour of its end (done, refused, waiting) and gone when the next
// action starts: never left for the next one or the next person.
type note struct {
	*widget.Label
}

func newNote() *note {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return &note{l}
}

func (n *note) set(text string, imp widget.Importance) {
	n.Importance = imp
	n.SetText(text)
	n.Show()
}

// ok says what was done.
func (n *note) ok(text string) { n.set("✓ "+text, widget.SuccessImportance) }

// info says what is going on.
func (n *note) info(text string) { n.set(text, widget.MediumImportance) }

// fail says why not, in the window's language; a payment whose end is not
// known yet is a warning, not a refusal.
func (n *note) fail(u *UI, err error) {
	if app.KindOf(err) == app.KindPending {
		n.set("⏳ "+u.appMessage(err), widget.WarningImportance)
		return
	}
	n.set("✗ "+u.appMessage(err), widget.DangerImportance)
}

// refuse says why not in a catalogue text of the window.
func (n *note) refuse(text string) { n.set("✗ "+text, widget.DangerImportance) }

// clear takes the note away.
func (n *note) clear() {
	n.SetText("")
	n.Hide()
}

// question is a step that cannot be taken back, read back to the person
// before it is made.
type question struct {
	title, text string
	yes         string // the button that does it, named by what it does
	danger      bool   // red: a Z report, a refund
	do          func()
}

// ask shows q over the window: Enter does it, Escape goes back; the
// screen beneath takes no key while it is up. It returns the popup (tests
// press its buttons).
func (u *UI) ask(q question) *widget.PopUp {
	var pop *widget.PopUp
	done := func(yes bool) func() {
		return func() {
			pop.Hide()
			u.router.Pop()
			if yes {
				q.do()
			}
		}
	}
	yes := u.button(q.yes+"  Enter", theme.ConfirmIcon(), done(true))
	yes.Importance = widget.HighImportance
	if q.danger {
		yes.Importance = widget.DangerImportance
	}
	no := u.button(u.T("button.cancel")+"  Esc", nil, done(false))
	pop = widget.NewModalPopUp(container.NewVBox(
		widget.NewLabelWithStyle(q.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapLabel(q.text),
		container.NewHBox(layout.NewSpacer(), no, yes),
	), u.win.Canvas())
	u.router.Push()
	u.router.Key(fyne.KeyEscape, done(false))
	u.router.Key(fyne.KeyReturn, done(true))
	u.router.Key(fyne.KeyEnter, done(true))
	pop.Resize(fyne.NewSize(520, 0))
	pop.Show()
	u.win.Canvas().Focus(nil)
	return pop
}
