// Package assets holds what PayDesk ships besides code: the translations
// (Russian first, English second) and the application icon.
package assets

import (
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed translations/*.json
var Translations embed.FS

//go:embed icons/paydesk.svg
var IconSVG []byte

// Languages PayDesk speaks, in the order the settings offer them.
var Languages = []string{"ru", "en"}

// Translation returns the messages of a language as go-i18n JSON.
func Translation(lang string) ([]byte, error) {
	b, err := Translations.ReadFile("translations/" + lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("assets: no translation for %q", lang)
	}
	return b, nil
}

// Messages decodes a language's translation into key → text.
func Messages(lang string) (map[string]string, error) {
	b, err := Translation(lang)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("assets: %s.json: %w", lang, err)
	}
	return m, nil
}
