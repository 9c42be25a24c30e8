package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"paydesk/app/config"
	"paydesk/hub/push"
	"paydesk/hub/wire"
	"paydesk/internal/i18n"
	"paydesk/protocol/ipriv"
	"paydesk/store"
)

// outbox is the books' outbox as the hub's sender reads it: each stored
// event put in the hub's wire form.
type outbox struct{ s *store.Store }

func (o outbox) After(ctx context.Context, seq int64, n int) ([]wire.Event, error) {
	es, err := o.s.Outbox(ctx, seq, n)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Event, 0, len(es))
	for _, e := range es {
		w, err := wireEvent(e)
		if err != nil {
			return nil, fmt.Errorf("app: outbox event %d: %w", e.Seq, err)
		}
		out = append(out, w)
	}
	return out, nil
}

func (o outbox) Applied(ctx context.Context, seq int64) error { return o.s.OutboxSent(ctx, seq) }

func (o outbox) Rewound(ctx context.Context) (int64, bool, error) { return o.s.Rewound(ctx) }

// wireEvent is a stored event in the hub's form.
func wireEvent(e store.Event) (wire.Event, error) {
	w := wire.Event{Seq: e.Seq, Type: wire.Type(e.Kind), At: e.At.UTC()}
	switch e.Kind {
	case store.EventPayment:
		var p store.PaymentEvent
		if err := json.Unmarshal(e.Body, &p); err != nil {
			return w, err
		}
		wp := &wire.Payment{Session: p.Session, Provider: p.Provider, ProviderName: p.ProviderName, Number: wire.Mask(p.Number), Lookup: p.Lookup, Amount: p.Amount, Fee: p.Fee,
			Commission: p.Commission, Cashier: p.Cashier, Shift: p.ShiftID, Accepted: p.PaySent, Final: e.At.UTC(), Closed: wire.ByNetwork}
		if wp.Accepted.IsZero() {
			wp.Accepted = p.Created
		}
		switch {
		case p.State == store.StatePaid:
			wp.State = wire.Paid
		case p.State == store.StateRefunded || p.Refund == store.RefundDone:
			wp.State, wp.Closed = wire.Refunded, wire.ByRefund
		case p.State == store.StateDisputed:
			wp.State, wp.Closed = wire.Disputed, wire.Undecided
		default: // failed, or proven not paid after pay was sent
			wp.State = wire.Failed
		}
		if p.From == store.StateDisputed && wp.State != wire.Disputed {
			wp.Closed = wire.BySupport
		}
		w.Payment = wp
	case store.EventShift:
		var s store.ShiftEvent
		if err := json.Unmarshal(e.Body, &s); err != nil {
			return w, err
		}
		w.Shift = &wire.Shift{ID: s.ID, Device: s.Device, Opened: s.Opened, Closed: s.Closed, OpenedBy: s.OpenedBy, ClosedBy: s.ClosedBy,
			Payments: s.Payments, Amount: s.Amount, Fee: s.Fee, Commission: s.Commission, Refunded: s.Refunded, CashIn: s.CashIn,
			CashOut: s.CashOut, OpeningFloat: s.OpeningFloat, Expected: s.Expected, Counted: s.Counted}
	case store.EventCash:
		var c store.CashEvent
		if err := json.Unmarshal(e.Body, &c); err != nil {
			return w, err
		}
		w.Cash = &wire.Cash{Op: wire.CashOp(c.Kind), Amount: c.Amount, Cashier: c.Cashier, Shift: c.ShiftID}
	case store.EventHealth:
		var h store.HealthEvent
		if err := json.Unmarshal(e.Body, &h); err != nil {
			return w, err
		}
		w.Health = &wire.Health{LastSync: h.LastSync, ShiftOpen: h.ShiftOpen, Register: h.Register, Drive: h.Drive,
			Warnings: h.Warnings, Pending: h.Pending, Disputed: h.Disputed, RefundsDue: h.RefundsDue, Balance: h.Balance, Version: h.Version}
	default:
		return w, fmt.Errorf("an event of kind %q", e.Kind)
	}
	return w, nil
}

// healthEvery is how often the desk writes its state for the hub.
const healthEvery = 5 * time.Minute

// Shipper sends the books' outbox to the hub (hub: in the configuration)
// in the background: after every change, every hub.every, and with
// backoff while the hub cannot be reached; the desk's state every five
// minutes. It never changes the books but for the hub's acknowledgement.
type Shipper struct {
	till   *Till
	sender *push.Sender
	every  time.Duration
	wake   chan struct{}
	stop   context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	err  error // the last failure; nil once the hub took everything
	seen time.Time
}

// ShipState is how the shipping stands: what the books wrote, what the
// hub has applied, and the last failure.
type ShipState struct {
	Written, Applied int64
	Err              error
}

