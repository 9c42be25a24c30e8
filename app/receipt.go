package app

import (
	"context"
	"errors"
	"strings"

	"paydesk/fiscal"
	"paydesk/protocol/gateway"
	"paydesk/receipts"
	"paydesk/store"
)

func (t *Till) receiptPayment(ctx context.Context, p *store.Payment) (receipts.Payment, receipts.Supplier, bool) {
	c, err := t.d.Store.CashierByID(ctx, p.CashierID)
	name := ""
	var inn string
	if err == nil {
		name, inn = c.FullName, c.INN
	}
	mobile := false
	var sup receipts.Supplier
	if prov, err := t.d.Catalogue.Find(p.ProviderCode); err == nil {
		mobile = prov.Group == gateway.Mobile
		sup = receipts.Supplier{Name: prov.Supplier.Name, INN: prov.Supplier.INN, Phone: prov.Supplier.Phone}
	}
	rp := receipts.Payment{ProviderName: p.ProviderName, Mobile: mobile, PayerID: p.PayerID, Session: p.Session,
		TransID: p.TransID, AuthCode: p.AuthCode, Amount: p.Amount, Fee: p.Fee, Total: p.Total, Card: p.PayTool != 0,
		Time: p.ResolvedAt.Local(), Cashier: fiscal.Cashier{Name: name, INN: inn}, Completed: p.Result == 7}
	return rp, sup, mobile
}

