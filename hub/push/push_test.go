package push_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub"
	"paydesk/hub/push"
	"paydesk/hub/wire"
	"paydesk/internal/pgtest"
	"paydesk/money"
	"paydesk/protocol/ipriv/ipritest"
)

var t0 = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)

// outbox is a desk's outbox in memory.
type outbox struct {
	mu      sync.Mutex
	events  []wire.Event
	applied int64
}

func (o *outbox) add(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for range n {
		seq := int64(len(o.events) + 1)
		o.events = append(o.events, wire.Event{Seq: seq, Type: wire.TypePayment, At: t0, Payment: &wire.Payment{
			Session: fmt.Sprintf("S%06d", seq), Provider: "mts", Number: wire.Mask("9161234567"),
			Amount: money.Amount(1000 + seq), Fee: 10, Commission: 30, Cashier: "kassir", Shift: 1,
			State: wire.Paid, Closed: wire.ByNetwork, Accepted: t0, Final: t0}})
	}
}

func (o *outbox) After(_ context.Context, seq int64, n int) ([]wire.Event, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if seq >= int64(len(o.events)) {
		return nil, nil
	}
	return append([]wire.Event(nil), o.events[seq:min(int(seq)+n, len(o.events))]...), nil
}

func (o *outbox) Applied(_ context.Context, seq int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.applied = seq
	return nil
}

func (o *outbox) acked() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.applied
}

// theHub is a hub with partner north and point P1 (the dealer key).
func theHub(t *testing.T) (*hub.Hub, *pgxpool.Pool) {
	db := pgtest.Pool(t)
	ctx := context.Background()
	require.NoError(t, hub.Migrate(ctx, db))
	h := hub.New(db, hub.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BcryptCost: 4})
	key := ipritest.DealerKey()
	pub, err := key.Public().MarshalCertified(key, t0)
	require.NoError(t, err)
	require.NoError(t, h.AddPartner(ctx, hub.Partner{ID: "north"}))
	require.NoError(t, h.AddPoint(ctx, hub.Point{ID: "P1", Partner: "north", Key: pub}))
	return h, db
}

func lastSeq(t *testing.T, db *pgxpool.Pool) (last, payments int64) {
	require.NoError(t, db.QueryRow(context.Background(), "SELECT last_seq, (SELECT count(*) FROM payments) FROM points WHERE id = 'P1'").Scan(&last, &payments))
	return last, payments
}

func TestSync(t *testing.T) {
	h, db := theHub(t)
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		h.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()
	ob := &outbox{}
	ob.add(1200)
	s := &push.Sender{Hub: srv.URL, Point: "P1", Key: ipritest.DealerKey(), Outbox: ob, Batch: 500}

	last, err := s.Sync(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(1200), last)
	assert.Equal(t, int64(1200), ob.acked())
	assert.EqualValues(t, 3, posts.Load(), "500 + 500 + 200")

	// Nothing new: nothing is sent.
	last, err = s.Sync(ctx, 1200)
	require.NoError(t, err)
	assert.Equal(t, int64(1200), last)
	assert.EqualValues(t, 3, posts.Load())

	// The desk lost its record of the acknowledgements: what it sends
	// again is applied nothing twice.
	last, err = s.Sync(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(1200), last)
	hubLast, payments := lastSeq(t, db)
	assert.Equal(t, []int64{1200, 1200}, []int64{hubLast, payments})

	// The hub's database went back to event 500 (restored): the desk,
	// sure of 1200, is told of the gap and sends from 501.
	_, err = db.Exec(ctx, "UPDATE points SET last_seq = 500")
	require.NoError(t, err)
	_, err = db.Exec(ctx, "DELETE FROM payments WHERE seq > 500")
	require.NoError(t, err)
	ob.add(100)
	last, err = s.Sync(ctx, 1200)
	require.NoError(t, err)
	assert.Equal(t, int64(1300), last)
	hubLast, payments = lastSeq(t, db)
	assert.Equal(t, []int64{1300, 1300}, []int64{hubLast, payments})

	// A point the hub does not know is refused for good.
	stranger := &push.Sender{Hub: srv.URL, Point: "P9", Key: ipritest.DealerKey(), Outbox: ob, Lang: "en"}
	_, err = stranger.Sync(ctx, 0)
	var refused *push.Refused
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, wire.KindPoint, refused.Answer.Refused)
	assert.Contains(t, refused.Error(), "the point is not registered on the hub")
}

func TestRun(t *testing.T) {
	h, db := theHub(t)
	var down atomic.Int32
	down.Store(3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Add(-1) >= 0 {
			http.Error(w, "down for maintenance", http.StatusBadGateway)
			return
		}
		h.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	ob := &outbox{}
	ob.add(50)
	s := &push.Sender{Hub: srv.URL, Point: "P1", Key: ipritest.DealerKey(), Outbox: ob, Batch: 20,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, 0, time.Hour, 5*time.Millisecond, wake) }()
	require.Eventually(t, func() bool { return ob.acked() == 50 }, 10*time.Second, 5*time.Millisecond, "sent after the hub came back")
	ob.add(7)
	wake <- struct{}{}
	require.Eventually(t, func() bool { return ob.acked() == 57 }, 10*time.Second, 5*time.Millisecond, "woken by a new event")
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	hubLast, payments := lastSeq(t, db)
	assert.Equal(t, []int64{57, 57}, []int64{hubLast, payments})
}
