package main

import (
	"context"
	"errors"
	"fmt"

	"paydesk/app/config"
	"paydesk/internal/clock"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/gateway"
)

func init() {
	for _, op := range []string{"check", "pay", "status", "balance"} {
		op := op
		register(&command{
			name:    "gw " + op,
			args:    "--config FILE [--provider CODE] [--number N | --account A] [--amount 100.00] [--total 103.00] [--session S] [--check-only]",
			summary: gwSummary[op],
			run:     func(ctx context.Context, e *env, args []string) error { return gwCmd(ctx, e, op, args) },
		})
	}
}

var gwSummary = map[string]string{
	"check":   "ask the network whether a payment may be made (--check-only: the number alone)",
	"pay":     "pay: with --session, the checked session; without, check and pay under a new session",
	"status":  "ask the outcome of the payment with --session",
	"balance": "ask the dealer's balance",
}

// gwCmd runs one gateway request and prints the verified answer's fields.
// Exit 0 on success by the spec's rule, 1 on a refusal (fields printed, the
// human message on stderr), 3 with no trustworthy answer, 2 on usage.
func gwCmd(ctx context.Context, e *env, op string, args []string) error {
	fs := newFlags(e, "gw "+op)
	cfgFile := fs.String("config", "", "configuration file (default $PAYDESK_CONFIG; never the user's file or training mode)")
	code := fs.String("provider", "", "provider code from the catalogue")
	number := fs.String("number", "", "payer's phone number")
	account := fs.String("account", "", "payer's account")
	amountText := fs.String("amount", "", "amount credited to the payer, like 100.00")
	totalText := fs.String("total", "", "total taken from the payer (AMOUNT_ALL); default the amount")
	session := fs.String("session", "", "SESSION (default: a new one)")
	checkOnly := fs.Bool("check-only", false, "check the number alone (REQ_TYPE=1)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected argument %q", pos[0])
	}
	// A request to the real network names its configuration: the flag or
	// $PAYDESK_CONFIG, never the user's file or training defaults.
	file := config.Locate(*cfgFile, config.NamedOnly)
	if file == "" {
		return usageErrorf("--config is required")
	}
	if *number != "" && *account != "" {
		return usageErrorf("give --number or --account, not both")
	}
	cfg, err := config.Load(file)
	if err != nil {
		return cfgErr(cfg, err)
	}
	lang := cfg.Language
	client, err := cfg.Client(clock.Real{}, e.log, nil)
	if err != nil {
		return cfgErr(cfg, err)
	}
	var prov *gateway.Provider
	if op != "balance" {
		if *code == "" {
			return usageErrorf("--provider is required")
		}
		cat, err := cfg.Catalogue()
		if err != nil {
			return gwErr(lang, err)
		}
		if prov, err = cat.Find(*code); err != nil {
			return gwErr(lang, err)
		}
	}
	sess := *session
	if sess == "" {
		if op == "status" {
			return usageErrorf("--session is required")
		}
		sess = gateway.NewSession(e.now())
	}
	var amount, total money.Amount
	if op == "check" || op == "pay" {
		id := *number + *account
		if id == "" {
			return usageErrorf("--number or --account is required")
		}
		*number = id
		if !*checkOnly || op == "pay" {
			if *amountText == "" {
				return usageErrorf("--amount is required")
			}
			if amount, err = money.Parse(*amountText); err != nil {
				return usageErrorf("--amount: %v", err)
			}
			total = amount
			if *totalText != "" {
				if total, err = money.Parse(*totalText); err != nil {
					return usageErrorf("--total: %v", err)
				}
			}
		}
	}
	p := gateway.Payment{Provider: prov, Session: sess, ID: *number, Amount: amount, Total: total}
	var a *gateway.Answer
	switch op {
	case "check":
		if *checkOnly {
			a, err = client.CheckNumber(ctx, prov, sess, *number)
		} else {
			a, err = client.Check(ctx, p)
		}
	case "pay":
		if *session == "" {
			// A new payment: check first, then pay the checked session.
			if a, err = client.Check(ctx, p); err != nil {
				return printAnswer(e, lang, a, err)
			}
		}
		a, err = client.Pay(ctx, p)
		if gateway.KindOf(err) == gateway.KindNoAnswer {
			fmt.Fprintf(e.stderr, "paydeskctl: the outcome of SESSION %s is unknown: ask `paydeskctl gw status --provider %s --session %s`; do not pay again\n", sess, prov.Code, sess)
		}
	case "status":
		a, err = client.Status(ctx, prov, sess, "")
		if err == nil && !a.OK() {
			out := gateway.StatusOutcome(a)
			printFields(e, a)
			fmt.Fprintf(e.stderr, "paydeskctl: payment %s: %s\n", sess, outcomeText(lang, out, a))
			return silent(exitFailed)
		}
	case "balance":
		a, err = client.Balance(ctx, sess)
	}
	return printAnswer(e, lang, a, err)
}

func outcomeText(lang string, o gateway.Outcome, a *gateway.Answer) string {
	key := map[gateway.Outcome]string{
		gateway.InProgress: "cli.outcome.in_progress",
		gateway.NotPaid:    "cli.outcome.not_paid",
		gateway.Failed:     "cli.outcome.failed",
		gateway.Unknown:    "cli.outcome.unknown",
	}[o]
	return i18n.Text(lang, key, "error", gateway.Lookup(a.Error).Msg())
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

func gwErr(lang string, err error) error {
	var ge *gateway.Error
	if !errors.As(err, &ge) {
		return err
	}
	msg := errors.New(ge.Msg().In(lang))
	switch ge.Kind {
	case gateway.KindNoAnswer:
		return noAnswer(fmt.Errorf("%s (%v)", msg, ge.Err))
	case gateway.KindInput:
		return usageErrorf("%s", msg)
	case gateway.KindRefused:
		return fmt.Errorf("ERROR=%d: %s", ge.Code, msg)
	}
	return msg
}

func cfgErr(cfg *config.Config, err error) error {
	lang := "ru"
	if cfg != nil {
		lang = cfg.Language
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		if ce.Key != "" {
			return fmt.Errorf("%s: %s", ce.Key, ce.Msg().In(lang))
		}
		return errors.New(ce.Msg().In(lang))
	}
	return gwErr(lang, err)
}