// Fiscalize makes the payment's fiscal receipt exactly once and prints its
// slip. The device's last document number is stored before the receipt is
// started, so that after a crash Recover can tell whether the receipt was
// made. A receipt the device cannot make stays queued (Reprint tries again).
func (t *Till) Fiscalize(ctx context.Context, p *store.Payment) error {
	const op = "fiscalize"
	t.fiscalMu.Lock()
	defer t.fiscalMu.Unlock()
	if p.State != store.StatePaid {
		return wrongState(op, p)
	}
	if p.FiscalState == store.FiscalDone {
		return t.printSlip(ctx, p)
	}
	reg := t.d.Register
	if reg == nil {
		return fail(op, KindDevice, "no fiscal register: the receipt waits in the queue", "ККТ не подключена: чек ждёт в очереди", nil)
	}
	if p.FiscalState == store.FiscalStarted {
		done, err := t.recoverReceipt(ctx, p)
		if err != nil || done {
			return err
		}
	}
	if err := t.settleCash(ctx); err != nil {
		return t.queue(ctx, p, err)
	}
	st, err := reg.Status(ctx)
	if err != nil {
		return t.queue(ctx, p, err)
	}
	if st.Mode == fiscal.ModeDocument {
		// A receipt left open (by a crash before ours was started): cancel it.
		if err := reg.CancelReceipt(ctx); err != nil {
			return t.queue(ctx, p, err)
		}
	}
	p.FiscalState, p.FiscalBefore, p.FiscalError = store.FiscalStarted, int64(st.LastFD), ""
	if err := t.d.Store.UpdatePayment(ctx, "till", "receipt_started", p); err != nil {
		return err
	}
	t.changed("receipt_started", p)
	rp, sup, _ := t.receiptPayment(ctx, p)
	r := receipts.Fiscal(rp, t.d.Agent, sup)
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

// done records a made receipt.
func (t *Till) done(ctx context.Context, p *store.Payment, r fiscal.Receipt, res fiscal.Result) error {
	p.FiscalState, p.FD, p.FP, p.FiscalShift, p.ReceiptNo = store.FiscalDone, int64(res.FD), int64(res.FP), res.Shift, res.ReceiptNumber
	p.FiscalizedAt, p.FiscalError = t.d.Clock.Now(), ""
	text := strings.Join(receipts.Layout(r, res, t.d.Agent, t.width(ctx)), "\n")
	if err := t.d.Store.UpdatePayment(ctx, "till", "fiscalized", p, store.Printed{Kind: "fiscal", Text: text}); err != nil {
		return err
	}
	t.changed("fiscalized", p)
	return nil
}

// queue leaves the receipt in the queue with the device's message.
func (t *Till) queue(ctx context.Context, p *store.Payment, cause error) error {
	if p.FiscalState == store.FiscalStarted {
		// Nothing was made (or recovery said so): it waits to be made anew.
		p.FiscalState = store.FiscalQueued
	}
	p.FiscalError = Message(cause, "ru")
	if err := t.d.Store.UpdatePayment(ctx, "till", "receipt_queued", p); err != nil {
		return err
	}
	t.changed("receipt_queued", p)
	return fail("fiscalize", KindDevice, "the payment is paid but the receipt was not printed; it waits in the reprint queue",
		"платёж проведён, но чек не напечатан; он ждёт в очереди на печать", cause)
}

// recoverReceipt decides a receipt that was started: made when the device's
// last document is a receipt for the payment's total numbered after the one
// recorded before; otherwise any open receipt is cancelled and the payment
// goes back to the queue. It reports whether the receipt was made.
func (t *Till) recoverReceipt(ctx context.Context, p *store.Payment) (bool, error) {
	reg := t.d.Register
	doc, err := reg.LastDocument(ctx)
	if err != nil {
		return false, t.queue(ctx, p, err)
	}
	if p.FiscalBefore >= 0 && int64(doc.FD) > p.FiscalBefore && doc.Type == fiscal.DocReceipt && doc.Sum == int64(p.Total) {
		rp, sup, _ := t.receiptPayment(ctx, p)
		r := receipts.Fiscal(rp, t.d.Agent, sup)
		st, _ := reg.Status(ctx)
		res := fiscal.Result{FD: doc.FD, FP: doc.FP, Time: doc.Time, Shift: st.ShiftNumber, ReceiptNumber: st.ReceiptNumber, Recovered: true}
		if err := t.done(ctx, p, r, res); err != nil {
			return false, err
		}
		return true, t.printSlip(ctx, p)
	}
	st, err := reg.Status(ctx)
	if err != nil {
		return false, t.queue(ctx, p, err)
	}
	if st.Mode == fiscal.ModeDocument {
		if err := reg.CancelReceipt(ctx); err != nil {
			return false, t.queue(ctx, p, err)
		}
	}
	p.FiscalState = store.FiscalQueued
	if err := t.d.Store.UpdatePayment(ctx, "till", "receipt_not_made", p); err != nil {
		return false, err
	}
	return false, nil
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
	lines, err := t.Slip(ctx, p)
	if err != nil {
		return err
	}
	if err := t.d.Register.PrintText(ctx, lines); err != nil {
		return fail("print slip", KindDevice, "the slip was not printed; print it again from the history", "квитанция не напечатана; напечатайте её снова из истории", err)
	}
	_ = t.d.Register.Cut(ctx, true)
	p.SlipPrintedAt = t.d.Clock.Now()
	if err := t.d.Store.UpdatePayment(ctx, "till", "slip_printed", p, store.Printed{Kind: "slip", Text: strings.Join(lines, "\n")}); err != nil {
		return err
	}
	t.changed("slip_printed", p)
	return nil
}

// Slip lays out the payment's slip for the register's width.
func (t *Till) Slip(ctx context.Context, p *store.Payment) ([]string, error) {
	rp, _, _ := t.receiptPayment(ctx, p)
	return receipts.Slip(rp, t.d.Agent, t.width(ctx)), nil
}

// Reprint makes a queued receipt, or prints the slip of a fiscalized
// payment again (a copy: the fiscal receipt itself is never made twice).
func (t *Till) Reprint(ctx context.Context, u *User, p *store.Payment) error {
	const op = "reprint"
	if err := need(u, store.RoleCashier, op); err != nil {
		return err
	}
	if p.State != store.StatePaid {
		return wrongState(op, p)
	}
	if p.FiscalState != store.FiscalDone {
		return t.Fiscalize(ctx, p)
	}
	if t.d.Register == nil {
		return fail(op, KindDevice, "no fiscal register is configured", "ККТ не настроена", nil)
	}
	lines, err := t.Slip(ctx, p)
	if err != nil {
		return err
	}
	lines = append([]string{"КОПИЯ"}, lines...)
	if err := t.d.Register.PrintText(ctx, lines); err != nil {
		return fail(op, KindDevice, "the copy was not printed", "копия не напечатана", err)
	}
	_ = t.d.Register.Cut(ctx, true)
	if p.SlipPrintedAt.IsZero() {
		p.SlipPrintedAt = t.d.Clock.Now()
		return t.d.Store.UpdatePayment(ctx, u.Login, "slip_printed", p)
	}
	return nil
}
