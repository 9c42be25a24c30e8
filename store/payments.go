package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"paydesk/money"
)

// State is where a payment is in its workflow.
type State string

// The payment states. Each step is written before the request that cannot
// be taken back.
const (
	StateEntered       State = "entered"        // provider and number typed
	StateNumberChecked State = "number_checked" // REQ_TYPE=1 check passed
	StateChecked       State = "checked"        // the network agreed to the amount
	StatePaySent       State = "pay_sent"       // written before pay goes out
	StateAccepted      State = "accepted"       // pay accepted (with a TRANSID): not final, status goes on
	StatePaid          State = "paid"           // status proved it completed
	StateUnknown       State = "unknown"        // pay sent, outcome not known: the resolver asks status
	StateDisputed      State = "disputed"       // status contradicts an acceptance: a manager decides
	StateFailed        State = "failed"         // the network completed it as failed
	StateNotPaid       State = "not_paid"       // status proved it never happened
	StateRefused       State = "refused"        // refused at check: nothing was paid
	StateCancelled     State = "cancelled"      // abandoned before pay
	StateRefunded      State = "refunded"       // failed after its receipt: the return receipt is made
)

// OpenStates are the states whose outcome is not final: the resolver asks status.
var OpenStates = []State{StatePaySent, StateUnknown, StateAccepted, StateDisputed}

// KeptStates are the states in which the network has (or, by its acceptance, is
// taken to have) the payment: they count in the shift's takings, the
// commission and the reports.
var KeptStates = []State{StateAccepted, StatePaid, StateDisputed}

// Pending reports whether the payment's outcome is still open.
func (s State) Pending() bool { return slices.Contains(OpenStates, s) }

// kept reports whether the state counts in the takings.
func (s State) kept() bool { return slices.Contains(KeptStates, s) }

