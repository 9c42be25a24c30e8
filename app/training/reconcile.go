package training

import (
	"context"
	"fmt"
	"slices"
	"time"

	"paydesk/fiscal"
	"paydesk/money"
	"paydesk/store"
)

// Reconciliation is what Reconcile found: counts and every mismatch between
// the books, the network (the simulator) and the device (the emulator).
type Reconciliation struct {
	Payments   int
	Paid       int // the network has them: paid, accepted or disputed
	Accepted   int // of those, accepted and not credited yet
	Disputed   int // of those, disputed: a manager decides
	NotPaid    int // refused, not paid, cancelled, abandoned before pay
	Failed     int // completed as failed by the network (money returned)
	RefundsDue int // failed after their receipt: the return receipt is due
	Refunded   int // failed after their receipt and refunded with a return receipt
	Pending    int // outcome still unknown
	Queued     int // kept, receipt not made
	Receipts   int // sale receipts on the device
	Returns    int // return receipts on the device
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
// simulator and emulator, to the kopeck: every payment the network has
// (paid, accepted, disputed) was taken once by it and has exactly one sale
// receipt for its total; a failed one whose receipt was made is refunded
// with exactly one return receipt for the same total, or listed as due;
// every unpaid one was never taken and has no receipt; the network took
// nothing the books do not know; the device made no receipt the books do
// not know; no payment is pending or waiting for its receipt; the dealer's
// balance moved by exactly the kept totals from startBalance; each shift's
// totals equal its payments, and its expected cash equals its opening
// float, its cash payments not handed straight back and its cash
// operations, less the refunds made in it, summed from the rows; the drawer
// on the device holds what the books' shifts expect; the audit chain holds.
func Reconcile(ctx context.Context, books Ledger, w *World, startBalance money.Amount) (Reconciliation, error) {
	var r Reconciliation
	if w == nil || w.Sim == nil || w.Emulator == nil && w.ATOL == nil {
		return r, fmt.Errorf("training: reconcile needs the simulator and the emulator")
	}
	ps, err := books.Payments(ctx, store.Filter{Limit: 10_000_000})
	if err != nil {
		return r, err
	}
	dev, err := readDevice(w, &r)
	if err != nil {
		return r, err
	}
	sums := newSums()
	for _, p := range ps {
		r.payment(p, w.Sim.Committed(p.Session), dev, sums)
	}
	r.Payments = len(ps)
	dev.unclaimed(&r)
	r.network(w, ps, startBalance, sums.taken)
	if err := r.shifts(ctx, books, sums); err != nil {
		return r, err
	}
	if got := w.drawer(); got != r.Drawer {
		r.bad("the device's drawer holds %v, the books' shifts expect %v", got, r.Drawer)
	}
	if _, err := books.VerifyAudit(ctx); err != nil {
		r.bad("audit: %v", err)
	}
	return r, nil
}

// device is what the emulator made: its receipts by document number and
// which payment claimed each.
type device struct {
	sales, returns map[uint32]int64
	claimed        map[uint32]string
}

// drawer is the cash in the emulated register's drawer.
func (w *World) drawer() money.Amount {
	if w.ATOL != nil {
		return money.Amount(w.ATOL.State().Cash)
	}
	return money.Amount(w.Emulator.State().Cash)
}

// Documents are the fiscal documents of the emulated register's journal,
// Shtrih-M or ATOL.
func (w *World) Documents() ([]fiscal.Document, error) {
	if w.ATOL != nil {
		var out []fiscal.Document
		for _, d := range w.ATOL.State().Docs {
			k := fiscal.Sale
			switch d.Kind { // ATOL's receipt types, and their corrections
			case 2, 8:
				k = fiscal.SaleReturn
			case 4, 9:
				k = fiscal.Buy
			case 5, 10:
				k = fiscal.BuyReturn
			}
			out = append(out, fiscal.Document{FD: d.FD, Type: fiscal.DocType(d.Type), Kind: k, Sum: d.Sum, Shift: d.Shift, Time: d.Time})
		}
		return out, nil
	}
	docs, err := w.Emulator.Documents()
	if err != nil {
		return nil, err
	}
	out := make([]fiscal.Document, len(docs))
	for i, d := range docs {
		out[i] = fiscal.Document{FD: d.FD, Type: d.Type, Kind: d.Kind, Sum: d.Sum}
	}
	return out, nil
}

func readDevice(w *World, r *Reconciliation) (*device, error) {
	docs, err := w.Documents()
	if err != nil {
		return nil, err
	}
	d := &device{sales: map[uint32]int64{}, returns: map[uint32]int64{}, claimed: map[uint32]string{}}
	for _, doc := range docs {
		switch {
		case !doc.Type.IsReceipt():
		case doc.Kind == fiscal.SaleReturn:
			d.returns[doc.FD] = doc.Sum
			r.Returns++
		default:
			d.sales[doc.FD] = doc.Sum
			r.Receipts++
		}
	}
	return d, nil
}

// claim checks that document fd is on the device among docs, for the
// payment's total, and claimed by no other payment.
func (d *device) claim(r *Reconciliation, p *store.Payment, what string, docs map[uint32]int64, fd int64) {
	sum, ok := docs[uint32(fd)]
	switch {
	case !ok:
		r.bad("%s: %s %d is not on the device", p.Session, what, fd)
	case sum != int64(p.Total):
		r.bad("%s: %s %d is for %v, the payment for %v", p.Session, what, fd, money.Amount(sum), p.Total)
	}
	if other, dup := d.claimed[uint32(fd)]; dup {
		r.bad("%s and %s share fiscal document %d", p.Session, other, fd)
	}
	d.claimed[uint32(fd)] = p.Session
}

// unclaimed reports receipts no payment of the books claims.
func (d *device) unclaimed(r *Reconciliation) {
	for _, docs := range []map[uint32]int64{d.sales, d.returns} {
		for fd := range docs {
			if _, ok := d.claimed[fd]; !ok {
				r.bad("receipt %d on the device belongs to no payment", fd)
			}
		}
	}
}

// sums are the books' money by shift, summed from the payments' rows.
type sums struct {
	taken      money.Amount           // what the network kept
	byShift    map[int64]money.Amount // the shift's kept totals
	cash       map[int64]money.Amount // cash taken in the shift and not handed straight back
	refundedIn map[int64]money.Amount // cash handed back in the shift with a return receipt
}

func newSums() *sums {
	return &sums{byShift: map[int64]money.Amount{}, cash: map[int64]money.Amount{}, refundedIn: map[int64]money.Amount{}}
}

// payment reconciles one payment of the books with the network's commits
// and the device's receipts.
func (r *Reconciliation) payment(p *store.Payment, committed int, dev *device, s *sums) {
	cash := p.PayTool == 0
	switch {
	case slices.Contains(store.KeptStates, p.State):
		r.Paid++
		if p.State == store.StateAccepted {
			r.Accepted++
		}
		if p.State == store.StateDisputed {
			r.Disputed++
		}
		r.PaidTotal += p.Total
		s.byShift[p.ShiftID] += p.Total
		s.taken += p.Total
		if cash {
			s.cash[p.ShiftID] += p.Total
		}
		if committed != 1 {
			r.bad("%s %s in the books, taken %d times by the network", p.Session, p.State, committed)
		}
		if p.FiscalState != store.FiscalDone {
			r.Queued++
			r.bad("%s %s without a fiscal receipt (%s)", p.Session, p.State, p.FiscalState)
			return
		}
		dev.claim(r, p, "fiscal document", dev.sales, p.FD)
	case p.RefundState != store.RefundNone:
		r.refund(p, dev, s)
	case p.State == store.StateFailed:
		r.Failed++
		if p.FD != 0 {
			r.bad("%s failed but has fiscal document %d and no refund", p.Session, p.FD)
		}
	case p.State.Pending():
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

// refund reconciles a payment whose money went back after its receipt: the
// sale receipt and, once refunded, exactly one return receipt.
func (r *Reconciliation) refund(p *store.Payment, dev *device, s *sums) {
	r.Failed++
	dev.claim(r, p, "fiscal document", dev.sales, p.FD)
	cash := p.PayTool == 0
	if cash {
		s.cash[p.ShiftID] += p.Total // in the drawer until handed back
	}
	switch p.RefundState {
	case store.RefundDone:
		r.Refunded++
		if p.State != store.StateRefunded {
			r.bad("%s refunded on the device but %s in the books", p.Session, p.State)
		}
		dev.claim(r, p, "return receipt", dev.returns, p.RefundFD)
		if cash {
			s.refundedIn[p.RefundShiftID] += p.Total
		}
	case store.RefundDue:
		r.RefundsDue++
	default:
		r.bad("%s: return receipt %s and undecided", p.Session, p.RefundState)
	}
}

// network checks the simulator's side: nothing taken that the books do not
// know, and the balance moved by what the network kept.
func (r *Reconciliation) network(w *World, ps []*store.Payment, startBalance, taken money.Amount) {
	known := make(map[string]bool, len(ps))
	for _, p := range ps {
		known[p.Session] = true
	}
	for _, sp := range w.Sim.Payments() {
		if !known[sp.Session] {
			r.bad("the network took %s (%v), unknown to the books", sp.Session, sp.AmountAll)
		}
	}
	if got, want := w.Sim.Balance(), startBalance-taken; got != want {
		r.bad("dealer balance %v, expected %v (start %v less kept %v)", got, want, startBalance, taken)
	}
}

// shifts checks each shift's totals and expected cash against the rows,
// and sums the drawer the device should hold.
func (r *Reconciliation) shifts(ctx context.Context, books Ledger, s *sums) error {
	shifts, err := books.Shifts(ctx, time.Time{}, time.Now().AddDate(100, 0, 0))
	if err != nil {
		return err
	}
	for _, sh := range shifts {
		t, err := books.ShiftTotals(ctx, sh)
		if err != nil {
			return err
		}
		if t.Total != s.byShift[sh.ID] {
			r.bad("shift %d totals %v, its payments %v", sh.ID, t.Total, s.byShift[sh.ID])
		}
		delete(s.byShift, sh.ID)
		ops, err := books.CashOps(ctx, sh.ID)
		if err != nil {
			return err
		}
		expected := sh.OpeningFloat + s.cash[sh.ID] - s.refundedIn[sh.ID] + r.cashOps(sh, ops)
		if t.Expected != expected {
			r.bad("shift %d expects %v in the drawer, its float, cash payments, refunds and cash operations sum to %v", sh.ID, t.Expected, expected)
		}
		r.Drawer += expected
		r.Shifts++
	}
	for id, sum := range s.byShift {
		r.bad("payments of %v in shift %d, which the books do not have", sum, id)
	}
	return nil
}

// cashOps sums a shift's finished cash operations (in less out).
func (r *Reconciliation) cashOps(sh *store.Shift, ops []*store.CashOperation) money.Amount {
	var sum money.Amount
	for _, c := range ops {
		switch {
		case c.State == "started":
			r.bad("shift %d: cash operation %d (%s %v) undecided", sh.ID, c.ID, c.Kind, c.Amount)
		case c.State != "done":
		case c.Kind == "in":
			sum += c.Amount
			r.CashOps++
		case c.Kind == "out":
			sum -= c.Amount
			r.CashOps++
		}
	}
	return sum
}
