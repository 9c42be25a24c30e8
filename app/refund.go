package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/receipts"
	"paydesk/store"
)

// Overdue is how long a payment may stay unsettled before the manager is
// shown it (spec gateway.md §10: alert after 24 hours).
const Overdue = 24 * time.Hour

// Refunds lists the payments whose money goes back with a return receipt:
// failed (or proven not paid) after their sale receipt was made. Oldest
// first; cashiers and up.
func (t *Till) Refunds(ctx context.Context, u *User) ([]*Payment, error) {
	if err := need(u, store.RoleCashier, "refunds"); err != nil {
		return nil, err
	}
	return t.d.Store.Refunds(ctx)
}

// Refund hands a failed payment's money back: the return receipt («ВОЗВРАТ
// ПРИХОДА») with the sale's lines and total, then a slip saying why,
// exactly once, as a sale is made: decided from the payment as stored, read
// under the receipt lock; the device's last document number stored before
// the return is started, so that after a crash the device decides whether
// it was made; the device's last document looked at first. The cash goes
// out of the open shift's drawer.
func (t *Till) Refund(ctx context.Context, u *User, p *store.Payment) error {
	const op = "refund"
	if err := need(u, store.RoleCashier, op); err != nil {
		return err
	}
	t.fiscalMu.Lock()
	defer t.fiscalMu.Unlock()
	if err := t.reread(ctx, p); err != nil {
		return err
	}
	if p.RefundState != store.RefundDue && p.RefundState != store.RefundStarted {
		return fail(op, KindState, i18n.M("app.refund.none", "session", p.Session, "state", i18n.M("state."+string(p.State))), nil)
	}
	reg := t.d.Register
	if reg == nil {
		return fail(op, KindDevice, i18n.M("app.no_register"), nil)
	}
	sh, err := t.openShift(ctx, op)
	if err != nil {
		return err
	}
	if p.RefundState == store.RefundStarted {
		if done, err := t.recoverRefund(ctx, p); err != nil || done {
			return err
		}
	}
	if err := t.receiptReady(ctx, op); err != nil {
		return err
	}
	st, doc, err := t.readyFor(ctx, p, fiscal.SaleReturn)
	switch {
	case err != nil:
		return t.refundQueued(ctx, p, err)
	case doc != nil:
		return t.refundMade(ctx, p, *doc, sh.ID)
	}
	p.RefundBefore, p.RefundError, p.RefundShiftID = int64(st.LastFD), "", sh.ID
	if err := t.step(ctx, u.Login, StepRefundStarted, p); err != nil {
		return err
	}
	rp, sup, _ := t.receiptPayment(ctx, p)
	rp.Cashier = cashierOf(u.Cashier)
	r := receipts.Return(rp, t.d.Agent, sup)
	res, err := reg.Fiscalize(ctx, r)
	if err != nil {
		if errors.Is(err, fiscal.ErrOutcomeUnknown) || fiscal.KindOf(err) == fiscal.KindLink {
			if done, rerr := t.recoverRefund(ctx, p); rerr == nil && done {
				return nil
			}
		}
		return t.refundQueued(ctx, p, err)
	}
	return t.refunded(ctx, p, r, res)
}

// refunded records a made return receipt and prints the refund's slip.
func (t *Till) refunded(ctx context.Context, p *store.Payment, r fiscal.Receipt, res fiscal.Result) error {
	p.RefundFD, p.RefundFP, p.RefundedAt, p.RefundError = int64(res.FD), int64(res.FP), t.d.Clock.Now(), ""
	text := strings.Join(receipts.Layout(r, res, t.d.Agent, t.width(ctx)), "\n")
	if err := t.step(ctx, "till", StepRefunded, p, store.Printed{Kind: "return", Text: text}); err != nil {
		return err
	}
	rp, _, _ := t.receiptPayment(ctx, p)
	rp.Time = p.RefundedAt.Local()
	lines := receipts.ReturnSlip(rp, t.d.Agent, t.refundWhy(p), t.width(ctx))
	if err := t.d.Register.PrintText(ctx, lines); err != nil {
		return fail("print slip", KindDevice, i18n.M("app.slip_not_printed"), err)
	}
	_ = t.d.Register.Cut(ctx, true)
	return t.step(ctx, "till", StepRefundSlip, p, store.Printed{Kind: "return_slip", Text: strings.Join(lines, "\n")})
}

// refundWhy is the reason a refund's slip gives, in Russian (the slip's
// language): the network's message for its code.
func (t *Till) refundWhy(p *store.Payment) string { return t.RefundWhy(p, i18n.RU) }

// refundQueued leaves the refund due with the device's message.
func (t *Till) refundQueued(ctx context.Context, p *store.Payment, cause error) error {
	p.RefundError = Message(cause, i18n.RU)
	if err := t.step(ctx, "till", StepRefundQueued, p); err != nil {
		return err
	}
	return fail("refund", KindDevice, i18n.M("app.refund.queued"), cause)
}

