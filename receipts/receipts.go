// Package receipts makes what a payment puts on paper: the fiscal receipt of
// a payment agent (54-FZ tags 1057, 1073, 1074, 1171 at receipt level; 1222,
// 1224, 1226, subject 10 «ПЛАТЕЖ» and no VAT on the payment line; the
// point's fee as its own line with subject 11), the non-fiscal slip with the
// network's transaction data, and their layout for the device's line width.
package receipts

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"paydesk/fiscal"
	"paydesk/money"
)

// Agent is the point as a payment agent: who it is and how it settles.
type Agent struct {
	PointName     string // the shop, printed at the top of the slip
	Name          string // the legal entity
	INN           string
	Address       string
	Phone         string           // tag 1073, +7...
	OperatorPhone string           // tag 1074: the payment network's phone (ours when we are the agent)
	Role          fiscal.AgentSign // 1057: PaymentSubagent (usual dealer) or PaymentAgent
	TaxSystem     fiscal.TaxSystem // 1055
	FeeTax        fiscal.Tax       // tax of the point's fee line; NoVAT unless the agent pays VAT
}

// Supplier is the provider as the receipt names it.
type Supplier struct {
	Name  string
	INN   string
	Phone string
}

// Payment is what a receipt says about one payment.
type Payment struct {
	ProviderName string
	Mobile       bool   // the payer id is a phone number
	PayerID      string // normalised: 10 digits for a mobile
	// LookupURL is the hub's page of this payment, where the payer checks
	// it ("" without a hub).
	LookupURL string
	// Details are the other fields a provider described field by field
	// was paid with (the period, the service, a meter reading), printed
	// under the payer's account in this order.
	Details  []Detail
	Session  string
	TransID  string
	AuthCode string
	Amount   money.Amount // credited
	Fee      money.Amount // the point's fee, paid by the payer
	Total    money.Amount // taken
	Card     bool         // paid by card, else cash
	// Buyer is the payer's phone or e-mail (tag 1008): the OFD sends the
	// receipt there too.
	Buyer   string
	Time    time.Time
	Cashier fiscal.Cashier
	// Completed is true when the network reported the payment credited
	// (status 7), false when it was accepted and is still processing.
	Completed bool
}

// Detail is one field of a payment as a receipt names it.
type Detail struct {
	Name, Value string
}

// FormatPhone writes a 10-digit Russian mobile number as +7 (916) 123-45-67;
// anything else comes back unchanged.
func FormatPhone(id string) string {
	if len(id) != 10 || strings.Trim(id, "0123456789") != "" {
		return id
	}
	return fmt.Sprintf("+7 (%s) %s-%s-%s", id[0:3], id[3:6], id[6:8], id[8:10])
}

// payerText is the payer id as a receipt line names it.
func payerText(p Payment) string {
	if p.Mobile && len(p.PayerID) == 10 {
		return "+7" + p.PayerID
	}
	return "л/с " + p.PayerID
}

// Fiscal builds the fiscal receipt of a payment.
func Fiscal(p Payment, a Agent, s Supplier) fiscal.Receipt {
	role := a.Role
	if role == 0 {
		role = fiscal.PaymentSubagent
	}
	what := "Оплата услуг "
	if p.Mobile {
		what = "Оплата связи "
	}
	name := clip(what+p.ProviderName+" "+payerText(p), 128)
	var supplier *fiscal.Supplier
	if s.Name != "" || s.INN != "" {
		supplier = &fiscal.Supplier{Name: s.Name, INN: s.INN}
		if s.Phone != "" {
			supplier.Phones = []string{s.Phone}
		}
	}
	lines := []fiscal.Line{{
		Name: name, Price: int64(p.Amount), Quantity: 1_000_000, Tax: fiscal.NoVAT,
		Method: fiscal.FullPayment, Subject: fiscal.SubjectPayment, Department: 1,
		Agent: role, Supplier: supplier,
	}}
	if p.Fee > 0 {
		tax := a.FeeTax
		if tax == 0 {
			tax = fiscal.NoVAT
		}
		lines = append(lines, fiscal.Line{
			Name: "Вознаграждение платежного агента", Price: int64(p.Fee), Quantity: 1_000_000, Tax: tax,
			Method: fiscal.FullPayment, Subject: fiscal.SubjectAgentFee, Department: 1,
		})
	}
	r := fiscal.Receipt{
		Kind:      fiscal.Sale,
		Lines:     lines,
		TaxSystem: a.TaxSystem,
		Agent:     &fiscal.Agent{Sign: role},
		Cashier:   p.Cashier,
	}
	if a.Phone != "" {
		r.Agent.AgentPhones = []string{a.Phone}
	}
	if a.OperatorPhone != "" {
		r.Agent.OperatorPhones = []string{a.OperatorPhone}
	}
	if s.Phone != "" {
		r.SupplierPhones = []string{s.Phone}
	}
	if p.Card {
		r.Payments.Card = int64(p.Total)
	} else {
		r.Payments.Cash = int64(p.Total)
	}
	if p.Buyer != "" {
		r.Tags = append(r.Tags, fiscal.String(1008, p.Buyer))
	}
	r.Tags = append(r.Tags, Reference(p.Session, p.TransID))
	return r
}

