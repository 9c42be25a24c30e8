package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"paydesk/app/training"
	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
	"paydesk/store"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// worldEnv, when set to a training keys folder, makes the test binary serve
// the world instead of testing: the gateway simulator on loopback HTTP and
// an unpaced register emulator on a pseudo-terminal, until its standard input closes.
const worldEnv = "PAYDESK_BENCH_WORLD"

// serveWorld is the child process of BenchmarkClientOverhead.
func serveWorld(keysDir string) {
	keys, err := sim.TrainingKeys(keysDir, time.Now())
	if err != nil {
		panic(err)
	}
	cfg := keys.Config()
	cfg.Balance = training.Balance
	srv, err := sim.Listen("127.0.0.1:0", cfg, nil)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	emu, err := emulator.New(emulator.Config{LineWidth: 32})
	if err != nil {
		panic(err)
	}
	defer emu.Close()
	// A serial line, as the training till and a real register have; TCP
	// where there are no pseudo-terminals.
	port := ""
	if p, err := emu.ListenPTY(""); err == nil {
		port = p.Path
	} else if addr, err := emu.ListenTCP("127.0.0.1:0"); err == nil {
		port = "tcp://" + addr.String()
	} else {
		panic(err)
	}
	fmt.Printf("%s %s\n", srv.URL, port)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// BenchmarkClientOverhead is the CPU PayDesk itself spends on one payment
// (number entered, check, pay, status, receipt: signing, verification,
// windows-1251 encoding, HTTP, the durable store writes, the state
// transitions), with the network and the device excluded: the simulator
// and the emulator run in another process, so this process's CPU time
// (getrusage) is the client's alone. cpu-ms/op is that time per payment;
// ns/op is the wall time of the whole payment including the other process
// and loopback.
//
// "register" makes the fiscal receipt and the slip through the Shtrih-M
// driver on a serial line (pseudo-terminal), so it includes the driver's
// side of the line: framing, and the system calls of 54 commands.
// "no-register" leaves the device out altogether: the receipt is queued.
func BenchmarkClientOverhead(b *testing.B) {
	exe, err := os.Executable()
	require.NoError(b, err)
	world := exec.Command(exe, "-test.run=^$")
	world.Env = append(os.Environ(), worldEnv+"="+keysDir)
	stdin, err := world.StdinPipe()
	require.NoError(b, err)
	out, err := world.StdoutPipe()
	require.NoError(b, err)
	world.Stderr = os.Stderr
	require.NoError(b, world.Start())
	defer func() { _ = stdin.Close(); _ = world.Wait() }()
	var simURL, kkm string
	_, err = fmt.Fscan(bufio.NewReader(out), &simURL, &kkm)
	require.NoError(b, err)
	b.Run("register", func(b *testing.B) { benchPayments(b, simURL, kkm) })
	b.Run("no-register", func(b *testing.B) { benchPayments(b, simURL, "") })
}

// benchSeq numbers the benchmark's payments.
var benchSeq atomic.Int64

// benchPayments measures payments through a till of its own against the
// world's simulator and, when kkm is set, its register.
func benchPayments(b *testing.B, simURL, kkm string) {
	ctx := context.Background()
	keys, err := sim.TrainingKeys(keysDir, time.Now())
	require.NoError(b, err)
	cat, err := gateway.DefaultCatalogue(simURL)
	require.NoError(b, err)
	log := slog.New(slog.DiscardHandler)
	gw, err := gateway.New(gateway.Config{SD: keys.SD, AP: keys.AP, OP: keys.OP, Key: keys.Dealer, Bank: keys.Bank.Public(),
		Clock: clock.Real{}, Log: log, Timeout: 10 * time.Second})
	require.NoError(b, err)
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "paydesk.db"), store.Options{PINCost: bcrypt.MinCost, Key: make([]byte, 32)})
	require.NoError(b, err)
	defer st.Close()
	var reg fiscal.Register
	if kkm != "" {
		dev, err := fiscal.Open(shtrih.DriverName, fiscal.Config{Port: kkm, Baud: 115200, Password: 30, Log: log})
		require.NoError(b, err)
		defer dev.Close()
		reg = dev
	}
	till := New(Deps{Store: st, Network: Dealer(gw, cat), Register: reg, Clock: clock.Real{}, Log: log,
		Agent:  (&training.World{}).Agent(fiscal.OSN),
		Settle: []time.Duration{time.Millisecond}})
	_, err = st.AddCashier(ctx, "bench", store.Cashier{Login: "kassir", FullName: "Кассир", Role: store.RoleCashier}, "1111")
	require.NoError(b, err)
	u, err := till.SignIn(ctx, "kassir", "1111")
	require.NoError(b, err)
	_, err = till.OpenShift(ctx, u, 0)
	require.NoError(b, err)

	want := store.FiscalDone
	if reg == nil {
		want = store.FiscalQueued
	}
	pay := func() {
		// A payer and amount of its own for every payment of every run
		// against the one simulator (the same payment twice is ERROR 32).
		i := benchSeq.Add(1)
		p, err := till.Start(ctx, u, "mts", fmt.Sprintf("9%09d", 300000000+i))
		if err == nil {
			p, err = till.Check(ctx, u, p, money.Amount(100_00+i), Cash)
		}
		if err == nil {
			p, err = till.Confirm(ctx, u, p)
		}
		if err != nil && !(reg == nil && KindOf(err) == KindDevice) {
			b.Fatal(err)
		}
		if p.State != store.StatePaid || p.FiscalState != want {
			b.Fatalf("payment %s ended %s/%s", p.Session, p.State, p.FiscalState)
		}
	}
	pay() // connections, caches and the tape width, as a till that has been running
	user0, sys0 := cpuTime(b)
	for b.Loop() {
		pay()
	}
	user, sys := cpuTime(b)
	user, sys = user-user0, sys-sys0
	b.ReportMetric(float64(user+sys)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(sys)/float64(b.N)/1e6, "sys-ms/op")
}
