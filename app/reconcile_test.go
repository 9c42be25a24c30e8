package app

import (
	"database/sql"
	"testing"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReconcile(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	for _, id := range []string{"9161234567", "9000000502", "9000000500", "9000000507", "9000000023"} {
		_, _ = r.pay(t, "mts", id, 100_00)
	}
	require.NoError(t, r.Till.CashIn(ctx, r.kassir, 500_00))
	require.NoError(t, r.Till.CashOut(ctx, r.manager, 200_00))
	rec, err := Reconcile(ctx, r.Runtime, TrainingBalance)
	require.NoError(t, err)
	assert.True(t, rec.OK(), "%v", rec.Mismatches)
	assert.Equal(t, 1, rec.Shifts)
	assert.Equal(t, 2, rec.CashOps)
	assert.Equal(t, money.Amount(1000_00+2*100_00+500_00-200_00), rec.Drawer, "float, two cash payments, in, out")
	assert.Equal(t, 5, rec.Payments)
	assert.Equal(t, 2, rec.Paid)
	assert.Equal(t, 1, rec.Failed)
	assert.Equal(t, 2, rec.NotPaid)
	assert.Equal(t, 2, rec.Receipts)

	// Break the books on purpose, one way at a time: each is seen.
	t.Run("a paid payment forgotten", func(t *testing.T) {
		ps, err := r.Store.Payments(ctx, store.Filter{State: store.StatePaid})
		require.NoError(t, err)
		p := ps[0]
		p.State = store.StateCancelled
		// The store refuses to unpay; edit the row as a bug or a hand would.
		_, err = rawExec(r, "UPDATE payments SET state = 'cancelled' WHERE id = ?", p.ID)
		require.NoError(t, err)
		rec, err := Reconcile(ctx, r.Runtime, TrainingBalance)
		require.NoError(t, err)
		assert.False(t, rec.OK())
		_, err = rawExec(r, "UPDATE payments SET state = 'paid' WHERE id = ?", p.ID)
		require.NoError(t, err)
	})
	t.Run("a cash operation lost from the books", func(t *testing.T) {
		_, err := rawExec(r, "UPDATE cash_ops SET state = 'void' WHERE kind = 'in'")
		require.NoError(t, err)
		rec, err := Reconcile(ctx, r.Runtime, TrainingBalance)
		require.NoError(t, err)
		require.False(t, rec.OK())
		assert.Contains(t, rec.Mismatches[len(rec.Mismatches)-1], "drawer holds")
		_, err = rawExec(r, "UPDATE cash_ops SET state = 'done' WHERE kind = 'in'")
		require.NoError(t, err)
	})
	t.Run("a cash payment's total edited", func(t *testing.T) {
		_, err := rawExec(r, "UPDATE payments SET total = total + 1 WHERE state = 'paid' AND id = (SELECT min(id) FROM payments WHERE state = 'paid')")
		require.NoError(t, err)
		rec, err := Reconcile(ctx, r.Runtime, TrainingBalance)
		require.NoError(t, err)
		assert.False(t, rec.OK())
		_, err = rawExec(r, "UPDATE payments SET total = total - 1 WHERE state = 'paid' AND id = (SELECT min(id) FROM payments WHERE state = 'paid')")
		require.NoError(t, err)
	})
	t.Run("a payment the network took behind the books", func(t *testing.T) {
		prov, err := r.Till.Catalogue().Find("mts")
		require.NoError(t, err)
		pay := gateway.Payment{Provider: prov, Session: "BEHINDTHEBOOKS01", ID: "9169990000", Amount: 50_00}
		_, err = r.Till.Gateway().Check(ctx, pay)
		require.NoError(t, err)
		_, err = r.Till.Gateway().Pay(ctx, pay)
		require.NoError(t, err)
		rec, err := Reconcile(ctx, r.Runtime, TrainingBalance)
		require.NoError(t, err)
		assert.False(t, rec.OK())
		assert.Contains(t, rec.Mismatches[len(rec.Mismatches)-2], "unknown to the books")
		assert.Contains(t, rec.Mismatches[len(rec.Mismatches)-1], "dealer balance")
	})
}

// rawExec edits the database file behind the store's back, as a bug or a
// hand would.
func rawExec(r *rig, q string, args ...any) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+r.Store.Path()+"?_busy_timeout=5000")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
