package fiscal

import (
	"errors"
	"fmt"
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

// CodeInfo is what is known about a device code.
type CodeInfo struct {
	RU, EN string
	Kind   Kind
}

// Codes lists the device codes of the FN-era Shtrih firmware with Russian and
// English messages and a kind.
var Codes = map[Code]CodeInfo{
	0x00: {"Ошибок нет", "no error", KindOther},
	0x01: {"ФН: неизвестная команда, неверный формат посылки или параметры", "FN: unknown command or bad format or parameters", KindProgram},
	0x02: {"ФН: неверное состояние ФН", "FN: wrong fiscal drive state for this command", KindAdmin},
	0x03: {"ФН: отказ ФН", "FN: fiscal drive failure", KindAdmin},
	0x04: {"ФН: отказ КС", "FN: crypto coprocessor failure", KindAdmin},
	0x07: {"ФН: неверные дата и/или время", "FN: wrong date or time", KindAdmin},
	0x08: {"ФН: нет запрошенных данных", "FN: no requested data", KindProgram},
	0x10: {"ФН: превышение размеров TLV данных", "FN: TLV data too large", KindProgram},
	0x11: {"ФН: нет транспортного соединения", "FN: no transport connection to the OFD", KindAdmin},
	0x12: {"ФН: исчерпан ресурс ФН", "FN: fiscal drive resource exhausted", KindAdmin},
	0x14: {"ФН: исчерпан ресурс хранения данных для ОФД", "FN: OFD storage exhausted (30-day backlog)", KindAdmin},
	0x16: {"ФН: продолжительность смены более 24 часов", "FN: shift longer than 24 hours", KindZReport},
	0x2F: {"Таймаут обмена с ФН", "fiscal drive exchange timeout", KindAdmin},
	0x30: {"ФН не отвечает", "fiscal drive does not answer", KindAdmin},
	0x33: {"Некорректные параметры в команде", "invalid parameters in the command", KindProgram},
	0x34: {"Нет данных", "no data", KindProgram},
	0x35: {"Некорректный параметр при данных настройках", "invalid parameter for these settings", KindProgram},
	0x36: {"Некорректные параметры в команде для данной реализации ККТ", "invalid parameters for this device", KindProgram},
	0x37: {"Команда не поддерживается в данной реализации ККТ", "command not supported by this device", KindProgram},
	0x3C: {"Смена открыта – операция невозможна", "shift open: operation impossible", KindOperator},
	0x3D: {"Смена не открыта – операция невозможна", "shift not open: operation impossible", KindOperator},
	0x45: {"Сумма всех типов оплаты меньше итога чека", "payments less than the receipt total", KindProgram},
	0x46: {"Не хватает наличности в кассе", "not enough cash in the drawer", KindOperator},
	0x4A: {"Открыт чек – операция невозможна", "receipt open: operation impossible", KindOperator},
	0x4E: {"Смена превысила 24 часа", "shift exceeded 24 hours", KindZReport},
	0x4F: {"Неверный пароль", "wrong password", KindAdmin},
	0x50: {"Идет печать результатов выполнения предыдущей команды", "previous command still printing", KindOperator},
	0x55: {"Чек закрыт – операция невозможна", "receipt closed: operation impossible", KindProgram},
	0x56: {"Нет документа для повтора", "no document to repeat", KindOperator},
	0x58: {"Ожидание команды продолжения печати", "waiting for the continue-printing command", KindOperator},
	0x59: {"Документ открыт другим оператором", "document opened by another operator", KindOperator},
	0x5E: {"Неверная операция", "invalid operation", KindProgram},
	0x6B: {"Нет чековой ленты", "no receipt paper", KindOperator},
	0x71: {"Ошибка отрезчика", "cutter error", KindOperator},
	0x72: {"Команда не поддерживается в данном подрежиме", "command not supported in this submode", KindOperator},
	0x73: {"Команда не поддерживается в данном режиме", "command not supported in this mode", KindOperator},
	0x77: {"Принтер: нет сигнала с датчиков (открыта крышка)", "printer: no sensor signal (cover open)", KindOperator},
	0x7B: {"Аварийная ситуация принтера", "printer hardware failure", KindAdmin},
	0x7E: {"Неверное значение в поле длины", "invalid value in the length field", KindProgram},
	0x8E: {"Нулевой итог чека", "zero receipt total", KindProgram},
	0xA4: {"ФН: отсутствуют обязательные реквизиты", "FN: required TLV attributes missing", KindProgram},
	0xC0: {"Контроль даты и времени (подтвердите дату и время)", "date and time check: confirm", KindAdmin},
	0xC4: {"Несовпадение номеров смен", "shift numbers mismatch", KindAdmin},
	0xC8: {"Нет импульсов от таходатчика", "printer: no tachometer pulses", KindAdmin},
}

// Info returns what is known about the code.
func (c Code) Info() CodeInfo {
	if in, ok := Codes[c]; ok {
		return in
	}
	return CodeInfo{RU: "Неизвестная ошибка", EN: "unknown device error", Kind: KindOther}
}

// String renders the code with both messages, e.g.
// "device code 6Bh: no receipt paper (Нет чековой ленты)".
func (c Code) String() string {
	in := c.Info()
	return fmt.Sprintf("device code %02Xh: %s (%s)", byte(c), in.EN, in.RU)
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
)

// Error is a device or link error of one operation.
type Error struct {
	Op   string // operation, e.g. "open shift"
	Cmd  uint16 // command code (0xFF46 for FN commands), 0 when none
	Code Code   // device code, 0 when the error is not from the device
	Kind Kind
	Err  error // underlying error for link problems, nil for device codes
}

// DeviceError returns the error for a device code answered to cmd.
func DeviceError(op string, cmd uint16, code Code) *Error {
	return &Error{Op: op, Cmd: cmd, Code: code, Kind: code.Info().Kind}
}

// Error renders the message without the operation (callers wrap with it).
func (e *Error) Error() string {
	if e.Err != nil && e.Code == 0 {
		return e.Err.Error()
	}
	s := e.Code.String()
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
