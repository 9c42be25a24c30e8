package app

import (
	"context"
	"errors"
	"time"

	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/gateway"
)

// Network is a payment network as the till sees it: the requests a payment
// takes and what may come of them, in the till's own terms (Request, Reply,
// Outcome, Fault). CyberPlat's dealer protocol (package protocol/gateway)
// is one, made by Dealer; a second network is a package of its own with a
// type that implements Network, handed to Boot in Options.Network. The
// providers are the catalogue's (gateway.Provider), whatever the network.
type Network interface {
	// Providers is the network's provider catalogue.
	Providers() *gateway.Catalogue
	// CheckNumber asks about the payer's number alone, under a throw-away
	// session.
	CheckNumber(ctx context.Context, r Request) (*Reply, error)
	// Check asks whether the payment may be made; nothing is paid.
	Check(ctx context.Context, r Request) (*Reply, error)
	// Pay makes the payment. Once it is sent, only Settle may say what
	// came of it, whatever Pay returned.
	Pay(ctx context.Context, r Request) (*Reply, error)
	// Settle asks the payment's status at once and then after each wait of
	// schedule, until the outcome is final or the schedule is spent; it
	// returns the last outcome and the last answer (nil when none came).
	Settle(ctx context.Context, r Request, schedule []time.Duration) (Outcome, *Reply, error)
	// Balance is the point's money at the network.
	Balance(ctx context.Context, session string) (Limits, error)
	// Refusal is the network's error for a refusal recorded as code and
	// result (its message says why).
	Refusal(op, session string, code, result int) error
	// Timeout is the longest one request may take.
	Timeout() time.Duration
	// NextStatus is the background resolver's wait before status attempt
	// n (from 0).
	NextStatus(n int) time.Duration
}

// Request is one payment as the network is asked about it.
type Request struct {
	Provider *gateway.Provider
	Session  string // the request's unique number
	ID       string // the payer's number or account
	// Fields are what was typed for a provider the network describes field
	// by field, by field id (store.Payment.Fields).
	Fields  map[string]string
	TransID string // the network's number for the payment, once known
	Amount  money.Amount
	Total   money.Amount // taken from the payer (fee included)
	PayTool int
	Ref     string // the till's own number for the payment
}

// Reply is what a verified answer of the network says.
type Reply struct {
	Code     int    // the network's error code (0: none)
	Result   int    // its result code (-1: none)
	TransID  string // its number for the payment
	AuthCode string
	OpName   string // the provider's name for the payer
	AddInfo  string
	Message  string // its own words on a refusal
}

// Outcome is what is known of a payment after pay was sent.
type Outcome int

// The outcomes of a payment.
const (
	// OutcomeOpen: not settled yet (in progress, or no answer that settles
	// it): the payment stays pending; never pay again.
	OutcomeOpen Outcome = iota
	// OutcomePaid: the network completed it.
	OutcomePaid
	// OutcomeNotPaid: it never happened; only now may the cash go back.
	OutcomeNotPaid
	// OutcomeFailed: the network completed it as failed.
	OutcomeFailed
)

// Final reports whether the outcome will not change.
func (o Outcome) Final() bool { return o != OutcomeOpen }

// Fault says what a network's failure means for the till.
type Fault int

// The faults a network reports (NetError).
const (
	// FaultNoAnswer: no trustworthy answer; after pay the outcome is unknown.
	FaultNoAnswer Fault = iota + 1
	// FaultInput: refused before anything was sent (a number, an amount).
	FaultInput
	// FaultSetup: the point's own configuration is wrong (keys, URLs, codes).
	FaultSetup
	// FaultFinal: refused; the same data can never succeed.
	FaultFinal
	// FaultAccount: refused for the point's account or contract: the
	// administrator must act.
	FaultAccount
	// FaultRetry: refused for now; the same step may be repeated later.
	FaultRetry
	// FaultBusy: too many requests; the same step may be repeated at once.
	FaultBusy
	// FaultStatus: refused, but what came of the payment is for status to
	// say.
	FaultStatus
)

// NetError is a Network's failure: the operation, the fault, and the
// network's own error (which carries the message).
type NetError struct {
	Op    string
	Fault Fault
	Err   error
}

func (e *NetError) Error() string { return e.Err.Error() }

// Unwrap returns the network's own error.
func (e *NetError) Unwrap() error { return e.Err }

// netErrorOf finds the network's failure in err: a NetError, or a bare
// gateway error (a catalogue that does not load) put in the till's terms.
func netErrorOf(err error) (*NetError, bool) {
	var ne *NetError
	if errors.As(err, &ne) {
		return ne, true
	}
	var ge *gateway.Error
	if errors.As(err, &ge) {
		return netErr(ge).(*NetError), true
	}
	return nil, false
}

