package app

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/receipts"
	"paydesk/store"
)

// TestStartedReceiptAfterAQueuedOne: a payment's receipt is made by the
// register just before a crash, while an older payment's receipt waits in
// the queue. After the restart the queued one is made first, so the
// register's last document is not the started one's: the till must find
// the started receipt among the documents since it was started, and make
// nothing twice (found by the ATOL soak, seeds 23, 31 and 32).
func TestStartedReceiptAfterAQueuedOne(t *testing.T) {
	tests := []struct {
		name  string
		first func(r *rig, queued *store.Payment) error
	}{
		{"the receipt queue runs first", func(r *rig, _ *store.Payment) error { return r.Till.RetryReceipts(ctx) }},
		{"another actor makes the queued receipt first", func(r *rig, q *store.Payment) error { return r.Till.Fiscalize(ctx, r.reload(t, q)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { startedAfterQueued(t, tt.first) })
	}
}

func startedAfterQueued(t *testing.T, first func(r *rig, queued *store.Payment) error) {
	r := bootTraining(t, clock.Real{}, true)
	crash := errors.New("crash")
	// The older payment: accepted, its receipt queued, then the process dies.
	var queued *store.Payment
	r.Till.d.Step = func(step string, p *store.Payment) {
		if step == string(StepAccepted) && queued == nil {
			queued = p
			panic(crash)
		}
	}
	func() {
		defer func() { assert.Equal(t, crash, recover()) }()
		_, _ = r.pay(t, "mts", "9161110002", 130_00)
	}()
	require.NotNil(t, queued)
	assert.Equal(t, store.FiscalQueued, r.reload(t, queued).FiscalState)

	// The newer payment: its receipt is started and made on the register,
	// then the process dies before the till records it.
	var started *store.Payment
	r.Till.d.Step = func(step string, p *store.Payment) {
		if step == string(StepReceiptStarted) && started == nil {
			started = p
			rp, sup, _ := r.Till.receiptPayment(ctx, p)
			_, err := r.Till.d.Register.Fiscalize(ctx, receipts.Fiscal(rp, r.Till.d.Agent, sup))
			require.NoError(t, err)
			panic(crash)
		}
	}
	func() {
		defer func() { assert.Equal(t, crash, recover()) }()
		_, _ = r.pay(t, "mts", "9161110003", 140_00)
	}()
	require.NotNil(t, started)
	assert.Equal(t, store.FiscalStarted, r.reload(t, started).FiscalState)
	before := receiptsOnDevice(r)
	r.Till.d.Step = nil

	// The queued receipt is made before recovery looks at the started one.
	require.NoError(t, first(r, queued))
	_, err := r.Till.Recover(ctx)
	require.NoError(t, err)
	q, s := r.reload(t, queued), r.reload(t, started)
	assert.Equal(t, store.FiscalDone, q.FiscalState)
	assert.Equal(t, store.FiscalDone, s.FiscalState)
	assert.Equal(t, before+1, receiptsOnDevice(r), "the queued receipt made; the started one found, not made again")
	assert.Less(t, s.FD, q.FD, "the started receipt is the earlier document")
}
