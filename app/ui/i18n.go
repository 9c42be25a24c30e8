package ui

import (
	"fmt"

	"fyne.io/fyne/v2/lang"

	"paydesk/assets"
)

// current is the language the window speaks.
var current = "ru"

// SetLanguage loads the language's translations into fyne's lang for the
// system locale, so that every T call speaks it whatever the system's own
// language: Russian first, English second.
func SetLanguage(code string) error {
	data, err := assets.Translation(code)
	if err != nil {
		return err
	}
	if err := lang.AddTranslationsForLocale(data, lang.SystemLocale()); err != nil {
		return fmt.Errorf("ui: translations %s: %w", code, err)
	}
	current = code
	return nil
}

// Language returns the current language code.
func Language() string { return current }

// T translates a key; args are name, value pairs for the template.
func T(key string, args ...any) string {
	if len(args) == 0 {
		return lang.LocalizeKey(key, key)
	}
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	return lang.LocalizeKey(key, key, data)
}