// faultOf is err's fault, 0 when err is no network's.
func faultOf(err error) Fault {
	if ne, ok := netErrorOf(err); ok {
		return ne.Fault
	}
	return 0
}

// refused reports whether the network answered err with a refusal.
func (f Fault) refused() bool { return f >= FaultFinal }

// Dealer is CyberPlat's dealer protocol as a Network: the client and the
// provider catalogue it serves.
func Dealer(c *gateway.Client, cat *gateway.Catalogue) Network { return dealer{c, cat} }

type dealer struct {
	c   *gateway.Client
	cat *gateway.Catalogue
}

func (d dealer) Providers() *gateway.Catalogue  { return d.cat }
func (d dealer) Timeout() time.Duration         { return d.c.Timeout() }
func (d dealer) NextStatus(n int) time.Duration { return gateway.Backoff(n) }

func (d dealer) CheckNumber(ctx context.Context, r Request) (*Reply, error) {
	a, err := d.c.CheckNumber(ctx, payment(r))
	err = netErr(err)
	var ne *NetError
	if errors.As(err, &ne) {
		ne.Op = "check number" // the gateway's "check" with the number alone
	}
	return reply(a), err
}

func (d dealer) Check(ctx context.Context, r Request) (*Reply, error) {
	a, err := d.c.Check(ctx, payment(r))
	return reply(a), netErr(err)
}

func (d dealer) Pay(ctx context.Context, r Request) (*Reply, error) {
	a, err := d.c.Pay(ctx, payment(r))
	return reply(a), netErr(err)
}

func (d dealer) Settle(ctx context.Context, r Request, schedule []time.Duration) (Outcome, *Reply, error) {
	out, a, err := d.c.Settle(ctx, r.Provider, r.Session, r.TransID, schedule)
	return outcomes[out], reply(a), netErr(err)
}

func (d dealer) Balance(ctx context.Context, session string) (Limits, error) {
	a, err := d.c.Balance(ctx, session)
	if err != nil {
		return Limits{}, netErr(err)
	}
	l, err := gateway.LimitsOf(a)
	return l, netErr(err)
}

func (d dealer) Refusal(op, session string, code, result int) error {
	return netErr(&gateway.Error{Op: op, Kind: gateway.KindRefused, Code: code, Result: result, Session: session})
}

// outcomes are the dealer protocol's outcomes in the till's terms.
var outcomes = map[gateway.Outcome]Outcome{
	gateway.Unknown: OutcomeOpen, gateway.InProgress: OutcomeOpen,
	gateway.Paid: OutcomePaid, gateway.NotPaid: OutcomeNotPaid, gateway.Failed: OutcomeFailed,
}

func payment(r Request) gateway.Payment {
	return gateway.Payment{Provider: r.Provider, Session: r.Session, ID: r.ID, Values: r.Fields, Amount: r.Amount, Total: r.Total,
		PayTool: r.PayTool, RRN: r.Ref}
}

func reply(a *gateway.Answer) *Reply {
	if a == nil {
		return nil
	}
	return &Reply{Code: a.Error, Result: a.Result, TransID: a.TransID, AuthCode: a.AuthCode, OpName: a.OpName,
		AddInfo: a.AddInfo, Message: a.ErrMsg}
}

// busyCode is the dealer protocol's "too many requests at once".
const busyCode = 31

// netErr puts a gateway error in the till's terms.
func netErr(err error) error {
	var ge *gateway.Error
	if !errors.As(err, &ge) {
		return err
	}
	f := FaultNoAnswer
	switch ge.Kind {
	case gateway.KindInput:
		f = FaultInput
	case gateway.KindConfig:
		f = FaultSetup
	case gateway.KindRefused:
		f = map[gateway.Class]Fault{gateway.ClassFinal: FaultFinal, gateway.ClassConfig: FaultAccount,
			gateway.ClassRetry: FaultRetry, gateway.ClassStatus: FaultStatus}[ge.Class()]
		if ge.Code == busyCode && ge.Op != "pay" {
			f = FaultBusy
		}
	}
	return &NetError{Op: ge.Op, Fault: f, Err: err}
}

// netMsg is a network failure's message with what to do by its fault.
func netMsg(ne *NetError) i18n.Msg {
	var m i18n.Msg
	var sp i18n.Speaker
	if errors.As(ne.Err, &sp) {
		m = sp.Msg()
	} else {
		m = i18n.M("app.because", "msg", i18n.M("app.network"), "cause", ne.Err.Error())
	}
	if ne.Op == "pay" || ne.Op == "status" {
		return m
	}
	if ne.Op == "check number" && ne.Fault == FaultFinal {
		return hinted(m, "app.hint.number") // no amount is typed yet
	}
	return hinted(m, map[Fault]string{FaultFinal: "app.hint.final", FaultAccount: "app.hint.admin",
		FaultRetry: "app.hint.retry", FaultBusy: "app.hint.retry"}[ne.Fault])
}
