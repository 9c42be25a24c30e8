package store

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
)

// sealedBooks writes books with every kind of row the seal covers and
// returns their file, closed.
func sealedBooks(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "paydesk.db")
	c := clock.NewFake(t0)
	s := open(t, path, c)
	anna, err := s.AddCashier(ctx, "test", Cashier{Login: "anna", FullName: "Кассир Иванова А.А.", Role: RoleCashier}, "1234")
	require.NoError(t, err)
	_, err = s.OpenShift(ctx, "anna", anna.ID, Opening{Float: 1000_00, DeviceShift: 1, FloatDoc: 3})
	require.NoError(t, err)
	paid := &Payment{CashierID: anna.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9161234567",
		Amount: 100_00, Total: 100_00, CommissionRate: 300, Commission: 3_00}
	require.NoError(t, s.CreatePayment(ctx, "anna", paid))
	paid.State = StatePaid
	require.NoError(t, s.UpdatePayment(ctx, "anna", "paid", paid))
	_, err = s.AddCashier(ctx, "test", Cashier{Login: "boss", FullName: "Управляющий", Role: RoleAdmin}, "246810")
	require.NoError(t, err)
	_, err = s.AddCashier(ctx, "test", Cashier{Login: "vera", FullName: "Вера", Role: RoleCashier}, "4321")
	require.NoError(t, err)
	for range MaxPINFailures { // vera is locked out
		_, _ = s.Authenticate(ctx, "vera", "0000")
	}
	cancelled := &Payment{CashierID: anna.ID, ProviderCode: "beeline", ProviderName: "Билайн", PayerID: "9031112233",
		Amount: 50_00, Total: 50_00, CommissionRate: 300, Commission: 1_50}
	require.NoError(t, s.CreatePayment(ctx, "anna", cancelled))
	cancelled.State = StateCancelled
	require.NoError(t, s.UpdatePayment(ctx, "anna", "cancelled", cancelled, Answer{Op: "check", Error: 7, Result: 1}))
	require.NoError(t, s.AddReceipt(ctx, paid.ID, "fiscal", "КАССОВЫЙ ЧЕК\nИТОГ =100.00\n"))
	require.NoError(t, s.CashOp(ctx, "anna", anna.ID, "out", 200_00, 12))
	require.NoError(t, s.SetSetting(ctx, "boss", "commission", "3%"))
	_, err = s.NewSession(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return path
}

// raw opens books with plain SQL, as an attacker with sqlite3 would.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, false))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func copyBooks(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	to := filepath.Join(t.TempDir(), "paydesk.db")
	require.NoError(t, os.WriteFile(to, b, 0o600))
	return to
}

// TestSealCatchesEveryEdit edits the books in each way an attacker with the
// file would, a script recomputing the plain audit chain included: Open
// refuses every one, and VerifySeal beside it names the same row.
func TestSealCatchesEveryEdit(t *testing.T) {
	path := sealedBooks(t)
	tests := []struct {
		name  string
		edit  []string
		what  string
		table string
		row   int64
	}{
		{"amount changed", []string{"UPDATE payments SET amount = 1000000, total = 1000000 WHERE id = 1"}, SealChanged, "payments", 1},
		{"payment deleted", []string{"DELETE FROM answers WHERE payment_id = 2", "DELETE FROM payments WHERE id = 2"}, SealMissing, "payments", 0},
		{"state set to cancelled", []string{"UPDATE payments SET state = 'cancelled' WHERE id = 1"}, SealChanged, "payments", 1},
		{"payer changed", []string{"UPDATE payments SET payer_id = '9990000000' WHERE id = 1"}, SealChanged, "payments", 1},
		{"float changed", []string{"UPDATE shifts SET opening_float = 1 WHERE id = 1"}, SealChanged, "shifts", 1},
		{"float op changed", []string{"UPDATE cash_ops SET amount = 1 WHERE kind = 'float'"}, SealChanged, "cash_ops", 1},
		{"cash-out invented", []string{"INSERT INTO cash_ops (shift_id, cashier_id, kind, amount, at, fd) VALUES (1, 1, 'out', 500000, 0, 0)"}, SealUnsealed, "cash_ops", 3},
		{"role set to admin", []string{"UPDATE cashiers SET role = 'admin' WHERE login = 'anna'"}, SealChanged, "cashiers", 1},
		{"PIN hash copied", []string{"UPDATE cashiers SET pin_hash = (SELECT pin_hash FROM cashiers WHERE login = 'anna') WHERE login = 'boss'"}, SealChanged, "cashiers", 2},
		{"lock cleared", []string{"UPDATE cashiers SET failed_pins = 0, locked_until = 0 WHERE login = 'vera'"}, SealChanged, "cashiers", 3},
		{"receipt text changed", []string{"UPDATE receipts SET text = 'КАССОВЫЙ ЧЕК\nИТОГ =10.00\n'"}, SealChanged, "receipts", 1},
		{"setting changed", []string{"UPDATE settings SET value = '0%'"}, SealChanged, "settings", 1},
		{"session counter rewound", []string{"UPDATE meta SET value = '0' WHERE key = 'last_session'"}, SealChanged, "meta", 0},
		{"summary edited", []string{"UPDATE paid_summary SET commission = 0"}, SealChanged, "paid_summary", 1},
		{"answer edited", []string{"UPDATE answers SET error = 0 WHERE id = 1"}, SealChanged, "answers", 1},
		{"audit text changed", []string{"UPDATE audit SET detail = 'nothing' WHERE id = 2"}, SealChanged, "audit", 2},
		{"audit rows deleted", []string{"DELETE FROM audit WHERE id > 3"}, SealMissing, "audit", 0},
		{"audit rows swapped", []string{"UPDATE audit SET id = -1 WHERE id = 2", "UPDATE audit SET id = 2 WHERE id = 3", "UPDATE audit SET id = 3 WHERE id = -1"}, SealChanged, "audit", 2},
		{"audit wiped", []string{"DELETE FROM audit"}, SealMissing, "audit", 0},
		{"a seal copied from another row", []string{"UPDATE payments SET seal = (SELECT seal FROM payments WHERE id = 2), amount = 50 WHERE id = 1"}, SealChanged, "payments", 1},
		{"head removed", []string{"DELETE FROM meta WHERE key = 'seal'"}, SealHead, "", 0},
		{"head edited", []string{"UPDATE meta SET value = replace(value, 'payments=2', 'payments=1') WHERE key = 'seal'"}, SealHead, "", 0},
		{"everything unsealed", []string{"UPDATE payments SET seal = ''"}, SealUnsealed, "payments", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := copyBooks(t, path)
			db := raw(t, p)
			for _, q := range tt.edit {
				_, err := db.Exec(q)
				require.NoError(t, err, q)
			}
			require.NoError(t, db.Close())
			assertBroken(t, p, tt.what, tt.table, tt.row)
		})
	}
}

