package shtrih_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type harness struct {
	emu   *emulator.Emulator
	dev   *shtrih.Device
	clock *clock
	dir   string
}

var transports = []string{"tcp", "pty"}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("PAYDESK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func newHarness(t testing.TB, transport string, mod ...func(*emulator.Config, *shtrih.Options)) *harness {
	t.Helper()
	if transport == "pty" && runtime.GOOS != "linux" {
		t.Skip("the emulator opens pseudo-terminals on Linux only")
	}
	dir := t.TempDir()
	clk := &clock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	cfg := emulator.Config{
		StatePath: filepath.Join(dir, "state.json"),
		TapePath:  filepath.Join(dir, "tape.txt"),
		Now:       clk.Now,
		TCPFiller: true,
		SlowDelay: 1200 * time.Millisecond,
		Logger:    testLogger(t),
	}
	opt := shtrih.Options{
		MaxAnswerTimeout: 800 * time.Millisecond,
		ByteTimeout:      150 * time.Millisecond,
		PollInterval:     5 * time.Millisecond,
		ReadyTimeout:     3 * time.Second,
		Location:         time.UTC,
		Logger:           testLogger(t),
	}
	for _, m := range mod {
		m(&cfg, &opt)
	}
	emu, err := emulator.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { emu.Close() })
	var conn shtrih.Conn
	switch transport {
	case "tcp":
		addr, err := emu.ListenTCP("127.0.0.1:0")
		require.NoError(t, err)
		conn, err = shtrih.Dial("tcp://"+addr.String(), 0, time.Second)
		require.NoError(t, err)
	case "pty":
		link := filepath.Join(dir, "ttyKKM")
		_, err := emu.ListenPTY(link)
		require.NoError(t, err)
		conn, err = shtrih.Dial(link, 115200, time.Second)
		require.NoError(t, err)
	default:
		t.Fatalf("unknown transport %q", transport)
	}
	dev := shtrih.New(conn, opt)
	t.Cleanup(func() { dev.Close() })
	return &harness{emu: emu, dev: dev, clock: clk, dir: dir}
}

var cashier = fiscal.Cashier{Name: "Иванова А.А.", INN: "500100732259"}

// agentReceipt is the top-up of receipt-54fz.md §8: 500.00 + 10.00 fee.
func agentReceipt() fiscal.Receipt {
	return fiscal.Receipt{
		Lines: []fiscal.Line{
			{
				Name: "Оплата связи МТС +79161234567", Price: 50000, Quantity: 1_000_000,
				Tax: fiscal.NoVAT, Subject: fiscal.SubjectPayment, Department: 1,
				Agent:    fiscal.PaymentSubagent,
				Supplier: &fiscal.Supplier{Name: `ПАО "МТС"`, INN: "7740000076", Phones: []string{"+78000000003"}},
			},
			{
				Name: "Вознаграждение платежного агента", Price: 1000, Quantity: 1_000_000,
				Tax: fiscal.NoVAT, Subject: fiscal.SubjectAgentFee, Department: 1,
			},
		},
		Payments:       fiscal.Payments{Cash: 51000},
		TaxSystem:      fiscal.USNIncome,
		Agent:          &fiscal.Agent{Sign: fiscal.PaymentSubagent, AgentPhones: []string{"+74950000001"}, OperatorPhones: []string{"+74950000002"}},
		SupplierPhones: []string{"+78000000003"},
		Cashier:        cashier,
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}
