package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paydesk/internal/clock"
	"paydesk/money"

	"golang.org/x/crypto/bcrypt"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	msk = time.FixedZone("MSK", 3*3600)
)

func open(t testing.TB, path string, c clock.Clock) *Store {
	t.Helper()
	s, err := Open(ctx, path, Options{Key: testKey, Clock: c, Location: msk, PINCost: bcrypt.MinCost})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func newStore(t testing.TB) (*Store, *clock.Fake) {
	c := clock.NewFake(t0)
	return open(t, filepath.Join(t.TempDir(), "paydesk.db"), c), c
}

func TestDurabilitySettings(t *testing.T) {
	s, _ := newStore(t)
	var mode string
	var sync, fk int
	require.NoError(t, s.rw.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.NoError(t, s.rw.QueryRow("PRAGMA synchronous").Scan(&sync))
	require.NoError(t, s.rw.QueryRow("PRAGMA foreign_keys").Scan(&fk))
	assert.Equal(t, "wal", mode)
	assert.Equal(t, 2, sync, "synchronous=FULL")
	assert.Equal(t, 1, fk)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, schemaVersion(), v)
	assert.GreaterOrEqual(t, v, 2)
	// The read-only pool cannot write.
	_, err = s.ro.Exec("INSERT INTO settings (key, value) VALUES ('x', 'y')")
	assert.Error(t, err)
}

// seed adds a cashier, an open shift and a paid payment.
func seed(t testing.TB, s *Store) (*Cashier, *Shift, *Payment) {
	c, err := s.AddCashier(ctx, "test", Cashier{Login: "anna", FullName: "Кассир Иванова А.А.", Role: RoleCashier}, "1234")
	require.NoError(t, err)
	sh, err := s.OpenShift(ctx, "anna", c.ID, Opening{Float: 1000_00, DeviceShift: 1, FloatDoc: -1})
	require.NoError(t, err)
	p := &Payment{CashierID: c.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9161234567",
		Amount: 100_00, Fee: 0, Total: 100_00, CommissionRate: 300, Commission: 3_00}
	require.NoError(t, s.CreatePayment(ctx, "anna", p))
	p.State = StatePaid
	require.NoError(t, s.UpdatePayment(ctx, "anna", "paid", p))
	return c, sh, p
}

func TestMigrationsFromEveryVersion(t *testing.T) {
	for from := 0; from < schemaVersion(); from++ {
		t.Run("from v"+string(rune('0'+from)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			c := clock.NewFake(t0)
			raw, err := sql.Open("sqlite3", dsn(path, false))
			require.NoError(t, err)
			raw.SetMaxOpenConns(1)
			old := &Store{path: path, rw: raw, clock: c, log: discard(), loc: msk}
			require.NoError(t, old.migrateTo(ctx, from))
			if from >= 1 {
				// Data written by the old schema.
				_, err = raw.Exec(`INSERT INTO cashiers (login, full_name, role, pin_hash, created_at) VALUES ('old', 'Old Cashier', 'cashier', 'x', 0);
					INSERT INTO shifts (opened_at, opened_by) VALUES (0, 1);
					INSERT INTO payments (session, shift_id, cashier_id, provider_code, provider_name, payer_id, amount, total, commission, state, created_at, resolved_at)
					VALUES ('S1', 1, 1, 'mts', 'МТС', '9161234567', 10000, 10000, 300, 'paid', 0, ?);
					INSERT INTO cash_ops (shift_id, cashier_id, kind, amount, at, fd) VALUES (1, 1, 'in', 5000, 0, 7)`, t0.UnixMilli())
				require.NoError(t, err)
			}
			if from >= 2 {
				// Version 2 code kept the summary with the payment.
				_, err = raw.Exec(`UPDATE payments SET paid_day = strftime('%Y-%m-%d', resolved_at / 1000, 'unixepoch', 'localtime');
					INSERT INTO paid_summary (day, provider_code, cashier_id, shift_id, count, amount, fee, total, commission)
					SELECT paid_day, provider_code, cashier_id, shift_id, 1, amount, fee, total, commission FROM payments`)
				require.NoError(t, err)
			}
			if from >= sealVersion { // books of a sealing PayDesk are sealed
				old.keys(testKey)
				require.NoError(t, old.sealAll(ctx))
			}
			require.NoError(t, raw.Close())
			s := open(t, path, c)
			v, err := s.Version(ctx)
			require.NoError(t, err)
			assert.Equal(t, schemaVersion(), v)
			if from >= 1 {
				rows, err := s.Commission(ctx, t0.Add(-48*time.Hour), t0.Add(48*time.Hour), ByProvider)
				require.NoError(t, err)
				require.Len(t, rows, 1)
				assert.Equal(t, money.Amount(300), rows[0].Commission, "old payments reach the summary")
				sh, err := s.ShiftByID(ctx, 1)
				require.NoError(t, err)
				tot, err := s.ShiftTotals(ctx, sh)
				require.NoError(t, err)
				assert.Equal(t, money.Amount(5000), tot.CashIn, "old cash operations count as done")
			}
		})
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestNewerDatabaseRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	s := open(t, path, clock.Real{})
	_, err := s.rw.Exec("PRAGMA user_version = 99")
	require.NoError(t, err)
	s.Close()
	_, err = Open(ctx, path, Options{Key: testKey})
	assert.ErrorContains(t, err, "newer than this PayDesk")
}

func TestCashiersAndLockout(t *testing.T) {
	s, c := newStore(t)
	_, err := s.AddCashier(ctx, "admin", Cashier{Login: "anna", FullName: "Анна", Role: RoleCashier}, "12a4")
	assert.ErrorIs(t, err, ErrWeakPIN)
	_, err = s.AddCashier(ctx, "admin", Cashier{Login: "anna", FullName: "Анна", Role: "boss"}, "1234")
	assert.Error(t, err)
	anna, err := s.AddCashier(ctx, "admin", Cashier{Login: "anna", FullName: "Анна", Role: RoleCashier}, "1234")
	require.NoError(t, err)
	_, err = s.AddCashier(ctx, "admin", Cashier{Login: "anna", FullName: "Другая", Role: RoleCashier}, "1234")
	assert.ErrorContains(t, err, "taken")

	got, err := s.Authenticate(ctx, "anna", "1234")
	require.NoError(t, err)
	assert.Equal(t, anna.ID, got.ID)
	// An unknown login is answered as a known one with a wrong PIN.
	for i := 1; i <= MaxPINFailures; i++ {
		_, err = s.Authenticate(ctx, "nobody", "1234")
		_, known := s.Authenticate(ctx, "anna", "0000")
		var pe, pk *PINError
		require.ErrorAs(t, err, &pe)
		require.ErrorAs(t, known, &pk)
		assert.Equal(t, pk.Err, pe.Err, "attempt %d", i)
		assert.Equal(t, pk.AttemptsRem, pe.AttemptsRem, "attempt %d", i)
	}
	c.Advance(LockoutTime)
	_, err = s.Authenticate(ctx, "anna", "1234")
	require.NoError(t, err)

	for i := 1; i < MaxPINFailures; i++ {
		_, err = s.Authenticate(ctx, "anna", "0000")
		var pe *PINError
		require.ErrorAs(t, err, &pe)
		assert.ErrorIs(t, err, ErrBadPIN)
		assert.Equal(t, MaxPINFailures-i, pe.AttemptsRem)
	}
	_, err = s.Authenticate(ctx, "anna", "0000")
	assert.ErrorIs(t, err, ErrLocked)
	_, err = s.Authenticate(ctx, "anna", "1234")
	assert.ErrorIs(t, err, ErrLocked, "the right PIN does not open a lock")
	c.Advance(LockoutTime)
	_, err = s.Authenticate(ctx, "anna", "1234")
	require.NoError(t, err)
	// A success resets the count.
	_, err = s.Authenticate(ctx, "anna", "0000")
	var pe *PINError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, MaxPINFailures-1, pe.AttemptsRem)
	n, err := s.VerifyAudit(ctx)
	require.NoError(t, err)
	assert.Greater(t, n, 5, "sign-ins are audited")
}

func TestSessionsUnique(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "paydesk.db")
	c := clock.NewFake(t0)
	s := open(t, path, c)
	seen := map[string]bool{}
	issue := func(s *Store, n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			sess, err := s.NewSession(ctx)
			require.NoError(t, err)
			require.Len(t, sess, 20)
			require.Regexp(t, `^[0-9A-Z]{20}$`, sess)
			require.False(t, seen[sess], "session %s issued twice", sess)
			seen[sess] = true
			out = append(out, sess)
		}
		return out
	}
	issue(s, 50) // same second: the sequence makes them differ
	c.Set(t0.Add(-time.Hour))
	later := issue(s, 5) // the clock went back: never below the last one
	assert.Equal(t, "2611260900", later[0][:10])

	// A backup restored later, or a reinstall, still issues new values.
	backup := filepath.Join(dir, "backup.db")
	require.NoError(t, s.Backup(ctx, backup))
	c.Set(t0.Add(time.Hour))
	issue(s, 10)
	s.Close()
	require.NoError(t, os.Rename(backup, path))
	s2 := open(t, path, c)
	c.Advance(time.Second)
	issue(s2, 10)
	fresh := open(t, filepath.Join(dir, "reinstalled.db"), c)
	issue(fresh, 10)
}

