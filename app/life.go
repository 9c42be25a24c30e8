package app

import (
	"context"
	"fmt"
	"slices"

	"paydesk/store"
)

// Step is one step of a payment's life. Its name is what the audit and the
// step hook (the crash test) see.
type Step string

// The steps, in the order a payment meets them.
const (
	StepNumberChecked    Step = "number_checked"     // the number alone was checked (REQ_TYPE=1)
	StepAmount           Step = "amount"             // the amount, fee, total and commission, before the check
	StepRecheck          Step = "recheck"            // a new SESSION for a check asked again
	StepBuyer            Step = "buyer"              // the payer's phone or e-mail for an electronic receipt
	StepChecked          Step = "checked"            // the network agreed to the amount
	StepRefused          Step = "refused"            // the check was refused for good: nothing paid
	StepCheckFailed      Step = "check_failed"       // the check got no answer: a new SESSION for the next
	StepCancelled        Step = "cancelled"          // the cashier abandoned it before pay
	StepAbandoned        Step = "abandoned"          // found unsent after the check window, on a start
	StepPaySent          Step = "pay_sent"           // written before pay goes out
	StepAccepted         Step = "accepted"           // pay accepted with a TRANSID: the receipt is due, status goes on
	StepPayUnknown       Step = "pay_unknown"        // pay refused or unanswered: status decides
	StepRecoveredUnknown Step = "recovered_unknown"  // found in pay_sent on a start
	StepPaid             Step = "paid"               // status proved it completed: the receipt is due
	StepNotPaid          Step = "not_paid"           // status proved it never happened
	StepFailed           Step = "failed"             // the network completed it as failed
	StepDisputed         Step = "disputed"           // status says "never happened" after an acceptance
	StepPending          Step = "pending"            // still open: the resolver goes on
	StepConfirmedPaid    Step = "confirmed_paid"     // a manager closed a dispute: support confirmed it paid
	StepConfirmedNotPaid Step = "confirmed_not_paid" // a manager closed a dispute: support confirmed it not paid
	StepReceiptStarted   Step = "receipt_started"    // written before the device is asked
	StepFiscalized       Step = "fiscalized"         // the device made the receipt
	StepReceiptQueued    Step = "receipt_queued"     // the device could not: it waits
	StepReceiptNotMade   Step = "receipt_not_made"   // a started receipt proved not made
	StepSlipPrinted      Step = "slip_printed"       // the slip is printed
	StepRefundStarted    Step = "refund_started"     // written before the device is asked for the return receipt
	StepRefunded         Step = "refunded"           // the device made the return receipt: the cash went back
	StepRefundQueued     Step = "refund_queued"      // the device could not: the refund waits
	StepRefundNotMade    Step = "refund_not_made"    // a started return receipt proved not made
	StepRefundSlip       Step = "refund_slip"        // the refund's slip is printed
)

// arrow is one row of the payment's table: the states a step may start
// from, and what it leaves.
type arrow struct {
	from   []store.State
	to     store.State        // "" leaves the state as it is
	fiscal *store.FiscalState // nil leaves the fiscal state to the step
	refund *store.RefundState // nil leaves the refund state to the step
	// refunding steps start only from a payment whose refund is due (or
	// started: refunding).
	refunding []store.RefundState
}

var (
	fromBeforePay = []store.State{store.StateEntered, store.StateNumberChecked, store.StateChecked}
	// fromUnknown: pay went out and nothing says the network took it.
	fromUnknown = []store.State{store.StatePaySent, store.StateUnknown}
	// fromOpen: not final; status goes on.
	fromOpen = store.OpenStates
	// fromKept: the network has it (or took it): its receipt is due.
	fromKept = store.KeptStates
	// fromReceipt: a receipt may be made, or decided after a crash (a
	// payment that failed while its receipt was being made).
	fromReceipt = []store.State{store.StateAccepted, store.StatePaid, store.StateDisputed, store.StateFailed, store.StateNotPaid}
	// fromGiveBack: the money goes back.
	fromGiveBack = []store.State{store.StateFailed, store.StateNotPaid}
)

func fiscalTo(s store.FiscalState) *store.FiscalState { return &s }
func refundTo(s store.RefundState) *store.RefundState { return &s }

