package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Router maps keys to actions for the whole window. Fyne gives a focused
// entry every plain key and only Ctrl/Alt combinations reach shortcuts, so
// the entries of the payment screen hand F-keys, Escape and Enter to the
// router first (see keyEntry) and the canvas sends it the rest.
type Router struct {
	keys      map[fyne.KeyName]func()
	shortcuts map[string]func()
}

// NewRouter returns an empty router.
func NewRouter() *Router {
	return &Router{keys: map[fyne.KeyName]func(){}, shortcuts: map[string]func(){}}
}

// Key binds a plain key (F2, Escape, ...).
func (r *Router) Key(k fyne.KeyName, f func()) { r.keys[k] = f }

// Shortcut binds Ctrl or Alt with a key.
func (r *Router) Shortcut(mod fyne.KeyModifier, k fyne.KeyName, f func()) {
	r.shortcuts[shortcutName(mod, k)] = f
}

func shortcutName(mod fyne.KeyModifier, k fyne.KeyName) string {
	return (&desktop.CustomShortcut{KeyName: k, Modifier: mod}).ShortcutName()
}

// Handle runs the action bound to k and reports whether there was one.
func (r *Router) Handle(k fyne.KeyName) bool {
	if f, ok := r.keys[k]; ok && f != nil {
		f()
		return true
	}
	return false
}

// Clear removes every binding (when the screen changes).
func (r *Router) Clear() {
	r.keys = map[fyne.KeyName]func(){}
	r.shortcuts = map[string]func(){}
}

// Install connects the router to a window's canvas.
func (r *Router) Install(c fyne.Canvas) {
	c.SetOnTypedKey(func(e *fyne.KeyEvent) { r.Handle(e.Name) })
	for _, mod := range []fyne.KeyModifier{fyne.KeyModifierControl, fyne.KeyModifierAlt} {
		for _, k := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9,
			fyne.KeyF, fyne.KeyN, fyne.KeyP, fyne.KeyH, fyne.KeyR, fyne.KeyL} {
			mod, k := mod, k
			c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: mod}, func(fyne.Shortcut) {
				if f, ok := r.shortcuts[shortcutName(mod, k)]; ok {
					f()
				}
			})
		}
	}
}

// keyEntry is an entry that lets the router see F-keys, Escape and Enter
// before the entry does; the router's action wins when there is one.
type keyEntry struct {
	widget.Entry
	router *Router
}

func newKeyEntry(r *Router) *keyEntry {
	e := &keyEntry{router: r}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey routes a key, then lets the entry have what the router left.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4, fyne.KeyF5, fyne.KeyF6, fyne.KeyF7, fyne.KeyF8, fyne.KeyF9, fyne.KeyF10,
		fyne.KeyF11, fyne.KeyEscape:
		if e.router != nil && e.router.Handle(k.Name) {
			return
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if e.OnSubmitted != nil {
			e.OnSubmitted(e.Text)
			return
		}
	}
	e.Entry.TypedKey(k)
}
