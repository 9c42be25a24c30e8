package atol

import (
	"fmt"

	"paydesk/internal/i18n"

	"paydesk/fiscal"
)

// Error codes the driver tests for (docs/atol.md §6).
const (
	CodeBadMode       fiscal.Code = 102 // 66h command not available in this mode
	CodeNoPaper       fiscal.Code = 103 // 67h no paper
	CodeNotSupported  fiscal.Code = 122 // 7Ah this model cannot execute the command
	CodePaymentsShort fiscal.Code = 114 // 72h payments less than the total
	CodeShiftOver24h  fiscal.Code = 136 // 88h shift over 24 hours
	CodeBadPassword   fiscal.Code = 140 // 8Ch wrong password
	CodeNoCash        fiscal.Code = 152 // 98h not enough cash
	CodeReceiptClosed fiscal.Code = 154 // 9Ah receipt closed
	CodeReceiptOpen   fiscal.Code = 155 // 9Bh receipt open
	CodeShiftOpen     fiscal.Code = 156 // 9Ch shift open
	CodeFNNoData      fiscal.Code = 218 // DAh the fiscal drive has no such data
	CodeFNShift24h    fiscal.Code = 240 // F0h the fiscal drive's shift is over 24 hours
	CodeNoCommand     fiscal.Code = 242 // F2h wrong command
)

// Known reports whether code is one of the guide's.
func Known(code fiscal.Code) bool {
	_, ok := codes[code]
	return ok
}

// KindOf says who can fix what code reports (KindOther for codes the guide
// does not list).
func KindOf(code fiscal.Code) fiscal.Kind { return codes[code] }

// Msg names code's message in the catalogue.
func Msg(code fiscal.Code) i18n.Msg {
	if !Known(code) {
		return i18n.M("fiscal.atol.code.unknown")
	}
	return i18n.M(fmt.Sprintf("fiscal.atol.code.%02X", byte(code)))
}

// Codes lists every code of the table, sorted.
func Codes() []fiscal.Code {
	out := make([]fiscal.Code, 0, len(codes))
	for c := range 256 {
		if Known(fiscal.Code(c)) {
			out = append(out, fiscal.Code(c))
		}
	}
	return out
}

// DeviceError is the error for code answered to cmd: ATOL's own message and
// kind (a code the guide does not list is KindOther). The register's "this
// model cannot" (7Ah) and "wrong command" (F2h) wrap fiscal.ErrNotSupported,
// so that fiscal.Unsupported knows them whatever the driver.
func DeviceError(op string, cmd byte, code fiscal.Code) *fiscal.Error {
	e := &fiscal.Error{Op: op, Cmd: uint16(cmd), Code: code, Kind: KindOf(code), Text: Msg(code)}
	if code == CodeNotSupported || code == CodeNoCommand {
		e.Err = fiscal.ErrNotSupported
	}
	return e
}
