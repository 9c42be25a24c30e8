// Package secret keeps the point's key passphrase in the operating
// system's credential store: the Secret Service on Linux (GNOME Keyring,
// KWallet), the Windows Credential Manager, the macOS Keychain, through
// github.com/zalando/go-keyring. Every entry is under the service "paydesk"
// and an account that names the point's key (Account). Nothing here ever
// writes a secret to a file.
//
// The store is reached over D-Bus or a system call that can wait on the
// user (an unlock prompt), so every call takes a context and gives up with
// KindUnavailable when it ends first.
package secret

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/zalando/go-keyring"

	"paydesk/internal/i18n"
)

// Service is the service every PayDesk entry is stored under.
const Service = "paydesk"

// Kind is a class of credential-store failure.
type Kind int

// Kinds of failure.
const (
	KindNotFound    Kind = iota + 1 // the store holds no entry for the account
	KindUnavailable                 // no store answered: none running, locked, refused, or too slow
	KindTooBig                      // the store refuses a secret that long
	KindInput                       // an empty account or secret: nothing was asked of the store
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case KindNotFound:
		return "not found"
	case KindUnavailable:
		return "unavailable"
	case KindTooBig:
		return "too big"
	case KindInput:
		return "input"
	}
	return "unknown"
}

// Error is a failed credential-store operation: the operation (store, load,
// delete), the account, its kind and the store's own error.
type Error struct {
	Op      string
	Account string
	Kind    Kind
	Err     error
}

func (e *Error) Error() string {
	s := "secret: " + e.Op + " " + e.Account + ": " + e.Msg().In(i18n.EN)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the store's error.
func (e *Error) Unwrap() error { return e.Err }

// messages are the catalogue's keys by kind.
var messages = map[Kind]string{
	KindNotFound:    "secret.not_found",
	KindUnavailable: "secret.unavailable",
	KindTooBig:      "secret.too_big",
	KindInput:       "secret.input",
}

// Msg names the message of the error's kind in the catalogue.
func (e *Error) Msg() i18n.Msg { return i18n.M(messages[e.Kind]) }

// KindOf returns the kind of a secret error anywhere in err's chain, 0 when
// there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// Account names the entry of the secret key file path: its absolute, clean
// path, so two configurations with one key share one entry and two keys
// never do.
func Account(keyFile string) string {
	if keyFile == "" {
		return ""
	}
	abs, err := filepath.Abs(keyFile)
	if err != nil {
		return filepath.Clean(keyFile)
	}
	return abs
}

// Store puts the passphrase into the credential store under account,
// replacing what was there.
func Store(ctx context.Context, account string, passphrase []byte) error {
	const op = "store"
	if account == "" || len(passphrase) == 0 {
		return &Error{Op: op, Account: account, Kind: KindInput}
	}
	pass := string(passphrase)
	return call(ctx, op, account, func() error { return keyring.Set(Service, account, pass) })
}

// Load returns the passphrase stored under account.
func Load(ctx context.Context, account string) ([]byte, error) {
	const op = "load"
	if account == "" {
		return nil, &Error{Op: op, Account: account, Kind: KindInput}
	}
	var pass string
	err := call(ctx, op, account, func() error {
		var err error
		pass, err = keyring.Get(Service, account)
		return err
	})
	if err != nil {
		return nil, err
	}
	return []byte(pass), nil
}

// Delete removes account's entry; a store without one answers KindNotFound.
func Delete(ctx context.Context, account string) error {
	const op = "delete"
	if account == "" {
		return &Error{Op: op, Account: account, Kind: KindInput}
	}
	return call(ctx, op, account, func() error { return keyring.Delete(Service, account) })
}

// call runs do, which asks the store, until ctx ends, and classifies its
// error. A store that does not answer in time is left to finish on its own
// goroutine (the library has no way to cancel a D-Bus prompt); whatever it
// does then is discarded.
func call(ctx context.Context, op, account string, do func() error) error {
	done := make(chan error, 1)
	go func() { done <- do() }()
	select {
	case err := <-done:
		return classify(op, account, err)
	case <-ctx.Done():
		return &Error{Op: op, Account: account, Kind: KindUnavailable, Err: ctx.Err()}
	}
}

// classify turns the library's error into an *Error of its kind: anything
// but "not found" and "too big" means the store could not be used (no
// D-Bus session, no Secret Service on it, a locked collection, an
// unsupported platform, a Windows API error).
func classify(op, account string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return &Error{Op: op, Account: account, Kind: KindNotFound, Err: err}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &Error{Op: op, Account: account, Kind: KindTooBig, Err: err}
	}
	return &Error{Op: op, Account: account, Kind: KindUnavailable, Err: err}
}
