package main

import (
	"context"
	"flag"
	"fmt"

	"paydesk/app/config"
)

// rawFlags are the flags of a raw command that talks to the network or the
// register outside the till's flows ("gw", "kkm"): outside training an
// administrator signs in to the books, and what is done is audited there.
type rawFlags struct {
	cashier string
	pinFile string
}

func (r *rawFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&r.cashier, "cashier", "", "an administrator's `LOGIN` (needed outside training)")
	fs.StringVar(&r.pinFile, "pin-file", "", "`FILE` holding the administrator's PIN (asked on the terminal when absent)")
}

// authorize lets a raw command act under cfg (loaded from file): in
// training it may; else the administrator signs in to cfg's books, and
// action with detail is written to the audit before anything is done. The
// returned done writes the outcome and closes the books.
func (r *rawFlags) authorize(ctx context.Context, e *env, file string, cfg *config.Config, action, detail string) (done func(error), err error) {
	if cfg.Training {
		return func(error) {}, nil
	}
	if r.cashier == "" {
		return nil, usageErrorf("outside training, %s needs an administrator: --cashier LOGIN --pin-file FILE", action)
	}
	rt, err := openBooks(ctx, e, file)
	if err != nil {
		return nil, err
	}
	u, err := signIn(ctx, e, rt, r.cashier, r.pinFile)
	if err != nil {
		rt.Close()
		return nil, err
	}
	result, err := rt.Till.Raw(ctx, u, action, detail)
	if err != nil {
		rt.Close()
		return nil, tillErr(cfg.Language, err)
	}
	return func(err error) {
		outcome := "ok"
		if err != nil {
			outcome = fmt.Sprintf("error: %v", err)
		}
		result(outcome)
		rt.Close()
	}, nil
}

// withRaw runs do under authorize.
func (r *rawFlags) withRaw(ctx context.Context, e *env, file string, cfg *config.Config, action, detail string, do func() error) error {
	done, err := r.authorize(ctx, e, file, cfg, action, detail)
	if err != nil {
		return err
	}
	err = do()
	done(err)
	return err
}
