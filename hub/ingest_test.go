package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
	"paydesk/internal/i18n"
)

func TestIngest(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d := &desk{point: "P1", key: dealer}
	d.pay(session(1), "mts", "kassir", 50000, wire.Paid, wire.ByNetwork, t0)
	d.add(wire.Event{Type: wire.TypeCash, Cash: &wire.Cash{Op: wire.CashIn, Amount: 100000, Cashier: "manager", Shift: 1}})
	d.pay(session(2), "mts", "kassir", 30000, wire.Disputed, wire.Undecided, t0)
	d.add(wire.Event{Type: wire.TypeHealth, Health: &wire.Health{Register: "ok", Drive: "ok", Pending: 1, Disputed: 1, Balance: 500000, ShiftOpen: true, Version: "1"}})
	d.pay(session(2), "mts", "kassir", 30000, wire.Paid, wire.BySupport, t0)
	d.add(wire.Event{Type: wire.TypeShift, Shift: &wire.Shift{ID: 1, Device: 7, Opened: t0.Add(-time.Hour), Closed: t0.Add(time.Hour),
		OpenedBy: "kassir", ClosedBy: "manager", Payments: 2, Amount: 80000, Expected: 181600, Counted: 181500}})
	// 21:00 UTC is the next day in Moscow.
	d.pay(session(3), "beeline", "petrova", 10000, wire.Paid, wire.ByNetwork, time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC))
	d.pay(session(4), "beeline", "petrova", 20000, wire.Failed, wire.ByNetwork, t0)

	res, err := w.hub.Ingest(ctx, d.batch(t, 1, 4))
	require.NoError(t, err)
	assert.Equal(t, Result{Point: "P1", Last: 4, Applied: 4}, res)
	fold(t, w)
	assert.EqualValues(t, 1, count(t, w.db, "SELECT count(*) FROM summaries"), "the disputed payment is not in the summaries yet")

	res, err = w.hub.Ingest(ctx, d.batch(t, 1, 4))
	require.NoError(t, err, "a batch sent again")
	assert.Equal(t, Result{Point: "P1", Last: 4, Skipped: 4}, res)

	res, err = w.hub.Ingest(ctx, d.batch(t, 3, 8))
	require.NoError(t, err, "an overlapping batch")
	assert.Equal(t, Result{Point: "P1", Last: 8, Applied: 4, Skipped: 2}, res)

	type row struct {
		Day                            time.Time
		Provider, Cashier              string
		Count, Amount, Fee, Commission int64
	}
	fold(t, w)
	rows, err := w.db.Query(ctx, "SELECT day, provider, cashier, count, amount, fee, commission FROM summaries ORDER BY day, provider")
	require.NoError(t, err)
	var got []row
	for rows.Next() {
		var r row
		require.NoError(t, rows.Scan(&r.Day, &r.Provider, &r.Cashier, &r.Count, &r.Amount, &r.Fee, &r.Commission))
		got = append(got, r)
	}
	require.NoError(t, rows.Err())
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	assert.Equal(t, []row{
		{day(4), "mts", "kassir", 2, 80000, 1600, 2400},
		{day(5), "beeline", "petrova", 1, 10000, 200, 300},
	}, got)
	checkSummaries(t, w)

	var state, closed string
	var seq int64
	require.NoError(t, w.db.QueryRow(ctx, "SELECT state, closed, seq FROM payments WHERE point = 'P1' AND session = $1", session(2)).Scan(&state, &closed, &seq))
	assert.Equal(t, []any{"paid", "support", int64(5)}, []any{state, closed, seq})
	assert.EqualValues(t, 4, count(t, w.db, "SELECT count(*) FROM payments"))
	assert.EqualValues(t, 1, count(t, w.db, "SELECT count(*) FROM cash_ops WHERE amount = 100000 AND op = 'in'"))
	assert.EqualValues(t, 181500, count(t, w.db, "SELECT counted FROM shifts WHERE point = 'P1' AND id = 1"))
	assert.EqualValues(t, 500000, count(t, w.db, "SELECT balance FROM health WHERE point = 'P1'"))
	assert.EqualValues(t, 8, count(t, w.db, "SELECT last_seq FROM points WHERE id = 'P1'"))

	// A gap: events 9 and 10 are made, the desk sends only 10.
	d.pay(session(5), "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	d.pay(session(6), "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	_, err = w.hub.Ingest(ctx, d.batch(t, 10, 10))
	require.ErrorIs(t, err, KindGap)
	var he *Error
	require.ErrorAs(t, err, &he)
	assert.Equal(t, int64(8), he.Last)
	assert.True(t, he.Kind.Refused())
	assert.Equal(t, "пакет начинается с события 10, а сервер ждёт событие 9: отправьте начиная с 9", he.Msg().In(i18n.RU))
	assert.Equal(t, "the batch starts at event 10, but the hub expects event 9: send from 9", he.Msg().In(i18n.EN))
	assert.EqualValues(t, 4, count(t, w.db, "SELECT count(*) FROM payments"), "a refused batch changes nothing")

	res, err = w.hub.Ingest(ctx, d.batch(t, 9, 10))
	require.NoError(t, err)
	assert.Equal(t, int64(10), res.Last)
	checkSummaries(t, w)
}

