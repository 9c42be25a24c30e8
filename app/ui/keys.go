package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	kept      []bindings // the screens' bindings under a dialog's (Push)
}

type bindings struct {
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

// Clear removes every binding, kept ones too (when the screen changes).
func (r *Router) Clear() {
	r.keys = map[fyne.KeyName]func(){}
	r.shortcuts = map[string]func(){}
	r.kept = nil
}

// Push keeps the bindings and starts a dialog's with none, so that the
// screen under a dialog takes no key; Pop brings them back.
func (r *Router) Push() {
	r.kept = append(r.kept, bindings{r.keys, r.shortcuts})
	r.keys, r.shortcuts = map[fyne.KeyName]func(){}, map[string]func(){}
}

// Pop drops the dialog's bindings for the ones Push kept.
func (r *Router) Pop() {
	if len(r.kept) == 0 {
		return
	}
	b := r.kept[len(r.kept)-1]
	r.kept = r.kept[:len(r.kept)-1]
	r.keys, r.shortcuts = b.keys, b.shortcuts
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

// routed reports whether k is a key the window's router sees before the
// focused widget: the function keys and Escape.
func routed(k fyne.KeyName) bool {
	switch k {
	case fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4, fyne.KeyF5, fyne.KeyF6, fyne.KeyF7, fyne.KeyF8, fyne.KeyF9, fyne.KeyF10,
		fyne.KeyF11, fyne.KeyF12, fyne.KeyEscape:
		return true
	}
	return false
}

// first lets the router act on a key a focused widget was given; true when
// it did, and the widget must not see the key.
func (r *Router) first(k *fyne.KeyEvent) bool {
	return r != nil && routed(k.Name) && r.Handle(k.Name)
}

// firstShortcut runs the router's action for a Ctrl or Alt shortcut a
// focused entry was given; true when there was one.
func (r *Router) firstShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if r == nil || !ok {
		return false
	}
	if f, ok := r.shortcuts[shortcutName(cs.Modifier, cs.KeyName)]; ok && f != nil {
		f()
		return true
	}
	return false
}

// Every widget that can take the focus is one of the types below: Fyne gives
// a focused widget every key (and a focused entry every shortcut), so each
// hands the router the function keys, Escape and its shortcuts first.

// keyEntry is an entry that lets the router see F-keys, Escape and the
// window's shortcuts before the entry does; the router's action wins when
// there is one. Enter submits.
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
	if e.router.first(k) {
		return
	}
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if e.OnSubmitted != nil && !e.MultiLine {
			e.OnSubmitted(e.Text)
			return
		}
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut runs the window's shortcut (Alt+1, Ctrl+F, ...) before the
// entry's own (copy, paste, ...).
func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if e.router.firstShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// entry is a one-line entry of the window.
func (u *UI) entry() *keyEntry { return newKeyEntry(u.router) }

// passwordEntry is an entry that hides what is typed.
func (u *UI) passwordEntry() *keyEntry {
	e := newKeyEntry(u.router)
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	return e
}

// multiLineEntry is an entry of several lines (Enter is a new line).
func (u *UI) multiLineEntry() *keyEntry {
	e := newKeyEntry(u.router)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// keyButton is a button (it takes the focus by Tab).
type keyButton struct {
	widget.Button
	router *Router
}

// button is a button of the window; icon may be nil.
func (u *UI) button(label string, icon fyne.Resource, tapped func()) *keyButton {
	b := &keyButton{router: u.router}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey routes a key before the button sees it.
func (b *keyButton) TypedKey(k *fyne.KeyEvent) {
	if !b.router.first(k) {
		b.Button.TypedKey(k)
	}
}

// keySelect is a drop-down list (it takes the focus when tapped).
type keySelect struct {
	widget.Select
	router *Router
}

// selector is a drop-down list of the window.
func (u *UI) selector(options []string, changed func(string)) *keySelect {
	s := &keySelect{router: u.router}
	s.Options, s.OnChanged = options, changed
	s.PlaceHolder = "(" + u.T("select.choose") + ")"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey routes a key before the list sees it.
func (s *keySelect) TypedKey(k *fyne.KeyEvent) {
	if !s.router.first(k) {
		s.Select.TypedKey(k)
	}
}

// keyCheck is a check box (it takes the focus when tapped).
type keyCheck struct {
	widget.Check
	router *Router
}

// check is a check box of the window.
func (u *UI) check(label string, changed func(bool)) *keyCheck {
	c := &keyCheck{router: u.router}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey routes a key before the box sees it.
func (c *keyCheck) TypedKey(k *fyne.KeyEvent) {
	if !c.router.first(k) {
		c.Check.TypedKey(k)
	}
}

// keyList is a list (it takes the focus when a row is tapped).
type keyList struct {
	widget.List
	router *Router
}

// list is a list of the window.
func (u *UI) list(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *keyList {
	l := &keyList{router: u.router}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey routes a key before the list sees it (arrows move in it).
func (l *keyList) TypedKey(k *fyne.KeyEvent) {
	if !l.router.first(k) {
		l.List.TypedKey(k)
	}
}

// keyTable is a table (it takes the focus when a cell is tapped).
type keyTable struct {
	widget.Table
	router *Router
}

// table is a table of the window.
func (u *UI) table(length func() (int, int), create func() fyne.CanvasObject, update func(widget.TableCellID, fyne.CanvasObject)) *keyTable {
	t := &keyTable{router: u.router}
	t.Length, t.CreateCell, t.UpdateCell = length, create, update
	t.ExtendBaseWidget(t)
	return t
}

// TypedKey routes a key before the table sees it.
func (t *keyTable) TypedKey(k *fyne.KeyEvent) {
	if !t.router.first(k) {
		t.Table.TypedKey(k)
	}
}

// focusables lists the widgets under o that can take the focus, in the
// order they are laid out: through containers, splits, scrolls, the
// selected tab and forms, the screens' layouts. Hidden ones are left out.
func focusables(o fyne.CanvasObject) []fyne.Focusable {
	var out []fyne.Focusable
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if f, ok := o.(fyne.Focusable); ok {
			out = append(out, f)
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *container.Split:
			walk(v.Leading)
			walk(v.Trailing)
		case *container.Scroll:
			walk(v.Content)
		case *container.AppTabs:
			if t := v.Selected(); t != nil {
				walk(t.Content)
			}
		case *widget.Form:
			for _, it := range v.Items {
				walk(it.Widget)
			}
		}
	}
	walk(o)
	return out
}

// focusFirstField gives the focus to the first entry under o that takes
// typing, else to nothing: keys typed next never go to a screen not shown.
func (u *UI) focusFirstField(o fyne.CanvasObject) {
	for _, f := range focusables(o) {
		if e, ok := f.(*keyEntry); ok && !e.Disabled() {
			u.win.Canvas().Focus(e)
			return
		}
	}
	u.win.Canvas().Focus(nil)
}

// keySelectEntry is an entry with a drop-down of suggestions.
type keySelectEntry struct {
	widget.SelectEntry
	router *Router
}

// selectEntry is an entry of the window with suggestions.
func (u *UI) selectEntry(options []string) *keySelectEntry {
	e := &keySelectEntry{router: u.router}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetOptions(options)
	return e
}

// TypedKey routes a key before the entry sees it.
func (e *keySelectEntry) TypedKey(k *fyne.KeyEvent) {
	if !e.router.first(k) {
		e.SelectEntry.TypedKey(k)
	}
}

// TypedShortcut runs the window's shortcut before the entry's own.
func (e *keySelectEntry) TypedShortcut(s fyne.Shortcut) {
	if !e.router.firstShortcut(s) {
		e.SelectEntry.TypedShortcut(s)
	}
}

// keyDateEntry is a date field with its calendar.
type keyDateEntry struct {
	widget.DateEntry
	router *Router
}

// dateEntry is a date field of the window showing d.
func (u *UI) dateEntry(d time.Time) *keyDateEntry {
	e := &keyDateEntry{router: u.router}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetDate(&d)
	return e
}

// TypedKey routes a key before the field sees it.
func (e *keyDateEntry) TypedKey(k *fyne.KeyEvent) {
	if !e.router.first(k) {
		e.DateEntry.TypedKey(k)
	}
}

// TypedShortcut runs the window's shortcut before the field's own.
func (e *keyDateEntry) TypedShortcut(s fyne.Shortcut) {
	if !e.router.firstShortcut(s) {
		e.DateEntry.TypedShortcut(s)
	}
}
