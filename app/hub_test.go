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
	h, db, dir := hubWorld(t)
	r := reboot(t, dir, clock.Real{}, true)
	require.NotNil(t, r.Shipper)
	for i, a := range []money.Amount{100_00, 250_00, 999_99} {
		_, err := r.pay(t, "mts", "916123450"+string(rune('0'+i)), a)
		require.NoError(t, err)
	}
	require.NoError(t, r.Till.CashIn(ctx, r.kassir, 500_00))
	_, _, err := r.Till.CloseShift(ctx, r.manager, 0)
	require.NoError(t, err)
	synced := func() ShipState { return synced(t, r) }
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

// hubWorld is a hub on a real PostgreSQL with partner north, its point P1
// (the training dealer key) and partner user anna, and a training desk's
// folder whose configuration ships to it.
func hubWorld(t *testing.T) (*hub.Hub, *pgxpool.Pool, string) {
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
	return h, db, dir
}

// synced waits until the hub has applied every event the desk wrote.
func synced(t *testing.T, r *rig) ShipState {
	t.Helper()
	var st ShipState
	require.Eventually(t, func() bool {
		st = r.Shipper.State(ctx)
		return st.Err == nil && st.Written > 0 && st.Applied == st.Written
	}, 20*time.Second, 50*time.Millisecond, "the hub has everything: %+v", r.Shipper.State(ctx))
	return st
}

// TestShipAfterRestore: a desk shipping to a hub has its books put back
// from last night's backup (paydeskctl db restore) after a day of
// payments the hub holds; the payments it takes next reach the hub too,
// numbered after the hub's, and the hub keeps the day's payments the
// books lost: each payment once, to the kopeck.
func TestShipAfterRestore(t *testing.T) {
	h, db, dir := hubWorld(t)
	u, err := h.SignIn(ctx, "anna", "secret-pass")
	require.NoError(t, err)
	day := time.Now()
	report := func() hub.Row {
		rows, err := h.Report(ctx, u, hub.Query{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 1), By: hub.ByPoint})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		return rows[0]
	}

	r := reboot(t, dir, clock.Real{}, true)
	for i, a := range []money.Amount{100_00, 200_00} {
		_, err := r.pay(t, "mts", "916123451"+string(rune('0'+i)), a)
		require.NoError(t, err)
	}
	_, _, err = r.Till.CloseShift(ctx, r.manager, 0)
	require.NoError(t, err)
	synced(t, r)
	backup := filepath.Join(t.TempDir(), "night.db")
	require.NoError(t, r.Till.Backup(ctx, backup))
	_, err = r.Till.OpenShift(ctx, r.kassir, 0)
	require.NoError(t, err)
	for i, a := range []money.Amount{300_00, 400_00} { // the day the books will lose
		_, err := r.pay(t, "mts", "916123452"+string(rune('0'+i)), a)
		require.NoError(t, err)
	}
	_, _, err = r.Till.CloseShift(ctx, r.manager, 0)
	require.NoError(t, err)
	before := synced(t, r)
	assert.Equal(t, int64(4), report().Count)
	require.NoError(t, r.Close())

	rep, err := Restore(ctx, r.Config, Options{PINCost: bcrypt.MinCost}, backup, "manager", "222222")
	require.NoError(t, err)
	assert.NotEmpty(t, rep.Replaced)

	r = reboot(t, dir, clock.Real{}, true) // opens a shift numbered as the lost day's
	_, err = r.pay(t, "mts", "9161234530", 50_00)
	require.NoError(t, err)
	_, _, err = r.Till.CloseShift(ctx, r.manager, 0)
	require.NoError(t, err)
	after := synced(t, r)
	assert.Greater(t, after.Applied, before.Applied, "the new events go after the hub's")
	got := report()
	assert.Equal(t, int64(5), got.Count, "the night's two, the lost day's two and the new one")
	assert.Equal(t, money.Amount(100_00+200_00+300_00+400_00+50_00), got.Amount)
	var payments, shifts int
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM payments WHERE point = 'P1'").Scan(&payments))
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM shifts WHERE point = 'P1'").Scan(&shifts))
	assert.Equal(t, 5, payments)
	assert.Equal(t, 3, shifts, "the night's, the lost day's and the new one, though the books numbered the last two alike")

	// Started again, the desk sends nothing twice.
	require.NoError(t, r.Close())
	r = reboot(t, dir, clock.Real{}, true)
	_, err = r.pay(t, "mts", "9161234531", 60_00)
	require.NoError(t, err)
	synced(t, r)
	assert.Equal(t, int64(6), report().Count)
}
