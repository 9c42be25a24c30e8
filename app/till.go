// Package app is PayDesk's till core: the payment workflow persisted at
// every step, the resolver of unknown outcomes, fiscal receipts exactly once,
// shifts and cash, roles, and recovery on start. It knows nothing of Fyne:
// the GUI and the CLI both drive it.
package app

import (
	"context"
	"errors"
	"log/slog"
	"paydesk/commission"
	"sync"
	"sync/atomic"
	"time"

	"paydesk/fiscal"
	"paydesk/internal/clock"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/receipts"
	"paydesk/store"
)

// ShiftLimit is how long a shift may stay open: the fiscal drive refuses
// receipts after 24 hours, so the till stops a little before.
const ShiftLimit = 24 * time.Hour

// shiftMargin is kept free before the device's own limit.
const shiftMargin = 5 * time.Minute

// CheckWindow is how long a check stays good for pay: the network allows an
// hour (ERROR 38); after this the till checks again under a new SESSION.
const CheckWindow = 50 * time.Minute

// Deps is what a Till is made of.
type Deps struct {
	Store *store.Store
	// Network is the payment network (Dealer for CyberPlat's); nil keeps
	// the books readable offline.
	Network Network
	// Register is the fiscal register; nil keeps every receipt queued.
	Register fiscal.Register
	Clock    clock.Clock
	Log      *slog.Logger
	Agent    receipts.Agent
	// Fee is the point's fee to the payer as a rate of the amount (0: none).
	Fee money.Rate
	// Schedules, when set, give the point's fee and the partner's
	// commission by provider, weekday, time and amount; a payment no rule
	// matches takes Fee and the catalogue's rate.
	Schedules *commission.Schedules
	// BalanceWarn: below this balance the window warns (0: never).
	BalanceWarn money.Amount
	// HubURL and HubPoint, when set, give each payment a look-up code and
	// its slip the hub's address of it (the payer checks the payment there).
	HubURL, HubPoint string
	// LineWidth of the register's tape when it cannot be read [32].
	LineWidth int
	// Settle is the status schedule while the cashier waits
	// [gateway.InteractiveSchedule].
	Settle []time.Duration
	// Training: the till takes payments even when the register's
	// registration does not match the configuration (it still warns).
	Training bool
	// Step, when set, is called after each persisted step of a payment
	// (tests and the crash test hook into it).
	Step func(step string, p *store.Payment)
}

// Till is the core of one point. It is safe for concurrent use.
type Till struct {
	d   Deps
	log *slog.Logger

	fiscalMu  sync.Mutex   // one receipt at a time
	owners    owners       // who works which payment (owner.go)
	lineWidth atomic.Int32 // the register's, once read
	mu        sync.Mutex
	watchers  []func()
	followers []func(id int64, step Step)
	info      infoCache   // the register's Info, under mu (law.go)
	limits    limitsCache // the network's limits, under mu (limits.go)
}

// New makes a till.
func New(d Deps) *Till {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.LineWidth <= 0 {
		d.LineWidth = 32
	}
	if d.Settle == nil {
		d.Settle = gateway.InteractiveSchedule
	}
	return &Till{d: d, log: d.Log}
}

// Watch registers f to be called (from the till's goroutine) whenever a
// payment changes, so a screen can refresh its lists.
func (t *Till) Watch(f func()) {
	t.mu.Lock()
	t.watchers = append(t.watchers, f)
	t.mu.Unlock()
}

// Follow registers f to be told each step a payment takes as it is
// stored (called from the till's goroutine), so that a window waiting for a
// payment can say where it is: sent, asking its status, printing.
func (t *Till) Follow(f func(id int64, step Step)) {
	t.mu.Lock()
	t.followers = append(t.followers, f)
	t.mu.Unlock()
}

