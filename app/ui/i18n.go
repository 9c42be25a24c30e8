package ui

import (
	"fmt"
	"slices"

	"paydesk/assets"
	"paydesk/internal/i18n"
)

// current is the language the window speaks.
var current = i18n.RU

// SetLanguage makes the window speak the language: Russian first, English
// second.
func SetLanguage(code string) error {
	if !slices.Contains(assets.Languages, code) {
		return fmt.Errorf("ui: no translation for %q", code)
	}
	current = code
	return nil
}

// Language returns the current language code.
func Language() string { return current }

// T translates a key from the catalogue; args are name, value pairs for
// the template.
func T(key string, args ...any) string { return i18n.Text(current, key, args...) }
