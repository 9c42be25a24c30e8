package main

// How a failure reaches the user: its exit code and its words. The
// functions that word a package's errors (tillErr, cfgErr, gwErr,
// outcomeText, ipErr, deviceError) are kept together here.

import (
	"errors"
	"fmt"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

// Exit codes shared by every subcommand.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNoAnswer = 3
	exitTampered = 6 // the books do not match their seal: nothing was done
)

// exitError carries an exit code other than 1 up to run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a usage error (exit 2).
func usageErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// noAnswer marks an error as "the peer did not answer" (exit 3).
func noAnswer(err error) error { return &exitError{code: exitNoAnswer, err: err} }

// silent is returned by a command that already wrote its message.
type silent int

func (s silent) Error() string { return fmt.Sprintf("exit %d", int(s)) }

// tillErr turns a till error into the CLI's exit code with the human message.
func tillErr(lang string, err error) error {
	if err == nil {
		return nil
	}
	msg := errors.New(app.Message(err, lang))
	switch app.KindOf(err) {
	case app.KindInput:
		return usageErrorf("%s", msg)
	case app.KindPending:
		return noAnswer(msg)
	case app.KindTampered:
		return &exitError{code: exitTampered, err: msg}
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

func outcomeText(lang string, o gateway.Outcome, a *gateway.Answer) string {
	key := map[gateway.Outcome]string{
		gateway.InProgress: "cli.outcome.in_progress",
		gateway.NotPaid:    "cli.outcome.not_paid",
		gateway.Failed:     "cli.outcome.failed",
		gateway.Unknown:    "cli.outcome.unknown",
	}[o]
	return i18n.Text(lang, key, "error", gateway.Lookup(a.Error).Msg())
}

// ipErr turns an ipriv error into its plain class and detail, such as
// "verify failed: signature does not match the document".
func ipErr(err error) error {
	var e *ipriv.Error
	if errors.As(err, &e) {
		return errors.New(e.Msg().In("en"))
	}
	return err
}

// deviceError maps driver errors to exit codes: link problems exit 3, device
// codes exit 1 with the code in the message.
func deviceError(err error) error {
	if err == nil {
		return nil
	}
	if fiscal.KindOf(err) == fiscal.KindLink {
		return noAnswer(err)
	}
	return err
}
