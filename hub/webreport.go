package hub

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"paydesk/internal/i18n"
	"paydesk/money"
)

const dateForm = "2006-01-02"

// reportQuery reads a report's question from the request: from and to
// (dates; this month so far by default), by (point), point (all).
func (h *Hub) reportQuery(r *http.Request) (Query, error) {
	v := r.URL.Query()
	now := h.clock.Now().In(moscow)
	q := Query{
		From:  time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC),
		To:    dayOf(now, time.UTC),
		By:    Dim(v.Get("by")),
		Point: v.Get("point"),
	}
	if q.By == "" {
		q.By = ByPoint
	}
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(f.name); s != "" {
			t, err := time.Parse(dateForm, s)
			if err != nil {
				return q, refuse("report", KindInput, "hub.input.date", "date", s)
			}
			*f.to = t
		}
	}
	return q, nil
}

var moscow, _ = time.LoadLocation(DefaultTZ)

type option struct {
	Value, Label string
	Selected     bool
}

type pointOption struct {
	ID, Name string
	Selected bool
}

type reportData struct {
	page
	From, To string
	By       Dim
	ByLabel  string
	Dims     []option
	Points   []pointOption
	Rows     []Row
	Total    Row
	Chart    chart
	CSV      string
	CSV1C    string
}

func (h *Hub) reportPage(w http.ResponseWriter, r *http.Request, u *User) {
	l := lang(r)
	q, err := h.reportQuery(r)
	d := reportData{page: page{Lang: l, User: u}, From: q.From.Format(dateForm), To: q.To.Format(dateForm), By: q.By}
	status := http.StatusOK
	if err == nil {
		d.Rows, err = h.Report(r.Context(), u, q)
	}
	if err != nil {
		status, d.Error = h.webError(err, l)
	}
	for _, dim := range []Dim{ByPoint, ByProvider, ByDay, ByCashier} {
		d.Dims = append(d.Dims, option{Value: string(dim), Label: i18n.Text(l, "hub.web.by."+string(dim)), Selected: dim == q.By})
	}
	d.ByLabel = i18n.Text(l, "hub.web.by."+string(q.By))
	partner := u.Partner
	points, perr := h.Points(r.Context(), partner)
	if perr == nil {
		for _, p := range points {
			if u.Role == RoleManager && p.ID != u.Point {
				continue
			}
			d.Points = append(d.Points, pointOption{ID: p.ID, Name: p.Name, Selected: p.ID == q.Point})
		}
	}
	for _, row := range d.Rows {
		d.Total.Count += row.Count
		d.Total.Amount += row.Amount
		d.Total.Fee += row.Fee
		d.Total.Commission += row.Commission
	}
	d.Chart = drawChart(d.Rows)
	v := url.Values{"from": {d.From}, "to": {d.To}, "by": {string(q.By)}, "point": {q.Point}}
	d.CSV = "/report.csv?" + v.Encode()
	v.Set("format", "1c")
	d.CSV1C = "/report.csv?" + v.Encode()
	h.draw(w, r, status, "report", d)
}

// webError is a failure's status and its words for a page.
func (h *Hub) webError(err error, lang string) (int, string) {
	var he *Error
	if errors.As(err, &he) {
		switch he.Kind {
		case KindInput:
			return http.StatusBadRequest, he.Msg().In(lang)
		case KindDenied:
			return http.StatusForbidden, KindDenied.Msg().In(lang)
		}
	}
	h.log.Error("report failed", "err", err)
	return http.StatusServiceUnavailable, KindDatabase.Msg().In(lang)
}

func (h *Hub) reportCSV(w http.ResponseWriter, r *http.Request, u *User) {
	l := lang(r)
	q, err := h.reportQuery(r)
	var rows []Row
	if err == nil {
		rows, err = h.Report(r.Context(), u, q)
	}
	if err != nil {
		status, text := h.webError(err, l)
		http.Error(w, text, status)
		return
	}
	// format=1c is what a Russian accountant's 1C loads from a table file:
	// windows-1251, semicolons, decimal commas, CRLF, Russian headings.
	for1C := r.URL.Query().Get("format") == "1c"
	amount := func(a money.Amount) string { return a.String() }
	var out io.Writer = w
	name := "paydesk"
	if for1C {
		l = i18n.RU
		amount = func(a money.Amount) string { return strings.Replace(a.String(), ".", ",", 1) }
		enc := charmap.Windows1251.NewEncoder()
		out = transform.NewWriter(w, encoding.ReplaceUnsupported(enc))
		name = "paydesk-1c"
		w.Header().Set("Content-Type", "text/csv; charset=windows-1251")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s-%s.csv"`,
		name, q.By, q.From.Format(dateForm), q.To.Format(dateForm)))
	cw := csv.NewWriter(out)
	if for1C {
		cw.Comma, cw.UseCRLF = ';', true
	}
	_ = cw.Write([]string{i18n.Text(l, "hub.web.by."+string(q.By)), i18n.Text(l, "hub.web.count"),
		i18n.Text(l, "hub.web.turnover"), i18n.Text(l, "hub.web.fee"), i18n.Text(l, "hub.web.commission")})
	for _, row := range rows {
		key := row.Name()
		if for1C && q.By == ByDay {
			if t, err := time.Parse(dateForm, key); err == nil {
				key = t.Format("02.01.2006")
			}
		}
		_ = cw.Write([]string{key, strconv.FormatInt(row.Count, 10), amount(row.Amount), amount(row.Fee), amount(row.Commission)})
	}
	cw.Flush()
	if c, ok := out.(io.Closer); ok {
		_ = c.Close()
	}
}

