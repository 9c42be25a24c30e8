package ui

import (
	"strings"
)

// billPrefix opens every bill's payment code (GOST R 56042-2014: ST0001
// and the encoding digit).
const billPrefix = "ST0001"

// isBill reports whether text is a bill's payment code, as a keyboard
// scanner types it into the focused field and ends it with Enter.
func isBill(text string) bool { return strings.HasPrefix(strings.TrimSpace(text), billPrefix) }

// mayBeBill reports whether text is the start of a bill's code being typed
// (no number starts with a letter S): the number field waits for Enter
// instead of formatting it away.
func mayBeBill(text string) bool {
	t := strings.TrimSpace(text)
	return t != "" && (strings.HasPrefix(billPrefix, t) || strings.HasPrefix(t, billPrefix))
}

// scanBill reads a bill's QR code: the provider by the payee's INN, its
// account, the fields the catalogue maps and the sum go into the form; the
// cashier checks them and goes on as with a typed payment.
func (s *payScreen) scanBill(text string) {
	if s.working {
		return
	}
	b, err := s.u.till.Bill(text)
	if err != nil {
		s.number.SetText("")
		s.result.SetText("✗ " + s.u.appMessage(err))
		s.update()
		return
	}
	s.choose(b.Provider)
	s.number.SetText(b.Number)
	s.fields.fill(b.Fields)
	if b.Amount > 0 {
		s.amount.SetText(b.Amount.String())
	}
	s.result.SetText("✓ " + s.u.T("pay.bill_read", "Payee", b.Payee, "Provider", s.u.nameOf(b.Provider)))
	s.update()
	s.u.win.Canvas().Focus(s.amount)
}
