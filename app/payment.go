package app

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"

	"paydesk/hub/wire"
	"paydesk/internal/clock"
	"paydesk/internal/i18n"

	"paydesk/fiscal"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/store"
)

// PayTool is how the payer pays.
type PayTool int

// Payment tools (the gateway's PAY_TOOL values).
const (
	Cash PayTool = 0
	Card PayTool = 2 // a card taken by a dealer that is not a bank
)

// Start begins a payment: the provider and the payer's number or account are
// checked against the catalogue, and the payment is stored (state entered)
// with a SESSION of its own.
func (t *Till) Start(ctx context.Context, u *User, providerCode, payerID string) (*store.Payment, error) {
	return t.StartFields(ctx, u, providerCode, payerID, nil)
}

// StartFields is Start for a provider the network describes field by field
// (an account, a period, a meter reading): typed holds what was typed by
// field id, payerID (when not "") is the main field's value; every field in
// use is checked (defaults filled, dependencies read) before anything is
// stored, and the checked values are kept with the payment. For a provider
// of one number or account, typed must be empty.
func (t *Till) StartFields(ctx context.Context, u *User, providerCode, payerID string, typed map[string]string) (*store.Payment, error) {
	const op = "start payment"
	if err := t.online(op); err != nil {
		return nil, err
	}
	if err := need(u, store.RoleCashier, op); err != nil {
		return nil, err
	}
	prov, err := t.d.Network.Providers().Find(providerCode)
	if err != nil {
		return nil, err
	}
	var id string
	var fields map[string]string
	if prov.Described() {
		all := maps.Clone(typed)
		if all == nil {
			all = map[string]string{}
		}
		if payerID != "" {
			all[prov.Main()] = payerID
		}
		if fields, err = prov.Values(all); err != nil {
			return nil, err
		}
		if id = fields[prov.Main()]; id == "" {
			return nil, fail(op, KindInput, i18n.M("app.main_field_empty", "provider", prov.Name), nil)
		}
	} else {
		if len(typed) > 0 {
			return nil, fail(op, KindInput, i18n.M("app.no_fields", "provider", prov.Name), nil)
		}
		if id, err = prov.Validate(payerID); err != nil {
			return nil, err
		}
	}
	if _, err := t.openShift(ctx, op); err != nil {
		return nil, err
	}
	p := &store.Payment{CashierID: u.ID, ProviderCode: prov.Code, ProviderName: prov.Name, PayerID: id, Fields: fields,
		CommissionRate: prov.Commission}
	if t.d.HubURL != "" {
		p.Lookup = wire.NewLookup()
	}
	if err := t.d.Store.CreatePayment(ctx, u.Login, p); err != nil {
		return nil, err
	}
	t.changed("entered", p)
	return p, nil
}

func (t *Till) provider(p *store.Payment) (*gateway.Provider, error) {
	prov, err := t.d.Network.Providers().Find(p.ProviderCode)
	if err != nil {
		return nil, fail("payment", KindConfig, i18n.M("app.provider_gone", "provider", p.ProviderCode), err)
	}
	return prov, nil
}

// CheckNumber asks the network about the number alone (REQ_TYPE=1) with a
// throw-away SESSION and records the operator's name.
func (t *Till) CheckNumber(ctx context.Context, u *User, p *store.Payment) (*store.Payment, error) {
	const op = "check number"
	prov, err := t.begin(ctx, op, u, p, StepNumberChecked)
	if err != nil {
		return p, err
	}
	sess, err := t.d.Store.NewSession(ctx)
	if err != nil {
		return p, err
	}
	a, err := t.d.Network.CheckNumber(ctx, Request{Provider: prov, Session: sess, ID: p.PayerID, Fields: p.Fields})
	if err != nil {
		if a != nil {
			p.ErrorCode, p.Message = a.Code, a.Message
		}
		return p, err
	}
	p.NumberCheckedAt = t.d.Clock.Now()
	p.OpName, p.AddInfo = a.OpName, a.AddInfo
	if p.OpName == "" {
		p.OpName = prov.Name
	}
	return p, t.step(ctx, u.Login, StepNumberChecked, p)
}