// chart is a server-drawn SVG of turnover and commission by group, each
// on its own scale (commission is a few per cent of turnover).
type chart struct {
	Width, Height, BarX          int
	LegendX1, LegendX2, LegendX3 int
	Bars                         []bar
	Cut                          int // groups left out of the chart
}

type bar struct {
	Label                            string
	Y, Y2, TextY                     int
	TurnoverW, CommissionW           int
	Turnover, Commission             string
	TurnoverTextX, TurnoverTextY     int
	CommissionTextX, CommissionTextY int
}

// maxBars is the most groups a chart draws.
const maxBars = 60

func drawChart(rows []Row) chart {
	const (
		labelW = 190
		barsW  = 460
		rowH   = 30
		top    = 24
	)
	c := chart{Width: labelW + barsW + 110, BarX: labelW}
	c.LegendX1, c.LegendX2 = labelW+16, labelW+130
	c.LegendX3 = c.LegendX2 + 16
	if len(rows) > maxBars {
		c.Cut = len(rows) - maxBars
		rows = rows[:maxBars]
	}
	var maxT, maxC money.Amount
	for _, r := range rows {
		maxT, maxC = max(maxT, r.Amount), max(maxC, r.Commission)
	}
	scale := func(a, m money.Amount) int {
		if m <= 0 || a <= 0 {
			return 0
		}
		return max(1, int(int64(a)*barsW/int64(m)))
	}
	for i, r := range rows {
		y := top + i*rowH
		label := r.Name()
		if len([]rune(label)) > 26 {
			label = string([]rune(label)[:25]) + "…"
		}
		b := bar{Label: label, Y: y, Y2: y + 12, TextY: y + 15,
			TurnoverW: scale(r.Amount, maxT), CommissionW: scale(r.Commission, maxC),
			Turnover: r.Amount.String(), Commission: r.Commission.String()}
		b.TurnoverTextX, b.TurnoverTextY = labelW+b.TurnoverW+4, y+9
		b.CommissionTextX, b.CommissionTextY = labelW+b.CommissionW+4, y+21
		c.Bars = append(c.Bars, b)
	}
	c.Height = top + len(rows)*rowH + 4
	return c
}

// agentRow is a provider's line of the agent's report: Due is what the
// agent passes on to the principal, what it accepted for the provider.
type agentRow struct {
	Row
	Due money.Amount
}

type agentData struct {
	page
	Month, MonthName, FromText, ToText string
	Partner, PointsText                string
	Points                             []pointOption
	Rows                               []agentRow
	Total                              agentRow
	CSV1C                              string
}

// agentPage is the month's agent report (what the agent sends the
// principal): by provider, the payments accepted, the payers' fees, the
// agent's reward and what is due to the principal, printable, with the
// same table for 1C.
func (h *Hub) agentPage(w http.ResponseWriter, r *http.Request, u *User) {
	l := lang(r)
	v := r.URL.Query()
	now := h.clock.Now().In(moscow)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	status := http.StatusOK
	var err error
	if m := v.Get("month"); m != "" {
		if first, err = time.Parse("2006-01", m); err != nil {
			err = refuse("agent report", KindInput, "hub.input.month", "month", m)
		}
	}
	last := first.AddDate(0, 1, -1)
	d := agentData{page: page{Lang: l, User: u}, Month: first.Format("2006-01"), FromText: first.Format("02.01.2006"), ToText: last.Format("02.01.2006"),
		MonthName: i18n.Text(l, "hub.web.month."+strconv.Itoa(int(first.Month())), "year", first.Year()), Partner: u.Partner}
	var rows []Row
	if err == nil {
		rows, err = h.Report(r.Context(), u, Query{From: first, To: last, By: ByProvider, Point: v.Get("point")})
	}
	if err != nil {
		status, d.Error = h.webError(err, l)
	}
	if name, nerr := h.partnerName(r.Context(), u.Partner); nerr == nil {
		d.Partner = name
	}
	d.PointsText = i18n.Text(l, "hub.web.all_points")
	if points, perr := h.Points(r.Context(), u.Partner); perr == nil {
		for _, p := range points {
			if u.Role == RoleManager && p.ID != u.Point {
				continue
			}
			sel := p.ID == v.Get("point") || u.Role == RoleManager
			d.Points = append(d.Points, pointOption{ID: p.ID, Name: p.Name, Selected: sel})
			if sel {
				d.PointsText = p.ID + " · " + p.Name
			}
		}
	}
	for _, row := range rows {
		a := agentRow{Row: row, Due: row.Amount}
		d.Rows = append(d.Rows, a)
		d.Total.Count += a.Count
		d.Total.Amount += a.Amount
		d.Total.Fee += a.Fee
		d.Total.Commission += a.Commission
		d.Total.Due += a.Due
	}
	q := url.Values{"from": {first.Format(dateForm)}, "to": {last.Format(dateForm)}, "by": {string(ByProvider)}, "point": {v.Get("point")}, "format": {"1c"}}
	d.CSV1C = "/report.csv?" + q.Encode()
	h.draw(w, r, status, "agent", d)
}
