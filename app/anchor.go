package app

import (
	"context"
	"time"

	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/store"
)

// The books are anchored outside the database: each receipt's document
// number and fiscal sign (the fiscal drive's own MAC over it) are in the
// sealed payment row, so CheckDevice can hold the books against the drive's
// archive, and CheckNetwork each payment against the network's status.

// maxScan caps the documents CheckDevice reads that the books do not name.
const maxScan = 2000

// Mismatch is one place where the books and the world outside disagree.
type Mismatch struct {
	FD      int64  // the fiscal document (CheckDevice), 0 when none
	Session string // the payment's session, "" when the books have none
	Text    i18n.Msg
}

// CheckDevice holds the fiscal documents of the payments made in
// [from, to) against the fiscal drive's archive (number, fiscal sign, sum,
// sale or return), and lists the receipts the drive made from the first of
// them on that the books do not hold (a payment deleted, an older copy of
// the books put back). It returns the documents checked. A manager's.
func (t *Till) CheckDevice(ctx context.Context, u *User, from, to time.Time) ([]Mismatch, int, error) {
	const op = "check device"
	if err := need(u, store.RoleManager, op); err != nil {
		return nil, 0, err
	}
	reg := t.d.Register
	if reg == nil {
		return nil, 0, fail(op, KindDevice, i18n.M("app.no_register"), nil)
	}
	ps, err := t.d.Store.Payments(ctx, store.Filter{From: from, To: to, Limit: 1 << 30})
	if err != nil {
		return nil, 0, err
	}
	var out []Mismatch
	first, checked := int64(0), 0
	for _, p := range ps {
		for _, d := range []struct {
			fd, fp int64
			kind   fiscal.ReceiptKind
		}{{p.FD, p.FP, fiscal.Sale}, {p.RefundFD, p.RefundFP, fiscal.SaleReturn}} {
			if d.fd <= 0 {
				continue
			}
			if first == 0 || d.fd < first {
				first = d.fd
			}
			m, err := t.holdDoc(ctx, p, d.fd, d.fp, d.kind)
			if err != nil {
				return out, checked, fail(op, KindDevice, i18n.M("app.anchor.unreadable"), err)
			}
			checked++
			if m != nil {
				out = append(out, *m)
			}
		}
	}
	if first == 0 {
		return out, checked, nil
	}
	last, err := reg.LastDocument(ctx)
	if err != nil {
		return out, checked, fail(op, KindDevice, i18n.M("app.register_silent"), err)
	}
	known, err := t.d.Store.FiscalDocs(ctx, first)
	if err != nil {
		return out, checked, err
	}
	for fd := first; fd <= int64(last.FD) && fd < first+maxScan; fd++ {
		if _, ok := known[fd]; ok {
			continue
		}
		tags, err := reg.DocumentTags(ctx, uint32(fd))
		if err != nil {
			continue // not a document the drive gives back
		}
		kind, isReceipt := num(tags, 1054)
		if !isReceipt {
			continue // a report, a registration: not a payment's
		}
		sum, _ := num(tags, 1020)
		checked++
		out = append(out, Mismatch{FD: fd, Text: i18n.M("app.anchor.unknown_receipt", "fd", fd,
			"kind", i18n.M(kindKey(fiscal.ReceiptKind(kind))), "sum", money.Amount(sum).String())})
	}
	return out, checked, nil
}