func TestShiftsAndCash(t *testing.T) {
	s, _ := newStore(t)
	anna, sh, _ := seed(t, s)
	_, err := s.OpenShift(ctx, "anna", anna.ID, Opening{DeviceShift: 2, FloatDoc: -1})
	assert.ErrorIs(t, err, ErrShiftOpen)

	require.NoError(t, s.CashOp(ctx, "anna", anna.ID, "in", 500_00, 3))
	require.NoError(t, s.CashOp(ctx, "anna", anna.ID, "out", 200_00, 4))
	assert.ErrorIs(t, s.CashOp(ctx, "anna", anna.ID, "out", 100000_00, 5), ErrNotEnoughIn)
	assert.ErrorIs(t, s.CashOp(ctx, "anna", anna.ID, "in", 0, 5), ErrBadCashOp)

	// A pending payment's cash is in the drawer too; a refused one is not.
	pend := &Payment{CashierID: anna.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9160000000", Amount: 50_00, Total: 50_00}
	require.NoError(t, s.CreatePayment(ctx, "anna", pend))
	pend.State, pend.PaySentAt = StateUnknown, t0
	require.NoError(t, s.UpdatePayment(ctx, "anna", "unknown", pend))
	ref := &Payment{CashierID: anna.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9160000001", Amount: 70_00, Total: 70_00}
	require.NoError(t, s.CreatePayment(ctx, "anna", ref))
	ref.State = StateRefused
	require.NoError(t, s.UpdatePayment(ctx, "anna", "refused", ref))

	tot, err := s.ShiftTotals(ctx, sh)
	require.NoError(t, err)
	assert.Equal(t, 1, tot.Payments)
	assert.Equal(t, 1, tot.Pending)
	assert.Equal(t, money.Amount(1000_00+100_00+50_00+500_00-200_00), tot.Expected)

	closed, _, err := s.CloseShift(ctx, "anna", anna.ID, 1440_00)
	require.NoError(t, err)
	assert.Equal(t, money.Amount(1450_00), closed.Expected)
	assert.Equal(t, money.Amount(-10_00), closed.Difference)
	_, err = s.CurrentShift(ctx)
	assert.ErrorIs(t, err, ErrNoShift)
	assert.ErrorIs(t, s.CreatePayment(ctx, "anna", &Payment{CashierID: anna.ID}), ErrNoShift)
	assert.ErrorIs(t, s.CashOp(ctx, "anna", anna.ID, "in", 1, 0), ErrNoShift)
}

func TestPaymentRules(t *testing.T) {
	s, _ := newStore(t)
	anna, _, paid := seed(t, s)
	p := &Payment{CashierID: anna.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9161112233", Amount: 10_00, Total: 10_00}
	require.NoError(t, s.CreatePayment(ctx, "anna", p))
	// Before pay the session may be renewed (a re-check after the hour).
	p.Session = "NEWSESSION0000000001"
	require.NoError(t, s.UpdatePayment(ctx, "anna", "recheck", p))
	p.State, p.PaySentAt = StatePaySent, t0
	require.NoError(t, s.UpdatePayment(ctx, "anna", "pay_sent", p))

	// The store keeps what the till decides (the till's table is the rule):
	// a payment leaving the kept states is taken out of the report summary
	// of the day it was added to, and back in when it returns.
	day := func() ReportRow {
		rows, err := s.Commission(ctx, t0.Add(-48*time.Hour), t0.Add(48*time.Hour), ByProvider)
		require.NoError(t, err)
		return Sum(rows)
	}
	require.Equal(t, 1, day().Count)
	paid.State = StateFailed
	require.NoError(t, s.UpdatePayment(ctx, "anna", "failed", paid))
	assert.Equal(t, 0, day().Count)
	assert.Equal(t, money.Amount(0), day().Commission)
	paid.State = StateAccepted
	require.NoError(t, s.UpdatePayment(ctx, "anna", "x", paid))
	assert.Equal(t, money.Amount(3_00), day().Commission)
	paid.State = StatePaid
	require.NoError(t, s.UpdatePayment(ctx, "anna", "paid", paid))
	assert.Equal(t, 1, day().Count, "accepted then paid counts once")

	got, err := s.PaymentBySession(ctx, "NEWSESSION0000000001")
	require.NoError(t, err)
	assert.Equal(t, StatePaySent, got.State)
	assert.Equal(t, int64(-1), got.FiscalBefore)
	pending, err := s.PendingPayments(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, p.ID, pending[0].ID)

	hist, err := s.Payments(ctx, Filter{Payer: "1112"})
	require.NoError(t, err)
	require.Len(t, hist, 1)
	hist, err = s.Payments(ctx, Filter{State: StatePaid})
	require.NoError(t, err)
	require.Len(t, hist, 1)

	require.NoError(t, s.AddReceipt(ctx, paid.ID, "slip", "ЧЕК\nСОХРАНЯЙТЕ ЧЕК"))
	rs, err := s.Receipts(ctx, paid.ID)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "ЧЕК\nСОХРАНЯЙТЕ ЧЕК", rs[0].Text)
}

func TestCommissionReportReconciles(t *testing.T) {
	s, c := newStore(t)
	anna, _, _ := seed(t, s)
	boris, err := s.AddCashier(ctx, "admin", Cashier{Login: "boris", FullName: "Борис", Role: RoleManager}, "567890")
	require.NoError(t, err)
	amounts := []money.Amount{1717, 1650, 33333, 15000_00, 10_00, 99_99}
	var want money.Amount
	for i, a := range amounts {
		c.Advance(7 * time.Hour) // across days
		who := anna.ID
		if i%2 == 1 {
			who = boris.ID
		}
		rate := money.Rate(300)
		p := &Payment{CashierID: who, ProviderCode: []string{"mts", "beeline"}[i%2], ProviderName: "X", PayerID: "9160000000",
			Amount: a, Total: a, CommissionRate: rate, Commission: rate.Of(a)}
		require.NoError(t, s.CreatePayment(ctx, "x", p))
		p.State = StatePaid
		require.NoError(t, s.UpdatePayment(ctx, "x", "paid", p))
		want += rate.Of(a)
	}
	want += 3_00 // the seeded payment
	from, to := t0.Add(-24*time.Hour), t0.Add(30*24*time.Hour)
	var direct money.Amount
	require.NoError(t, s.rw.QueryRow("SELECT sum(commission) FROM payments WHERE state = 'paid'").Scan(&direct))
	assert.Equal(t, want, direct)
	for _, by := range []GroupBy{ByDay, ByProvider, ByCashier, ByShift} {
		rows, err := s.Commission(ctx, from, to, by)
		require.NoError(t, err)
		tot := Sum(rows)
		assert.Equal(t, want, tot.Commission, by)
		assert.Equal(t, len(amounts)+1, tot.Count, by)
	}
	rows, err := s.Commission(ctx, from, to, ByCashier)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "anna", rows[0].Key)
	assert.Equal(t, "Борис", rows[1].Label)
	_, err = s.Commission(ctx, from, to, "weekday")
	assert.Error(t, err)

	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, ByCashier, rows))
	assert.Contains(t, buf.String(), "cashier,name,payments,amount,fee,total,commission\n")
	assert.Contains(t, buf.String(), "total,,7,")
}

