package hub

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
	"paydesk/money"
)

// dayScale is the network day's size: 15 000 points and 1 000 000 payments
// with PAYDESK_BENCH_DAY=full, a tenth of that otherwise.
func dayScale() (points, payments int) {
	if os.Getenv("PAYDESK_BENCH_DAY") == "full" {
		return 15000, 1_000_000
	}
	return 1500, 100_000
}

// dayGroup is how many batches one transaction applies (IngestAll), as a
// hub instance would group the requests that come in together; 1 is a
// transaction per batch.
var dayGroup = func() int {
	if n, err := strconv.Atoi(os.Getenv("PAYDESK_BENCH_GROUP")); err == nil && n > 0 {
		return n
	}
	return 32
}()

type dayBatch struct {
	worker int
	doc    []byte
	rows   [][]any // the same payments as COPY rows
}

// BenchmarkNetworkDay ingests a network's day of payments from many points
// in batches of 1 to 40 events (a desk online sends few, one back from
// offline many), several points at once, and then writes the same rows
// with a bare COPY, reporting both rates and their ratio. The ingest's
// time includes folding the summaries (in the background as the batches
// come, and what is left at the end). Making and signing the batches is
// outside the timer. Run with -benchtime 1x.
// PAYDESK_BENCH_GROUP sets how many batches go in one transaction (32).
func BenchmarkNetworkDay(b *testing.B) {
	nPoints, nPayments := dayScale()
	w := newWorld(b)
	ctx := context.Background()
	file := keyFile(b, dealer)
	rows := make([][]any, nPoints)
	for i := range nPoints {
		rows[i] = []any{fmt.Sprintf("D%05d", i), "north", fmt.Sprintf("Точка %d", i), DefaultTZ, int64(dealer.Serial), file, t0}
	}
	_, err := w.db.CopyFrom(ctx, pgx.Identifier{"points"}, []string{"id", "partner", "name", "tz", "key_serial", "public_key", "created_at"}, pgx.CopyFromRows(rows))
	require.NoError(b, err)
	_, err = w.db.Exec(ctx, "CREATE TABLE payments_copy (LIKE payments INCLUDING ALL)")
	require.NoError(b, err)
	workers := 2 * runtime.GOMAXPROCS(0)
	providers := []string{"mts", "beeline", "megafon", "tele2", "rostelecom", "mosenergo"}

	for b.Loop() {
		b.StopTimer()
		r := rand.New(rand.NewPCG(17, 15000))
		seq := make([]int64, nPoints)
		var ingest, copying time.Duration
		made := 0
		for made < nPayments {
			// A chunk of batches, made and signed before the clock runs.
			var chunk []dayBatch
			for n := 0; n < 50_000 && made < nPayments; {
				p := r.IntN(nPoints)
				k := min(1+r.IntN(40), nPayments-made)
				point := fmt.Sprintf("D%05d", p)
				bt := &wire.Batch{Version: wire.Version, Point: point, From: seq[p] + 1, To: seq[p] + int64(k), Sent: t0}
				db := dayBatch{worker: p % workers}
				for j := range k {
					seq[p]++
					at := t0.Add(time.Duration(r.IntN(86400)) * time.Second)
					amount := money.Amount(1000 + r.IntN(500000))
					pay := &wire.Payment{Session: fmt.Sprintf("%s-%06d", point, seq[p]), Provider: providers[r.IntN(len(providers))],
						Number: "916***4567", Amount: amount, Fee: amount / 50, Commission: amount * 3 / 100,
						Cashier: []string{"kassir", "petrova", "ivanova"}[r.IntN(3)], Shift: 1, State: wire.Paid, Closed: wire.ByNetwork,
						Accepted: at, Final: at}
					bt.Events = append(bt.Events, wire.Event{Seq: seq[p], Type: wire.TypePayment, At: at, Payment: pay})
					db.rows = append(db.rows, []any{point, pay.Session, pay.Provider, pay.Number, int64(pay.Amount), int64(pay.Fee),
						int64(pay.Commission), pay.Cashier, pay.Shift, string(pay.State), string(pay.Closed), at, at, dayOf(at, moscow), seq[p], ""})
					_ = j
				}
				chunk = append(chunk, db)
				chunk[len(chunk)-1].doc = nil
				docs := bt
				i := len(chunk) - 1
				chunk[i].doc, err = wire.Sign(docs, dealer, t0)
				require.NoError(b, err)
				n += k
				made += k
			}
			b.StartTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for wk := range workers {
				wg.Go(func() {
					var group [][]byte
					flush := func() {
						for _, o := range w.hub.IngestAll(ctx, group) {
							if o.Err != nil {
								b.Error(o.Err)
							}
						}
						group = group[:0]
					}
					for _, c := range chunk {
						if c.worker != wk {
							continue
						}
						if group = append(group, c.doc); len(group) == dayGroup {
							flush()
						}
					}
					if len(group) > 0 {
						flush()
					}
				})
			}
			wg.Wait()
			if made == nPayments { // the day ends folded: the summaries hold it all
				_, err := w.hub.Fold(ctx)
				require.NoError(b, err)
			}
			ingest += time.Since(start)
			b.StopTimer()

			var all [][]any
			for _, c := range chunk {
				all = append(all, c.rows...)
			}
			start = time.Now()
			_, err := w.db.CopyFrom(ctx, pgx.Identifier{"payments_copy"}, []string{"point", "session", "provider", "number", "amount", "fee",
				"commission", "cashier", "shift", "state", "closed", "accepted_at", "final_at", "day", "seq", "lookup"}, pgx.CopyFromRows(all))
			require.NoError(b, err)
			copying += time.Since(start)
		}
		b.ReportMetric(ingest.Seconds(), "ingest_s")
		b.ReportMetric(float64(nPayments)/ingest.Seconds(), "payments/s")
		b.ReportMetric(copying.Seconds(), "copy_s")
		b.ReportMetric(ingest.Seconds()/copying.Seconds(), "x_copy")
		b.StartTimer()
	}
	var got, left int64
	require.NoError(b, w.db.QueryRow(ctx, "SELECT coalesce(sum(count), 0) FROM summaries").Scan(&got))
	require.EqualValues(b, nPayments, got, "every payment is in the summaries once")
	require.NoError(b, w.db.QueryRow(ctx, "SELECT count(*) FROM summary_deltas").Scan(&left))
	require.Zero(b, left, "every delta folded")
	w.hub.fold.mu.Lock()
	b.ReportMetric(float64(w.hub.fold.folds), "folds")
	w.hub.fold.mu.Unlock()
}
