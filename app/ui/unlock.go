package ui

import (
	"context"
	"errors"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/internal/i18n"
)

// ErrUnlockCancelled is Unlock.Ask's error when the user quits instead of
// giving the passphrase.
var ErrUnlockCancelled = errors.New("ui: the passphrase was not given")

// Unlock is the small window that asks for the point's key passphrase
// before the till starts (config.Unlock calls Ask), then says the till is
// starting, or why it did not. Ask blocks its caller, never the Fyne
// thread: the window's widgets change only through fyne.Do.
type Unlock struct {
	lang    string
	win     fyne.Window
	why     *widget.Label
	entry   *widget.Entry
	ok      *widget.Button
	quit    *widget.Button
	answers chan unlockAnswer
}

type unlockAnswer struct {
	pass []byte
	err  error
}

// NewUnlock makes the window in lang (not shown yet); call it on the Fyne
// thread.
func NewUnlock(a fyne.App, lang string) *Unlock {
	u := &Unlock{lang: lang, win: a.NewWindow(i18n.Text(lang, "unlock.title")), why: wrapLabel(""),
		entry: widget.NewPasswordEntry(), answers: make(chan unlockAnswer, 1)}
	u.entry.PlaceHolder = i18n.Text(lang, "unlock.prompt")
	u.entry.OnSubmitted = func(string) { u.submit() }
	u.ok = widget.NewButtonWithIcon(i18n.Text(lang, "unlock.ok"), theme.ConfirmIcon(), u.submit)
	u.ok.Importance = widget.HighImportance
	u.quit = widget.NewButtonWithIcon(i18n.Text(lang, "unlock.quit"), theme.CancelIcon(), u.cancel)
	u.win.SetContent(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(i18n.Text(lang, "unlock.prompt"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		u.why, u.entry, container.NewHBox(layout.NewSpacer(), u.quit, u.ok))))
	u.win.SetCloseIntercept(u.cancel)
	u.win.Resize(fyne.NewSize(520, 0))
	u.win.CenterOnScreen()
	u.setAsking(false)
	return u
}

// Window is the window, for showing and closing it.
func (u *Unlock) Window() fyne.Window { return u.win }

// Ask shows why the passphrase is asked and waits for the answer: the
// passphrase typed, or ErrUnlockCancelled when the user quits, or ctx's
// error. It is a config.Asker, called off the Fyne thread.
func (u *Unlock) Ask(ctx context.Context, why i18n.Msg) ([]byte, error) {
	fyne.Do(func() {
		u.why.SetText(capitalize(why.In(u.lang)))
		u.entry.SetText("")
		u.setAsking(true)
		u.win.Canvas().Focus(u.entry)
	})
	select {
	case a := <-u.answers:
		return a.pass, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Starting says the key opened and the till is starting.
func (u *Unlock) Starting() {
	fyne.Do(func() {
		u.setAsking(false)
		u.entry.SetText("")
		u.why.SetText(i18n.Text(u.lang, "unlock.starting"))
	})
}

// Failed says why the till did not start (msg) and leaves only Quit.
func (u *Unlock) Failed(msg string) {
	fyne.Do(func() {
		u.setAsking(false)
		u.win.SetTitle(i18n.Text(u.lang, "unlock.failed"))
		u.why.SetText(msg)
	})
}

// submit hands the typed passphrase to Ask (on the Fyne thread).
func (u *Unlock) submit() {
	if u.ok.Disabled() {
		return
	}
	pass := []byte(u.entry.Text)
	u.setAsking(false)
	u.why.SetText(i18n.Text(u.lang, "unlock.checking"))
	u.send(unlockAnswer{pass: pass})
}

// cancel answers a waiting Ask with ErrUnlockCancelled and closes the
// window (the application quits with its last window).
func (u *Unlock) cancel() {
	u.send(unlockAnswer{err: ErrUnlockCancelled})
	u.win.Close()
}

// send passes an answer to a waiting Ask without ever blocking.
func (u *Unlock) send(a unlockAnswer) bool {
	select {
	case u.answers <- a:
		return true
	default:
		return false
	}
}

// setAsking enables the entry and Open while a passphrase is asked.
func (u *Unlock) setAsking(on bool) {
	for _, w := range []fyne.Disableable{u.entry, u.ok} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// capitalize puts a catalogue message (lower case first) at the start of a
// sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// NewFailure makes the window that says why PayDesk did not start (msg, in
// the catalogue's words: tampered books, a register that does not answer,
// a configuration refused) with only Quit, so that a cashier who started
// it from a shortcut sees the reason rather than nothing. Call it on the
// Fyne thread before the application runs.
func NewFailure(a fyne.App, lang, msg string) fyne.Window {
	w := a.NewWindow(i18n.Text(lang, "unlock.failed"))
	quit := widget.NewButtonWithIcon(i18n.Text(lang, "unlock.quit"), theme.CancelIcon(), w.Close)
	quit.Importance = widget.HighImportance
	w.SetContent(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(i18n.Text(lang, "unlock.failed"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapLabel(msg), wrapLabel(i18n.Text(lang, "failure.log")), container.NewHBox(layout.NewSpacer(), quit))))
	w.Resize(fyne.NewSize(560, 0))
	w.CenterOnScreen()
	return w
}
