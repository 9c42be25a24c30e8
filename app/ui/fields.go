package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"paydesk/internal/i18n"
	"paydesk/protocol/gateway"
)

// fieldsForm draws the fields of a provider the network describes field
// by field, beside its main one (the payment screen's number entry): each
// labelled in the window's language, an enumeration as a drop-down list,
// checked as it is typed, and shown only while its dependency holds.
type fieldsForm struct {
	u    *UI
	prov *gateway.Provider
	box  *fyne.Container
	rows []*fieldRow
	// main is the main field's text as typed (dependencies may read it);
	// changed is called after any field changed.
	main    func() string
	changed func()
}

// fieldRow is one field: its label, its widget and what was made of it.
type fieldRow struct {
	in    *gateway.Input
	box   *fyne.Container
	entry *keyEntry  // number, float, text
	pick  *keySelect // enum
	hint  *line
}

func newFieldsForm(u *UI, main func() string, changed func()) *fieldsForm {
	return &fieldsForm{u: u, box: container.NewVBox(), main: main, changed: changed}
}

// set draws prov's fields other than the main one (none for a provider of
// one number or account, or nil).
func (f *fieldsForm) set(prov *gateway.Provider) {
	f.prov, f.rows = prov, nil
	f.box.RemoveAll()
	if prov == nil || !prov.Described() {
		return
	}
	for _, in := range prov.Inputs {
		if in.ID == prov.Main() {
			continue
		}
		r := &fieldRow{in: in, hint: newNote()}
		var w fyne.CanvasObject
		if in.Type == gateway.TypeEnum {
			var names []string
			for _, c := range in.Choices {
				names = append(names, f.choiceName(c))
			}
			r.pick = f.u.selector(names, func(string) { f.fieldChanged(r) })
			for _, c := range in.Choices {
				if c.Value == in.Default {
					r.pick.Selected = f.choiceName(c)
				}
			}
			w = r.pick
		} else {
			r.entry = f.u.entry()
			if in.Password {
				r.entry = f.u.passwordEntry()
			}
			r.entry.PlaceHolder = in.Mask
			if in.Default != "" {
				r.entry.PlaceHolder = in.Default
			}
			r.entry.OnChanged = func(string) { f.fieldChanged(r) }
			w = r.entry
		}
		r.box = container.NewVBox(widget.NewLabel(f.u.inputName(in)), w, r.hint)
		f.rows = append(f.rows, r)
		f.box.Add(r.box)
	}
	f.show()
}

// inputName is the field's label in the window's language; a required
// field is marked.
func (u *UI) inputName(in *gateway.Input) string {
	name := in.Name
	if u.lang == i18n.EN && in.NameEN != "" {
		name = in.NameEN
	}
	if in.Required && in.Default == "" {
		name += " *"
	}
	return name
}

func (f *fieldsForm) choiceName(c gateway.Choice) string {
	if f.u.lang == i18n.EN && c.NameEN != "" {
		return c.NameEN
	}
	return c.Name
}

// text is what the row holds as it is sent: an enumeration's value.
func (r *fieldRow) text(f *fieldsForm) string {
	if r.pick == nil {
		return r.entry.Text
	}
	for _, c := range r.in.Choices {
		if f.choiceName(c) == r.pick.Selected {
			return c.Value
		}
	}
	return ""
}

// typed is what was typed in each field shown, by field id.
func (f *fieldsForm) typed() map[string]string {
	if f.prov == nil || !f.prov.Described() {
		return nil
	}
	out := map[string]string{}
	for _, r := range f.rows {
		if r.box.Visible() {
			if v := r.text(f); v != "" {
				out[r.in.ID] = v
			}
		}
	}
	return out
}

// values are every field's text with the main one's, defaults filled, as
// dependencies read them.
func (f *fieldsForm) values() map[string]string {
	vals := map[string]string{f.prov.Main(): f.main()}
	for _, r := range f.rows {
		v := r.text(f)
		if v == "" {
			v = r.in.Default
		}
		vals[r.in.ID] = v
	}
	return vals
}

// show shows the fields whose dependency holds and hides the others.
func (f *fieldsForm) show() {
	if f.prov == nil || len(f.rows) == 0 {
		return
	}
	vals := f.values()
	for _, r := range f.rows {
		if r.in.Depends == nil || r.in.Depends.Eval(vals) {
			r.box.Show()
		} else {
			r.box.Hide()
		}
	}
}

func (f *fieldsForm) fieldChanged(r *fieldRow) {
	r.hint.clear()
	if v := r.text(f); v != "" {
		if _, err := r.in.Check(v); err != nil {
			r.hint.warn(f.u.appMessage(err))
		}
	}
	f.show()
	if f.changed != nil {
		f.changed()
	}
}

// valid reports whether every field shown passes its check (a required
// one filled).
func (f *fieldsForm) valid() bool {
	for _, r := range f.rows {
		if !r.box.Visible() {
			continue
		}
		v := r.text(f)
		if v == "" {
			v = r.in.Default
		}
		if _, err := r.in.Check(v); err != nil {
			return false
		}
	}
	return true
}

// clear empties every field (an enumeration back on its default).
func (f *fieldsForm) clear() {
	for _, r := range f.rows {
		if r.entry != nil {
			r.entry.SetText("")
		} else {
			r.pick.ClearSelected()
			for _, c := range r.in.Choices {
				if c.Value == r.in.Default {
					r.pick.SetSelected(f.choiceName(c))
				}
			}
		}
		r.hint.clear()
	}
	f.show()
}

// focusFirst focuses the first field shown; false when there is none.
func (f *fieldsForm) focusFirst() bool {
	for _, r := range f.rows {
		if !r.box.Visible() {
			continue
		}
		if r.entry != nil {
			f.u.win.Canvas().Focus(r.entry)
		} else {
			f.u.win.Canvas().Focus(r.pick)
		}
		return true
	}
	return false
}

// fill puts values in the fields by id (an enumeration by its value).
func (f *fieldsForm) fill(vals map[string]string) {
	for _, r := range f.rows {
		v, ok := vals[r.in.ID]
		if !ok {
			continue
		}
		if r.entry != nil {
			r.entry.SetText(v)
			continue
		}
		for _, c := range r.in.Choices {
			if c.Value == v {
				r.pick.SetSelected(f.choiceName(c))
			}
		}
	}
	f.show()
}