func TestIngestRefuses(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	good := &desk{point: "P1", key: dealer}
	good.pay(session(1), "mts", "kassir", 50000, wire.Paid, wire.ByNetwork, t0)
	doc := good.batch(t, 1, 1)

	forged := &desk{point: "P1", key: bank, log: good.log}
	stranger := &desk{point: "P9", key: dealer, log: good.log}
	// The amount's digits changed in place: the lengths stay.
	tampered := bytes.Replace(doc, []byte(`"amount":50000`), []byte(`"amount":90000`), 1)
	require.NotEqual(t, doc, tampered)

	for _, c := range []struct {
		name string
		doc  []byte
		kind Kind
	}{
		{"another point's key", forged.batch(t, 1, 1), KindSignature},
		{"unknown point", stranger.batch(t, 1, 1), KindPoint},
		{"tampered", tampered, KindSignature},
		{"not a document", []byte("hello"), KindFormat},
		{"empty", nil, KindFormat},
		{"body not a batch", mustSign(t, []byte(`{"v":1}`)), KindFormat},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.hub.Ingest(ctx, c.doc)
			require.ErrorIs(t, err, c.kind)
			var he *Error
			require.ErrorAs(t, err, &he)
			assert.True(t, he.Kind.Refused())
			for _, lang := range []string{i18n.RU, i18n.EN} {
				assert.NotContains(t, he.Msg().In(lang), "hub.", "a text of the catalogue")
			}
			assert.Zero(t, count(t, w.db, "SELECT count(*) FROM payments"))
			assert.Zero(t, count(t, w.db, "SELECT count(*) FROM summaries"))
			assert.Zero(t, count(t, w.db, "SELECT count(*) FROM summary_deltas"))
			assert.Zero(t, count(t, w.db, "SELECT coalesce(sum(last_seq), 0) FROM points"))
		})
	}
	_, err := w.hub.Ingest(ctx, doc)
	require.NoError(t, err, "the good batch after all of them")
}

func mustSign(t *testing.T, body []byte) []byte {
	doc, err := dealer.Sign(body, wire.Hash, t0)
	require.NoError(t, err)
	return doc
}

// randomDesk makes n events of payments that move between states as the
// till's do (some disputed then decided, some failed then refunded), with
// cash operations and health between.
func randomDesk(r *rand.Rand, point string, n int) *desk {
	d := &desk{point: point, key: dealer}
	open := map[string]wire.State{}
	next := 0
	providers := []string{"mts", "beeline", "megafon", "tele2"}
	cashiers := []string{"kassir", "petrova"}
	for len(d.log) < n {
		switch x := r.IntN(10); {
		case x < 6 || len(open) == 0:
			next++
			s := session(next)
			st := []wire.State{wire.Paid, wire.Paid, wire.Paid, wire.Failed, wire.Disputed}[r.IntN(5)]
			cl := wire.ByNetwork
			if st == wire.Disputed {
				cl = wire.Undecided
				open[s] = st
			} else if st == wire.Failed {
				open[s] = st
			}
			d.pay(s, providers[r.IntN(4)], cashiers[r.IntN(2)], int64(100+r.IntN(500000)), st, cl,
				t0.Add(time.Duration(r.IntN(72))*time.Hour))
		case x < 8:
			for s, st := range open {
				p := lastPayment(d, s)
				q := *p
				switch st {
				case wire.Disputed:
					q.State, q.Closed = []wire.State{wire.Paid, wire.Failed}[r.IntN(2)], wire.BySupport
				case wire.Failed:
					q.State, q.Closed = wire.Refunded, wire.ByRefund
				}
				if q.State == wire.Failed {
					open[s] = wire.Failed
				} else {
					delete(open, s)
				}
				d.add(wire.Event{Type: wire.TypePayment, Payment: &q})
				break
			}
		case x < 9:
			d.add(wire.Event{Type: wire.TypeCash, Cash: &wire.Cash{Op: wire.CashOut, Amount: 1000, Cashier: "manager", Shift: 1}})
		default:
			d.add(wire.Event{Type: wire.TypeHealth, Health: &wire.Health{Register: "ok", Drive: "ok", Pending: len(open), Version: "1"}})
		}
	}
	return d
}

