package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"time"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/app/world"
	atolemu "paydesk/fiscal/atol/emulator"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
	"paydesk/money"
	"paydesk/protocol/gateway/sim"
)

func init() {
	register(&command{
		name:    "soak",
		summary: "N training payments with random faults on both sides, the process killed at random; then reconcile",
		opts:    func() options { return &soakOpts{} },
	})
}

// soakOpts are the options of "soak": a worker process takes the payments
// and is killed (SIGKILL) at random moments and started again until N
// payments are made; then the books are reconciled with the simulator and
// the emulator.
type soakOpts struct {
	n        int
	data     string
	seed     uint64
	maxLife  time.Duration
	shiftLen int
	worker   bool
	driver   string
}

func (o *soakOpts) flags(fs *flag.FlagSet) {
	fs.IntVar(&o.n, "n", 200, "`N` payments")
	fs.StringVar(&o.data, "data", "", "data folder `DIR` (default: a new temporary folder)")
	fs.Uint64Var(&o.seed, "seed", uint64(time.Now().UnixNano()), "random `SEED` (default: from the clock)")
	fs.DurationVar(&o.maxLife, "max-life", time.Second, "a worker is killed after a random time up to this")
	fs.IntVar(&o.shiftLen, "shift", 400, "`N` payments per shift (closed with a Z report, then a new one opened)")
	fs.BoolVar(&o.worker, "worker", false, "run as the worker"+internalNote)
	fs.StringVar(&o.driver, "driver", shtrih.DriverName, "the training register's protocol `NAME`: shtrih or atol")
}

func (o *soakOpts) run(ctx context.Context, e *env, _ []string) error {
	if err := o.prepare(); err != nil {
		return err
	}
	if o.worker {
		return soakWorker(ctx, e, o.data, o.driver, o.n, o.shiftLen, o.seed)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if err := soakFund(ctx, o.data, o.driver); err != nil {
		return err
	}
	start := time.Now()
	kills, err := o.runWorkers(ctx, e, exe)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "payments=%d kills=%d seconds=%.1f seed=%d\n", o.n, kills, time.Since(start).Seconds(), o.seed)
	rec, err := soakReconcile(ctx, o.data, o.driver)
	if err != nil {
		return err
	}
	return printReconciliation(e, rec)
}

// prepare checks the flags and makes the data folder when none is given.
func (o *soakOpts) prepare() error {
	if o.n <= 0 || o.shiftLen <= 0 {
		return usageErrorf("--n and --shift must be positive")
	}
	if o.driver != shtrih.DriverName && o.driver != training.ATOLDriver {
		return usageErrorf("--driver %q: want shtrih or atol", o.driver)
	}
	if o.maxLife <= 0 {
		// rand.Int64N panics on it, with a worker already started.
		return usageErrorf("--max-life must be positive, like 1s")
	}
	if o.data == "" {
		d, err := os.MkdirTemp("", "paydesk-soak")
		if err != nil {
			return err
		}
		o.data = d
	}
	return nil
}

// runWorkers starts workers, each killed after a random life, until one
// finishes the payments; it returns how many were killed.
func (o *soakOpts) runWorkers(ctx context.Context, e *env, exe string) (int, error) {
	rng := rand.New(rand.NewPCG(o.seed, 1))
	kills := 0
	for round := 0; ; round++ {
		if round > 100+10*o.n {
			return kills, fmt.Errorf("soak: the worker did not finish after %d starts", round)
		}
		cmd, out, err := o.start(ctx, e, exe, round)
		if err != nil {
			return kills, err
		}
		// The worker's life is counted from when it is ready (booted and
		// recovered), so that a slow start still leaves it time to pay.
		life := time.Duration(rng.Int64N(int64(o.maxLife))) + 200*time.Millisecond
		finished, killed, err := watchWorker(cmd, out, life)
		// A worker that said it is done has finished the payments, even if
		// it was killed while closing (slow under the race detector).
		if err == nil || finished {
			return kills, nil
		}
		if !killed {
			return kills, fmt.Errorf("soak: worker failed: %w", err)
		}
		kills++
	}
}

