package app

import (
	"context"
	"fmt"

	"paydesk/store"
)

// Step is one step of a payment's life. Its name is what the audit and the
// step hook (the crash test) see.
type Step string

// The steps, in the order a payment meets them.
const (
	StepNumberChecked    Step = "number_checked"    // the number alone was checked (REQ_TYPE=1)
	StepAmount           Step = "amount"            // the amount, fee, total and commission, before the check
	StepRecheck          Step = "recheck"           // a new SESSION for a check asked again
	StepChecked          Step = "checked"           // the network agreed to the amount
	StepRefused          Step = "refused"           // the check was refused for good: nothing paid
	StepCheckFailed      Step = "check_failed"      // the check got no answer: a new SESSION for the next
	StepCancelled        Step = "cancelled"         // the cashier abandoned it before pay
	StepAbandoned        Step = "abandoned"         // found unsent after the check window, on a start
	StepPaySent          Step = "pay_sent"          // written before pay goes out
	StepPayUnknown       Step = "pay_unknown"       // pay refused or unanswered: status decides
	StepRecoveredUnknown Step = "recovered_unknown" // found in pay_sent on a start
	StepPaid             Step = "paid"              // the network has it: the receipt is due
	StepNotPaid          Step = "not_paid"          // status proved it never happened
	StepFailed           Step = "failed"            // the network completed it as failed
	StepPending          Step = "pending"           // still open: the resolver goes on
	StepReceiptStarted   Step = "receipt_started"   // written before the device is asked
	StepFiscalized       Step = "fiscalized"        // the device made the receipt
	StepReceiptQueued    Step = "receipt_queued"    // the device could not: it waits
	StepReceiptNotMade   Step = "receipt_not_made"  // a started receipt proved not made
	StepSlipPrinted      Step = "slip_printed"      // the slip is printed
)

// arrow is one row of the payment's table: the states a step may start
// from, and what it leaves.
type arrow struct {
	from   []store.State
	to     store.State        // "" leaves the state as it is
	fiscal *store.FiscalState // nil leaves the fiscal state to the step
}

var (
	fromBeforePay = []store.State{store.StateEntered, store.StateNumberChecked, store.StateChecked}
	fromOpen      = []store.State{store.StatePaySent, store.StateUnknown}
	fromPaid      = []store.State{store.StatePaid}
)

func fiscalTo(s store.FiscalState) *store.FiscalState { return &s }

// life is the payment's whole life, one row a step (a payment is created
// entered by Start). Every change of a payment goes through step, which
// checks this table.
var life = map[Step]arrow{
	StepNumberChecked:    {from: []store.State{store.StateEntered, store.StateNumberChecked}, to: store.StateNumberChecked},
	StepAmount:           {from: fromBeforePay},
	StepRecheck:          {from: fromBeforePay},
	StepChecked:          {from: fromBeforePay, to: store.StateChecked},
	StepRefused:          {from: fromBeforePay, to: store.StateRefused},
	StepCheckFailed:      {from: fromBeforePay},
	StepCancelled:        {from: fromBeforePay, to: store.StateCancelled},
	StepAbandoned:        {from: fromBeforePay, to: store.StateCancelled},
	StepPaySent:          {from: []store.State{store.StateChecked}, to: store.StatePaySent},
	StepPayUnknown:       {from: []store.State{store.StatePaySent}, to: store.StateUnknown},
	StepRecoveredUnknown: {from: []store.State{store.StatePaySent}, to: store.StateUnknown},
	StepPaid:             {from: fromOpen, to: store.StatePaid, fiscal: fiscalTo(store.FiscalQueued)},
	StepNotPaid:          {from: fromOpen, to: store.StateNotPaid},
	StepFailed:           {from: fromOpen, to: store.StateFailed},
	StepPending:          {from: fromOpen, to: store.StateUnknown},
	StepReceiptStarted:   {from: fromPaid, fiscal: fiscalTo(store.FiscalStarted)},
	StepFiscalized:       {from: fromPaid, fiscal: fiscalTo(store.FiscalDone)},
	StepReceiptQueued:    {from: fromPaid},
	StepReceiptNotMade:   {from: fromPaid, fiscal: fiscalTo(store.FiscalQueued)},
	StepSlipPrinted:      {from: fromPaid},
}

func (a arrow) allows(s store.State) bool {
	for _, f := range a.from {
		if f == s {
			return true
		}
	}
	return false
}

// Can reports whether the payment, as it is, may take the step: the window
// enables its buttons by it.
func Can(p *Payment, s Step) bool {
	return p != nil && life[s].allows(p.State)
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
	if !a.allows(p.State) {
		return wrongState(string(s), p)
	}
	if a.to != "" {
		p.State = a.to
	}
	if a.fiscal != nil {
		p.FiscalState = *a.fiscal
	}
	if err := t.save(ctx, actor, string(s), p, kept...); err != nil {
		return err
	}
	t.changed(string(s), p)
	return nil
}
