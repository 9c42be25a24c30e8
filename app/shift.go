package app

import (
	"context"
	"errors"

	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/receipts"
	"paydesk/store"
)

// OpenShift opens a shift on the device and in the books with the cash put
// in the drawer to start with. A shift the device already has open (after a
// restore, say) is adopted rather than opened twice.
func (t *Till) OpenShift(ctx context.Context, u *User, float money.Amount) (*store.Shift, error) {
	const op = "open shift"
	if err := need(u, store.RoleCashier, op); err != nil {
		return nil, err
	}
	if float < 0 {
		return nil, fail(op, KindInput, i18n.M("app.opening_negative"), nil)
	}
	if _, err := t.d.Store.CurrentShift(ctx); err == nil {
		return nil, fail(op, KindState, i18n.M("app.shift_open"), store.ErrShiftOpen)
	}
	o := store.Opening{Float: float, FloatDoc: -1}
	if reg := t.d.Register; reg != nil {
		st, err := reg.Status(ctx)
		if err != nil {
			return nil, fail(op, KindDevice, i18n.M("app.shift_not_opened"), err)
		}
		adopted := st.ShiftOpen && st.Mode != fiscal.ModeShiftClosed
		switch st.Mode {
		case fiscal.ModeShiftExpired:
			return nil, fail(op, KindState, i18n.M("app.previous_shift_over"), nil)
		case fiscal.ModeShiftClosed:
			if err := reg.OpenShift(ctx, cashierOf(u.Cashier)); err != nil {
				return nil, fail(op, KindDevice, i18n.M("app.shift_not_opened"), err)
			}
			if st, err = reg.Status(ctx); err != nil {
				return nil, fail(op, KindDevice, i18n.M("app.register_silent"), err)
			}
		}
		o.DeviceShift, o.FloatDoc = st.ShiftNumber, st.DocNumber
		if adopted {
			// Adopted from the device: its 24 hours run from its own
			// opening, not the books'.
			o.OpenedAt = st.ShiftOpened
		}
	}
	// With a register, the float's cash operation is started in the same
	// transaction as the shift, then made on the register exactly once as
	// any started one is (a failure is retried before the next document).
	sh, err := t.d.Store.OpenShift(ctx, u.Login, u.ID, o)
	if err != nil {
		return nil, err
	}
	if float > 0 && t.d.Register != nil {
		if t.d.Step != nil {
			t.d.Step("cash_started", nil)
		}
		t.fiscalMu.Lock()
		err := t.settleCash(ctx)
		t.fiscalMu.Unlock()
		if err != nil {
			t.log.Warn("app: opening float not registered on the device yet", "err", err)
		}
	}
	return sh, nil
}

// XReport prints the shift report without closing the shift.
func (t *Till) XReport(ctx context.Context, u *User) error {
	const op = "X report"
	if err := need(u, store.RoleCashier, op); err != nil {
		return err
	}
	if t.d.Register == nil {
		return fail(op, KindDevice, i18n.M("app.no_register"), nil)
	}
	t.fiscalMu.Lock()
	defer t.fiscalMu.Unlock()
	if err := t.settleCash(ctx); err != nil {
		return fail(op, KindDevice, i18n.M("app.x_not_printed"), err)
	}
	if err := t.d.Register.XReport(ctx); err != nil {
		return fail(op, KindDevice, i18n.M("app.x_not_printed"), err)
	}
	return nil
}

// CashIn registers cash put into the drawer.
func (t *Till) CashIn(ctx context.Context, u *User, amount money.Amount) error {
	return t.cashOp(ctx, u, "in", amount)
}

// CashOut registers cash taken out of the drawer (managers).
func (t *Till) CashOut(ctx context.Context, u *User, amount money.Amount) error {
	return t.cashOp(ctx, u, "out", amount)
}

func (t *Till) cashOp(ctx context.Context, u *User, kind string, amount money.Amount) error {
	op := "cash " + kind
	role := store.RoleCashier
	if kind == "out" {
		role = store.RoleManager
	}
	if err := need(u, role, op); err != nil {
		return err
	}
	if amount <= 0 {
		return fail(op, KindInput, i18n.M("app.amount_not_positive"), nil)
	}
	sh, err := t.openShift(ctx, op)
	if err != nil {
		return err
	}
	if kind == "out" {
		tot, err := t.d.Store.ShiftTotals(ctx, sh)
		if err != nil {
			return err
		}
		if amount > tot.Expected {
			return fail(op, KindInput, i18n.M("app.drawer_short", "expected", tot.Expected, "amount", amount), store.ErrNotEnoughIn)
		}
	}
	if t.d.Register == nil {
		return t.d.Store.CashOp(ctx, u.Login, u.ID, kind, amount, 0)
	}
	return t.cashOnDevice(ctx, u, kind, amount)
}

