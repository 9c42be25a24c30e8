package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"paydesk/app"
	"paydesk/internal/i18n"
)

func init() {
	register(&command{name: "refunds", summary: "list the payments whose cash goes back with a return receipt (failed after their receipt)",
		opts: func() options { return &refundsOpts{} }})
	register(&command{name: "refund", summary: "make the return receipt of a payment in the refunds list, once",
		opts: func() options { return &refundOpts{} }})
	register(&command{name: "disputes", summary: "list disputed and overdue payments with the network's answers (a manager signs in)",
		opts: func() options { return &disputesOpts{tillFlags: managerFlags("disputes are for managers")} }})
	register(&command{name: "decide", summary: "close a disputed payment by a manager's decision: support confirmed it paid or not paid",
		opts: func() options { return &decideOpts{tillFlags: managerFlags("only a manager decides a dispute")} }})
}

// managerFlags are the till flags of a command a manager signs in to.
func managerFlags(why string) tillFlags {
	return tillFlags{who: "a manager's `LOGIN` (" + why + ")"}
}

// sessionFlag is --session of the commands that act on one payment.
type sessionFlag struct {
	session string
}

func (f *sessionFlag) flags(fs *flag.FlagSet) {
	fs.StringVar(&f.session, "session", "", required("the payment's `SESSION` (as pay, pending and refunds print it)"))
}

// check refuses a missing --session before anything is booted.
func (f *sessionFlag) check() error {
	if strings.TrimSpace(f.session) == "" {
		return usageErrorf("--session is required")
	}
	return nil
}

// find returns the payment with SESSION sess from the books, in any state,
// so that the till refuses one it may not act on in its own words. A
// SESSION no payment has is refused here, before anything is asked of the
// till.
func (s *session) find(ctx context.Context, sess string) (*app.Payment, error) {
	sess = strings.TrimSpace(sess)
	p, err := s.Till.PaymentBySession(ctx, s.user, sess)
	if errors.Is(err, app.ErrNotFound) {
		return nil, errors.New(capitalize(i18n.Text(s.lang, "cli.unknown_session", "session", sess)))
	}
	if err != nil {
		return nil, s.err(err)
	}
	return p, nil
}

func capitalize(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// refundsOpts are the options of "refunds".
type refundsOpts struct {
	tillFlags
}

func (o *refundsOpts) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	s, err := o.open(ctx, e, boot) // boot recovers: status settles what it can, a half-made return is decided
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.Till.Refunds(ctx, s.user)
	if err != nil {
		return s.err(err)
	}
	for _, p := range list {
		fmt.Fprintf(e.stdout, "refund session=%s provider=%s payer=%s total=%v state=%s refund=%s why=%q error=%q\n",
			p.Session, p.ProviderCode, p.PayerID, p.Total, p.State, p.RefundState, s.Till.RefundWhy(p, s.lang), p.RefundError)
	}
	fmt.Fprintf(e.stdout, "refunds=%d\n", len(list))
	return nil
}

// refundOpts are the options of "refund".
type refundOpts struct {
	tillFlags
	sessionFlag
}

func (o *refundOpts) flags(fs *flag.FlagSet) {
	o.tillFlags.flags(fs)
	o.sessionFlag.flags(fs)
}

func (o *refundOpts) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	s, err := o.open(ctx, e, boot)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.find(ctx, o.session)
	if err != nil {
		return err
	}
	// The till refuses a payment with no refund due before it asks the
	// register anything.
	err = s.Till.Refund(ctx, s.user, p)
	if err != nil && (p.State != app.StateRefunded || app.KindOf(err) == app.KindState) {
		return s.err(err)
	}
	fmt.Fprintf(e.stdout, "session=%s\nstate=%s\nfiscal_doc=%d\nfiscal_sign=%d\ntotal=%v\n", p.Session, p.State, p.RefundFD, p.RefundFP, p.Total)
	return s.err(err) // the return receipt is made; the slip may not be
}

// disputesOpts are the options of "disputes".
type disputesOpts struct {
	tillFlags
}

func (o *disputesOpts) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	s, err := o.open(ctx, e, boot) // boot recovers: status is asked once more for each
	if err != nil {
		return err
	}
	defer s.Close()
	disputed, err := s.Till.Disputes(ctx, s.user)
	if err != nil {
		return s.err(err)
	}
	overdue, err := s.Till.Overdues(ctx, s.user)
	if err != nil {
		return s.err(err)
	}
	listed := map[int64]bool{}
	for _, p := range disputed {
		listed[p.ID] = true
		if err := s.printOpen(ctx, e.stdout, "disputed", p); err != nil {
			return err
		}
	}
	n := 0
	for _, p := range overdue {
		if listed[p.ID] {
			continue // disputed and overdue: listed once, as disputed
		}
		n++
		if err := s.printOpen(ctx, e.stdout, "overdue", p); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "disputed=%d overdue=%d\n", len(disputed), n)
	return nil
}

// printOpen writes one line for an open payment and one for each answer
// the network gave about it, oldest first.
func (s *session) printOpen(ctx context.Context, w io.Writer, kind string, p *app.Payment) error {
	answers, err := s.Till.Answers(ctx, s.user, p)
	if err != nil {
		return s.err(err)
	}
	fmt.Fprintf(w, "%s session=%s state=%s provider=%s payer=%s total=%v transid=%s pay_sent=%s attempts=%d answers=%d\n",
		kind, p.Session, p.State, p.ProviderCode, p.PayerID, p.Total, p.TransID, rfc3339(p.PaySentAt), p.StatusAttempts, len(answers))
	for _, a := range answers {
		fmt.Fprintf(w, "answer session=%s at=%s op=%s error=%d result=%d transid=%s actor=%s\n",
			p.Session, rfc3339(a.At), a.Op, a.Error, a.Result, a.TransID, a.Actor)
	}
	return nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(time.RFC3339)
}

// decideOpts are the options of "decide".
type decideOpts struct {
	tillFlags
	sessionFlag
	paid, notPaid bool
}

func (o *decideOpts) flags(fs *flag.FlagSet) {
	o.tillFlags.flags(fs)
	o.sessionFlag.flags(fs)
	fs.BoolVar(&o.paid, "paid", false, "support confirmed the payment was credited (this or --not-paid)")
	fs.BoolVar(&o.notPaid, "not-paid", false, "support confirmed the payment was not made: its cash goes back (this or --paid)")
}

func (o *decideOpts) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	if o.paid == o.notPaid {
		return usageErrorf("give exactly one of --paid and --not-paid")
	}
	s, err := o.open(ctx, e, boot)
	if err != nil {
		return err
	}
	defer s.Close()
	// The manager's door first: a cashier is refused before any lookup.
	if _, err := s.Till.Disputes(ctx, s.user); err != nil {
		return s.err(err)
	}
	p, err := s.find(ctx, o.session)
	if err != nil {
		return err
	}
	wasDisputed := p.State == app.StateDisputed
	err = s.Till.Decide(ctx, s.user, p, o.paid)
	if err != nil && (!wasDisputed || p.State == app.StateDisputed || app.KindOf(err) == app.KindState) {
		return s.err(err)
	}
	// Decided: a receipt still due is made now (an error then says why it
	// waits); a receipt made and the payment not paid makes its refund due.
	printPayment(e, p, string(p.State))
	return s.err(err)
}
