package training

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/world"
	"paydesk/fiscal"
	_ "paydesk/fiscal/atol"
	"paydesk/money"
)

// TestATOLWorld: Setup.Driver "atol" runs an ATOL register, registered for
// the setup's agent, that the ATOL driver opens at the world's port; its
// journal is what the reconciliation reads; a restarted world finds the
// same register.
func TestATOLWorld(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	setup := world.Setup{Dir: dir, Driver: ATOLDriver, INN: "7701234567", Agent: fiscal.PaymentSubagent, TaxSystem: fiscal.USNIncome}
	for _, tcp := range []bool{false, true} {
		setup.EmulatorTCP = tcp
		ww, err := Start(ctx, setup)
		require.NoError(t, err)
		w := Of(ww)
		require.NotNil(t, w.ATOL)
		assert.Nil(t, w.Emulator)
		reg, err := fiscal.Open(ATOLDriver, fiscal.Config{Port: w.Port(), MaxAnswerTimeout: 5 * time.Second})
		require.NoError(t, err)
		in, err := reg.Info(ctx)
		require.NoError(t, err)
		assert.Equal(t, "7701234567", in.Registration.INN)
		assert.NotZero(t, in.Registration.Agent&fiscal.PaymentSubagent)
		assert.NotZero(t, in.Registration.TaxSystems&fiscal.USNIncome)

		st, err := reg.Status(ctx)
		require.NoError(t, err)
		if !st.ShiftOpen {
			require.NoError(t, reg.OpenShift(ctx, fiscal.Cashier{Name: "Кассир Иванова А.А."}))
			_, err = reg.CashIn(ctx, fiscal.Cashier{}, 500_00)
			require.NoError(t, err)
		}
		rc := fiscal.Receipt{Lines: []fiscal.Line{{Name: "Платеж", Price: 100_00, Quantity: 1_000_000, Tax: fiscal.NoVAT,
			Subject: fiscal.SubjectPayment, Agent: fiscal.PaymentSubagent, Supplier: &fiscal.Supplier{Name: "ПАО МТС", INN: "7740000076"}}},
			Payments: fiscal.Payments{Cash: 100_00}, TaxSystem: fiscal.USNIncome}
		_, err = reg.Fiscalize(ctx, rc)
		require.NoError(t, err)
		rc.Kind = fiscal.SaleReturn
		_, err = reg.Fiscalize(ctx, rc)
		require.NoError(t, err)
		require.NoError(t, reg.Close())

		docs, err := w.Documents()
		require.NoError(t, err)
		var kinds []fiscal.ReceiptKind
		for _, d := range docs {
			if d.Type.IsReceipt() {
				kinds = append(kinds, d.Kind)
			}
		}
		assert.Equal(t, money.Amount(500_00), w.drawer(), "a sale and its return leave the float")
		require.NoError(t, ww.Close())
		if !tcp {
			assert.Equal(t, []fiscal.ReceiptKind{fiscal.Sale, fiscal.SaleReturn}, kinds)
		} else {
			assert.Equal(t, []fiscal.ReceiptKind{fiscal.Sale, fiscal.SaleReturn, fiscal.Sale, fiscal.SaleReturn}, kinds,
				"the restarted world is the same register")
		}
	}
}
