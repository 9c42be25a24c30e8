package app

import (
	"errors"
	"strings"
	"unicode"

	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/store"
)

// Kind is a class of till failure, for the UI and the CLI.
type Kind int

// Kinds of failure.
const (
	KindInput     Kind = iota + 1 // bad input: nothing was done
	KindForbidden                 // the user's role does not allow it
	KindState                     // not now: no shift, shift over 24 hours, payment in the wrong state
	KindRefused                   // the network refused (the gateway error says why)
	KindPending                   // the outcome is not known yet: the resolver goes on
	KindDevice                    // the fiscal register failed (the fiscal error says why)
	KindConfig                    // configuration problem
	KindTampered                  // the books do not match their seal: changed behind the till's back
)

// Error is a failed till operation: what was being done, its kind, its
// message in the catalogue and the cause.
type Error struct {
	Op   string
	Kind Kind
	Text i18n.Msg
	Err  error
}

func (e *Error) Error() string {
	s := "app: " + e.Op + ": " + e.Text.In(i18n.EN)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Msg names the message (without the cause's).
func (e *Error) Msg() i18n.Msg { return e.Text }

func fail(op string, kind Kind, m i18n.Msg, err error) *Error {
	return &Error{Op: op, Kind: kind, Text: m, Err: err}
}

// KindOf classifies any error the till returns.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	switch faultOf(err) {
	case 0:
	case FaultInput:
		return KindInput
	case FaultSetup:
		return KindConfig
	case FaultNoAnswer:
		return KindPending
	default:
		return KindRefused
	}
	var fe *fiscal.Error
	if errors.As(err, &fe) {
		return KindDevice
	}
	if errors.Is(err, store.ErrSealBroken) {
		return KindTampered
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		return KindConfig
	}
	return 0
}

// Message returns the human message for any error the till returns, in the
// language ("ru" or "en"), with what to do where the catalogue says it.
func Message(err error, lang string) string {
	m := message(err, lang)
	var ce *config.Error
	if errors.As(err, &ce) && ce.Key != "" && strings.HasPrefix(m, ce.Key+": ") {
		return m // the configuration key as it is written in the file
	}
	return capitalize(m)
}

func capitalize(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// storeMessages are the store's refusals a user can meet, by message key.
var storeMessages = []struct {
	err error
	key string
}{
	{store.ErrUnknownCashier, "store.unknown_cashier"},
	{store.ErrInactive, "store.inactive"},
	{store.ErrWeakPIN, "store.weak_pin"},
	{store.ErrShortPIN, "store.short_pin"},
	{store.ErrLoginTaken, "store.login_taken"},
	{store.ErrNoShift, "store.no_shift"},
	{store.ErrInUse, "store.in_use"},
	{store.ErrShiftOpen, "store.shift_open"},
	{store.ErrNotEnoughIn, "store.not_enough_in"},
	{store.ErrFull, "store.full"},
}

func message(err error, lang string) string {
	m, ok := msgOf(err)
	if !ok {
		return err.Error()
	}
	return m.In(lang)
}

// msgOf names the message of any error the till returns, with its cause's
// and what to do where the catalogue says it; false when it names none.
func msgOf(err error) (i18n.Msg, bool) {
	if err == nil {
		return i18n.Msg{}, false
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Err != nil && (e.Kind == KindRefused || e.Kind == KindDevice || e.Kind == KindConfig || e.Kind == KindPending) {
			if inner, ok := msgOf(e.Err); ok {
				return i18n.M("app.because", "msg", e.Text, "cause", inner), true
			}
		}
		return e.Text, true
	}
	if ne, ok := netErrorOf(err); ok {
		return netMsg(ne), true
	}
	var fe *fiscal.Error
	if errors.As(err, &fe) {
		return hinted(fe.Msg(), fiscalHint[fe.Kind]), true
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		if ce.Key != "" {
			return i18n.M("app.because", "msg", ce.Key, "cause", ce.Msg()), true
		}
		return ce.Msg(), true
	}
	var pe *store.PINError
	if errors.As(err, &pe) {
		if errors.Is(err, store.ErrLocked) {
			return i18n.M("store.locked", "until", pe.LockedUntil.Local().Format("15:04")), true
		}
		return i18n.M("store.wrong_pin", "left", pe.AttemptsRem), true
	}
	for _, s := range storeMessages {
		if errors.Is(err, s.err) {
			return i18n.M(s.key), true
		}
	}
	var sp i18n.Speaker
	if errors.As(err, &sp) {
		return sp.Msg(), true
	}
	return i18n.Msg{}, false
}

// hinted adds what to do to a message ("" key: nothing to add).
func hinted(m i18n.Msg, hint string) i18n.Msg {
	if hint == "" {
		return m
	}
	return i18n.M("app.hinted", "msg", m, "hint", i18n.M(hint))
}

// fiscalHint says what to do about a register's failure by its kind.
var fiscalHint = map[fiscal.Kind]string{
	fiscal.KindOperator: "app.hint.operator",
	fiscal.KindZReport:  "app.hint.zreport",
	fiscal.KindAdmin:    "app.hint.admin",
	fiscal.KindLink:     "app.hint.link",
}