// Return is the return receipt («ВОЗВРАТ ПРИХОДА», tag 1054 = 2) of a
// payment whose sale receipt was made and whose money goes back: the same
// lines, agent and supplier tags, payment kind and total as the sale
// (receipt-54fz.md §11).
func Return(p Payment, a Agent, s Supplier) fiscal.Receipt {
	r := Fiscal(p, a, s)
	r.Kind = fiscal.SaleReturn
	return r
}

// kindNames are the settlement signs as a receipt prints them.
var kindNames = map[fiscal.ReceiptKind]string{
	0: "ПРИХОД", fiscal.Sale: "ПРИХОД", fiscal.SaleReturn: "ВОЗВРАТ ПРИХОДА",
	fiscal.Buy: "РАСХОД", fiscal.BuyReturn: "ВОЗВРАТ РАСХОДА",
}

// ReturnSlip lays out the non-fiscal slip given with a return receipt: the
// payment, that its money went back, and why (the network's words).
func ReturnSlip(p Payment, a Agent, why string, width int) []string {
	if width < 24 {
		width = 24
	}
	var out []string
	add := func(lines ...string) { out = append(out, lines...) }
	if a.PointName != "" {
		add(Center(a.PointName, width))
	}
	add(Center("ВОЗВРАТ ПЛАТЕЖА", width), strings.Repeat("-", width))
	add(payerLines(p, width)...)
	add(Pair("Возвращено", p.Total.String(), width)...)
	add(Pair("Сессия", p.Session, width)...)
	if p.TransID != "" {
		add(Pair("Транзакция", p.TransID, width)...)
	}
	add(Pair("Дата", p.Time.Format("02.01.2006 15:04:05"), width)...)
	add(strings.Repeat("-", width))
	add(Wrap("Платёж не зачислен: "+why, width)...)
	add(Wrap("Кассир: "+p.Cashier.Name, width)...)
	return out
}

// CashSlip lays out the non-fiscal document of a cash operation made on
// a register without cash in/out commands: in (ВНЕСЕНИЕ) or out
// (ВЫПЛАТА), the amount, when, who, and that the books hold it.
func CashSlip(out bool, amount money.Amount, cashier string, when time.Time, a Agent, width int) []string {
	if width < 24 {
		width = 24
	}
	title := "ВНЕСЕНИЕ НАЛИЧНЫХ"
	if out {
		title = "ВЫПЛАТА НАЛИЧНЫХ"
	}
	var lines []string
	if a.PointName != "" {
		lines = append(lines, Center(a.PointName, width))
	}
	lines = append(lines, Center(title, width), strings.Repeat("-", width))
	lines = append(lines, Pair("Сумма", amount.String(), width)...)
	lines = append(lines, Pair("Дата", when.Format("02.01.2006 15:04:05"), width)...)
	lines = append(lines, Wrap("Кассир: "+cashier, width)...)
	lines = append(lines, strings.Repeat("-", width))
	return append(lines, Wrap("НЕФИСКАЛЬНЫЙ ДОКУМЕНТ: ККТ не регистрирует внесение и выплату, операция записана в книге кассы", width)...)
}

// Reference is the receipt's tag 1084 {1085, 1086}: it ties the fiscal
// document to the payment's SESSION and, once known, the network's
// TRANSID, so that the fiscal drive itself can tell whether a payment's
// receipt was made (see Mentions).
func Reference(session, transID string) fiscal.Tag {
	name, value := "Сессия", session
	if transID != "" {
		name, value = "Сессия/транзакция", session+"/"+transID
	}
	return fiscal.Struct(1084, fiscal.String(1085, name), fiscal.String(1086, value))
}