// inList is states as an SQL list ('a', 'b'): the Go constants are the
// only spelling of a state.
func inList(states ...State) string {
	q := make([]string, len(states))
	for i, s := range states {
		q[i] = "'" + string(s) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// FiscalState is where the payment's fiscal receipt is.
type FiscalState string

// The fiscal states of a paid payment.
const (
	FiscalNone    FiscalState = ""        // not paid (yet): no receipt due
	FiscalQueued  FiscalState = "queued"  // paid: a receipt is due
	FiscalStarted FiscalState = "started" // the device was asked; FiscalBefore holds its counter
	FiscalDone    FiscalState = "done"    // fiscalized: FD and FP known
)

// RefundState is where a failed payment's return receipt is.
type RefundState string

// The refund states of a payment whose sale receipt was made.
const (
	RefundNone    RefundState = ""        // no refund due
	RefundDue     RefundState = "due"     // failed after its receipt: the cash goes back with a return receipt
	RefundStarted RefundState = "started" // the device was asked; RefundBefore holds its counter
	RefundDone    RefundState = "done"    // the return receipt is made: RefundFD and RefundFP known
)

// Payment is one payment and every step of it.
type Payment struct {
	ID           int64
	Session      string
	ShiftID      int64
	CashierID    int64
	ProviderCode string
	ProviderName string
	PayerID      string
	// Buyer is the payer's phone (+7…) or e-mail for an electronic
	// receipt (tag 1008), "" for paper only.
	Buyer string
	// Lookup is the code with which the payer looks the payment up on the
	// hub (the slip prints its address); "" without a hub. Fixed at entry.
	Lookup string
	// Fields is what the cashier typed for a provider the network
	// describes field by field (field id to its checked value), fixed at
	// entry; nil for a provider of one number or account.
	Fields         map[string]string
	Amount         money.Amount // credited to the payer
	Fee            money.Amount // the point's fee, paid by the payer
	Total          money.Amount // taken from the payer
	CommissionRate money.Rate   // the partner's rate, snapshotted
	Commission     money.Amount
	// FeeRule and CommissionRule are the commission schedule's rules that
	// gave Fee and Commission, as they read when the amount was quoted; ""
	// for the flat rates of the configuration and the catalogue.
	FeeRule, CommissionRule string
	PayTool                 int // 0 cash, 2 card
	State                   State
	ErrorCode               int
	Result                  int
	TransID                 string
	AuthCode                string
	OpName                  string
	AddInfo                 string
	Message                 string

	CreatedAt       time.Time
	NumberCheckedAt time.Time
	CheckedAt       time.Time
	PaySentAt       time.Time
	ResolvedAt      time.Time
	StatusAttempts  int
	NextStatusAt    time.Time

	FiscalState   FiscalState
	FiscalBefore  int64 // the device's last document number before fiscalizing; -1 when unknown
	FiscalError   string
	FD            int64
	FP            int64
	FiscalShift   int
	ReceiptNo     int
	FiscalizedAt  time.Time
	SlipPrintedAt time.Time

	RefundState   RefundState
	RefundBefore  int64 // the device's last document number before the return receipt; -1 when unknown
	RefundError   string
	RefundFD      int64
	RefundFP      int64
	RefundedAt    time.Time
	RefundShiftID int64 // the shift the cash went back in

	// Version is the stored row's version this copy was read at (or last
	// wrote); UpdatePayment writes only over that version.
	Version int64
}

// ErrConflict is returned by UpdatePayment when the stored payment has
// changed since the copy was read: another actor's step came first.
var ErrConflict = errors.New("store: the payment was changed by another step")

const paymentCols = `id, session, shift_id, cashier_id, provider_code, provider_name, payer_id, amount, fee, total,
	commission_rate, commission, pay_tool, state, error_code, result, transid, authcode, opname, addinfo, message,
	created_at, number_checked_at, checked_at, pay_sent_at, resolved_at, status_attempts, next_status_at,
	fiscal_state, fiscal_before, fiscal_error, fd, fp, fiscal_shift, receipt_no, fiscalized_at, slip_printed_at, version,
	refund_state, refund_before, refund_error, refund_fd, refund_fp, refunded_at, refund_shift_id, buyer, fields, fee_rule, commission_rule, lookup`

func scanPayment(row interface{ Scan(...any) error }) (*Payment, error) {
	var p Payment
	var state, fstate, rstate string
	var created int64
	var numChecked, checked, paySent, resolved, nextStatus, before, fd, fp, fshift, rno, fiscalized, slip sql.NullInt64
	var rbefore, rfd, rfp, refunded, rshift sql.NullInt64
	var fields string
	err := row.Scan(&p.ID, &p.Session, &p.ShiftID, &p.CashierID, &p.ProviderCode, &p.ProviderName, &p.PayerID,
		&p.Amount, &p.Fee, &p.Total, &p.CommissionRate, &p.Commission, &p.PayTool, &state, &p.ErrorCode, &p.Result,
		&p.TransID, &p.AuthCode, &p.OpName, &p.AddInfo, &p.Message,
		&created, &numChecked, &checked, &paySent, &resolved, &p.StatusAttempts, &nextStatus,
		&fstate, &before, &p.FiscalError, &fd, &fp, &fshift, &rno, &fiscalized, &slip, &p.Version,
		&rstate, &rbefore, &p.RefundError, &rfd, &rfp, &refunded, &rshift, &p.Buyer, &fields, &p.FeeRule, &p.CommissionRule, &p.Lookup)
	if err != nil {
		return nil, err
	}
	p.State, p.FiscalState = State(state), FiscalState(fstate)
	if fields != "" {
		if err := json.Unmarshal([]byte(fields), &p.Fields); err != nil {
			return nil, fmt.Errorf("store: payment %s: its fields: %w", p.Session, err)
		}
	}
	p.CreatedAt = msTime(created)
	p.NumberCheckedAt, p.CheckedAt, p.PaySentAt = msTime(nullInt(numChecked)), msTime(nullInt(checked)), msTime(nullInt(paySent))
	p.ResolvedAt, p.NextStatusAt = msTime(nullInt(resolved)), msTime(nullInt(nextStatus))
	p.FiscalBefore = -1
	if before.Valid {
		p.FiscalBefore = before.Int64
	}
	p.FD, p.FP, p.FiscalShift, p.ReceiptNo = nullInt(fd), nullInt(fp), int(nullInt(fshift)), int(nullInt(rno))
	p.FiscalizedAt, p.SlipPrintedAt = msTime(nullInt(fiscalized)), msTime(nullInt(slip))
	p.RefundState, p.RefundBefore = RefundState(rstate), -1
	if rbefore.Valid {
		p.RefundBefore = rbefore.Int64
	}
	p.RefundFD, p.RefundFP, p.RefundedAt, p.RefundShiftID = nullInt(rfd), nullInt(rfp), msTime(nullInt(refunded)), nullInt(rshift)
	return &p, nil
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// CreatePayment stores a new payment in the open shift with a fresh
// SESSION, in state entered.
func (s *Store) CreatePayment(ctx context.Context, actor string, p *Payment) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var shiftID int64
		err := s.txQueryRow(ctx, tx, qOpenShiftID).Scan(&shiftID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoShift
		}
		if err != nil {
			return fmt.Errorf("store: create payment: %w", err)
		}
		sess, err := s.nextSession(ctx, tx)
		if err != nil {
			return err
		}
		p.Session, p.ShiftID, p.State, p.CreatedAt, p.FiscalBefore, p.RefundBefore = sess, shiftID, StateEntered, msTime(s.now()), -1, -1
		p.Result = -1
		fields := ""
		if len(p.Fields) > 0 {
			b, err := json.Marshal(p.Fields) // keys sorted: the same text for the same fields
			if err != nil {
				return fmt.Errorf("store: create payment: %w", err)
			}
			fields = string(b)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO payments (session, shift_id, cashier_id, provider_code, provider_name, payer_id,
			amount, fee, total, commission_rate, commission, pay_tool, state, created_at, buyer, fields, fee_rule, commission_rule, lookup)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Session, p.ShiftID, p.CashierID, p.ProviderCode, p.ProviderName, p.PayerID, p.Amount, p.Fee, p.Total,
			p.CommissionRate, p.Commission, p.PayTool, string(p.State), p.CreatedAt.UnixMilli(), p.Buyer, fields, p.FeeRule, p.CommissionRule, p.Lookup)
		if err != nil {
			return fmt.Errorf("store: create payment: %w", err)
		}
		p.ID, _ = res.LastInsertId()
		return s.audit(ctx, tx, actor, "payment.create", fmt.Sprintf("%s %s %s", p.Session, p.ProviderCode, p.PayerID))
	})
}

