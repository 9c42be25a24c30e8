package fiscal

import (
	"errors"
	"fmt"
	"paydesk/internal/i18n"
	"slices"
)

// Kind classifies an error by who can fix it; the UI asks the kind and never
// parses a message.
type Kind int

// Error kinds.
const (
	KindOther    Kind = iota // unclassified
	KindOperator             // the cashier can fix it: paper, cover, cash, shift state
	KindZReport              // the shift is over 24 hours: a Z report is needed
	KindAdmin                // needs the administrator: password, fiscal drive, service
	KindLink                 // the device does not answer or the outcome is unknown
	KindProgram              // bad command or parameters: a bug in the caller
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindOperator:
		return "operator can fix"
	case KindZReport:
		return "needs Z report"
	case KindAdmin:
		return "needs administrator"
	case KindLink:
		return "link problem"
	case KindProgram:
		return "program error"
	}
	return "other"
}

// Code is a device error code (the byte after the command in an answer).
type Code byte

// Device codes that callers test for.
const (
	CodeOK              Code = 0x00
	CodeFNState         Code = 0x02
	CodeFNShiftOver24h  Code = 0x16
	CodeFNNoAnswer      Code = 0x30
	CodeNotSupported    Code = 0x37
	CodeShiftOpen       Code = 0x3C
	CodeShiftNotOpen    Code = 0x3D
	CodePaymentsShort   Code = 0x45
	CodeNoCash          Code = 0x46
	CodeReceiptOpen     Code = 0x4A
	CodeShiftOver24h    Code = 0x4E
	CodeBadPassword     Code = 0x4F
	CodeBusyPrinting    Code = 0x50
	CodeReceiptClosed   Code = 0x55
	CodeNothingToRepeat Code = 0x56
	CodeWaitContinue    Code = 0x58
	CodeOtherOperator   Code = 0x59
	CodeBadOperation    Code = 0x5E
	CodeNoPaper         Code = 0x6B
	CodeCutter          Code = 0x71
	CodeBadSubmode      Code = 0x72
	CodeBadMode         Code = 0x73
	CodeBadLength       Code = 0x7E
	CodeZeroTotal       Code = 0x8E
	CodeTagsMissing     Code = 0xA4
	CodeCoverOpen       Code = 0x77
)

// codes lists the device codes of the FN-era Shtrih firmware with their
// kind; each one's message is fiscal.code.<XX> in the catalogue
// (assets/translations).
var codes = map[Code]Kind{
	0x00: KindOther,
	0x01: KindProgram,
	0x02: KindAdmin,
	0x03: KindAdmin,
	0x04: KindAdmin,
	0x07: KindAdmin,
	0x08: KindProgram,
	0x10: KindProgram,
	0x11: KindAdmin,
	0x12: KindAdmin,
	0x14: KindAdmin,
	0x16: KindZReport,
	0x2F: KindAdmin,
	0x30: KindAdmin,
	0x33: KindProgram,
	0x34: KindProgram,
	0x35: KindProgram,
	0x36: KindProgram,
	0x37: KindProgram,
	0x3C: KindOperator,
	0x3D: KindOperator,
	0x45: KindProgram,
	0x46: KindOperator,
	0x4A: KindOperator,
	0x4E: KindZReport,
	0x4F: KindAdmin,
	0x50: KindOperator,
	0x55: KindProgram,
	0x56: KindOperator,
	0x58: KindOperator,
	0x59: KindOperator,
	0x5E: KindProgram,
	0x6B: KindOperator,
	0x71: KindOperator,
	0x72: KindOperator,
	0x73: KindOperator,
	0x77: KindOperator,
	0x7B: KindAdmin,
	0x7E: KindProgram,
	0x8E: KindProgram,
	0xA4: KindProgram,
	0xC0: KindAdmin,
	0xC4: KindAdmin,
	0xC8: KindAdmin,
}

// Known reports whether the code is one of the firmware's.
func (c Code) Known() bool {
	_, ok := codes[c]
	return ok
}

