package gateway

import (
	"errors"
	"fmt"
)

// Class says what a caller should do about a gateway ERROR code.
type Class int

// The classes of the error catalogue.
const (
	// Final: this transaction cannot succeed with the same data; do not repeat.
	Final Class = iota + 1
	// Config: a configuration or account problem that needs the administrator;
	// the payment was not made.
	Config
	// Retry: temporary; the same step may be repeated later.
	Retry
	// Status: the outcome must be established with a status request.
	Status
)

// String names the class.
func (c Class) String() string {
	switch c {
	case Final:
		return "final"
	case Config:
		return "configuration"
	case Retry:
		return "retry later"
	case Status:
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
		{0, Final, "Успешно", "Success"},
		{1, Status, "Сессия с таким номером уже существует", "A session with this number already exists"},
		{2, Config, "Неверный код дилера (SD)", "Invalid dealer code (SD)"},
		{3, Config, "Неверный код точки приёма (AP)", "Invalid acceptance point code (AP)"},
		{4, Config, "Неверный код оператора точки (OP)", "Invalid operator code (OP)"},
		{5, Final, "Неверный формат номера сессии", "Invalid SESSION format"},
		{6, Config, "Неверная электронная подпись: проверьте ключ и пароль", "Invalid signature: check the key and passphrase"},
		{7, Final, "Неверная сумма платежа или сумма вне допустимого диапазона", "Invalid amount or amount out of range"},
		{8, Final, "Неверный формат номера телефона", "Invalid phone number format"},
		{9, Final, "Неверный формат номера лицевого счёта", "Invalid account number format"},
		{10, Final, "Неверный формат запроса", "Invalid request format"},
		{11, Status, "Сессия с таким номером не существует", "Session does not exist"},
		{12, Config, "Запрос выполнен с незарегистрированного IP-адреса", "Request from an unregistered IP address"},
		{13, Config, "Точка не зарегистрирована у оператора услуг", "The point is not registered with the provider"},
		{15, Config, "Платежи этому оператору не поддерживаются системой", "Payments to this provider are not supported"},
		{17, Final, "Номер телефона не совпадает с указанным при проверке", "The phone number differs from the one checked"},
		{18, Final, "Сумма платежа не совпадает с указанной при проверке", "The amount differs from the one checked"},
		{19, Final, "Номер счёта не совпадает с указанным при проверке", "The account differs from the one checked"},
		{20, Status, "Платёж находится в процессе завершения", "The payment is being completed"},
		{21, Config, "Недостаточно средств на счёте дилера", "Insufficient dealer funds"},
		{22, Retry, "Платёж не принят: ошибка при переводе средств", "Payment not accepted: funds transfer error"},
		{23, Final, "Неверный номер телефона или счёта: оператор отклонил номер", "Invalid phone or account number: the provider rejected it"},
		{24, Retry, "Нет связи с сервером оператора услуг", "The provider's server cannot be reached"},
		{25, Retry, "Работа шлюза приостановлена", "The gateway is suspended"},
		{26, Config, "Платежи дилера временно заблокированы", "The dealer's payments are temporarily blocked"},
		{27, Config, "Операции со счётом приостановлены", "Account operations are suspended"},
		{30, Retry, "Общая ошибка системы", "General system error"},
		{31, Retry, "Слишком много одновременных запросов", "Too many concurrent requests"},
		{32, Status, "Такой же платёж уже принят в течение последнего часа", "The same payment was accepted within the last hour"},
		{33, Final, "Карты этого номинала отсутствуют", "Cards of this denomination are unavailable"},
		{34, Final, "Транзакция не найдена", "Transaction not found"},
		{35, Status, "Ошибка при изменении состояния платежа", "Error changing the payment state"},
		{36, Status, "Транзакция уже завершена или выполняется", "The transaction is already completed or in progress"},
		{37, Final, "Запрос направлен не на тот шлюз, что предыдущий шаг", "Request sent to a different gateway than the previous step"},
		{38, Final, "Между проверкой и платежом прошло больше часа", "More than an hour passed between check and payment"},
		{39, Config, "Неверный бухгалтерский счёт", "Invalid accounting account"},
		{40, Final, "Номинал карты не зарегистрирован", "Card denomination not registered"},
		{41, Retry, "Ошибка базы данных при сохранении платежа", "Database error saving the payment"},
		{42, Retry, "Ошибка базы данных при сохранении чека", "Database error saving the receipt"},
		{43, Retry, "Сессия входа недействительна или истекла", "Login session invalid or expired"},
		{44, Config, "Клиент не может работать на этом сервере", "The client cannot work on this server"},
		{45, Config, "Нет разрешения на приём платежей этому оператору", "No permission for this provider"},
		{46, Status, "Не удалось завершить ошибочный платёж", "Could not complete an erroneous payment"},
		{47, Retry, "Вне графика работы точки", "Outside the point's working hours"},
		{48, Retry, "Ошибка при сохранении данных сессии", "Error saving session data"},
		{49, Retry, "Ошибка при сохранении данных отказа", "Error saving refusal data"},
		{50, Retry, "Проведение платежей временно невозможно", "Payments are temporarily impossible"},
		{51, Final, "Данные не найдены", "Data not found"},
		{52, Config, "Возможно, дилер заблокирован", "The dealer may be blocked"},
		{53, Config, "Возможно, точка приёма заблокирована", "The acceptance point may be blocked"},
		{54, Config, "Возможно, оператор точки заблокирован", "The point operator may be blocked"},
		{55, Config, "Неверный тип дилера", "A dealer of another type is expected"},
		{56, Config, "Неверный тип точки приёма", "An acceptance point of another type is expected"},
		{57, Config, "Неверный тип оператора точки", "A point operator of another type is expected"},
		{71, Final, "Не указан срок действия карты", "Card expiry date missing"},
		{72, Final, "Номер карты и PIN должны быть уникальны", "Card number and PIN must be unique"},
		{81, Final, "Превышена максимальная сумма платежа для дилера", "Maximum payment amount for the dealer exceeded"},
		{82, Config, "Превышен дневной лимит списаний дилера", "Dealer's daily debit limit exceeded"},
		{83, Final, "Превышена максимальная сумма платежа для точки", "Maximum payment amount for the point exceeded"},
		{84, Config, "Превышен дневной лимит списаний точки", "Point's daily debit limit exceeded"},
		{85, Final, "Неверная общая сумма (AMOUNT_ALL) или она вне диапазона", "AMOUNT_ALL invalid or out of range"},
		{86, Retry, "Системная ошибка: неверный курс", "System error: invalid rate"},
		{87, Final, "Реквизиты получателя в чёрном списке", "Recipient details are blacklisted"},
		{134, Config, "Открытый ключ точки не найден: ключ не зарегистрирован", "The point's public key was not found: key not registered"},
		{135, Final, "Слишком много платежей по этим реквизитам за сегодня", "Too many payments to these details today"},
		{136, Final, "Превышена максимальная сумма для точки по группе операторов", "Point's maximum amount for this provider group exceeded"},
		{137, Config, "Превышен дневной лимит точки по группе операторов", "Point's daily debit for this provider group exceeded"},
		{164, Config, "Продукт шлюза не найден", "Gateway product not found"},
		{165, Config, "Продукт шлюза заблокирован", "Gateway product blocked"},
		{223, Final, "Договор клиента запрещает пополнение", "The client's contract forbids top-up"},
		{270, Final, "Платёж отклонён финансовым мониторингом", "Rejected by financial monitoring"},
		{271, Final, "Попытка мошенничества с использованием терминала", "Fraud attempt with a terminal device"},
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
	return Entry{Code: code, Class: Retry,
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
			return Status
		}
		return Lookup(e.Code).Class
	case KindNoAnswer:
		if e.Op == "pay" {
			return Status
		}
		return Retry
	case KindConfig:
		return Config
	}
	return Final
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
