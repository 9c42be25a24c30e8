package main

import (
	"context"
	"flag"
	"fmt"

	"paydesk/app/config"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
)

func init() {
	for op, summary := range gwSummary {
		register(&command{name: "gw " + op, summary: summary, opts: func() options { return &gwOpts{op: op} }})
	}
}

var gwSummary = map[string]string{
	"check":   "ask the network whether a payment may be made (--check-only: the number alone)",
	"pay":     "pay: with --session, the checked session; without, check and pay under a new session",
	"status":  "ask the outcome of the payment with --session",
	"balance": "ask the dealer's balance",
}

// gwOpts are the options of "gw check", "gw pay", "gw status" and
// "gw balance": one gateway request. Exit 0 on success by the spec's rule,
// 1 on a refusal (fields printed, the human message on stderr), 3 with no
// trustworthy answer, 2 on usage.
type gwOpts struct {
	rawFlags
	op              string
	config          string
	provider        string
	number, account string
	amount, total   string
	session         string
	checkOnly       bool
}

func (o *gwOpts) flags(fs *flag.FlagSet) {
	need := func(yes bool, usage string) string {
		if yes {
			return required(usage)
		}
		return usage
	}
	fs.StringVar(&o.config, "config", "", "configuration `FILE` (default $PAYDESK_CONFIG; never the user's file or training mode)")
	o.rawFlags.flags(fs)
	fs.StringVar(&o.provider, "provider", "", need(o.op != "balance", "provider `CODE` from the catalogue"))
	fs.StringVar(&o.number, "number", "", "payer's phone `NUMBER`")
	fs.StringVar(&o.account, "account", "", "payer's `ACCOUNT`")
	fs.StringVar(&o.amount, "amount", "", need(o.op == "pay", "`AMOUNT` credited to the payer, like 100.00"))
	fs.StringVar(&o.total, "total", "", "`TOTAL` taken from the payer (AMOUNT_ALL); default the amount")
	session := "`SESSION` (default: a new one)"
	if o.op == "status" {
		session = required("the payment's `SESSION`")
	}
	fs.StringVar(&o.session, "session", "", session)
	fs.BoolVar(&o.checkOnly, "check-only", false, "check the number alone (REQ_TYPE=1)")
}

// gwRequest is one request, resolved from the flags and the configuration.
type gwRequest struct {
	file      string
	cfg       *config.Config
	op        string
	lang      string
	client    *gateway.Client
	payment   gateway.Payment // Provider and Session always; ID and sums for check and pay
	checkOnly bool
	checked   bool // pay: the session was checked before (--session)
}

func (o *gwOpts) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	r, err := o.request(ctx, e)
	if err != nil {
		return err
	}
	p := r.payment
	detail := fmt.Sprintf("session=%s", p.Session)
	if p.Provider != nil {
		detail += fmt.Sprintf(" provider=%s id=%s amount=%v total=%v", p.Provider.Code, p.ID, p.Amount, p.Total)
	}
	return o.withRaw(ctx, e, r.file, r.cfg, "gw "+o.op, detail, func() error { return r.send(ctx, e) })
}

