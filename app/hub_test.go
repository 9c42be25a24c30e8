package app

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"paydesk/hub"
	"paydesk/internal/clock"
	"paydesk/internal/pgtest"
	"paydesk/money"
	"paydesk/protocol/gateway/sim"
	"paydesk/store"
)

// TestShipToHub: a training desk with hub: configured ships each final
// payment, the cash operations and the closed shift to a hub on a real
// PostgreSQL, signed with the point's key; the hub's report equals the
// desk's books to the kopeck, and a restart sends nothing twice.
func TestShipToHub(t *testing.T) {
	url := pgtest.URL(t)
	db, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	require.NoError(t, hub.Migrate(ctx, db))
	h := hub.New(db, hub.Options{BcryptCost: bcrypt.MinCost})
	t.Cleanup(h.Close)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "training"), 0o700))
	require.NoError(t, exec.Command("cp", "-r", keysDir, filepath.Join(dir, "training", "keys")).Run())
	pub, err := os.ReadFile(filepath.Join(dir, "training", "keys", sim.FileDealerKey))
	require.NoError(t, err)
	require.NoError(t, h.AddPartner(ctx, hub.Partner{ID: "north"}))
	require.NoError(t, h.AddPoint(ctx, hub.Point{ID: "P1", Partner: "north", Key: pub, Serial: sim.TrainingDealerSerial}))
	require.NoError(t, h.AddUser(ctx, hub.User{Login: "anna", Role: hub.RolePartner, Partner: "north"}, "secret-pass"))
	t.Setenv("PAYDESK_HUB_URL", srv.URL)
	t.Setenv("PAYDESK_HUB_POINT", "P1")
	t.Setenv("PAYDESK_HUB_EVERY", "5s")

	r := reboot(t, dir, clock.Real{}, true)
	require.NotNil(t, r.Shipper)
	for i, a := range []money.Amount{100_00, 250_00, 999_99} {
		_, err := r.pay(t, "mts", "916123450"+string(rune('0'+i)), a)
		require.NoError(t, err)
	}
	require.NoError(t, r.Till.CashIn(ctx, r.kassir, 500_00))
	_, _, err = r.Till.CloseShift(ctx, r.manager, 0)
	require.NoError(t, err)
	synced := func() ShipState {
		var st ShipState
		require.Eventually(t, func() bool {
			st = r.Shipper.State(ctx)
			return st.Err == nil && st.Written > 0 && st.Applied == st.Written
		}, 20*time.Second, 50*time.Millisecond, "the hub has everything: %+v", r.Shipper.State(ctx))
		return st
	}
	st := synced()
	assert.GreaterOrEqual(t, st.Written, int64(5), "3 payments, the cash in, the shift, the desk's state")

	u, err := h.SignIn(ctx, "anna", "secret-pass")
	require.NoError(t, err)
	day := time.Now()
	rows, err := h.Report(ctx, u, hub.Query{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 1), By: hub.ByPoint})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	books, err := r.Till.Commission(ctx, r.manager, day.AddDate(0, 0, -1), day.AddDate(0, 0, 1), ByDay)
	require.NoError(t, err)
	sum := SumRows(books)
	assert.Equal(t, int64(sum.Count), rows[0].Count)
	assert.Equal(t, sum.Amount, rows[0].Amount)
	assert.Equal(t, sum.Commission, rows[0].Commission, "to the kopeck")

	// The report names the providers as the desk's catalogue does.
	byProvider, err := h.Report(ctx, u, hub.Query{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 1), By: hub.ByProvider})
	require.NoError(t, err)
	require.Len(t, byProvider, 1)
	assert.Equal(t, "mts", byProvider[0].Key)
	assert.Equal(t, "МТС", byProvider[0].Label)

	// The payer looks the payment up by the address on the slip.
	ps, err := r.Store.Payments(ctx, store.Filter{State: store.StatePaid, Limit: 1})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.NotEmpty(t, ps[0].Lookup)
	rs, err := r.Store.Receipts(ctx, ps[0].ID)
	require.NoError(t, err)
	slip := rs[len(rs)-1].Text
	assert.Contains(t, slip, "Проверить платёж:")
	assert.Contains(t, strings.ReplaceAll(slip, "\n", ""), "/p/P1/"+ps[0].Session+"?c=")
	found, err := h.LookUp(ctx, "P1", ps[0].Session, ps[0].Lookup)
	require.NoError(t, err)
	assert.Equal(t, ps[0].Amount, found.Amount)
	_, err = h.LookUp(ctx, "P1", ps[0].Session, "wrong-code")
	assert.Error(t, err, "the code is the key")

	// The hub restored from a backup older than every event: the desk,
	// told it has fewer, sends them all again.
	_, err = db.Exec(ctx, `DELETE FROM payments; DELETE FROM shifts; DELETE FROM cash_ops; DELETE FROM health;
		DELETE FROM summaries; DELETE FROM summaries_month; DELETE FROM summary_deltas; UPDATE points SET last_seq = 0`)
	require.NoError(t, err)
	_, err = r.Till.OpenShift(ctx, r.kassir, 0)
	require.NoError(t, err)
	_, err = r.pay(t, "mts", "9161234598", 20_00)
	require.NoError(t, err)
	synced()
	rows, err = h.Report(ctx, u, hub.Query{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 1), By: hub.ByPoint})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, int64(sum.Count+1), rows[0].Count, "every payment again, once")
	assert.Equal(t, sum.Amount+20_00, rows[0].Amount)
	sum.Count, sum.Amount = sum.Count+1, sum.Amount+20_00

	// A restart goes on from what the hub applied: nothing twice.
	require.NoError(t, r.Close())
	r = reboot(t, dir, clock.Real{}, true)
	_, err = r.pay(t, "mts", "9161234599", 10_00)
	require.NoError(t, err)
	synced()
	rows, err = h.Report(ctx, u, hub.Query{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 1), By: hub.ByPoint})
	require.NoError(t, err)
	assert.Equal(t, int64(sum.Count+1), rows[0].Count)
	assert.Equal(t, sum.Amount+10_00, rows[0].Amount)
}
