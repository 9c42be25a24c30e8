package training

import (
	"context"
	"fmt"
	"time"

	"paydesk/fiscal"
	"paydesk/money"
	"paydesk/store"
)

// Reconciliation is what Reconcile found: counts and every mismatch between
// the books, the network (the simulator) and the device (the emulator).
type Reconciliation struct {
	Payments   int
	Paid       int
	NotPaid    int // refused, not paid, cancelled, abandoned before pay
	Failed     int // completed as failed by the network (money returned)
	Pending    int // outcome still unknown
	Queued     int // paid, receipt not made
	Receipts   int // receipts on the device
	PaidTotal  money.Amount
	Shifts     int          // shifts in the books
	CashOps    int          // cash operations made (in and out)
	Drawer     money.Amount // cash the drawer should hold, by the books and the device
	Mismatches []string
}

// OK reports whether the books, the network and the device agree.
func (r Reconciliation) OK() bool { return len(r.Mismatches) == 0 }

func (r *Reconciliation) bad(format string, a ...any) {
	r.Mismatches = append(r.Mismatches, fmt.Sprintf(format, a...))
}

// Ledger is the books as Reconcile reads them (app.Runtime.Ledger).
type Ledger interface {
	Payments(ctx context.Context, f store.Filter) ([]*store.Payment, error)
	Shifts(ctx context.Context, from, to time.Time) ([]*store.Shift, error)
	ShiftTotals(ctx context.Context, sh *store.Shift) (store.Totals, error)
	CashOps(ctx context.Context, shiftID int64) ([]*store.CashOperation, error)
	VerifyAudit(ctx context.Context) (int, error)
}

// Reconcile checks the books of a till that ran in world w against its
// simulator and emulator, to the kopeck: every paid payment was taken once
// by the network and has exactly one fiscal receipt for its total; every
// unpaid one was never taken and has none; the network took nothing the
// books do not know; the device made no receipt the books do not know; no
// payment is pending or waiting for its receipt; the dealer's balance moved
// by exactly the paid totals from startBalance; each shift's totals equal
// its payments, and its expected cash equals its opening float, cash
// payments and cash operations summed from the rows; the drawer on the
// device holds what the books' shifts expect; the audit chain holds.
func Reconcile(ctx context.Context, books Ledger, w *World, startBalance money.Amount) (Reconciliation, error) {
	var r Reconciliation
	if w == nil || w.Sim == nil || w.Emulator == nil {
		return r, fmt.Errorf("training: reconcile needs the simulator and the emulator")
	}
	ps, err := books.Payments(ctx, store.Filter{Limit: 10_000_000})
	if err != nil {
		return r, err
	}
	r.Payments = len(ps)
	known := map[string]bool{}
	receipts := map[uint32]int64{}
	docs, err := w.Emulator.Documents()
	if err != nil {
		return r, err
	}
	for _, d := range docs {
		if d.Type == fiscal.DocReceipt {
			receipts[d.FD] = d.Sum
			r.Receipts++
		}
	}
	usedFD := map[uint32]string{}
	var taken money.Amount
	byShift := map[int64]money.Amount{}
	cashByShift := map[int64]money.Amount{}
	for _, p := range ps {
		known[p.Session] = true
		committed := w.Sim.Committed(p.Session)
		switch p.State {
		case store.StatePaid:
			r.Paid++
			r.PaidTotal += p.Total
			byShift[p.ShiftID] += p.Total
			if p.PayTool == 0 { // cash
				cashByShift[p.ShiftID] += p.Total
			}
			taken += p.Total
			if committed != 1 {
				r.bad("%s paid in the books, taken %d times by the network", p.Session, committed)
			}
			if p.FiscalState != store.FiscalDone {
				r.Queued++
				r.bad("%s paid without a fiscal receipt (%s)", p.Session, p.FiscalState)
				continue
			}
			sum, ok := receipts[uint32(p.FD)]
			switch {
			case !ok:
				r.bad("%s: fiscal document %d is not on the device", p.Session, p.FD)
			case sum != int64(p.Total):
				r.bad("%s: receipt %d is for %v, the payment for %v", p.Session, p.FD, money.Amount(sum), p.Total)
			}
			if other, dup := usedFD[uint32(p.FD)]; dup {
				r.bad("%s and %s share fiscal document %d", p.Session, other, p.FD)
			}
			usedFD[uint32(p.FD)] = p.Session
		case store.StateFailed:
			r.Failed++
			if p.FD != 0 {
				r.bad("%s failed but has fiscal document %d", p.Session, p.FD)
			}
		case store.StateUnknown, store.StatePaySent:
			r.Pending++
			r.bad("%s still pending", p.Session)
		default:
			r.NotPaid++
			if committed != 0 {
				r.bad("%s is %s in the books but the network took it", p.Session, p.State)
			}
			if p.FD != 0 {
				r.bad("%s is %s but has fiscal document %d", p.Session, p.State, p.FD)
			}
		}
	}
	for fd := range receipts {
		if _, ok := usedFD[fd]; !ok {
			r.bad("receipt %d on the device belongs to no paid payment", fd)
		}
	}
	for _, sp := range w.Sim.Payments() {
		if !known[sp.Session] {
			r.bad("the network took %s (%v), unknown to the books", sp.Session, sp.AmountAll)
		}
	}
	if got, want := w.Sim.Balance(), startBalance-taken; got != want {
		r.bad("dealer balance %v, expected %v (start %v less paid %v)", got, want, startBalance, taken)
	}
	shifts, err := books.Shifts(ctx, time.Time{}, time.Now().AddDate(100, 0, 0))
	if err != nil {
		return r, err
	}
	var drawer money.Amount
	for _, sh := range shifts {
		t, err := books.ShiftTotals(ctx, sh)
		if err != nil {
			return r, err
		}
		if t.Total != byShift[sh.ID] {
			r.bad("shift %d totals %v, its payments %v", sh.ID, t.Total, byShift[sh.ID])
		}
		delete(byShift, sh.ID)
		ops, err := books.CashOps(ctx, sh.ID)
		if err != nil {
			return r, err
		}
		expected := sh.OpeningFloat + cashByShift[sh.ID]
		for _, c := range ops {
			switch {
			case c.State == "started":
				r.bad("shift %d: cash operation %d (%s %v) undecided", sh.ID, c.ID, c.Kind, c.Amount)
			case c.State != "done":
			case c.Kind == "in":
				expected += c.Amount
				r.CashOps++
			case c.Kind == "out":
				expected -= c.Amount
				r.CashOps++
			}
		}
		if t.Expected != expected {
			r.bad("shift %d expects %v in the drawer, its float, cash payments and cash operations sum to %v", sh.ID, t.Expected, expected)
		}
		drawer += expected
		r.Shifts++
	}
	for id, sum := range byShift {
		r.bad("payments of %v in shift %d, which the books do not have", sum, id)
	}
	if got := money.Amount(w.Emulator.State().Cash); got != drawer {
		r.bad("the device's drawer holds %v, the books' shifts expect %v", got, drawer)
	}
	r.Drawer = drawer
	if _, err := books.VerifyAudit(ctx); err != nil {
		r.bad("audit: %v", err)
	}
	return r, nil
}
