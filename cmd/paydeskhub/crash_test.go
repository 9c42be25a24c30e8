package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub/push"
	"paydesk/hub/wire"
	"paydesk/internal/pgtest"
	"paydesk/money"
	"paydesk/protocol/ipriv/ipritest"
)

// instance is a paydeskhub serve process.
type instance struct {
	cmd *exec.Cmd
	url string
}

func startInstance(bin, db string) (*instance, error) {
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--log-level", "error")
	cmd.Env = append(os.Environ(), "PAYDESK_HUB_DB="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("paydeskhub serve did not start: %w", err)
	}
	return &instance{cmd: cmd, url: strings.TrimSpace(strings.TrimPrefix(line, "listening on "))}, nil
}

// crashDesk is a desk's outbox in memory: payments, some paid at once,
// some failed and later refunded, some disputed and later decided.
type crashDesk struct {
	mu      sync.Mutex
	events  []wire.Event
	applied int64
	r       *rand.Rand
	open    []wire.Payment
}

func (d *crashDesk) makePayments(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for range n {
		var p wire.Payment
		if len(d.open) > 0 && d.r.IntN(3) == 0 {
			p = d.open[0]
			d.open = d.open[1:]
			if p.State == wire.Disputed {
				p.State, p.Closed = []wire.State{wire.Paid, wire.Failed}[d.r.IntN(2)], wire.BySupport
			} else {
				p.State, p.Closed = wire.Refunded, wire.ByRefund
			}
		} else {
			seq := len(d.events) + 1
			p = wire.Payment{Session: fmt.Sprintf("S%06d", seq), Provider: []string{"mts", "beeline"}[d.r.IntN(2)],
				Number: wire.Mask("9161234567"), Amount: money.Amount(100 + d.r.IntN(100000)), Fee: 10,
				Commission: money.Amount(d.r.IntN(3000)), Cashier: "kassir", Shift: 1,
				State: []wire.State{wire.Paid, wire.Paid, wire.Failed, wire.Disputed}[d.r.IntN(4)], Closed: wire.ByNetwork,
				Accepted: t0.Add(time.Duration(d.r.IntN(96)) * time.Hour)}
			p.Final = p.Accepted
			if p.State == wire.Disputed {
				p.Closed = wire.Undecided
			}
			if p.State != wire.Paid {
				d.open = append(d.open, p)
			}
		}
		d.events = append(d.events, wire.Event{Seq: int64(len(d.events) + 1), Type: wire.TypePayment, At: p.Final, Payment: &p})
	}
}

func (d *crashDesk) After(_ context.Context, seq int64, n int) ([]wire.Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if seq >= int64(len(d.events)) {
		return nil, nil
	}
	return append([]wire.Event(nil), d.events[seq:min(int(seq)+n, len(d.events))]...), nil
}

func (d *crashDesk) Applied(_ context.Context, seq int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.applied = seq
	return nil
}

// books are what the desk's own books say: payments and the paid sums.
func (d *crashDesk) books() (payments, paid int64, amount, commission int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	last := map[string]*wire.Payment{}
	for _, e := range d.events {
		last[e.Payment.Session] = e.Payment
	}
	for _, p := range last {
		if p.State == wire.Paid {
			paid++
			amount += int64(p.Amount)
			commission += int64(p.Commission)
		}
	}
	return int64(len(last)), paid, amount, commission
}

