package push_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"paydesk/hub"
	"paydesk/hub/push"
	"paydesk/hub/wire"
	"paydesk/internal/pgtest"
	"paydesk/money"
	"paydesk/protocol/ipriv/ipritest"
)

// lagDesk is a desk whose outbox remembers when each event was made, and
// measures, when the hub acknowledges it, how long it took.
type lagDesk struct {
	mu      sync.Mutex
	events  []wire.Event
	made    []time.Time
	applied int64
	lags    []time.Duration
}

func (d *lagDesk) pay() {
	d.mu.Lock()
	defer d.mu.Unlock()
	seq := int64(len(d.events) + 1)
	now := time.Now()
	d.events = append(d.events, wire.Event{Seq: seq, Type: wire.TypePayment, At: t0, Payment: &wire.Payment{
		Session: fmt.Sprintf("S%06d", seq), Provider: "mts", Number: wire.Mask("9161234567"),
		Amount: money.Amount(1000 + seq), Fee: 10, Commission: 30, Cashier: "kassir", Shift: 1,
		State: wire.Paid, Closed: wire.ByNetwork, Accepted: t0, Final: t0}})
	d.made = append(d.made, now)
}

func (d *lagDesk) After(_ context.Context, seq int64, n int) ([]wire.Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if seq >= int64(len(d.events)) {
		return nil, nil
	}
	return append([]wire.Event(nil), d.events[seq:min(int(seq)+n, len(d.events))]...), nil
}

func (d *lagDesk) Applied(_ context.Context, seq int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for s := d.applied + 1; s <= seq; s++ {
		d.lags = append(d.lags, now.Sub(d.made[s-1]))
	}
	d.applied = max(d.applied, seq)
	return nil
}

// BenchmarkSyncLag has 1000 desks (PAYDESK_BENCH_DESKS) pushing at once to
// one hub over HTTP, each making a payment every 2 s on average for 10 s
// and waking its sender (hub/push.Run) at once; it reports the lag from a
// payment's final state on the desk to the desk holding the hub's
// acknowledgement, p50 and p99. Run with -benchtime 1x.
func BenchmarkSyncLag(b *testing.B) {
	desks := 1000
	if n, err := strconv.Atoi(os.Getenv("PAYDESK_BENCH_DESKS")); err == nil && n > 0 {
		desks = n
	}
	db := pgtest.Pool(b)
	ctx := context.Background()
	require.NoError(b, hub.Migrate(ctx, db))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := hub.New(db, hub.Options{Log: quiet, BcryptCost: 4})
	key := ipritest.DealerKey()
	pub, err := key.Public().MarshalCertified(key, t0)
	require.NoError(b, err)
	require.NoError(b, h.AddPartner(ctx, hub.Partner{ID: "north"}))
	rows := make([][]any, desks)
	for i := range desks {
		rows[i] = []any{fmt.Sprintf("L%04d", i), "north", "L", hub.DefaultTZ, int64(key.Serial), pub, t0}
	}
	_, err = db.CopyFrom(ctx, pgx.Identifier{"points"}, []string{"id", "partner", "name", "tz", "key_serial", "public_key", "created_at"}, pgx.CopyFromRows(rows))
	require.NoError(b, err)
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: desks}, Timeout: 30 * time.Second}

	for b.Loop() {
		runCtx, cancel := context.WithCancel(ctx)
		ds := make([]*lagDesk, desks)
		var senders, makers sync.WaitGroup
		for i := range desks {
			d := &lagDesk{}
			ds[i] = d
			wake := make(chan struct{}, 1)
			s := &push.Sender{Hub: srv.URL, Point: fmt.Sprintf("L%04d", i), Key: key, Outbox: d, Client: client, Log: quiet}
			senders.Go(func() { _ = s.Run(runCtx, 0, time.Minute, 200*time.Millisecond, wake) })
			makers.Go(func() {
				r := rand.New(rand.NewPCG(uint64(i), 5))
				end := time.Now().Add(10 * time.Second)
				for {
					time.Sleep(time.Duration(r.IntN(4000)) * time.Millisecond)
					if time.Now().After(end) {
						return
					}
					d.pay()
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			})
		}
		makers.Wait()
		deadline := time.Now().Add(30 * time.Second)
		for _, d := range ds {
			for {
				d.mu.Lock()
				done := d.applied == int64(len(d.events))
				d.mu.Unlock()
				if done || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		cancel()
		senders.Wait()
		var lags []time.Duration
		events := 0
		for _, d := range ds {
			lags = append(lags, d.lags...)
			events += len(d.events)
		}
		require.Equal(b, events, len(lags), "every payment acknowledged")
		slices.Sort(lags)
		b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "p99_ms")
		b.ReportMetric(float64(events)/10, "payments/s")
	}
}
