package ipriv

import (
	"fmt"
	"strconv"

	"paydesk/internal/i18n"
)

// Kind is a class of failure. Its value is the vendor library's error code
// (negative, as libipriv returns it), so callers can report either.
// A Kind is itself an error, so errors.Is(err, ipriv.ErrVerify) works.
type Kind int

// The error classes of libipriv that a Go implementation can meet.
const (
	ErrFormat      Kind = -3  // envelope layout or lengths wrong
	ErrNoData      Kind = -4  // document truncated
	ErrPacket      Kind = -5  // malformed packet
	ErrUnknownAlg  Kind = -6  // unknown public-key, hash or cipher algorithm
	ErrKeyLen      Kind = -7  // key or MPI size unsupported
	ErrPassphrase  Kind = -8  // wrong or missing passphrase (checksum mismatch)
	ErrDocType     Kind = -9  // wrong document type for the operation
	ErrRadix       Kind = -10 // bad radix-64 text or CRC24 mismatch
	ErrInvalidKey  Kind = -17 // key values inconsistent (p·q ≠ n, ...)
	ErrSign        Kind = -18 // signing failed
	ErrKeyNotFound Kind = -19 // no public key with that serial
	ErrVerify      Kind = -20 // signature does not verify
	ErrKeyCard     Kind = -23 // key card format or CRC
	ErrGenKey      Kind = -24 // key generation failed
)

// Error returns the class in plain words, such as "verify failed".
func (k Kind) Error() string { return k.Msg().In(i18n.EN) }

// Msg names the class's message in the catalogue (ipriv.kind.<code>).
func (k Kind) Msg() i18n.Msg {
	key := "ipriv.kind." + strconv.Itoa(int(k))
	if !i18n.Has(key) {
		return i18n.M("ipriv.kind.unknown", "code", int(k))
	}
	return i18n.M(key)
}

// Code returns the vendor library's numeric code (negative).
func (k Kind) Code() int { return int(k) }

// Error is a failure of one operation: what was being done, its class, and
// the detail in plain words.
type Error struct {
	Op     string // the operation, such as "verify" or "load secret key"
	Kind   Kind   // the class of failure
	Detail string // what exactly was wrong, in plain words
	Err    error  // the underlying error, if any
}

// Error formats the error as "ipriv: op: class: detail".
func (e *Error) Error() string {
	s := "ipriv: " + e.Op + ": " + e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Msg names the message: the class in the user's language and the detail
// (a technical one, in English) without the package and operation, such as
// "verify failed: signature does not match the document".
func (e *Error) Msg() i18n.Msg {
	detail := e.Detail
	if e.Err != nil {
		if detail != "" {
			detail += ": "
		}
		detail += e.Err.Error()
	}
	return i18n.M("ipriv.error", "kind", e.Kind.Msg(), "detail", detail)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's Kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

func errorf(op string, kind Kind, format string, a ...any) error {
	return &Error{Op: op, Kind: kind, Detail: fmt.Sprintf(format, a...)}
}

// withOp sets the operation on an *Error produced deeper down, or wraps any
// other error in kind.
func withOp(op string, kind Kind, err error) error {
	if e, ok := err.(*Error); ok {
		c := *e
		c.Op = op
		return &c
	}
	return &Error{Op: op, Kind: kind, Err: err}
}