// life is the payment's whole life, one row a step (a payment is created
// entered by Start). Every change of a payment goes through step, which
// checks this table and then keeps the receipt and the refund in line
// with the state (claims).
var life = map[Step]arrow{
	StepNumberChecked:    {from: []store.State{store.StateEntered, store.StateNumberChecked}, to: store.StateNumberChecked},
	StepAmount:           {from: fromBeforePay},
	StepRecheck:          {from: fromBeforePay},
	StepBuyer:            {from: fromBeforePay},
	StepChecked:          {from: fromBeforePay, to: store.StateChecked},
	StepRefused:          {from: fromBeforePay, to: store.StateRefused},
	StepCheckFailed:      {from: fromBeforePay},
	StepCancelled:        {from: fromBeforePay, to: store.StateCancelled},
	StepAbandoned:        {from: fromBeforePay, to: store.StateCancelled},
	StepPaySent:          {from: []store.State{store.StateChecked}, to: store.StatePaySent},
	StepAccepted:         {from: []store.State{store.StatePaySent}, to: store.StateAccepted},
	StepPayUnknown:       {from: []store.State{store.StatePaySent}, to: store.StateUnknown},
	StepRecoveredUnknown: {from: []store.State{store.StatePaySent}, to: store.StateUnknown},
	StepPaid:             {from: fromOpen, to: store.StatePaid},
	StepNotPaid:          {from: fromUnknown, to: store.StateNotPaid},
	StepFailed:           {from: fromOpen, to: store.StateFailed},
	StepDisputed:         {from: []store.State{store.StateAccepted, store.StateDisputed}, to: store.StateDisputed},
	StepPending:          {from: []store.State{store.StateUnknown, store.StateAccepted, store.StateDisputed}},
	StepConfirmedPaid:    {from: []store.State{store.StateDisputed}, to: store.StatePaid},
	StepConfirmedNotPaid: {from: []store.State{store.StateDisputed}, to: store.StateNotPaid},
	StepReceiptStarted:   {from: fromKept, fiscal: fiscalTo(store.FiscalStarted)},
	StepFiscalized:       {from: fromReceipt, fiscal: fiscalTo(store.FiscalDone)},
	StepReceiptQueued:    {from: fromReceipt},
	StepReceiptNotMade:   {from: fromReceipt, fiscal: fiscalTo(store.FiscalQueued)},
	StepSlipPrinted:      {from: fromKept},
	StepRefundStarted: {from: fromGiveBack, refund: refundTo(store.RefundStarted),
		refunding: []store.RefundState{store.RefundDue}},
	StepRefunded: {from: fromGiveBack, to: store.StateRefunded, refund: refundTo(store.RefundDone),
		refunding: []store.RefundState{store.RefundStarted}},
	StepRefundQueued: {from: fromGiveBack, refunding: []store.RefundState{store.RefundDue, store.RefundStarted},
		refund: refundTo(store.RefundDue)},
	StepRefundNotMade: {from: fromGiveBack, refund: refundTo(store.RefundDue),
		refunding: []store.RefundState{store.RefundStarted}},
	StepRefundSlip: {from: []store.State{store.StateRefunded}},
}

// claims keeps what a payment's state claims of the drawer in line with
// its receipt: a payment the network has (KeptStates) has its receipt due;
// one whose money goes back has no receipt due, and when its receipt was
// made, a refund (a return receipt) due. A receipt being made when the
// payment failed is decided first (Recover, the receipt queue): then this
// runs again.
func claims(p *Payment) {
	switch {
	case slices.Contains(store.KeptStates, p.State):
		if p.FiscalState == store.FiscalNone {
			p.FiscalState = store.FiscalQueued
		}
	case slices.Contains(fromGiveBack, p.State):
		switch p.FiscalState {
		case store.FiscalQueued:
			p.FiscalState = store.FiscalNone // never made: the cash goes straight back
		case store.FiscalDone:
			if p.RefundState == store.RefundNone {
				p.RefundState = store.RefundDue
			}
		}
	}
}

// allows reports whether a payment may take the arrow's step.
func (a arrow) allows(p *Payment) bool {
	if !slices.Contains(a.from, p.State) {
		return false
	}
	return a.refunding == nil || slices.Contains(a.refunding, p.RefundState)
}

// Can reports whether the payment, as it is, may take the step: the window
// enables its buttons by it.
func Can(p *Payment, s Step) bool {
	return p != nil && life[s].allows(p)
}

// step takes the payment through a step of its life: the table says where
// it may start from and what state it leaves; the caller has filled in the
// step's own fields (times, codes). It is written over the stored version
// p was read at (store.ErrConflict when another actor came first: p is then
// the stored row) and announced to the watchers and the step hook.
func (t *Till) step(ctx context.Context, actor string, s Step, p *Payment, kept ...store.Record) error {
	a, ok := life[s]
	if !ok {
		return fmt.Errorf("app: no step %q in the payment's table", s)
	}
	if !a.allows(p) {
		return wrongState(string(s), p)
	}
	if a.to != "" {
		p.State = a.to
	}
	if a.fiscal != nil {
		p.FiscalState = *a.fiscal
	}
	if a.refund != nil {
		p.RefundState = *a.refund
	}
	claims(p)
	if err := t.save(ctx, actor, string(s), p, kept...); err != nil {
		return err
	}
	t.changed(string(s), p)
	return nil
}