const (
	qOpenShiftID   = "SELECT id FROM shifts WHERE closed_at IS NULL"
	qPaymentByID   = "SELECT " + paymentCols + " FROM payments WHERE id = ?"
	qPaymentFor    = "SELECT state, paid_day, version, refund_state FROM payments WHERE id = ?"
	qUpdatePayment = `UPDATE payments SET session = ?, payer_id = ?, amount = ?, fee = ?, total = ?, commission_rate = ?, commission = ?,
			pay_tool = ?, state = ?, error_code = ?, result = ?, transid = ?, authcode = ?, opname = ?, addinfo = ?, message = ?,
			number_checked_at = ?, checked_at = ?, pay_sent_at = ?, resolved_at = ?, status_attempts = ?, next_status_at = ?,
			fiscal_state = ?, fiscal_before = ?, fiscal_error = ?, fd = ?, fp = ?, fiscal_shift = ?, receipt_no = ?, fiscalized_at = ?,
			slip_printed_at = ?, paid_day = ?, refund_state = ?, refund_before = ?, refund_error = ?, refund_fd = ?, refund_fp = ?,
			refunded_at = ?, refund_shift_id = ?, buyer = ?, fee_rule = ?, commission_rule = ?, version = version + 1 WHERE id = ? AND version = ?`
	qSummary = `INSERT INTO paid_summary (day, provider_code, cashier_id, shift_id, count, amount, fee, total, commission)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (day, provider_code, cashier_id, shift_id) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount,
					fee = fee + excluded.fee, total = total + excluded.total, commission = commission + excluded.commission`
	qAddReceipt = "INSERT INTO receipts (payment_id, kind, text, at) VALUES (?, ?, ?, ?)"
	qAddAnswer  = "INSERT INTO answers (payment_id, at, actor, op, error, result, transid) VALUES (?, ?, ?, ?, ?, ?, ?)"
)

