package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPaymentFields: what the cashier typed for a described provider is
// kept as typed at entry and never changed by a later step; the schedule's
// rules are kept as the quote set them.
func TestPaymentFields(t *testing.T) {
	s, _ := newStore(t)
	c, _, _ := seed(t, s)
	tests := []struct {
		name   string
		fields map[string]string
	}{
		{"none", nil},
		{"several", map[string]string{"account": "1234567890", "period": "112026", "service": "2", "meter": "123.5"}},
		{"cyrillic and quotes", map[string]string{"fio": `Иванов "И.И."`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Payment{CashierID: c.ID, ProviderCode: "zhku", ProviderName: "ЖКУ", PayerID: "1234567890",
				Fields: tt.fields}
			require.NoError(t, s.CreatePayment(ctx, "anna", p))
			got, err := s.PaymentBySession(ctx, p.Session)
			require.NoError(t, err)
			assert.Equal(t, tt.fields, got.Fields)

			got.Fields = map[string]string{"account": "0000000000"} // a step cannot retype them
			got.Amount, got.Total, got.FeeRule, got.CommissionRule = 500_00, 510_00, "ЖКУ: 2%, мин. 10,00", "все: 3%"
			require.NoError(t, s.UpdatePayment(ctx, "anna", "checked", got))
			again, err := s.PaymentBySession(ctx, p.Session)
			require.NoError(t, err)
			assert.Equal(t, tt.fields, again.Fields)
			assert.Equal(t, "ЖКУ: 2%, мин. 10,00", again.FeeRule)
			assert.Equal(t, "все: 3%", again.CommissionRule)
		})
	}
}
