package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/fiscal"
	"paydesk/protocol/gateway/sim"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	trainingOnce sync.Once
	trainingKeys string
)

// trainingDir returns a fresh data folder holding a copy of one training
// key set (generated once per test binary).
func trainingDir(t *testing.T) string {
	trainingOnce.Do(func() {
		d, err := os.MkdirTemp("", "paydeskctl-keys")
		require.NoError(t, err)
		trainingKeys = filepath.Join(d, "keys")
		_, err = sim.TrainingKeys(trainingKeys, time.Now())
		require.NoError(t, err)
	})
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "training"), 0o700))
	require.NoError(t, exec.Command("cp", "-r", trainingKeys, filepath.Join(dir, "training", "keys")).Run())
	return dir
}

func TestTillCLI(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir) // no user config file
	kassir := writeFile(t, dir, "kassir.pin", "1111\n")
	manager := writeFile(t, dir, "manager.pin", "222222\n")

	r := runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "9161234567", "--amount", "100.00")
	assert.Equal(t, exitNotSent, r.code, "no shift yet: nothing was sent: %s", r.stderr)
	assert.Contains(t, r.stdout, "state=not-sent\n")
	assert.Contains(t, r.stderr, "Смена не открыта")

	r = runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", kassir, "--float", "1000.00")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "float=1000.00")

	r = runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "+7 916 123-45-67", "--amount", "100.00")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "state=paid\n")
	assert.Regexp(t, `transid=\d+\n`, r.stdout)
	assert.Regexp(t, `fiscal_doc=\d+\nfiscal_sign=\d+\n`, r.stdout)
	assert.Contains(t, r.stdout, "commission=3.00\n")

	r = runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "9000000023", "--amount", "100.00")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "state=refused\n")
	assert.Contains(t, r.stderr, "оператор отклонил номер")

	r = runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "9161234567", "--amount", "100.001")
	assert.Equal(t, 2, r.code, "three decimals")
	r = runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "12345", "--amount", "100.00")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "10 цифр")

	r = runCLI(t, nil, "cash", "out", "50.00", "--cashier", "kassir", "--pin-file", kassir)
	assert.Equal(t, 1, r.code, "cash out is for managers")
	r = runCLI(t, nil, "cash", "out", "--cashier", "manager", "50.00", "--pin-file", manager)
	require.Equal(t, 0, r.code, r.stderr)

	r = runCLI(t, nil, "pending")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "pending=0 receipts=0")

	today := time.Now().Format("2006-01-02")
	r = runCLI(t, nil, "report", "commission", "--from", today, "--to", today, "--by", "cashier", "--csv")
	assert.Equal(t, 2, r.code, "reports need a sign-in")
	r = runCLI(t, nil, "report", "commission", "--cashier", "kassir", "--pin-file", kassir, "--from", today, "--to", today)
	assert.Equal(t, 1, r.code, "reports are for managers")
	assert.Contains(t, r.stderr, "менеджер")
	r = runCLI(t, nil, "report", "commission", "--cashier", "manager", "--pin-file", manager, "--from", today, "--to", today, "--by", "cashier", "--csv")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "kassir,Кассир Иванова А.А.,1,100.00,0.00,100.00,3.00\n")

	r = runCLI(t, nil, "shift", "close", "--cashier", "manager", "--pin-file", manager, "--counted", "1050.00")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "expected_cash=1050.00\n")
	assert.Contains(t, r.stdout, "difference=0.00\n")

	r = runCLI(t, nil, "db", "check")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "audit=ok")
	backup := filepath.Join(dir, "backup.db")
	r = runCLI(t, nil, "db", "backup", backup)
	require.Equal(t, 0, r.code, r.stderr)
	_, err := os.Stat(backup)
	require.NoError(t, err)

	r = runCLI(t, nil, "cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--pin-file", kassir)
	assert.Equal(t, 2, r.code, "an administrator must approve")
	admin := writeFile(t, dir, "admin.pin", "999999")
	r = runCLI(t, nil, "cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--pin-file", kassir, "--admin", "admin", "--admin-pin-file", admin)
	require.Equal(t, 0, r.code, r.stderr)
}

