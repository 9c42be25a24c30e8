package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/money"
)

// TestOutbox: each payment's final step, each finished cash operation and
// each closed shift is an event of the outbox, written with the change
// (a step refused as a conflict writes none), numbered without gaps; the
// hub's acknowledgement may go back (a restored hub), never past what was written.
func TestOutbox(t *testing.T) {
	s, _ := newStore(t)
	c, _, paid := seed(t, s) // a paid payment
	events := func() []Event {
		es, err := s.Outbox(ctx, 0, 100)
		require.NoError(t, err)
		return es
	}
	es := events()
	require.Len(t, es, 1)
	assert.Equal(t, EventPayment, es[0].Kind)
	var pe PaymentEvent
	require.NoError(t, json.Unmarshal(es[0].Body, &pe))
	assert.Equal(t, PaymentEvent{Session: paid.Session, Provider: "mts", ProviderName: "МТС", Number: "9161234567", Amount: 100_00,
		Total: 100_00, Commission: 3_00, Cashier: "anna", ShiftID: paid.ShiftID, State: StatePaid, From: StateEntered, Created: paid.CreatedAt.UTC()}, pe)

	// Steps that are not final write nothing; a conflict writes nothing.
	p := &Payment{CashierID: c.ID, ProviderCode: "mts", ProviderName: "МТС", PayerID: "9161112233", Amount: 50_00, Total: 50_00}
	require.NoError(t, s.CreatePayment(ctx, "anna", p))
	p.State = StateChecked
	require.NoError(t, s.UpdatePayment(ctx, "anna", "checked", p))
	stale := *p
	p.State = StateAccepted
	require.NoError(t, s.UpdatePayment(ctx, "anna", "accepted", p))
	stale.State = StatePaid
	require.ErrorIs(t, s.UpdatePayment(ctx, "anna", "paid", &stale), ErrConflict)
	assert.Len(t, events(), 1, "checked, accepted and a refused step are no events")

	// Failed after its receipt: failed with a refund due, then the refund made.
	p.State, p.RefundState = StateFailed, RefundDue
	require.NoError(t, s.UpdatePayment(ctx, "anna", "failed", p))
	p.RefundState = RefundStarted
	require.NoError(t, s.UpdatePayment(ctx, "anna", "refund started", p))
	p.State, p.RefundState, p.RefundFD = StateRefunded, RefundDone, 12
	require.NoError(t, s.UpdatePayment(ctx, "anna", "refunded", p))

	require.NoError(t, s.CashOp(ctx, "anna", c.ID, "in", 500_00, 13))
	sh, _, err := s.CloseShift(ctx, "anna", c.ID, 1600_00)
	require.NoError(t, err)

	es = events()
	var kinds []string
	for i, e := range es {
		assert.Equal(t, int64(i+1), e.Seq, "no gaps")
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []string{EventPayment, EventPayment, EventPayment, EventCash, EventShift}, kinds)
	require.NoError(t, json.Unmarshal(es[2].Body, &pe))
	assert.Equal(t, StateRefunded, pe.State)
	assert.Equal(t, RefundDone, pe.Refund)
	assert.Equal(t, int64(12), pe.RefundFD)
	var ce CashEvent
	require.NoError(t, json.Unmarshal(es[3].Body, &ce))
	assert.Equal(t, CashEvent{ID: ce.ID, ShiftID: sh.ID, Cashier: "anna", Kind: "in", Amount: 500_00, At: ce.At, FD: 13}, ce)
	var se ShiftEvent
	require.NoError(t, json.Unmarshal(es[4].Body, &se))
	assert.Equal(t, sh.ID, se.ID)
	assert.Equal(t, money.Amount(1600_00), se.Counted)
	assert.Equal(t, "anna", se.ClosedBy)

	after, err := s.Outbox(ctx, 3, 1)
	require.NoError(t, err)
	require.Len(t, after, 1)
	assert.Equal(t, int64(4), after[0].Seq)

	last, sent, err := s.OutboxState(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(5), last)
	assert.Zero(t, sent)
	require.NoError(t, s.OutboxSent(ctx, 4))
	require.NoError(t, s.OutboxSent(ctx, 3), "a hub restored from an older backup: back to what it has")
	assert.Error(t, s.OutboxSent(ctx, 6), "beyond the last written")
	_, sent, err = s.OutboxState(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(3), sent)
	_, err = s.VerifySeal(ctx)
	require.NoError(t, err, "the acknowledgement is sealed with the books")
}

// TestOutboxNumbers: the outbox's numbers and the hub's after two
// restores from backups (events 1–5 as they were, 6–7 after the hub's
// 6–8, 8– after the hub's 11–12), both ways.
func TestOutboxNumbers(t *testing.T) {
	m := &outboxNumbers{segs: [][2]int64{{6, 3}, {8, 5}}}
	for _, c := range []struct{ local, hub int64 }{{1, 1}, {5, 5}, {6, 9}, {7, 10}, {8, 13}, {20, 25}} {
		assert.Equal(t, c.hub, m.hub(c.local), "hub(%d)", c.local)
		assert.Equal(t, c.local, m.local(c.hub), "local(%d)", c.hub)
	}
	for _, c := range []struct{ hub, local int64 }{{0, 0}, {6, 5}, {8, 5}, {11, 7}, {12, 7}} {
		assert.Equal(t, c.local, m.local(c.hub), "the hub's own %d: ours before it", c.hub)
	}
}