// Record is what a step keeps beside the payment, in the same transaction:
// a printed text or a network's answer.
type Record interface{ record() }

// Printed is the text of a receipt or slip as it was printed.
type Printed struct {
	Kind string // fiscal, slip, return or return_slip
	Text string
}

// Answer is a network's answer about a payment, as the step applied it.
type Answer struct {
	Op      string // pay or status
	Error   int
	Result  int
	TransID string
	At      time.Time // filled in when kept
	Actor   string    // filled in when kept
}

func (Printed) record() {}
func (Answer) record()  {}

// UpdatePayment writes every mutable field of the payment, what the step
// keeps beside it (printed texts, the network's answers) and an audit row
// naming the step, in one transaction, only over the stored version the
// copy was read at (then p.Version is the new one); a payment changed since
// is left as it is and ErrConflict returned. The store keeps what the till
// decided and refuses nothing on rules of its own (the till's table of a
// payment's life is the rule); it keeps the report summary in step: a
// payment entering a KeptStates state is added to its day, one leaving them taken
// out of the day it was added to.
func (s *Store) UpdatePayment(ctx context.Context, actor, step string, p *Payment, records ...Record) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var oldState, oldRefund string
		var oldDay sql.NullString
		var version int64
		err := s.txQueryRow(ctx, tx, qPaymentFor, p.ID).Scan(&oldState, &oldDay, &version, &oldRefund)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: update payment: %w", err)
		}
		if version != p.Version {
			return fmt.Errorf("%w: payment %d %s is at version %d (%s), the step %s was decided at %d",
				ErrConflict, p.ID, p.Session, version, oldState, step, p.Version)
		}
		paidDay, err := s.summarize(ctx, tx, oldDay, p)
		if err != nil {
			return err
		}
		before := func(v int64) any {
			if v < 0 {
				return nil
			}
			return v
		}
		zero := func(v int64) any {
			if v == 0 {
				return nil
			}
			return v
		}
		res, err := s.txExec(ctx, tx, qUpdatePayment,
			p.Session, p.PayerID, p.Amount, p.Fee, p.Total, p.CommissionRate, p.Commission,
			p.PayTool, string(p.State), p.ErrorCode, p.Result, p.TransID, p.AuthCode, p.OpName, p.AddInfo, p.Message,
			optTime(p.NumberCheckedAt), optTime(p.CheckedAt), optTime(p.PaySentAt), optTime(p.ResolvedAt), p.StatusAttempts, optTime(p.NextStatusAt),
			string(p.FiscalState), before(p.FiscalBefore), p.FiscalError, zero(p.FD), zero(p.FP), zero(int64(p.FiscalShift)), zero(int64(p.ReceiptNo)), optTime(p.FiscalizedAt),
			optTime(p.SlipPrintedAt), paidDay, string(p.RefundState), before(p.RefundBefore), p.RefundError, zero(p.RefundFD), zero(p.RefundFP),
			optTime(p.RefundedAt), zero(p.RefundShiftID), p.Buyer, p.FeeRule, p.CommissionRule, p.ID, p.Version)
		if err != nil {
			return fmt.Errorf("store: update payment: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("%w: payment %d (%v)", ErrConflict, p.ID, err)
		}
		for _, r := range records {
			switch r := r.(type) {
			case Printed:
				_, err = s.txExec(ctx, tx, qAddReceipt, p.ID, r.Kind, r.Text, s.now())
			case Answer:
				_, err = s.txExec(ctx, tx, qAddAnswer, p.ID, s.now(), actor, r.Op, r.Error, r.Result, r.TransID)
			}
			if err != nil {
				return fmt.Errorf("store: keep %T: %w", r, err)
			}
		}
		if eventful(State(oldState), RefundState(oldRefund), p) {
			if err := s.emitPayment(ctx, tx, p, State(oldState)); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("%s %s", p.Session, p.State)
		if p.FiscalState != FiscalNone {
			detail += " fiscal=" + string(p.FiscalState)
		}
		if p.RefundState != RefundNone {
			detail += " refund=" + string(p.RefundState)
		}
		if p.ErrorCode != 0 {
			detail += fmt.Sprintf(" ERROR=%d", p.ErrorCode)
		}
		return s.audit(ctx, tx, actor, "payment."+step, detail)
	})
	if err == nil {
		p.Version++
	}
	return err
}

