// Package i18n is PayDesk's one message catalogue: every text a user reads
// (the window's words and every error's message) is a key in
// assets/translations/<lang>/*.json, and this package turns a key and its
// named arguments into Russian or English. Errors carry a Msg (a key and
// its arguments) beside their op and kind; the window and the commands ask
// Text for it in the user's language.
package i18n

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"paydesk/assets"
)

// Languages PayDesk speaks, Russian first.
const (
	RU = "ru"
	EN = "en"
)

// Msg is a message named in the catalogue: its key and its arguments as
// name, value pairs ({{.name}} in the text).
type Msg struct {
	Key  string
	Args []any
}

// M names a message: key with name, value pairs.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// In returns the message in lang.
func (m Msg) In(lang string) string { return Text(lang, m.Key, m.Args...) }

// IsZero reports whether no message is named.
func (m Msg) IsZero() bool { return m.Key == "" }

type catalogue struct {
	text   map[string]string
	mu     sync.Mutex
	parsed map[string]*template.Template
}

var (
	load  sync.Once
	langs map[string]*catalogue
	fault error
)

func get(lang string) *catalogue {
	load.Do(func() {
		langs = map[string]*catalogue{}
		for _, l := range assets.Languages {
			m, err := assets.Messages(l)
			if err != nil {
				fault = err
				continue
			}
			langs[l] = &catalogue{text: m, parsed: map[string]*template.Template{}}
		}
	})
	if c, ok := langs[lang]; ok {
		return c
	}
	return langs[RU]
}

// Text returns key's message in lang ("ru" unless "en") with args as name,
// value pairs; an argument that is a Msg is put in lang first, and a []Msg
// is each put in lang and joined by commas. A key the catalogue lacks comes back as itself, so that a
// missing translation shows and the tests catch it.
func Text(lang, key string, args ...any) string {
	c := get(lang)
	if c == nil {
		return key
	}
	s, ok := c.text[key]
	if !ok {
		return key
	}
	if !strings.Contains(s, "{{") {
		return s
	}
	t, err := c.template(key, s)
	if err != nil {
		return s
	}
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		v := args[i+1]
		switch m := v.(type) {
		case Msg:
			v = m.In(lang) // a message within a message speaks the same language
		case []Msg:
			parts := make([]string, len(m))
			for i, p := range m {
				parts[i] = p.In(lang)
			}
			v = strings.Join(parts, ", ")
		}
		data[fmt.Sprint(args[i])] = v
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return s
	}
	return b.String()
}

func (c *catalogue) template(key, s string) (*template.Template, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.parsed[key]; ok {
		return t, nil
	}
	t, err := template.New(key).Option("missingkey=zero").Parse(s)
	if err != nil {
		return nil, err
	}
	c.parsed[key] = t
	return t, nil
}

// Has reports whether the catalogue has key in every language.
func Has(key string) bool {
	for _, l := range assets.Languages {
		c := get(l)
		if c == nil {
			return false
		}
		if _, ok := c.text[key]; !ok {
			return false
		}
	}
	return true
}

// Check verifies the catalogue: every language loads, has the same keys,
// and every text is a template that parses.
func Check() error {
	get(RU)
	if fault != nil {
		return fault
	}
	ru := get(RU)
	for _, l := range assets.Languages {
		c := langs[l]
		if c == nil {
			return fmt.Errorf("i18n: no catalogue for %s", l)
		}
		for k, s := range c.text {
			if _, ok := ru.text[k]; !ok {
				return fmt.Errorf("i18n: %s has %q, Russian does not", l, k)
			}
			if _, err := template.New(k).Parse(s); err != nil {
				return fmt.Errorf("i18n: %s %q: %w", l, k, err)
			}
		}
		for k := range ru.text {
			if _, ok := c.text[k]; !ok {
				return fmt.Errorf("i18n: Russian has %q, %s does not", k, l)
			}
		}
	}
	return nil
}

// Speaker is an error that names its own message in the catalogue (the
// errors of app, config, gateway, fiscal and ipriv are).
type Speaker interface {
	error
	Msg() Msg
}
