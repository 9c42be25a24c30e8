package hub

import (
	"errors"
	"fmt"

	"paydesk/hub/wire"
	"paydesk/internal/i18n"
)

// Kind is a class of failure. A batch's refusals share their names with
// wire's kinds; a Kind is itself an error, so errors.Is(err, hub.KindGap)
// works.
type Kind string

// The hub's kinds of failure.
const (
	KindFormat         = Kind(wire.KindFormat)    // not a batch in its canonical form
	KindVersion        = Kind(wire.KindVersion)   // a batch format the hub does not read
	KindRange          = Kind(wire.KindRange)     // the batch's numbers do not match its events
	KindEvent          = Kind(wire.KindEvent)     // an event is not well formed
	KindSignature      = Kind(wire.KindSignature) // not signed by the point's registered key
	KindPoint          = Kind(wire.KindPoint)     // the point is not registered
	KindGap       Kind = "gap"                    // the batch starts after the next event the hub expects
	KindInput     Kind = "input"                  // a registration's value is wrong
	KindExists    Kind = "exists"                 // registered already
	KindNotFound  Kind = "not_found"              // no such partner, point or user
	KindSignIn    Kind = "sign_in"                // wrong login or password
	KindDenied    Kind = "denied"                 // not this user's to see
	KindSchema    Kind = "schema"                 // the database's schema is not this hub's
	KindDatabase  Kind = "database"               // the database failed or is unreachable
)

// Error returns the class in English.
func (k Kind) Error() string { return k.Msg().In(i18n.EN) }

// Msg names the class's message (hub.kind.<kind>).
func (k Kind) Msg() i18n.Msg { return i18n.M("hub.kind." + string(k)) }

// Refused reports whether the kind refuses a batch for what it is (the
// desk must not send it again as it is), as against the hub's own trouble.
func (k Kind) Refused() bool {
	switch k {
	case KindFormat, KindVersion, KindRange, KindEvent, KindSignature, KindPoint, KindGap:
		return true
	}
	return false
}

// Error is a failure of one operation. For a refused batch Point names the
// point and Last is the last event the hub has applied for it (a desk
// refused with KindGap resends from Last+1).
type Error struct {
	Op     string
	Kind   Kind
	Point  string
	Last   int64
	From   int64 // the refused batch's first event (KindGap)
	Detail string
	// Text, when set, is the whole message (a registration's refusal
	// says what was wrong in the catalogue's words).
	Text i18n.Msg
	Err  error
}

// Error formats the error as "hub: op: class: detail: cause".
func (e *Error) Error() string {
	s := "hub: " + e.Op + ": " + e.Kind.Error()
	if e.Kind == KindGap {
		s += fmt.Sprintf(": the batch starts at event %d, the next expected is %d", e.From, e.Last+1)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if !e.Text.IsZero() {
		s += ": " + e.Text.In(i18n.EN)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Msg names the message in the catalogue.
func (e *Error) Msg() i18n.Msg {
	if !e.Text.IsZero() {
		return e.Text
	}
	var w *wire.Error
	if errors.As(e.Err, &w) {
		return w.Msg()
	}
	if e.Kind == KindGap {
		return i18n.M("hub.refused.gap", "from", e.From, "next", e.Last+1)
	}
	detail := e.Detail
	if e.Err != nil {
		if detail != "" {
			detail += ": "
		}
		detail += e.Err.Error()
	}
	return i18n.M("hub.error", "kind", e.Kind.Msg(), "detail", detail)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's Kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

func dbError(op string, err error) error {
	if err == nil {
		return nil
	}
	var he *Error
	if errors.As(err, &he) {
		return err
	}
	return &Error{Op: op, Kind: KindDatabase, Err: err}
}

// refuse is a refusal worded by the catalogue's key with its arguments.
func refuse(op string, kind Kind, key string, args ...any) error {
	return &Error{Op: op, Kind: kind, Text: i18n.M(key, args...)}
}
