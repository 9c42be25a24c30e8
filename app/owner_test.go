package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"paydesk/app/training"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resolverTick is the window's resolver tick (app/ui Options.ResolveEvery).
const resolverTick = 15 * time.Second

// assertOneReceiptEach reconciles the books with the simulator and the
// emulator: every paid payment taken once and fiscalized once, none twice.
func assertOneReceiptEach(t *testing.T, r *rig) {
	t.Helper()
	r.Sim.SetFaults(sim.Faults{})
	for i := 0; i < 5; i++ {
		_, _ = r.Till.ResolvePending(ctx, true)
		_ = r.Till.RetryReceipts(ctx)
	}
	rec, err := training.Reconcile(ctx, r.Ledger(), training.Of(r.World), training.Balance)
	require.NoError(t, err)
	assert.Empty(t, rec.Mismatches)
	assert.Equal(t, rec.Paid+rec.Refunded+rec.RefundsDue, rec.Receipts, "one fiscal receipt per payment the network took, kept or refunded")
	assert.Equal(t, rec.Refunded, rec.Returns, "one return receipt per refund")
}

// TestResolverBesideConfirm is the window's wiring (issue 12): the
// background resolver loop runs at its real tick beside the cashier's
// payment against a slow network. Its first pass comes while the pay is in
// flight; it must leave the payment to the cashier's flow, so the payment is
// asked about, settled and fiscalized once.
func TestResolverBesideConfirm(t *testing.T) {
	const slow = 400 * time.Millisecond
	for _, tc := range []struct {
		name     string
		schedule []time.Duration
		faults   sim.Faults
		want     store.State
		number   string
	}{
		// The report itself: the slow training number, about 5 s an answer.
		{"training number 9000000100", gateway.InteractiveSchedule[:1], sim.Faults{}, store.StatePaid, "9000000100"},
		{"accepted pay", []time.Duration{5 * time.Millisecond}, sim.Faults{Latency: slow}, store.StatePaid, ""},
		{"pay without an answer", gateway.InteractiveSchedule[:2], sim.Faults{Latency: slow, Drop: sim.OpPay}, store.StatePaid, ""},
		{"refused pay", gateway.InteractiveSchedule[:2], sim.Faults{Latency: slow, Refuse: sim.OpPay, RefuseCode: 30}, store.StateNotPaid, ""},
		{"status failing through the schedule", gateway.InteractiveSchedule[:2],
			sim.Faults{Latency: slow, Drop: sim.OpPay, HTTP500: sim.OpStatus}, store.StateUnknown, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runCtx, stop := context.WithCancel(ctx)
			var wg sync.WaitGroup
			defer func() { stop(); wg.Wait() }()
			var r *rig
			var once sync.Once
			r = bootTraining(t, clock.Real{}, true, func(o *Options) {
				o.Settle = tc.schedule
				o.Step = func(step string, p *store.Payment) {
					if step == "pay_sent" {
						once.Do(func() {
							wg.Add(1)
							go func() { defer wg.Done(); r.Till.Run(runCtx, resolverTick) }()
						})
					}
				}
			})
			number := tc.number
			if number == "" {
				number = "9161234567"
			}
			p, err := r.Till.Start(ctx, r.kassir, "mts", number)
			require.NoError(t, err)
			p, err = r.Till.Check(ctx, r.kassir, p, 300_00, Cash)
			require.NoError(t, err)
			r.Sim.SetFaults(tc.faults)
			p, err = r.Till.Confirm(ctx, r.kassir, p)
			assert.Equal(t, tc.want, p.State, "%v", err)
			switch tc.want {
			case store.StatePaid:
				assert.NoError(t, err)
				assert.Equal(t, store.FiscalDone, p.FiscalState)
			case store.StateNotPaid:
				assert.Equal(t, KindRefused, KindOf(err), "%v", err)
			default:
				assert.Equal(t, KindPending, KindOf(err), "%v", err)
			}
			assert.Empty(t, r.Till.owner(p.ID), "the flow gave the payment back")
			stop()
			wg.Wait()
			got := r.reload(t, p)
			assert.Equal(t, p.State, got.State, "the flow reports what is stored")
			assert.Equal(t, p.Version, got.Version)
			assert.LessOrEqual(t, r.Sim.Committed(p.Session), 1)
			assertOneReceiptEach(t, r)
		})
	}
}

// TestResolverRacesEveryStep runs the resolver as fast as it can beside a
// run of payments with slow answers of every kind, under the race
// detector in make test: each paid payment has one receipt, the books
// agree with the network and the device.
func TestResolverRacesEveryStep(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true, func(o *Options) {
		o.Settle = []time.Duration{20 * time.Millisecond, 50 * time.Millisecond}
	})
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.Till.Run(runCtx, time.Millisecond) }()
	go func() {
		// The Pending screen's "check now" between the resolver's ticks.
		defer wg.Done()
		for runCtx.Err() == nil {
			_, _ = r.Till.ResolvePending(runCtx, true)
			_ = r.Till.RetryReceipts(runCtx)
		}
	}()
	numbers := []string{"9161234567", "9000000502", "9000000503", "9000000505", "9000000506", "9000000500", "9000000507"}
	r.Sim.SetFaults(sim.Faults{Latency: 30 * time.Millisecond})
	for i := 0; i < 2*len(numbers); i++ {
		p, err := r.pay(t, "mts", numbers[i%len(numbers)], money.Amount(100_00+i*100))
		if err != nil {
			assert.Contains(t, []Kind{KindPending, KindRefused, KindDevice}, KindOf(err), "%v", err)
		}
		assert.LessOrEqual(t, r.Sim.Committed(p.Session), 1)
	}
	stop()
	wg.Wait()
	assertOneReceiptEach(t, r)
}