func assertBroken(t *testing.T, path, what, table string, row int64) {
	t.Helper()
	_, err := Open(ctx, path, Options{Key: testKey})
	require.ErrorIs(t, err, ErrSealBroken)
	var se *SealError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, what, se.What, err.Error())
	assert.Equal(t, table, se.Table, err.Error())
	if row != 0 {
		assert.Equal(t, row, se.Row, err.Error())
	}
	ro, err := OpenReadOnly(ctx, path, Options{Key: testKey})
	require.NoError(t, err)
	defer ro.Close()
	_, verr := ro.VerifySeal(ctx)
	var se2 *SealError
	require.ErrorAs(t, verr, &se2)
	assert.Equal(t, *se, *se2)
}

// TestSealForgedChain deletes a payment and recomputes the plain audit chain
// and its head, as a script that knows the SHA-256 chain would: the seal
// still names the deleted row's table.
func TestSealForgedChain(t *testing.T) {
	p := copyBooks(t, sealedBooks(t))
	db := raw(t, p)
	_, err := db.Exec("DELETE FROM answers WHERE payment_id = 2; DELETE FROM payments WHERE id = 2; DELETE FROM audit WHERE detail LIKE '%beeline%' OR detail LIKE '%9031112233%'")
	require.NoError(t, err)
	rows, err := db.Query("SELECT id, at, actor, action, detail FROM audit ORDER BY id")
	require.NoError(t, err)
	type row struct {
		id, at                int64
		actor, action, detail string
	}
	var all []row
	for rows.Next() {
		var r row
		require.NoError(t, rows.Scan(&r.id, &r.at, &r.actor, &r.action, &r.detail))
		all = append(all, r)
	}
	rows.Close()
	_, err = db.Exec("DELETE FROM audit")
	require.NoError(t, err)
	prev := genesis
	for i, r := range all {
		id := int64(i + 1)
		h := auditHash(id, r.at, r.actor, r.action, r.detail, prev)
		_, err := db.Exec("INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)", id, r.at, r.actor, r.action, r.detail, prev, h)
		require.NoError(t, err)
		prev = h
		_, err = db.Exec("UPDATE meta SET value = ? WHERE key = 'audit_head'", fmt.Sprintf("%d:%s", id, h))
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	ro, err := OpenReadOnly(ctx, p, Options{Key: testKey})
	require.NoError(t, err)
	_, err = ro.VerifyAudit(ctx)
	assert.NoError(t, err, "the plain chain was forged well")
	ro.Close()
	// The audit's head record in meta is the first row that does not fit.
	assertBroken(t, p, SealChanged, "meta", 0)
}

// TestSealOlderRowPutBack restores a payment row, seal and all, as it was
// before its last change: each row fits its own seal, the head does not.
func TestSealOlderRowPutBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paydesk.db")
	s := open(t, path, clock.NewFake(t0))
	_, _, p := seed(t, s)
	var amount int64
	var state, seal string
	require.NoError(t, s.rw.QueryRow("SELECT amount, state, seal FROM payments WHERE id = ?", p.ID).Scan(&amount, &state, &seal))
	p.State = StateFailed
	require.NoError(t, s.UpdatePayment(ctx, "anna", "failed", p))
	rep, err := s.VerifySeal(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Rows["payments"])
	var version int64
	require.NoError(t, s.rw.QueryRow("SELECT version FROM payments WHERE id = ?", p.ID).Scan(&version))
	require.NoError(t, s.Close())

	db := raw(t, path)
	_, err = db.Exec("UPDATE payments SET state = ?, seal = ?, version = ? WHERE id = ?", state, seal, version-1, p.ID)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	// Every row fits its seal but the table does not add up to the head.
	_, err = Open(ctx, path, Options{Key: testKey})
	var se *SealError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, []string{SealMissing, SealChanged}, se.What)
	assert.Equal(t, "payments", se.Table)
}