// start starts the worker of a round; out is its standard output.
func (o *soakOpts) start(ctx context.Context, e *env, exe string, round int) (*exec.Cmd, io.Reader, error) {
	cmd := exec.CommandContext(ctx, exe, "soak", "--worker", "--n", fmt.Sprint(o.n), "--shift", fmt.Sprint(o.shiftLen), "--data", o.data,
		"--seed", fmt.Sprint(o.seed+uint64(round)), "--driver", o.driver)
	cmd.Env = append(os.Environ(), "PAYDESK_DATA_DIR="+o.data, "PAYDESK_CONFIG=", "PAYDESK_TEST_KILL_AT=")
	cmd.Stderr = e.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return cmd, out, nil
}

// watchWorker kills the worker life after it says it is ready and waits
// for it to end: finished when it said it is done, killed when its life
// ran out first; err is how it ended.
func watchWorker(cmd *exec.Cmd, out io.Reader, life time.Duration) (finished, killed bool, err error) {
	var timer *time.Timer
	var mu sync.Mutex
	ready, done := make(chan struct{}), false
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			switch sc.Text() {
			case "ready":
				mu.Lock()
				timer = time.AfterFunc(life, func() { _ = cmd.Process.Kill() })
				mu.Unlock()
			case "done":
				mu.Lock()
				done = true
				mu.Unlock()
			}
		}
		close(ready)
	}()
	<-ready
	err = cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	return done, timer != nil && !timer.Stop(), err
}

func printReconciliation(e *env, rec training.Reconciliation) error {
	fmt.Fprintf(e.stdout, "paid=%d accepted=%d disputed=%d not_paid=%d failed=%d refunded=%d refunds_due=%d pending=%d receipts=%d returns=%d paid_total=%v shifts=%d cash_ops=%d drawer=%v\n",
		rec.Paid, rec.Accepted, rec.Disputed, rec.NotPaid, rec.Failed, rec.Refunded, rec.RefundsDue, rec.Pending, rec.Receipts, rec.Returns,
		rec.PaidTotal, rec.Shifts, rec.CashOps, rec.Drawer)
	for _, m := range rec.Mismatches {
		fmt.Fprintf(e.stdout, "MISMATCH %s\n", m)
	}
	if !rec.OK() {
		return fmt.Errorf("soak: %d mismatches", len(rec.Mismatches))
	}
	fmt.Fprintln(e.stdout, "reconciliation=ok")
	return nil
}

// soakBoot boots the training till on the data folder, its register of
// the family driver names (fiscal.driver).
func soakBoot(ctx context.Context, data, driver string) (*app.Runtime, error) {
	cfg, err := config.Load("")
	if err != nil {
		return nil, err
	}
	cfg.DataDir = data
	start := training.Start
	if driver != shtrih.DriverName {
		cfg.Fiscal.Driver = driver
		start = func(ctx context.Context, s world.Setup) (world.World, error) {
			s.Driver = driver
			return training.Start(ctx, s)
		}
	}
	return app.Boot(ctx, cfg, app.Options{Settle: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond}, DeviceTimeout: time.Second, Training: start})
}

// soakReconcile settles what is open (no faults now) and reconciles.
func soakReconcile(ctx context.Context, data, driver string) (training.Reconciliation, error) {
	rt, err := soakBoot(ctx, data, driver)
	if err != nil {
		return training.Reconciliation{}, err
	}
	defer rt.Close()
	for i := 0; i < 20; i++ {
		pend, _ := rt.Till.Pending(ctx)
		queue, _ := rt.Till.ReceiptQueue(ctx)
		if len(pend) == 0 && len(queue) == 0 {
			break
		}
		_, _ = rt.Till.ResolvePending(ctx, true)
		_ = rt.Till.RetryReceipts(ctx)
	}
	u, uerr := rt.Till.SignIn(ctx, "kassir", "1111")
	mgr, merr := rt.Till.SignIn(ctx, "manager", "222222")
	if uerr == nil && merr == nil {
		soakAfterLife(ctx, rt, u, mgr)
	}
	return training.Reconcile(ctx, rt.Ledger(), training.Of(rt.World), soakBalance)
}

