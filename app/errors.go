package app

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/protocol/gateway"
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
)

// Error is a failed till operation with the message in both languages.
type Error struct {
	Op    string
	Kind  Kind
	Msg   string // English
	MsgRU string // Russian
	Err   error
}

func (e *Error) Error() string {
	s := "app: " + e.Op + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func fail(op string, kind Kind, en, ru string, err error) *Error {
	return &Error{Op: op, Kind: kind, Msg: en, MsgRU: ru, Err: err}
}

// KindOf classifies any error the till returns.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var ge *gateway.Error
	if errors.As(err, &ge) {
		switch ge.Kind {
		case gateway.KindInput:
			return KindInput
		case gateway.KindConfig:
			return KindConfig
		case gateway.KindNoAnswer:
			return KindPending
		}
		return KindRefused
	}
	var fe *fiscal.Error
	if errors.As(err, &fe) {
		return KindDevice
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

func message(err error, lang string) string {
	if err == nil {
		return ""
	}
	en := lang == "en"
	var e *Error
	if errors.As(err, &e) {
		msg := e.MsgRU
		if en {
			msg = e.Msg
		}
		if e.Err != nil && (e.Kind == KindRefused || e.Kind == KindDevice || e.Kind == KindConfig || e.Kind == KindPending) {
			if inner := message(e.Err, lang); inner != "" && inner != e.Err.Error() {
				return msg + ": " + inner
			}
		}
		return msg
	}
	var ge *gateway.Error
	if errors.As(err, &ge) {
		return ge.Message(lang) + gatewayHint(ge, en)
	}
	var fe *fiscal.Error
	if errors.As(err, &fe) {
		return fiscalMessage(fe, en)
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		if ce.Key != "" {
			return ce.Key + ": " + ce.Message(lang)
		}
		return ce.Message(lang)
	}
	var pe *store.PINError
	if errors.As(err, &pe) {
		if errors.Is(err, store.ErrLocked) {
			if en {
				return fmt.Sprintf("Too many wrong PINs: locked until %s, or ask a manager", pe.LockedUntil.Local().Format("15:04"))
			}
			return fmt.Sprintf("Слишком много неверных PIN: вход заблокирован до %s или до разрешения менеджера", pe.LockedUntil.Local().Format("15:04"))
		}
		if en {
			return fmt.Sprintf("Wrong PIN: %d attempts left", pe.AttemptsRem)
		}
		return fmt.Sprintf("Неверный PIN: осталось попыток — %d", pe.AttemptsRem)
	}
	switch {
	case errors.Is(err, store.ErrUnknownCashier):
		return pick(en, "Unknown cashier", "Кассир не найден")
	case errors.Is(err, store.ErrInactive):
		return pick(en, "This cashier is deactivated", "Кассир отключён")
	case errors.Is(err, store.ErrWeakPIN):
		return pick(en, "A PIN is 4 to 8 digits", "PIN — от 4 до 8 цифр")
	case errors.Is(err, store.ErrLoginTaken):
		return pick(en, "This login is taken: choose another", "Этот логин уже занят: выберите другой")
	case errors.Is(err, store.ErrNoShift):
		return pick(en, "No shift is open: open a shift first", "Смена не открыта: сначала откройте смену")
	case errors.Is(err, store.ErrInUse):
		return pick(en, "PayDesk is already running with this database: close the other window or command first",
			"PayDesk уже работает с этой базой: сначала закройте другое окно или команду")
	case errors.Is(err, store.ErrShiftOpen):
		return pick(en, "A shift is already open", "Смена уже открыта")
	case errors.Is(err, store.ErrNotEnoughIn):
		return pick(en, "There is not that much cash in the drawer", "В кассе нет такой суммы")
	}
	return err.Error()
}

// gatewayHint says what to do about a refusal by its class.
func gatewayHint(ge *gateway.Error, en bool) string {
	if ge.Kind != gateway.KindRefused || ge.Op == "pay" || ge.Op == "status" {
		return ""
	}
	switch ge.Class() {
	case gateway.ClassFinal:
		return pick(en, " — check the number and amount with the payer", " — проверьте с плательщиком номер и сумму")
	case gateway.ClassConfig:
		return pick(en, " — call the administrator", " — обратитесь к администратору")
	case gateway.ClassRetry:
		return pick(en, " — try again in a few minutes", " — повторите через несколько минут")
	}
	return ""
}

func pick(en bool, e, r string) string {
	if en {
		return e
	}
	return r
}

// fiscalMessage is the device's message with what to do by its class.
func fiscalMessage(fe *fiscal.Error, en bool) string {
	var msg string
	switch {
	case fe.Code != 0:
		info := fe.Code.Info()
		msg = info.RU
		if en {
			msg = info.EN
		}
		msg = fmt.Sprintf("%s (%s %02Xh)", msg, pick(en, "device code", "код ККТ"), byte(fe.Code))
	case errors.Is(fe, fiscal.ErrOutcomeUnknown):
		msg = pick(en, "The register took the command but its answer was lost", "ККТ приняла команду, но ответ потерян")
	default:
		msg = pick(en, "The fiscal register does not answer", "ККТ не отвечает")
	}
	var hint string
	switch fe.Kind {
	case fiscal.KindOperator:
		hint = pick(en, "fix it and press Print again", "устраните и нажмите «Печать ещё раз»")
	case fiscal.KindZReport:
		hint = pick(en, "close the shift with a Z report", "закройте смену (Z-отчёт)")
	case fiscal.KindAdmin:
		hint = pick(en, "call the administrator", "обратитесь к администратору")
	case fiscal.KindLink:
		hint = pick(en, "check the register's cable and power; the receipt waits in the queue", "проверьте кабель и питание ККТ; чек ждёт в очереди")
	}
	if hint == "" {
		return msg
	}
	return msg + " — " + hint
}
