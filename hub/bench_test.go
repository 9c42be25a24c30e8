package hub

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
)

const benchBatch = 1000

// benchDesk makes batch after batch of paid payments of one point.
func benchDesk(b *testing.B) *desk {
	d := &desk{point: "P1", key: dealer}
	for i := range benchBatch {
		d.pay(session(i), []string{"mts", "beeline", "megafon"}[i%3], []string{"kassir", "petrova"}[i%2],
			int64(1000+i), wire.Paid, wire.ByNetwork, t0.Add(time.Duration(i)*time.Second))
	}
	return d
}

// next renames the desk's sessions and renumbers its events for the next
// batch, and signs it.
func (d *desk) next(b *testing.B, n int) []byte {
	base := int64(n) * benchBatch
	for i := range d.log {
		e := &d.log[i]
		e.Seq = base + int64(i) + 1
		p := *e.Payment
		p.Session = session(int(e.Seq))
		e.Payment = &p
	}
	bt := &wire.Batch{Version: wire.Version, Point: d.point, From: base + 1, To: base + benchBatch, Sent: t0, Events: d.log}
	doc, err := wire.Sign(bt, d.key, t0)
	require.NoError(b, err)
	return doc
}

// BenchmarkIngest applies batches of 1000 paid payments of one point, each
// in its transaction with the summaries' deltas, the folds of them running
// beside it and waited for at the end (signing is outside the timer).
func BenchmarkIngest(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	d := benchDesk(b)
	n := 0
	for b.Loop() {
		b.StopTimer()
		doc := d.next(b, n)
		n++
		b.StartTimer()
		res, err := w.hub.Ingest(ctx, doc)
		if err != nil || res.Applied != benchBatch {
			b.Fatal(res, err)
		}
	}
	if _, err := w.hub.Fold(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n*benchBatch)/b.Elapsed().Seconds(), "payments/s")
}

// BenchmarkCopy is the reference: the same rows written with a bare COPY
// into the payments table, nothing checked, no summaries.
func BenchmarkCopy(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	d := benchDesk(b)
	n := 0
	cols := []string{"point", "session", "provider", "number", "amount", "fee", "commission", "cashier",
		"shift", "state", "closed", "accepted_at", "final_at", "day", "seq"}
	for b.Loop() {
		base := n * benchBatch
		n++
		rows := make([][]any, benchBatch)
		for i, e := range d.log {
			p := e.Payment
			rows[i] = []any{"P1", session(base + i), p.Provider, p.Number, int64(p.Amount), int64(p.Fee), int64(p.Commission),
				p.Cashier, p.Shift, string(p.State), string(p.Closed), p.Accepted, p.Final, dayOf(p.Accepted, time.UTC), int64(base + i + 1)}
		}
		if _, err := w.db.CopyFrom(ctx, pgx.Identifier{"payments"}, cols, pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*benchBatch)/b.Elapsed().Seconds(), "payments/s")
}
