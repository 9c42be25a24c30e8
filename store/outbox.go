package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
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

// Outbox returns up to limit events after event after, oldest first, in
// the hub's numbering (see Rewound). While the books restored from a
// backup have not yet asked a hub about what it holds after them, the
// events after the backup's last are held back.
func (s *Store) Outbox(ctx context.Context, after int64, limit int) ([]Event, error) {
	m, err := s.outboxMap(ctx, s.ro)
	if err != nil {
		return nil, err
	}
	upto := int64(math.MaxInt64)
	if m.rewind > 0 {
		upto = m.rewind
	}
	rows, err := s.ro.QueryContext(ctx, "SELECT seq, kind, at, body FROM outbox WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
		m.local(after), upto, limit)
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
		e.Seq = m.hub(e.Seq)
		e.At, e.Body = msTime(at), []byte(body)
		out = append(out, e)
	}
	return out, rows.Err()
}

// OutboxState is the last event written and the last a hub applied, in
// the hub's numbering.
func (s *Store) OutboxState(ctx context.Context) (last, sent int64, err error) {
	return s.outboxState(ctx, s.ro)
}

func (s *Store) outboxState(ctx context.Context, q querier) (last, sent int64, err error) {
	m, err := s.outboxMap(ctx, q)
	if err != nil {
		return 0, 0, err
	}
	if err := q.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM outbox").Scan(&last); err != nil {
		return 0, 0, fmt.Errorf("store: outbox: %w", err)
	}
	v, err := metaValue(ctx, q, outboxSent)
	if err != nil || v == "" {
		return m.hub(last), 0, err
	}
	sent, err = strconv.ParseInt(v, 10, 64)
	return m.hub(last), sent, err
}

// OutboxSent records that a hub applied every event up to seq. A number
// below the one recorded is a hub restored from an older backup: the
// events after it go again. One above the last event written is refused
// (the books were restored from an older backup than the hub's, by a
// copy of the file: see Rewound), except when the books were restored by
// Restore and the hub has answered about the events after the backup's
// last: see Rewound.
func (s *Store) OutboxSent(ctx context.Context, seq int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		m, err := s.outboxMap(ctx, tx)
		if err != nil {
			return err
		}
		if r := m.rewind; r > 0 && seq >= m.hub(r) {
			// The hub has answered a batch that ended at the backup's last
			// event: what it holds after that was written by the books
			// before they were restored, and is not in them. The events
			// written since are numbered after the hub's.
			if seq > m.hub(r) {
				m.segs = append(m.segs, [2]int64{r + 1, seq - r})
			}
			m.rewind = 0
			if err := s.putOutboxMap(ctx, tx, m); err != nil {
				return err
			}
			s.log.Warn("store: outbox: the books were restored from a backup; the events written since go after the hub's",
				"backup_last", r, "hub_last", seq)
		}
		last, _, err := s.outboxState(ctx, tx)
		if err != nil {
			return err
		}
		if seq < 0 || seq > last {
			return fmt.Errorf("store: outbox: the hub has applied events up to %d, but the books have written only %d: "+
				"were the books restored from an older backup than the hub's by copying the file? (paydeskctl db restore numbers the events after the hub's)", seq, last)
		}
		_, err = tx.ExecContext(ctx, qPutMeta, outboxSent, strconv.FormatInt(seq, 10))
		return err
	})
}

// Rewound reports whether the books were restored from a backup (Restore)
// and have not yet learnt what a hub holds after the backup's last event,
// at: the events after it are held back (Outbox) until a hub has answered
// a batch that ends at at. A sender starts its batches at at or before,
// so that the hub answers (push.Rewound), when there is an event after
// at to send.
func (s *Store) Rewound(ctx context.Context) (at int64, pending bool, err error) {
	m, err := s.outboxMap(ctx, s.ro)
	if err != nil || m.rewind == 0 {
		return 0, false, err
	}
	var after int
	if err := s.ro.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE seq > ? LIMIT 1)", m.rewind).Scan(&after); err != nil {
		return 0, false, fmt.Errorf("store: outbox: %w", err)
	}
	return m.hub(m.rewind), after > 0, nil
}

// markRewound records that these books were just restored from a backup
// whose last event is the outbox's last (none: nothing to hold back).
func (s *Store) markRewound(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		m, err := s.outboxMap(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM outbox").Scan(&m.rewind); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		return s.putOutboxMap(ctx, tx, m)
	})
}

// outboxNumbers is how the outbox's own numbers (1, 2, … without gaps)
// become the hub's: segs are (first event, what is added from it on) in
// order, none for the same numbers; rewind is the last event of books
// restored from a backup while a hub has not yet said what it holds after
// it (0: none).
type outboxNumbers struct {
	segs   [][2]int64
	rewind int64
}

// hub is event seq's number at the hub.
func (m *outboxNumbers) hub(seq int64) int64 {
	add := int64(0)
	for _, g := range m.segs {
		if seq >= g[0] {
			add = g[1]
		}
	}
	return seq + add
}

// local is the last event whose number at the hub is h or less.
func (m *outboxNumbers) local(h int64) int64 {
	for i := len(m.segs) - 1; i >= 0; i-- {
		g := m.segs[i]
		if h >= g[0]+g[1] {
			return h - g[1]
		}
		if h >= g[0]+m.hubBefore(i) { // between segments: the hub's events, not ours
			return g[0] - 1
		}
	}
	return h
}

// hubBefore is what is added just before segment i.
func (m *outboxNumbers) hubBefore(i int) int64 {
	if i == 0 {
		return 0
	}
	return m.segs[i-1][1]
}

// The meta rows of the outbox's numbering.
const (
	outboxMapKey = "outbox.map"
	outboxRewind = "outbox.rewind"
)

func (s *Store) outboxMap(ctx context.Context, q querier) (*outboxNumbers, error) {
	m := &outboxNumbers{}
	v, err := metaValue(ctx, q, outboxMapKey)
	if err != nil {
		return nil, err
	}
	if v != "" {
		if err := json.Unmarshal([]byte(v), &m.segs); err != nil {
			return nil, fmt.Errorf("store: outbox: the numbering %q: %w", v, err)
		}
	}
	if v, err = metaValue(ctx, q, outboxRewind); err != nil {
		return nil, err
	}
	if v != "" {
		if m.rewind, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Errorf("store: outbox: the restored books' last event %q: %w", v, err)
		}
	}
	return m, nil
}

func (s *Store) putOutboxMap(ctx context.Context, tx *sql.Tx, m *outboxNumbers) error {
	b, err := json.Marshal(m.segs)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, qPutMeta, outboxMapKey, string(b)); err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	if m.rewind == 0 {
		_, err = tx.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", outboxRewind)
	} else {
		_, err = tx.ExecContext(ctx, qPutMeta, outboxRewind, strconv.FormatInt(m.rewind, 10))
	}
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	return nil
}

const qPutMeta = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"

// metaValue is meta's value of key ("" when there is none).
func metaValue(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: outbox: %w", err)
	}
	return v, nil
}

// querier is the books or a transaction of them.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
