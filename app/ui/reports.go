package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/internal/i18n"
	"paydesk/money"
)

// reportsScreen shows the partner's commission for a period as a table and
// a bar chart drawn in the window, with CSV export.
type reportsScreen struct {
	u       *UI
	root    fyne.CanvasObject
	from    *keyDateEntry
	to      *keyDateEntry
	by      *keySelect
	table   *keyTable
	chart   *fyne.Container
	rows    []app.ReportRow
	message *line
}

var reportGroups = app.ReportGroups

func newReportsScreen(u *UI) *reportsScreen {
	today := startOfDay(0)
	s := &reportsScreen{u: u, from: u.dateEntry(today.AddDate(0, 0, -6)), to: u.dateEntry(today), message: newLine(fyne.TextStyle{})}
	var groups []string
	for _, g := range reportGroups {
		groups = append(groups, u.T("report.by_"+string(g)))
	}
	s.by = u.selector(groups, nil)
	s.by.SetSelectedIndex(0)
	s.table = u.table(func() (int, int) { return len(s.rows) + 2, 5 },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row == 0 {
				l.TextStyle = fyne.TextStyle{Bold: true}
				l.SetText(s.headers()[id.Col])
				return
			}
			var r app.ReportRow
			if id.Row-1 < len(s.rows) {
				r = s.rows[id.Row-1]
			} else {
				r = app.SumRows(s.rows)
				r.Label = u.T("report.sum")
			}
			label := u.rowLabel(r)
			l.TextStyle = fyne.TextStyle{Bold: id.Row-1 >= len(s.rows)}
			l.SetText([]string{label, fmt.Sprint(r.Count), r.Amount.String(), r.Total.String(), r.Commission.String()}[id.Col])
		})
	s.fitColumns()
	s.chart = container.NewWithoutLayout()
	s.by.OnChanged = func(string) { s.reload() }
	show := u.button(u.T("report.show"), theme.SearchIcon(), s.reload)
	export := u.button(u.T("report.csv"), theme.DocumentSaveIcon(), s.exportCSV)
	labelled := func(key string, w fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabelWithStyle(u.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), w)
	}
	top := container.NewVBox(container.NewGridWithColumns(5, labelled("report.from", s.from), labelled("report.to", s.to),
		labelled("report.by", s.by), labelled("report.show", show), labelled("report.csv", export)), s.message)
	chart := container.NewGridWrap(fyne.NewSize(560, 300), s.chart)
	split := container.NewHSplit(s.table, container.NewScroll(chart))
	split.Offset = 0.5
	s.root = container.NewBorder(top, nil, nil, nil, split)
	return s
}

func (s *reportsScreen) content() fyne.CanvasObject { s.reload(); return s.root }

// period is the days chosen, from the first day's start to the last's.
func (s *reportsScreen) period() (time.Time, time.Time, bool) {
	if s.from.Date == nil || s.to.Date == nil || s.to.Date.Before(*s.from.Date) {
		s.message.SetText(s.u.T("report.bad_dates"))
		return time.Time{}, time.Time{}, false
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.Local) }
	return day(*s.from.Date), day(*s.to.Date), true
}

// headers are the table's column titles.
func (s *reportsScreen) headers() []string {
	return []string{s.u.T("report.key"), s.u.T("report.count"), s.u.T("report.amount"), s.u.T("report.total"), s.u.T("report.commission")}
}

// fitColumns makes each column as wide as its title and its widest cell.
func (s *reportsScreen) fitColumns() {
	pad := 4 * theme.Padding()
	bold := fyne.TextStyle{Bold: true}
	for i, h := range s.headers() {
		w := fyne.MeasureText(h, theme.TextSize(), bold).Width
		for _, r := range append(append([]app.ReportRow{}, s.rows...), app.SumRows(s.rows)) {
			label := s.u.rowLabel(r)
			cell := []string{label, fmt.Sprint(r.Count), r.Amount.String(), r.Total.String(), r.Commission.String()}[i]
			w = max(w, fyne.MeasureText(cell, theme.TextSize(), bold).Width)
		}
		s.table.SetColumnWidth(i, w+pad)
	}
}

func (s *reportsScreen) reload() {
	from, to, ok := s.period()
	if !ok {
		return
	}
	g := reportGroups[max(0, s.by.SelectedIndex())]
	rows, err := s.u.till.Commission(s.u.ctx, s.u.user, from, to, g)
	if err != nil {
		s.message.SetText(s.u.appMessage(err))
		return
	}
	s.message.SetText("")
	s.rows = rows
	s.fitColumns()
	s.table.Refresh()
	s.drawChart()
}