// begin is where a cashier's step on a payment starts: the network is
// there, the user is a cashier, the payment is read as stored (the
// caller's copy becomes that row) and may take the step, and its provider
// is still in the catalogue.
func (t *Till) begin(ctx context.Context, op string, u *User, p *store.Payment, s Step) (*gateway.Provider, error) {
	if err := t.online(op); err != nil {
		return nil, err
	}
	if err := need(u, store.RoleCashier, op); err != nil {
		return nil, err
	}
	if err := t.reread(ctx, p); err != nil {
		return nil, err
	}
	if !Can(p, s) {
		return nil, wrongState(op, p)
	}
	return t.provider(p)
}

func wrongState(op string, p *store.Payment) error {
	return fail(op, KindState, i18n.M("app.payment_state", "session", p.Session, "state", i18n.M("state."+string(p.State))), nil)
}

// SetBuyer keeps the payer's phone or e-mail for an electronic receipt
// (tag 1008), normalised (+79161234567), or clears it when contact is
// empty; only before pay, since the receipt is made from what is stored.
func (t *Till) SetBuyer(ctx context.Context, u *User, p *store.Payment, contact string) (*store.Payment, error) {
	const op = "buyer"
	if err := need(u, store.RoleCashier, op); err != nil {
		return p, err
	}
	buyer := ""
	if strings.TrimSpace(contact) != "" {
		var err error
		if buyer, err = fiscal.Buyer(contact); err != nil {
			return p, fail(op, KindInput, i18n.M("app.buyer_bad", "value", contact), err)
		}
	}
	if err := t.reread(ctx, p); err != nil {
		return p, err
	}
	if !Can(p, StepBuyer) {
		return p, wrongState(op, p)
	}
	if p.Buyer == buyer {
		return p, nil
	}
	p.Buyer = buyer
	return p, t.step(ctx, u.Login, StepBuyer, p)
}

// Quote is what the payer is asked to pay for an amount.
type Quote struct {
	Amount     money.Amount // credited
	Fee        money.Amount // the point's fee
	Total      money.Amount // to take from the payer
	Commission money.Amount // the partner's commission (not charged to the payer)
	// Rate is the partner's commission as a rate of the amount: the
	// catalogue's, or the schedule rule's percent (0 for a fixed sum).
	Rate money.Rate
	// FeeRule and CommissionRule describe the schedule's rules that
	// applied (commission.Rule.String); "" for the flat rates.
	FeeRule, CommissionRule string
}

// Quote computes the fee, total and commission for an amount now: the
// commission schedule's first matching rule for each, else the point's fee
// rate and the provider's commission rate; each rounds half up to the
// kopeck.
func (t *Till) Quote(providerCode string, amount money.Amount) (Quote, error) {
	prov, err := t.Provider(providerCode)
	if err != nil {
		return Quote{}, err
	}
	q := Quote{Amount: amount, Fee: t.d.Fee.Of(amount), Commission: prov.Commission.Of(amount), Rate: prov.Commission}
	if s := t.d.Schedules; s != nil {
		now := t.d.Clock.Now()
		if r := s.Fee.Find(prov.Code, string(prov.Group), now, amount); r != nil {
			q.Fee, q.FeeRule = r.Of(amount), r.String()
		}
		if r := s.Commission.Find(prov.Code, string(prov.Group), now, amount); r != nil {
			q.Commission, q.Rate, q.CommissionRule = r.Of(amount), r.Percent, r.String()
		}
	}
	q.Total = amount + q.Fee
	return q, nil
}

