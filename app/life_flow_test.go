package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/training"
	"paydesk/fiscal"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/store"
)

// docsOfKind counts the receipts of a kind the emulator made.
func docsOfKind(r *rig, kind fiscal.ReceiptKind) int {
	n := 0
	for _, d := range r.Emulator.State().Docs {
		if d.Type == fiscal.DocReceipt && (d.Kind == kind || kind == fiscal.Sale && d.Kind == 0) {
			n++
		}
	}
	return n
}

// settleAll runs the resolver until no payment is open or the deadline.
func settleAll(t *testing.T, r *rig) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, err := r.Till.ResolvePending(ctx, true)
		if KindOf(err) != KindDevice {
			require.NoError(t, err)
		}
		open, err := r.Till.Pending(ctx)
		require.NoError(t, err)
		if len(open) == 0 || open[0].State == store.StateDisputed && len(open) == 1 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func reconciled(t *testing.T, r *rig) training.Reconciliation {
	t.Helper()
	rec, err := training.Reconcile(ctx, r.Ledger(), training.Of(r.World), training.Balance)
	require.NoError(t, err)
	assert.Empty(t, rec.Mismatches)
	return rec
}

// TestAcceptedIsNotFinal: a pay accepted while status still says "in
// progress" is accepted (its receipt made now), not paid; the resolver
// goes on and books it paid once status says 7/0.
func TestAcceptedIsNotFinal(t *testing.T) {
	fc := clock.NewFake(time.Now())
	r := bootTraining(t, fc, true)
	p, err := r.pay(t, "mts", "9000000508", 100_00)
	require.NoError(t, err, "accepted: the cashier is done")
	p = r.reload(t, p)
	assert.Equal(t, store.StateAccepted, p.State)
	assert.NotEmpty(t, p.TransID)
	assert.Equal(t, store.FiscalDone, p.FiscalState, "the receipt is made at acceptance")
	assert.Equal(t, 1, docsOfKind(r, fiscal.Sale))
	sh, err := r.Till.Shift(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, sh.Totals.Payments, "the network has it: it counts")
	assert.Equal(t, 1, sh.Totals.Pending, "and it is not final")

	_, err = r.Till.ResolvePending(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, store.StateAccepted, r.reload(t, p).State, "still in progress")
	fc.Advance(3 * time.Second)
	_, err = r.Till.ResolvePending(ctx, true)
	require.NoError(t, err)
	p = r.reload(t, p)
	assert.Equal(t, store.StatePaid, p.State, "credited")
	assert.Equal(t, 1, docsOfKind(r, fiscal.Sale), "no second receipt")
	answers, err := r.Till.Answers(ctx, r.manager, p)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(answers), 3, "pay and every status kept")
	assert.Equal(t, "pay", answers[0].Op)
	assert.Equal(t, 7, answers[len(answers)-1].Result)
	reconciled(t, r)
}

// TestFailedAfterReceiptIsRefunded: accepted, receipted, then failed 7/23:
// the payment is due a refund (never "just return the cash": the receipt
// stands), the Refunds list has it, the return receipt is made once, the
// drawer and the reports count it out, and a second refund is refused
// with nothing made.
func TestFailedAfterReceiptIsRefunded(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	before, err := r.Till.Shift(ctx)
	require.NoError(t, err)
	p, err := r.pay(t, "mts", "9000000509", 150_00)
	require.NoError(t, err)
	p = r.reload(t, p)
	require.Equal(t, store.StateAccepted, p.State)
	settleAll(t, r)
	p = r.reload(t, p)
	require.Equal(t, store.StateFailed, p.State)
	assert.Equal(t, store.RefundDue, p.RefundState)
	assert.Equal(t, 23, p.ErrorCode)
	refunds, err := r.Till.Refunds(ctx, r.kassir)
	require.NoError(t, err)
	require.Len(t, refunds, 1)
	assert.Equal(t, p.ID, refunds[0].ID)
	mid, err := r.Till.Shift(ctx)
	require.NoError(t, err)
	assert.Equal(t, before.Totals.Expected+p.Total, mid.Totals.Expected, "the cash is in the drawer until handed back")
	assert.Equal(t, before.Totals.Payments, mid.Totals.Payments, "a failed payment does not count")
	assert.Equal(t, 1, mid.Totals.RefundsDue)
	drawer := r.Emulator.State().Cash

	_, err = r.Till.Refunds(ctx, nil)
	assert.Equal(t, KindForbidden, KindOf(err))
	require.NoError(t, r.Till.Refund(ctx, r.kassir, p))
	p = r.reload(t, p)
	assert.Equal(t, store.StateRefunded, p.State)
	assert.Equal(t, store.RefundDone, p.RefundState)
	assert.NotZero(t, p.RefundFD)
	assert.NotZero(t, p.RefundFP)
	assert.Equal(t, 1, docsOfKind(r, fiscal.SaleReturn), "one return receipt")
	assert.Equal(t, drawer-int64(p.Total), r.Emulator.State().Cash, "the device's drawer paid it out")
	after, err := r.Till.Shift(ctx)
	require.NoError(t, err)
	assert.Equal(t, before.Totals.Expected, after.Totals.Expected)
	assert.Equal(t, p.Total, after.Totals.Refunded)
	texts, err := r.Till.Receipts(ctx, r.kassir, p)
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, x := range texts {
		kinds[x.Kind]++
	}
	assert.Equal(t, map[string]int{"fiscal": 1, "slip": 1, "return": 1, "return_slip": 1}, kinds, "history shows both documents")

	err = r.Till.Refund(ctx, r.kassir, p)
	assert.Equal(t, KindState, KindOf(err), "%v", err)
	assert.Equal(t, 1, docsOfKind(r, fiscal.SaleReturn), "never twice")
	refunds, err = r.Till.Refunds(ctx, r.kassir)
	require.NoError(t, err)
	assert.Empty(t, refunds)
	rec := reconciled(t, r)
	assert.Equal(t, 1, rec.Refunded)
	assert.Equal(t, 1, rec.Returns)
}

