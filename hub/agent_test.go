package hub

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAgentReport: the month's agent report sums the partner's points by
// provider (the payments accepted, the fees, the agent's reward, what is
// due to the principal), with a 1C export of the same table; a manager's
// has their point alone, another partner's point is refused, a month that
// is not one is refused.
func TestAgentReport(t *testing.T) {
	_, srv := webWorld(t)
	c := browser(t)
	status, _, _ := signIn(t, c, srv.URL, "ivan", "ivan-secret")
	require.Equal(t, http.StatusSeeOther, status)
	status, body, _ := get(t, c, srv.URL+"/agent?month=2026-12")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Отчёт агента за декабрь 2026 г.")
	assert.Contains(t, body, "с 01.12.2026 по 31.12.2026")
	// P1 and P3 each: mts 1000.00 on the 3rd, beeline 500.00 + 200.00 on the 4th (the failed one not).
	assert.Equal(t, [][]string{{"beeline", "4", "1400.00", "28.00", "42.00", "1400.00"}, {"mts", "2", "2000.00", "40.00", "60.00", "2000.00"}}, cells(body))
	assert.Equal(t, "3400.00", total(body, "agent-accepted"))
	assert.Equal(t, "102.00", total(body, "agent-reward"))
	assert.Contains(t, body, `id="agent-1c" href="/report.csv?`)

	status, body, _ = get(t, c, srv.URL+"/agent?month=2026-12&point=P2")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Empty(t, cells(body))
	status, body, _ = get(t, c, srv.URL+"/agent?month=12.2026")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "не месяц")

	m := browser(t)
	status, _, _ = signIn(t, m, srv.URL, "olga", "olga-secret")
	require.Equal(t, http.StatusSeeOther, status)
	status, body, _ = get(t, m, srv.URL+"/agent?month=2026-12")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "1700.00", total(body, "agent-accepted"), "P1 alone")
}
