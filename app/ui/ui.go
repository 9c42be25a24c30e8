// Package ui is PayDesk's window: sign-in, the payment screen, pending and
// reprint, refunds, history, shift, reports, the manager's disputes and
// overdue payments, and settings, with a status bar that is
// always visible. It draws what the till core (package app) does; all work
// on the network or the serial line runs in goroutines and reaches the
// widgets only through fyne.Do.
package ui

import (
	"context"
	"image/color"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/internal/clock"
	"paydesk/internal/i18n"
)

// Options tune the window.
type Options struct {
	Log *slog.Logger
	// StatusEvery is how often the status bar asks the gateway and the
	// device [30s]; ResolveEvery how often the resolver runs [15s].
	StatusEvery, ResolveEvery time.Duration
	// Version is shown under the signed-in user and on the sign-in screen.
	Version string
	// CrashReports are crash reports of earlier runs the user has not seen.
	CrashReports []string
	// Clock is the time the fiscal drive's days left are counted to (the
	// till's; nil: the real one).
	Clock clock.Clock
	// Recover runs the till's recovery in the background before the
	// resolver (booted with app.Options.RecoverLater) and tells the cashier
	// how each interrupted payment ended.
	Recover bool
}

// UI is the cashier's window.
type UI struct {
	fyneApp fyne.App
	win     fyne.Window
	rt      *app.Runtime
	till    *app.Till
	opt     Options
	log     *slog.Logger
	router  *Router
	ctx     context.Context
	cancel  context.CancelFunc

	user   *app.User
	screen string

	body      *fyne.Container
	status    *statusBar
	navButton map[string]*keyButton

	pay      *payScreen
	pending  *pendingScreen
	refunds  *refundsScreen
	history  *historyScreen
	shift    *shiftScreen
	reports  *reportsScreen
	disputes *disputesScreen
	settings *settingsScreen

	signInForm *signIn

	lang string // the language the window speaks

	busyMu sync.Mutex
	busy   int
}