// soakBalance is the dealer's balance a soak starts with: enough for every
// payment (the training balance would refuse all but the first thousand
// with ERROR 21).
const soakBalance = money.Amount(100_000_000_000_00)

// soakFund sets the simulator's dealer balance for a new soak.
func soakFund(ctx context.Context, data, driver string) error {
	rt, err := soakBoot(ctx, data, driver)
	if err != nil {
		return err
	}
	defer rt.Close()
	if n, err := rt.Till.PaymentCount(ctx); err != nil || n > 0 {
		return err // a soak resumed in its folder keeps its balance
	}
	return training.Of(rt.World).Sim.SetBalance(soakBalance)
}

// soakResolverTick is the worker's resolver tick, and soakSlow the delay
// of its slow answers (several ticks).
const (
	soakResolverTick = 20 * time.Millisecond
	soakSlow         = 150 * time.Millisecond
)

// soakTraining are the training numbers the soak pays. 9000000506 (in
// progress for ever) is not among them: when the worker is killed while its
// pay is in flight, nothing can ever settle it, and it is rightly pending
// at the end (a CI run met it once).
// soakTraining are the training numbers the soak pays now and then: refusals,
// losses after a commit, failures, and the payment's whole life (accepted
// then credited, failed after its receipt, disputed, a check's answer to
// pay, a lost pay not paid).
var soakTraining = []string{"9000000023", "9000000500", "9000000502", "9000000503", "9000000504", "9000000505", "9000000507",
	"9000000508", "9000000509", "9000000510", "9000000511", "9000000512"}

var soakDeviceFaults = []emulator.Fault{emulator.FaultNAK, emulator.FaultGarble, emulator.FaultLoseACK, emulator.FaultPowerLoss,
	emulator.FaultPowerLossBefore, emulator.FaultPaperOutInReceipt}

var soakATOLFaults = []atolemu.Fault{atolemu.FaultLoseAnswer, atolemu.FaultGarble, atolemu.FaultLoseAck, atolemu.FaultPowerLossAfter,
	atolemu.FaultPowerLossBefore, atolemu.FaultPaperOutInReceipt}

// soakDeviceFault arms a random fault of the world's register on one of
// the commands a receipt sends.
func soakDeviceFault(w *training.World, rng *rand.Rand) {
	if w.ATOL != nil {
		f := soakATOLFaults[rng.IntN(len(soakATOLFaults))]
		w.ATOL.Arm(f, []byte{0, atolemu.CmdClose, atolemu.CmdItem, atolemu.CmdWriteTag, atolemu.CmdPrint, atolemu.CmdStatus}[rng.IntN(6)])
		return
	}
	f := soakDeviceFaults[rng.IntN(len(soakDeviceFaults))]
	if f == emulator.FaultPaperOutInReceipt {
		w.Emulator.Arm(f, 0)
	} else {
		w.Emulator.Arm(f, []shtrih.Cmd{0, shtrih.CmdCloseReceipt, shtrih.CmdOperation, shtrih.CmdPrintLine, shtrih.CmdShortStatus}[rng.IntN(5)])
	}
}

