package app

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/store"
)

// ResolvePending asks status, once, for each pending payment whose next
// attempt is due (all of them when force is set) and that no live flow
// owns (owner.go), and applies what status proves. It returns how many
// payments were settled. A payment stays pending until it is proven paid
// or unpaid: never paid again.
func (t *Till) ResolvePending(ctx context.Context, force bool) (int, error) {
	if err := t.online("resolve"); err != nil {
		return 0, err
	}
	ps, err := t.d.Store.PendingPayments(ctx)
	if err != nil {
		return 0, err
	}
	settled := 0
	var errs []error
	for _, p := range ps {
		if !force && t.d.Clock.Now().Before(p.NextStatusAt) {
			continue
		}
		done, err := t.resolve(ctx, p)
		if ctx.Err() != nil {
			return settled, ctx.Err()
		}
		if done {
			settled++
		}
		if err != nil && KindOf(err) != KindPending && KindOf(err) != KindRefused {
			errs = append(errs, err)
		}
	}
	return settled, errors.Join(errs...)
}

// resolve asks status once for a pending payment the resolver could take,
// read again once taken: the listing may be older than a flow's last step.
// It reports whether the payment is settled now.
func (t *Till) resolve(ctx context.Context, p *store.Payment) (bool, error) {
	release, ok := t.take(p.ID, "resolver", t.resolverLease())
	if !ok {
		return false, nil // a live flow owns it
	}
	defer release()
	if err := t.reread(ctx, p); err != nil {
		return false, err
	}
	if !p.State.Pending() {
		return false, nil // settled since it was listed
	}
	prov, err := t.provider(p)
	if err != nil {
		return false, err
	}
	out, a, err := t.d.Network.Settle(ctx, request(prov, p), nil)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	noteStatus(p, out, a)
	_, err = t.apply(ctx, "resolver", p, out, a, err)
	return !p.State.Pending(), err
}

// Recover brings the books and the device in line after a start: a payment
// caught in pay_sent is unknown and goes to the resolver; a receipt caught
// half-made is decided from the device's last document (and an open receipt
// cancelled), a cash operation from its document number; queued receipts
// are tried again; payments abandoned before pay for longer than the check
// window are cancelled. It returns the payments it found interrupted.
func (t *Till) Recover(ctx context.Context) (Recovered, error) {
	var errs []error
	var found []int64
	if t.d.Register != nil {
		// A cash operation caught half-made is decided first, while the
		// device's document number still tells.
		t.fiscalMu.Lock()
		err := t.settleCash(ctx)
		t.fiscalMu.Unlock()
		if err != nil {
			errs = append(errs, err)
		}
	}
	ps, err := t.d.Store.PendingPayments(ctx)
	if err != nil {
		return Recovered{}, err
	}
	for _, p := range ps {
		if p.State == store.StatePaySent && t.owner(p.ID) == "" {
			p.NextStatusAt = t.d.Clock.Now()
			if err := t.step(ctx, "recover", StepRecoveredUnknown, p); err != nil && !errors.Is(err, store.ErrConflict) {
				return Recovered{}, err
			}
			found = append(found, p.ID)
		}
	}
	if _, err := t.ResolvePending(ctx, true); err != nil {
		errs = append(errs, err)
	}
	if err := t.RetryReceipts(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := t.recoverRefunds(ctx); err != nil {
		errs = append(errs, err)
	}
	var old []*store.Payment
	for _, s := range life[StepAbandoned].from {
		more, err := t.d.Store.Payments(ctx, store.Filter{To: t.d.Clock.Now().Add(-CheckWindow), Limit: 1000, State: s})
		if err != nil {
			return Recovered{}, err
		}
		old = append(old, more...)
	}
	for _, p := range old {
		p.ResolvedAt = t.d.Clock.Now()
		if err := t.step(ctx, "recover", StepAbandoned, p); err != nil && !errors.Is(err, store.ErrConflict) {
			return Recovered{}, err
		}
	}
	var rec Recovered
	for _, id := range found {
		p, err := t.d.Store.Payment(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rec.Payments = append(rec.Payments, p)
	}
	return rec, errors.Join(errs...)
}

// Recovered is what a start found interrupted: the payments caught with
// their pay sent and no answer recorded, as they stand once recovery asked
// the network (paid, not paid, or still open for the resolver).
type Recovered struct {
	Payments []*store.Payment
}

// RetryReceipts tries every queued receipt once.
func (t *Till) RetryReceipts(ctx context.Context) error {
	if t.d.Register == nil {
		return nil
	}
	q, err := t.d.Store.ReceiptQueue(ctx)
	if err != nil {
		return err
	}
	// A started receipt first: while one waits undecided, another made
	// before it would stand between it and the register's last document.
	slices.SortStableFunc(q, func(a, b *store.Payment) int {
		return cmp.Compare(stateRank(a), stateRank(b))
	})
	var errs []error
	for _, p := range q {
		release, ok := t.take(p.ID, "receipt queue", t.resolverLease())
		if !ok {
			continue // its flow makes it
		}
		err := t.Fiscalize(ctx, p)
		release()
		if err != nil {
			errs = append(errs, err)
			if KindOf(err) == KindDevice {
				break // the device is down: the rest wait too
			}
		}
	}
	return errors.Join(errs...)
}

// stateRank orders the receipt queue: started receipts, then the others.
func stateRank(p *store.Payment) int {
	if p.FiscalState == store.FiscalStarted {
		return 0
	}
	return 1
}

// Run resolves pending payments in the background until ctx ends, checking
// every tick (and retrying queued receipts every tenth tick).
func (t *Till) Run(ctx context.Context, tick time.Duration) {
	for i := 0; ; i++ {
		if _, err := t.ResolvePending(ctx, false); err != nil && ctx.Err() == nil {
			t.log.Warn("app: resolver", "err", err)
		}
		if i%10 == 9 {
			if err := t.RetryReceipts(ctx); err != nil && ctx.Err() == nil {
				t.log.Warn("app: receipt queue", "err", err)
			}
		}
		if err := clock.Sleep(ctx, t.d.Clock, tick); err != nil {
			return
		}
	}
}

// Pending lists payments whose outcome is not known, with their progress.
func (t *Till) Pending(ctx context.Context) ([]*store.Payment, error) {
	return t.d.Store.PendingPayments(ctx)
}

// ReceiptQueue lists paid payments whose receipt is not made.
func (t *Till) ReceiptQueue(ctx context.Context) ([]*store.Payment, error) {
	return t.d.Store.ReceiptQueue(ctx)
}

// Balance asks the dealer's balance with a fresh SESSION.
func (t *Till) Balance(ctx context.Context) (money.Amount, error) {
	l, err := t.Limits(ctx)
	return l.Rest, err
}