// New builds the window for a booted till; Show it with ShowAndRun.
func New(a fyne.App, rt *app.Runtime, opt Options) *UI {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.StatusEvery <= 0 {
		opt.StatusEvery = 30 * time.Second
	}
	if opt.Clock == nil {
		opt.Clock = clock.Real{}
	}
	if opt.ResolveEvery <= 0 {
		opt.ResolveEvery = 15 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	u := &UI{fyneApp: a, rt: rt, till: rt.Till, opt: opt, log: opt.Log, router: NewRouter(), ctx: ctx, cancel: cancel}
	if u.setLanguage(rt.Config.Language) != nil {
		u.lang = i18n.RU
	}
	u.win = a.NewWindow(u.T("app.title"))
	u.win.Resize(fyne.NewSize(1280, 720))
	u.router.Install(u.win.Canvas())
	u.win.SetOnClosed(u.Close)
	u.till.Watch(func() { fyne.Do(u.refreshLists) })
	u.till.Follow(func(id int64, step app.Step) { fyne.Do(func() { u.pay.stepped(id, step) }) })
	u.build()
	u.showSignIn()
	if len(opt.CrashReports) > 0 {
		u.showError(errorText(u.T("crash.text", "File", opt.CrashReports[len(opt.CrashReports)-1])))
	}
	go func() {
		if opt.Recover {
			u.recoverNow(ctx)
		}
		u.till.Run(ctx, opt.ResolveEvery)
	}()
	go u.statusLoop()
	return u
}

// Window returns the window (tests and screenshots).
func (u *UI) Window() fyne.Window { return u.win }

// Close stops the background work. A payment in flight is left to the
// resolver: its state is in the store.
func (u *UI) Close() { u.cancel() }

// build makes the frame: navigation on the left, the screen in the middle,
// the status bar and the training banner always visible.
func (u *UI) build() {
	u.status = newStatusBar(u)
	u.screens()
	u.body = container.NewStack()
}

// screens makes every screen anew: at the start and at each sign-out, so
// nothing one user typed or was told is shown to the next.
func (u *UI) screens() {
	u.pay = newPayScreen(u)
	u.pending = newPendingScreen(u)
	u.refunds = newRefundsScreen(u)
	u.history = newHistoryScreen(u)
	u.shift = newShiftScreen(u)
	u.reports = newReportsScreen(u)
	u.disputes = newDisputesScreen(u)
	u.settings = newSettingsScreen(u)
}

type navItem struct {
	key, label, shortcut string
	icon                 fyne.Resource
	key2                 fyne.KeyName
	minRole              string
}

func (u *UI) navItems() []navItem {
	return []navItem{
		{"pay", "nav.pay", "F1", theme.ConfirmIcon(), fyne.KeyF1, "cashier"},
		{"pending", "nav.pending", "F5", theme.HistoryIcon(), fyne.KeyF5, "cashier"},
		{"refunds", "nav.refunds", "F10", theme.MailReplyIcon(), fyne.KeyF10, "cashier"},
		{"history", "nav.history", "F6", theme.ListIcon(), fyne.KeyF6, "cashier"},
		{"shift", "nav.shift", "F7", theme.StorageIcon(), fyne.KeyF7, "cashier"},
		{"reports", "nav.reports", "F8", theme.DocumentIcon(), fyne.KeyF8, "manager"},
		{"disputes", "nav.disputes", "F11", theme.WarningIcon(), fyne.KeyF11, "manager"},
		{"settings", "nav.settings", "F9", theme.SettingsIcon(), fyne.KeyF9, "admin"},
	}
}

// frame lays the signed-in window out.
func (u *UI) frame() fyne.CanvasObject {
	nav := container.NewVBox()
	u.navButton = map[string]*keyButton{}
	for _, it := range u.navItems() {
		it := it
		b := u.button(u.T(it.label)+"  "+it.shortcut, it.icon, func() { u.show(it.key) })
		b.Alignment = widget.ButtonAlignLeading
		if !u.allowed(it.minRole) {
			b.Disable()
		}
		u.navButton[it.key] = b
		nav.Add(b)
	}
	who := widget.NewLabelWithStyle(u.user.FullName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	role := widget.NewLabel(u.T("role."+string(u.user.Role)) + " · PayDesk " + u.opt.Version)
	signOut := u.button(u.T("nav.signout"), theme.LogoutIcon(), u.signOut)
	nav.Add(layout.NewSpacer())
	left := container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), who, role, signOut), nil, nil, nav)
	top := u.banner()
	return container.NewBorder(top, u.status.box, container.NewHBox(left, widget.NewSeparator()), nil, u.body)
}

// banner is the training-mode banner that cannot be missed.
func (u *UI) banner() fyne.CanvasObject {
	if !u.rt.Config.Training {
		return nil
	}
	bg := canvas.NewRectangle(color.NRGBA{R: 0xE6, G: 0x51, B: 0x00, A: 0xFF})
	txt := canvas.NewText(u.T("banner.training"), color.White)
	txt.TextStyle = fyne.TextStyle{Bold: true}
	txt.Alignment = fyne.TextAlignCenter
	txt.TextSize = theme.TextSize() * 1.2
	return container.NewStack(bg, container.NewPadded(txt))
}

func (u *UI) allowed(minRole string) bool {
	if u.user == nil {
		return false
	}
	need := map[string]int{"cashier": 1, "manager": 2, "admin": 3}[minRole]
	return u.user.Role.Rank() >= need
}

