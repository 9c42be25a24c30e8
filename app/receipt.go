package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"paydesk/fiscal"
	"paydesk/hub/wire"
	"paydesk/internal/i18n"
	"paydesk/protocol/gateway"
	"paydesk/receipts"
	"paydesk/store"
)

func (t *Till) receiptPayment(ctx context.Context, p *store.Payment) (receipts.Payment, receipts.Supplier, bool) {
	c, err := t.d.Store.CashierByID(ctx, p.CashierID)
	name := ""
	var inn string
	if err == nil {
		name, inn = fiscal.CashierTag(c.Position, c.FullName), c.INN
	}
	mobile := false
	var sup receipts.Supplier
	var details []receipts.Detail
	if prov, err := t.Provider(p.ProviderCode); err == nil {
		mobile = prov.Group == gateway.Mobile
		sup = receipts.Supplier{Name: prov.Supplier.Name, INN: prov.Supplier.INN, Phone: prov.Supplier.Phone}
		details = detailsOf(prov, p.Fields)
	}
	rp := receipts.Payment{ProviderName: p.ProviderName, Mobile: mobile, PayerID: p.PayerID, Session: p.Session,
		TransID: p.TransID, AuthCode: p.AuthCode, Amount: p.Amount, Fee: p.Fee, Total: p.Total, Card: p.PayTool != 0,
		Time: p.ResolvedAt.Local(), Cashier: fiscal.Cashier{Name: name, INN: inn}, Completed: p.Result == 7, Buyer: p.Buyer, Details: details}
	if p.Lookup != "" && t.d.HubURL != "" {
		rp.LookupURL = wire.LookupURL(t.d.HubURL, t.d.HubPoint, p.Session, p.Lookup)
	}
	return rp, sup, mobile
}

// detailsOf names the fields a described provider was paid with, beside
// its main one, as the slip prints them: in the description's order, an
// enumeration by its choice's name, a password field masked.
func detailsOf(prov *gateway.Provider, fields map[string]string) []receipts.Detail {
	var out []receipts.Detail
	for _, in := range prov.Inputs {
		v, ok := fields[in.ID]
		if !ok || v == "" || in.ID == prov.Main() {
			continue
		}
		for _, c := range in.Choices {
			if c.Value == v {
				v = c.Name
			}
		}
		if in.Password {
			v = strings.Repeat("*", len([]rune(v)))
		}
		out = append(out, receipts.Detail{Name: in.Name, Value: v})
	}
	return out
}

// Fiscalize makes the payment's fiscal receipt exactly once and prints its
// slip. It decides from the payment as stored, read under the receipt lock
// (p becomes that row), never from the caller's copy: of two actors holding
// the same paid payment, the second finds the receipt made. The device's
// last document number is stored before the receipt is started, so that
// after a crash Recover can tell whether the receipt was made; and the
// device's last document is looked at first, so a receipt that is already
// there for this payment (its SESSION in tag 1084) is recorded, not made
// again. A receipt the device cannot make stays queued (Reprint tries
// again).
func (t *Till) Fiscalize(ctx context.Context, p *store.Payment) error {
	t.fiscalMu.Lock()
	defer t.fiscalMu.Unlock()
	if err := t.reread(ctx, p); err != nil {
		return err
	}
	return t.fiscalize(ctx, p)
}

// fiscalize is Fiscalize with the receipt lock held and p read under it.
func (t *Till) fiscalize(ctx context.Context, p *store.Payment) error {
	const op = "fiscalize"
	kept := slices.Contains(store.KeptStates, p.State)
	switch {
	case p.FiscalState == store.FiscalDone && kept:
		return t.printSlip(ctx, p)
	case p.FiscalState == store.FiscalDone:
		return nil // its refund is due: the Refunds list makes it
	case !kept && p.FiscalState != store.FiscalStarted:
		return wrongState(op, p) // no receipt is due
	}
	reg := t.d.Register
	if reg == nil {
		return fail(op, KindDevice, i18n.M("app.no_register_queued"), nil)
	}
	if p.FiscalState == store.FiscalStarted {
		// Decided from the device; a payment that failed meanwhile gets no
		// new receipt (a made one makes its refund due).
		done, err := t.recoverReceipt(ctx, p)
		if err != nil || done || !kept {
			return err
		}
	}
	st, doc, err := t.readyFor(ctx, p, fiscal.Sale)
	switch {
	case err != nil:
		return t.queue(ctx, p, err)
	case doc != nil:
		return t.made(ctx, p, *doc)
	}
	p.FiscalState, p.FiscalBefore, p.FiscalError = store.FiscalStarted, int64(st.LastFD), ""
	if err := t.step(ctx, "till", StepReceiptStarted, p); err != nil {
		return err
	}
	rp, sup, _ := t.receiptPayment(ctx, p)
	r := receipts.Fiscal(rp, t.d.Agent, sup)
	r.Correction = t.correction(ctx, p, st)
	res, err := reg.Fiscalize(ctx, r)
	if err != nil {
		if errors.Is(err, fiscal.ErrOutcomeUnknown) || fiscal.KindOf(err) == fiscal.KindLink {
			// The device may have made it: decide from its last document.
			if done, rerr := t.recoverReceipt(ctx, p); rerr == nil && done {
				return nil
			}
		}
		return t.queue(ctx, p, err)
	}
	if err := t.done(ctx, p, r, res); err != nil {
		return err
	}
	return t.printSlip(ctx, p)
}

