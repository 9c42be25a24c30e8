package gateway

import (
	"errors"
	"fmt"
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

// Entry describes one ERROR code of the gateway.
type Entry struct {
	Code  int
	Class Class
	RU    string // the message in Russian
	EN    string // the message in English
}

// catalogue holds every ERROR code of the dealer protocol.
var catalogue = map[int]Entry{}

func init() {
	for _, e := range []Entry{
		{0, ClassFinal, "Успешно", "Success"},
		{1, ClassStatus, "Сессия с таким номером уже существует", "A session with this number already exists"},
		{2, ClassConfig, "Неверный код дилера (SD)", "Invalid dealer code (SD)"},
		{3, ClassConfig, "Неверный код точки приёма (AP)", "Invalid acceptance point code (AP)"},
		{4, ClassConfig, "Неверный код оператора точки (OP)", "Invalid operator code (OP)"},
		{5, ClassFinal, "Неверный формат номера сессии", "Invalid SESSION format"},
		{6, ClassConfig, "Неверная электронная подпись: проверьте ключ и пароль", "Invalid signature: check the key and passphrase"},
		{7, ClassFinal, "Неверная сумма платежа или сумма вне допустимого диапазона", "Invalid amount or amount out of range"},
		{8, ClassFinal, "Неверный формат номера телефона", "Invalid phone number format"},
		{9, ClassFinal, "Неверный формат номера лицевого счёта", "Invalid account number format"},
		{10, ClassFinal, "Неверный формат запроса", "Invalid request format"},
		{11, ClassStatus, "Сессия с таким номером не существует", "Session does not exist"},
		{12, ClassConfig, "Запрос выполнен с незарегистрированного IP-адреса", "Request from an unregistered IP address"},
		{13, ClassConfig, "Точка не зарегистрирована у оператора услуг", "The point is not registered with the provider"},
		{15, ClassConfig, "Платежи этому оператору не поддерживаются системой", "Payments to this provider are not supported"},
		{17, ClassFinal, "Номер телефона не совпадает с указанным при проверке", "The phone number differs from the one checked"},
		{18, ClassFinal, "Сумма платежа не совпадает с указанной при проверке", "The amount differs from the one checked"},
		{19, ClassFinal, "Номер счёта не совпадает с указанным при проверке", "The account differs from the one checked"},
		{20, ClassStatus, "Платёж находится в процессе завершения", "The payment is being completed"},
		{21, ClassConfig, "Недостаточно средств на счёте дилера", "Insufficient dealer funds"},
		{22, ClassRetry, "Платёж не принят: ошибка при переводе средств", "Payment not accepted: funds transfer error"},
		{23, ClassFinal, "Неверный номер телефона или счёта: оператор отклонил номер", "Invalid phone or account number: the provider rejected it"},
		{24, ClassRetry, "Нет связи с сервером оператора услуг", "The provider's server cannot be reached"},
		{25, ClassRetry, "Работа шлюза приостановлена", "The gateway is suspended"},
		{26, ClassConfig, "Платежи дилера временно заблокированы", "The dealer's payments are temporarily blocked"},
		{27, ClassConfig, "Операции со счётом приостановлены", "Account operations are suspended"},
		{30, ClassRetry, "Общая ошибка системы", "General system error"},
		{31, ClassRetry, "Слишком много одновременных запросов", "Too many concurrent requests"},
		{32, ClassStatus, "Такой же платёж уже принят в течение последнего часа", "The same payment was accepted within the last hour"},
		{33, ClassFinal, "Карты этого номинала отсутствуют", "Cards of this denomination are unavailable"},
		{34, ClassFinal, "Транзакция не найдена", "Transaction not found"},
		{35, ClassStatus, "Ошибка при изменении состояния платежа", "Error changing the payment state"},
		{36, ClassStatus, "Транзакция уже завершена или выполняется", "The transaction is already completed or in progress"},
		{37, ClassFinal, "Запрос направлен не на тот шлюз, что предыдущий шаг", "Request sent to a different gateway than the previous step"},
		{38, ClassFinal, "Между проверкой и платежом прошло больше часа", "More than an hour passed between check and payment"},
		{39, ClassConfig, "Неверный бухгалтерский счёт", "Invalid accounting account"},
		{40, ClassFinal, "Номинал карты не зарегистрирован", "Card denomination not registered"},
		{41, ClassRetry, "Ошибка базы данных при сохранении платежа", "Database error saving the payment"},
		{42, ClassRetry, "Ошибка базы данных при сохранении чека", "Database error saving the receipt"},
		{43, ClassRetry, "Сессия входа недействительна или истекла", "Login session invalid or expired"},
		{44, ClassConfig, "Клиент не может работать на этом сервере", "The client cannot work on this server"},
		{45, ClassConfig, "Нет разрешения на приём платежей этому оператору", "No permission for this provider"},
		{46, ClassStatus, "Не удалось завершить ошибочный платёж", "Could not complete an erroneous payment"},
		{47, ClassRetry, "Вне графика работы точки", "Outside the point's working hours"},
		{48, ClassRetry, "Ошибка при сохранении данных сессии", "Error saving session data"},
		{49, ClassRetry, "Ошибка при сохранении данных отказа", "Error saving refusal data"},
		{50, ClassRetry, "Проведение платежей временно невозможно", "Payments are temporarily impossible"},
		{51, ClassFinal, "Данные не найдены", "Data not found"},
		{52, ClassConfig, "Возможно, дилер заблокирован", "The dealer may be blocked"},
		{53, ClassConfig, "Возможно, точка приёма заблокирована", "The acceptance point may be blocked"},
		{54, ClassConfig, "Возможно, оператор точки заблокирован", "The point operator may be blocked"},
		{55, ClassConfig, "Неверный тип дилера", "A dealer of another type is expected"},
		{56, ClassConfig, "Неверный тип точки приёма", "An acceptance point of another type is expected"},
		{57, ClassConfig, "Неверный тип оператора точки", "A point operator of another type is expected"},
		{71, ClassFinal, "Не указан срок действия карты", "Card expiry date missing"},
		{72, ClassFinal, "Номер карты и PIN должны быть уникальны", "Card number and PIN must be unique"},
		{81, ClassFinal, "Превышена максимальная сумма платежа для дилера", "Maximum payment amount for the dealer exceeded"},
		{82, ClassConfig, "Превышен дневной лимит списаний дилера", "Dealer's daily debit limit exceeded"},
		{83, ClassFinal, "Превышена максимальная сумма платежа для точки", "Maximum payment amount for the point exceeded"},
		{84, ClassConfig, "Превышен дневной лимит списаний точки", "Point's daily debit limit exceeded"},
		{85, ClassFinal, "Неверная общая сумма (AMOUNT_ALL) или она вне диапазона", "AMOUNT_ALL invalid or out of range"},
		{86, ClassRetry, "Системная ошибка: неверный курс", "System error: invalid rate"},
		{87, ClassFinal, "Реквизиты получателя в чёрном списке", "Recipient details are blacklisted"},
		{134, ClassConfig, "Открытый ключ точки не найден: ключ не зарегистрирован", "The point's public key was not found: key not registered"},
		{135, ClassFinal, "Слишком много платежей по этим реквизитам за сегодня", "Too many payments to these details today"},
		{136, ClassFinal, "Превышена максимальная сумма для точки по группе операторов", "Point's maximum amount for this provider group exceeded"},
		{137, ClassConfig, "Превышен дневной лимит точки по группе операторов", "Point's daily debit for this provider group exceeded"},
		{164, ClassConfig, "Продукт шлюза не найден", "Gateway product not found"},
		{165, ClassConfig, "Продукт шлюза заблокирован", "Gateway product blocked"},
		{223, ClassFinal, "Договор клиента запрещает пополнение", "The client's contract forbids top-up"},
		{270, ClassFinal, "Платёж отклонён финансовым мониторингом", "Rejected by financial monitoring"},
		{271, ClassFinal, "Попытка мошенничества с использованием терминала", "Fraud attempt with a terminal device"},
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
	return Entry{Code: code, Class: ClassRetry,
		RU: fmt.Sprintf("Неизвестная ошибка платёжной системы (код %d)", code),
		EN: fmt.Sprintf("Unknown payment network error (code %d)", code)}
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
	// is not success. Code holds the ERROR.
	KindRefused Kind = iota + 1
	// KindNoAnswer: no trustworthy answer (transport failure, timeout, HTTP
	// error, unsigned, wrongly signed or malformed answer, another SESSION
	// echoed). For pay this means the outcome is unknown.
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
	Msg     string // for KindInput and KindConfig: the message in English
	MsgRU   string // and in Russian
	Err     error  // the underlying cause
}

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
		s += ": " + Lookup(e.Code).EN
	default:
		s += ": " + e.Kind.String()
		if e.Msg != "" {
			s += ": " + e.Msg
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
// refusal is resolved through status.
func (e *Error) Class() Class {
	switch e.Kind {
	case KindRefused:
		if e.Op == "pay" {
			return ClassStatus
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

// Message returns the human message in the language ("ru" or "en").
func (e *Error) Message(lang string) string {
	switch e.Kind {
	case KindRefused:
		if lang == "en" {
			return Lookup(e.Code).EN
		}
		return Lookup(e.Code).RU
	case KindNoAnswer:
		if lang == "en" {
			if e.Op == "pay" {
				return "No trustworthy answer to the payment: its outcome is being checked, do not repeat it"
			}
			return "No trustworthy answer from the payment network; try again"
		}
		if e.Op == "pay" {
			return "Нет достоверного ответа на платёж: результат проверяется, не повторяйте платёж"
		}
		return "Нет достоверного ответа от платёжной системы; повторите попытку"
	}
	if lang == "en" || e.MsgRU == "" {
		return e.Msg
	}
	return e.MsgRU
}

// KindOf returns the kind of a gateway error, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
