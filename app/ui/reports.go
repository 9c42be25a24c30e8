package ui

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
)

// reportsScreen shows the partner's commission for a period as a table and
// a bar chart drawn in the window, with CSV export.
type reportsScreen struct {
	u       *UI
	root    fyne.CanvasObject
	from    *keyEntry
	to      *keyEntry
	by      *keySelect
	table   *keyTable
	chart   *fyne.Container
	rows    []app.ReportRow
	message *widget.Label
}

var reportGroups = app.ReportGroups

func newReportsScreen(u *UI) *reportsScreen {
	s := &reportsScreen{u: u, from: u.entry(), to: u.entry(), message: wrapLabel("")}
	today := time.Now().Format("2006-01-02")
	s.from.SetText(time.Now().AddDate(0, 0, -6).Format("2006-01-02"))
	s.to.SetText(today)
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
				l.SetText([]string{u.T("report.key"), u.T("report.count"), u.T("report.amount"), u.T("report.total"), u.T("report.commission")}[id.Col])
				return
			}
			var r app.ReportRow
			if id.Row-1 < len(s.rows) {
				r = s.rows[id.Row-1]
			} else {
				r = app.SumRows(s.rows)
				r.Label = u.T("report.sum")
			}
			label := r.Label
			if label == "" {
				label = r.Key
			}
			l.TextStyle = fyne.TextStyle{Bold: id.Row-1 >= len(s.rows)}
			l.SetText([]string{label, fmt.Sprint(r.Count), r.Amount.String(), r.Total.String(), r.Commission.String()}[id.Col])
		})
	for i, w := range []float32{150, 80, 100, 100, 140} {
		s.table.SetColumnWidth(i, w)
	}
	s.chart = container.NewWithoutLayout()
	s.by.OnChanged = func(string) { s.reload() }
	show := u.button(u.T("report.show"), theme.SearchIcon(), s.reload)
	export := u.button(u.T("report.csv"), theme.DocumentSaveIcon(), s.exportCSV)
	top := container.NewVBox(container.NewGridWithColumns(5, s.from, s.to, s.by, show, export), s.message)
	chart := container.NewGridWrap(fyne.NewSize(560, 300), s.chart)
	split := container.NewHSplit(s.table, container.NewScroll(chart))
	split.Offset = 0.5
	s.root = container.NewBorder(top, nil, nil, nil, split)
	return s
}

func (s *reportsScreen) content() fyne.CanvasObject { s.reload(); return s.root }

func (s *reportsScreen) period() (time.Time, time.Time, bool) {
	from, err1 := time.ParseInLocation("2006-01-02", s.from.Text, time.Local)
	to, err2 := time.ParseInLocation("2006-01-02", s.to.Text, time.Local)
	if err1 != nil || err2 != nil || to.Before(from) {
		s.message.SetText(s.u.T("report.bad_period"))
		return from, to, false
	}
	return from, to, true
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
		label := r.Label
		if label == "" {
			label = r.Key
		}
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

func (s *reportsScreen) exportCSV() {
	from, to, ok := s.period()
	if !ok {
		return
	}
	g := reportGroups[max(0, s.by.SelectedIndex())]
	rows := s.rows
	s.u.background(func(ctx context.Context) func() {
		var buf bytes.Buffer
		err := app.WriteCSV(&buf, g, rows)
		name := filepath.Join(s.u.rt.DataDir, "reports", fmt.Sprintf("commission-%s-%s-%s.csv", g, from.Format("20060102"), to.Format("20060102")))
		if err == nil {
			err = os.MkdirAll(filepath.Dir(name), 0o700)
		}
		if err == nil {
			err = os.WriteFile(name, buf.Bytes(), 0o600)
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
