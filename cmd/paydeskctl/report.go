package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"time"

	"paydesk/app"
)

func init() {
	for kind, summary := range map[string]string{
		"shift":      "shifts of the period with their cash",
		"commission": "the partner's commission for the period",
	} {
		register(&command{name: "report " + kind, summary: summary, opts: func() options { return newReportOpts(kind) }})
	}
}

// reportOpts are the options of "report shift" and "report commission".
type reportOpts struct {
	tillFlags
	kind     string
	from, to string
	by       string
	csv      bool
}

func newReportOpts(kind string) *reportOpts {
	return &reportOpts{kind: kind, tillFlags: tillFlags{who: "a manager's `LOGIN` (reports are for managers)"}}
}

func (o *reportOpts) flags(fs *flag.FlagSet) {
	o.tillFlags.flags(fs)
	fs.StringVar(&o.from, "from", "", "first `DATE`, like 2026-11-01 (default: today)")
	fs.StringVar(&o.to, "to", "", "last `DATE` (default: --from)")
	fs.StringVar(&o.by, "by", "provider", "`GROUP`: provider, day, cashier or shift")
	fs.BoolVar(&o.csv, "csv", false, "write CSV")
}

// period is a report's days, from and to both included, and its grouping.
type period struct {
	from, to time.Time
	by       app.GroupBy
}

func (o *reportOpts) run(ctx context.Context, e *env, _ []string) error {
	q, err := o.period()
	if err != nil {
		return err
	}
	s, err := o.open(ctx, e, openBooks)
	if err != nil {
		return err
	}
	defer s.Close()
	if o.kind == "shift" {
		return shiftReport(ctx, e, s, q)
	}
	return commissionReport(ctx, e, s, q, o.csv)
}

// period reads --from, --to and --by before the books are opened.
func (o *reportOpts) period() (period, error) {
	from := time.Now()
	var err error
	if o.from != "" {
		if from, err = parseDate("from", o.from); err != nil {
			return period{}, err
		}
	}
	to := from
	if o.to != "" {
		if to, err = parseDate("to", o.to); err != nil {
			return period{}, err
		}
	}
	if to.Before(from) {
		return period{}, usageErrorf("--to is before --from")
	}
	g := app.GroupBy(o.by)
	if !slices.Contains(app.ReportGroups, g) {
		return period{}, usageErrorf("--by %q: use provider, day, cashier or shift", o.by)
	}
	return period{from: from, to: to, by: g}, nil
}

func parseDate(name, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, usageErrorf("--%s: %q is not a date like 2026-11-26", name, s)
	}
	return t, nil
}

func shiftReport(ctx context.Context, e *env, s *session, q period) error {
	shifts, err := s.Till.Shifts(ctx, s.user, q.from, q.to.AddDate(0, 0, 1))
	if err != nil {
		return s.err(err)
	}
	for _, r := range shifts {
		printTotals(e.stdout, r.Shift, r.Totals)
		if !r.Shift.Open() {
			fmt.Fprintf(e.stdout, "counted=%v\ndifference=%v\n", r.Shift.Counted, r.Shift.Difference)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func commissionReport(ctx context.Context, e *env, s *session, q period, csv bool) error {
	rows, err := s.Till.Commission(ctx, s.user, q.from, q.to, q.by)
	if app.KindOf(err) != 0 {
		return s.err(err)
	}
	if err != nil {
		return usageErrorf("%v", err)
	}
	if csv {
		return app.WriteCSV(e.stdout, q.by, rows)
	}
	for _, r := range append(rows, app.SumRows(rows)) {
		fmt.Fprintf(e.stdout, "%-20s %-28s %6d %14v %12v %14v %12v\n", r.Key, clipText(r.Label, 28), r.Count, r.Amount, r.Fee, r.Total, r.Commission)
	}
	return nil
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
