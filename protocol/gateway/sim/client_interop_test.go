package sim

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/money"
	"paydesk/protocol/gateway"
)

func TestInteropLeadClient(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.StatusDelay = 0 })
	cl, err := gateway.New(gateway.Config{SD: TrainingSD, AP: TrainingAP, OP: TrainingOP, Key: tk.Dealer,
		Bank: tk.Bank.Public(), BalanceURL: e.balanceURL(), HTTP: e.srv.Client(), Clock: e.clk})
	require.NoError(t, err)
	ctx := context.Background()
	for _, code := range []string{"mts", "beeline", "rostelecom", "tricolor", "mosenergo", "ntvplus", "domru"} {
		p := e.provider(code)
		id := "9161234567"
		if p.Field == "ACCOUNT" {
			id = map[string]string{"rostelecom": "123456789012", "tricolor": "12345678901234", "mosenergo": "1234567890", "ntvplus": "1234567", "domru": "123456"}[code]
		}
		s := newSession()
		a, err := cl.CheckNumber(ctx, gateway.Payment{Provider: p, Session: newSession(), ID: id})
		require.NoError(t, err)
		assert.True(t, a.OK())
		pay := gateway.Payment{Provider: p, Session: s, ID: id, Amount: p.Min + 100_00, Total: p.Min + 103_00, Comment: "Тест"}
		a, err = cl.Check(ctx, pay)
		require.NoError(t, err, code)
		t.Log(a.OpName, a.AddInfo, a.Rest)
		a, err = cl.Pay(ctx, pay)
		require.NoError(t, err)
		a, err = cl.Status(ctx, p, s, a.TransID)
		require.NoError(t, err)
		assert.Equal(t, gateway.Paid, gateway.StatusOutcome(a))
		_, err = cl.Pay(ctx, pay)
		assert.Equal(t, gateway.KindRefused, gateway.KindOf(err))
	}
	a, err := cl.Balance(ctx, newSession())
	require.NoError(t, err)
	t.Log(a.Rest)
	assert.Less(t, a.Rest, money.Amount(startBalance))
	p := e.provider("mts")
	for _, n := range []string{"9000000502", "9000000503", "9000000504", "9000000505"} {
		s := newSession()
		pay := gateway.Payment{Provider: p, Session: s, ID: n, Amount: 100_00}
		_, err = cl.Check(ctx, pay)
		require.NoError(t, err)
		_, err = cl.Pay(ctx, pay)
		assert.Equal(t, gateway.KindNoAnswer, gateway.KindOf(err), "%v", err)
		o, _, err := cl.Settle(ctx, p, s, "", nil)
		require.NoError(t, err)
		assert.Equal(t, gateway.Paid, o)
		assert.Equal(t, 1, e.sim.Committed(s))
	}
	s := newSession()
	pay := gateway.Payment{Provider: p, Session: s, ID: "9000000500", Amount: 100_00}
	_, err = cl.Check(ctx, pay)
	require.NoError(t, err)
	_, err = cl.Pay(ctx, pay)
	assert.Equal(t, gateway.KindNoAnswer, gateway.KindOf(err), "%v", err)
	o, _, err := cl.Settle(ctx, p, s, "", nil)
	require.NoError(t, err)
	assert.Equal(t, gateway.NotPaid, o)
}