// TestMain lets the test binary act as paydeskctl for the crash test's
// child processes.
func TestMain(m *testing.M) {
	if os.Getenv("PAYDESKCTL_AS_MAIN") == "1" {
		os.Exit(run(context.Background(), newEnv(), os.Args[1:]))
	}
	os.Exit(m.Run())
}

// child runs paydeskctl as a real child process.
func child(t *testing.T, dir string, killAt string, args ...string) (int, string, string) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PAYDESKCTL_AS_MAIN=1", "PAYDESK_DATA_DIR="+dir, "PAYDESK_CONFIG=", "XDG_CONFIG_HOME="+dir,
		"PAYDESK_TEST_KILL_AT="+killAt)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode() // -1 when killed by a signal
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestCrashAtEveryStep kills a real paydeskctl process (SIGKILL) at every
// step of the payment workflow, restarts it, and checks that every payment
// ended paid and fiscalized exactly once, or unpaid with no receipt; the
// simulator never took a payment twice; the audit chain holds.
func TestCrashAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test spawns processes")
	}
	for _, driver := range []string{"shtrih", "atol"} {
		t.Run(driver, func(t *testing.T) {
			t.Setenv("PAYDESK_FISCAL_DRIVER", driver) // the children's and the check's register
			crashAtEveryStep(t, driver)
		})
	}
}

func crashAtEveryStep(t *testing.T, driver string) {
	dir := trainingDir(t)
	pin := writeFile(t, dir, "pin", "1111")
	code, _, stderr := child(t, dir, "", "shift", "open", "--cashier", "kassir", "--pin-file", pin)
	require.Equal(t, 0, code, stderr)
	steps := []string{"entered", "checked", "pay_sent", "pay_returned", "paid", "receipt_started", "fiscalized", "slip_printed"}
	rounds := 2
	numbers := []string{"9161234567", "9000000502", "9000000505"}
	n := 0
	for round := 0; round < rounds; round++ {
		for _, step := range steps {
			number := numbers[n%len(numbers)]
			n++
			code, _, stderr := child(t, dir, step, "pay", "--cashier", "kassir", "--pin-file", pin, "--provider", "mts",
				"--number", number, "--amount", "1"+string(rune('0'+n%10))+".00")
			assert.Equal(t, -1, code, "the child was killed at %s: %s", step, stderr)
			// The restart recovers: status for the unknown, receipts for the paid.
			code, out, stderr := child(t, dir, "", "pending", "--resolve")
			assert.Contains(t, []int{0, 3}, code, "%s %s", out, stderr)
		}
	}
	// Check the books against the network and the device.
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = dir
	rt, err := app.Boot(context.Background(), cfg, app.Options{Training: training.Start})
	require.NoError(t, err)
	defer rt.Close()
	w := training.Of(rt.World)
	require.Equal(t, driver == "atol", w.ATOL != nil, "the register was the %s emulator", driver)
	ps, err := rt.Ledger().Payments(context.Background(), app.Filter{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, ps, len(steps)*rounds)
	paid := 0
	for _, p := range ps {
		committed := w.Sim.Committed(p.Session)
		switch p.State {
		case app.StatePaid:
			paid++
			assert.Equal(t, 1, committed, "%s paid once at the network", p.Session)
			assert.Equal(t, app.FiscalDone, p.FiscalState, "%s fiscalized", p.Session)
		case app.StateNotPaid, app.StateCancelled, app.StateRefused, app.StateEntered, app.StateNumberChecked, app.StateChecked:
			// Not paid: killed before pay went out, or status proved it never arrived.
			assert.Equal(t, 0, committed, "%s (%s) not paid at the network", p.Session, p.State)
		default:
			t.Errorf("payment %s left in state %s", p.Session, p.State)
		}
	}
	receipts := 0
	docs, err := w.Documents()
	require.NoError(t, err)
	for _, d := range docs {
		if d.Type == fiscal.DocReceipt {
			receipts++
		}
	}
	assert.Equal(t, paid, receipts, "one fiscal receipt per paid payment, none for the unpaid")
	assert.Len(t, w.Sim.Payments(), paid, "the network took exactly the paid payments")
	_, err = rt.Ledger().VerifyAudit(context.Background())
	require.NoError(t, err)
	t.Logf("%d payments, %d paid and fiscalized, %d receipts", len(ps), paid, receipts)
}

// TestSoak runs a short soak: payments with random faults on both sides,
// the worker process killed at random, and the reconciliation at the end.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak spawns processes")
	}
	n, life := "30", "700ms"
	if raceDetector {
		// The race detector makes every worker several times slower: fewer
		// payments, longer lives (make test runs it again without -race).
		n, life = "12", "2s"
	}
	dir := trainingDir(t)
	t.Setenv("PAYDESKCTL_AS_MAIN", "1") // the children are this test binary acting as paydeskctl
	r := runCLI(t, nil, "soak", "--n", n, "--shift", "4", "--data", dir, "--seed", "7", "--max-life", life)
	require.Equal(t, 0, r.code, "%s\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "reconciliation=ok")
	assert.Regexp(t, `payments=`+n+` kills=\d+`, r.stdout)
	assert.Regexp(t, `shifts=([2-9]|[1-9][0-9]) `, r.stdout, "shifts closed with Z reports and opened again")
}

