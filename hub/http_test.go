package hub

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
	"paydesk/internal/i18n"
)

func TestHTTP(t *testing.T) {
	w := newWorld(t)
	srv := httptest.NewServer(w.hub.Handler())
	defer srv.Close()
	ctx := context.Background()
	d := &desk{point: "P1", key: dealer}
	for i := range 5 {
		d.pay(session(i), "mts", "kassir", 1000, wire.Paid, wire.ByNetwork, t0)
	}

	a, err := wire.Post(ctx, srv.Client(), srv.URL, d.batch(t, 1, 3), i18n.RU)
	require.NoError(t, err)
	assert.Equal(t, &wire.Answer{Point: "P1", Last: 3, Applied: 3}, a)

	a, err = wire.Post(ctx, srv.Client(), srv.URL, d.batch(t, 1, 3), i18n.RU)
	require.NoError(t, err)
	assert.Equal(t, &wire.Answer{Point: "P1", Last: 3, Skipped: 3}, a)

	a, err = wire.Post(ctx, srv.Client(), srv.URL, d.batch(t, 5, 5), i18n.EN)
	require.NoError(t, err)
	assert.Equal(t, wire.KindGap, a.Refused)
	assert.Equal(t, int64(3), a.Last, "the desk learns where to resume")
	assert.Equal(t, "the batch starts at event 5, but the hub expects event 4: send from 4", a.Message)

	forged := &desk{point: "P1", key: bank, log: d.log}
	a, err = wire.Post(ctx, srv.Client(), srv.URL, forged.batch(t, 4, 5), i18n.RU)
	require.NoError(t, err)
	assert.Equal(t, wire.KindSignature, a.Refused)
	assert.Contains(t, a.Message, "пакет не подписан зарегистрированным ключом точки")

	a, err = wire.Post(ctx, srv.Client(), srv.URL, []byte("hello"), i18n.EN)
	require.NoError(t, err)
	assert.Equal(t, wire.KindFormat, a.Refused)

	a, err = wire.Post(ctx, srv.Client(), srv.URL, d.batch(t, 4, 5), i18n.RU)
	require.NoError(t, err)
	assert.Equal(t, &wire.Answer{Point: "P1", Last: 5, Applied: 2}, a)

	for _, c := range []struct {
		name   string
		method string
		path   string
		body   []byte
		status int
	}{
		{"too large", http.MethodPost, wire.Path, bytes.Repeat([]byte("x"), wire.MaxBytes+1), http.StatusRequestEntityTooLarge},
		{"get batch", http.MethodGet, wire.Path, nil, http.StatusMethodNotAllowed},
		{"healthz", http.MethodGet, "/healthz", nil, http.StatusOK},
		{"elsewhere", http.MethodGet, "/nothing", nil, http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+c.path, bytes.NewReader(c.body))
			require.NoError(t, err)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			assert.Equal(t, c.status, resp.StatusCode)
		})
	}
	assert.EqualValues(t, 5, count(t, w.db, "SELECT count(*) FROM payments"))

	// The hub's own trouble is no refusal: Post says there is no answer.
	w.db.Close()
	_, err = wire.Post(ctx, srv.Client(), srv.URL, d.batch(t, 1, 1), i18n.RU)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "503")
}

// TestHTTPGroups has twelve desks post their batches at once to a hub with
// one lane: the batches that arrive together share transactions, and each
// desk's events are applied once, in order.
func TestHTTPGroups(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	h := New(w.db, Options{Clock: w.clk, Log: w.hub.log, Lanes: 1, Group: 8})
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	const desks = 12
	var ds []*desk
	for i := range desks {
		id := fmt.Sprintf("H%02d", i)
		require.NoError(t, h.AddPoint(ctx, Point{ID: id, Partner: "north", Key: keyFile(t, dealer)}))
		d := &desk{point: id, key: dealer}
		for j := range 40 {
			d.pay(session(j), "mts", "kassir", int64(100+j), wire.Paid, wire.ByNetwork, t0)
		}
		ds = append(ds, d)
	}
	var wg sync.WaitGroup
	posts := 0
	for _, d := range ds {
		posts += 10
		wg.Go(func() {
			for from := int64(1); from <= 40; from += 4 {
				a, err := wire.Post(ctx, srv.Client(), srv.URL, d.batch(t, from, from+3), i18n.EN)
				if !assert.NoError(t, err) || !assert.Empty(t, a.Refused, a.Message) {
					return
				}
				assert.Equal(t, from+3, a.Last)
			}
		})
	}
	wg.Wait()
	h.group.mu.Lock()
	groups := h.group.groups
	h.group.mu.Unlock()
	t.Logf("%d batches in %d transactions", posts, groups)
	assert.Less(t, groups, posts, "batches that came together shared a transaction")
	assert.EqualValues(t, desks*40, count(t, w.db, "SELECT count(*) FROM payments"))
	fold(t, w)
	assert.EqualValues(t, desks*(40*100+40*39/2), count(t, w.db, "SELECT sum(amount) FROM summaries"))
	checkSummaries(t, w)
}
