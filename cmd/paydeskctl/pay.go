package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"paydesk/app"
	"paydesk/fiscal"
	"paydesk/money"
)

func init() {
	register(&command{name: "pay", summary: "take a payment headless: check, pay, fiscal receipt, slip",
		opts: func() options { return &payOpts{} }})
}

// Exit codes of pay beyond the common ones.
const (
	// exitReceiptQueued: paid (or accepted) but its receipt is queued.
	exitReceiptQueued = 4
	// exitNotSent: nothing left the till (state=not-sent); the one code
	// a script may retry on without asking anything first.
	exitNotSent = 5
)

// payOpts are the options of "pay".
type payOpts struct {
	tillFlags
	provider, number, account string
	amount                    string
	tool                      string
	buyer                     string
	fields                    fieldFlags
}

// fieldFlags are --field id=value, repeated: the fields of a provider the
// network describes field by field.
type fieldFlags map[string]string

func (f *fieldFlags) String() string { return "" }

func (f *fieldFlags) Set(s string) error {
	id, v, ok := strings.Cut(s, "=")
	if !ok || id == "" {
		return fmt.Errorf("%q is not id=value", s)
	}
	if *f == nil {
		*f = fieldFlags{}
	}
	if _, twice := (*f)[id]; twice {
		return fmt.Errorf("field %s given twice", id)
	}
	(*f)[id] = v
	return nil
}

func (o *payOpts) flags(fs *flag.FlagSet) {
	o.tillFlags.flags(fs)
	fs.StringVar(&o.provider, "provider", "", required("provider `CODE`"))
	fs.StringVar(&o.number, "number", "", "payer's phone `NUMBER` (this or --account)")
	fs.StringVar(&o.account, "account", "", "payer's `ACCOUNT` (this or --number)")
	fs.StringVar(&o.amount, "amount", "", required("`AMOUNT` credited to the payer, like 100.00"))
	fs.StringVar(&o.tool, "tool", "cash", "how the payer pays: `cash|card`")
	fs.StringVar(&o.buyer, "buyer", "", "the payer's `PHONE|E-MAIL` for an electronic receipt (tag 1008)")
	fs.Var(&o.fields, "field", "a field of a provider described field by field, as `ID=VALUE` (repeat it; the main one is --account or --number)")
}

// payment is what pay asks the till for, read from the flags.
type payment struct {
	provider, payer string
	amount          money.Amount
	tool            app.PayTool
	buyer           string
	fields          map[string]string
}

func (o *payOpts) run(ctx context.Context, e *env, _ []string) error {
	req, err := o.payment()
	if err != nil {
		return err
	}
	s, err := o.open(ctx, e, boot)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := req.take(ctx, e, s)
	if p == nil {
		// Nothing was stored, so nothing was sent.
		if err == nil || app.KindOf(err) == app.KindInput {
			return s.err(err)
		}
		fmt.Fprintln(e.stdout, "state=not-sent")
		return payExit(e, s.lang, "not-sent", err)
	}
	state := payState(p)
	printPayment(e, p, state)
	return payExit(e, s.lang, state, err)
}

// payment checks the flags before anything is booted.
func (o *payOpts) payment() (payment, error) {
	if o.provider == "" || (o.number == "") == (o.account == "") || o.amount == "" {
		return payment{}, usageErrorf("--provider, one of --number or --account, and --amount are required")
	}
	amount, err := parseMoneyFlag("amount", o.amount)
	if err != nil {
		return payment{}, err
	}
	pt := app.Cash
	switch o.tool {
	case "cash":
	case "card":
		pt = app.Card
	default:
		return payment{}, usageErrorf("--tool must be cash or card")
	}
	buyer := ""
	if o.buyer != "" {
		if buyer, err = fiscal.Buyer(o.buyer); err != nil {
			return payment{}, usageErrorf("--buyer %q is not a phone (+7 and 10 digits) or an e-mail address", o.buyer)
		}
	}
	return payment{provider: o.provider, payer: o.number + o.account, amount: amount, tool: pt, buyer: buyer, fields: o.fields}, nil
}

