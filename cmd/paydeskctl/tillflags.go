package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
)

// configFlag is --config of the commands that run the till or open its
// books (with boot or openBooks).
type configFlag struct {
	config string
}

func (c *configFlag) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "configuration `FILE` (default $PAYDESK_CONFIG, else the user's paydesk.yaml, else training mode)")
}

// tillFlags are the flags of the commands a cashier signs in to: --config,
// --cashier and --pin-file.
type tillFlags struct {
	configFlag
	cashier string
	pinFile string
	// who is the usage of --cashier when the one who signs in is not any
	// cashier.
	who string
}

func (t *tillFlags) flags(fs *flag.FlagSet) {
	t.configFlag.flags(fs)
	who := t.who
	if who == "" {
		who = "the `LOGIN` of the cashier who signs in"
	}
	fs.StringVar(&t.cashier, "cashier", "", required(who))
	fs.StringVar(&t.pinFile, "pin-file", "", "`FILE` holding the PIN (asked on the terminal when absent)")
}

// session is a till (or its books) with a user signed in.
type session struct {
	*app.Runtime
	user *app.User
	lang string
}

// err words a till error in the configured language (tillErr).
func (s *session) err(err error) error { return tillErr(s.lang, err) }

// open boots the till or opens its books (open is boot or openBooks) and
// signs the cashier in; the caller closes the session.
func (t *tillFlags) open(ctx context.Context, e *env, open func(context.Context, *env, string) (*app.Runtime, error)) (*session, error) {
	rt, err := open(ctx, e, t.config)
	if err != nil {
		return nil, err
	}
	u, err := signIn(ctx, e, rt, t.cashier, t.pinFile)
	if err != nil {
		rt.Close()
		return nil, err
	}
	return &session{Runtime: rt, user: u, lang: rt.Config.Language}, nil
}

// killHook returns the step hook of the crash test: PAYDESK_TEST_KILL_AT
// names a step at which the process kills itself (SIGKILL), as a power cut
// or a crash would.
func killHook() func(string, *app.Payment) {
	at := os.Getenv("PAYDESK_TEST_KILL_AT")
	if at == "" {
		return nil
	}
	return func(step string, _ *app.Payment) {
		if step == at {
			p, _ := os.FindProcess(os.Getpid())
			_ = p.Kill()
			select {}
		}
	}
}

// boot loads the configuration (--config, else the user's file, else
// training defaults) and boots the till.
func boot(ctx context.Context, e *env, cfgFile string) (*app.Runtime, error) {
	return bootWith(ctx, e, cfgFile, app.Options{})
}

// bootWith is boot with options of the caller's (Inspect).
func bootWith(ctx context.Context, e *env, cfgFile string, opt app.Options) (*app.Runtime, error) {
	cfg, err := config.Load(config.Locate(cfgFile))
	if err != nil {
		return nil, cfgErr(cfg, err)
	}
	if err := unlockKeys(ctx, e, cfg); err != nil {
		return nil, err
	}
	opt.Log, opt.Step, opt.Training = e.log, killHook(), training.Start
	rt, err := app.Boot(ctx, cfg, opt)
	if err != nil {
		return nil, tillErr(cfg.Language, err)
	}
	return rt, nil
}

// openBooks opens only the books the configuration names: reports and
// database tools need neither the gateway nor the register.
func openBooks(ctx context.Context, e *env, cfgFile string) (*app.Runtime, error) {
	return openBooksWith(ctx, e, cfgFile, false)
}

// readOnlyBooks opens the books read-only, beside a running till: db backup
// and db check.
func readOnlyBooks(ctx context.Context, e *env, cfgFile string) (*app.Runtime, error) {
	return openBooksWith(ctx, e, cfgFile, true)
}

func openBooksWith(ctx context.Context, e *env, cfgFile string, readOnly bool) (*app.Runtime, error) {
	cfg, err := config.Load(config.Locate(cfgFile))
	if err != nil {
		return nil, cfgErr(cfg, err)
	}
	if err := unlockKeys(ctx, e, cfg); err != nil {
		return nil, err // the books' seal is keyed by the point's key
	}
	rt, err := app.OpenBooks(ctx, cfg, app.Options{Log: e.log, ReadOnly: readOnly})
	if err != nil {
		if app.KindOf(err) == app.KindConfig {
			return nil, cfgErr(cfg, err)
		}
		return nil, tillErr(cfg.Language, err)
	}
	return rt, nil
}

// signIn signs login in with the PIN from pinFile (or the terminal).
func signIn(ctx context.Context, e *env, rt *app.Runtime, login, pinFile string) (*app.User, error) {
	if login == "" {
		return nil, usageErrorf("--cashier is required")
	}
	pin, err := readPassphrase(e, pinFile, "PIN for "+login, false)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("cannot read the PIN file %s: %v", pinFile, pe.Err)
	}
	if err != nil {
		return nil, err
	}
	u, err := rt.Till.SignIn(ctx, login, string(pin))
	return u, tillErr(rt.Config.Language, err)
}
