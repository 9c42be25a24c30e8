package ui

import (
	"sort"

	"fyne.io/fyne/v2"
)

// missing lists keys of one language that the other lacks.
func missing(a, b map[string]string) []string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// focused returns what has the focus.
func (u *UI) focused() fyne.Focusable { return u.win.Canvas().Focused() }