// request checks the flags and loads the configuration, the client and the
// provider; nothing is sent.
func (o *gwOpts) request(ctx context.Context, e *env) (*gwRequest, error) {
	// A request to the real network names its configuration: the flag or
	// $PAYDESK_CONFIG, never the user's file or training defaults.
	file := config.Locate(o.config, config.NamedOnly)
	if file == "" {
		return nil, usageErrorf("--config is required")
	}
	if o.number != "" && o.account != "" {
		return nil, usageErrorf("give --number or --account, not both")
	}
	cfg, err := config.Load(file)
	if err != nil {
		return nil, cfgErr(cfg, err)
	}
	if err := unlockKeys(ctx, e, cfg); err != nil {
		return nil, err
	}
	r := &gwRequest{file: file, cfg: cfg, op: o.op, lang: cfg.Language, checkOnly: o.checkOnly, checked: o.session != ""}
	if r.client, err = cfg.Client(clock.Real{}, e.log, nil); err != nil {
		return nil, cfgErr(cfg, err)
	}
	if r.payment.Provider, err = o.findProvider(cfg); err != nil {
		return nil, err
	}
	if r.payment.Session, err = o.sessionID(e); err != nil {
		return nil, err
	}
	if o.op == "check" || o.op == "pay" {
		if err := o.payer(&r.payment); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// findProvider finds --provider in the configured catalogue; balance
// needs none.
func (o *gwOpts) findProvider(cfg *config.Config) (*gateway.Provider, error) {
	if o.op == "balance" {
		return nil, nil
	}
	if o.provider == "" {
		return nil, usageErrorf("--provider is required")
	}
	cat, err := cfg.Catalogue()
	if err != nil {
		return nil, gwErr(cfg.Language, err)
	}
	prov, err := cat.Find(o.provider)
	if err != nil {
		return nil, gwErr(cfg.Language, err)
	}
	return prov, nil
}

// sessionID is --session, else a new SESSION (status needs the flag).
func (o *gwOpts) sessionID(e *env) (string, error) {
	if o.session != "" {
		return o.session, nil
	}
	if o.op == "status" {
		return "", usageErrorf("--session is required")
	}
	return gateway.NewSession(e.now()), nil
}

// payer fills in the payer and the sums of a check or a pay.
func (o *gwOpts) payer(p *gateway.Payment) error {
	p.ID = o.number + o.account
	if p.ID == "" {
		return usageErrorf("--number or --account is required")
	}
	if o.checkOnly && o.op != "pay" {
		return nil
	}
	if o.amount == "" {
		return usageErrorf("--amount is required")
	}
	var err error
	if p.Amount, err = money.Parse(o.amount); err != nil {
		return usageErrorf("--amount: %v", err)
	}
	p.Total = p.Amount
	if o.total != "" {
		if p.Total, err = money.Parse(o.total); err != nil {
			return usageErrorf("--total: %v", err)
		}
	}
	return nil
}

// send sends the request and prints the verified answer's fields.
func (r *gwRequest) send(ctx context.Context, e *env) error {
	c, p := r.client, r.payment
	var a *gateway.Answer
	var err error
	switch r.op {
	case "check":
		if r.checkOnly {
			a, err = c.CheckNumber(ctx, p)
		} else {
			a, err = c.Check(ctx, p)
		}
	case "pay":
		return r.pay(ctx, e)
	case "status":
		return r.status(ctx, e)
	case "balance":
		a, err = c.Balance(ctx, p.Session)
	}
	return printAnswer(e, r.lang, a, err)
}

// pay pays the checked session, or checks a new one first.
func (r *gwRequest) pay(ctx context.Context, e *env) error {
	c, p := r.client, r.payment
	if !r.checked {
		// A new payment: check first, then pay the checked session.
		if a, err := c.Check(ctx, p); err != nil {
			return printAnswer(e, r.lang, a, err)
		}
	}
	a, err := c.Pay(ctx, p)
	if gateway.KindOf(err) == gateway.KindNoAnswer {
		fmt.Fprintf(e.stderr, "paydeskctl: the outcome of SESSION %s is unknown: ask `paydeskctl gw status --provider %s --session %s`; do not pay again\n",
			p.Session, p.Provider.Code, p.Session)
	}
	return printAnswer(e, r.lang, a, err)
}

// status asks the outcome of the session; a payment that is not (yet)
// paid exits 1 with its outcome in words.
func (r *gwRequest) status(ctx context.Context, e *env) error {
	p := r.payment
	a, err := r.client.Status(ctx, p.Provider, p.Session, "")
	if err == nil && !a.OK() {
		out := gateway.StatusOutcome(a)
		printFields(e, a)
		fmt.Fprintf(e.stderr, "paydeskctl: payment %s: %s\n", p.Session, outcomeText(r.lang, out, a))
		return silent(exitFailed)
	}
	return printAnswer(e, r.lang, a, err)
}

func printFields(e *env, a *gateway.Answer) {
	for _, f := range a.Fields {
		fmt.Fprintf(e.stdout, "%s=%s\n", f.Name, f.Value)
	}
}

// printAnswer prints the verified fields and turns the error into the exit
// code of the contract.
func printAnswer(e *env, lang string, a *gateway.Answer, err error) error {
	if a != nil {
		printFields(e, a)
	}
	if err == nil {
		return nil
	}
	return gwErr(lang, err)
}