// holdDoc compares one document of p with the drive's archive.
func (t *Till) holdDoc(ctx context.Context, p *store.Payment, fd, fp int64, kind fiscal.ReceiptKind) (*Mismatch, error) {
	tags, err := t.d.Register.DocumentTags(ctx, uint32(fd))
	if fiscal.CodeOf(err) == 0x08 {
		return &Mismatch{FD: fd, Session: p.Session, Text: i18n.M("app.anchor.no_doc", "fd", fd)}, nil
	}
	if err != nil {
		return nil, err
	}
	got, _ := num(tags, 1054)
	sum, _ := num(tags, 1020)
	switch {
	case fp != 0 && fpOf(tags) != uint32(fp):
		return &Mismatch{FD: fd, Session: p.Session, Text: i18n.M("app.anchor.fp", "fd", fd, "books", fp, "drive", fpOf(tags))}, nil
	case fiscal.ReceiptKind(got) != kind:
		return &Mismatch{FD: fd, Session: p.Session, Text: i18n.M("app.anchor.kind", "fd", fd,
			"books", i18n.M(kindKey(kind)), "drive", i18n.M(kindKey(fiscal.ReceiptKind(got))))}, nil
	case money.Amount(sum) != p.Total:
		return &Mismatch{FD: fd, Session: p.Session, Text: i18n.M("app.anchor.sum", "fd", fd,
			"books", p.Total.String(), "drive", money.Amount(sum).String())}, nil
	}
	return nil, nil
}

func num(tags []fiscal.Tag, n uint16) (uint64, bool) {
	t, ok := fiscal.Find(tags, n)
	if !ok {
		return 0, false
	}
	return t.Uint()
}

// fpOf is a document's fiscal sign: the last four bytes of tag 1077.
func fpOf(tags []fiscal.Tag) uint32 {
	t, ok := fiscal.Find(tags, 1077)
	if !ok || len(t.Value) < 4 {
		return 0
	}
	v := t.Value[len(t.Value)-4:]
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
}

func kindKey(k fiscal.ReceiptKind) string {
	if k == fiscal.SaleReturn {
		return "app.anchor.return"
	}
	return "app.anchor.sale"
}

// CheckNetwork asks the network's status of every payment made in
// [from, to) that was sent and is settled in the books, and lists those
// whose status says otherwise: the books paid and the network not, or the
// other way round. It returns the payments asked about. A manager's.
func (t *Till) CheckNetwork(ctx context.Context, u *User, from, to time.Time) ([]Mismatch, int, error) {
	const op = "check network"
	if err := need(u, store.RoleManager, op); err != nil {
		return nil, 0, err
	}
	if t.d.Network == nil {
		return nil, 0, fail(op, KindConfig, i18n.M("app.no_network"), nil)
	}
	ps, err := t.d.Store.Payments(ctx, store.Filter{From: from, To: to, Limit: 1 << 30})
	if err != nil {
		return nil, 0, err
	}
	var out []Mismatch
	asked := 0
	for _, p := range ps {
		want, ok := expected(p)
		if !ok {
			continue
		}
		prov, err := t.provider(p)
		if err != nil {
			return out, asked, err
		}
		got, _, err := t.d.Network.Settle(ctx, request(prov, p), nil)
		if err != nil && !got.Final() {
			return out, asked, fail(op, KindPending, i18n.M("app.anchor.no_status", "session", p.Session), err)
		}
		asked++
		if got != want {
			out = append(out, Mismatch{Session: p.Session, Text: i18n.M("app.anchor.status", "session", p.Session,
				"books", i18n.M("state."+string(p.State)), "network", i18n.M(outcomeKey(got)))})
		}
	}
	return out, asked, nil
}

// expected is the outcome the network should report for a payment the
// books hold as sent and settled; false when there is nothing to hold it
// against (never sent, or still being resolved).
func expected(p *store.Payment) (Outcome, bool) {
	if p.PaySentAt.IsZero() || p.Session == "" {
		return 0, false
	}
	switch p.State {
	case store.StatePaid:
		return OutcomePaid, true
	case store.StateFailed, store.StateRefunded:
		return OutcomeFailed, true
	case store.StateNotPaid:
		return OutcomeNotPaid, true
	}
	return 0, false
}

func outcomeKey(o Outcome) string {
	switch o {
	case OutcomePaid:
		return "app.anchor.out_paid"
	case OutcomeFailed:
		return "app.anchor.out_failed"
	case OutcomeNotPaid:
		return "app.anchor.out_not_paid"
	}
	return "app.anchor.out_open"
}

// moneyOf words a sum in kopecks from a document's tags.
func moneyOf(kopecks uint64) string { return money.Amount(kopecks).String() }