// recoverRefund decides a return receipt that was started: made when the
// device's last document is a return receipt for the payment's total
// numbered after the one recorded before; otherwise any open receipt is
// cancelled and the refund is due again. It reports whether it was made.
func (t *Till) recoverRefund(ctx context.Context, p *store.Payment) (bool, error) {
	doc, err := t.decideStarted(ctx, p, p.RefundBefore, fiscal.SaleReturn)
	switch {
	case err != nil:
		return false, t.refundQueued(ctx, p, err)
	case doc != nil:
		return true, t.refundMade(ctx, p, *doc, p.RefundShiftID)
	}
	return false, t.step(ctx, "till", StepRefundNotMade, p)
}

// refundMade records the return receipt found on the device as document doc.
func (t *Till) refundMade(ctx context.Context, p *store.Payment, doc fiscal.Document, shiftID int64) error {
	if p.RefundState == store.RefundDue {
		// Found before it was started here (a restored database): record it
		// as started first, so the table's one way to refunded holds.
		p.RefundBefore, p.RefundShiftID = int64(doc.FD)-1, shiftID
		if err := t.step(ctx, "till", StepRefundStarted, p); err != nil {
			return err
		}
	}
	rp, sup, _ := t.receiptPayment(ctx, p)
	r := receipts.Return(rp, t.d.Agent, sup)
	t.log.Info("app: the return receipt was found on the device", "fd", doc.FD, "session", p.Session)
	return t.refunded(ctx, p, r, fiscal.Result{FD: doc.FD, FP: doc.FP, Time: doc.Time, Recovered: true})
}

// recoverRefunds decides every return receipt caught half-made (a start).
func (t *Till) recoverRefunds(ctx context.Context) error {
	if t.d.Register == nil {
		return nil
	}
	ps, err := t.d.Store.Refunds(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range ps {
		if p.RefundState != store.RefundStarted {
			continue
		}
		t.fiscalMu.Lock()
		_, err := t.recoverRefund(ctx, p)
		t.fiscalMu.Unlock()
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Disputes lists the disputed payments: the network accepted them and then
// said they never happened. Managers and up.
func (t *Till) Disputes(ctx context.Context, u *User) ([]*Payment, error) {
	if err := need(u, store.RoleManager, "disputes"); err != nil {
		return nil, err
	}
	return t.d.Store.Payments(ctx, store.Filter{State: store.StateDisputed, Limit: 10_000})
}

// Overdues lists the payments still unsettled Overdue after pay was sent:
// the manager is shown them. Managers and up.
func (t *Till) Overdues(ctx context.Context, u *User) ([]*Payment, error) {
	if err := need(u, store.RoleManager, "overdue"); err != nil {
		return nil, err
	}
	ps, err := t.d.Store.PendingPayments(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ps, func(p *store.Payment) bool {
		return p.PaySentAt.IsZero() || t.d.Clock.Now().Sub(p.PaySentAt) < Overdue
	}), nil
}

// Answers lists every answer the network gave about a payment, oldest
// first: the evidence a dispute is decided on. Managers and up.
func (t *Till) Answers(ctx context.Context, u *User, p *Payment) ([]store.Answer, error) {
	if err := need(u, store.RoleManager, "answers"); err != nil {
		return nil, err
	}
	return t.d.Store.Answers(ctx, p.ID)
}

// Decide closes a dispute by a manager's explicit decision, after the
// network's support confirmed what became of the payment: paid (it stays
// the network's), or not paid (its money goes back: a made receipt makes
// its refund due). The decision, with the manager's login, is the audit's
// step; nothing else closes a dispute but a final status.
func (t *Till) Decide(ctx context.Context, manager *User, p *Payment, paid bool) error {
	const op = "decide dispute"
	if err := need(manager, store.RoleManager, op); err != nil {
		return err
	}
	if err := t.online(op); err != nil {
		return err
	}
	release, ok := t.take(p.ID, "manager "+manager.Login, t.resolverLease())
	if !ok {
		return fail(op, KindState, i18n.M("app.payment_busy"), nil)
	}
	defer release()
	if err := t.reread(ctx, p); err != nil {
		return err
	}
	step := StepConfirmedNotPaid
	if paid {
		step = StepConfirmedPaid
	}
	if !Can(p, step) {
		return wrongState(op, p)
	}
	p.ResolvedAt = t.d.Clock.Now()
	if err := t.step(ctx, manager.Login, step, p); err != nil {
		return err
	}
	if p.FiscalState == store.FiscalQueued {
		return t.Fiscalize(ctx, p)
	}
	return nil
}

// PaymentBySession finds a payment by its SESSION (cashiers and up).
func (t *Till) PaymentBySession(ctx context.Context, u *User, session string) (*Payment, error) {
	if err := need(u, store.RoleCashier, "find payment"); err != nil {
		return nil, err
	}
	return t.d.Store.PaymentBySession(ctx, session)
}

// RefundWhy is why a payment's money goes back, in lang: the network's
// message for the code it failed with, or that it was confirmed not made.
func (t *Till) RefundWhy(p *Payment, lang string) string {
	if err := t.refusal(p); err != nil {
		return Message(err, lang)
	}
	return i18n.Text(lang, "app.refund.why_not_paid")
}