// cashOnDevice makes a cash operation (in or out) on the device exactly
// once: it is recorded as started with the device's
// document number before it, then made, then finished with the device's
// document, or voided when the device refused it.
func (t *Till) cashOnDevice(ctx context.Context, u *User, kind string, amount money.Amount) error {
	op := "cash " + kind
	t.fiscalMu.Lock()
	defer t.fiscalMu.Unlock()
	reg := t.d.Register
	if err := t.settleCash(ctx); err != nil {
		return fail(op, KindDevice, i18n.M("app.cash_not_taken"), err)
	}
	st, err := reg.Status(ctx)
	if err != nil {
		return fail(op, KindDevice, i18n.M("app.cash_not_taken"), err)
	}
	c, err := t.d.Store.BeginCashOp(ctx, u.Login, u.ID, kind, amount, st.DocNumber)
	if err != nil {
		return err
	}
	if t.d.Step != nil {
		t.d.Step("cash_started", nil)
	}
	var fd int
	if kind == "out" {
		fd, err = reg.CashOut(ctx, cashierOf(u.Cashier), int64(amount))
	} else {
		fd, err = reg.CashIn(ctx, cashierOf(u.Cashier), int64(amount))
	}
	if err == nil {
		if t.d.Step != nil {
			t.d.Step("cash_made", nil)
		}
		return t.d.Store.FinishCashOp(ctx, "till", c.ID, true, fd)
	}
	if fiscal.Unsupported(err) {
		// The firmware has no cash in/out (some FFD 1.2 firmware dropped
		// them; they are not fiscal documents): the books hold it alone.
		return t.cashInBooks(ctx, u, c, kind, amount)
	}
	if errors.Is(err, fiscal.ErrOutcomeUnknown) || fiscal.KindOf(err) == fiscal.KindLink {
		// The device may have made it: decide from its document number.
		if made, derr := t.decideCash(ctx, c, false); derr == nil && made {
			return nil
		}
	} else if ferr := t.d.Store.FinishCashOp(ctx, "till", c.ID, false, 0); ferr != nil {
		return ferr
	}
	return fail(op, KindDevice, i18n.M("app.cash_not_taken"), err)
}

// cashInBooks finishes a cash operation the register has no command for:
// done in the books with no device document, then a non-fiscal document
// saying so is printed (the till's own, not the register's; a slip that
// does not print is only logged: the operation is made, and made once).
func (t *Till) cashInBooks(ctx context.Context, u *User, c *store.CashOperation, kind string, amount money.Amount) error {
	if err := t.d.Store.FinishCashOp(ctx, "till", c.ID, true, 0); err != nil {
		return err
	}
	if t.d.Step != nil {
		t.d.Step("cash_made", nil)
	}
	t.d.Log.Warn("register has no cash in/out commands: the operation is in the books only", "kind", kind, "amount", amount.String())
	lines := receipts.CashSlip(kind == "out", amount, u.FullName, t.d.Clock.Now(), t.d.Agent, t.width(ctx))
	if err := t.d.Register.PrintText(ctx, lines); err != nil {
		t.d.Log.Warn("cash operation slip not printed", "err", err)
		return nil
	}
	_ = t.d.Register.Cut(ctx, true)
	return nil
}

// settleCash decides every cash operation left started (by a crash or a
// lost answer) before the device makes any other document, so that the
// device's document number still tells whether it was made. fiscalMu held.
func (t *Till) settleCash(ctx context.Context) error {
	ops, err := t.d.Store.StartedCashOps(ctx)
	if err != nil || len(ops) == 0 {
		return err
	}
	for _, c := range ops {
		if _, err := t.decideCash(ctx, c, true); err != nil {
			return err
		}
	}
	return nil
}

