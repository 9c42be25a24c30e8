package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"paydesk/money"
)

// Shift is a cashier shift.
type Shift struct {
	ID           int64
	OpenedAt     time.Time
	OpenedBy     int64
	OpeningFloat money.Amount
	DeviceShift  int
	ClosedAt     time.Time // zero while open
	ClosedBy     int64
	Expected     money.Amount
	Counted      money.Amount
	Difference   money.Amount // counted − expected
}

// Open reports whether the shift is open.
func (s *Shift) Open() bool { return s.ClosedAt.IsZero() }

// Shift errors.
var (
	ErrShiftOpen   = errors.New("store: a shift is already open")
	ErrNoShift     = errors.New("store: no shift is open")
	ErrBadCashOp   = errors.New("store: cash operation amount must be positive")
	ErrNotEnoughIn = errors.New("store: not that much cash in the drawer")
)

const shiftCols = "id, opened_at, opened_by, opening_float, device_shift, closed_at, closed_by, expected_cash, counted_cash, difference"

func scanShift(row interface{ Scan(...any) error }) (*Shift, error) {
	var s Shift
	var opened int64
	var closed, closedBy, exp, cnt, diff sql.NullInt64
	if err := row.Scan(&s.ID, &opened, &s.OpenedBy, &s.OpeningFloat, &s.DeviceShift, &closed, &closedBy, &exp, &cnt, &diff); err != nil {
		return nil, err
	}
	s.OpenedAt = msTime(opened)
	s.ClosedAt = msTime(nullInt(closed))
	s.ClosedBy = nullInt(closedBy)
	s.Expected, s.Counted, s.Difference = money.Amount(nullInt(exp)), money.Amount(nullInt(cnt)), money.Amount(nullInt(diff))
	return &s, nil
}

// Opening is how a shift opens.
type Opening struct {
	Float       money.Amount // the cash put in the drawer to start with
	DeviceShift int          // the register's shift number
	OpenedAt    time.Time    // the register's opening time when adopted; zero: now
	// FloatDoc is the register's document number before the float is put
	// on it; -1 when there is no register. With a float and a register,
	// the float's cash operation is recorded as started in the same
	// transaction as the shift, so that a crash between them cannot leave
	// the books holding a float the register was never asked for.
	FloatDoc int
}

// OpenShift opens a shift with an opening float.
func (s *Store) OpenShift(ctx context.Context, actor string, cashierID int64, o Opening) (*Shift, error) {
	var sh *Shift
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM shifts WHERE closed_at IS NULL").Scan(&n); err != nil {
			return fmt.Errorf("store: open shift: %w", err)
		}
		if n > 0 {
			return ErrShiftOpen
		}
		now := s.now()
		if !o.OpenedAt.IsZero() {
			now = o.OpenedAt.UnixMilli()
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO shifts (opened_at, opened_by, opening_float, device_shift) VALUES (?, ?, ?, ?)", now, cashierID, o.Float, o.DeviceShift)
		if err != nil {
			return fmt.Errorf("store: open shift: %w", err)
		}
		id, _ := res.LastInsertId()
		sh = &Shift{ID: id, OpenedAt: msTime(now), OpenedBy: cashierID, OpeningFloat: o.Float, DeviceShift: o.DeviceShift}
		if err := s.audit(ctx, tx, actor, "shift.open", fmt.Sprintf("shift %d, float %v, device shift %d", id, o.Float, o.DeviceShift)); err != nil {
			return err
		}
		if o.Float <= 0 || o.FloatDoc < 0 {
			return nil
		}
		res, err = tx.ExecContext(ctx, "INSERT INTO cash_ops (shift_id, cashier_id, kind, amount, at, state, doc_before) VALUES (?, ?, 'float', ?, ?, 'started', ?)",
			id, cashierID, o.Float, s.now(), o.FloatDoc)
		if err != nil {
			return fmt.Errorf("store: cash float: %w", err)
		}
		op, _ := res.LastInsertId()
		return s.audit(ctx, tx, actor, "cash.float.started", fmt.Sprintf("shift %d, %v, operation %d", id, o.Float, op))
	})
	return sh, err
}