// TestLease: one actor at a time; a lease ends by itself, and a release
// after that gives back nothing another actor took.
func TestLease(t *testing.T) {
	c := clock.NewFake(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	till := New(Deps{Clock: c})
	releaseFlow, ok := till.take(7, "cashier kassir", time.Minute)
	require.True(t, ok)
	assert.Equal(t, "cashier kassir", till.owner(7))
	_, ok = till.take(7, "resolver", time.Minute)
	assert.False(t, ok, "a live flow owns it")
	releaseOther, ok := till.take(8, "resolver", time.Minute)
	require.True(t, ok, "another payment is free")
	releaseOther()

	c.Advance(time.Minute)
	assert.Empty(t, till.owner(7), "the lease has ended")
	releaseResolver, ok := till.take(7, "resolver", time.Minute)
	require.True(t, ok, "a flow that outlived its lease has lost it")
	releaseFlow()
	assert.Equal(t, "resolver", till.owner(7), "the late flow's release leaves the resolver's lease")
	releaseResolver()
	assert.Empty(t, till.owner(7))
}

// TestSecondActorFindsItDecided is the race reduced to its two copies: the
// resolver and the cashier's flow both hold the payment as it was when pay
// went out. Whoever writes second finds the payment decided, reports what
// is stored, and makes no second receipt; a receipt asked for from a stale
// copy is decided from the stored row.
func TestSecondActorFindsItDecided(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
	require.NoError(t, err)
	p, err = r.Till.Check(ctx, r.kassir, p, 250_00, Cash)
	require.NoError(t, err)
	p.State = store.StatePaySent
	require.NoError(t, r.Till.save(ctx, "kassir", "pay_sent", p))
	prov, err := r.Till.provider(p)
	require.NoError(t, err)
	a, err := r.Till.d.Network.Pay(ctx, request(prov, p))
	require.NoError(t, err)
	p.TransID = a.TransID
	flow, resolver, stale := *p, *p, *p

	_, err = r.Till.apply(ctx, "resolver", &resolver, OutcomePaid, nil, nil)
	require.NoError(t, err)
	require.Equal(t, store.FiscalDone, resolver.FiscalState)
	require.Equal(t, 1, receiptsOnDevice(r))

	for _, tc := range []struct {
		name string
		copy *store.Payment
		out  Outcome
	}{
		{"the same outcome", &flow, OutcomePaid},
		{"another outcome", &stale, OutcomeNotPaid},
		{"still open", &store.Payment{}, OutcomeOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.copy.ID == 0 {
				*tc.copy = *p
			}
			got, err := r.Till.apply(ctx, "cashier", tc.copy, tc.out, nil, nil)
			assert.NoError(t, err, "the payment is paid: that is what the flow reports")
			assert.Equal(t, store.StatePaid, got.State)
			assert.Equal(t, resolver.FD, got.FD, "the resolver's receipt")
			assert.Equal(t, 1, receiptsOnDevice(r), "no second receipt")
		})
	}

	copyQueued := *p
	copyQueued.State, copyQueued.FiscalState = store.StatePaid, store.FiscalQueued
	require.NoError(t, r.Till.Fiscalize(ctx, &copyQueued))
	assert.Equal(t, store.FiscalDone, copyQueued.FiscalState, "the copy became the stored row")
	assert.Equal(t, 1, receiptsOnDevice(r), "Fiscalize decides from the stored row")
	require.NoError(t, r.Till.Reprint(ctx, r.kassir, &stale))
	assert.Equal(t, 1, receiptsOnDevice(r), "a reprint from a stale copy prints a copy of the slip")
}

// TestReceiptFoundOnTheDevice: the device's last document already is the
// payment's receipt (its SESSION in tag 1084) while the books say it is
// due, as after restoring a backup: it is recorded, not made again; a
// receipt for the same total of another payment is not taken for it.
func TestReceiptFoundOnTheDevice(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	p, err := r.pay(t, "mts", "9161234567", 400_00)
	require.NoError(t, err)
	require.Equal(t, store.FiscalDone, p.FiscalState)
	made := p.FD

	// The books forget the receipt, as a backup taken before it would.
	p.FiscalState, p.FD, p.FP, p.FiscalizedAt, p.SlipPrintedAt = store.FiscalQueued, 0, 0, time.Time{}, time.Time{}
	require.NoError(t, r.Till.save(ctx, "test", "restored", p))
	require.NoError(t, r.Till.Fiscalize(ctx, p))
	assert.Equal(t, store.FiscalDone, p.FiscalState)
	assert.Equal(t, made, p.FD, "the receipt on the device is recorded")
	assert.Equal(t, 1, receiptsOnDevice(r), "and not made again")

	// Another payment of the same total gets its own receipt.
	q, err := r.pay(t, "mts", "9161234568", 400_00)
	require.NoError(t, err)
	assert.Greater(t, q.FD, made)
	assert.Equal(t, 2, receiptsOnDevice(r))
}
