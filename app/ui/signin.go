package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
)

// signIn is the sign-in screen: choose the cashier, type the PIN.
type signIn struct {
	u       *UI
	who     *keySelect
	pin     *keyEntry
	message *line
	logins  map[string]string // shown name → login
	button  *keyButton
	// unlock clears the chosen cashier's PIN lock once a manager signs
	// in over it.
	unlock *keyButton
}

func (u *UI) showSignIn() {
	u.router.Clear()
	s := &signIn{u: u, logins: map[string]string{}}
	cs, err := u.till.Cashiers(u.ctx)
	var names []string
	// The cashier who signed in last is chosen, else the first cashier
	// (not the administrator, whose name may sort first).
	last := u.till.LastLogin(u.ctx)
	chosen := -1
	if err == nil {
		for _, c := range cs {
			name := c.FullName + " (" + c.Login + ")"
			s.logins[name] = c.Login
			if c.Login == last || chosen < 0 && last == "" && c.Role == app.RoleCashier {
				chosen = len(names)
			}
			names = append(names, name)
		}
	}
	s.who = u.selector(names, nil)
	s.who.PlaceHolder = u.T("signin.choose")
	if len(names) > 0 {
		s.who.SetSelectedIndex(max(chosen, 0))
	}
	s.pin = newKeyEntry(u.router)
	s.pin.Password = true
	s.pin.PlaceHolder = u.T("signin.pin")
	s.pin.OnSubmitted = func(string) { s.submit() }
	s.message = newLine(fyne.TextStyle{})
	s.button = u.button(u.T("signin.button"), nil, s.submit)
	s.button.Importance = widget.HighImportance
	s.unlock = u.button(u.T("signin.unlock"), nil, s.doUnlock)
	title := widget.NewLabelWithStyle(u.T("app.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	form := container.NewVBox(title, widget.NewLabel(u.T("signin.cashier")), s.who, widget.NewLabel(u.T("signin.pin")), s.pin, s.button, s.message,
		container.NewHBox(layout.NewSpacer(), s.unlock))
	if u.rt.Config.Training {
		form.Add(wrapLabel(u.T("signin.training_hint")))
	}
	if u.opt.Version != "" {
		form.Add(widget.NewLabelWithStyle("PayDesk "+u.opt.Version, fyne.TextAlignCenter, fyne.TextStyle{Italic: true}))
	}
	box := container.NewGridWrap(fyne.NewSize(420, 420), form)
	content := container.NewBorder(u.banner(), nil, nil, nil, container.NewCenter(box))
	u.win.SetContent(content)
	u.win.Canvas().Focus(s.pin)
	u.signInForm = s
}

func (s *signIn) submit() {
	login := s.logins[s.who.Selected]
	if login == "" {
		s.message.SetText("⚠ " + s.u.T("signin.choose"))
		return
	}
	pin := s.pin.Text
	s.button.Disable()
	s.u.background(func(ctx context.Context) func() {
		user, err := s.u.till.SignIn(ctx, login, pin)
		return func() {
			s.button.Enable()
			s.pin.SetText("")
			if err != nil {
				s.message.SetText("✗ " + s.u.appMessage(err))
				s.u.win.Canvas().Focus(s.pin)
				return
			}
			s.u.user = user
			go func() {
				if err := s.u.till.Remember(s.u.ctx, user); err != nil {
					s.u.log.Warn("ui: last sign-in not kept", "err", err)
				}
			}()
			s.u.win.SetContent(s.u.frame())
			s.u.status.refreshAll()
			s.u.show("pay")
		}
	})
}

// doUnlock asks a manager to sign in, then clears the chosen cashier's
// PIN lock (the core checks the manager's role).
func (s *signIn) doUnlock() {
	login := s.logins[s.who.Selected]
	if login == "" {
		s.message.SetText("⚠ " + s.u.T("signin.choose"))
		return
	}
	s.u.approve("unlock", func(m *userRef) {
		s.u.background(func(ctx context.Context) func() {
			err := s.u.till.Unlock(ctx, m.User, login)
			return func() {
				if err != nil {
					s.message.SetText("✗ " + s.u.appMessage(err))
					return
				}
				s.message.SetText("✓ " + s.u.T("signin.unlocked", "Login", login))
				s.u.win.Canvas().Focus(s.pin)
			}
		})
	})
}

// approve asks a manager to sign in over the cashier for one action, then
// runs it with the manager.
func (u *UI) approve(action string, then func(manager *userRef)) {
	cs, _ := u.till.Cashiers(u.ctx)
	var names []string
	logins := map[string]string{}
	for _, c := range cs {
		if c.Role.Rank() >= app.RoleManager.Rank() {
			n := c.FullName + " (" + c.Login + ")"
			names = append(names, n)
			logins[n] = c.Login
		}
	}
	who := u.selector(names, nil)
	if len(names) > 0 {
		who.SetSelectedIndex(0)
	}
	pin := u.passwordEntry()
	msg := widget.NewLabel("")
	var pop *widget.PopUp
	ok := u.button(u.T("approve.button"), nil, func() {
		login, p := logins[who.Selected], pin.Text
		u.background(func(ctx context.Context) func() {
			m, err := u.till.Approve(ctx, login, p, action)
			return func() {
				if err != nil {
					msg.SetText(u.appMessage(err))
					return
				}
				pop.Hide()
				then(&userRef{m})
			}
		})
	})
	ok.Importance = widget.HighImportance
	cancel := u.button(u.T("button.cancel"), nil, func() { pop.Hide() })
	pop = widget.NewModalPopUp(container.NewVBox(
		widget.NewLabelWithStyle(u.T("approve.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapLabel(u.T("approve.text")), who, pin, msg, container.NewHBox(layout.NewSpacer(), cancel, ok)), u.win.Canvas())
	pop.Resize(fyne.NewSize(420, 0))
	pop.Show()
	u.win.Canvas().Focus(pin)
}