// Check asks the network whether the amount may be paid ("Pay"): the
// amount, fee, total and the partner's commission are stored first, then the
// check goes out with the payment's SESSION. A final refusal ends the
// payment (nothing was paid); a retryable one leaves it checkable again.
func (t *Till) Check(ctx context.Context, u *User, p *store.Payment, amount money.Amount, tool PayTool) (*store.Payment, error) {
	const op = "check"
	prov, err := t.begin(ctx, op, u, p, StepChecked)
	if err != nil {
		return p, err
	}
	if err := prov.CheckAmount(amount); err != nil {
		return p, err
	}
	if _, err := t.openShift(ctx, op); err != nil {
		return p, err
	}
	q, err := t.Quote(p.ProviderCode, amount)
	if err != nil {
		return p, err
	}
	if err := t.covered(ctx, op, q.Amount, q.Total); err != nil {
		return p, err
	}
	if p.State == store.StateChecked && !p.CheckedAt.IsZero() {
		// A second check with the same SESSION would be a duplicate (ERROR 1).
		sess, err := t.d.Store.NewSession(ctx)
		if err != nil {
			return p, err
		}
		p.Session = sess
	}
	p.Amount, p.Fee, p.Total, p.Commission, p.PayTool = q.Amount, q.Fee, q.Total, q.Commission, int(tool)
	p.CommissionRate, p.FeeRule, p.CommissionRule = q.Rate, q.FeeRule, q.CommissionRule
	if err := t.step(ctx, u.Login, StepAmount, p); err != nil {
		return p, err
	}
	a, err := t.d.Network.Check(ctx, request(prov, p))
	for attempt := 1; err != nil && attempt <= 1; attempt++ {
		// A check moves no money: on a lost answer or "too many requests"
		// it is repeated once, under a new SESSION (the old one may have
		// reached the network).
		f := faultOf(err)
		if f != FaultNoAnswer && f != FaultBusy {
			break
		}
		if f == FaultBusy {
			if serr := clock.Sleep(ctx, t.d.Clock, 2*time.Second); serr != nil {
				break
			}
		}
		sess, serr := t.d.Store.NewSession(ctx)
		if serr != nil {
			return p, serr
		}
		p.Session = sess
		if uerr := t.step(ctx, u.Login, StepRecheck, p); uerr != nil {
			return p, uerr
		}
		a, err = t.d.Network.Check(ctx, request(prov, p))
	}
	if err != nil {
		if a != nil {
			p.ErrorCode, p.Result, p.Message = a.Code, a.Result, a.Message
		}
		if f := faultOf(err); f == FaultFinal {
			p.ResolvedAt = t.d.Clock.Now()
			if uerr := t.step(ctx, u.Login, StepRefused, p); uerr != nil {
				return p, uerr
			}
		} else if f == FaultNoAnswer || f.refused() {
			// The SESSION may have reached the network: the next check takes a new one.
			if sess, serr := t.d.Store.NewSession(ctx); serr == nil {
				p.Session = sess
				_ = t.step(ctx, u.Login, StepCheckFailed, p)
			}
		}
		return p, err
	}
	p.CheckedAt = t.d.Clock.Now()
	p.ErrorCode, p.Result = a.Code, a.Result
	if a.AddInfo != "" {
		p.AddInfo = a.AddInfo
	}
	if a.OpName != "" {
		p.OpName = a.OpName
	}
	return p, t.step(ctx, u.Login, StepChecked, p)
}

// request is the payment as the network is asked about it.
func request(prov *gateway.Provider, p *store.Payment) Request {
	return Request{Provider: prov, Session: p.Session, ID: p.PayerID, Fields: p.Fields, TransID: p.TransID, Amount: p.Amount, Total: p.Total,
		PayTool: p.PayTool, Ref: ref(p.Session)}
}

// ref is the payment's own number for the network (RRN, at most 32
// digits): the digits that open its SESSION (the time to the second and a
// counter, store.NewSession), unique for the point for ever as the SESSION
// is, which a row id of one database is not.
func ref(session string) string {
	n := 0
	for n < len(session) && session[n] >= '0' && session[n] <= '9' && n < 32 {
		n++
	}
	return session[:n]
}

// Cancel abandons a payment before pay was sent.
func (t *Till) Cancel(ctx context.Context, u *User, p *store.Payment) error {
	const op = "cancel"
	if err := need(u, store.RoleCashier, op); err != nil {
		return err
	}
	if err := t.reread(ctx, p); err != nil {
		return err
	}
	if !Can(p, StepCancelled) {
		return wrongState(op, p)
	}
	p.ResolvedAt = t.d.Clock.Now()
	return t.step(ctx, u.Login, StepCancelled, p)
}