// TestSealOtherKey refuses books sealed under another point's key, and
// opens them read-only without checking when no key is given.
func TestSealOtherKey(t *testing.T) {
	path := sealedBooks(t)
	other := sha256.Sum256([]byte("another point"))
	_, err := Open(ctx, path, Options{Key: other[:]})
	var se *SealError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, SealOtherKey, se.What)
	_, err = Open(ctx, path, Options{})
	assert.ErrorIs(t, err, ErrNoKey)
	ro, err := OpenReadOnly(ctx, path, Options{})
	require.NoError(t, err)
	defer ro.Close()
	_, err = ro.VerifySeal(ctx)
	assert.ErrorIs(t, err, ErrNoKey)
}

// TestSealHoldsAcrossWork reopens books after every kind of write: the seal
// verifies each time and counts what was written.
func TestSealHoldsAcrossWork(t *testing.T) {
	path := sealedBooks(t)
	s := open(t, path, clock.NewFake(t0.Add(time.Hour)))
	rep, err := s.VerifySeal(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(3), rep.Rows["cashiers"])
	assert.Equal(t, int64(2), rep.Rows["payments"])
	assert.Equal(t, int64(2), rep.Rows["cash_ops"], "the float and the cash-out")
	assert.Positive(t, rep.Rows["audit"])
	assert.Equal(t, rep.Total(), sumRows(t, s))
	require.NoError(t, s.Unlock(ctx, "boss", "vera"))
	_, _, err = s.CloseShift(ctx, "anna", 1, 900_00)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s = open(t, path, clock.NewFake(t0.Add(2*time.Hour)))
	_, err = s.VerifySeal(ctx)
	require.NoError(t, err)
}

// sumRows counts the rows of the sealed tables but the head.
func sumRows(t *testing.T, s *Store) int64 {
	var total int64
	for _, tb := range sealed {
		var n int64
		require.NoError(t, s.rw.QueryRow("SELECT count(*) FROM "+tb+" WHERE "+map[bool]string{true: "key <> 'seal'", false: "1"}[tb == "meta"]).Scan(&n))
		total += n
	}
	return total
}

// TestSealBooksOfOlderSchema seals books written before the seal existed,
// once, and audits it.
func TestSealBooksOfOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", dsn(path, false))
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	old := &Store{path: path, rw: db, clock: clock.NewFake(t0), log: discard(), loc: msk}
	require.NoError(t, old.migrateTo(ctx, sealVersion-1))
	_, err = db.Exec(`INSERT INTO cashiers (login, full_name, role, pin_hash, created_at) VALUES ('old', 'Old', 'cashier', 'x', 0)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s := open(t, path, clock.NewFake(t0))
	rep, err := s.VerifySeal(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Rows["cashiers"])
	a, err := s.Audit(ctx, 1)
	require.NoError(t, err)
	require.Len(t, a, 1)
	assert.Equal(t, "books.sealed", a[0].Action)
}

// TestSealHeadUnderConcurrentWriters writes from several goroutines at once:
// each transaction must start from the head the last one left, or the
// stored head no longer sums the rows and the books read as tampered.
func TestSealHeadUnderConcurrentWriters(t *testing.T) {
	path := sealedBooks(t)
	s := open(t, path, clock.NewFake(t0.Add(time.Hour)))
	const writers, each = 6, 20
	errs := make(chan error, writers*each)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.SetSetting(ctx, "test", fmt.Sprintf("k%d.%d", w, i), "v")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	rep, err := s.VerifySeal(ctx)
	require.NoError(t, err)
	assert.Equal(t, rep.Total(), sumRows(t, s))
	require.NoError(t, s.Close())
	s = open(t, path, clock.NewFake(t0.Add(2*time.Hour)))
	_, err = s.VerifySeal(ctx)
	require.NoError(t, err, "the books reopen sealed")
}
