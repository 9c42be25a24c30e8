package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"paydesk/store"
)

// Who works a payment once pay was sent for it: one actor at a time.
//
// The cashier's flow (Confirm) owns its payment from the moment it decides
// to send pay until it returns: through the pay, the status requests while
// the cashier waits, the receipt and the slip. The resolver (the background
// loop, the Pending screen's "check now", recovery on start) takes a
// payment only when no live flow owns it, and holds it while it asks about
// it; so it takes what a start found in flight, what the interactive
// schedule left open, and what a flow gave up on. A lease ends by itself
// after the longest the owner can take (every request timing out), so a
// hung flow does not keep a payment for ever; what then decides between
// the late flow and the resolver is the compare-and-set of every write
// (store.ErrConflict): only the actor whose write lands acts on the network
// or the device, and the other reports what is stored.
type owners struct {
	mu    sync.Mutex
	lease map[int64]lease
	next  uint64
}

type lease struct {
	who   string
	until time.Time
	token uint64
}

// take gives payment id to who for d, unless another actor's lease is
// still running. release gives it back; it does nothing once the lease
// has ended and another actor took the payment.
func (t *Till) take(id int64, who string, d time.Duration) (release func(), ok bool) {
	o := &t.owners
	now := t.d.Clock.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if l, held := o.lease[id]; held && now.Before(l.until) {
		return nil, false
	}
	if o.lease == nil {
		o.lease = map[int64]lease{}
	}
	o.next++
	token := o.next
	o.lease[id] = lease{who: who, until: now.Add(d), token: token}
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if l := o.lease[id]; l.token == token {
			delete(o.lease, id)
		}
	}, true
}

// owner names who works the payment now ("" when nobody does).
func (t *Till) owner(id int64) string {
	o := &t.owners
	now := t.d.Clock.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if l, held := o.lease[id]; held && now.Before(l.until) {
		return l.who
	}
	return ""
}

// flowLease is the longest a cashier's Confirm may take: a re-check, the
// pay and every status request of the interactive schedule each timing
// out, the schedule's waits, and a minute for the receipt.
func (t *Till) flowLease() time.Duration {
	d := time.Minute
	for _, w := range t.d.Settle {
		d += w + t.d.Network.Timeout()
	}
	return d + 4*t.d.Network.Timeout()
}

// resolverLease is the longest the resolver may take over one payment: a
// status request timing out, and a minute for the receipt.
func (t *Till) resolverLease() time.Duration { return t.d.Network.Timeout() + time.Minute }

// save writes a step of p over the stored version it was decided on. When
// another actor's step came first, nothing is written: p becomes the
// payment as stored and the store.ErrConflict is returned. Any other
// failure (a full disk) leaves p as stored too: the caller's copy never
// says more than the books.
func (t *Till) save(ctx context.Context, actor, step string, p *store.Payment, kept ...store.Record) error {
	err := t.d.Store.UpdatePayment(ctx, actor, step, p, kept...)
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrConflict) {
		t.log.Info("app: payment changed by another step", "session", p.Session, "step", step, "actor", actor, "err", err)
	} else {
		t.log.Error("app: a payment's step not written", "session", p.Session, "step", step, "actor", actor, "err", err)
	}
	if rerr := t.reread(ctx, p); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// reread replaces the caller's copy of p with the stored row.
func (t *Till) reread(ctx context.Context, p *store.Payment) error {
	cur, err := t.d.Store.Payment(ctx, p.ID)
	if err != nil {
		return err
	}
	*p = *cur
	return nil
}
