package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway/sim"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

var (
	ctx     = context.Background()
	keysDir string // one training key set for every test
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(worldEnv); dir != "" {
		serveWorld(dir)
		return
	}
	dir, err := os.MkdirTemp("", "paydesk-keys")
	if err != nil {
		panic(err)
	}
	keysDir = filepath.Join(dir, "keys")
	if _, err := sim.TrainingKeys(keysDir, time.Now()); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type rig struct {
	*Runtime
	// The training world and the books, as the tests look at them.
	Sim             *sim.Sim
	Emulator        *emulator.Emulator
	Store           *store.Store
	dir             string
	clock           clock.Clock
	kassir, manager *User
}

// bootTraining boots a training till in a fresh data folder; c may be a fake
// clock. The shift is open when open is set.
func bootTraining(t testing.TB, c clock.Clock, open bool, opts ...func(*Options)) *rig {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "training"), 0o700))
	require.NoError(t, exec.Command("cp", "-r", keysDir, filepath.Join(dir, "training", "keys")).Run())
	return reboot(t, dir, c, open, opts...)
}

func reboot(t testing.TB, dir string, c clock.Clock, open bool, opts ...func(*Options)) *rig {
	t.Helper()
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = dir
	opt := Options{Clock: c, Settle: []time.Duration{5 * time.Millisecond}, PINCost: bcrypt.MinCost, DeviceTimeout: time.Second,
		Training: training.Start}
	for _, o := range opts {
		o(&opt)
	}
	rt, err := Boot(ctx, cfg, opt)
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })
	r := &rig{Runtime: rt, Store: rt.books, dir: dir, clock: c}
	if w := training.Of(rt.World); w != nil {
		r.Sim, r.Emulator = w.Sim, w.Emulator
	}
	r.kassir, err = rt.Till.SignIn(ctx, "kassir", "1111")
	require.NoError(t, err)
	r.manager, err = rt.Till.SignIn(ctx, "manager", "222222")
	require.NoError(t, err)
	if open {
		if _, err := rt.books.CurrentShift(ctx); errors.Is(err, store.ErrNoShift) {
			_, err := rt.Till.OpenShift(ctx, r.kassir, 1000_00)
			require.NoError(t, err)
		}
	}
	return r
}

// pay runs the whole workflow for a payer id and amount.
func (r *rig) pay(t *testing.T, provider, id string, amount money.Amount) (*store.Payment, error) {
	t.Helper()
	p, err := r.Till.Start(ctx, r.kassir, provider, id)
	require.NoError(t, err)
	p, err = r.Till.Check(ctx, r.kassir, p, amount, Cash)
	if err != nil {
		return p, err
	}
	return r.Till.Confirm(ctx, r.kassir, p)
}

func (r *rig) reload(t *testing.T, p *store.Payment) *store.Payment {
	got, err := r.Store.Payment(ctx, p.ID)
	require.NoError(t, err)
	return got
}

func receiptsOnDevice(r *rig) int {
	n := 0
	for _, d := range r.Emulator.State().Docs {
		if d.Type == fiscal.DocReceipt {
			n++
		}
	}
	return n
}