// Mentions reports whether a fiscal document's tags, as read back from the
// fiscal drive, carry the payment's SESSION in their 1084.
func Mentions(tags []fiscal.Tag, session string) bool {
	if session == "" {
		return false
	}
	ref, ok := fiscal.Find(tags, 1084)
	if !ok {
		return false
	}
	kids, err := ref.Children()
	if err != nil {
		return false
	}
	v, ok := fiscal.Find(kids, 1086)
	if !ok {
		return false
	}
	text := v.Text()
	return text == session || strings.HasPrefix(text, session+"/")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// LookupTitle is the slip's line before the payment's look-up address
// (Payment.LookupURL): a register that prints QR codes prints the
// address's code after it.
const LookupTitle = "Проверить платёж:"

// Slip lays out the non-fiscal slip of a payment for a line width.
func Slip(p Payment, a Agent, width int) []string {
	if width < 24 {
		width = 24
	}
	var out []string
	add := func(lines ...string) { out = append(out, lines...) }
	if a.PointName != "" {
		add(Center(a.PointName, width))
	}
	if a.Name != "" {
		add(Wrap(a.Name, width)...)
	}
	if a.Address != "" {
		add(Wrap(a.Address, width)...)
	}
	if a.INN != "" {
		add(Pair("ИНН", a.INN, width)...)
	}
	add(Center("КВИТАНЦИЯ ОБ ОПЛАТЕ", width), strings.Repeat("-", width))
	add(payerLines(p, width)...)
	add(Pair("Сумма", p.Amount.String(), width)...)
	add(Pair("Комиссия", p.Fee.String(), width)...)
	add(Pair("Итого", p.Total.String(), width)...)
	pay := "наличные"
	if p.Card {
		pay = "карта"
	}
	add(Pair("Оплата", pay, width)...)
	add(strings.Repeat("-", width))
	add(Pair("Сессия", p.Session, width)...)
	if p.TransID != "" {
		add(Pair("Транзакция", p.TransID, width)...)
	}
	if p.AuthCode != "" {
		add(Pair("Код авторизации", p.AuthCode, width)...)
	}
	state := "ПРИНЯТ"
	if p.Completed {
		state = "ЗАЧИСЛЕН"
	}
	add(Pair("Статус", state, width)...)
	add(Pair("Дата", p.Time.Format("02.01.2006 15:04:05"), width)...)
	add(Wrap("Кассир: "+p.Cashier.Name, width)...)
	add(strings.Repeat("-", width))
	add(Wrap("СОХРАНЯЙТЕ КВИТАНЦИЮ ДО ЗАЧИСЛЕНИЯ ПЛАТЕЖА", width)...)
	if p.LookupURL != "" {
		add(Wrap(LookupTitle, width)...)
		for u := p.LookupURL; u != ""; {
			n := min(len(u), width) // the address is ASCII: split where the line ends
			add(u[:n])
			u = u[n:]
		}
	}
	return out
}

// payerLines name the provider and the payer's number or account.
func payerLines(p Payment, width int) []string {
	out := Pair("Оператор", p.ProviderName, width)
	if p.Mobile {
		return append(out, Pair("Телефон", FormatPhone(p.PayerID), width)...)
	}
	out = append(out, Pair("Лицевой счёт", p.PayerID, width)...)
	for _, d := range p.Details {
		out = append(out, Pair(d.Name, d.Value, width)...)
	}
	return out
}

// Pair writes "label: value" with the value flush right; a value too long
// for the line goes on a line of its own, flush right.
func Pair(label, value string, width int) []string {
	l, v := utf8.RuneCountInString(label)+1, utf8.RuneCountInString(value)
	if l+1+v <= width {
		return []string{label + ":" + strings.Repeat(" ", width-l-v) + value}
	}
	return []string{label + ":", strings.Repeat(" ", max(0, width-v)) + clip(value, width)}
}

// Center centres s in width.
func Center(s string, width int) string {
	n := utf8.RuneCountInString(s)
	if n >= width {
		return clip(s, width)
	}
	return strings.Repeat(" ", (width-n)/2) + s
}

// Wrap breaks text into lines of at most width, at spaces where it can.
func Wrap(text string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(text) {
		for utf8.RuneCountInString(w) > width {
			if line != "" {
				out, line = append(out, line), ""
			}
			out = append(out, string([]rune(w)[:width]))
			w = string([]rune(w)[width:])
		}
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= width:
			line += " " + w
		default:
			out, line = append(out, line), w
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// Layout renders a fiscal receipt as the device prints it, for the history
// screen: lines, sums, agent data, totals and the fiscal data of the result.
func Layout(r fiscal.Receipt, res fiscal.Result, a Agent, width int) []string {
	if width < 24 {
		width = 24
	}
	var out []string
	add := func(lines ...string) { out = append(out, lines...) }
	if a.Name != "" {
		add(Wrap(a.Name, width)...)
	}
	if a.Address != "" {
		add(Wrap(a.Address, width)...)
	}
	if c := r.Correction; c != nil {
		add(Center("КАССОВЫЙ ЧЕК КОРРЕКЦИИ", width), Center(kindNames[r.Kind], width))
		kind := "САМОСТОЯТЕЛЬНО"
		if c.Order != "" {
			kind = "ПО ПРЕДПИСАНИЮ " + c.Order
		}
		add(Pair("ТИП КОРРЕКЦИИ", kind, width)...)
		add(Pair("ДАТА РАСЧЕТА", c.Date.Local().Format("02.01.2006"), width)...)
	} else {
		add(Center("КАССОВЫЙ ЧЕК", width), Center(kindNames[r.Kind], width))
	}
	for i, l := range r.Lines {
		add(Wrap(fmt.Sprintf("%d. %s", i+1, l.Name), width)...)
		add(Pair(fmt.Sprintf("1 x %s", money.Amount(l.Price)), "="+money.Amount(l.Sum()).String(), width)...)
		if l.Agent != 0 {
			add(agentCaption(l.Agent))
		}
		if l.Subject == fiscal.SubjectPayment {
			add("ПЛАТЕЖ")
		} else if l.Subject == fiscal.SubjectAgentFee {
			add("АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ")
		}
		add("НДС не облагается")
		if l.Supplier != nil {
			if l.Supplier.Name != "" {
				add(Wrap("ПОСТАВЩИК: "+l.Supplier.Name, width)...)
			}
			if l.Supplier.INN != "" {
				add(Pair("ИНН ПОСТАВЩИКА", l.Supplier.INN, width)...)
			}
		}
	}
	add(strings.Repeat("=", width))
	add(Pair("ИТОГ", "="+money.Amount(r.Total()).String(), width)...)
	if r.Payments.Cash > 0 {
		add(Pair("НАЛИЧНЫМИ", "="+money.Amount(r.Payments.Cash).String(), width)...)
	}
	if r.Payments.Card > 0 {
		add(Pair("БЕЗНАЛИЧНЫМИ", "="+money.Amount(r.Payments.Card).String(), width)...)
	}
	add(Pair("СУММА БЕЗ НДС", "="+money.Amount(r.Total()).String(), width)...)
	if r.Agent != nil {
		add(agentCaption(r.Agent.Sign))
		for _, ph := range r.Agent.AgentPhones {
			add(Pair("ТЛФ. ПЛ. АГЕНТА", ph, width)...)
		}
		for _, ph := range r.Agent.OperatorPhones {
			add(Pair("ТЛФ. ОП. ПР. ПЛАТЕЖА", ph, width)...)
		}
	}
	for _, ph := range r.SupplierPhones {
		add(Pair("ТЛФ. ПОСТ.", ph, width)...)
	}
	if r.Cashier.Name != "" {
		add(Wrap("КАССИР: "+r.Cashier.Name, width)...)
	}
	if !res.Time.IsZero() {
		add(Pair("ДАТА", res.Time.Format("02.01.06 15:04"), width)...)
	}
	if res.FD != 0 {
		add(Pair("СМЕНА", fmt.Sprint(res.Shift), width)...)
		add(Pair("ЧЕК", fmt.Sprint(res.ReceiptNumber), width)...)
		add(Pair("ФД", fmt.Sprint(res.FD), width)...)
		add(Pair("ФП", fmt.Sprint(res.FP), width)...)
	}
	return out
}

func agentCaption(s fiscal.AgentSign) string {
	if s == fiscal.PaymentAgent {
		return "ПЛ. АГЕНТ"
	}
	return "ПЛ. СУБАГЕНТ"
}
