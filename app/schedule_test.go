package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/internal/clock"
	"paydesk/money"
)

const schedule = `fee:
  - {name: сбор ЖКУ, provider: zhku, fixed: "10.00"}
commission:
  - {name: крупные, above: "1000.00", percent: "2%", max: "30.00"}
  - {name: мобильные, group: mobile, percent: "3.5%"}
`

// TestCommissionSchedule: with a schedule configured, the first matching
// rule gives the point's fee and the partner's commission, the rule is
// kept with the payment, and the report by rule reconciles to the kopeck
// with the report by provider.
func TestCommissionSchedule(t *testing.T) {
	file := filepath.Join(t.TempDir(), "commissions.yaml")
	require.NoError(t, os.WriteFile(file, []byte(schedule), 0o600))
	t.Setenv("PAYDESK_COMMISSIONS", file)
	r := bootTraining(t, clock.Real{}, true)
	tests := []struct {
		name, provider, id string
		fields             map[string]string
		amount             money.Amount
		fee, commission    money.Amount
		rate               money.Rate
		feeRule, rule      string
	}{
		{"mobile", "mts", "9161234567", nil, 500_00, 0, 17_50, 350, "", "мобильные: group mobile: 3.5%"},
		{"a big one, held to the maximum", "mts", "9161234568", nil, 2000_00, 0, 30_00, 200, "", "крупные: every provider, amount 1000.00 and above: 2%, max 30.00"},
		{"no commission rule: the catalogue's rate; the fee's rule", "zhku", "1234567890", map[string]string{"period": "112026"}, 500_00, 10_00, 5_00, 100,
			"сбор ЖКУ: provider zhku: 10.00 fixed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := r.Till.Quote(tt.provider, tt.amount)
			require.NoError(t, err)
			assert.Equal(t, tt.fee, q.Fee)
			assert.Equal(t, tt.commission, q.Commission)
			p, err := r.Till.StartFields(ctx, r.kassir, tt.provider, tt.id, tt.fields)
			require.NoError(t, err)
			p, err = r.Till.Check(ctx, r.kassir, p, tt.amount, Cash)
			require.NoError(t, err)
			p, err = r.Till.Confirm(ctx, r.kassir, p)
			require.NoError(t, err)
			got := r.reload(t, p)
			assert.Equal(t, tt.fee, got.Fee)
			assert.Equal(t, tt.amount+tt.fee, got.Total)
			assert.Equal(t, tt.commission, got.Commission)
			assert.Equal(t, tt.rate, got.CommissionRate)
			assert.Equal(t, tt.feeRule, got.FeeRule)
			assert.Equal(t, tt.rule, got.CommissionRule)
		})
	}
	day := time.Now()
	byRule, err := r.Till.Commission(ctx, r.manager, day, day, ByRule)
	require.NoError(t, err)
	require.Len(t, byRule, 3)
	assert.Equal(t, []string{"", "крупные", "мобильные"}, []string{byRule[0].Key, byRule[1].Key, byRule[2].Key})
	assert.Equal(t, money.Amount(5_00), byRule[0].Commission)
	byProvider, err := r.Till.Commission(ctx, r.manager, day, day, ByProvider)
	require.NoError(t, err)
	assert.Equal(t, SumRows(byProvider), SumRows(byRule), "the two reports reconcile")
	assert.Equal(t, money.Amount(52_50), SumRows(byRule).Commission)
}

// TestCommissionScheduleRefused: a schedule file that does not read
// refuses the start, naming the file, before the books are touched.
func TestCommissionScheduleRefused(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"no such file", "", "не открывается"},
		{"a percent of letters", "commission:\n  - {percent: много}\n", "ошибка"},
		{"not YAML", "commission: [", "ошибка"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "commissions.yaml")
			if tt.body != "" {
				require.NoError(t, os.WriteFile(file, []byte(tt.body), 0o600))
			}
			t.Setenv("PAYDESK_COMMISSIONS", file)
			cfg, err := config.Load("")
			require.NoError(t, err)
			cfg.DataDir = filepath.Join(dir, "data")
			_, err = Boot(ctx, cfg, Options{Training: training.Start})
			require.Error(t, err)
			assert.Equal(t, KindConfig, KindOf(err), "%v", err)
			assert.Contains(t, Message(err, "ru"), tt.want)
			assert.Contains(t, Message(err, "ru"), file)
			assert.NoDirExists(t, cfg.DataDir, "nothing touched")
		})
	}
}