func TestTrainingPaymentEndToEnd(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	p, err := r.Till.Start(ctx, r.kassir, "mts", "+7 (916) 123-45-67")
	require.NoError(t, err)
	assert.Equal(t, "9161234567", p.PayerID)
	assert.Len(t, p.Session, 20)
	p, err = r.Till.CheckNumber(ctx, r.kassir, p)
	require.NoError(t, err)
	assert.Equal(t, store.StateNumberChecked, p.State)
	assert.NotEmpty(t, p.OpName)
	p, err = r.Till.Check(ctx, r.kassir, p, 500_00, Cash)
	require.NoError(t, err)
	assert.Equal(t, store.StateChecked, p.State)
	assert.Equal(t, money.Amount(15_00), p.Commission, "3% of 500.00")
	assert.Equal(t, money.Amount(500_00), p.Total)
	p, err = r.Till.Confirm(ctx, r.kassir, p)
	require.NoError(t, err)
	assert.Equal(t, store.StatePaid, p.State)
	assert.Equal(t, store.FiscalDone, p.FiscalState)
	assert.NotZero(t, p.FD)
	assert.NotZero(t, p.FP)
	assert.False(t, p.SlipPrintedAt.IsZero())
	assert.NotEmpty(t, p.TransID)
	assert.Equal(t, 1, r.Sim.Committed(p.Session))
	assert.Equal(t, 1, receiptsOnDevice(r))

	rs, err := r.Store.Receipts(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.Contains(t, rs[0].Text, "ПЛ. СУБАГЕНТ")
	assert.Contains(t, rs[1].Text, "+7 (916) 123-45-67")
	tape := strings.Join(r.Emulator.Tape(), "\n")
	assert.Contains(t, tape, "Оплата связи МТС +79161234567")
	assert.Contains(t, tape, "СОХРАНЯЙТЕ КВИТАНЦИЮ")

	st, err := r.Till.Shift(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Totals.Payments)
	assert.Equal(t, money.Amount(1500_00), st.Totals.Expected)
	_, err = r.Store.VerifyAudit(ctx)
	require.NoError(t, err)
	bal, err := r.Till.Balance(ctx)
	require.NoError(t, err)
	assert.Equal(t, training.Balance-500_00, bal)
}

// Every fault of the network, through the training numbers: no payment is
// ever made twice, and none is called failed while the network may have it.
func TestExactlyOnceThroughFaults(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	tests := []struct {
		id       string
		state    store.State
		kind     Kind
		paid     int // commits at the simulator
		receipts int
		faults   sim.Faults
	}{
		{"9161234567", store.StatePaid, 0, 1, 1, sim.Faults{}},
		{"9000000502", store.StatePaid, 0, 1, 1, sim.Faults{}},                                          // committed, connection dropped
		{"9000000503", store.StatePaid, 0, 1, 1, sim.Faults{}},                                          // committed, garbled answer
		{"9000000504", store.StatePaid, 0, 1, 1, sim.Faults{}},                                          // committed, bad signature
		{"9000000505", store.StatePaid, 0, 1, 1, sim.Faults{}},                                          // committed, another SESSION echoed
		{"9000000500", store.StateNotPaid, KindRefused, 0, 0, sim.Faults{}},                             // HTTP 500, nothing committed
		{"9000000506", store.StateAccepted, 0, 1, 1, sim.Faults{}},                                      // pay accepted, stays in progress: ПРИНЯТ
		{"9161230000", store.StateUnknown, KindPending, 1, 0, sim.Faults{Drop: sim.OpPay, Stuck: true}}, // answer lost, in progress
		{"9000000507", store.StateFailed, KindRefused, 1, 1, sim.Faults{}},                              // accepted and receipted, then failed: a refund is due
		{"9000000023", store.StateRefused, KindRefused, 0, 0, sim.Faults{}},                             // not this operator's number
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			before := receiptsOnDevice(r)
			r.Sim.SetFaults(tt.faults)
			defer r.Sim.SetFaults(sim.Faults{})
			p, err := r.pay(t, "mts", tt.id, 100_00)
			if tt.kind == 0 {
				require.NoError(t, err)
			} else {
				assert.Equal(t, tt.kind, KindOf(err), "%v", err)
				assert.NotEmpty(t, Message(err, "ru"))
			}
			p = r.reload(t, p)
			assert.Equal(t, tt.state, p.State)
			assert.Equal(t, tt.paid, r.Sim.Committed(p.Session), "commits of %s", p.Session)
			assert.Equal(t, tt.receipts, receiptsOnDevice(r)-before)
			if tt.state == store.StatePaid || tt.state == store.StateAccepted {
				assert.Equal(t, store.FiscalDone, p.FiscalState, "the receipt is made at acceptance")
			}
		})
	}
	// The stuck payment stays pending through the resolver, and is never
	// paid again; so does the accepted one, still in progress.
	r.Sim.SetFaults(sim.Faults{Stuck: true})
	pend, err := r.Till.Pending(ctx)
	require.NoError(t, err)
	require.Len(t, pend, 2)
	n, err := r.Till.ResolvePending(ctx, true)
	require.NoError(t, err)
	assert.Zero(t, n)
	stuck := pend[0]
	if stuck.State != store.StateUnknown {
		stuck = pend[1]
	}
	p := r.reload(t, stuck)
	assert.Equal(t, store.StateUnknown, p.State)
	assert.Equal(t, 2, p.StatusAttempts)
	assert.Equal(t, 1, r.Sim.Committed(p.Session))
	// The same payer may pay again only as a new payment with a new SESSION.
	_, err = r.Till.Confirm(ctx, r.kassir, p)
	assert.Equal(t, KindState, KindOf(err))
	_, err = r.Store.VerifyAudit(ctx)
	require.NoError(t, err)
}