func TestAuditChain(t *testing.T) {
	s, _ := newStore(t)
	seed(t, s)
	require.NoError(t, s.SetSetting(ctx, "admin", "point.name", "Салон связи"))
	v, err := s.Setting(ctx, "point.name")
	require.NoError(t, err)
	assert.Equal(t, "Салон связи", v)
	n, err := s.VerifyAudit(ctx)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 5)

	tests := map[string]string{
		"edited":   "UPDATE audit SET detail = 'changed' WHERE id = 2",
		"deleted":  "DELETE FROM audit WHERE id = 3",
		"tail cut": "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)",
		"appended": "INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash) SELECT max(id)+1, 0, 'x', 'y', 'z', hash, 'h' FROM audit WHERE id = (SELECT max(id) FROM audit)",
	}
	for name, q := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t)
			seed(t, s)
			_, err := s.rw.Exec(q)
			require.NoError(t, err)
			_, err = s.VerifyAudit(ctx)
			assert.True(t, errors.Is(err, ErrAuditBroken), "%v", err)
		})
	}
}

func TestBackupAndIntegrity(t *testing.T) {
	s, c := newStore(t)
	seed(t, s)
	dst := filepath.Join(t.TempDir(), "copy.db")
	require.NoError(t, s.Backup(ctx, dst))
	assert.Error(t, s.Backup(ctx, dst), "an existing file is not overwritten")
	cp := open(t, dst, c)
	require.NoError(t, cp.IntegrityCheck(ctx))
	ps, err := cp.Payments(ctx, Filter{})
	require.NoError(t, err)
	assert.Len(t, ps, 1)
	_, err = cp.VerifyAudit(ctx)
	require.NoError(t, err)

	// A damaged file is refused on open.
	bad := filepath.Join(t.TempDir(), "bad.db")
	require.NoError(t, os.WriteFile(bad, bytes.Repeat([]byte("garbage!"), 1024), 0o600))
	_, err = Open(ctx, bad, Options{Key: testKey})
	assert.Error(t, err)
}

func TestOneTillPerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paydesk.db")
	s := open(t, path, clock.Real{})
	_, err := Open(ctx, path, Options{Key: testKey})
	assert.ErrorIs(t, err, ErrInUse)
	require.NoError(t, s.Close())
	again, err := Open(ctx, path, Options{Key: testKey})
	require.NoError(t, err, "closing releases the lock")
	again.Close()
}

func TestCashOpTwoPhase(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"), clock.NewFake(t0))
	anna, sh, _ := seed(t, s)
	in, err := s.BeginCashOp(ctx, "anna", anna.ID, "in", 300_00, 41)
	require.NoError(t, err)
	out, err := s.BeginCashOp(ctx, "anna", anna.ID, "out", 50_00, 42)
	require.NoError(t, err)
	fl, err := s.BeginCashOp(ctx, "anna", anna.ID, "float", 1000_00, 43)
	require.NoError(t, err)
	started, err := s.StartedCashOps(ctx)
	require.NoError(t, err)
	assert.Len(t, started, 3, "started operations are found after a crash")
	tot, err := s.ShiftTotals(ctx, sh)
	require.NoError(t, err)
	assert.Equal(t, money.Amount(0), tot.CashIn+tot.CashOut, "started operations do not count yet")
	require.NoError(t, s.FinishCashOp(ctx, "anna", in.ID, true, 44))
	require.NoError(t, s.FinishCashOp(ctx, "anna", out.ID, false, 0))
	require.NoError(t, s.FinishCashOp(ctx, "anna", fl.ID, true, 45))
	assert.ErrorIs(t, s.FinishCashOp(ctx, "anna", in.ID, true, 46), ErrNotFound, "finished once only")
	tot, err = s.ShiftTotals(ctx, sh)
	require.NoError(t, err)
	assert.Equal(t, money.Amount(300_00), tot.CashIn)
	assert.Equal(t, money.Amount(0), tot.CashOut, "a void operation does not count")
	assert.Equal(t, money.Amount(1000_00+100_00+300_00), tot.Expected, "the float counts once, from the shift")
	ops, err := s.CashOps(ctx, sh.ID)
	require.NoError(t, err)
	require.Len(t, ops, 3)
	assert.Equal(t, []string{"done", "void", "done"}, []string{ops[0].State, ops[1].State, ops[2].State})
	assert.Equal(t, 44, ops[0].FD)
	assert.Equal(t, 41, ops[0].DocBefore)
	_, err = s.VerifyAudit(ctx)
	require.NoError(t, err)
}

