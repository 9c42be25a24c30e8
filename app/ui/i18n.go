package ui

import (
	"fmt"
	"slices"

	"paydesk/assets"
	"paydesk/internal/i18n"
)

// setLanguage makes the window speak the language from now on: Russian
// first, English second.
func (u *UI) setLanguage(code string) error {
	if !slices.Contains(assets.Languages, code) {
		return fmt.Errorf("ui: no translation for %q", code)
	}
	u.lang = code
	return nil
}

// T translates a key from the catalogue into the window's language; args
// are name, value pairs for the template.
func (u *UI) T(key string, args ...any) string { return i18n.Text(u.lang, key, args...) }

// speak switches the window to the language code at once: the navigation,
// the status bar and every screen are made anew in it, and the screen shown
// is shown again. While a payment is being sent only the language changes;
// its screens are made anew at the next sign-out. It reports whether the
// screens were made anew.
func (u *UI) speak(code string) bool {
	if err := u.setLanguage(code); err != nil {
		return false
	}
	u.win.SetTitle(u.T("app.title"))
	if u.pay.working {
		return false
	}
	u.status = newStatusBar(u)
	u.screens()
	if u.user == nil {
		u.showSignIn()
		return true
	}
	screen := u.screen
	u.win.SetContent(u.frame())
	u.status.refreshAll()
	u.show(screen)
	return true
}