func TestCheckWindowRechecks(t *testing.T) {
	fc := clock.NewFake(time.Now())
	r := bootTraining(t, fc, true)
	p, err := r.Till.Start(ctx, r.kassir, "beeline", "9031234567")
	require.NoError(t, err)
	p, err = r.Till.Check(ctx, r.kassir, p, 200_00, Cash)
	require.NoError(t, err)
	first := p.Session
	fc.Advance(CheckWindow + time.Minute)
	p, err = r.Till.Confirm(ctx, r.kassir, p)
	require.NoError(t, err)
	assert.Equal(t, store.StatePaid, p.State)
	assert.NotEqual(t, first, p.Session, "paid under a new, re-checked SESSION")
	assert.Equal(t, 0, r.Sim.Committed(first))
	assert.Equal(t, 1, r.Sim.Committed(p.Session))
}

func TestShiftRules(t *testing.T) {
	fc := clock.NewFake(time.Now())
	r := bootTraining(t, fc, false)
	_, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
	assert.Equal(t, KindState, KindOf(err), "no shift")
	sh, err := r.Till.OpenShift(ctx, r.kassir, 500_00)
	require.NoError(t, err)
	assert.Greater(t, sh.DeviceShift, 0)
	_, err = r.Till.OpenShift(ctx, r.kassir, 0)
	assert.Equal(t, KindState, KindOf(err))

	require.NoError(t, r.Till.CashIn(ctx, r.kassir, 300_00))
	assert.Equal(t, KindForbidden, KindOf(r.Till.CashOut(ctx, r.kassir, 100_00)), "cash out is for managers")
	require.NoError(t, r.Till.CashOut(ctx, r.manager, 100_00))
	assert.Equal(t, KindInput, KindOf(r.Till.CashOut(ctx, r.manager, 100000_00)))
	require.NoError(t, r.Till.XReport(ctx, r.kassir))
	_, err = r.pay(t, "mts", "9161234567", 100_00)
	require.NoError(t, err)

	// 24 hours: the till stops before the device would.
	fc.Advance(ShiftLimit - 4*time.Minute)
	_, err = r.Till.Start(ctx, r.kassir, "mts", "9161234567")
	assert.Equal(t, KindState, KindOf(err))
	assert.Contains(t, Message(err, "ru"), "24 часа")
	assert.LessOrEqual(t, r.Till.ShiftLeft(sh), time.Duration(0))

	_, _, err = r.Till.CloseShift(ctx, r.kassir, 0)
	assert.Equal(t, KindForbidden, KindOf(err))
	closed, tot, err := r.Till.CloseShift(ctx, r.manager, 790_00)
	require.NoError(t, err)
	assert.Equal(t, money.Amount(500_00+300_00-100_00+100_00), tot.Expected)
	assert.Equal(t, money.Amount(-10_00), closed.Difference)
	st, err := r.Register().(fiscal.Register).Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, fiscal.ModeShiftClosed, st.Mode)
}

func (r *rig) Register() fiscal.Register { return r.Till.d.Register }