// take starts the payment, checks it and sends it. A nil payment means
// nothing was stored (the error says why); else the payment is as far as
// it got, with the error that stopped it.
func (r payment) take(ctx context.Context, e *env, s *session) (*app.Payment, error) {
	// The amount against the provider's limits before the payment is
	// stored: a bad one leaves nothing in the books.
	if prov, err := s.Till.Provider(r.provider); err == nil {
		if err := prov.CheckAmount(r.amount); err != nil {
			return nil, err
		}
	}
	p, err := s.Till.StartFields(ctx, s.user, r.provider, r.payer, r.fields)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stdout, "session=%s\n", p.Session)
	if r.buyer != "" {
		if p, err = s.Till.SetBuyer(ctx, s.user, p, r.buyer); err != nil {
			return p, err
		}
	}
	p, err = s.Till.Check(ctx, s.user, p, r.amount, r.tool)
	if err == nil {
		p, err = s.Till.Confirm(ctx, s.user, p)
	}
	return p, err
}

// payState names where the payment ended for the state= line: paid,
// accepted (the network has it, not credited yet: the receipt is made all
// the same), either with "-awaiting-receipt" when its receipt is queued;
// disputed; pending (pay sent, the outcome unknown); failed or not_paid when
// the payment's receipt was made and its cash goes back with a return
// receipt (refund= says where that is); not-sent when it stopped before pay
// left the till (a local error, the register not ready, the cashier
// cancelled); refused for every other end (the network said no).
func payState(p *app.Payment) string {
	state := map[app.State]string{app.StatePaid: "paid", app.StateUnknown: "pending", app.StatePaySent: "pending",
		app.StateAccepted: "accepted", app.StateDisputed: "disputed", app.StateRefunded: "refunded",
		app.StateEntered: "not-sent", app.StateNumberChecked: "not-sent", app.StateChecked: "not-sent",
		app.StateCancelled: "not-sent"}[p.State]
	if (p.State == app.StateFailed || p.State == app.StateNotPaid) && p.RefundState != app.RefundNone {
		state = string(p.State)
	}
	if state == "" {
		state = "refused"
	}
	if (p.State == app.StatePaid || p.State == app.StateAccepted) && p.FiscalState != app.FiscalDone {
		state += "-awaiting-receipt"
	}
	return state
}

func printPayment(e *env, p *app.Payment, state string) {
	if p.Session != "" {
		fmt.Fprintf(e.stdout, "session=%s\n", p.Session)
	}
	fmt.Fprintf(e.stdout, "state=%s\n", state)
	if p.RefundState != app.RefundNone {
		fmt.Fprintf(e.stdout, "refund=%s\n", p.RefundState)
	}
	if p.TransID != "" {
		fmt.Fprintf(e.stdout, "transid=%s\n", p.TransID)
	}
	if p.FD != 0 {
		fmt.Fprintf(e.stdout, "fiscal_doc=%d\nfiscal_sign=%d\n", p.FD, p.FP)
	}
	fmt.Fprintf(e.stdout, "amount=%v\nfee=%v\ntotal=%v\ncommission=%v\n", p.Amount, p.Fee, p.Total, p.Commission)
}

// payExit turns the payment's end into the exit code: 0 paid or accepted
// (also when something after it failed: the error is said on stderr, and
// the payment must not be made again), 4 paid or accepted with the receipt
// queued, 3 pending or disputed, 5 not sent, 2 refused as bad input, else
// 1 (refused by the network, or failed and its refund due).
func payExit(e *env, lang, state string, err error) error {
	switch {
	case err == nil:
		return nil
	case state == "paid", state == "accepted":
		fmt.Fprintf(e.stderr, "paydeskctl: %s (the payment is made: do not repeat it)\n", app.Message(err, lang))
		return nil
	case state == "paid-awaiting-receipt", state == "accepted-awaiting-receipt":
		fmt.Fprintf(e.stderr, "paydeskctl: %s\n", app.Message(err, lang))
		return silent(exitReceiptQueued)
	case state == "pending", state == "disputed":
		return noAnswer(errors.New(app.Message(err, lang)))
	}
	if app.KindOf(err) == app.KindInput {
		return usageErrorf("%s", app.Message(err, lang))
	}
	if state == "not-sent" {
		fmt.Fprintf(e.stderr, "paydeskctl: %s\n", app.Message(err, lang))
		return silent(exitNotSent)
	}
	return errors.New(app.Message(err, lang))
}
