package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/store"
)

// TestDescribedProvider: a provider the network describes field by field
// is paid with every field in use sent as its layout says, kept with the
// payment, and repeated on pay; a field that does not pass is refused
// before anything is stored.
func TestDescribedProvider(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	count := func() int {
		ps, err := r.Store.Payments(ctx, store.Filter{})
		require.NoError(t, err)
		return len(ps)
	}
	bad := []struct {
		name  string
		code  string
		id    string
		typed map[string]string
		want  string
	}{
		{"no period", "zhku", "1234567890", nil, "Период"},
		{"a period of month 13", "zhku", "1234567890", map[string]string{"period": "132026"}, "Период"},
		{"a short account", "zhku", "12345", map[string]string{"period": "112026"}, "Лицевой счёт"},
		{"a service not listed", "zhku", "1234567890", map[string]string{"period": "112026", "service": "7"}, "Услуга"},
		{"a meter reading of letters", "zhku", "1234567890", map[string]string{"period": "112026", "service": "2", "meter": "abc"}, "Показания"},
		{"a field the provider has not", "zhku", "1234567890", map[string]string{"period": "112026", "color": "red"}, "color"},
		{"fields for a one-number provider", "mts", "9161234567", map[string]string{"period": "112026"}, "МТС"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			before := count()
			_, err := r.Till.StartFields(ctx, r.kassir, tt.code, tt.id, tt.typed)
			require.Error(t, err)
			assert.Equal(t, KindInput, KindOf(err), "%v", err)
			assert.Contains(t, Message(err, "ru"), tt.want)
			assert.Equal(t, before, count(), "nothing stored")
		})
	}

	good := []struct {
		name   string
		typed  map[string]string
		fields map[string]string
		params map[string]string
		amount money.Amount
	}{
		{"rent: the meter is not in use", map[string]string{"period": "112026", "meter": "5"},
			map[string]string{"account": "1234567890", "period": "112026", "service": "1"},
			map[string]string{"PERIOD": "112026", "SERVICE": "1"}, 1500_00},
		{"electricity with the reading", map[string]string{"period": "102026", "service": "2", "meter": "1234,5"},
			map[string]string{"account": "1234567890", "period": "102026", "service": "2", "meter": "1234.5"},
			map[string]string{"PERIOD": "102026", "SERVICE": "2", "METER": "1234.5"}, 2000_00},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			p, err := r.Till.StartFields(ctx, r.kassir, "zhku", "12 3456 7890", tt.typed)
			require.NoError(t, err)
			assert.Equal(t, "1234567890", p.PayerID)
			assert.Equal(t, tt.fields, p.Fields)
			p, err = r.Till.CheckNumber(ctx, r.kassir, p)
			require.NoError(t, err)
			p, err = r.Till.Check(ctx, r.kassir, p, tt.amount, Cash)
			require.NoError(t, err)
			p, err = r.Till.Confirm(ctx, r.kassir, p)
			require.NoError(t, err)
			assert.Equal(t, store.StatePaid, p.State)
			assert.Equal(t, tt.fields, r.reload(t, p).Fields)
			found := false
			for _, sp := range r.Sim.Payments() {
				if sp.Session == p.Session {
					assert.Equal(t, "1234567890", sp.Account)
					assert.Equal(t, tt.params, sp.Params)
					found = true
				}
			}
			require.True(t, found, "the simulator has the payment")
			assert.Equal(t, tt.amount/100, p.Commission, "1%")
			rs, err := r.Store.Receipts(ctx, p.ID)
			require.NoError(t, err)
			require.Len(t, rs, 2)
			slip := rs[1].Text
			assert.Contains(t, slip, "Лицевой счёт")
			assert.Contains(t, slip, "1234567890")
			assert.Contains(t, slip, tt.fields["period"])
			assert.Contains(t, slip, map[string]string{"1": "Квартплата и ЖКУ", "2": "Электроэнергия"}[tt.fields["service"]])
			if m := tt.fields["meter"]; m != "" {
				assert.Contains(t, slip, "Показания счётчика")
				assert.Contains(t, slip, m)
			} else {
				assert.NotContains(t, slip, "Показания")
			}
		})
	}
}