func TestRolesAndApproval(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	_, err := r.Till.Approve(ctx, "kassir", "1111", "unlock")
	assert.Equal(t, KindForbidden, KindOf(err))
	m, err := r.Till.Approve(ctx, "manager", "222222", "unlock")
	require.NoError(t, err)
	for i := 0; i < store.MaxPINFailures; i++ {
		_, err = r.Till.SignIn(ctx, "kassir", "0000")
	}
	assert.ErrorIs(t, err, store.ErrLocked)
	assert.Contains(t, Message(err, "ru"), "заблокирован")
	assert.Equal(t, KindForbidden, KindOf(r.Till.Unlock(ctx, r.kassir, "kassir")))
	require.NoError(t, r.Till.Unlock(ctx, m, "kassir"))
	_, err = r.Till.SignIn(ctx, "kassir", "1111")
	require.NoError(t, err)
	_, err = r.Till.Start(ctx, nil, "mts", "9161234567")
	assert.Equal(t, KindForbidden, KindOf(err))
	_, err = r.Till.Start(ctx, r.kassir, "mts", "12345")
	assert.Equal(t, KindInput, KindOf(err))
	assert.Contains(t, Message(err, "ru"), "10 цифр")
	_, err = r.Till.Start(ctx, r.kassir, "nosuch", "9161234567")
	assert.Equal(t, KindInput, KindOf(err))
	p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
	require.NoError(t, err)
	_, err = r.Till.Check(ctx, r.kassir, p, 5_00, Cash)
	assert.Equal(t, KindInput, KindOf(err), "below the provider's minimum")
	require.NoError(t, r.Till.Cancel(ctx, r.kassir, p))
	assert.Equal(t, store.StateCancelled, r.reload(t, p).State)
}

func TestReceiptQueueAndReprint(t *testing.T) {
	// The paper runs out once pay went out: the payment is the network's
	// and its receipt waits.
	var r *rig
	r = bootTraining(t, clock.Real{}, true, func(o *Options) {
		o.Step = func(step string, _ *store.Payment) {
			if step == string(StepPaySent) {
				r.Emulator.SetPaper(false)
			}
		}
	})
	p, err := r.pay(t, "megafon", "9261112233", 300_00)
	assert.Equal(t, KindDevice, KindOf(err), "%v", err)
	assert.Contains(t, Message(err, "ru"), "чек не напечатан")
	p = r.reload(t, p)
	assert.Equal(t, store.StatePaid, p.State, "the payment is paid whatever the printer says")
	assert.Equal(t, store.FiscalQueued, p.FiscalState)
	assert.NotEmpty(t, p.FiscalError)
	q, err := r.Till.ReceiptQueue(ctx)
	require.NoError(t, err)
	require.Len(t, q, 1)

	r.Emulator.SetPaper(true)
	require.NoError(t, r.Till.Reprint(ctx, r.kassir, q[0]))
	p = r.reload(t, p)
	assert.Equal(t, store.FiscalDone, p.FiscalState)
	assert.Equal(t, 1, receiptsOnDevice(r))
	// A reprint of a fiscalized payment prints a copy of the slip, not a receipt.
	require.NoError(t, r.Till.Reprint(ctx, r.kassir, p))
	assert.Equal(t, 1, receiptsOnDevice(r))
	assert.Contains(t, strings.Join(r.Emulator.Tape(), "\n"), "КОПИЯ")
}

// A crash right after pay_sent was committed (the request may or may not
// have gone out) and a crash while the receipt was being made: a restart
// settles both, exactly once.
func TestRecoverAfterCrash(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	crash := errors.New("crash")
	var sent *store.Payment
	r.Till.d.Step = func(step string, p *store.Payment) {
		if step == "pay_sent" && sent == nil {
			sent = p
			// The request reaches the network, then the process dies.
			prov, _ := r.Till.Provider(p.ProviderCode)
			_, _ = r.Till.d.Network.Pay(ctx, request(prov, p))
			panic(crash)
		}
	}
	func() {
		defer func() { assert.Equal(t, crash, recover()) }()
		_, _ = r.pay(t, "tele2", "9771234567", 150_00)
	}()
	require.NotNil(t, sent)
	assert.Equal(t, store.StatePaySent, r.reload(t, sent).State)

	// A second payment crashes after its receipt was started and made.
	var started *store.Payment
	r.Till.d.Step = func(step string, p *store.Payment) {
		if step == "receipt_started" && started == nil {
			started = p
			panic(crash)
		}
	}
	func() {
		defer func() { assert.Equal(t, crash, recover()) }()
		_, _ = r.pay(t, "mts", "9169998877", 250_00)
	}()
	require.NotNil(t, started)
	assert.Equal(t, store.FiscalStarted, r.reload(t, started).FiscalState)
	r.Till.d.Step = nil
	require.NoError(t, r.Close()) // the process is gone: its lock on the books with it

	rt2 := reboot(t, r.dir, clock.Real{}, true)
	// The first: status says paid; its receipt is made once.
	p1 := rt2.reload(t, sent)
	assert.Equal(t, store.StatePaid, p1.State)
	assert.Equal(t, store.FiscalDone, p1.FiscalState)
	assert.Equal(t, 1, rt2.Sim.Committed(p1.Session))
	// The second: the receipt was not made before the crash; it is made now, once.
	p2 := rt2.reload(t, started)
	assert.Equal(t, store.FiscalDone, p2.FiscalState)
	assert.Equal(t, 2, receiptsOnDevice(rt2))
	_, err := rt2.Store.VerifyAudit(ctx)
	require.NoError(t, err)
}

