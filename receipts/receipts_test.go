package receipts

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"paydesk/fiscal"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	agent = Agent{PointName: "Салон связи «Волна»", Name: `ООО "Волна"`, INN: "7701234567", Address: "Москва, ул. Тверская, д. 1",
		Phone: "+74950000001", OperatorPhone: "+74950000002", Role: fiscal.PaymentSubagent, TaxSystem: fiscal.USNIncome}
	mts = Supplier{Name: `ПАО "МТС"`, INN: "7740000076", Phone: "+78000000003"}
	pay = Payment{ProviderName: "МТС", Mobile: true, PayerID: "9161234567", Session: "26112609300000ABCD12", TransID: "1000010856873",
		AuthCode: "54321", Amount: 500_00, Fee: 10_00, Total: 510_00, Time: time.Date(2026, 11, 26, 12, 30, 15, 0, time.UTC),
		Cashier: fiscal.Cashier{Name: "Кассир Иванова А.А.", INN: "500100732259"}, Completed: true}
)

func TestFiscalAgentReceipt(t *testing.T) {
	r := Fiscal(pay, agent, mts)
	require.Len(t, r.Lines, 2)
	l := r.Lines[0]
	assert.Equal(t, "Оплата связи МТС +79161234567", l.Name)
	assert.Equal(t, int64(500_00), l.Price)
	assert.Equal(t, int64(1_000_000), l.Quantity)
	assert.Equal(t, fiscal.NoVAT, l.Tax, "the accepted money is not subject to VAT")
	assert.Equal(t, fiscal.SubjectPayment, l.Subject, "1212 = 10 «ПЛАТЕЖ»")
	assert.Equal(t, fiscal.FullPayment, l.Method)
	assert.Equal(t, fiscal.PaymentSubagent, l.Agent, "1222")
	require.NotNil(t, l.Supplier)
	assert.Equal(t, `ПАО "МТС"`, l.Supplier.Name, "1225")
	assert.Equal(t, "7740000076", l.Supplier.INN, "1226")
	assert.Equal(t, []string{"+78000000003"}, l.Supplier.Phones, "1171 in 1224")

	fee := r.Lines[1]
	assert.Equal(t, fiscal.SubjectAgentFee, fee.Subject, "1212 = 11")
	assert.Equal(t, int64(10_00), fee.Price)
	assert.Zero(t, fee.Agent, "no agent tags on the agent's own fee")
	assert.Nil(t, fee.Supplier)

	require.NotNil(t, r.Agent)
	assert.Equal(t, fiscal.PaymentSubagent, r.Agent.Sign, "1057")
	assert.Equal(t, []string{"+74950000001"}, r.Agent.AgentPhones, "1073")
	assert.Equal(t, []string{"+74950000002"}, r.Agent.OperatorPhones, "1074")
	assert.Equal(t, []string{"+78000000003"}, r.SupplierPhones, "1171")
	assert.Equal(t, fiscal.USNIncome, r.TaxSystem)
	assert.Equal(t, int64(510_00), r.Payments.Cash)
	assert.Zero(t, r.Payments.Card)
	assert.Equal(t, int64(510_00), r.Total(), "receipt total = AMOUNT_ALL = cash")
	assert.Equal(t, "Кассир Иванова А.А.", r.Cashier.Name, "1021")
	tag, ok := fiscal.Find(r.Tags, 1084)
	require.True(t, ok)
	kids, err := tag.Children()
	require.NoError(t, err)
	assert.Equal(t, "Сессия/транзакция", kids[0].Text())
	assert.Equal(t, "26112609300000ABCD12/1000010856873", kids[1].Text())
	assert.True(t, Mentions(r.Tags, pay.Session))
}

// TestReference: the SESSION is on every receipt, with the TRANSID once
// known, and Mentions finds exactly that SESSION.
func TestReference(t *testing.T) {
	const sess = "26112609300000ABCD12"
	for _, tc := range []struct {
		name    string
		tags    []fiscal.Tag
		session string
		want    bool
	}{
		{"with TRANSID", []fiscal.Tag{Reference(sess, "1000010856873")}, sess, true},
		{"SESSION alone", []fiscal.Tag{Reference(sess, "")}, sess, true},
		{"another SESSION", []fiscal.Tag{Reference(sess, "1")}, "26112609300000ABCD13", false},
		{"a SESSION's prefix", []fiscal.Tag{Reference(sess, "")}, sess[:19], false},
		{"no 1084", []fiscal.Tag{fiscal.String(1008, sess)}, sess, false},
		{"1084 not a structure", []fiscal.Tag{{Num: 1084, Value: []byte{1}}}, sess, false},
		{"1084 without 1086", []fiscal.Tag{fiscal.Struct(1084, fiscal.String(1085, sess))}, sess, false},
		{"no SESSION asked", []fiscal.Tag{Reference("", "")}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Mentions(tc.tags, tc.session))
		})
	}
	// 1086 holds at most 256 characters; 1084 fits one FF0C command.
	assert.LessOrEqual(t, Reference(sess, "12345678901234567890").Len(), 250)
}

