package app

import (
	"context"
	"errors"
	"fmt"

	"paydesk/fiscal"
	"paydesk/money"
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
		return nil, fail(op, KindInput, "the opening cash cannot be negative", "сумма на начало смены не может быть отрицательной", nil)
	}
	if _, err := t.d.Store.CurrentShift(ctx); err == nil {
		return nil, fail(op, KindState, "a shift is already open", "смена уже открыта", store.ErrShiftOpen)
	}
	deviceShift := 0
	if reg := t.d.Register; reg != nil {
		st, err := reg.Status(ctx)
		if err != nil {
			return nil, fail(op, KindDevice, "the fiscal register did not open the shift", "ККТ не открыла смену", err)
		}
		switch st.Mode {
		case fiscal.ModeShiftExpired:
			return nil, fail(op, KindState, "the register's previous shift is over 24 hours: a manager must close it (Z report) first",
				"предыдущая смена в ККТ длится больше 24 часов: менеджер должен закрыть её (Z-отчёт)", nil)
		case fiscal.ModeShiftClosed:
			if err := reg.OpenShift(ctx, cashierOf(u.Cashier)); err != nil {
				return nil, fail(op, KindDevice, "the fiscal register did not open the shift", "ККТ не открыла смену", err)
			}
			if st, err = reg.Status(ctx); err != nil {
				return nil, fail(op, KindDevice, "the fiscal register does not answer", "ККТ не отвечает", err)
			}
		}
		deviceShift = st.ShiftNumber
	}
	sh, err := t.d.Store.OpenShift(ctx, u.Login, u.ID, float, deviceShift)
	if err != nil {
		return nil, err
	}
	if float > 0 && t.d.Register != nil {
		// The opening float goes into the register's cash register too.
		if _, err := t.d.Register.CashIn(ctx, int64(float)); err != nil {
			t.log.Warn("app: opening float not registered on the device", "err", err)
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
		return fail(op, KindDevice, "no fiscal register is configured", "ККТ не настроена", nil)
	}
	if err := t.d.Register.XReport(ctx); err != nil {
		return fail(op, KindDevice, "the X report was not printed", "X-отчёт не напечатан", err)
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
		return fail(op, KindInput, "the amount must be above zero", "сумма должна быть больше нуля", nil)
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
			return fail(op, KindInput, fmt.Sprintf("the drawer should hold %v, less than %v", tot.Expected, amount),
				fmt.Sprintf("в кассе должно быть %v — меньше, чем %v", tot.Expected, amount), store.ErrNotEnoughIn)
		}
	}
	fd := 0
	if reg := t.d.Register; reg != nil {
		var err error
		if kind == "in" {
			fd, err = reg.CashIn(ctx, int64(amount))
		} else {
			fd, err = reg.CashOut(ctx, int64(amount))
		}
		if err != nil {
			return fail(op, KindDevice, "the register did not take the cash operation", "ККТ не провела операцию с наличными", err)
		}
	}
	return t.d.Store.CashOp(ctx, u.Login, u.ID, kind, amount, fd)
}

// CloseShift closes the shift with a Z report and the cash counted in the
// drawer; the difference against the expected cash is recorded (managers).
func (t *Till) CloseShift(ctx context.Context, u *User, counted money.Amount) (*store.Shift, store.Totals, error) {
	const op = "close shift"
	if err := need(u, store.RoleManager, op); err != nil {
		return nil, store.Totals{}, err
	}
	if counted < 0 {
		return nil, store.Totals{}, fail(op, KindInput, "the counted cash cannot be negative", "пересчитанная сумма не может быть отрицательной", nil)
	}
	if _, err := t.d.Store.CurrentShift(ctx); errors.Is(err, store.ErrNoShift) {
		return nil, store.Totals{}, fail(op, KindState, "no shift is open", "смена не открыта", err)
	}
	if reg := t.d.Register; reg != nil {
		st, err := reg.Status(ctx)
		if err != nil {
			return nil, store.Totals{}, fail(op, KindDevice, "the fiscal register does not answer", "ККТ не отвечает", err)
		}
		if st.Mode == fiscal.ModeDocument {
			if err := reg.CancelReceipt(ctx); err != nil {
				return nil, store.Totals{}, fail(op, KindDevice, "an open receipt could not be cancelled", "не удалось аннулировать открытый чек", err)
			}
		}
		if st.Mode != fiscal.ModeShiftClosed {
			if err := reg.ZReport(ctx); err != nil {
				return nil, store.Totals{}, fail(op, KindDevice, "the Z report was not printed", "Z-отчёт не напечатан", err)
			}
		}
	}
	return t.d.Store.CloseShift(ctx, u.Login, u.ID, counted)
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
