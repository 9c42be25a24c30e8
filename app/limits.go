package app

import (
	"context"
	"time"

	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/store"
)

// Limits is what the network says the point may spend (gateway.Limits).
type Limits = gateway.Limits

// limitsFresh is how long the limits last asked are trusted to refuse a
// payment before its check; older ones are asked again, and without an
// answer the network's own refusal (ERROR 21, 81, 82) says it.
const limitsFresh = 15 * time.Minute

// limitsCache is the limits last asked and when, the balance lowered by
// every payment accepted since. Under Till.mu.
type limitsCache struct {
	l  Limits
	at time.Time
}

// Limits asks the network what the point may spend and keeps it for the
// pre-check test.
func (t *Till) Limits(ctx context.Context) (Limits, error) {
	if err := t.online("balance"); err != nil {
		return Limits{}, err
	}
	sess, err := t.d.Store.NewSession(ctx)
	if err != nil {
		return Limits{}, err
	}
	l, err := t.d.Network.Balance(ctx, sess)
	if err != nil {
		return Limits{}, err
	}
	t.mu.Lock()
	t.limits = limitsCache{l: l, at: t.d.Clock.Now()}
	t.mu.Unlock()
	return l, nil
}

// KnownLimits are the limits last asked (as lowered by the payments
// accepted since) and when they were asked; zero when never.
func (t *Till) KnownLimits() (Limits, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limits.l, t.limits.at
}

// LowBalance reports whether the balance last known is below the
// configured threshold (Deps.BalanceWarn; never when none is set).
func (t *Till) LowBalance() (money.Amount, bool) {
	l, at := t.KnownLimits()
	return t.d.BalanceWarn, t.d.BalanceWarn > 0 && !at.IsZero() && l.Rest < t.d.BalanceWarn
}

// spent lowers the balance known by a payment the network accepted.
func (t *Till) spent(total money.Amount) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.limits.at.IsZero() {
		t.limits.l.Rest -= total
	}
}

// covered refuses, before the check, a payment the limits known say the
// network would refuse: more than the limit on one payment, more than the
// balance, more than what is left of the day's limit (the limit less what
// this desk's books took today). Limits older than limitsFresh are asked
// again; when the network does not answer, the check goes out and the
// network's own answer decides.
func (t *Till) covered(ctx context.Context, op string, amount, total money.Amount) error {
	l, at := t.KnownLimits()
	if at.IsZero() || t.d.Clock.Now().Sub(at) > limitsFresh {
		var err error
		if l, err = t.Limits(ctx); err != nil {
			t.log.Warn("app: the limits were not asked before the check", "err", err)
			return nil
		}
	}
	refuse := func(key string, args ...any) error {
		return fail(op, KindRefused, i18n.M(key, args...), nil)
	}
	if l.HasPerPayment && amount > l.PerPayment {
		return refuse("app.limit_payment", "amount", amount, "limit", l.PerPayment)
	}
	if total > l.Rest {
		return refuse("app.limit_rest", "rest", l.Rest, "total", total)
	}
	if l.HasDaily {
		day := t.d.Clock.Now()
		rows, err := t.d.Store.Commission(ctx, day, day, store.ByDay)
		if err != nil {
			return err
		}
		left := l.Daily - store.Sum(rows).Total
		if total > left {
			return refuse("app.limit_daily", "left", max(left, 0), "limit", l.Daily, "total", total)
		}
	}
	return nil
}