// Kind returns who can fix what the code reports.
func (c Code) Kind() Kind { return codes[c] }

// Msg names the code's message in the catalogue.
func (c Code) Msg() i18n.Msg {
	if !c.Known() {
		return i18n.M("fiscal.code.unknown")
	}
	return i18n.M(fmt.Sprintf("fiscal.code.%02X", byte(c)))
}

// Codes returns every code the firmware is known to answer.
func Codes() []Code {
	out := make([]Code, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// String renders the code with both messages, e.g.
// "device code 6Bh: no receipt paper (Нет чековой ленты)".
func (c Code) String() string {
	return fmt.Sprintf("device code %02Xh: %s (%s)", byte(c), c.Msg().In(i18n.EN), c.Msg().In(i18n.RU))
}

// Errors without a device code.
var (
	// ErrNoLink means the device did not answer the link check: nothing was sent.
	ErrNoLink = errors.New("no link: the device does not answer")
	// ErrOutcomeUnknown means a command was accepted but its answer was lost and
	// could not be resolved from the device state.
	ErrOutcomeUnknown = errors.New("the device accepted the command but its answer was lost: outcome unknown")
	// ErrBadAnswer means an answer did not fit the command.
	ErrBadAnswer = errors.New("malformed answer")
	// ErrNotSupported means the driver or the register has no such
	// command, whatever the driver's own code for it (Shtrih's 37h,
	// ATOL's 7Ah): nothing was sent or done.
	ErrNotSupported = errors.New("the register or its driver has no such command")
)

// Unsupported reports whether err says the register or its driver has no
// such command.
func Unsupported(err error) bool {
	return errors.Is(err, ErrNotSupported) || CodeOf(err) == CodeNotSupported
}

// Error is a device or link error of one operation.
type Error struct {
	Op   string // operation, e.g. "open shift"
	Cmd  uint16 // command code (0xFF46 for FN commands), 0 when none
	Code Code   // device code, 0 when the error is not from the device
	Kind Kind
	Err  error // underlying error for link problems, nil for device codes
	// Text names the device code's message when the driver's family
	// numbers its codes its own way (ATOL); zero for Shtrih's codes,
	// whose messages are fiscal.code.<XX>.
	Text i18n.Msg
}

// DeviceError returns the error for a device code answered to cmd.
func DeviceError(op string, cmd uint16, code Code) *Error {
	return &Error{Op: op, Cmd: cmd, Code: code, Kind: code.Kind()}
}

// Error renders the message without the operation (callers wrap with it).
func (e *Error) Error() string {
	if e.Err != nil && e.Code == 0 {
		return e.Err.Error()
	}
	s := e.Code.String()
	if !e.Text.IsZero() {
		s = fmt.Sprintf("device code %02Xh: %s (%s)", byte(e.Code), e.Text.In(i18n.EN), e.Text.In(i18n.RU))
	}
	if e.Cmd != 0 {
		if e.Cmd > 0xFF {
			s = fmt.Sprintf("command %04Xh: %s", e.Cmd, s)
		} else {
			s = fmt.Sprintf("command %02Xh: %s", e.Cmd, s)
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Msg names the message: the device code's, or that the register does not
// answer, or that its answer was lost.
func (e *Error) Msg() i18n.Msg {
	switch {
	case e.Code != 0 && !e.Text.IsZero():
		return i18n.M("fiscal.device", "what", e.Text, "code", fmt.Sprintf("%02X", byte(e.Code)))
	case e.Code != 0:
		return i18n.M("fiscal.device", "what", e.Code.Msg(), "code", fmt.Sprintf("%02X", byte(e.Code)))
	case errors.Is(e, ErrOutcomeUnknown):
		return i18n.M("fiscal.lost")
	}
	return i18n.M("fiscal.no_answer")
}

// Is matches another *Error by code (and kind when the target has no code).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Code != 0 {
		return t.Code == e.Code
	}
	return t.Kind == e.Kind && t.Err == nil
}

// KindOf returns the kind of err, KindOther when it carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// CodeOf returns the device code in err, 0 when none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
