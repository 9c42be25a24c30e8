package gateway

import (
	"errors"
	"fmt"
	"strconv"

	"paydesk/internal/i18n"
)

// Class says what a caller should do about a gateway ERROR code.
type Class int

// The classes of the error catalogue.
const (
	// ClassFinal: this transaction cannot succeed with the same data; do not repeat.
	ClassFinal Class = iota + 1
	// ClassConfig: a configuration or account problem that needs the administrator;
	// the payment was not made.
	ClassConfig
	// ClassRetry: temporary; the same step may be repeated later.
	ClassRetry
	// ClassStatus: the outcome must be established with a status request.
	ClassStatus
)

// String names the class.
func (c Class) String() string {
	switch c {
	case ClassFinal:
		return "final"
	case ClassConfig:
		return "configuration"
	case ClassRetry:
		return "retry later"
	case ClassStatus:
		return "resolve through status"
	}
	return "unknown"
}

// Entry describes one ERROR code of the gateway; its message is
// gateway.error.<code> in the catalogue (assets/translations).
type Entry struct {
	Code  int
	Class Class
}

// Msg names the code's message in the catalogue.
func (e Entry) Msg() i18n.Msg {
	if _, known := catalogue[e.Code]; known {
		return i18n.M("gateway.error." + strconv.Itoa(e.Code))
	}
	return i18n.M("gateway.error.unknown", "code", e.Code)
}

// catalogue holds every ERROR code of the dealer protocol.
var catalogue = map[int]Entry{}

func init() {
	for _, e := range []Entry{
		{0, ClassFinal},
		{1, ClassStatus},
		{2, ClassConfig},
		{3, ClassConfig},
		{4, ClassConfig},
		{5, ClassFinal},
		{6, ClassConfig},
		{7, ClassFinal},
		{8, ClassFinal},
		{9, ClassFinal},
		{10, ClassFinal},
		{11, ClassStatus},
		{12, ClassConfig},
		{13, ClassConfig},
		{15, ClassConfig},
		{17, ClassFinal},
		{18, ClassFinal},
		{19, ClassFinal},
		{20, ClassStatus},
		{21, ClassConfig},
		{22, ClassRetry},
		{23, ClassFinal},
		{24, ClassRetry},
		{25, ClassRetry},
		{26, ClassConfig},
		{27, ClassConfig},
		{30, ClassRetry},
		{31, ClassRetry},
		{32, ClassStatus},
		{33, ClassFinal},
		{34, ClassFinal},
		{35, ClassStatus},
		{36, ClassStatus},
		{37, ClassFinal},
		{38, ClassFinal},
		{39, ClassConfig},
		{40, ClassFinal},
		{41, ClassRetry},
		{42, ClassRetry},
		{43, ClassRetry},
		{44, ClassConfig},
		{45, ClassConfig},
		{46, ClassStatus},
		{47, ClassRetry},
		{48, ClassRetry},
		{49, ClassRetry},
		{50, ClassRetry},
		{51, ClassFinal},
		{52, ClassConfig},
		{53, ClassConfig},
		{54, ClassConfig},
		{55, ClassConfig},
		{56, ClassConfig},
		{57, ClassConfig},
		{71, ClassFinal},
		{72, ClassFinal},
		{81, ClassFinal},
		{82, ClassConfig},
		{83, ClassFinal},
		{84, ClassConfig},
		{85, ClassFinal},
		{86, ClassRetry},
		{87, ClassFinal},
		{134, ClassConfig},
		{135, ClassFinal},
		{136, ClassFinal},
		{137, ClassConfig},
		{164, ClassConfig},
		{165, ClassConfig},
		{223, ClassFinal},
		{270, ClassFinal},
		{271, ClassFinal},
	} {
		catalogue[e.Code] = e
	}
}

// Lookup returns the catalogue entry for an ERROR code; unknown codes are
// class Retry with a generic message (class Status once pay was sent: see
// ErrorClass).
func Lookup(code int) Entry {
	if e, ok := catalogue[code]; ok {
		return e
	}
	return Entry{Code: code, Class: ClassRetry}
}