// show switches screens and binds its keys.
func (u *UI) show(key string) {
	if u.user == nil {
		return
	}
	for _, it := range u.navItems() {
		if it.key == key && !u.allowed(it.minRole) {
			u.showError(errorText(u.T("error.role")))
			return
		}
	}
	u.screen = key
	u.router.Clear()
	u.bindGlobalKeys()
	var content fyne.CanvasObject
	switch key {
	case "pay":
		content = u.pay.content()
		u.pay.bindKeys()
	case "pending":
		content = u.pending.content()
	case "refunds":
		content = u.refunds.content()
	case "history":
		content = u.history.content()
	case "shift":
		content = u.shift.content()
	case "reports":
		content = u.reports.content()
	case "disputes":
		content = u.disputes.content()
	case "settings":
		content = u.settings.content()
	}
	for k, b := range u.navButton {
		if k == key {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
	u.body.Objects = []fyne.CanvasObject{content}
	u.body.Refresh()
	if key == "pay" {
		u.pay.focus()
	} else {
		u.focusFirstField(content)
	}
	u.refreshLists()
}

func (u *UI) bindGlobalKeys() {
	for _, it := range u.navItems() {
		it := it
		u.router.Key(it.key2, func() { u.show(it.key) })
	}
}

// signOut ends the user's session: a payment checked but not sent is
// cancelled, and the screens are made anew. While a payment talks to the
// network the cashier waits for its end.
func (u *UI) signOut() {
	if u.pay.working {
		u.showError(errorText(u.T("signout.busy")))
		return
	}
	u.pay.reset()
	u.user = nil
	u.screens()
	u.showSignIn()
}

// refreshLists reloads what lists payments (from the UI goroutine).
func (u *UI) refreshLists() {
	if u.user == nil {
		return
	}
	switch u.screen {
	case "pay":
		u.pay.refreshShift()
	case "pending":
		u.pending.reload()
	case "refunds":
		u.refunds.reload()
	case "history":
		u.history.reload()
	case "shift":
		u.shift.reload()
	case "disputes":
		u.disputes.reload()
	}
	u.status.refreshLocal()
}

// background runs work off the UI goroutine and hands the result back
// through fyne.Do; while it runs the status bar shows activity.
func (u *UI) background(work func(ctx context.Context) func()) {
	u.busyMu.Lock()
	u.busy++
	u.busyMu.Unlock()
	if u.status != nil {
		u.status.showActivity(true)
	}
	go func() {
		done := work(u.ctx)
		fyne.Do(func() {
			if done != nil {
				done()
			}
			u.busyMu.Lock()
			u.busy--
			idle := u.busy == 0
			u.busyMu.Unlock()
			if idle && u.status != nil {
				u.status.showActivity(false)
			}
		})
	}()
}

// Busy reports whether background work is running (tests wait on it).
func (u *UI) Busy() bool {
	u.busyMu.Lock()
	defer u.busyMu.Unlock()
	return u.busy > 0
}

// recoverNow runs the till's recovery (the window is drawn meanwhile) and
// tells what it found: each payment the last run left with its pay sent
// and how it ended.
func (u *UI) recoverNow(ctx context.Context) {
	rec, err := u.till.Recover(ctx)
	if err != nil {
		u.log.Warn("ui: recovery left work for later", "err", err)
	}
	if len(rec.Payments) == 0 {
		return
	}
	fyne.Do(func() {
		text := u.T("recover.intro")
		for _, p := range rec.Payments {
			end := "recover.open"
			switch p.State {
			case app.StatePaid, app.StateAccepted:
				end = "recover.paid"
			case app.StateNotPaid:
				end = "recover.not_paid"
			case app.StateFailed, app.StateRefunded:
				end = "recover.failed"
			}
			text += "\n" + u.T("recover.line", "Provider", p.ProviderName, "Number", payerText(p), "Total", p.Total.String(),
				"At", p.PaySentAt.Local().Format("02.01 15:04"), "End", u.T(end))
		}
		u.showNotice(u.T("recover.title"), text)
		u.refreshLists()
	})
}

// showNotice shows what the cashier must know, with OK.
func (u *UI) showNotice(title, text string) {
	d := widget.NewModalPopUp(container.NewVBox(
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapLabel(text),
	), u.win.Canvas())
	ok := u.button(u.T("button.ok"), nil, func() { d.Hide() })
	ok.Importance = widget.HighImportance
	d.Content.(*fyne.Container).Add(ok)
	d.Resize(fyne.NewSize(600, 0))
	d.Show()
}

type errorText string

func (e errorText) Error() string { return string(e) }

// showError shows an error in the window's language.
func (u *UI) showError(err error) {
	msg := app.Message(err, u.lang)
	d := widget.NewModalPopUp(container.NewVBox(
		widget.NewLabelWithStyle(u.T("error.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapLabel(msg),
	), u.win.Canvas())
	var ok *keyButton
	ok = u.button(u.T("button.ok"), nil, func() { d.Hide() })
	ok.Importance = widget.HighImportance
	d.Content.(*fyne.Container).Add(ok)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	u.win.Canvas().Focus(nil)
}

func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}