// A check whose answer is lost is repeated once under a new SESSION.
func TestCheckRetriedOnce(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	r.Sim.SetFaults(sim.Faults{Drop: sim.OpCheck})
	p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
	require.NoError(t, err)
	first := p.Session
	_, err = r.Till.Check(ctx, r.kassir, p, 100_00, Cash)
	assert.Equal(t, KindPending, KindOf(err), "two lost answers: no trustworthy answer")
	assert.Equal(t, 2, r.Sim.Requests(sim.OpCheck))
	p = r.reload(t, p)
	assert.NotEqual(t, first, p.Session)
	r.Sim.SetFaults(sim.Faults{})
	p, err = r.Till.Check(ctx, r.kassir, p, 100_00, Cash)
	require.NoError(t, err)
	assert.Equal(t, store.StateChecked, p.State)
}

// A cash operation is made on the device exactly once, whatever happens
// between the books and the device.
func TestCashOperationExactlyOnce(t *testing.T) {
	crash := errors.New("crash")
	tests := []struct {
		name     string
		kind     string
		fault    emulator.Fault // armed on the cash command
		crashAt  string         // step at which the process "dies"
		wantDone bool
		wantErr  bool
	}{
		{name: "made", kind: "in", wantDone: true},
		{name: "answer lost after it was made", kind: "in", fault: emulator.FaultPowerLoss, wantDone: true},
		{name: "power lost before it was made", kind: "out", fault: emulator.FaultPowerLossBefore, wantErr: true},
		{name: "refused with a NAK, then made", kind: "out", fault: emulator.FaultNAK, wantDone: true},
		{name: "crash before the device", kind: "in", crashAt: "cash_started"},
		{name: "crash after the device", kind: "out", crashAt: "cash_made", wantDone: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bootTraining(t, clock.Real{}, true)
			cmd := shtrih.CmdCashIn
			if tc.kind == "out" {
				cmd = shtrih.CmdCashOut
			}
			drawer := r.Emulator.State().Cash
			if tc.fault != 0 {
				r.Emulator.Arm(tc.fault, cmd)
			}
			r.Till.d.Step = func(step string, _ *store.Payment) {
				if step == tc.crashAt {
					panic(crash)
				}
			}
			do := func() error {
				if tc.kind == "out" {
					return r.Till.CashOut(ctx, r.manager, 100_00)
				}
				return r.Till.CashIn(ctx, r.manager, 100_00)
			}
			var err error
			func() {
				defer func() {
					if v := recover(); v != nil {
						assert.Equal(t, crash, v)
						err = crash
					}
				}()
				err = do()
			}()
			r.Till.d.Step = nil
			if tc.crashAt != "" {
				require.NoError(t, r.Close())
				r = reboot(t, r.dir, clock.Real{}, false)
			} else if tc.wantErr {
				assert.Error(t, err)
				assert.NotEmpty(t, Message(err, "ru"))
			} else {
				require.NoError(t, err)
			}
			sh, err := r.Store.CurrentShift(ctx)
			require.NoError(t, err)
			ops, err := r.Store.CashOps(ctx, sh.ID)
			require.NoError(t, err)
			var last *store.CashOperation
			for _, c := range ops {
				assert.NotEqual(t, "started", c.State, "nothing is left undecided")
				if c.Amount == 100_00 {
					last = c
				}
			}
			require.NotNil(t, last)
			want := "void"
			if tc.wantDone {
				want = "done"
			}
			assert.Equal(t, want, last.State)
			moved := r.Emulator.State().Cash - drawer
			switch {
			case !tc.wantDone:
				assert.Zero(t, moved, "the device holds what the books say")
			case tc.kind == "out":
				assert.Equal(t, int64(-100_00), moved)
			default:
				assert.Equal(t, int64(100_00), moved)
			}
			_, err = r.Store.VerifyAudit(ctx)
			require.NoError(t, err)
		})
	}
}