// Codes returns every code of the catalogue.
func Codes() []int {
	out := make([]int, 0, len(catalogue))
	for c := range catalogue {
		out = append(out, c)
	}
	return out
}

// Kind says how a request failed.
type Kind int

// Kinds of failure.
const (
	// KindRefused: the network answered with a verified ERROR or RESULT that
	// is not success. Code holds the ERROR; Code 0 (ERROR=0 with RESULT
	// missing or not 0) is an answer without a result, to be tried again.
	KindRefused Kind = iota + 1
	// KindNoAnswer: no trustworthy answer (transport failure, timeout, HTTP
	// error, a redirect (never followed: nothing is re-sent), unsigned,
	// wrongly signed, malformed or wrongly compressed answer, another
	// SESSION echoed), or an answer to pay that is not an acceptance
	// of it (see Client.Pay). For pay this means the outcome is unknown.
	KindNoAnswer
	// KindInput: the request was refused before anything was sent (a number
	// failing the pattern, an amount out of range, an unknown provider).
	KindInput
	// KindConfig: local configuration is wrong (keys, URLs, codes).
	KindConfig
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindRefused:
		return "refused"
	case KindNoAnswer:
		return "no trustworthy answer"
	case KindInput:
		return "invalid input"
	case KindConfig:
		return "configuration"
	}
	return "unknown"
}

// Error is a failed gateway request.
type Error struct {
	Op      string // check, pay, status, balance
	Kind    Kind
	Code    int    // the ERROR code when Kind is KindRefused
	Result  int    // the RESULT, -1 when absent
	Session string // the SESSION of the request
	// Text is the message for KindInput and KindConfig, and for
	// KindNoAnswer when there is more to say than "no trustworthy answer"
	// (a compressed answer that cannot be unpacked, a redirect not
	// followed, an answer to pay that is not an acceptance).
	Text i18n.Msg
	Err  error // the underlying cause
}

// Error formats the error in English for logs: "gateway: op SESSION:"
// then ERROR and RESULT with the code's message for a refusal, or the kind
// and its message, then the cause.
func (e *Error) Error() string {
	s := "gateway: " + e.Op
	if e.Session != "" {
		s += " " + e.Session
	}
	switch e.Kind {
	case KindRefused:
		s += fmt.Sprintf(": ERROR=%d", e.Code)
		if e.Result >= 0 {
			s += fmt.Sprintf(" RESULT=%d", e.Result)
		}
		s += ": " + e.Msg().In(i18n.EN)
	default:
		s += ": " + e.Kind.String()
		if !e.Text.IsZero() {
			s += ": " + e.Text.In(i18n.EN)
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Class is the catalogue class of a refusal; after pay was sent every
// refusal is resolved through status. ERROR=0 without RESULT=0 (Code 0) is
// an answer without a result: the same step may be tried again.
func (e *Error) Class() Class {
	switch e.Kind {
	case KindRefused:
		if e.Op == "pay" {
			return ClassStatus
		}
		if e.Code == 0 {
			return ClassRetry
		}
		return Lookup(e.Code).Class
	case KindNoAnswer:
		if e.Op == "pay" {
			return ClassStatus
		}
		return ClassRetry
	case KindConfig:
		return ClassConfig
	}
	return ClassFinal
}

// Msg names the message: the catalogue's for a refusal's code ("answered
// without a result" for ERROR=0), "no trustworthy answer" (with "do not
// repeat" for pay) or the text given for it, or the text given for bad
// input and configuration.
func (e *Error) Msg() i18n.Msg {
	switch e.Kind {
	case KindRefused:
		if e.Code == 0 {
			if e.Op == "check" {
				return i18n.M("gateway.no_result.check")
			}
			return i18n.M("gateway.no_result")
		}
		return Lookup(e.Code).Msg()
	case KindNoAnswer:
		if !e.Text.IsZero() {
			return e.Text
		}
		if e.Op == "pay" {
			return i18n.M("gateway.no_answer.pay")
		}
		return i18n.M("gateway.no_answer")
	}
	return e.Text
}

// KindOf returns the kind of a gateway error, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
