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