// summarize keeps the report summary in step with a payment going to
// p.State from a state in which it was added to the summary's day oldDay
// (when it was),
// and returns the day the payment now counts in (nil: none).
func (s *Store) summarize(ctx context.Context, tx *sql.Tx, oldDay sql.NullString, p *Payment) (any, error) {
	add := func(day string, sign int64) error {
		if _, err := s.txExec(ctx, tx, qSummary, day, p.ProviderCode, p.CashierID, p.ShiftID, sign,
			sign*int64(p.Amount), sign*int64(p.Fee), sign*int64(p.Total), sign*int64(p.Commission)); err != nil {
			return fmt.Errorf("store: update summary: %w", err)
		}
		return nil
	}
	switch {
	case p.State.kept() && oldDay.Valid:
		return oldDay.String, nil
	case p.State.kept():
		at := p.ResolvedAt
		if at.IsZero() {
			at = msTime(s.now())
		}
		day := at.In(s.loc).Format("2006-01-02")
		return day, add(day, 1)
	case oldDay.Valid:
		return nil, add(oldDay.String, -1)
	}
	return nil, nil
}

// Payment reads a payment by id.
func (s *Store) Payment(ctx context.Context, id int64) (*Payment, error) {
	p, err := scanPayment(s.queryRow(ctx, qPaymentByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// PaymentBySession reads a payment by its SESSION.
func (s *Store) PaymentBySession(ctx context.Context, session string) (*Payment, error) {
	p, err := scanPayment(s.rw.QueryRowContext(ctx, "SELECT "+paymentCols+" FROM payments WHERE session = ?", session))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// PaymentByFD finds the payment whose receipt or return receipt is fiscal
// document fd; ErrNotFound when none is.
func (s *Store) PaymentByFD(ctx context.Context, fd int64) (*Payment, error) {
	p, err := scanPayment(s.rw.QueryRowContext(ctx, "SELECT "+paymentCols+" FROM payments WHERE fd = ? OR refund_fd = ? ORDER BY id LIMIT 1", fd, fd))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

func (s *Store) queryPayments(ctx context.Context, db *sql.DB, where string, args ...any) ([]*Payment, error) {
	rows, err := db.QueryContext(ctx, "SELECT "+paymentCols+" FROM payments "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: payments: %w", err)
	}
	defer rows.Close()
	var out []*Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PendingPayments are those whose outcome is not known: pay was (or may
// have been) sent and status has not settled it. Oldest first.
func (s *Store) PendingPayments(ctx context.Context) ([]*Payment, error) {
	return s.queryPayments(ctx, s.rw, "WHERE state IN "+inList(OpenStates...)+" ORDER BY id")
}

// ReceiptQueue are the payments whose fiscal receipt is due and not made
// yet (a receipt started and not decided included).
func (s *Store) ReceiptQueue(ctx context.Context) ([]*Payment, error) {
	return s.queryPayments(ctx, s.rw, "WHERE fiscal_state IN ('queued', 'started') ORDER BY id")
}

// Refunds are the payments whose return receipt is due or started and not
// decided. Oldest first.
func (s *Store) Refunds(ctx context.Context) ([]*Payment, error) {
	return s.queryPayments(ctx, s.rw, "WHERE refund_state IN ('due', 'started') ORDER BY id")
}

// Answers lists the network's answers kept for a payment, oldest first.
func (s *Store) Answers(ctx context.Context, paymentID int64) ([]Answer, error) {
	rows, err := s.rw.QueryContext(ctx, "SELECT at, actor, op, error, result, transid FROM answers WHERE payment_id = ? ORDER BY id", paymentID)
	if err != nil {
		return nil, fmt.Errorf("store: answers: %w", err)
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		var a Answer
		var at int64
		if err := rows.Scan(&at, &a.Actor, &a.Op, &a.Error, &a.Result, &a.TransID); err != nil {
			return nil, err
		}
		a.At = msTime(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Filter selects payments for the history.
type Filter struct {
	From, To time.Time // created in [From, To); zero: no bound
	Payer    string    // part of the number or account
	Provider string
	State    State
	Limit    int // default 200
}

// Payments lists payments matching the filter, newest first.
func (s *Store) Payments(ctx context.Context, f Filter) ([]*Payment, error) {
	var conds []string
	var args []any
	if !f.From.IsZero() {
		conds, args = append(conds, "created_at >= ?"), append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "created_at < ?"), append(args, f.To.UnixMilli())
	}
	if f.Payer != "" {
		conds, args = append(conds, "payer_id LIKE ?"), append(args, "%"+f.Payer+"%")
	}
	if f.Provider != "" {
		conds, args = append(conds, "provider_code = ?"), append(args, f.Provider)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(f.State))
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	return s.queryPayments(ctx, s.ro, where+" ORDER BY id DESC LIMIT ?", append(args, f.Limit)...)
}

// PaymentCount counts the payments in the books, in every state.
func (s *Store) PaymentCount(ctx context.Context) (int, error) {
	var n int
	if err := s.ro.QueryRowContext(ctx, "SELECT count(*) FROM payments").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count payments: %w", err)
	}
	return n, nil
}

// Receipt is the text of a receipt or slip as it was printed.
type Receipt struct {
	ID        int64
	PaymentID int64
	Kind      string // fiscal, slip, return or return_slip
	Text      string
	At        time.Time
}

// AddReceipt keeps the printed text of a payment's receipt or slip.
func (s *Store) AddReceipt(ctx context.Context, paymentID int64, kind, text string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.txExec(ctx, tx, qAddReceipt, paymentID, kind, text, s.now()); err != nil {
			return fmt.Errorf("store: add receipt: %w", err)
		}
		return nil
	})
}

// Receipts returns a payment's receipts, oldest first.
func (s *Store) Receipts(ctx context.Context, paymentID int64) ([]Receipt, error) {
	rows, err := s.rw.QueryContext(ctx, "SELECT id, payment_id, kind, text, at FROM receipts WHERE payment_id = ? ORDER BY id", paymentID)
	if err != nil {
		return nil, fmt.Errorf("store: receipts: %w", err)
	}
	defer rows.Close()
	var out []Receipt
	for rows.Next() {
		var r Receipt
		var at int64
		if err := rows.Scan(&r.ID, &r.PaymentID, &r.Kind, &r.Text, &at); err != nil {
			return nil, err
		}
		r.At = msTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// FiscalDocs maps every fiscal document number the books hold from fd on
// to its payment: receipts (fd) and return receipts (refund_fd).
func (s *Store) FiscalDocs(ctx context.Context, fd int64) (map[int64]int64, error) {
	rows, err := s.ro.QueryContext(ctx, `SELECT fd, id FROM payments WHERE fd >= ?
		UNION ALL SELECT refund_fd, id FROM payments WHERE refund_fd >= ?`, fd, fd)
	if err != nil {
		return nil, fmt.Errorf("store: fiscal documents: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var d, id int64
		if err := rows.Scan(&d, &id); err != nil {
			return nil, fmt.Errorf("store: fiscal documents: %w", err)
		}
		out[d] = id
	}
	return out, rows.Err()
}