// Confirm sends the payment ("Payment confirmation"), once. The register
// is asked first whether it can make the receipt now: when it cannot, pay
// is not sent (no receipt, no payment). The state pay_sent is committed
// before pay leaves; from then on only status may settle the outcome. An
// answer that is an acceptance (with a TRANSID) makes the payment accepted
// and its receipt is made now; status then goes on until it is final
// (paid, or failed: a failed payment whose receipt was made is refunded
// with a return receipt). When the check is older than CheckWindow, the
// payment is checked again under a new SESSION first. A receipt that fails
// stays queued (the payment is taken all the same: the error then has
// KindDevice).
func (t *Till) Confirm(ctx context.Context, u *User, p *store.Payment) (*store.Payment, error) {
	const op = "pay"
	prov, err := t.begin(ctx, op, u, p, StepPaySent)
	if err != nil {
		return p, err
	}
	if _, err := t.openShift(ctx, op); err != nil {
		return p, err
	}
	if err := t.receiptReady(ctx, op); err != nil {
		return p, err
	}
	// The flow owns the payment until it returns (owner.go): the resolver
	// leaves it alone while its pay is in flight and the cashier waits.
	release, ok := t.take(p.ID, "cashier "+u.Login, t.flowLease())
	if !ok {
		return p, fail(op, KindState, i18n.M("app.payment_busy"), nil)
	}
	defer release()
	if t.d.Clock.Now().Sub(p.CheckedAt) > CheckWindow {
		if p, err = t.Check(ctx, u, p, p.Amount, PayTool(p.PayTool)); err != nil {
			return p, err
		}
	}
	p.PaySentAt = t.d.Clock.Now()
	if err := t.step(ctx, u.Login, StepPaySent, p); err != nil {
		// Not persisted: not sent.
		return p, err
	}
	a, payErr := t.d.Network.Pay(ctx, request(prov, p))
	t.changed("pay_returned", p) // not a stored step: the crash test's point between answer and record
	p.NextStatusAt = t.d.Clock.Now()
	if payErr == nil && a != nil && a.TransID != "" {
		// An acceptance: the network has it, not yet credited. The receipt
		// is due now; status goes on.
		p.TransID, p.AuthCode = a.TransID, a.AuthCode
		p.ErrorCode, p.Result = a.Code, a.Result
		if err := t.step(ctx, u.Login, StepAccepted, p, answer("pay", a)); err != nil {
			return t.takenOver(p, err)
		}
		t.spent(p.Total)
		// The receipt is made now, before status is asked: the money is
		// taken for a payment the network has.
		receiptErr := t.Fiscalize(ctx, p)
		p, err := t.settle(ctx, u.Login, prov, p, true)
		if err == nil && receiptErr != nil && p.FiscalState != store.FiscalDone {
			return p, receiptErr
		}
		return p, err
	}
	var kept []store.Record
	if a != nil {
		p.ErrorCode, p.Result, p.Message = a.Code, a.Result, a.Message
		kept = append(kept, answer("pay", a))
	}
	// Refused, unanswered or not an acceptance: either way the outcome is
	// for status to say.
	if err := t.step(ctx, u.Login, StepPayUnknown, p, kept...); err != nil {
		return t.takenOver(p, err)
	}
	return t.settle(ctx, u.Login, prov, p, false)
}

// takenOver is what a flow reports when its write was refused because
// another actor changed the payment first: the outcome as stored (the
// other actor makes the receipt).
func (t *Till) takenOver(p *store.Payment, err error) (*store.Payment, error) {
	if !errors.Is(err, store.ErrConflict) {
		return p, err
	}
	return p, t.outcome(p, nil)
}

// settle asks status while the cashier waits and applies the outcome.
// accepted is true when pay itself was accepted: then one status request
// says whether it is credited already (the slip says ЗАЧИСЛЕН) or still
// processing (ПРИНЯТ: the resolver goes on).
func (t *Till) settle(ctx context.Context, actor string, prov *gateway.Provider, p *store.Payment, accepted bool) (*store.Payment, error) {
	schedule := t.d.Settle
	if accepted {
		schedule = nil
	}
	out, a, err := t.d.Network.Settle(ctx, request(prov, p), schedule)
	noteStatus(p, out, a)
	return t.apply(ctx, actor, p, out, a, err)
}

