package main

import (
	"bufio"
	"context"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
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
	"golang.org/x/crypto/bcrypt"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/hub"
	"paydesk/internal/pgtest"
	"paydesk/money"
	"paydesk/protocol/gateway/sim"
)

// hubFleet is paydeskhub serve processes on one database behind one
// address, killed (SIGKILL) and started again at random.
type hubFleet struct {
	bin, db string
	mu      sync.Mutex
	urls    []*url.URL
	procs   []*exec.Cmd
	kills   int
}

func (f *hubFleet) start(t *testing.T) {
	cmd := exec.Command(f.bin, "serve", "--listen", "127.0.0.1:0", "--log-level", "error")
	cmd.Env = append(os.Environ(), "PAYDESK_HUB_DB="+f.db)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "paydeskhub serve did not start")
	u, err := url.Parse(strings.TrimSpace(strings.TrimPrefix(line, "listening on ")))
	require.NoError(t, err)
	f.mu.Lock()
	f.urls, f.procs = append(f.urls, u), append(f.procs, cmd)
	f.mu.Unlock()
}

// kill kills one instance at random and starts another in its place.
func (f *hubFleet) kill(t *testing.T, r *rand.Rand) {
	f.mu.Lock()
	i := r.IntN(len(f.procs))
	p := f.procs[i]
	f.procs = append(f.procs[:i], f.procs[i+1:]...)
	f.urls = append(f.urls[:i], f.urls[i+1:]...)
	f.kills++
	f.mu.Unlock()
	_ = p.Process.Kill()
	_ = p.Wait()
	f.start(t)
}

func (f *hubFleet) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.procs {
		_ = p.Process.Kill()
		_ = p.Wait()
	}
}

// ServeHTTP passes a request to a live instance, or answers 503.
func (f *hubFleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if len(f.urls) == 0 {
		f.mu.Unlock()
		http.Error(w, "no hub", http.StatusServiceUnavailable)
		return
	}
	u := f.urls[rand.IntN(len(f.urls))]
	f.mu.Unlock()
	p := httputil.NewSingleHostReverseProxy(u)
	p.ErrorLog = log.New(io.Discard, "", 0) // an instance killed mid-request: the desk tries again
	p.ServeHTTP(w, r)
}

// TestSoakToHub: the soak's desk, its worker killed at random, ships to
// two hub instances killed at random too; at the end the hub's paid
// payments equal the desk's books to the kopeck, each applied once.
func TestSoakToHub(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("spawns desks and hubs: make test runs it without the race detector")
	}
	db := pgtest.URL(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	require.NoError(t, hub.Migrate(ctx, pool))
	h := hub.New(pool, hub.Options{BcryptCost: bcrypt.MinCost})
	defer h.Close()

	dir := trainingDir(t)
	pub, err := os.ReadFile(filepath.Join(dir, "training", "keys", sim.FileDealerKey))
	require.NoError(t, err)
	require.NoError(t, h.AddPartner(ctx, hub.Partner{ID: "north"}))
	require.NoError(t, h.AddPoint(ctx, hub.Point{ID: "P1", Partner: "north", Key: pub, Serial: sim.TrainingDealerSerial}))
	require.NoError(t, h.AddUser(ctx, hub.User{Login: "anna", Role: hub.RolePartner, Partner: "north"}, "anna-secret"))

	bin := filepath.Join(t.TempDir(), "paydeskhub")
	build := exec.Command("go", "build", "-o", bin, "../paydeskhub")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	fleet := &hubFleet{bin: bin, db: db}
	fleet.start(t)
	fleet.start(t)
	defer fleet.stop()
	proxy := httptest.NewServer(fleet)
	defer proxy.Close()

	stop := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		r := rand.New(rand.NewPCG(7, 11))
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(200+r.IntN(600)) * time.Millisecond):
				fleet.kill(t, r)
			}
		}
	}()
	t.Setenv("PAYDESK_HUB_URL", proxy.URL)
	t.Setenv("PAYDESK_HUB_POINT", "P1")
	t.Setenv("PAYDESK_HUB_EVERY", "5s")
	t.Setenv("PAYDESKCTL_AS_MAIN", "1")
	r := runCLI(t, nil, "soak", "--n", "60", "--shift", "20", "--data", dir, "--seed", "3", "--max-life", "700ms")
	close(stop)
	<-killed
	require.Equal(t, 0, r.code, "%s\n%s", r.stdout, r.stderr)
	require.Contains(t, r.stdout, "reconciliation=ok")

	// The desk once more, the hub left alone: everything reaches it.
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = dir
	rt, err := app.Boot(ctx, cfg, app.Options{Training: training.Start})
	require.NoError(t, err)
	defer rt.Close()
	require.Eventually(t, func() bool {
		rt.Shipper.Sync()
		st := rt.Shipper.State(ctx)
		return st.Applied == st.Written
	}, 60*time.Second, 100*time.Millisecond, "the hub has every event: %+v", rt.Shipper.State(ctx))

	u, err := h.SignIn(ctx, "anna", "anna-secret")
	require.NoError(t, err)
	now := time.Now()
	rows, err := h.Report(ctx, u, hub.Query{From: now.AddDate(0, 0, -2), To: now.AddDate(0, 0, 2), By: hub.ByPoint})
	require.NoError(t, err)
	mgr, err := rt.Till.SignIn(ctx, "manager", "222222")
	require.NoError(t, err)
	paid, err := rt.Till.History(ctx, mgr, app.Filter{State: app.StatePaid, Limit: 100_000})
	require.NoError(t, err)
	var count int64
	var amount, commission money.Amount
	for _, p := range paid {
		count++
		amount += p.Amount
		commission += p.Commission
	}
	require.NotZero(t, count)
	require.Len(t, rows, 1, "the one point")
	assert.Equal(t, count, rows[0].Count, "each paid payment once")
	assert.Equal(t, amount, rows[0].Amount, "to the kopeck")
	assert.Equal(t, commission, rows[0].Commission)
	t.Logf("hub instances killed %d times; %d paid payments, %s", fleet.kills, count, amount)
}