// drawChart draws one bar per row, its length the commission.
func (s *reportsScreen) drawChart() {
	s.chart.Objects = nil
	var top int64
	for _, r := range s.rows {
		top = max(top, int64(r.Commission))
	}
	const barH, gap, labelW, width = 22, 8, 140, 300
	fg := theme.Color(theme.ColorNameForeground)
	for i, r := range s.rows {
		y := float32(i * (barH + gap))
		label := s.u.rowLabel(r)
		t := canvas.NewText(label, fg)
		t.Move(fyne.NewPos(0, y+3))
		w := float32(0)
		if top > 0 {
			w = float32(width) * float32(r.Commission) / float32(top)
		}
		bar := canvas.NewRectangle(color.NRGBA{R: 0x15, G: 0x65, B: 0xC0, A: 0xFF})
		bar.Resize(fyne.NewSize(max(w, 2), barH))
		bar.Move(fyne.NewPos(labelW, y))
		v := canvas.NewText(r.Commission.String(), fg)
		v.Move(fyne.NewPos(labelW+max(w, 2)+6, y+3))
		s.chart.Objects = append(s.chart.Objects, t, bar, v)
	}
	s.chart.Refresh()
}

// exportCSV asks where to save the report (the reports folder and a name
// by the period offered), then writes it as a sheet Excel opens in the
// window's language (sheet).
func (s *reportsScreen) exportCSV() {
	from, to, ok := s.period()
	if !ok {
		return
	}
	g := reportGroups[max(0, s.by.SelectedIndex())]
	dir := filepath.Join(s.u.rt.DataDir, "reports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.message.SetText(s.u.appMessage(err))
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		s.save(w.URI().Path(), w)
	}, s.u.win)
	d.SetFileName(fmt.Sprintf("commission-%s-%s-%s.csv", g, from.Format("20060102"), to.Format("20060102")))
	if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
		d.SetLocation(l)
	}
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// save writes the report shown to w (named name) in the background.
func (s *reportsScreen) save(name string, w io.WriteCloser) {
	data := sheet(s.u, reportGroups[max(0, s.by.SelectedIndex())], s.rows)
	s.u.background(func(ctx context.Context) func() {
		_, err := w.Write(data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return func() {
			if err != nil {
				s.message.SetText(s.u.appMessage(err))
			} else {
				s.message.SetText(s.u.T("report.saved", "File", name))
			}
		}
	})
}

// rowLabel names a report row: the provider's (in the window's language)
// or the cashier's name, the rule
// as it read, else its key; a row of payments no schedule rule gave a
// commission is the flat rates'.
func (u *UI) rowLabel(r app.ReportRow) string {
	if prov, err := u.till.Provider(r.Key); err == nil && r.Label == prov.Name {
		return u.nameOf(prov) // a provider's row, in the window's language
	}
	switch {
	case r.Label != "":
		return r.Label
	case r.Key != "":
		return r.Key
	}
	return u.T("report.rule_flat")
}

// sheet is the report as a CSV for a spreadsheet in the window's language:
// a UTF-8 byte order mark (Excel reads UTF-8 only with it), the window's
// column titles, and in Russian ';' between fields and a decimal comma, as
// Excel in a Russian locale reads them; CRLF line ends.
func sheet(u *UI, by app.GroupBy, rows []app.ReportRow) []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	num := func(a money.Amount) string { return a.String() }
	if u.lang == i18n.RU {
		cw.Comma = ';'
		num = func(a money.Amount) string { return strings.Replace(a.String(), ".", ",", 1) }
	}
	_ = cw.Write([]string{u.T("report.by_" + string(by)), u.T("report.count"), u.T("report.amount"), u.T("report.fee"),
		u.T("report.total"), u.T("report.commission")})
	sum := app.SumRows(rows)
	sum.Label = u.T("report.sum")
	for _, r := range append(append([]app.ReportRow{}, rows...), sum) {
		label := u.rowLabel(r)
		_ = cw.Write([]string{label, fmt.Sprint(r.Count), num(r.Amount), num(r.Fee), num(r.Total), num(r.Commission)})
	}
	cw.Flush()
	return buf.Bytes()
}