func TestFiscalVariants(t *testing.T) {
	p := pay
	p.Fee, p.Total, p.Card, p.TransID = 0, 500_00, true, ""
	p.Mobile, p.PayerID, p.ProviderName = false, "123456789012", "Ростелеком"
	a := agent
	a.Role, a.TaxSystem = 0, 0
	r := Fiscal(p, a, Supplier{})
	require.Len(t, r.Lines, 1, "no fee, no fee line")
	assert.Equal(t, "Оплата услуг Ростелеком л/с 123456789012", r.Lines[0].Name)
	assert.Nil(t, r.Lines[0].Supplier)
	assert.Equal(t, int64(500_00), r.Payments.Card)
	assert.Equal(t, fiscal.PaymentSubagent, r.Agent.Sign, "a dealer is a payment subagent unless configured")
	assert.Zero(t, r.TaxSystem, "no default tax system: the configuration names it, the registration is checked")
	assert.Equal(t, []fiscal.Tag{Reference(p.Session, "")}, r.Tags, "the SESSION alone before a TRANSID is known")
}

func TestSlip(t *testing.T) {
	for _, width := range []int{32, 42, 48} {
		lines := Slip(pay, agent, width)
		text := strings.Join(lines, "\n")
		for _, l := range lines {
			assert.LessOrEqual(t, utf8.RuneCountInString(l), width, "%q", l)
		}
		for _, want := range []string{"МТС", "+7 (916) 123-45-67", "500.00", "10.00", "510.00", "1000010856873", "54321",
			"26.11.2026 12:30:15", "Кассир Иванова А.А.", "ЗАЧИСЛЕН", "СОХРАНЯЙТЕ", "26112609300000ABCD12"} {
			assert.Contains(t, text, want, "width %d", width)
		}
	}
	p := pay
	p.Completed = false
	assert.Contains(t, strings.Join(Slip(p, agent, 32), "\n"), "ПРИНЯТ")
}

func TestLayout(t *testing.T) {
	r := Fiscal(pay, agent, mts)
	lines := Layout(r, fiscal.Result{FD: 123, FP: 4567890, Shift: 5, ReceiptNumber: 7, Time: pay.Time}, agent, 32)
	text := strings.Join(lines, "\n")
	for _, l := range lines {
		assert.LessOrEqual(t, utf8.RuneCountInString(l), 32, "%q", l)
	}
	for _, want := range []string{"КАССОВЫЙ ЧЕК", "ПРИХОД", "ПЛ. СУБАГЕНТ", "ПЛАТЕЖ", "АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ", "НДС не облагается",
		"ИНН ПОСТАВЩИКА:", "7740000076", "ИТОГ:", "=510.00", "НАЛИЧНЫМИ:", "ТЛФ. ПЛ. АГЕНТА:", "ТЛФ. ПОСТ.:", "ФД:", "123", "ФП:", "4567890"} {
		assert.Contains(t, text, want)
	}
}

func TestTextHelpers(t *testing.T) {
	assert.Equal(t, "+7 (916) 123-45-67", FormatPhone("9161234567"))
	assert.Equal(t, "12345", FormatPhone("12345"))
	assert.Equal(t, []string{"Итого:     1.00"}, Pair("Итого", "1.00", 15))
	assert.Equal(t, []string{"Длинная подпись:", "  значение"}, Pair("Длинная подпись", "значение", 10))
	assert.Equal(t, []string{"one two", "three", "abcdefghij", "kl"}, Wrap("one two three abcdefghijkl", 10))
	assert.Equal(t, "   abc", Center("abc", 9))
}

// TestReturn: the return receipt repeats the sale (lines, agent and
// supplier tags, payment kind, total, the SESSION) with the settlement sign
// «возврат прихода»; its slip says the money went back and why.
func TestReturn(t *testing.T) {
	for _, card := range []bool{false, true} {
		p := pay
		p.Card = card
		sale, ret := Fiscal(p, agent, mts), Return(p, agent, mts)
		assert.Equal(t, fiscal.SaleReturn, ret.Kind)
		assert.Equal(t, sale.Lines, ret.Lines)
		assert.Equal(t, sale.Agent, ret.Agent)
		assert.Equal(t, sale.Payments, ret.Payments)
		assert.Equal(t, sale.Total(), ret.Total())
		assert.Equal(t, sale.TaxSystem, ret.TaxSystem)
		assert.True(t, Mentions(ret.Tags, p.Session))
		assert.Equal(t, fiscal.Sale, sale.Kind, "the sale is left as it was")
	}
	text := strings.Join(Layout(Return(pay, agent, mts), fiscal.Result{FD: 124, FP: 1}, agent, 32), "\n")
	assert.Contains(t, text, "ВОЗВРАТ ПРИХОДА")
	for _, width := range []int{32, 48} {
		lines := ReturnSlip(pay, agent, "оператор отклонил платёж (ERROR 23)", width)
		for _, l := range lines {
			assert.LessOrEqual(t, utf8.RuneCountInString(l), width, "%q", l)
		}
		slip := strings.Join(lines, "\n")
		for _, want := range []string{"ВОЗВРАТ ПЛАТЕЖА", "510.00", "26112609300000ABCD12", "ERROR 23", "Кассир Иванова А.А."} {
			assert.Contains(t, slip, want)
		}
	}
}
