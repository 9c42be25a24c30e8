package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const billBank = "|PersonalAcc=40602810700000000025|BankName=ПАО Банк|BIC=049805746|CorrespAcc=30101810800000000746"

// TestScanBill: a bill's QR code typed by a scanner into the provider
// search or the number field, ended by Enter, chooses the provider and
// fills the account, the mapped fields and the sum; a code of a payee not
// in the catalogue says so and fills nothing.
func TestScanBill(t *testing.T) {
	good := "ST00012|Name=ГБУ ЕИРЦ" + billBank + "|Sum=245000|PayeeINN=7701090559|PersAcc=1234567890|PaymPeriod=112026"
	tests := []struct {
		name, into, code string
		refused          string
	}{
		{"into the search", "search", good, ""},
		{"into the number field of another provider", "number", good, ""},
		{"a payee not in the catalogue", "search", "ST00012|Name=ООО Водоканал" + billBank + "|PayeeINN=7707083893|PersAcc=1", "нет в каталоге"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, "ru")
			h.signIn("kassir", "1111")
			h.openShift()
			s := h.startPayment("mts", "", "")
			e := s.search
			if tt.into == "number" {
				e = s.number
			}
			test.Type(e, tt.code)
			if tt.into == "number" {
				assert.Equal(t, tt.code, s.number.Text, "not formatted away while it is typed")
			}
			e.OnSubmitted(e.Text)
			if tt.refused != "" {
				assert.Contains(t, s.result.Text, tt.refused)
				assert.Equal(t, "mts", s.prov.Code)
				return
			}
			require.Equal(t, "zhku", s.prov.Code)
			assert.Equal(t, "1234567890", s.number.Text)
			assert.Equal(t, "112026", s.fields.rows[0].entry.Text)
			assert.Equal(t, "2450.00", s.amount.Text)
			assert.Contains(t, s.result.Text, "Квитанция «ГБУ ЕИРЦ» прочитана")
			assert.False(t, s.check.Disabled(), "ready to check")
		})
	}
}
