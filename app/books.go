package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/protocol/gateway"
	"paydesk/store"
)

// The books' records as the core hands them out. The window and paydeskctl
// read them; every change goes through a Till method, which checks the
// user's role and the payment's state (nothing outside app imports store;
// internal/layers keeps it so).
type (
	// Payment is one payment and every step of it.
	Payment = store.Payment
	// State is where a payment is in its life (see steps in life.go).
	State = store.State
	// FiscalState is where a paid payment's receipt is.
	FiscalState = store.FiscalState
	// Filter selects payments for the history.
	Filter = store.Filter
	// Receipt is the text of a receipt or slip as it was printed.
	Receipt = store.Receipt
	// Shift is a cashier's shift as the books keep it.
	Shift = store.Shift
	// Totals are a shift's sums.
	Totals = store.Totals
	// Cashier is a person who signs in.
	Cashier = store.Cashier
	// Role is what a cashier may do.
	Role = store.Role
	// ReportRow is one line of the commission report.
	ReportRow = store.ReportRow
	// GroupBy is the key a commission report groups by.
	GroupBy = store.GroupBy
	// Answer is one of the network's answers about a payment, as kept.
	Answer = store.Answer
	// RefundState is where a failed payment's return receipt is.
	RefundState = store.RefundState
)

// ErrNotFound is what a lookup in the books answers when nothing matches.
var ErrNotFound = store.ErrNotFound

// The payment states (the database's and paydeskctl's words).
const (
	StateEntered       = store.StateEntered
	StateNumberChecked = store.StateNumberChecked
	StateChecked       = store.StateChecked
	StatePaySent       = store.StatePaySent
	StateAccepted      = store.StateAccepted
	StatePaid          = store.StatePaid
	StateUnknown       = store.StateUnknown
	StateDisputed      = store.StateDisputed
	StateRefunded      = store.StateRefunded
	StateFailed        = store.StateFailed
	StateNotPaid       = store.StateNotPaid
	StateRefused       = store.StateRefused
	StateCancelled     = store.StateCancelled
)

// The fiscal states of a paid payment.
const (
	FiscalNone    = store.FiscalNone
	FiscalQueued  = store.FiscalQueued
	FiscalStarted = store.FiscalStarted
	FiscalDone    = store.FiscalDone
)

// The refund states of a failed payment whose receipt was made.
const (
	RefundNone    = store.RefundNone
	RefundDue     = store.RefundDue
	RefundStarted = store.RefundStarted
	RefundDone    = store.RefundDone
)

// The roles, lowest first.
const (
	RoleCashier = store.RoleCashier
	RoleManager = store.RoleManager
	RoleAdmin   = store.RoleAdmin
)

// The commission report's groupings.
const (
	ByProvider = store.ByProvider
	ByDay      = store.ByDay
	ByCashier  = store.ByCashier
	ByShift    = store.ByShift
	ByRule     = store.ByRule
)

// ReportGroups are the commission report's groupings in the order the
// window and paydeskctl offer them.
var ReportGroups = []GroupBy{ByProvider, ByDay, ByCashier, ByShift, ByRule}

// ParseRole reads a role's name (cashier, manager, admin).
func ParseRole(s string) (Role, error) { return store.ParseRole(s) }

// SumRows is the total line of a report.
func SumRows(rows []ReportRow) ReportRow { return store.Sum(rows) }

// WriteCSV writes a commission report as CSV.
func WriteCSV(w io.Writer, by GroupBy, rows []ReportRow) error { return store.WriteCSV(w, by, rows) }

// Providers are the catalogue's providers, in its order.
func (t *Till) Providers() []*gateway.Provider {
	if t.d.Network == nil {
		return nil
	}
	return t.d.Network.Providers().Providers
}

// ProvidersIn are the providers of one group.
func (t *Till) ProvidersIn(g gateway.Group) []*gateway.Provider {
	if t.d.Network == nil {
		return nil
	}
	return t.d.Network.Providers().ByGroup(g)
}

// Provider finds a provider by its code.
func (t *Till) Provider(code string) (*gateway.Provider, error) {
	if err := t.online("provider"); err != nil {
		return nil, err
	}
	return t.d.Network.Providers().Find(code)
}

// online refuses the network's work to a till opened for its books alone
// (OpenBooks).
func (t *Till) online(op string) error {
	if t.d.Network == nil {
		return fail(op, KindConfig, i18n.M("app.no_network"), nil)
	}
	return nil
}

// History lists payments for the history screen (cashiers and up).
func (t *Till) History(ctx context.Context, u *User, f Filter) ([]*Payment, error) {
	if err := need(u, RoleCashier, "history"); err != nil {
		return nil, err
	}
	return t.d.Store.Payments(ctx, f)
}

// Receipts are a payment's receipt and slip texts as printed.
func (t *Till) Receipts(ctx context.Context, u *User, p *Payment) ([]Receipt, error) {
	if err := need(u, RoleCashier, "receipts"); err != nil {
		return nil, err
	}
	return t.d.Store.Receipts(ctx, p.ID)
}

// Commission is the partner's commission report for the days from..to
// (managers and up).
func (t *Till) Commission(ctx context.Context, u *User, from, to time.Time, by GroupBy) ([]ReportRow, error) {
	if err := need(u, RoleManager, "commission report"); err != nil {
		return nil, err
	}
	return t.d.Store.Commission(ctx, from, to, by)
}

// ShiftReport is one shift of the shift report with its totals.
type ShiftReport struct {
	Shift  *Shift
	Totals Totals
}