// answer is a network's answer as the books keep it.
func answer(op string, a *Reply) store.Answer {
	return store.Answer{Op: op, Error: a.Code, Result: a.Result, TransID: a.TransID}
}

// noteStatus copies what a status answer a says into the payment. A refused
// pay keeps its ERROR when status only proves it was not paid: that code
// says why.
func noteStatus(p *store.Payment, out Outcome, a *Reply) {
	if a == nil {
		return
	}
	p.Result = a.Result
	if a.TransID != "" {
		p.TransID = a.TransID
	}
	if a.AuthCode != "" {
		p.AuthCode = a.AuthCode
	}
	if out.Final() && !(out == OutcomeNotPaid && p.ErrorCode != 0) {
		p.ErrorCode = a.Code
	}
}

// outcomeStep is the step an outcome of status takes a payment in state
// from: "never happened" after an acceptance is a dispute, never "return
// the cash".
func outcomeStep(from store.State, out Outcome) Step {
	switch out {
	case OutcomePaid:
		return StepPaid
	case OutcomeFailed:
		return StepFailed
	case OutcomeNotPaid:
		if from == store.StateAccepted || from == store.StateDisputed {
			return StepDisputed
		}
		return StepNotPaid
	}
	if from == store.StatePaySent {
		return StepPayUnknown // a flow's payment taken over: open, and now known to be
	}
	return StepPending
}

// apply records an outcome, over the stored row the outcome was decided on
// (with the answer it came in), and for a payment the network has makes
// its receipt. When another actor changed the payment first, nothing is
// recorded and what it decided is reported.
func (t *Till) apply(ctx context.Context, actor string, p *store.Payment, out Outcome, a *Reply, settleErr error) (*store.Payment, error) {
	now := t.d.Clock.Now()
	step := outcomeStep(p.State, out)
	switch step {
	case StepPaid, StepFailed, StepNotPaid:
		p.ResolvedAt = now
	default:
		// Still open: the resolver goes on in the background.
		p.StatusAttempts++
		p.NextStatusAt = now.Add(t.d.Network.NextStatus(p.StatusAttempts - 1))
	}
	var kept []store.Record
	if a != nil {
		kept = append(kept, answer("status", a))
	}
	wasDue := p.FiscalState != store.FiscalNone
	if err := t.step(ctx, actor, step, p, kept...); err != nil {
		return t.takenOver(p, err)
	}
	if !wasDue && p.FiscalState == store.FiscalQueued {
		// Due from this step on (a payment found paid): made now. One due
		// before waits for its own maker (the flow, the receipt queue).
		if err := t.Fiscalize(ctx, p); err != nil {
			return p, err
		}
	}
	return p, t.outcome(p, settleErr)
}

// outcome is what the cashier is told of a payment as it is stored after
// pay: nothing for one the network has (accepted or credited), why for one
// not paid, what to do with the cash for one failed, to wait for one still
// open (cause says what kept it open), and never to return the cash of a
// disputed one.
func (t *Till) outcome(p *store.Payment, cause error) error {
	switch p.State {
	case store.StatePaid, store.StateAccepted:
		return nil
	case store.StateNotPaid:
		if p.RefundState != store.RefundNone {
			return fail("pay", KindRefused, i18n.M("app.not_paid_refund"), t.refusal(p))
		}
		return fail("pay", KindRefused, i18n.M("app.not_paid"), t.refusal(p))
	case store.StateFailed:
		if p.RefundState != store.RefundNone {
			return fail("pay", KindRefused, i18n.M("app.failed_refund"), t.refusal(p))
		}
		return fail("pay", KindRefused, i18n.M("app.failed"), t.refusal(p))
	case store.StateDisputed:
		return fail("pay", KindPending, i18n.M("app.disputed"), nil)
	case store.StatePaySent, store.StateUnknown:
		return fail("pay", KindPending, i18n.M("app.pending"), cause)
	}
	return wrongState("pay", p)
}

func (t *Till) refusal(p *store.Payment) error {
	if p.ErrorCode == 0 || t.d.Network == nil {
		return nil
	}
	return t.d.Network.Refusal("pay", p.Session, p.ErrorCode, p.Result)
}
