package hub

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// foldLock is the advisory lock under which one fold at a time runs, on
// whichever instance: two folds moving the same summary rows in different
// orders could deadlock.
const foldLock = 0x666f6c64 // "fold"

// qFold moves every delta committed into the daily and monthly summaries
// and deletes it, in one statement (so in one transaction with the
// deletion: a delta is folded once or not at all). Deltas that sum to
// nothing write no row.
const qFold = `WITH moved AS (
	    DELETE FROM summary_deltas RETURNING *
	), delta AS (
	    SELECT point, day, provider, cashier, sum(count) AS count, sum(amount) AS amount, sum(fee) AS fee,
	        sum(commission) AS commission
	    FROM moved GROUP BY 1, 2, 3, 4
	    HAVING sum(count) <> 0 OR sum(amount) <> 0 OR sum(fee) <> 0 OR sum(commission) <> 0
	), days AS (
	    INSERT INTO summaries (point, day, provider, cashier, count, amount, fee, commission)
	    SELECT * FROM delta
	    ON CONFLICT (point, day, provider, cashier) DO UPDATE SET count = summaries.count + excluded.count,
	      amount = summaries.amount + excluded.amount, fee = summaries.fee + excluded.fee,
	      commission = summaries.commission + excluded.commission
	), months AS (
	    INSERT INTO summaries_month (point, month, provider, cashier, count, amount, fee, commission)
	    SELECT point, date_trunc('month', day)::date, provider, cashier, sum(count), sum(amount), sum(fee), sum(commission)
	    FROM delta GROUP BY 1, 2, 3, 4
	    ON CONFLICT (point, month, provider, cashier) DO UPDATE SET count = summaries_month.count + excluded.count,
	      amount = summaries_month.amount + excluded.amount, fee = summaries_month.fee + excluded.fee,
	      commission = summaries_month.commission + excluded.commission
	)
	SELECT count(*) FROM moved`

// Fold moves the summary deltas the ingest has written into the daily and
// monthly summaries, waiting for a fold under way on another instance,
// and returns how many it moved. Reports do not need it (they read the
// deltas too); it keeps the deltas few. An instance folds by itself after
// its ingests.
func (h *Hub) Fold(ctx context.Context) (int64, error) {
	const op = "fold"
	var n int64
	err := pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", foldLock); err != nil {
			return err
		}
		return tx.QueryRow(ctx, qFold).Scan(&n)
	})
	if err != nil {
		return 0, dbError(op, err)
	}
	return n, nil
}

// foldMin is how many deltas an instance writes before it folds while
// its ingests keep coming; when they stop it folds whatever it wrote.
// A fold costs a transaction of its own, so that folding after every
// small batch under load (a transaction per batch) took more than the
// ingest itself; a fold of thousands of deltas also sums the ones that
// fall on the same summary row first.
const foldMin = 2000

// folder folds in the background after ingests: at most one fold of the
// instance runs; it starts once the instance has written foldMin deltas
// since the last, or when no ingest of the instance is under way, and
// runs again after itself while that holds, so that under load each fold
// takes what the ingests wrote during the one before (the folds grow with
// the load) and an idle hub has folded everything.
type folder struct {
	h *Hub

	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	running bool
	active  int  // ingests under way
	pending int  // deltas written since the last fold began
	idle    bool // no ingest was under way when the last ended
	folds   int  // for the tests
}

func newFolder(h *Hub) *folder {
	f := &folder{h: h}
	f.ctx, f.stop = context.WithCancel(context.Background())
	return f
}

// begin counts an ingest under way; end(n) counts it done with n deltas
// written and folds when it is time.
func (f *folder) begin() {
	f.mu.Lock()
	f.active++
	f.mu.Unlock()
}

func (f *folder) end(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active--
	f.pending += n
	f.idle = f.active == 0
	if f.running || !f.due() || f.ctx.Err() != nil {
		return // a fold under way looks again when it ends
	}
	f.running = true
	f.wg.Add(1)
	go f.run()
}

// due reports whether a fold should start (under mu).
func (f *folder) due() bool { return f.pending >= foldMin || f.idle && f.pending > 0 }

func (f *folder) run() {
	defer f.wg.Done()
	for {
		f.mu.Lock()
		f.pending = 0 // the fold below sees every delta counted so far: they were committed
		f.mu.Unlock()
		n, err := f.h.Fold(f.ctx)
		if err != nil && f.ctx.Err() == nil {
			f.h.log.Warn("fold failed", "err", err)
		} else if err == nil {
			f.h.log.Debug("folded", "deltas", n)
		}
		f.mu.Lock()
		f.folds++
		if !f.due() || err != nil || f.ctx.Err() != nil {
			f.running = false
			f.mu.Unlock()
			return // a failed fold is tried again after the next ingest
		}
		f.mu.Unlock()
	}
}

// close stops folding and waits for a fold under way (which it cancels).
func (f *folder) close() {
	f.mu.Lock()
	f.stop()
	f.mu.Unlock()
	f.wg.Wait()
}

// Close stops the hub's background work (the fold after ingests) and
// waits for it. Deltas not folded stay for the next fold of any instance.
func (h *Hub) Close() { h.fold.close() }