// decideCash finishes a started cash operation from the device: made when
// the device has made a document since the one recorded before it. One
// that was not made is voided, except the opening float, which the shift
// records and the device must hold: it is made again when redo is set.
func (t *Till) decideCash(ctx context.Context, c *store.CashOperation, redo bool) (bool, error) {
	reg := t.d.Register
	st, err := reg.Status(ctx)
	if err != nil {
		return false, err
	}
	if c.DocBefore >= 0 && st.DocNumber > c.DocBefore {
		return true, t.d.Store.FinishCashOp(ctx, "recover", c.ID, true, st.DocNumber)
	}
	if c.Kind != "float" {
		t.log.Warn("app: a cash operation was not made on the device; voided", "kind", c.Kind, "amount", c.Amount, "operation", c.ID)
		return false, t.d.Store.FinishCashOp(ctx, "recover", c.ID, false, 0)
	}
	if !redo {
		return false, nil
	}
	fd, err := reg.CashIn(ctx, t.cashierByID(ctx, c.CashierID), int64(c.Amount))
	if fiscal.Unsupported(err) {
		return true, t.d.Store.FinishCashOp(ctx, "recover", c.ID, true, 0) // the books hold it (cashInBooks)
	}
	if err != nil {
		if errors.Is(err, fiscal.ErrOutcomeUnknown) || fiscal.KindOf(err) == fiscal.KindLink {
			return t.decideCash(ctx, c, false)
		}
		return false, err
	}
	if t.d.Step != nil {
		t.d.Step("cash_made", nil)
	}
	return true, t.d.Store.FinishCashOp(ctx, "recover", c.ID, true, fd)
}

// CloseShift closes the shift with a Z report and the cash counted in the
// drawer; the difference against the expected cash is recorded (managers).
func (t *Till) CloseShift(ctx context.Context, u *User, counted money.Amount) (*store.Shift, store.Totals, error) {
	const op = "close shift"
	if err := need(u, store.RoleManager, op); err != nil {
		return nil, store.Totals{}, err
	}
	if counted < 0 {
		return nil, store.Totals{}, fail(op, KindInput, i18n.M("app.counted_negative"), nil)
	}
	if _, err := t.d.Store.CurrentShift(ctx); errors.Is(err, store.ErrNoShift) {
		return nil, store.Totals{}, fail(op, KindState, i18n.M("app.no_shift_open"), err)
	}
	if reg := t.d.Register; reg != nil {
		t.fiscalMu.Lock()
		defer t.fiscalMu.Unlock()
		if err := t.settleCash(ctx); err != nil {
			return nil, store.Totals{}, fail(op, KindDevice, i18n.M("app.register_silent"), err)
		}
		st, err := reg.Status(ctx)
		if err != nil {
			return nil, store.Totals{}, fail(op, KindDevice, i18n.M("app.register_silent"), err)
		}
		if st.Mode == fiscal.ModeDocument {
			if err := reg.CancelReceipt(ctx); err != nil {
				return nil, store.Totals{}, fail(op, KindDevice, i18n.M("app.receipt_not_cancelled"), err)
			}
		}
		if st.Mode != fiscal.ModeShiftClosed {
			t.makeQueued(ctx)
			if err := reg.ZReport(ctx, cashierOf(u.Cashier)); err != nil {
				return nil, store.Totals{}, fail(op, KindDevice, i18n.M("app.z_not_printed"), err)
			}
		}
	}
	return t.d.Store.CloseShift(ctx, u.Login, u.ID, counted)
}

// makeQueued makes, before the Z report, the receipts still waiting from
// this shift, so that they are ordinary receipts of the shift their
// payments were taken in rather than correction receipts of the next one.
// One the register still cannot make stays queued. fiscalMu held.
func (t *Till) makeQueued(ctx context.Context) {
	q, err := t.d.Store.ReceiptQueue(ctx)
	if err != nil {
		t.log.Warn("app: the receipt queue could not be read before the Z report", "err", err)
		return
	}
	for _, p := range q {
		if err := t.reread(ctx, p); err != nil {
			continue
		}
		if err := t.fiscalize(ctx, p); err != nil {
			t.log.Warn("app: a queued receipt could not be made before the Z report", "session", p.Session, "err", err)
		}
	}
}

// ShiftState is what the status bar and the shift screen show.
type ShiftState struct {
	Shift  *store.Shift // nil when none is open
	Totals store.Totals
}

// Shift returns the open shift and its totals.
func (t *Till) Shift(ctx context.Context) (ShiftState, error) {
	sh, err := t.d.Store.CurrentShift(ctx)
	if errors.Is(err, store.ErrNoShift) {
		return ShiftState{}, nil
	}
	if err != nil {
		return ShiftState{}, err
	}
	tot, err := t.d.Store.ShiftTotals(ctx, sh)
	return ShiftState{Shift: sh, Totals: tot}, err
}

// cashierByID is the cashier a stored operation names, for the register's
// tape; one not found (removed since) leaves the register's own name.
func (t *Till) cashierByID(ctx context.Context, id int64) fiscal.Cashier {
	c, err := t.d.Store.CashierByID(ctx, id)
	if err != nil {
		return fiscal.Cashier{}
	}
	return cashierOf(c)
}
