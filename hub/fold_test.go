package hub

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
)

// TestFold: while no fold can run (another connection holds the fold's
// lock), batches from many points through two instances leave their
// summaries in deltas, and the reports by every dimension are already
// exact; once the lock is let go the instances' folds move every delta
// once, and the reports say the same from the summaries alone.
func TestFold(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for i := range 6 {
		require.NoError(t, w.hub.AddPoint(ctx, Point{ID: fmt.Sprintf("F%d", i), Partner: "north", Key: keyFile(t, dealer)}))
	}
	require.NoError(t, w.hub.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "north"}, "ivan-secret"))
	u, err := w.hub.SignIn(ctx, "ivan", "ivan-secret")
	require.NoError(t, err)

	hold, err := w.db.Acquire(ctx)
	require.NoError(t, err)
	_, err = hold.Exec(ctx, "SELECT pg_advisory_lock($1)", foldLock)
	require.NoError(t, err)

	r := rand.New(rand.NewPCG(17, 7))
	hubs := []*Hub{w.hub, w.instance()}
	var desks []*desk
	var wg sync.WaitGroup
	for i := range 6 {
		d := randomDesk(r, fmt.Sprintf("F%d", i), 300)
		desks = append(desks, d)
		cuts := batches(r, int64(len(d.log)))
		wg.Go(func() {
			for j, c := range cuts {
				if _, err := hubs[j%2].Ingest(ctx, d.batch(t, c[0], c[1])); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	require.Positive(t, count(t, w.db, "SELECT count(*) FROM summary_deltas"), "nothing folded while the lock is held")
	require.Zero(t, count(t, w.db, "SELECT count(*) FROM summaries"))

	var paid, amount, commission int64
	for _, d := range desks {
		_, p, a, c := expected(d)
		paid, amount, commission = paid+p, amount+a, commission+c
	}
	q := func(by Dim) Query { return Query{From: t0.AddDate(0, 0, -1), To: t0.AddDate(0, 0, 5), By: by} }
	before := map[Dim][]Row{}
	for _, by := range []Dim{ByPoint, ByProvider, ByDay, ByCashier} {
		rows, err := w.hub.Report(ctx, u, q(by))
		require.NoError(t, err)
		var n, a, c int64
		for _, row := range rows {
			n, a, c = n+row.Count, a+int64(row.Amount), c+int64(row.Commission)
		}
		assert.Equal(t, [3]int64{paid, amount, commission}, [3]int64{n, a, c}, "by %s from the deltas", by)
		before[by] = rows
	}

	_, err = hold.Exec(ctx, "SELECT pg_advisory_unlock($1)", foldLock)
	require.NoError(t, err)
	hold.Release()
	require.Eventually(t, func() bool {
		return count(t, w.db, "SELECT count(*) FROM summary_deltas") == 0
	}, 30*time.Second, 20*time.Millisecond, "the folds waiting for the lock move every delta")
	checkSummaries(t, w)
	for by, rows := range before {
		after, err := w.hub.Report(ctx, u, q(by))
		require.NoError(t, err)
		assert.Equal(t, rows, after, "by %s from the summaries", by)
	}
	for _, h := range hubs {
		h.fold.mu.Lock()
		assert.Positive(t, h.fold.folds, "each instance folded after its ingests")
		h.fold.mu.Unlock()
	}
}

// TestFoldAfterClose: a closed hub still ingests but folds no more; what
// it left is folded by another instance.
func TestFoldAfterClose(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	h := w.instance()
	h.Close()
	d := &desk{point: "P1", key: dealer}
	d.pay("S1", "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	_, err := h.Ingest(ctx, d.batch(t, 1, 1))
	require.NoError(t, err)
	assert.EqualValues(t, 1, count(t, w.db, "SELECT count(*) FROM summary_deltas"))
	h.fold.mu.Lock()
	assert.Zero(t, h.fold.folds)
	h.fold.mu.Unlock()
	checkSummaries(t, w)
	assert.EqualValues(t, 1000, count(t, w.db, "SELECT sum(amount) FROM summaries_month"))
}

// TestPointsKept: a point with payments can be neither deleted nor
// renamed (what the references did before version 7); one without can.
func TestPointsKept(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d := &desk{point: "P1", key: dealer}
	d.pay("S1", "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	_, err := w.hub.Ingest(ctx, d.batch(t, 1, 1))
	require.NoError(t, err)
	for _, q := range []string{"DELETE FROM points WHERE id = 'P1'", "UPDATE points SET id = 'P9' WHERE id = 'P1'"} {
		_, err := w.db.Exec(ctx, q)
		assert.ErrorContains(t, err, "point P1 has payments", q)
	}
	_, err = w.db.Exec(ctx, "UPDATE points SET name = 'Ларёк', id = id WHERE id = 'P1'")
	assert.NoError(t, err, "an update that keeps the id")
	_, err = w.db.Exec(ctx, "DELETE FROM points WHERE id = 'P2'")
	assert.NoError(t, err, "P2 has no payments")
	assert.EqualValues(t, 1, count(t, w.db, "SELECT count(*) FROM points"))
}
