package main

// Commission schedules: paydeskctl commission prints the rules that apply to
// a payment; providers import's commissions.xml becomes a schedule file.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"paydesk/commission"
	"paydesk/money"
	"paydesk/protocol/gateway"
)

func init() {
	register(&command{name: "commission",
		summary: "print the fee and the partner's commission of a payment, and the schedule's rules that give them",
		opts:    func() options { return &commissionOpts{} }})
}

// commissionOpts are the options of "commission".
type commissionOpts struct {
	provider, at, amount, schedule, providers, lang string
}

func (o *commissionOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.provider, "provider", "", required("the provider's `CODE`"))
	fs.StringVar(&o.at, "at", "", "the payment's local `TIME`, such as 2026-03-02T12:00 (default: now)")
	fs.StringVar(&o.amount, "amount", "", required("the `SUM` credited, such as 500.00"))
	fs.StringVar(&o.schedule, "schedule", "", "the schedule `FILE` (commissions.yaml; default: no fee, the provider's own rate)")
	fs.StringVar(&o.lang, "lang", "ru", "the `LANGUAGE` of messages: ru or en")
	fs.StringVar(&o.providers, "providers", "", "the provider catalogue `FILE` (default: the built-in one)")
}

func (o *commissionOpts) run(_ context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	if o.provider == "" || o.amount == "" {
		return usageErrorf("--provider and --amount are required")
	}
	a, err := money.Parse(o.amount)
	if err != nil || a <= 0 {
		return usageErrorf("--amount %q is not a sum above zero, such as 500.00", o.amount)
	}
	at := e.now()
	if o.at != "" {
		if at, err = time.ParseInLocation("2006-01-02T15:04", o.at, time.Local); err != nil {
			return usageErrorf("--at %q is not a local time such as 2026-03-02T12:00", o.at)
		}
	}
	var cat *gateway.Catalogue
	if o.providers != "" {
		cat, err = gateway.LoadCatalogue(o.providers, "http://localhost")
	} else {
		cat, err = gateway.DefaultCatalogue("http://localhost")
	}
	if err != nil {
		return gwErr(o.lang, err)
	}
	p, err := cat.Find(o.provider)
	if err != nil {
		return gwErr(o.lang, err) // an unknown code is the user's input: exit 2
	}
	s := &commission.Schedules{}
	if o.schedule != "" {
		b, err := os.ReadFile(o.schedule)
		if err != nil {
			return err
		}
		if s, err = commission.Parse(b); err != nil {
			return usageErrorf("%s: %v", o.schedule, err)
		}
	}
	w := e.stdout
	fmt.Fprintf(w, "provider: %s (%s, %s)\n", p.Code, p.Name, p.Group)
	fmt.Fprintf(w, "at: %s\n", at.Format("2006-01-02 15:04 Monday"))
	fmt.Fprintf(w, "amount: %s\n", a)
	fee := money.Amount(0)
	if r := s.Fee.Find(p.Code, string(p.Group), at, a); r != nil {
		fee = r.Of(a)
		fmt.Fprintf(w, "fee rule: %s\n", r)
	} else {
		fmt.Fprintln(w, "fee rule: none matches (no fee)")
	}
	fmt.Fprintf(w, "fee: %s\ntotal: %s\n", fee, a+fee)
	if r := s.Commission.Find(p.Code, string(p.Group), at, a); r != nil {
		fmt.Fprintf(w, "commission rule: %s\ncommission: %s\n", r, r.Of(a))
	} else {
		fmt.Fprintf(w, "commission rule: none matches: the provider's rate %s\ncommission: %s\n", p.Commission, p.Commission.Of(a))
	}
	return nil
}