func (t *Till) changed(step string, p *store.Payment) {
	if t.d.Step != nil {
		t.d.Step(step, p)
	}
	t.mu.Lock()
	ws := append([]func(){}, t.watchers...)
	fs := append([]func(int64, Step){}, t.followers...)
	t.mu.Unlock()
	if p != nil {
		for _, f := range fs {
			f(p.ID, Step(step))
		}
	}
	for _, w := range ws {
		w()
	}
}

// User is a signed-in cashier.
type User struct {
	*store.Cashier
}

// SignIn checks a cashier's PIN; wrong PINs count toward the lockout.
func (t *Till) SignIn(ctx context.Context, login, pin string) (*User, error) {
	c, err := t.d.Store.Authenticate(ctx, login, pin)
	if err != nil {
		return nil, err
	}
	return &User{c}, nil
}

// Approve signs a manager in over a cashier for one action: the manager's
// PIN is checked (and counted) like any other.
func (t *Till) Approve(ctx context.Context, login, pin, action string) (*User, error) {
	u, err := t.SignIn(ctx, login, pin)
	if err != nil {
		return nil, err
	}
	if u.Role.Rank() < store.RoleManager.Rank() {
		return nil, fail(action, KindForbidden, i18n.M("app.manager_only"), nil)
	}
	return u, nil
}

// Unlock lets a manager clear a cashier's PIN lock.
func (t *Till) Unlock(ctx context.Context, manager *User, login string) error {
	if err := need(manager, store.RoleManager, "unlock"); err != nil {
		return err
	}
	return t.d.Store.Unlock(ctx, manager.Login, login)
}

// Raw lets an administrator act outside the till's flows (a raw gateway
// request, a register command by hand: what paydeskctl gw and kkm do) and
// writes what is done to the audit, before it is done; result is the
// audit's second row, after it, and says how it ended.
func (t *Till) Raw(ctx context.Context, u *User, action, detail string) (result func(outcome string), err error) {
	if err := need(u, store.RoleAdmin, action); err != nil {
		return nil, err
	}
	if err := t.d.Store.Note(ctx, u.Login, "raw."+action, detail); err != nil {
		return nil, err
	}
	return func(outcome string) {
		if err := t.d.Store.Note(context.WithoutCancel(ctx), u.Login, "raw."+action+".done", outcome); err != nil {
			t.log.Warn("app: the outcome of a raw command was not audited", "action", action, "err", err)
		}
	}, nil
}

// need checks the user's role in the core, not only in the UI.
func need(u *User, r store.Role, op string) error {
	if u == nil || u.Cashier == nil {
		return fail(op, KindForbidden, i18n.M("app.sign_in"), nil)
	}
	if u.Role.Rank() < r.Rank() {
		return fail(op, KindForbidden, i18n.M("app.only_role", "role", i18n.M("app.role."+string(r))), nil)
	}
	return nil
}

// cashier is the receipt's cashier (tag 1021).
func cashierOf(u *store.Cashier) fiscal.Cashier {
	return fiscal.Cashier{Name: fiscal.CashierTag(u.Position, u.FullName), INN: u.INN}
}

// openShift returns the open shift, refusing one about to pass 24 hours.
func (t *Till) openShift(ctx context.Context, op string) (*store.Shift, error) {
	sh, err := t.d.Store.CurrentShift(ctx)
	if errors.Is(err, store.ErrNoShift) {
		return nil, fail(op, KindState, i18n.M("app.no_shift"), err)
	}
	if err != nil {
		return nil, err
	}
	if t.ShiftLeft(sh) <= 0 {
		return nil, fail(op, KindState, i18n.M("app.shift_over"), nil)
	}
	return sh, nil
}

// ShiftLeft is the time left before the till stops taking payments in the
// shift (24 hours less a margin).
func (t *Till) ShiftLeft(sh *store.Shift) time.Duration {
	if sh == nil || !sh.Open() {
		return 0
	}
	return sh.OpenedAt.Add(ShiftLimit - shiftMargin).Sub(t.d.Clock.Now())
}