// Shifts are the shifts opened in [from, to) with their totals (managers
// and up).
func (t *Till) Shifts(ctx context.Context, u *User, from, to time.Time) ([]ShiftReport, error) {
	if err := need(u, RoleManager, "shift report"); err != nil {
		return nil, err
	}
	shifts, err := t.d.Store.Shifts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]ShiftReport, 0, len(shifts))
	for _, sh := range shifts {
		tot, err := t.d.Store.ShiftTotals(ctx, sh)
		if err != nil {
			return nil, err
		}
		out = append(out, ShiftReport{Shift: sh, Totals: tot})
	}
	return out, nil
}

// Cashiers are the people who may sign in, for the sign-in screen.
func (t *Till) Cashiers(ctx context.Context) ([]*Cashier, error) { return t.d.Store.Cashiers(ctx) }

// lastLoginSetting remembers who signed in last, so the sign-in screen
// offers them first.
const lastLoginSetting = "ui.last_login"

// LastLogin is the login of whoever the window signed in last ("" when
// none).
func (t *Till) LastLogin(ctx context.Context) string {
	s, _ := t.d.Store.Setting(ctx, lastLoginSetting)
	return s
}

// Remember records u as the last to sign in.
func (t *Till) Remember(ctx context.Context, u *User) error {
	if err := need(u, RoleCashier, "remember sign-in"); err != nil {
		return err
	}
	return t.d.Store.SetSetting(ctx, u.Login, lastLoginSetting, u.Login)
}

// AddCashier adds a person who may sign in. Once anyone exists, an
// administrator (by) must approve; the very first may be added by nobody.
func (t *Till) AddCashier(ctx context.Context, by *User, c Cashier, pin string) (*Cashier, error) {
	const op = "add cashier"
	existing, err := t.d.Store.Cashiers(ctx)
	if err != nil {
		return nil, err
	}
	actor := "setup"
	if len(existing) > 0 || by != nil {
		if err := need(by, RoleAdmin, op); err != nil {
			return nil, err
		}
		actor = by.Login
	}
	if err := checkCashier(op, c); err != nil {
		return nil, err
	}
	return t.d.Store.AddCashier(ctx, actor, c, pin)
}

// Limits of a cashier's data: a login is what a cashier types, a name
// and position what receipts print (tag 1021 is built within 64
// characters from them, fiscal.CashierTag).
const (
	MaxLogin    = 32
	MaxName     = 128
	MaxPosition = 64
)

// checkCashier refuses a login of other than letters, digits and . _ -, a
// name or position too long or with control characters (a line break
// would print lines of its own on every receipt), and a cashier's INN
// that is not a natural person's (12 digits, tag 1203).
func checkCashier(op string, c Cashier) error {
	login, name, pos := strings.TrimSpace(c.Login), strings.TrimSpace(c.FullName), strings.TrimSpace(c.Position)
	switch {
	case login == "" || utf8.RuneCountInString(login) > MaxLogin || strings.IndexFunc(login, badLoginRune) >= 0:
		return fail(op, KindInput, i18n.M("app.cashier.login", "max", MaxLogin), nil)
	case name == "" || utf8.RuneCountInString(name) > MaxName || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fail(op, KindInput, i18n.M("app.cashier.name", "max", MaxName), nil)
	case utf8.RuneCountInString(pos) > MaxPosition || strings.IndexFunc(pos, unicode.IsControl) >= 0:
		return fail(op, KindInput, i18n.M("app.cashier.position", "max", MaxPosition), nil)
	case c.INN != "":
		if err := fiscal.CheckPersonINN(c.INN); err != nil {
			return fail(op, KindInput, i18n.M("app.cashier.inn", "value", c.INN), err)
		}
	}
	return nil
}

func badLoginRune(r rune) bool {
	return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-')
}

// HasCashiers reports whether anyone may sign in yet.
func (t *Till) HasCashiers(ctx context.Context) (bool, error) {
	cs, err := t.d.Store.Cashiers(ctx)
	return len(cs) > 0, err
}

// errNoRegister is DeviceStatus's answer when no register is configured.
var errNoRegister = errors.New("app: no fiscal register is configured")

// DeviceStatus reads the register's state for the status bar.
func (t *Till) DeviceStatus(ctx context.Context) (fiscal.Status, error) {
	if t.d.Register == nil {
		return fiscal.Status{}, errNoRegister
	}
	return t.d.Register.Status(ctx)
}

// PaymentCount counts the payments in the books, in every state.
func (t *Till) PaymentCount(ctx context.Context) (int, error) { return t.d.Store.PaymentCount(ctx) }

// BooksCheck is what CheckBooks found.
type BooksCheck struct {
	Path      string // the database file
	Schema    int    // its schema version
	AuditRows int    // rows of the audit chain, each verified
	// Sealed is the number of rows checked against the seal, per table.
	Sealed map[string]int64
}

// CheckBooks runs the database's integrity check, verifies the audit chain
// and checks every row against the seal.
func (t *Till) CheckBooks(ctx context.Context) (BooksCheck, error) {
	if err := t.d.Store.IntegrityCheck(ctx); err != nil {
		return BooksCheck{}, err
	}
	rep, err := t.d.Store.VerifySeal(ctx)
	if err != nil {
		return BooksCheck{}, booksErr(err, t.d.Store.Path())
	}
	n, err := t.d.Store.VerifyAudit(ctx)
	if err != nil {
		return BooksCheck{}, err
	}
	v, err := t.d.Store.Version(ctx)
	if err != nil {
		return BooksCheck{}, fmt.Errorf("app: schema version: %w", err)
	}
	return BooksCheck{Path: t.d.Store.Path(), Schema: v, AuditRows: n, Sealed: rep.Rows}, nil
}

// Backup writes a consistent copy of the books to file while the till runs.
func (t *Till) Backup(ctx context.Context, file string) error { return t.d.Store.Backup(ctx, file) }
