package wire

import (
	"fmt"
	"strconv"

	"paydesk/internal/i18n"
)

// Kind is a class of refusal: why a batch is not believed or not taken.
// A Kind is itself an error, so errors.Is(err, wire.KindSignature) works.
type Kind string

// The reasons a batch is refused.
const (
	KindFormat    Kind = "format"    // not a batch in its canonical form
	KindVersion   Kind = "version"   // a format version the hub does not read
	KindRange     Kind = "range"     // the sequence numbers do not match the events
	KindEvent     Kind = "event"     // an event is not well formed
	KindSignature Kind = "signature" // not signed, or not by the point's registered key
	KindPoint     Kind = "point"     // the point is not registered
	// KindGap is the hub's: the batch starts after the next event it
	// expects (the desk resends from Answer.Last+1).
	KindGap Kind = "gap"
)

// Error returns the class in English.
func (k Kind) Error() string { return k.Msg().In(i18n.EN) }

// Msg names the class's message (hub.wire.kind.<kind>).
func (k Kind) Msg() i18n.Msg { return i18n.M("hub.wire.kind." + string(k)) }

// Error is a refused batch: the operation, the class, the event (its
// sequence number, 0 for the batch as a whole) and the detail in English.
type Error struct {
	Op     string
	Kind   Kind
	Seq    int64
	Detail string
	Err    error
}

// Error formats the error as "wire: op: class: event n: detail".
func (e *Error) Error() string {
	s := "wire: " + e.Op + ": " + e.Kind.Error()
	if e.Seq != 0 {
		s += ": event " + strconv.FormatInt(e.Seq, 10)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Msg names the message in the catalogue: the class in the user's
// language, the event and the technical detail.
func (e *Error) Msg() i18n.Msg {
	detail := e.Detail
	if e.Err != nil {
		if detail != "" {
			detail += ": "
		}
		detail += e.Err.Error()
	}
	return i18n.M("hub.wire.error", "kind", e.Kind.Msg(), "seq", e.Seq, "detail", detail)
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

func wrap(op string, kind Kind, err error) error {
	return &Error{Op: op, Kind: kind, Err: err}
}