// CurrentShift returns the open shift, or ErrNoShift.
func (s *Store) CurrentShift(ctx context.Context) (*Shift, error) {
	sh, err := scanShift(s.queryRow(ctx, qCurrentShift))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoShift
	}
	return sh, err
}

const qCurrentShift = "SELECT " + shiftCols + " FROM shifts WHERE closed_at IS NULL"

// ShiftByID reads a shift.
func (s *Store) ShiftByID(ctx context.Context, id int64) (*Shift, error) {
	sh, err := scanShift(s.rw.QueryRowContext(ctx, "SELECT "+shiftCols+" FROM shifts WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return sh, err
}

// Shifts lists shifts opened in [from, to), newest first.
func (s *Store) Shifts(ctx context.Context, from, to time.Time) ([]*Shift, error) {
	rows, err := s.ro.QueryContext(ctx, "SELECT "+shiftCols+" FROM shifts WHERE opened_at >= ? AND opened_at < ? ORDER BY id DESC", from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: shifts: %w", err)
	}
	defer rows.Close()
	var out []*Shift
	for rows.Next() {
		sh, err := scanShift(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// Totals sums a shift.
type Totals struct {
	Payments     int          // payments the network has (accepted, paid, disputed)
	Amount       money.Amount // credited to payers
	Fee          money.Amount // payer fees
	Total        money.Amount // taken from payers
	Commission   money.Amount // the partner's commission
	CashTaken    money.Amount // cash taken in the shift and not handed straight back: kept, still open, or refunded later with a return receipt
	CardTotal    money.Amount
	Pending      int          // payments whose outcome is not final yet
	RefundsDue   int          // failed after their receipt: the cash is due back with a return receipt
	Refunded     money.Amount // cash handed back in this shift with a return receipt
	CashIn       money.Amount
	CashOut      money.Amount
	OpeningFloat money.Amount
	// Expected is the cash that should be in the drawer: opening float +
	// cash taken + cash in − cash out − refunded.
	Expected money.Amount
}

// qTotals sums a shift's payments; the state lists are the Go constants'.
var qTotals = fmt.Sprintf(`SELECT
	    count(*) FILTER (WHERE state IN %[1]s),
	    coalesce(sum(amount) FILTER (WHERE state IN %[1]s), 0),
	    coalesce(sum(fee) FILTER (WHERE state IN %[1]s), 0),
	    coalesce(sum(total) FILTER (WHERE state IN %[1]s), 0),
	    coalesce(sum(commission) FILTER (WHERE state IN %[1]s), 0),
	    coalesce(sum(total) FILTER (WHERE pay_tool = 0 AND (state IN %[2]s OR refund_state <> '')), 0),
	    coalesce(sum(total) FILTER (WHERE pay_tool <> 0 AND state IN %[1]s), 0),
	    count(*) FILTER (WHERE state IN %[3]s),
	    count(*) FILTER (WHERE refund_state IN ('due', 'started'))
	  FROM payments WHERE shift_id = ?`, inList(KeptStates...), inList(append(OpenStates, StatePaid)...), inList(OpenStates...))

func (s *Store) shiftTotals(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, sh *Shift) (Totals, error) {
	t := Totals{OpeningFloat: sh.OpeningFloat}
	err := q.QueryRowContext(ctx, qTotals, sh.ID).Scan(&t.Payments, &t.Amount, &t.Fee, &t.Total, &t.Commission,
		&t.CashTaken, &t.CardTotal, &t.Pending, &t.RefundsDue)
	if err != nil {
		return t, fmt.Errorf("store: shift totals: %w", err)
	}
	err = q.QueryRowContext(ctx, `SELECT coalesce(sum(total), 0) FROM payments
	  WHERE refund_shift_id = ? AND refund_state = 'done' AND pay_tool = 0`, sh.ID).Scan(&t.Refunded)
	if err != nil {
		return t, fmt.Errorf("store: shift totals: %w", err)
	}
	err = q.QueryRowContext(ctx, `SELECT coalesce(sum(amount) FILTER (WHERE kind = 'in'), 0), coalesce(sum(amount) FILTER (WHERE kind = 'out'), 0)
	  FROM cash_ops WHERE shift_id = ? AND state = 'done'`, sh.ID).Scan(&t.CashIn, &t.CashOut)
	if err != nil {
		return t, fmt.Errorf("store: shift totals: %w", err)
	}
	t.Expected = t.OpeningFloat + t.CashTaken + t.CashIn - t.CashOut - t.Refunded
	return t, nil
}

// ShiftTotals sums the shift's payments and cash operations.
func (s *Store) ShiftTotals(ctx context.Context, sh *Shift) (Totals, error) {
	return s.shiftTotals(ctx, s.rw, sh)
}

// CashOp records a finished cash operation: cash put in or taken out of
// the drawer, made on the device as document fd (0 without a device).
// Taking out more than the drawer should hold is refused.
func (s *Store) CashOp(ctx context.Context, actor string, cashierID int64, kind string, amount money.Amount, fd int) error {
	op, err := s.BeginCashOp(ctx, actor, cashierID, kind, amount, -1)
	if err != nil {
		return err
	}
	return s.FinishCashOp(ctx, actor, op.ID, true, fd)
}

// CashOperation is a cash operation in the books.
type CashOperation struct {
	ID        int64
	ShiftID   int64
	CashierID int64
	Kind      string // "in", "out" or "float" (the opening float put on the device)
	Amount    money.Amount
	At        time.Time
	FD        int    // the device's document number, 0 when none
	State     string // "started", "done" or "void"
	// DocBefore is the device's document number before the operation was
	// started (-1 without a device): after a crash, a later document on the
	// device is this operation.
	DocBefore int
}

// BeginCashOp records a cash operation before the device makes it (state
// "started"), with the device's document number before it. In and out
// count in the shift's totals only once finished; out may not take more
// than the drawer should hold.
func (s *Store) BeginCashOp(ctx context.Context, actor string, cashierID int64, kind string, amount money.Amount, docBefore int) (*CashOperation, error) {
	if amount <= 0 || (kind != "in" && kind != "out" && kind != "float") {
		return nil, ErrBadCashOp
	}
	var out *CashOperation
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sh, err := scanShift(tx.QueryRowContext(ctx, "SELECT "+shiftCols+" FROM shifts WHERE closed_at IS NULL"))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoShift
		}
		if err != nil {
			return err
		}
		if kind == "out" {
			t, err := s.shiftTotals(ctx, tx, sh)
			if err != nil {
				return err
			}
			if amount > t.Expected {
				return fmt.Errorf("%w: %v expected, %v asked", ErrNotEnoughIn, t.Expected, amount)
			}
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, "INSERT INTO cash_ops (shift_id, cashier_id, kind, amount, at, state, doc_before) VALUES (?, ?, ?, ?, ?, 'started', ?)",
			sh.ID, cashierID, kind, amount, now, docBefore)
		if err != nil {
			return fmt.Errorf("store: cash %s: %w", kind, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		out = &CashOperation{ID: id, ShiftID: sh.ID, CashierID: cashierID, Kind: kind, Amount: amount,
			At: time.UnixMilli(now), State: "started", DocBefore: docBefore}
		return s.audit(ctx, tx, actor, "cash."+kind+".started", fmt.Sprintf("shift %d, %v, operation %d", sh.ID, amount, id))
	})
	return out, err
}

// FinishCashOp marks a started cash operation done as the device's
// document fd, or void when the device did not make it.
func (s *Store) FinishCashOp(ctx context.Context, actor string, id int64, done bool, fd int) error {
	state := "void"
	if done {
		state = "done"
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var kind string
		var shiftID, cashierID, at int64
		var amount money.Amount
		err := tx.QueryRowContext(ctx, "SELECT kind, shift_id, amount, cashier_id, at FROM cash_ops WHERE id = ? AND state = 'started'", id).
			Scan(&kind, &shiftID, &amount, &cashierID, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: cash operation %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cash_ops SET state = ?, fd = ? WHERE id = ?", state, fd, id); err != nil {
			return fmt.Errorf("store: cash %s: %w", kind, err)
		}
		if done && kind != "float" {
			if err := s.emit(ctx, tx, EventCash, CashEvent{ID: id, ShiftID: shiftID, Cashier: s.loginOf(ctx, tx, cashierID),
				Kind: kind, Amount: amount, At: msTime(at).UTC(), FD: fd}); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, actor, "cash."+kind+"."+state, fmt.Sprintf("shift %d, %v, operation %d, document %d", shiftID, amount, id, fd))
	})
}

const (
	cashCols     = "id, shift_id, cashier_id, kind, amount, at, fd, state, doc_before"
	qStartedCash = "SELECT " + cashCols + " FROM cash_ops WHERE state = 'started' ORDER BY id"
)

// CashOps returns the cash operations of a shift, oldest first.
func (s *Store) CashOps(ctx context.Context, shiftID int64) ([]*CashOperation, error) {
	rows, err := s.rw.QueryContext(ctx, "SELECT "+cashCols+" FROM cash_ops WHERE shift_id = ? ORDER BY id", shiftID)
	if err != nil {
		return nil, fmt.Errorf("store: cash operations: %w", err)
	}
	return scanCashOps(rows)
}

// StartedCashOps returns the cash operations still started (a crash or a
// lost answer left them undecided), oldest first.
func (s *Store) StartedCashOps(ctx context.Context) ([]*CashOperation, error) {
	rows, err := s.hot[qStartedCash].QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: cash operations: %w", err)
	}
	return scanCashOps(rows)
}

func scanCashOps(rows *sql.Rows) ([]*CashOperation, error) {
	defer rows.Close()
	var out []*CashOperation
	for rows.Next() {
		var c CashOperation
		var at int64
		if err := rows.Scan(&c.ID, &c.ShiftID, &c.CashierID, &c.Kind, &c.Amount, &at, &c.FD, &c.State, &c.DocBefore); err != nil {
			return nil, fmt.Errorf("store: cash operations: %w", err)
		}
		c.At = time.UnixMilli(at)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// CloseShift closes the open shift with the cash counted in the drawer and
// records the difference against the expected cash.
func (s *Store) CloseShift(ctx context.Context, actor string, cashierID int64, counted money.Amount) (*Shift, Totals, error) {
	var out *Shift
	var totals Totals
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sh, err := scanShift(tx.QueryRowContext(ctx, "SELECT "+shiftCols+" FROM shifts WHERE closed_at IS NULL"))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoShift
		}
		if err != nil {
			return err
		}
		if totals, err = s.shiftTotals(ctx, tx, sh); err != nil {
			return err
		}
		now := s.now()
		diff := counted - totals.Expected
		if _, err := tx.ExecContext(ctx, "UPDATE shifts SET closed_at = ?, closed_by = ?, expected_cash = ?, counted_cash = ?, difference = ? WHERE id = ?",
			now, cashierID, totals.Expected, counted, diff, sh.ID); err != nil {
			return fmt.Errorf("store: close shift: %w", err)
		}
		sh.ClosedAt, sh.ClosedBy, sh.Expected, sh.Counted, sh.Difference = msTime(now), cashierID, totals.Expected, counted, diff
		out = sh
		if err := s.emit(ctx, tx, EventShift, ShiftEvent{ID: sh.ID, Device: sh.DeviceShift, Opened: sh.OpenedAt.UTC(), Closed: sh.ClosedAt.UTC(),
			OpenedBy: s.loginOf(ctx, tx, sh.OpenedBy), ClosedBy: s.loginOf(ctx, tx, cashierID), Payments: totals.Payments, Amount: totals.Amount,
			Fee: totals.Fee, Total: totals.Total, Commission: totals.Commission, Refunded: totals.Refunded, CashIn: totals.CashIn,
			CashOut: totals.CashOut, OpeningFloat: totals.OpeningFloat, Expected: totals.Expected, Counted: counted}); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "shift.close", fmt.Sprintf("shift %d, expected %v, counted %v, difference %v", sh.ID, totals.Expected, counted, diff))
	})
	return out, totals, err
}