// TestCashierUnlock: five wrong PINs lock a cashier; a cashier cannot
// unlock, a manager can, and the cashier signs in again.
func TestCashierUnlock(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	kassir := writeFile(t, dir, "kassir.pin", "1111\n")
	manager := writeFile(t, dir, "manager.pin", "222222\n")
	wrong := writeFile(t, dir, "wrong.pin", "0000\n")
	for i := 0; i < 5; i++ {
		r := runCLI(t, nil, "shift", "x", "--cashier", "kassir", "--pin-file", wrong)
		require.Equal(t, 1, r.code, r.stderr)
	}
	r := runCLI(t, nil, "shift", "x", "--cashier", "kassir", "--pin-file", kassir)
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "заблокирован", "the right PIN is refused while locked")

	r = runCLI(t, nil, "cashier", "unlock", "--login", "kassir", "--manager", "admin", "--pin-file", kassir)
	assert.Equal(t, 1, r.code, "a wrong PIN for the approver")
	r = runCLI(t, nil, "cashier", "unlock", "--login", "nobody", "--manager", "manager", "--pin-file", manager)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Кассир не найден")
	r = runCLI(t, nil, "cashier", "unlock", "--login", "kassir", "--cashier", "manager", "--pin-file", manager)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "cashier kassir unlocked")
	r = runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", kassir)
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, nil, "cashier", "unlock", "--login", "manager", "--manager", "kassir", "--pin-file", kassir)
	assert.Equal(t, 1, r.code, "a cashier may not unlock")
	assert.Contains(t, r.stderr, "менеджер")
}

// db backup and db check work beside a running till (read-only, no lock);
// a till command does not.
func TestDBToolsBesideTheTill(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	kassir := writeFile(t, dir, "kassir.pin", "1111\n")
	r := runCLI(t, nil, "db", "check")
	require.Equal(t, 1, r.code, "no books yet: none is made")
	assert.Contains(t, r.stderr, "ещё не запускалась")
	r = runCLI(t, nil, "pending")
	require.Equal(t, 0, r.code, r.stderr) // makes the training books
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = dir
	rt, err := app.OpenBooks(t.Context(), cfg, app.Options{})
	require.NoError(t, err)
	defer rt.Close()

	backup := filepath.Join(t.TempDir(), "copy.db")
	r = runCLI(t, nil, "db", "backup", backup)
	require.Equal(t, 0, r.code, r.stderr)
	st, err := os.Stat(backup)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	r = runCLI(t, nil, "db", "check")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "audit=ok")
	r = runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", kassir)
	assert.NotEqual(t, 0, r.code, "a till command waits for the window to close")
}