func lastPayment(d *desk, s string) *wire.Payment {
	for i := len(d.log) - 1; i >= 0; i-- {
		if p := d.log[i].Payment; p != nil && p.Session == s {
			return p
		}
	}
	panic(s)
}

// expected is what the hub must hold for a desk's log: the latest state of
// each payment and the sums of the paid ones.
func expected(d *desk) (payments int, paid, amount, commission int64) {
	last := map[string]*wire.Payment{}
	for _, e := range d.log {
		if e.Payment != nil {
			last[e.Payment.Session] = e.Payment
		}
	}
	for _, p := range last {
		if p.State == wire.Paid {
			paid++
			amount += int64(p.Amount)
			commission += int64(p.Commission)
		}
	}
	return len(last), paid, amount, commission
}

// batches cuts n events into batches that overlap and repeat at random.
func batches(r *rand.Rand, n int64) [][2]int64 {
	var out [][2]int64
	for last := int64(0); last < n; {
		from := max(1, last+1-int64(r.IntN(4)))
		to := min(n, last+1+int64(r.IntN(40)))
		out = append(out, [2]int64{from, to})
		if r.IntN(5) == 0 {
			out = append(out, [2]int64{from, to}) // sent again: the answer was lost
		}
		last = to
	}
	return out
}

func TestIngestRandom(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(17, 1))
	d := randomDesk(r, "P1", 600)
	for _, b := range batches(r, int64(len(d.log))) {
		_, err := w.hub.Ingest(ctx, d.batch(t, b[0], b[1]))
		require.NoError(t, err)
	}
	n, paid, amount, commission := expected(d)
	fold(t, w)
	assert.EqualValues(t, n, count(t, w.db, "SELECT count(*) FROM payments"))
	assert.EqualValues(t, paid, count(t, w.db, "SELECT coalesce(sum(count), 0) FROM summaries"))
	assert.EqualValues(t, amount, count(t, w.db, "SELECT coalesce(sum(amount), 0) FROM summaries"))
	assert.EqualValues(t, commission, count(t, w.db, "SELECT coalesce(sum(commission), 0) FROM summaries"))
	checkSummaries(t, w)
	assert.Positive(t, count(t, w.db, "SELECT count(*) FROM payments WHERE closed = 'support' AND state = 'paid'"), "disputes decided paid")
	assert.Positive(t, count(t, w.db, "SELECT count(*) FROM payments WHERE state = 'refunded'"), "refunds")
	assert.Positive(t, count(t, w.db, "SELECT count(*) FROM payments WHERE state = 'disputed'"), "disputes still open")
}

