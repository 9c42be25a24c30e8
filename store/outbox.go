package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"paydesk/money"
)

// Event is one entry of the outbox: what the books decided, as a hub
// learns it. It is written in the same transaction as the change it
// records and never changed after; Seq counts 1, 2, ... without gaps.
type Event struct {
	Seq  int64
	Kind string // EventPayment, EventShift or EventCash
	At   time.Time
	Body []byte // the JSON of a PaymentEvent, ShiftEvent or CashEvent
}

// The kinds of events.
const (
	EventPayment = "payment"
	EventShift   = "shift"
	EventCash    = "cash"
	EventHealth  = "health"
)

// HealthEvent is the desk's state at a moment, as a hub shows it.
type HealthEvent struct {
	LastSync   time.Time    `json:"last_sync,omitzero"` // the network's last answer
	ShiftOpen  bool         `json:"shift_open"`
	Register   string       `json:"register"` // "ok" or what is wrong
	Drive      string       `json:"drive"`    // "ok" or what is wrong with the fiscal drive
	Warnings   []string     `json:"warnings,omitempty"`
	Pending    int          `json:"pending"`
	Disputed   int          `json:"disputed"`
	RefundsDue int          `json:"refunds_due"`
	Balance    money.Amount `json:"balance"`
	Version    string       `json:"version"`
}

// Health writes the desk's state as an event of the outbox.
func (s *Store) Health(ctx context.Context, h HealthEvent) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.emit(ctx, tx, EventHealth, h) })
}

// PaymentEvent is a payment that reached a final state (paid, failed, not
// paid after pay was sent, disputed, refunded) or whose return receipt was
// made: the payment as it stands then. A payment has one event per such
// step; the last one is how it ended.
type PaymentEvent struct {
	Session      string `json:"session"`
	Provider     string `json:"provider"`
	ProviderName string `json:"provider_name"`
	Number       string `json:"number"` // the payer's (a hub is sent it masked)
	// Lookup is the code of the payer's look-up on the hub, printed on the
	// slip; "" without a hub.
	Lookup         string       `json:"lookup,omitempty"`
	Amount         money.Amount `json:"amount"`
	Fee            money.Amount `json:"fee"`
	Total          money.Amount `json:"total"`
	Commission     money.Amount `json:"commission"`
	CommissionRule string       `json:"commission_rule,omitempty"`
	Cashier        string       `json:"cashier"`
	ShiftID        int64        `json:"shift"`
	State          State        `json:"state"`
	From           State        `json:"from"` // the state the step left
	Refund         RefundState  `json:"refund,omitempty"`
	FD             int64        `json:"fd,omitempty"`
	RefundFD       int64        `json:"refund_fd,omitempty"`
	TransID        string       `json:"transid,omitempty"`
	Created        time.Time    `json:"created"`
	PaySent        time.Time    `json:"pay_sent,omitzero"`
	Resolved       time.Time    `json:"resolved,omitzero"`
}

// ShiftEvent is a closed shift with its totals and the cash counted.
type ShiftEvent struct {
	ID           int64        `json:"id"`
	Device       int          `json:"device"` // the fiscal drive's shift number
	Opened       time.Time    `json:"opened"`
	Closed       time.Time    `json:"closed"`
	OpenedBy     string       `json:"opened_by"`
	ClosedBy     string       `json:"closed_by"`
	Payments     int          `json:"payments"`
	Amount       money.Amount `json:"amount"`
	Fee          money.Amount `json:"fee"`
	Total        money.Amount `json:"total"`
	Commission   money.Amount `json:"commission"`
	Refunded     money.Amount `json:"refunded"`
	CashIn       money.Amount `json:"cash_in"`
	CashOut      money.Amount `json:"cash_out"`
	OpeningFloat money.Amount `json:"opening_float"`
	Expected     money.Amount `json:"expected"`
	Counted      money.Amount `json:"counted"`
}