// TestAdoptedShiftKeepsTheDevicesTime: a shift found open on the register
// is adopted with the register's opening time, so its 24 hours are the
// device's; and pay is not sent once the device's shift is too old to
// make the receipt, whatever the books' shift says.
func TestAdoptedShiftKeepsTheDevicesTime(t *testing.T) {
	fc := clock.NewFake(time.Now().Truncate(time.Minute))
	r := bootTraining(t, fc, false)
	opened := fc.Now()
	require.NoError(t, r.Till.d.Register.OpenShift(ctx, fiscal.Cashier{Name: "Кассир"}))
	fc.Advance(20 * time.Hour)
	sh, err := r.Till.OpenShift(ctx, r.kassir, 0)
	require.NoError(t, err)
	assert.WithinDuration(t, opened, sh.OpenedAt, time.Minute, "the device's opening time")
	assert.Less(t, r.Till.ShiftLeft(sh), 4*time.Hour+time.Minute)

	p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
	require.NoError(t, err)
	p, err = r.Till.Check(ctx, r.kassir, p, 100_00, Cash)
	require.NoError(t, err)
	// The books' shift is adopted, but say the device's own clock ran on.
	fc.Advance(3*time.Hour + 56*time.Minute)
	_, err = r.Till.Confirm(ctx, r.kassir, p)
	require.Error(t, err)
	assert.Equal(t, store.StateChecked, r.reload(t, p).State, "pay was not sent")
	assert.Zero(t, r.Sim.Committed(p.Session))
}

// The opening float is on the register exactly once whatever the moment
// the till dies: the shift and the float's started operation are one
// transaction, and the start settles it before anything else.
func TestFloatExactlyOnce(t *testing.T) {
	tests := []struct {
		name    string
		crashAt string
		fault   emulator.Fault
	}{
		{name: "made"},
		{name: "crash after the books, before the register", crashAt: "cash_started"},
		{name: "crash after the register", crashAt: "cash_made"},
		{name: "answer lost after it was made", fault: emulator.FaultPowerLoss},
		{name: "power lost before it was made", fault: emulator.FaultPowerLossBefore},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bootTraining(t, clock.Real{}, false)
			drawer := r.Emulator.State().Cash
			if tc.fault != 0 {
				r.Emulator.Arm(tc.fault, shtrih.CmdCashIn)
			}
			r.Till.d.Step = func(step string, _ *store.Payment) {
				if step == tc.crashAt {
					panic("crash")
				}
			}
			func() {
				defer func() { _ = recover() }()
				_, _ = r.Till.OpenShift(ctx, r.kassir, 700_00)
			}()
			r.Till.d.Step = nil
			if tc.crashAt != "" {
				require.NoError(t, r.Close())
				r = reboot(t, r.dir, clock.Real{}, false)
			}
			// The next document settles what is left.
			require.NoError(t, r.Till.XReport(ctx, r.kassir))
			sh, err := r.Store.CurrentShift(ctx)
			require.NoError(t, err)
			ops, err := r.Store.CashOps(ctx, sh.ID)
			require.NoError(t, err)
			require.Len(t, ops, 1)
			assert.Equal(t, "float", ops[0].Kind)
			assert.Equal(t, "done", ops[0].State)
			assert.Equal(t, int64(700_00), r.Emulator.State().Cash-drawer, "the float on the register once")
			tot, err := r.Store.ShiftTotals(ctx, sh)
			require.NoError(t, err)
			assert.Equal(t, int64(700_00), int64(tot.Expected))
		})
	}
}
