package hub

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"paydesk/hub/wire"
	"paydesk/internal/clock"
	"paydesk/internal/pgtest"
	"paydesk/money"
	"paydesk/protocol/ipriv"
	"paydesk/protocol/ipriv/ipritest"
)

var (
	t0     = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	dealer = ipritest.DealerKey()
	bank   = ipritest.BankKey()
)

// keyFile is the public key file of a test key, self-certified.
func keyFile(t testing.TB, k *ipriv.SecretKey) []byte {
	b, err := k.Public().MarshalCertified(k, t0)
	require.NoError(t, err)
	return b
}

type world struct {
	t   testing.TB
	url string
	db  *pgxpool.Pool
	hub *Hub
	clk *clock.Fake
}

// newWorld is a migrated database with partner "north", its point P1 (the
// dealer key) and partner "south" with P2 (the bank key).
func newWorld(t testing.TB) *world {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	require.NoError(t, Migrate(ctx, db))
	w := &world{t: t, url: url, db: db, clk: clock.NewFake(t0)}
	w.hub = w.instance()
	require.NoError(t, w.hub.AddPartner(ctx, Partner{ID: "north", Name: "Север"}))
	require.NoError(t, w.hub.AddPartner(ctx, Partner{ID: "south", Name: "Юг"}))
	require.NoError(t, w.hub.AddPoint(ctx, Point{ID: "P1", Partner: "north", Key: keyFile(t, dealer)}))
	require.NoError(t, w.hub.AddPoint(ctx, Point{ID: "P2", Partner: "south", Key: keyFile(t, bank), TZ: "Asia/Vladivostok"}))
	return w
}

// instance is another hub on the same database.
func (w *world) instance() *Hub {
	h := New(w.db, Options{Clock: w.clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BcryptCost: bcrypt.MinCost})
	w.t.Cleanup(h.Close)
	return h
}

// desk makes a point's events in order, as a desk's outbox would.
type desk struct {
	point string
	key   *ipriv.SecretKey
	seq   int64
	log   []wire.Event
}

func (d *desk) add(e wire.Event) {
	d.seq++
	e.Seq = d.seq
	if e.At.IsZero() {
		e.At = t0.Add(time.Duration(d.seq) * time.Second)
	}
	d.log = append(d.log, e)
}

func (d *desk) pay(session, provider, cashier string, amount int64, state wire.State, closed wire.Closing, accepted time.Time) {
	d.add(wire.Event{Type: wire.TypePayment, Payment: &wire.Payment{
		Session: session, Provider: provider, Number: wire.Mask("9161234567"), Amount: moneyOf(amount),
		Fee: moneyOf(amount / 50), Commission: moneyOf(amount * 3 / 100), Cashier: cashier, Shift: 1,
		State: state, Closed: closed, Accepted: accepted, Final: accepted.Add(time.Minute)}})
}

// batch signs events from..to of the log.
func (d *desk) batch(t testing.TB, from, to int64) []byte {
	b := &wire.Batch{Version: wire.Version, Point: d.point, From: from, To: to, Sent: t0, Events: d.log[from-1 : to]}
	doc, err := wire.Sign(b, d.key, t0)
	require.NoError(t, err)
	return doc
}

func count(t testing.TB, db *pgxpool.Pool, q string, args ...any) int64 {
	var n int64
	require.NoError(t, db.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

// fold folds the summary deltas, as another instance would, and checks
// that none is left.
func fold(t testing.TB, w *world) {
	t.Helper()
	_, err := w.instance().Fold(context.Background())
	require.NoError(t, err)
	require.Zero(t, count(t, w.db, "SELECT count(*) FROM summary_deltas"), "a fold leaves no delta")
}

// checkSummaries folds the deltas and holds the summaries to the paid
// payments, row by row.
func checkSummaries(t testing.TB, w *world) {
	t.Helper()
	fold(t, w)
	db := w.db
	diff := count(t, db, `SELECT count(*) FROM (
	    (SELECT point, day, provider, cashier, count(*) AS count, sum(amount) AS amount, sum(fee) AS fee, sum(commission) AS commission
	       FROM payments WHERE state = 'paid' GROUP BY 1, 2, 3, 4
	     EXCEPT SELECT point, day, provider, cashier, count, amount, fee, commission FROM summaries WHERE count <> 0)
	    UNION ALL
	    (SELECT point, day, provider, cashier, count, amount, fee, commission FROM summaries WHERE count <> 0
	     EXCEPT SELECT point, day, provider, cashier, count(*), sum(amount), sum(fee), sum(commission)
	       FROM payments WHERE state = 'paid' GROUP BY 1, 2, 3, 4)) d`)
	require.Zero(t, diff, "the summaries are the sums of the paid payments")
	require.Zero(t, count(t, db, "SELECT count(*) FROM summaries WHERE count = 0 AND (amount <> 0 OR fee <> 0 OR commission <> 0)"))
	months := count(t, db, `SELECT count(*) FROM (
	    (SELECT point, date_trunc('month', day)::date, provider, cashier, sum(count), sum(amount), sum(fee), sum(commission)
	       FROM summaries GROUP BY 1, 2, 3, 4 HAVING sum(count) <> 0
	     EXCEPT SELECT point, month, provider, cashier, count, amount, fee, commission FROM summaries_month WHERE count <> 0)
	    UNION ALL
	    (SELECT point, month, provider, cashier, count, amount, fee, commission FROM summaries_month WHERE count <> 0
	     EXCEPT SELECT point, date_trunc('month', day)::date, provider, cashier, sum(count), sum(amount), sum(fee), sum(commission)
	       FROM summaries GROUP BY 1, 2, 3, 4 HAVING sum(count) <> 0)) d`)
	require.Zero(t, months, "the monthly summaries are the sums of the daily ones")
}

func session(i int) string { return fmt.Sprintf("20261204-%06d", i) }

func moneyOf(k int64) money.Amount { return money.Amount(k) }
