// Package assets holds what PayDesk ships besides code: the message
// catalogue (Russian first, English second) and the application icon.
package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// Translations is the message catalogue: translations/<lang>/<domain>.json,
// one file per part of PayDesk that speaks (ui, app, store, config,
// gateway, fiscal, ipriv), each a JSON object of key → text, the text a Go
// template over the message's named arguments ({{.name}}).
//
//go:embed translations
var Translations embed.FS

//go:embed icons/paydesk.svg
var IconSVG []byte

// Languages PayDesk speaks, in the order the settings offer them.
var Languages = []string{"ru", "en"}

// Messages decodes a language's catalogue into key → text, every domain's
// file merged; a key given twice is an error.
func Messages(lang string) (map[string]string, error) {
	if !slices.Contains(Languages, lang) {
		return nil, fmt.Errorf("assets: no translation for %q", lang)
	}
	dir := path.Join("translations", lang)
	files, err := fs.Glob(Translations, dir+"/*.json")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("assets: no translation for %q", lang)
	}
	all := map[string]string{}
	for _, f := range files {
		b, err := Translations.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("assets: %s: %w", f, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("assets: %s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := all[k]; dup {
				return nil, fmt.Errorf("assets: %s: key %q is given twice", f, k)
			}
			all[k] = v
		}
	}
	return all, nil
}
