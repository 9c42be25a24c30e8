package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway/sim"
	"paydesk/store"
)

// TestLimitsRefuseBeforeCheck: a payment the network's balance or limits
// cannot cover is refused before its check goes out, naming the limit;
// the balance known is lowered by each payment accepted; what the limits
// leave passes.
func TestLimitsRefuseBeforeCheck(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	require.NoError(t, r.Sim.SetBalance(10000_00))
	r.Sim.SetLimits(3000_00, 6000_00)
	l, err := r.Till.Limits(ctx)
	require.NoError(t, err)
	assert.Equal(t, money.Amount(10000_00), l.Rest)
	assert.True(t, l.HasPerPayment)
	assert.Equal(t, money.Amount(3000_00), l.PerPayment)
	assert.Equal(t, money.Amount(6000_00), l.Daily)

	pay := func(id string, amount money.Amount) (*store.Payment, error) {
		p, err := r.Till.Start(ctx, r.kassir, "mts", id)
		require.NoError(t, err)
		checks := r.Sim.Requests(sim.OpCheck)
		p, err = r.Till.Check(ctx, r.kassir, p, amount, Cash)
		if err != nil {
			assert.Equal(t, checks, r.Sim.Requests(sim.OpCheck), "refused before the check went out")
			return p, err
		}
		return r.Till.Confirm(ctx, r.kassir, p)
	}
	tests := []struct {
		name   string
		id     string
		amount money.Amount
		want   string // the refusal's words; "": paid
	}{
		{"over the limit on one payment", "9161000001", 3500_00, "больше лимита точки на один платёж (3000.00 ₽)"},
		{"within every limit", "9161000002", 3000_00, ""},
		{"another", "9161000003", 2500_00, ""},
		{"over what is left of the day", "9161000004", 1000_00, "от дневного лимита точки (6000.00 ₽) сегодня осталось 500.00 ₽"},
		{"what is left of the day", "9161000005", 500_00, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := pay(tt.id, tt.amount)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, store.StatePaid, p.State)
				return
			}
			require.Error(t, err)
			assert.Equal(t, KindRefused, KindOf(err))
			assert.Contains(t, Message(err, "ru"), tt.want)
			assert.Equal(t, store.StateEntered, p.State, "nothing was sent")
		})
	}
	known, _ := r.Till.KnownLimits()
	assert.Equal(t, money.Amount(10000_00-6000_00), known.Rest, "lowered by each payment accepted")
	assert.Equal(t, r.Sim.Balance(), known.Rest, "as the network has it")

	// The balance: the network's own answer is asked again when old.
	r.Sim.SetLimits(0, 0)
	require.NoError(t, r.Sim.SetBalance(100_00))
	_, err = r.Till.Limits(ctx)
	require.NoError(t, err)
	_, err = pay("9161000006", 200_00)
	require.Error(t, err)
	assert.Contains(t, Message(err, "ru"), "на счёте точки в сети 100.00 ₽, а платёж списывает 200.00 ₽")
	assert.Contains(t, Message(err, "en"), "the point has 100.00 ₽ at the network")
}
