package hub

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
)

// yearWorld is a partner ("north") with 500 points and a year of paid
// payments, 8 a point a day over 3 providers and 2 cashiers (1 460 000
// payments), written straight into the tables as the ingest would leave
// them, the daily and monthly summaries from the payments.
func yearWorld(b *testing.B) (*world, *User) {
	w := newWorld(b)
	ctx := context.Background()
	_, err := w.db.Exec(ctx, `
	    INSERT INTO points (id, partner, name, tz, key_serial, public_key, created_at)
	    SELECT 'Y' || i, 'north', 'Точка ' || i, 'Europe/Moscow', 0, p.public_key, now()
	    FROM generate_series(1, 500) i, (SELECT public_key FROM points WHERE id = 'P1') p`)
	require.NoError(b, err)
	_, err = w.db.Exec(ctx, `
	    INSERT INTO payments (point, session, provider, number, amount, fee, commission, cashier, shift, state, closed,
	        accepted_at, final_at, day, seq)
	    SELECT 'Y' || pt, 'S' || d || '-' || k, (ARRAY['mts', 'beeline', 'megafon'])[1 + k % 3], '916***4567',
	        10000 + (pt * 7 + d * 13 + k * 101) % 90000, 0, (10000 + (pt * 7 + d * 13 + k * 101) % 90000) * 3 / 100,
	        (ARRAY['kassir', 'petrova'])[1 + k % 2], d, 'paid', 'network',
	        timestamptz '2025-12-01 09:00+03' + d * interval '1 day', timestamptz '2025-12-01 09:01+03' + d * interval '1 day',
	        date '2025-12-01' + d, d * 8 + k + 1
	    FROM generate_series(1, 500) pt, generate_series(0, 364) d, generate_series(0, 7) k`)
	require.NoError(b, err)
	_, err = w.db.Exec(ctx, `
	    INSERT INTO summaries (point, day, provider, cashier, count, amount, fee, commission)
	    SELECT point, day, provider, cashier, count(*), sum(amount), sum(fee), sum(commission)
	    FROM payments WHERE point LIKE 'Y%' GROUP BY 1, 2, 3, 4;
	    INSERT INTO summaries_month (point, month, provider, cashier, count, amount, fee, commission)
	    SELECT point, date_trunc('month', day)::date, provider, cashier, sum(count), sum(amount), sum(fee), sum(commission)
	    FROM summaries WHERE point LIKE 'Y%' GROUP BY 1, 2, 3, 4;
	    ANALYZE`)
	require.NoError(b, err)
	require.NoError(b, w.hub.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "north"}, "ivan-secret"))
	u, err := w.hub.SignIn(ctx, "ivan", "ivan-secret")
	require.NoError(b, err)
	return w, u
}

// BenchmarkPartnerYear is a partner's commission over a year for 500
// points by point, from the summaries (what the page asks), against the
// same report summed from the raw payments ("from-payments").
func BenchmarkPartnerYear(b *testing.B) {
	w, u := yearWorld(b)
	ctx := context.Background()
	from, to := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	b.Run("summaries", func(b *testing.B) {
		for b.Loop() {
			rows, err := w.hub.Report(ctx, u, Query{From: from, To: to, By: ByPoint})
			require.NoError(b, err)
			require.Len(b, rows, 500)
		}
	})
	b.Run("from-payments", func(b *testing.B) {
		for b.Loop() {
			rows, err := w.db.Query(ctx, `SELECT s.point, count(*), sum(s.amount), sum(s.fee), sum(s.commission)
			    FROM payments s JOIN points p ON p.id = s.point
			    WHERE p.partner = $1 AND s.state = 'paid' AND s.day BETWEEN $2 AND $3 GROUP BY 1 ORDER BY 1`, u.Partner, from, to)
			require.NoError(b, err)
			n := 0
			for rows.Next() {
				n++
			}
			require.NoError(b, rows.Err())
			require.Equal(b, 500, n)
		}
	})
}

// TestWholeMonths: the months a period takes whole.
func TestWholeMonths(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	tests := []struct{ from, to, m1, m2 string }{
		{"2026-01-01", "2026-12-31", "2026-01-01", "2027-01-01"},
		{"2026-01-15", "2026-03-20", "2026-02-01", "2026-03-01"},
		{"2026-01-15", "2026-01-20", "2026-02-01", "2026-02-01"},
		{"2026-02-01", "2026-02-28", "2026-02-01", "2026-03-01"},
		{"2024-02-01", "2024-02-28", "2024-02-01", "2024-02-01"},
		{"2025-12-31", "2026-01-31", "2026-01-01", "2026-02-01"},
	}
	for _, tt := range tests {
		m1, m2 := wholeMonths(d(tt.from), d(tt.to))
		assert.Equal(t, tt.m1, m1.Format("2006-01-02"), "%s..%s", tt.from, tt.to)
		assert.Equal(t, tt.m2, m2.Format("2006-01-02"), "%s..%s", tt.from, tt.to)
	}
}

// TestReportAcrossMonths: a report over whole and partial months, by every
// grouping, equals the paid payments summed from the raw rows.
func TestReportAcrossMonths(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	require.NoError(t, w.hub.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "north"}, "ivan-secret"))
	u, err := w.hub.SignIn(ctx, "ivan", "ivan-secret")
	require.NoError(t, err)
	d := &desk{point: "P1", key: dealer}
	start := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	for i := range 120 {
		d.pay(session(i), []string{"mts", "beeline"}[i%2], []string{"kassir", "petrova"}[i%3%2], int64(1000+i*37),
			wire.Paid, wire.ByNetwork, start.Add(time.Duration(i)*37*time.Hour))
	}
	_, err = w.hub.Ingest(ctx, d.batch(t, 1, int64(len(d.log))))
	require.NoError(t, err)
	checkSummaries(t, w)
	for _, period := range [][2]string{{"2026-01-01", "2026-12-31"}, {"2026-01-15", "2026-05-20"}, {"2026-02-01", "2026-03-31"}, {"2026-03-03", "2026-03-09"}} {
		from, _ := time.Parse("2006-01-02", period[0])
		to, _ := time.Parse("2006-01-02", period[1])
		for _, by := range []Dim{ByPoint, ByProvider, ByDay, ByCashier} {
			rows, err := w.hub.Report(ctx, u, Query{From: from, To: to, By: by})
			require.NoError(t, err)
			var got, want [2]int64
			for _, r := range rows {
				got[0] += r.Count
				got[1] += int64(r.Amount)
			}
			require.NoError(t, w.db.QueryRow(ctx, `SELECT count(*), coalesce(sum(amount), 0) FROM payments
			    WHERE state = 'paid' AND day BETWEEN $1 AND $2`, from, to).Scan(&want[0], &want[1]))
			assert.Equal(t, want, got, "%s..%s by %s", period[0], period[1], by)
		}
	}
}