// readyFor brings the register to a receipt of kind for p: a cash
// operation caught half-made is decided, a receipt left open (by a crash
// before this one was started) cancelled. It returns the register's status
// and, as the last line of defence, the device's last document when that
// is already p's receipt of kind (a restored database, a recovery that
// could not read the device): then it is recorded, not made again.
func (t *Till) readyFor(ctx context.Context, p *store.Payment, kind fiscal.ReceiptKind) (fiscal.Status, *fiscal.Document, error) {
	reg := t.d.Register
	if err := t.settleCash(ctx); err != nil {
		return fiscal.Status{}, nil, err
	}
	st, err := reg.Status(ctx)
	if err != nil {
		return st, nil, err
	}
	if st.Mode == fiscal.ModeDocument {
		if err := reg.CancelReceipt(ctx); err != nil {
			return st, nil, err
		}
	}
	doc, err := reg.LastDocument(ctx)
	if err != nil {
		return st, nil, err
	}
	if t.isDocOf(ctx, p, doc, kind, true) {
		return st, &doc, nil
	}
	return st, nil, nil
}

// done records a made receipt.
func (t *Till) done(ctx context.Context, p *store.Payment, r fiscal.Receipt, res fiscal.Result) error {
	p.FiscalState, p.FD, p.FP, p.FiscalShift, p.ReceiptNo = store.FiscalDone, int64(res.FD), int64(res.FP), res.Shift, res.ReceiptNumber
	p.FiscalizedAt, p.FiscalError = t.d.Clock.Now(), ""
	text := strings.Join(receipts.Layout(r, res, t.d.Agent, t.width(ctx)), "\n")
	return t.step(ctx, "till", StepFiscalized, p, store.Printed{Kind: "fiscal", Text: text})
}

// queue leaves the receipt in the queue with the device's message.
func (t *Till) queue(ctx context.Context, p *store.Payment, cause error) error {
	if p.FiscalState == store.FiscalStarted {
		// Nothing was made (or recovery said so): it waits to be made anew.
		p.FiscalState = store.FiscalQueued
	}
	p.FiscalError = Message(cause, "ru")
	if err := t.step(ctx, "till", StepReceiptQueued, p); err != nil {
		return err
	}
	return fail("fiscalize", KindDevice, i18n.M("app.receipt_queued"), cause)
}

// recoverReceipt decides a receipt that was started: made when the device's
// last document is a receipt for the payment's total numbered after the one
// recorded before; otherwise any open receipt is cancelled and the payment
// goes back to the queue. It reports whether the receipt was made.
func (t *Till) recoverReceipt(ctx context.Context, p *store.Payment) (bool, error) {
	doc, err := t.decideStarted(ctx, p, p.FiscalBefore, fiscal.Sale)
	switch {
	case err != nil:
		return false, t.queue(ctx, p, err)
	case doc != nil:
		return true, t.made(ctx, p, *doc)
	}
	return false, t.step(ctx, "till", StepReceiptNotMade, p)
}

