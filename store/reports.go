package store

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"paydesk/money"
)

// GroupBy is the key a commission report groups by.
type GroupBy string

// The report groupings.
const (
	ByDay      GroupBy = "day"
	ByProvider GroupBy = "provider"
	ByCashier  GroupBy = "cashier"
	ByShift    GroupBy = "shift"
	// ByRule groups by the commission schedule's rule that gave the
	// partner's commission ("" for the catalogue's flat rate), read from
	// the payments of the days (the summary does not know the rule).
	ByRule GroupBy = "rule"
)

// ReportRow is one group of a commission report.
type ReportRow struct {
	Key        string // the day, provider code, cashier login, shift number or rule name
	Label      string // the provider or cashier name, or the rule as it read
	Count      int
	Amount     money.Amount
	Fee        money.Amount
	Total      money.Amount
	Commission money.Amount
}

// Commission sums paid payments of the local days from..to (inclusive) by
// the grouping, from the summary table, so it stays fast over millions of
// payments. The sums reconcile to the kopeck with the payments.
func (s *Store) Commission(ctx context.Context, from, to time.Time, by GroupBy) ([]ReportRow, error) {
	var key, label, join string
	switch by {
	case ByDay:
		key, label = "ps.day", "ps.day"
	case ByProvider:
		key = "ps.provider_code"
		label = "coalesce((SELECT provider_name FROM payments p WHERE p.provider_code = ps.provider_code ORDER BY p.id DESC LIMIT 1), ps.provider_code)"
	case ByCashier:
		key, label, join = "c.login", "c.full_name", "JOIN cashiers c ON c.id = ps.cashier_id"
	case ByShift:
		key, label = "CAST(ps.shift_id AS TEXT)", "CAST(ps.shift_id AS TEXT)"
	case ByRule:
	default:
		return nil, fmt.Errorf("store: report by %q: use day, provider, cashier, shift or rule", by)
	}
	q := fmt.Sprintf(`SELECT %s, %s, sum(ps.count), sum(ps.amount), sum(ps.fee), sum(ps.total), sum(ps.commission)
		FROM paid_summary ps %s WHERE ps.day >= ? AND ps.day <= ? GROUP BY 1 ORDER BY 1`, key, label, join)
	if by == ByRule {
		q = `SELECT commission_rule, commission_rule, count(*), sum(amount), sum(fee), sum(total), sum(commission)
			FROM payments WHERE paid_day >= ? AND paid_day <= ? GROUP BY 1 ORDER BY 1`
	}
	rows, err := s.ro.QueryContext(ctx, q, from.In(s.loc).Format("2006-01-02"), to.In(s.loc).Format("2006-01-02"))
	if err != nil {
		return nil, fmt.Errorf("store: commission report: %w", err)
	}
	defer rows.Close()
	var out []ReportRow
	for rows.Next() {
		var r ReportRow
		if err := rows.Scan(&r.Key, &r.Label, &r.Count, &r.Amount, &r.Fee, &r.Total, &r.Commission); err != nil {
			return nil, err
		}
		if by == ByRule {
			r.Key, _, _ = strings.Cut(r.Label, ":") // the rule's name
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Sum adds report rows up.
func Sum(rows []ReportRow) ReportRow {
	t := ReportRow{Key: "total"}
	for _, r := range rows {
		t.Count += r.Count
		t.Amount += r.Amount
		t.Fee += r.Fee
		t.Total += r.Total
		t.Commission += r.Commission
	}
	return t
}

// WriteCSV writes report rows with a header and a total line; amounts as
// 1234.56 so a spreadsheet reads them exactly.
func WriteCSV(w io.Writer, by GroupBy, rows []ReportRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{string(by), "name", "payments", "amount", "fee", "total", "commission"})
	for _, r := range append(rows, Sum(rows)) {
		_ = cw.Write([]string{r.Key, r.Label, strconv.Itoa(r.Count), r.Amount.String(), r.Fee.String(), r.Total.String(), r.Commission.String()})
	}
	cw.Flush()
	return cw.Error()
}