// TestCrash runs three desks pushing payments to two hub processes while
// the hub processes are killed (SIGKILL) and restarted at random; at the
// end the hub's books equal the desks' to the kopeck, each event applied
// once.
func TestCrash(t *testing.T) {
	db := pgtest.URL(t)
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "paydeskhub")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	key := ipritest.DealerKey()
	pub, err := key.Public().MarshalCertified(key, t0)
	require.NoError(t, err)
	keyPath := filepath.Join(dir, "pubkeys.key")
	require.NoError(t, os.WriteFile(keyPath, pub, 0o600))
	vars := map[string]string{"PAYDESK_HUB_DB": db}
	code, _, errs := cli(t, vars, "migrate")
	require.Equal(t, 0, code, errs)
	code, _, errs = cli(t, vars, "partner", "add", "--id", "north")
	require.Equal(t, 0, code, errs)
	const desks = 3
	for i := range desks {
		code, _, errs = cli(t, vars, "point", "add", "--id", fmt.Sprintf("P%d", i+1), "--partner", "north", "--key", keyPath)
		require.Equal(t, 0, code, errs)
	}

	var mu sync.Mutex
	var live []*instance
	for range 2 {
		in, err := startInstance(bin, db)
		require.NoError(t, err)
		live = append(live, in)
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, in := range live {
			_ = in.cmd.Process.Kill()
			_ = in.cmd.Wait()
		}
	}()
	pick := func(r *rand.Rand) string {
		mu.Lock()
		defer mu.Unlock()
		return live[r.IntN(len(live))].url
	}

	ctx := context.Background()
	stop := make(chan struct{})
	kills := 0
	var wg sync.WaitGroup
	wg.Go(func() { // the killer
		r := rand.New(rand.NewPCG(17, 99))
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(30+r.IntN(120)) * time.Millisecond):
			}
			mu.Lock()
			i := r.IntN(len(live))
			_ = live[i].cmd.Process.Kill()
			_ = live[i].cmd.Wait()
			in, err := startInstance(bin, db)
			if err != nil {
				mu.Unlock()
				t.Error(err)
				return
			}
			live[i] = in
			kills++
			mu.Unlock()
		}
	})
	ds := make([]*crashDesk, desks)
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range desks {
		ds[i] = &crashDesk{r: rand.New(rand.NewPCG(17, uint64(i)))}
		wg.Go(func() {
			d := ds[i]
			r := rand.New(rand.NewPCG(18, uint64(i)))
			s := &push.Sender{Point: fmt.Sprintf("P%d", i+1), Key: key, Outbox: d, Client: client, Batch: 1 + r.IntN(60)}
			for {
				select {
				case <-stop:
					return
				default:
				}
				d.makePayments(1 + r.IntN(40))
				s.Hub = pick(r)
				_, _ = s.Sync(ctx, d.applied) // a killed instance is no answer: try again
			}
		})
	}
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()

	// The instances stay up now: each desk sends what is left.
	for i, d := range ds {
		s := &push.Sender{Point: fmt.Sprintf("P%d", i+1), Key: key, Outbox: d, Client: client}
		require.Eventually(t, func() bool {
			s.Hub = pick(rand.New(rand.NewPCG(1, 1)))
			last, err := s.Sync(ctx, d.applied)
			return err == nil && last == int64(len(d.events))
		}, 30*time.Second, 10*time.Millisecond)
	}
	require.Positive(t, kills)

	pool, err := pgxpool.New(ctx, db)
	require.NoError(t, err)
	defer pool.Close()
	var events int
	for i, d := range ds {
		point := fmt.Sprintf("P%d", i+1)
		payments, paid, amount, commission := d.books()
		var hub [5]int64
		require.NoError(t, pool.QueryRow(ctx, `SELECT p.last_seq,
		        (SELECT count(*) FROM payments WHERE point = $1),
		        (SELECT coalesce(sum(count), 0) FROM summaries WHERE point = $1),
		        (SELECT coalesce(sum(amount), 0) FROM summaries WHERE point = $1),
		        (SELECT coalesce(sum(commission), 0) FROM summaries WHERE point = $1)
		    FROM points p WHERE p.id = $1`, point).Scan(&hub[0], &hub[1], &hub[2], &hub[3], &hub[4]))
		assert.Equal(t, [5]int64{int64(len(d.events)), payments, paid, amount, commission}, hub, point)
		events += len(d.events)
	}
	t.Logf("%d events from %d desks, %d hub processes killed", events, desks, kills)
}
