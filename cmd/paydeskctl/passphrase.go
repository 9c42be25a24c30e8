package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"
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
