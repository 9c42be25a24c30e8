package app

import (
	"cmp"
	"errors"

	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/qr"
)

// Bill is a bill's payment QR code (GOST R 56042-2014) read for a
// payment: the provider it pays, what it fills in, the sum.
type Bill struct {
	Provider *gateway.Provider
	// Number is the main field's value (the payer's account with the
	// payee, PersAcc, unless the catalogue maps another key).
	Number string
	// Fields are the other fields the code fills, by field id.
	Fields map[string]string
	// Amount is the code's Sum; 0 when it has none.
	Amount money.Amount
	Payee  string // the payee's name, as the code gives it
}

// Bill reads a bill's QR code as a keyboard scanner typed it and finds the
// provider of the catalogue whose supplier has the payee's INN. Nothing is
// stored: the cashier goes on as with a typed payment.
func (t *Till) Bill(text string) (Bill, error) {
	const op = "bill"
	q, err := qr.ParseText(text)
	if err != nil {
		var why i18n.Msg
		var qe *qr.Error
		if errors.As(err, &qe) {
			why = qe.Msg()
		}
		return Bill{}, fail(op, KindInput, i18n.M("app.bill_bad", "why", why), err)
	}
	inn := q.Get("PayeeINN")
	if inn == "" {
		return Bill{}, fail(op, KindInput, i18n.M("app.bill_no_inn", "payee", q.Name), nil)
	}
	var found []*gateway.Provider
	if t.d.Network != nil {
		for _, p := range t.d.Network.Providers().Providers {
			if p.Supplier.INN == inn {
				found = append(found, p)
			}
		}
	}
	switch len(found) {
	case 0:
		return Bill{}, fail(op, KindInput, i18n.M("app.bill_no_provider", "payee", q.Name, "inn", inn), nil)
	case 1:
	default:
		return Bill{}, fail(op, KindInput, i18n.M("app.bill_many", "payee", q.Name, "inn", inn, "n", len(found)), nil)
	}
	p := found[0]
	b := Bill{Provider: p, Amount: q.Sum, Payee: q.Name}
	main := cmp.Or(p.Main(), "number")
	b.Number = q.Get(cmp.Or(p.QR[main], "PersAcc"))
	for id, key := range p.QR {
		if id == main {
			continue
		}
		if v := q.Get(key); v != "" {
			if b.Fields == nil {
				b.Fields = map[string]string{}
			}
			b.Fields[id] = v
		}
	}
	if b.Number == "" {
		return Bill{}, fail(op, KindInput, i18n.M("app.bill_no_account", "payee", q.Name), nil)
	}
	return b, nil
}
