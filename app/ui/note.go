package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
)

// line is a text that may begin with a sign of what it came to (✓ done,
// ✗ refused, ⏳ waiting, ⚠ look) followed by a space: the sign is drawn as a
// theme icon in the colour of its end, and the text in that colour. The
// bundled font has none of those signs; drawing them as text would load the
// system's fallback fonts (9 MB here, a Windows PC's whole font folder
// there).
type line struct {
	widget.BaseWidget
	// Text is the text as set, its sign included.
	Text  string
	icon  *widget.Icon
	signs *fyne.Container // the icon's column, hidden without a sign
	label *widget.Label
	box   *fyne.Container
}

// newLine makes an empty line that wraps at word boundaries.
func newLine(style fyne.TextStyle) *line {
	l := &line{icon: widget.NewIcon(nil), label: widget.NewLabel("")}
	l.label.Wrapping = fyne.TextWrapWord
	l.label.TextStyle = style
	l.signs = container.NewVBox(l.icon)
	l.signs.Hide()
	l.box = container.NewBorder(nil, nil, l.signs, nil, l.label)
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer draws the icon beside the text.
func (l *line) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(l.box) }

// signs are the signs a line may begin with: the colour and the icon each
// draws.
var signs = map[string]struct {
	imp  widget.Importance
	icon func() fyne.Resource
}{
	"✓": {widget.SuccessImportance, func() fyne.Resource { return theme.NewSuccessThemedResource(theme.ConfirmIcon()) }},
	"✗": {widget.DangerImportance, func() fyne.Resource { return theme.NewErrorThemedResource(theme.CancelIcon()) }},
	"⏳": {widget.WarningImportance, func() fyne.Resource { return theme.NewWarningThemedResource(theme.HistoryIcon()) }},
	"⚠": {widget.WarningImportance, func() fyne.Resource { return theme.NewWarningThemedResource(theme.WarningIcon()) }},
}

// cutSign splits a leading sign and its space off text.
func cutSign(text string) (sign, rest string) {
	head, tail, ok := strings.Cut(text, " ")
	if _, known := signs[head]; ok && known {
		return head, tail
	}
	return "", text
}

// SetText shows text, its sign as an icon.
func (l *line) SetText(text string) {
	l.Text = text
	sign, rest := cutSign(text)
	l.label.Importance = widget.MediumImportance
	if s, ok := signs[sign]; ok {
		l.label.Importance = s.imp
		l.icon.SetResource(s.icon())
		l.signs.Show()
	} else {
		l.signs.Hide()
	}
	l.label.SetText(rest)
	l.box.Refresh()
}

// importance is the colour the line's text is drawn in.
func (l *line) importance() widget.Importance { return l.label.Importance }

// note is a line that says what an action on a screen came to, shown next
// to its button in the colour of its end (done, refused, waiting) and gone
// when the next action starts: never left for the next one or the next
// person.
type note = line

// newNote makes a note, hidden until it has something to say.
func newNote() *note {
	n := newLine(fyne.TextStyle{})
	n.Hide()
	return n
}

func (n *line) set(text string) {
	n.SetText(text)
	n.Show()
}

// ok says what was done.
func (n *line) ok(text string) { n.set("✓ " + text) }

// warn says what was done with something to look at.
func (n *line) warn(text string) { n.set("⚠ " + text) }

// info says what is going on.
func (n *line) info(text string) { n.set(text) }

// fail says why not, in the window's language; a payment whose end is not
// known yet is a warning, not a refusal.
func (n *line) fail(u *UI, err error) {
	if app.KindOf(err) == app.KindPending {
		n.set("⏳ " + u.appMessage(err))
		return
	}
	n.set("✗ " + u.appMessage(err))
}

// refuse says why not in a catalogue text of the window.
func (n *line) refuse(text string) { n.set("✗ " + text) }

// clear takes the note away.
func (n *line) clear() {
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
