package app

import (
	"testing"

	"paydesk/internal/clock"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allStates = []store.State{store.StateEntered, store.StateNumberChecked, store.StateChecked, store.StatePaySent,
	store.StateAccepted, store.StatePaid, store.StateUnknown, store.StateDisputed, store.StateFailed, store.StateNotPaid,
	store.StateRefused, store.StateCancelled, store.StateRefunded}

var allRefunds = []store.RefundState{store.RefundNone, store.RefundDue, store.RefundStarted, store.RefundDone}

// TestLifeTable walks every arrow of the payment's table, and every arrow
// that is not in it: from each state, each step either lands (the state
// and fiscal state the table says, one audit row) or is refused as the
// wrong state with nothing written.
func TestLifeTable(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	for step, a := range life {
		require.NotEmpty(t, a.from, "step %s starts somewhere", step)
		for _, from := range allStates {
			for _, refund := range allRefunds {
				if refund != store.RefundNone && a.refunding == nil {
					continue // the refund's state matters to refunding steps alone
				}
				p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
				require.NoError(t, err)
				p.State, p.RefundState = from, refund
				if refund != store.RefundNone {
					p.FiscalState = store.FiscalDone
				}
				require.NoError(t, r.Till.save(ctx, "test", "setup", p))
				before := *p
				audit, err := r.Store.VerifyAudit(ctx)
				require.NoError(t, err)
				err = r.Till.step(ctx, "test", step, p)
				after := r.reload(t, p)
				rows, verr := r.Store.VerifyAudit(ctx)
				require.NoError(t, verr)
				if !a.allows(&before) {
					assert.Equal(t, KindState, KindOf(err), "%s from %s/%s is refused", step, from, refund)
					assert.Equal(t, before.Version, after.Version, "%s from %s/%s writes nothing", step, from, refund)
					assert.Equal(t, audit, rows)
					assert.False(t, Can(&before, step))
					continue
				}
				require.NoError(t, err, "%s from %s/%s", step, from, refund)
				assert.True(t, Can(&before, step))
				want := from
				if a.to != "" {
					want = a.to
				}
				assert.Equal(t, want, after.State, "%s from %s", step, from)
				if a.fiscal != nil && want != store.StateFailed && want != store.StateNotPaid {
					assert.Equal(t, *a.fiscal, after.FiscalState, "%s from %s", step, from)
				}
				if a.refund != nil {
					assert.Equal(t, *a.refund, after.RefundState, "%s from %s/%s", step, from, refund)
				}
				assert.Equal(t, audit+1, rows, "one audit row for %s", step)
			}
		}
	}
	assert.False(t, Can(nil, StepPaySent))
}
