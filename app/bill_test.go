package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/money"
)

// bank is a payee's bank details that pass the control keys (the Bank of
// Russia's worked example, procedure N 515 of 8 September 1997).
const bank = "|PersonalAcc=40602810700000000025|BankName=ПАО Банк|BIC=049805746|CorrespAcc=30101810800000000746"

// TestBill: a bill's QR code finds the provider by the payee's INN and
// fills the account, the fields the catalogue maps and the sum; a code
// that does not read or names no provider of the catalogue is refused in
// the user's language.
func TestBill(t *testing.T) {
	r := bootTraining(t, clock.Real{}, false)
	tests := []struct {
		name, code string
		provider   string
		number     string
		fields     map[string]string
		amount     money.Amount
		refused    string
	}{
		{"the single bill, its period mapped", "ST00012|Name=ГБУ ЕИРЦ" + bank + "|Sum=245000|PayeeINN=7701090559|PersAcc=1234567890|PaymPeriod=112026",
			"zhku", "1234567890", map[string]string{"period": "112026"}, 2450_00, ""},
		{"a one-account provider, no sum", "ST00012|Name=Мосэнергосбыт" + bank + "|PayeeINN=7736520080|PersAcc=0987654321",
			"mosenergo", "0987654321", nil, 0, ""},
		{"not a payment code", "hello", "", "", nil, 0, "QR-код квитанции не прочитан"},
		{"a payee not in the catalogue", "ST00012|Name=ООО Водоканал" + bank + "|PayeeINN=7707083893|PersAcc=1", "", "", nil, 0, "(ИНН 7707083893) нет в каталоге"},
		{"no payee INN", "ST00012|Name=ООО Водоканал" + bank + "|PersAcc=1", "", "", nil, 0, "нет ИНН получателя"},
		{"no account", "ST00012|Name=ГБУ ЕИРЦ" + bank + "|PayeeINN=7701090559", "", "", nil, 0, "нет лицевого счёта"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := r.Till.Bill(tt.code)
			if tt.refused != "" {
				require.Error(t, err)
				assert.Equal(t, KindInput, KindOf(err))
				assert.Contains(t, Message(err, "ru"), tt.refused)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.provider, b.Provider.Code)
			assert.Equal(t, tt.number, b.Number)
			assert.Equal(t, tt.fields, b.Fields)
			assert.Equal(t, tt.amount, b.Amount)
		})
	}
}