// decideStarted reads what became of p's receipt of kind that was started
// when the device's last document was before: the device's last document
// when it is that receipt, made since, or an earlier one after before (the
// receipt queue can have made another payment's receipt after p's was made
// and before this looks); otherwise nil, with any receipt left open
// cancelled. When documents after before cannot be read, it does not
// decide (an error): making the receipt again could make it twice.
func (t *Till) decideStarted(ctx context.Context, p *store.Payment, before int64, kind fiscal.ReceiptKind) (*fiscal.Document, error) {
	reg := t.d.Register
	doc, err := reg.LastDocument(ctx)
	if err != nil {
		return nil, err
	}
	if before >= 0 && int64(doc.FD) > before && t.isDocOf(ctx, p, doc, kind, false) {
		return &doc, nil
	}
	if before >= 0 && int64(doc.FD) > before+1 {
		for fd := uint32(before + 1); fd < doc.FD; fd++ {
			tags, err := reg.DocumentTags(ctx, fd)
			if err != nil {
				return nil, fail("receipt", KindDevice, i18n.M("app.receipt_undecided", "session", p.Session, "fd", fd), err)
			}
			if d, ok := receiptOf(fd, tags, p, kind); ok {
				return &d, nil
			}
		}
	}
	st, err := reg.Status(ctx)
	if err != nil {
		return nil, err
	}
	if st.Mode == fiscal.ModeDocument {
		if err := reg.CancelReceipt(ctx); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// receiptOf reads document fd's tags as p's receipt of kind: its SESSION
// in tag 1084, its settlement sign and total; with the fiscal sign and
// time the drive keeps.
func receiptOf(fd uint32, tags []fiscal.Tag, p *store.Payment, kind fiscal.ReceiptKind) (fiscal.Document, bool) {
	k, okKind := num(tags, 1054)
	sum, okSum := num(tags, 1020)
	if !okKind || !okSum || fiscal.ReceiptKind(k) != kind || int64(sum) != int64(p.Total) || !receipts.Mentions(tags, p.Session) {
		return fiscal.Document{}, false
	}
	d := fiscal.Document{FD: fd, Type: fiscal.DocReceipt, FP: fpOf(tags), Kind: kind, Sum: int64(sum)}
	if v, ok := num(tags, 1012); ok {
		d.Time = time.Unix(int64(v), 0)
	}
	return d, true
}

// isDocOf reports whether a document read back from the fiscal drive is
// the payment's receipt of kind (a sale or its return): for its total, its
// tag 1084 naming its SESSION. When the drive cannot give the document's
// tags, the total alone decides if sure is false (a receipt numbered after
// the one recorded before this one was started), and nothing does if sure
// is set.
func (t *Till) isDocOf(ctx context.Context, p *store.Payment, doc fiscal.Document, kind fiscal.ReceiptKind, sure bool) bool {
	if !doc.Type.IsReceipt() || doc.Kind != kind || doc.Sum != int64(p.Total) {
		return false
	}
	tags, err := t.d.Register.DocumentTags(ctx, doc.FD)
	if err != nil {
		t.log.Warn("app: the receipt's tags could not be read", "fd", doc.FD, "session", p.Session, "err", err)
		return !sure
	}
	return receipts.Mentions(tags, p.Session)
}

// correction is what makes p's receipt a correction receipt, nil when it
// is an ordinary one: a receipt made in another shift of the register
// than the one the payment was taken in (the register came back after the
// shift was closed, or the receipt waited past it) is a settlement whose
// receipt was not made at the time, which the FFD tables correct with a
// correction receipt (1173 = 0, on the user's own; 1174 {1178 the
// payment's date}; docs/fiscal.md).
func (t *Till) correction(ctx context.Context, p *store.Payment, st fiscal.Status) *fiscal.Correction {
	sh, err := t.d.Store.ShiftByID(ctx, p.ShiftID)
	if err != nil || sh.DeviceShift == 0 || st.ShiftNumber == 0 || sh.DeviceShift == st.ShiftNumber {
		return nil
	}
	when := p.PaySentAt
	if when.IsZero() {
		when = p.CreatedAt
	}
	return &fiscal.Correction{Date: when, Basis: p.Session,
		Description: "Чек не сформирован при расчёте " + when.Local().Format("02.01.2006") + ", платёж " + p.Session}
}

// made records the payment's receipt found on the device as document doc
// and prints the slip.
func (t *Till) made(ctx context.Context, p *store.Payment, doc fiscal.Document) error {
	rp, sup, _ := t.receiptPayment(ctx, p)
	r := receipts.Fiscal(rp, t.d.Agent, sup)
	st, _ := t.d.Register.Status(ctx)
	res := fiscal.Result{FD: doc.FD, FP: doc.FP, Time: doc.Time, Shift: st.ShiftNumber, ReceiptNumber: st.ReceiptNumber, Recovered: true}
	t.log.Info("app: the receipt was found on the device", "fd", doc.FD, "session", p.Session)
	if err := t.done(ctx, p, r, res); err != nil {
		return err
	}
	if !slices.Contains(store.KeptStates, p.State) {
		return nil // failed meanwhile: its refund is due, no slip
	}
	return t.printSlip(ctx, p)
}

// width is the register's tape width in characters, read from the device
// once (a status request per receipt and slip is a good part of their
// cost), else the configured width.
func (t *Till) width(ctx context.Context) int {
	if w := t.lineWidth.Load(); w > 0 {
		return int(w)
	}
	if t.d.Register != nil {
		if st, err := t.d.Register.Status(ctx); err == nil && st.LineWidth > 0 {
			t.lineWidth.Store(int32(st.LineWidth))
			return st.LineWidth
		}
	}
	return t.d.LineWidth
}

// printSlip prints the non-fiscal slip once; a failure leaves the payment
// fiscalized with its slip unprinted (Reprint prints it).
func (t *Till) printSlip(ctx context.Context, p *store.Payment) error {
	if !p.SlipPrintedAt.IsZero() || t.d.Register == nil {
		return nil
	}
	lines, url := t.slip(ctx, p)
	if err := t.printSlipLines(ctx, lines, url); err != nil {
		return fail("print slip", KindDevice, i18n.M("app.slip_not_printed"), err)
	}
	_ = t.d.Register.Cut(ctx, true)
	p.SlipPrintedAt = t.d.Clock.Now()
	return t.step(ctx, "till", StepSlipPrinted, p, store.Printed{Kind: "slip", Text: strings.Join(lines, "\n")})
}

// Slip lays out the payment's slip for the register's width.
func (t *Till) Slip(ctx context.Context, p *store.Payment) ([]string, error) {
	lines, _ := t.slip(ctx, p)
	return lines, nil
}

// slip is the slip's lines and its look-up address ("" without a hub).
func (t *Till) slip(ctx context.Context, p *store.Payment) ([]string, string) {
	rp, _, _ := t.receiptPayment(ctx, p)
	return receipts.Slip(rp, t.d.Agent, t.width(ctx)), rp.LookupURL
}

// printSlipLines prints a slip's lines. With a look-up address and a
// register that prints QR codes, the address's QR code goes right after
// the receipts.LookupTitle line, the address's text beneath it as on any
// slip. The code is an addition to the text: its failure (no such
// command, paper, a lost answer) is logged and the rest of the text
// printed, never the code sent again; the slip fails only as the text
// fails, so it is printed, or reprinted, as before.
func (t *Till) printSlipLines(ctx context.Context, lines []string, url string) error {
	reg := t.d.Register
	at := slices.Index(lines, receipts.LookupTitle)
	if url == "" || at < 0 {
		return reg.PrintText(ctx, lines)
	}
	q, ok := qrPrinter(reg)
	if !ok {
		return reg.PrintText(ctx, lines)
	}
	if err := reg.PrintText(ctx, lines[:at+1]); err != nil {
		return err
	}
	if err := q.PrintQR(ctx, []byte(url)); err != nil {
		t.log.Warn("app: the slip's QR code was not printed; its address is printed as text", "err", err)
	}
	return reg.PrintText(ctx, lines[at+1:])
}

// Reprint makes a queued receipt, or prints the slip of a fiscalized
// payment again (a copy: the fiscal receipt itself is never made twice).
func (t *Till) Reprint(ctx context.Context, u *User, p *store.Payment) error {
	const op = "reprint"
	if err := need(u, store.RoleCashier, op); err != nil {
		return err
	}
	t.fiscalMu.Lock()
	defer t.fiscalMu.Unlock()
	if err := t.reread(ctx, p); err != nil {
		return err
	}
	if !slices.Contains(store.KeptStates, p.State) {
		return wrongState(op, p)
	}
	if p.FiscalState != store.FiscalDone {
		return t.fiscalize(ctx, p)
	}
	if t.d.Register == nil {
		return fail(op, KindDevice, i18n.M("app.no_register"), nil)
	}
	lines, url := t.slip(ctx, p)
	lines = append([]string{"КОПИЯ"}, lines...)
	if err := t.printSlipLines(ctx, lines, url); err != nil {
		return fail(op, KindDevice, i18n.M("app.copy_not_printed"), err)
	}
	_ = t.d.Register.Cut(ctx, true)
	if p.SlipPrintedAt.IsZero() {
		p.SlipPrintedAt = t.d.Clock.Now()
		return t.step(ctx, u.Login, StepSlipPrinted, p)
	}
	return nil
}

// receiptReady asks the register, before pay leaves, whether it can make
// the receipt now: no receipt, no payment. It refuses, saying why, when the
// register does not answer, has no paper or an open cover, when its own
// shift (not the books') is over 24 hours or about to be, or when its
// fiscal drive is not in fiscal mode, and (lawReady) when the registration
// contradicts the configuration or the drive cannot sign. A receipt left open is not a cause:
// the receipt's own making cancels it. Without a register configured
// (fiscal.port: none) every receipt is queued and nothing is asked.
func (t *Till) receiptReady(ctx context.Context, op string) error {
	reg := t.d.Register
	if reg == nil {
		return nil
	}
	st, err := reg.Status(ctx)
	if err != nil {
		return fail(op, KindDevice, i18n.M("app.no_receipt_now"), err)
	}
	var why string
	switch {
	case !st.Paper:
		why = "app.receipt.no_paper"
	case st.CoverOpen:
		why = "app.receipt.cover_open"
	case st.Mode == fiscal.ModeShiftExpired,
		st.ShiftOpen && !st.ShiftOpened.IsZero() && t.d.Clock.Now().Sub(st.ShiftOpened) >= ShiftLimit-shiftMargin:
		why = "app.receipt.device_shift_over"
	case !st.FNFiscal():
		why = "app.receipt.fn_not_fiscal"
	default:
		if m := t.lawReady(ctx); m.Key != "" {
			return fail(op, KindDevice, i18n.M("app.no_receipt_now_because", "why", m), nil)
		}
		return nil
	}
	return fail(op, KindDevice, i18n.M("app.no_receipt_now_because", "why", i18n.M(why)), nil)
}

// CopyDocument prints a copy of fiscal document fd, marked as a copy: read
// back from the fiscal drive's archive where the register can (FF3Ah),
// else, when the register cannot read its archive, the receipt's text as
// the books keep it. It returns the lines printed.
func (t *Till) CopyDocument(ctx context.Context, u *User, fd uint32) ([]string, error) {
	const op = "copy document"
	if err := need(u, store.RoleCashier, op); err != nil {
		return nil, err
	}
	reg := t.d.Register
	if reg == nil {
		return nil, fail(op, KindDevice, i18n.M("app.no_register"), nil)
	}
	if fd == 0 {
		return nil, fail(op, KindInput, i18n.M("app.copy.no_doc", "fd", fd), nil)
	}
	width := t.width(ctx)
	var lines []string
	tags, err := reg.DocumentTags(ctx, fd)
	switch {
	case err == nil:
		lines = receipts.Copy(receipts.DocTypeOf(tags), tags, width)
	case fiscal.CodeOf(err) == 0x08:
		return nil, fail(op, KindInput, i18n.M("app.copy.no_doc", "fd", fd), err)
	case fiscal.Unsupported(err):
		if lines, err = t.copyFromBooks(ctx, fd, width); err != nil {
			return nil, err
		}
	default:
		return nil, fail(op, KindDevice, i18n.M("app.register_silent"), err)
	}
	if err := reg.PrintText(ctx, lines); err != nil {
		return nil, fail(op, KindDevice, i18n.M("app.copy_not_printed"), err)
	}
	_ = reg.Cut(ctx, true)
	t.log.Info("app: copy printed", "fd", fd, "by", u.Login)
	return lines, nil
}

// copyFromBooks is the copy of a receipt the register cannot read back:
// the text kept when it was printed.
func (t *Till) copyFromBooks(ctx context.Context, fd uint32, width int) ([]string, error) {
	const op = "copy document"
	p, err := t.d.Store.PaymentByFD(ctx, int64(fd))
	if err != nil {
		return nil, fail(op, KindInput, i18n.M("app.copy.no_doc", "fd", fd), err)
	}
	rs, err := t.d.Store.Receipts(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	kind := "fiscal"
	if p.RefundFD == int64(fd) {
		kind = "return"
	}
	for _, r := range rs {
		if r.Kind == kind {
			return receipts.CopyOfText(r.Text, width), nil
		}
	}
	return nil, fail(op, KindInput, i18n.M("app.copy.no_doc", "fd", fd), nil)
}
