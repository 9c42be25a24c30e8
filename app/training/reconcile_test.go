package training_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/money"
	"paydesk/protocol/gateway"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

var ctx = context.Background()

type rig struct {
	*app.Runtime
	world           *training.World
	db              string
	kassir, manager *app.User
}

// boot boots a training till in a new data folder with its shift open.
func boot(t *testing.T) *rig {
	t.Helper()
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = t.TempDir()
	rt, err := app.Boot(ctx, cfg, app.Options{Training: training.Start, PINCost: bcrypt.MinCost,
		Settle: []time.Duration{5 * time.Millisecond}, DeviceTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })
	r := &rig{Runtime: rt, world: training.Of(rt.World)}
	require.NotNil(t, r.world)
	r.db, err = cfg.StorePath()
	require.NoError(t, err)
	r.kassir, err = rt.Till.SignIn(ctx, "kassir", "1111")
	require.NoError(t, err)
	r.manager, err = rt.Till.SignIn(ctx, "manager", "222222")
	require.NoError(t, err)
	_, err = rt.Till.OpenShift(ctx, r.kassir, 1000_00)
	require.NoError(t, err)
	return r
}

// rawExec edits the database file behind the store's back, as a bug or a
// hand would.
func rawExec(r *rig, q string, args ...any) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+r.db+"?_busy_timeout=5000")
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

func TestReconcile(t *testing.T) {
	r := boot(t)
	for _, id := range []string{"9161234567", "9000000502", "9000000500", "9000000507", "9000000023"} {
		p, err := r.Till.Start(ctx, r.kassir, "mts", id)
		require.NoError(t, err)
		if p, err = r.Till.Check(ctx, r.kassir, p, 100_00, app.Cash); err == nil {
			_, _ = r.Till.Confirm(ctx, r.kassir, p)
		}
	}
	require.NoError(t, r.Till.CashIn(ctx, r.kassir, 500_00))
	require.NoError(t, r.Till.CashOut(ctx, r.manager, 200_00))
	rec, err := training.Reconcile(ctx, r.Ledger(), r.world, training.Balance)
	require.NoError(t, err)
	assert.True(t, rec.OK(), "%v", rec.Mismatches)
	assert.Equal(t, 1, rec.Shifts)
	assert.Equal(t, 2, rec.CashOps)
	assert.Equal(t, money.Amount(1000_00+3*100_00+500_00-200_00), rec.Drawer, "float, two cash payments and one failed after its receipt (its refund due), in, out")
	assert.Equal(t, 5, rec.Payments)
	assert.Equal(t, 2, rec.Paid)
	assert.Equal(t, 1, rec.Failed)
	assert.Equal(t, 2, rec.NotPaid)
	assert.Equal(t, 3, rec.Receipts, "the failed one was receipted at acceptance")
	assert.Equal(t, 1, rec.RefundsDue)

	// Break the books on purpose, one way at a time: each is seen.
	t.Run("a paid payment forgotten", func(t *testing.T) {
		ps, err := r.Ledger().Payments(ctx, app.Filter{State: app.StatePaid})
		require.NoError(t, err)
		p := ps[0]
		// The store refuses to unpay; edit the row as a bug or a hand would.
		_, err = rawExec(r, "UPDATE payments SET state = 'cancelled' WHERE id = ?", p.ID)
		require.NoError(t, err)
		rec, err := training.Reconcile(ctx, r.Ledger(), r.world, training.Balance)
		require.NoError(t, err)
		assert.False(t, rec.OK())
		_, err = rawExec(r, "UPDATE payments SET state = 'paid' WHERE id = ?", p.ID)
		require.NoError(t, err)
	})
	t.Run("a cash operation lost from the books", func(t *testing.T) {
		_, err := rawExec(r, "UPDATE cash_ops SET state = 'void' WHERE kind = 'in'")
		require.NoError(t, err)
		rec, err := training.Reconcile(ctx, r.Ledger(), r.world, training.Balance)
		require.NoError(t, err)
		require.False(t, rec.OK())
		assert.Contains(t, rec.Mismatches[len(rec.Mismatches)-1], "drawer holds")
		_, err = rawExec(r, "UPDATE cash_ops SET state = 'done' WHERE kind = 'in'")
		require.NoError(t, err)
	})
	t.Run("a cash payment's total edited", func(t *testing.T) {
		_, err := rawExec(r, "UPDATE payments SET total = total + 1 WHERE state = 'paid' AND id = (SELECT min(id) FROM payments WHERE state = 'paid')")
		require.NoError(t, err)
		rec, err := training.Reconcile(ctx, r.Ledger(), r.world, training.Balance)
		require.NoError(t, err)
		assert.False(t, rec.OK())
		_, err = rawExec(r, "UPDATE payments SET total = total - 1 WHERE state = 'paid' AND id = (SELECT min(id) FROM payments WHERE state = 'paid')")
		require.NoError(t, err)
	})
	t.Run("a payment the network took behind the books", func(t *testing.T) {
		prov, err := r.Till.Provider("mts")
		require.NoError(t, err)
		gw, _ := r.world.Network()
		pay := gateway.Payment{Provider: prov, Session: "BEHINDTHEBOOKS01", ID: "9169990000", Amount: 50_00}
		_, err = gw.Check(ctx, pay)
		require.NoError(t, err)
		_, err = gw.Pay(ctx, pay)
		require.NoError(t, err)
		rec, err := training.Reconcile(ctx, r.Ledger(), r.world, training.Balance)
		require.NoError(t, err)
		assert.False(t, rec.OK())
		assert.Contains(t, rec.Mismatches[len(rec.Mismatches)-2], "unknown to the books")
		assert.Contains(t, rec.Mismatches[len(rec.Mismatches)-1], "dealer balance")
	})
}