// TestUpdateIsCompareAndSet: two actors hold copies of one payment; the
// second to write a step decided on the old row is refused and changes
// nothing, while a copy read again writes.
func TestUpdateIsCompareAndSet(t *testing.T) {
	s, _ := newStore(t)
	anna, _, _ := seed(t, s)
	p := &Payment{CashierID: anna.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9161112233", Amount: 10_00, Total: 10_00}
	require.NoError(t, s.CreatePayment(ctx, "anna", p))
	p.State, p.PaySentAt = StatePaySent, t0
	require.NoError(t, s.UpdatePayment(ctx, "anna", "pay_sent", p))
	assert.Equal(t, int64(1), p.Version)

	cashier, resolver := *p, *p
	cashier.State, cashier.FiscalState = StatePaid, FiscalQueued
	require.NoError(t, s.UpdatePayment(ctx, "anna", "paid", &cashier))
	audit, err := s.VerifyAudit(ctx)
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		state State
	}{{"the same outcome", StatePaid}, {"another outcome", StateNotPaid}, {"still open", StateUnknown}} {
		t.Run(tc.name, func(t *testing.T) {
			stale := resolver
			stale.State, stale.ErrorCode = tc.state, 11
			err := s.UpdatePayment(ctx, "resolver", "x", &stale)
			require.ErrorIs(t, err, ErrConflict)
			assert.Equal(t, int64(1), stale.Version, "a refused write keeps the copy's version")
			got, err := s.Payment(ctx, p.ID)
			require.NoError(t, err)
			assert.Equal(t, StatePaid, got.State)
			assert.Equal(t, 0, got.ErrorCode)
			assert.Equal(t, int64(2), got.Version)
			n, err := s.VerifyAudit(ctx)
			require.NoError(t, err)
			assert.Equal(t, audit, n, "no audit row for a refused step")
		})
	}
	rows, err := s.Commission(ctx, time.Time{}, t0.Add(240*time.Hour), ByProvider)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, 2, rows[0].Count, "seed's payment and this one, each summed once")
	fresh, err := s.Payment(ctx, p.ID)
	require.NoError(t, err)
	fresh.FiscalState = FiscalStarted
	require.NoError(t, s.UpdatePayment(ctx, "till", "receipt_started", fresh))
	assert.Equal(t, int64(3), fresh.Version)
}

// schemaVersion is the version the binary's migrations reach.
func schemaVersion() int {
	m, _ := migrations()
	return len(m)
}

// testKey seals the books of the tests.
var testKey = []byte("paydesk store tests: books key..")

// TestFullDisk fills the database's room (max_page_count, SQLite's own
// "database or disk is full"): the write is refused as ErrFull, nothing of
// it is kept, and the books still verify.
func TestFullDisk(t *testing.T) {
	s, _ := newStore(t)
	var pages int
	require.NoError(t, s.rw.QueryRow("PRAGMA page_count").Scan(&pages))
	_, err := s.rw.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	require.NoError(t, err)
	before, err := s.Setting(ctx, "big")
	require.NoError(t, err)
	err = s.SetSetting(ctx, "test", "big", strings.Repeat("x", 64<<10))
	require.ErrorIs(t, err, ErrFull)
	after, err := s.Setting(ctx, "big")
	require.NoError(t, err)
	assert.Equal(t, before, after, "nothing kept")
	_, err = s.VerifySeal(ctx)
	require.NoError(t, err)
}