// TestDisputeIsTheManagersDecision: status says "never happened" after an
// acceptance: disputed, never "return the cash"; the resolver keeps asking
// and keeps every answer; only a manager closes it, each way.
func TestDisputeIsTheManagersDecision(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	for i, paid := range []bool{true, false} {
		p, err := r.pay(t, "mts", "9000000510", money.Amount(120_00+i)) // another amount: not "the same payment" (ERROR 32)
		assert.Equal(t, KindPending, KindOf(err), "%v", err)
		assert.Contains(t, Message(err, "ru"), "деньги не возвращайте")
		p = r.reload(t, p)
		require.Equal(t, store.StateDisputed, p.State)
		_, err = r.Till.ResolvePending(ctx, true)
		require.NoError(t, err)
		p = r.reload(t, p)
		assert.Equal(t, store.StateDisputed, p.State, "the resolver keeps asking")
		answers, err := r.Till.Answers(ctx, r.manager, p)
		require.NoError(t, err)
		elevens := 0
		for _, a := range answers {
			if a.Op == "status" && a.Error == 11 {
				elevens++
			}
		}
		assert.GreaterOrEqual(t, elevens, 2, "every answer kept")
		ds, err := r.Till.Disputes(ctx, r.manager)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		_, err = r.Till.Disputes(ctx, r.kassir)
		assert.Equal(t, KindForbidden, KindOf(err))
		assert.Equal(t, KindForbidden, KindOf(r.Till.Decide(ctx, r.kassir, p, paid)), "a cashier cannot decide")

		require.NoError(t, r.Till.Decide(ctx, r.manager, p, paid))
		p = r.reload(t, p)
		if paid {
			assert.Equal(t, store.StatePaid, p.State)
			assert.Equal(t, store.RefundNone, p.RefundState)
		} else {
			assert.Equal(t, store.StateNotPaid, p.State)
			assert.Equal(t, store.RefundDue, p.RefundState, "its receipt was made: the cash goes back with a return")
			require.NoError(t, r.Till.Refund(ctx, r.kassir, p))
			assert.Equal(t, store.StateRefunded, r.reload(t, p).State)
		}
		assert.Error(t, r.Till.Decide(ctx, r.manager, p, !paid), "decided once")
	}
	assert.Equal(t, 2, docsOfKind(r, fiscal.Sale))
	assert.Equal(t, 1, docsOfKind(r, fiscal.SaleReturn))
}

// TestNotAnAcceptance: pay answered with the check's answer is not taken
// for success; status settles it (paid, with the network's TRANSID); a
// lost pay with status RESULT 1 ERROR 21 is not paid, not pending for
// ever.
func TestNotAnAcceptance(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	p, err := r.pay(t, "mts", "9000000511", 130_00)
	if err != nil {
		assert.Equal(t, KindPending, KindOf(err), "%v", err)
	}
	settleAll(t, r)
	p = r.reload(t, p)
	assert.Equal(t, store.StatePaid, p.State)
	assert.NotEmpty(t, p.TransID, "the TRANSID from status, never an empty one")
	assert.Equal(t, 1, r.Sim.Committed(p.Session))
	assert.Equal(t, 1, docsOfKind(r, fiscal.Sale))

	p, err = r.pay(t, "mts", "9000000512", 140_00)
	assert.Equal(t, KindRefused, KindOf(err), "%v", err)
	p = r.reload(t, p)
	assert.Equal(t, store.StateNotPaid, p.State)
	assert.Equal(t, 21, p.ErrorCode)
	assert.Zero(t, r.Sim.Committed(p.Session))
	assert.Equal(t, 1, docsOfKind(r, fiscal.Sale), "no receipt for it")
	reconciled(t, r)
}