// TestConcurrentIngest runs two hub instances (two pools on one database)
// that are each handed every batch of the same desk, overlapping and
// repeated, at the same time: each event is applied once.
func TestConcurrentIngest(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(17, 2))
	d := randomDesk(r, "P1", 800)
	plan := batches(r, int64(len(d.log)))
	docs := make([][]byte, len(plan))
	for i, b := range plan {
		docs[i] = d.batch(t, b[0], b[1])
	}
	second, err := pgxpool.New(ctx, w.url)
	require.NoError(t, err)
	defer second.Close()
	hubs := []*Hub{w.hub, New(second, Options{Clock: w.clk, Log: w.hub.log})}
	applied := make([]int, len(hubs))
	var wg sync.WaitGroup
	for i, h := range hubs {
		wg.Go(func() {
			for _, doc := range docs {
				for {
					res, err := h.Ingest(ctx, doc)
					if err == nil {
						applied[i] += res.Applied
						break
					}
					// The other instance may not have applied the
					// batch before yet: a gap, resent as a desk would.
					if !assert.ErrorIs(t, err, KindGap) {
						return
					}
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, len(d.log), applied[0]+applied[1], "every event applied once, by one of the two")
	t.Logf("applied by the first instance %d, by the second %d", applied[0], applied[1])
	n, paid, amount, _ := expected(d)
	fold(t, w)
	assert.EqualValues(t, n, count(t, w.db, "SELECT count(*) FROM payments"))
	assert.EqualValues(t, paid, count(t, w.db, "SELECT coalesce(sum(count), 0) FROM summaries"))
	assert.EqualValues(t, amount, count(t, w.db, "SELECT coalesce(sum(amount), 0) FROM summaries"))
	checkSummaries(t, w)
}

func TestKeyRotation(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d := &desk{point: "P1", key: dealer}
	d.pay(session(1), "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	d.pay(session(2), "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	_, err := w.hub.Ingest(ctx, d.batch(t, 1, 1))
	require.NoError(t, err)

	require.NoError(t, w.hub.SetKey(ctx, "P1", keyFile(t, bank), 0))
	_, err = w.hub.Ingest(ctx, d.batch(t, 2, 2))
	assert.ErrorIs(t, err, KindSignature, "the old key no longer signs for P1")
	d.key = bank
	res, err := w.hub.Ingest(ctx, d.batch(t, 2, 2))
	require.NoError(t, err)
	assert.Equal(t, int64(2), res.Last)

	assert.ErrorIs(t, w.hub.SetKey(ctx, "P9", keyFile(t, bank), 0), KindNotFound)
	assert.ErrorIs(t, w.hub.SetKey(ctx, "P1", []byte("junk"), 0), KindInput)
	points, err := w.hub.Points(ctx, "north")
	require.NoError(t, err)
	assert.Equal(t, bank.Serial, points[0].Serial, "a refused key changes nothing")
}

func TestIngestAll(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	require.NoError(t, w.hub.AddPoint(ctx, Point{ID: "P3", Partner: "north", Key: keyFile(t, dealer)}))
	p1 := &desk{point: "P1", key: dealer}
	p2 := &desk{point: "P2", key: bank}
	p3 := &desk{point: "P3", key: dealer}
	for i := range 6 {
		p1.pay(session(i), "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
		p2.pay(session(i), "mts", "kassir", 2000, wire.Paid, wire.ByNetwork, t0)
		p3.pay(session(i), "mts", "kassir", 3000, wire.Paid, wire.ByNetwork, t0)
	}
	_, err := w.hub.Ingest(ctx, p3.batch(t, 1, 2))
	require.NoError(t, err)
	forged := &desk{point: "P2", key: dealer, log: p2.log}
	stranger := &desk{point: "P9", key: dealer, log: p1.log}

	out := w.hub.IngestAll(ctx, [][]byte{
		p1.batch(t, 1, 3),       // applied
		p2.batch(t, 1, 2),       // applied
		p1.batch(t, 4, 6),       // applied after the first, in the same transaction
		forged.batch(t, 3, 4),   // refused: P2's key is the bank's
		p3.batch(t, 1, 2),       // applied before: skipped
		p3.batch(t, 5, 6),       // a gap after 2
		stranger.batch(t, 1, 1), // an unknown point
		[]byte("hello"),         // not a batch
		p2.batch(t, 2, 4),       // overlaps the second
	})
	require.Len(t, out, 9)
	want := []struct {
		res  Result
		kind Kind
	}{
		{Result{Point: "P1", Last: 3, Applied: 3}, ""},
		{Result{Point: "P2", Last: 2, Applied: 2}, ""},
		{Result{Point: "P1", Last: 6, Applied: 3}, ""},
		{Result{Point: "P2"}, KindSignature},
		{Result{Point: "P3", Last: 2, Skipped: 2}, ""},
		{Result{Point: "P3", Last: 2}, KindGap},
		{Result{Point: "P9"}, KindPoint},
		{Result{}, KindFormat},
		{Result{Point: "P2", Last: 4, Applied: 2, Skipped: 1}, ""},
	}
	for i, o := range out {
		assert.Equal(t, want[i].res, o.Result, "batch %d", i)
		if want[i].kind == "" {
			assert.NoError(t, o.Err, "batch %d", i)
		} else {
			assert.ErrorIs(t, o.Err, want[i].kind, "batch %d", i)
		}
	}
	assert.EqualValues(t, 6, count(t, w.db, "SELECT last_seq FROM points WHERE id = 'P1'"))
	assert.EqualValues(t, 4, count(t, w.db, "SELECT last_seq FROM points WHERE id = 'P2'"))
	assert.EqualValues(t, 2, count(t, w.db, "SELECT last_seq FROM points WHERE id = 'P3'"))
	fold(t, w)
	assert.EqualValues(t, 6*1000+4*2000+2*3000, count(t, w.db, "SELECT sum(amount) FROM summaries"))
	checkSummaries(t, w)

	// A point whose registered key no longer loads fails its own batch only.
	_, err = w.db.Exec(ctx, "UPDATE points SET public_key = 'junk' WHERE id = 'P3'")
	require.NoError(t, err)
	p1.pay(session(7), "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	out = w.hub.IngestAll(ctx, [][]byte{p3.batch(t, 3, 4), p1.batch(t, 7, 7)})
	assert.ErrorIs(t, out[0].Err, KindDatabase)
	assert.False(t, KindDatabase.Refused(), "the desk tries again later")
	assert.NoError(t, out[1].Err)
	assert.Equal(t, int64(7), out[1].Last)

	// The database failing fails every batch that was not refused.
	w.db.Close()
	out = w.hub.IngestAll(ctx, [][]byte{p3.batch(t, 3, 4), []byte("hello")})
	assert.ErrorIs(t, out[0].Err, KindDatabase)
	assert.Equal(t, Result{Point: "P3"}, out[0].Result)
	assert.ErrorIs(t, out[1].Err, KindFormat)
}

// TestConcurrentGroups has two instances apply groups of batches of many
// points, each group in its own order: the points are locked in the order
// of their ids, so no two transactions deadlock, and each event is applied
// once.
func TestConcurrentGroups(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const points = 12
	var ds []*desk
	for i := range points {
		id := fmt.Sprintf("G%02d", i)
		require.NoError(t, w.hub.AddPoint(ctx, Point{ID: id, Partner: "north", Key: keyFile(t, dealer)}))
		d := randomDesk(rand.New(rand.NewPCG(uint64(i), 3)), id, 120)
		ds = append(ds, d)
	}
	// Each instance goes through every desk's batches in rounds, a round's
	// batches shuffled into groups of 1 to 6.
	second, err := pgxpool.New(ctx, w.url)
	require.NoError(t, err)
	defer second.Close()
	hubs := []*Hub{w.hub, New(second, Options{Clock: w.clk, Log: w.hub.log})}
	var applied [2]int
	var wg sync.WaitGroup
	for hi, h := range hubs {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(hi), 7))
			next := make([]int64, points) // the next event each desk sends
			for i := range next {
				next[i] = 1
			}
			for {
				var docs [][]byte
				var who []int
				for i, d := range ds {
					if next[i] > int64(len(d.log)) {
						continue
					}
					to := min(int64(len(d.log)), next[i]+int64(r.IntN(15)))
					docs = append(docs, d.batch(t, next[i], to))
					who = append(who, i)
				}
				if len(docs) == 0 {
					return
				}
				perm := r.Perm(len(docs))
				for len(perm) > 0 {
					k := min(len(perm), 1+r.IntN(6))
					group := make([][]byte, k)
					for j, p := range perm[:k] {
						group[j] = docs[p]
					}
					for j, o := range h.IngestAll(ctx, group) {
						i := who[perm[j]]
						switch {
						case o.Err == nil:
							applied[hi] += o.Applied
							next[i] = o.Last + 1
						case errors.Is(o.Err, KindGap):
							next[i] = o.Last + 1 // the other instance is behind or ahead: resume from the hub's
						default:
							t.Error(o.Err)
							return
						}
					}
					perm = perm[k:]
				}
			}
		})
	}
	wg.Wait()
	fold(t, w)
	total := 0
	for _, d := range ds {
		total += len(d.log)
		n, paid, amount, _ := expected(d)
		assert.EqualValues(t, n, count(t, w.db, "SELECT count(*) FROM payments WHERE point = $1", d.point))
		assert.EqualValues(t, paid, count(t, w.db, "SELECT coalesce(sum(count), 0) FROM summaries WHERE point = $1", d.point))
		assert.EqualValues(t, amount, count(t, w.db, "SELECT coalesce(sum(amount), 0) FROM summaries WHERE point = $1", d.point))
		assert.EqualValues(t, len(d.log), count(t, w.db, "SELECT last_seq FROM points WHERE id = $1", d.point))
	}
	assert.Equal(t, total, applied[0]+applied[1], "every event applied once")
	checkSummaries(t, w)
}