// soakWorker takes payments until the books hold n, each with a random
// fault on the network's side or the device's, or none.
func soakWorker(ctx context.Context, e *env, data, driver string, n, shiftLen int, seed uint64) error {
	rt, err := soakBoot(ctx, data, driver)
	if err != nil {
		return err
	}
	defer rt.Close()
	u, err := rt.Till.SignIn(ctx, "kassir", "1111")
	if err != nil {
		return err
	}
	mgr, err := rt.Till.SignIn(ctx, "manager", "222222")
	if err != nil {
		return err
	}
	w := training.Of(rt.World)
	rng := rand.New(rand.NewPCG(seed, 2))
	// The background resolver runs beside the payments, as in the window,
	// ticking far faster than the window's 15 s so that it meets payments
	// in flight: it must leave those to their flow.
	resolver, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); rt.Till.Run(resolver, soakResolverTick) }()
	defer func() { stop(); wg.Wait() }() // before rt.Close
	fmt.Fprintln(e.stdout, "ready")
	for {
		count, err := rt.Till.PaymentCount(ctx)
		if err != nil {
			return err
		}
		if count >= n {
			break
		}
		// A shift at a time: opened with a float, cash put in and taken
		// out now and then, closed with a Z report every shiftLen payments.
		st, err := rt.Till.Shift(ctx)
		if err != nil {
			return err
		}
		if st.Shift == nil {
			if _, err := rt.Till.OpenShift(ctx, u, money.Amount(rng.IntN(3))*500_00); err != nil && app.KindOf(err) == 0 {
				return err
			}
			continue
		}
		if st.Totals.Payments+st.Totals.Pending >= shiftLen {
			if _, err := rt.Till.ResolvePending(ctx, true); err != nil && app.KindOf(err) == 0 {
				return err
			}
			if _, _, err := rt.Till.CloseShift(ctx, mgr, st.Totals.Expected); err != nil && app.KindOf(err) == 0 {
				return err
			}
			continue
		}
		switch x := rng.IntN(100); {
		case x < 2:
			err = rt.Till.CashIn(ctx, u, money.Amount(100_00+rng.IntN(5000)*100))
		case x < 3 && st.Totals.Expected > 100_00:
			err = rt.Till.CashOut(ctx, mgr, money.Amount(1+rng.Int64N(int64(st.Totals.Expected))))
		}
		if err != nil && app.KindOf(err) == 0 {
			return err
		}
		number := fmt.Sprintf("9%09d", 100000000+rng.IntN(800000000))
		w.Sim.SetFaults(sim.Faults{})
		switch x := rng.IntN(100); {
		case x < 15:
			number = soakTraining[rng.IntN(len(soakTraining))]
		case x < 20:
			w.Sim.SetFaults(sim.Faults{HTTP500: sim.OpPay})
		case x < 25:
			w.Sim.SetFaults(sim.Faults{Refuse: sim.OpPay, RefuseCode: 30})
		case x < 27:
			w.Sim.SetFaults(sim.Faults{Latency: 30 * time.Millisecond})
		case x < 30:
			// Slow answers: the pay and its status outlast a resolver tick.
			w.Sim.SetFaults(sim.Faults{Latency: soakSlow})
		case x < 50:
			soakDeviceFault(w, rng)
		}
		amount := money.Amount(10_00 + rng.IntN(2000)*100 + rng.IntN(100))
		p, err := rt.Till.Start(ctx, u, "mts", number)
		if err != nil {
			return err
		}
		if p, err = rt.Till.Check(ctx, u, p, amount, app.Cash); err == nil {
			_, err = rt.Till.Confirm(ctx, u, p)
		}
		if err != nil && app.KindOf(err) == 0 {
			return err
		}
		if w.ATOL != nil {
			w.ATOL.SetPaper(true)
		} else {
			w.Emulator.SetPaper(true)
		}
		if count%10 == 9 {
			w.Sim.SetFaults(sim.Faults{})
			_, _ = rt.Till.ResolvePending(ctx, true)
			_ = rt.Till.RetryReceipts(ctx)
			soakAfterLife(ctx, rt, u, mgr)
		}
	}
	// What is still open is settled by the reconciliation, which is not
	// killed: a worker that kept settling here could be killed for ever.
	fmt.Fprintln(e.stdout, "done")
	return nil
}

// soakAfterLife does what the cashier and the manager do after a payment's
// life went wrong: every refund due is handed back with its return receipt
// (a failure leaves it listed as due), and every dispute is closed as
// support confirms it: paid (the training network keeps a disputed
// payment's money).
func soakAfterLife(ctx context.Context, rt *app.Runtime, u, mgr *app.User) {
	if due, err := rt.Till.Refunds(ctx, u); err == nil {
		for _, p := range due {
			_ = rt.Till.Refund(ctx, u, p)
		}
	}
	if ds, err := rt.Till.Disputes(ctx, mgr); err == nil {
		for _, p := range ds {
			_ = rt.Till.Decide(ctx, mgr, p, true)
		}
	}
}
