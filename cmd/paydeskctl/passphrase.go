package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"paydesk/app/config"
	"paydesk/internal/i18n"
)

// readPassphrase returns the passphrase from file, or asks for it on the
// terminal without echo when file is empty. A passphrase file's final line
// end (LF or CRLF) is not part of the passphrase. Passphrases never come from
// arguments, so they never show in the process list, and are never printed.
func readPassphrase(e *env, file, prompt string, confirm bool) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("passphrase file: %w", err)
		}
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // the byte order mark Windows Notepad writes
		b = bytes.TrimSuffix(b, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		return b, nil
	}
	tty, err := e.tty()
	if err != nil {
		return nil, usageErrorf("no terminal to ask for the passphrase: give --passphrase-file")
	}
	defer tty.Close()
	ask := func(p string) ([]byte, error) {
		fmt.Fprint(tty, p)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		if err != nil {
			return nil, fmt.Errorf("reading the passphrase: %w", err)
		}
		return b, nil
	}
	pass, err := ask(prompt + ": ")
	if err != nil {
		return nil, err
	}
	if confirm {
		again, err := ask("Repeat " + prompt + ": ")
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(pass, again) {
			return nil, errors.New("the passphrases differ")
		}
		if len(pass) == 0 {
			return nil, errors.New("an empty passphrase would store the key unprotected: give an empty --passphrase-file if that is meant")
		}
	}
	return pass, nil
}

// unlockKeys opens the point's key before the till or its books start
// (config.Unlock): when the configuration keeps the passphrase nowhere the
// command can read it (passphrase_store ask, or a credential store without
// it), it is asked on the terminal without echo, again after a wrong
// answer. PAYDESK_KEYS_PASSPHRASE keeps working for scripts and is never
// asked over; training needs no key.
func unlockKeys(ctx context.Context, e *env, cfg *config.Config) error {
	u, err := cfg.Unlock(ctx, func(_ context.Context, why i18n.Msg) ([]byte, error) {
		return askKeyPassphrase(e, cfg.Language, why)
	})
	if u.Forgotten != nil {
		e.log.Warn("paydeskctl: the passphrase was not put into the credential store", "err", u.Forgotten)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNoTerminal):
		return &exitError{code: exitUsage, err: err} // nothing was done: run it again with the passphrase
	}
	return cfgErr(cfg, err)
}

// errNoTerminal is in the chain of askKeyPassphrase's error when there is
// no terminal to ask on.
var errNoTerminal = errors.New("no terminal")

// askKeyPassphrase says on the terminal why the key's passphrase is asked
// and reads it without echo; with no terminal the error says what to do.
func askKeyPassphrase(e *env, lang string, why i18n.Msg) ([]byte, error) {
	tty, err := e.tty()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", capitalize(i18n.Text(lang, "cli.passphrase_no_terminal", "why", why)), errNoTerminal)
	}
	defer tty.Close()
	fmt.Fprintln(tty, capitalize(why.In(lang)))
	fmt.Fprint(tty, i18n.Text(lang, "cli.passphrase_prompt")+": ")
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("reading the passphrase: %w", err)
	}
	return b, nil
}