// CashEvent is a finished cash operation put in or taken out (the opening
// float is the shift's).
type CashEvent struct {
	ID      int64        `json:"id"`
	ShiftID int64        `json:"shift"`
	Cashier string       `json:"cashier"`
	Kind    string       `json:"kind"` // in, out, float
	Amount  money.Amount `json:"amount"`
	At      time.Time    `json:"at"`
	FD      int          `json:"fd,omitempty"`
}

// outboxSent is meta's row holding the last event a hub applied.
const outboxSent = "outbox.sent"

// eventful reports whether a payment's step from old to p is one a hub
// learns: a final state entered, or the refund's state changed.
func eventful(oldState State, oldRefund RefundState, p *Payment) bool {
	if p.RefundState != oldRefund && p.RefundState != RefundStarted {
		return true
	}
	if p.State == oldState {
		return false
	}
	switch p.State {
	case StatePaid, StateFailed, StateDisputed, StateRefunded:
		return true
	case StateNotPaid:
		return !p.PaySentAt.IsZero() // a pay that never happened; before pay nothing was taken
	}
	return false
}

func (s *Store) emit(ctx context.Context, tx *sql.Tx, kind string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	if _, err := s.txExec(ctx, tx, qAddEvent, kind, s.now(), string(b)); err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	return nil
}

func (s *Store) emitPayment(ctx context.Context, tx *sql.Tx, p *Payment, from State) error {
	var login string
	if err := s.txQueryRow(ctx, tx, qCashierLogin, p.CashierID).Scan(&login); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: outbox: %w", err)
	}
	return s.emit(ctx, tx, EventPayment, PaymentEvent{Session: p.Session, Provider: p.ProviderCode, ProviderName: p.ProviderName,
		Number: p.PayerID, Lookup: p.Lookup, Amount: p.Amount, Fee: p.Fee, Total: p.Total, Commission: p.Commission, CommissionRule: p.CommissionRule,
		Cashier: login, ShiftID: p.ShiftID, State: p.State, From: from, Refund: p.RefundState, FD: p.FD, RefundFD: p.RefundFD, TransID: p.TransID,
		Created: p.CreatedAt.UTC(), PaySent: p.PaySentAt.UTC(), Resolved: p.ResolvedAt.UTC()})
}

// loginOf is a cashier's login ("" when there is none by the id).
func (s *Store) loginOf(ctx context.Context, tx *sql.Tx, id int64) string {
	var login string
	_ = s.txQueryRow(ctx, tx, qCashierLogin, id).Scan(&login)
	return login
}

const (
	qAddEvent     = "INSERT INTO outbox (kind, at, body) VALUES (?, ?, ?)"
	qCashierLogin = "SELECT login FROM cashiers WHERE id = ?"
)

// Outbox returns up to limit events after seq after, oldest first.
func (s *Store) Outbox(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := s.ro.QueryContext(ctx, "SELECT seq, kind, at, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		var body string
		if err := rows.Scan(&e.Seq, &e.Kind, &at, &body); err != nil {
			return nil, err
		}
		e.At, e.Body = msTime(at), []byte(body)
		out = append(out, e)
	}
	return out, rows.Err()
}

// OutboxState is the last event written and the last a hub applied.
func (s *Store) OutboxState(ctx context.Context) (last, sent int64, err error) {
	if err := s.ro.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM outbox").Scan(&last); err != nil {
		return 0, 0, fmt.Errorf("store: outbox: %w", err)
	}
	var v string
	err = s.ro.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", outboxSent).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return last, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox: %w", err)
	}
	sent, err = strconv.ParseInt(v, 10, 64)
	return last, sent, err
}

// OutboxSent records that a hub applied every event up to seq. A number
// below the one recorded is a hub restored from an older backup: the
// events after it go again. One above the last event written is refused
// (the books were restored from an older backup than the hub's).
func (s *Store) OutboxSent(ctx context.Context, seq int64) error {
	last, _, err := s.OutboxState(ctx)
	if err != nil {
		return err
	}
	if seq < 0 || seq > last {
		return fmt.Errorf("store: outbox: the hub has applied events up to %d, but the books have written only %d: "+
			"were the books restored from an older backup than the hub's?", seq, last)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			outboxSent, strconv.FormatInt(seq, 10))
		return err
	})
}
