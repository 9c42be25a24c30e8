package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"paydesk/internal/clock"

	"github.com/stretchr/testify/require"
)

// BenchmarkDurablePayment is one payment through the store as the till
// writes it: created, then marked paid (two fsynced transactions, audit
// rows and the report summary included).
func BenchmarkDurablePayment(b *testing.B) {
	s, _ := newStore(b)
	anna, _, _ := seed(b, s)
	b.ResetTimer()
	for b.Loop() {
		p := &Payment{CashierID: anna.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9161234567", Amount: 100_00, Total: 100_00, Commission: 3_00}
		if err := s.CreatePayment(ctx, "anna", p); err != nil {
			b.Fatal(err)
		}
		p.State = StatePaid
		if err := s.UpdatePayment(ctx, "anna", "paid", p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawDurableInsert is the floor: two bare one-row transactions
// with the same durability (WAL, synchronous=FULL), per payment.
func BenchmarkRawDurableInsert(b *testing.B) {
	db, err := sql.Open("sqlite3", dsn(filepath.Join(b.TempDir(), "raw.db"), false))
	require.NoError(b, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, session TEXT, state TEXT, amount INTEGER)")
	require.NoError(b, err)
	b.ResetTimer()
	for b.Loop() {
		res, err := db.Exec("INSERT INTO t (session, state, amount) VALUES ('S', 'entered', 10000)")
		if err != nil {
			b.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := db.Exec("UPDATE t SET state = 'paid' WHERE id = ?", id); err != nil {
			b.Fatal(err)
		}
	}
}

// fill writes n paid payments spread over a year, and their summary, in
// one transaction.
func fill(b *testing.B, s *Store, n int) {
	b.Helper()
	_, err := s.rw.Exec(`
	INSERT INTO cashiers (login, full_name, role, pin_hash, created_at) VALUES ('c1', 'C1', 'cashier', 'x', 0), ('c2', 'C2', 'cashier', 'x', 0), ('c3', 'C3', 'manager', 'x', 0);
	INSERT INTO shifts (opened_at, opened_by, closed_at) VALUES (0, 1, 1);`)
	require.NoError(b, err)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	_, err = s.rw.Exec(`
	WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
	INSERT INTO payments (session, shift_id, cashier_id, provider_code, provider_name, payer_id, amount, total, commission_rate, commission, state, created_at, resolved_at, paid_day, fiscal_state)
	SELECT printf('B%019d', i), 1, 1 + i % 3, 'p' || (i % 9), 'Provider ' || (i % 9), printf('9%09d', i), 1000 + i % 50000, 1000 + i % 50000, 300,
	       ((1000 + i % 50000) * 300 + 5000) / 10000, 'paid', ? + i * 31536, ? + i * 31536,
	       strftime('%Y-%m-%d', (? + i * 31536) / 1000, 'unixepoch', '+3 hours'), 'done'
	FROM seq`, n, start, start, start)
	require.NoError(b, err)
	_, err = s.rw.Exec(`INSERT INTO paid_summary (day, provider_code, cashier_id, shift_id, count, amount, fee, total, commission)
	SELECT paid_day, provider_code, cashier_id, shift_id, count(*), sum(amount), sum(fee), sum(total), sum(commission) FROM payments GROUP BY 1, 2, 3, 4`)
	require.NoError(b, err)
}

// BenchmarkCommissionReport1M is the commission report for a whole year of
// one million payments, grouped by provider, day and cashier.
func BenchmarkCommissionReport1M(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "big.db"), clock.Real{})
	fill(b, s, 1_000_000)
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, msk), time.Date(2027, 1, 2, 0, 0, 0, 0, msk)
	var direct int64
	require.NoError(b, s.rw.QueryRow("SELECT sum(commission) FROM payments").Scan(&direct))
	for _, by := range []GroupBy{ByProvider, ByDay, ByCashier} {
		b.Run(string(by), func(b *testing.B) {
			for b.Loop() {
				rows, err := s.Commission(ctx, from, to, by)
				if err != nil {
					b.Fatal(err)
				}
				if int64(Sum(rows).Commission) != direct {
					b.Fatalf("report %v does not reconcile with the payments %v", Sum(rows).Commission, direct)
				}
			}
		})
	}
	// The reference: the same report summed from the payments themselves,
	// as it would be without the summary table.
	b.Run("from-payments", func(b *testing.B) {
		for b.Loop() {
			rows, err := s.ro.QueryContext(ctx, `SELECT provider_code, count(*), sum(amount), sum(fee), sum(total), sum(commission)
				FROM payments WHERE state = 'paid' AND resolved_at >= ? AND resolved_at < ? GROUP BY 1 ORDER BY 1`, from.UnixMilli(), to.UnixMilli())
			if err != nil {
				b.Fatal(err)
			}
			var sum int64
			for rows.Next() {
				var r ReportRow
				if err := rows.Scan(&r.Key, &r.Count, &r.Amount, &r.Fee, &r.Total, &r.Commission); err != nil {
					b.Fatal(err)
				}
				sum += int64(r.Commission)
			}
			rows.Close()
			if sum != direct {
				b.Fatalf("scan %v does not reconcile with the payments %v", sum, direct)
			}
		}
	})
}

// BenchmarkVerifySeal is the check every start makes: every row of books
// holding 10 000 paid payments (with their audit rows and summaries)
// against its seal, and the tables against the head.
func BenchmarkVerifySeal(b *testing.B) {
	s, _ := newStore(b)
	anna, _, _ := seed(b, s)
	for range 10_000 {
		p := &Payment{CashierID: anna.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9161234567", Amount: 100_00, Total: 100_00, Commission: 3_00}
		if err := s.CreatePayment(ctx, "anna", p); err != nil {
			b.Fatal(err)
		}
		p.State = StatePaid
		if err := s.UpdatePayment(ctx, "anna", "paid", p); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := s.VerifySeal(ctx)
		if err != nil || rep.Rows["payments"] < 10_000 {
			b.Fatal(rep, err)
		}
	}
}
