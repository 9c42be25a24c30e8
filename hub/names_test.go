package hub

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
)

// TestProviderNames: a report by provider names each provider as the
// desks' catalogues last did (its code when none did), on the page too.
func TestProviderNames(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	require.NoError(t, w.hub.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "north"}, "ivan-secret"))
	d := &desk{point: "P1", key: dealer}
	d.pay(session(1), "mts", "kassir", 10000, wire.Paid, wire.ByNetwork, t0)
	d.pay(session(2), "mts", "kassir", 20000, wire.Paid, wire.ByNetwork, t0)
	d.pay(session(3), "beeline", "kassir", 30000, wire.Paid, wire.ByNetwork, t0)
	d.log[0].Payment.ProviderName = "МТС"
	d.log[1].Payment.ProviderName = "ПАО «МТС»" // a later catalogue's name
	_, err := w.hub.Ingest(ctx, d.batch(t, 1, 3))
	require.NoError(t, err)
	u, err := w.hub.SignIn(ctx, "ivan", "ivan-secret")
	require.NoError(t, err)
	rows, err := w.hub.Report(ctx, u, Query{From: t0, To: t0, By: ByProvider})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, Row{Key: "beeline", Count: 1, Amount: 30000, Fee: 600, Commission: 900}, rows[0], "no name given: the code")
	assert.Equal(t, "ПАО «МТС»", rows[1].Label)
	assert.Equal(t, int64(2), rows[1].Count)

	srv := httptest.NewServer(w.hub.Handler())
	t.Cleanup(srv.Close)
	c := browser(t)
	status, _, _ := signIn(t, c, srv.URL, "ivan", "ivan-secret")
	require.Equal(t, http.StatusSeeOther, status)
	status, body, _ := get(t, c, srv.URL+"/report?from=2026-12-04&to=2026-12-04&by=provider")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "<td>ПАО «МТС»</td>")
	assert.Contains(t, body, "<td>beeline</td>")
}