// startShipper starts shipping to the configured hub with the point's key.
func startShipper(t *Till, cfg *config.Config, key *ipriv.SecretKey, hc *http.Client, version string) (*Shipper, error) {
	if key == nil {
		return nil, fail("hub", KindConfig, i18n.M("app.hub_no_key"), nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sh := &Shipper{till: t, every: cfg.Hub.Every, wake: make(chan struct{}, 1), stop: cancel, done: make(chan struct{})}
	sh.sender = &push.Sender{Hub: cfg.Hub.URL, Point: cfg.Hub.Point, Key: key, Outbox: outbox{t.d.Store}, Client: hc,
		Clock: t.d.Clock, Log: t.log, Lang: cfg.Language}
	t.Watch(sh.poke)
	go sh.run(ctx, version)
	return sh, nil
}

func (sh *Shipper) poke() {
	select {
	case sh.wake <- struct{}{}:
	default:
	}
}

func (sh *Shipper) run(ctx context.Context, version string) {
	defer close(sh.done)
	go sh.health(ctx, version)
	for ctx.Err() == nil {
		_, acked, err := sh.till.d.Store.OutboxState(ctx)
		if err == nil {
			err = sh.sender.Run(ctx, acked, sh.every, 5*time.Minute, sh.wake)
		}
		if ctx.Err() != nil {
			return
		}
		sh.mu.Lock()
		sh.err = err
		sh.mu.Unlock()
		var refused *push.Refused
		if errors.As(err, &refused) {
			sh.till.log.Error("app: the hub refused the desk's events: a person must look", "err", err)
		}
		// Try again later: a refusal may be cured on the hub (the point
		// registered, its key replaced).
		select {
		case <-ctx.Done():
			return
		case <-sh.till.d.Clock.After(5 * time.Minute):
		case <-sh.wake:
		}
	}
}

// health writes the desk's state for the hub now and every healthEvery.
func (sh *Shipper) health(ctx context.Context, version string) {
	for {
		if err := sh.till.writeHealth(ctx, version); err != nil && ctx.Err() == nil {
			sh.till.log.Warn("app: the desk's state for the hub was not written", "err", err)
		}
		sh.poke()
		select {
		case <-ctx.Done():
			return
		case <-sh.till.d.Clock.After(healthEvery):
		}
	}
}

// State says how the shipping stands.
func (sh *Shipper) State(ctx context.Context) ShipState {
	w, a, err := sh.till.d.Store.OutboxState(ctx)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if err == nil && a < w {
		err = sh.err
	}
	return ShipState{Written: w, Applied: a, Err: err}
}

// Sync wakes the shipper now.
func (sh *Shipper) Sync() { sh.poke() }

// closeSync bounds the last sync Close makes.
const closeSync = 3 * time.Second

// Close stops the shipping after one last sync of at most a few seconds
// (a paydeskctl command's payment reaches the hub before it exits); what
// is not sent goes at the next start.
func (sh *Shipper) Close() error {
	sh.stop()
	<-sh.done
	ctx, cancel := context.WithTimeout(context.Background(), closeSync)
	defer cancel()
	if _, acked, err := sh.till.d.Store.OutboxState(ctx); err == nil {
		if _, err := sh.sender.Sync(ctx, acked); err != nil {
			sh.till.log.Info("app: the hub will get the rest at the next start", "err", err)
		}
	}
	return nil
}

// writeHealth writes the desk's state as an outbox event.
func (t *Till) writeHealth(ctx context.Context, version string) error {
	h := store.HealthEvent{Register: "ok", Drive: "ok", Version: version}
	if st, err := t.d.Store.CurrentShift(ctx); err == nil && st != nil {
		h.ShiftOpen = true
	}
	if l, at := t.KnownLimits(); !at.IsZero() {
		h.Balance, h.LastSync = l.Rest, at.UTC()
	}
	if ps, err := t.Pending(ctx); err == nil {
		h.Pending = len(ps)
	}
	if ds, err := t.d.Store.Payments(ctx, store.Filter{State: store.StateDisputed, Limit: 10_000}); err == nil {
		h.Disputed = len(ds)
	}
	if rs, err := t.d.Store.Refunds(ctx); err == nil {
		h.RefundsDue = len(rs)
	}
	if t.d.Register == nil {
		h.Register = "none"
	} else if _, err := t.d.Register.Status(ctx); err != nil {
		h.Register = err.Error()
	}
	t.mu.Lock()
	in := t.info
	t.mu.Unlock()
	if in.ok {
		for _, w := range t.DriveWarnings(in.info) {
			h.Warnings = append(h.Warnings, w.Key)
		}
		if len(h.Warnings) > 0 {
			h.Drive = "warn"
		}
	}
	return t.d.Store.Health(ctx, h)
}
