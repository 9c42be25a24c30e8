package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"regexp"
	"testing"

	"paydesk/app"
	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/internal/testutil"
	"paydesk/money"
	"paydesk/protocol/gateway"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// returnReceipts counts the return receipts («ВОЗВРАТ ПРИХОДА») the
// training register in the data folder has made, from its journal.
func returnReceipts(t *testing.T, dir string) int {
	t.Helper()
	em, err := emulator.New(emulator.Config{StatePath: filepath.Join(dir, "training", "kkm-state.json")})
	require.NoError(t, err)
	defer em.Close()
	docs, err := em.Documents()
	require.NoError(t, err)
	n := 0
	for _, d := range docs {
		if d.Type == fiscal.DocReceipt && d.Kind == fiscal.SaleReturn {
			n++
		}
	}
	return n
}

// sessionOf is the SESSION a command printed (session=…).
func sessionOf(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^session=(\S+)$`).FindStringSubmatch(out)
	require.NotNil(t, m, "a session= line in %q", out)
	return m[1]
}

// TestRefundCLIRefused: the commands of refunds and disputes refused (bad
// flags, a payment with nothing due, a SESSION no payment has, a cashier
// where a manager must sign in) with one line, nothing printed, and
// neither the books, the network nor the device changed; the lists empty.
func TestRefundCLIRefused(t *testing.T) {
	if raceDetector {
		// Messages and unchanged books, as the bad-input tests: make test
		// runs them without the race detector, which makes them slow.
		t.Skip("runs without the race detector")
	}
	dir, pins := cliTill(t)
	kassir, manager := pins["kassir"], pins["manager"]
	db := filepath.Join(dir, "training.db")
	paid := readBooks(t, db).Payments[0]
	require.Equal(t, app.StatePaid, paid.State)
	refund := func(extra ...string) []string {
		return append([]string{"refund", "--cashier", "kassir", "--pin-file", kassir}, extra...)
	}
	decide := func(extra ...string) []string {
		return append([]string{"decide", "--cashier", "manager", "--pin-file", manager}, extra...)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"refund without a session", refund(), exitUsage, "--session is required"},
		{"refund with a blank session", refund("--session", "  "), exitUsage, "--session is required"},
		{"refund with an argument", refund("--session", paid.Session, "now"), exitUsage, `unexpected argument "now"`},
		{"refund of an unknown session", refund("--session", "20261126120000000099"), exitFailed, "Платежа с сессией 20261126120000000099 нет в кассе"},
		{"refund of a paid payment", refund("--session", paid.Session), exitFailed,
			"Платёж " + paid.Session + " в состоянии «проведён»: возврат по нему не положен"},
		{"refunds with a wrong PIN", []string{"refunds", "--cashier", "kassir", "--pin-file", pins["wrong"]}, exitFailed, "Неверный логин или PIN"},
		{"decide without a decision", decide("--session", paid.Session), exitUsage, "give exactly one of --paid and --not-paid"},
		{"decide both ways", decide("--session", paid.Session, "--paid", "--not-paid"), exitUsage, "give exactly one of --paid and --not-paid"},
		{"decide without a session", decide("--paid"), exitUsage, "--session is required"},
		{"decide by a cashier", []string{"decide", "--cashier", "kassir", "--pin-file", kassir, "--session", paid.Session, "--paid"}, exitFailed, "менеджер"},
		{"decide an unknown session", decide("--session", "20261126120000000099", "--not-paid"), exitFailed, "нет в кассе"},
		{"decide a paid payment", decide("--session", paid.Session, "--not-paid"), exitFailed, "Платёж " + paid.Session + " в состоянии «проведён»"},
		{"disputes for a cashier", []string{"disputes", "--cashier", "kassir", "--pin-file", kassir}, exitFailed, "менеджер"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			books := readBooks(t, db)
			files := testutil.Fingerprint(t, dir, "training.db", "training.db-wal", "training.db-shm")
			r := runCLI(t, nil, tt.args...)
			assertOneLine(t, r, tt.code, tt.want)
			assert.Equal(t, books, readBooks(t, db), "the books did not change")
			assert.Equal(t, files, testutil.Fingerprint(t, dir, "training.db", "training.db-wal", "training.db-shm"),
				"the network's and the device's state did not change")
			require.Equal(t, 0, runCLI(t, nil, "shift", "x", "--cashier", "kassir", "--pin-file", kassir).code)
		})
	}
	assert.Zero(t, returnReceipts(t, dir), "no return receipt was made")

	lists := []struct {
		name string
		args []string
		want string
	}{
		{"no refunds", []string{"refunds", "--cashier", "kassir", "--pin-file", kassir}, "refunds=0\n"},
		{"no disputes", []string{"disputes", "--cashier", "manager", "--pin-file", manager}, "disputed=0 overdue=0\n"},
	}
	for _, tt := range lists {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, tt.want, r.stdout)
		})
	}
}

// TestPaymentLifeCLI: a payment's life through paydeskctl against the
// training world: accepted and still in progress (506) is done for the
// cashier and open in pending; accepted then failed after its receipt
// (509) is in refunds once status says so, refunded with one return
// receipt, never twice; accepted then "never happened" (510) is disputed,
// listed for the manager with every answer, and closed by a decision.
func TestPaymentLifeCLI(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	kassir := writeFile(t, dir, "kassir.pin", "1111\n")
	manager := writeFile(t, dir, "manager.pin", "222222\n")
	cashier := []string{"--cashier", "kassir", "--pin-file", kassir}
	cli := func(args ...string) result { return runCLI(t, nil, append(args, cashier...)...) }
	pay := func(number, amount string) result {
		return cli("pay", "--provider", "mts", "--number", number, "--amount", amount)
	}
	r := cli("shift", "open", "--float", "1000.00")
	require.Equal(t, 0, r.code, r.stderr)

	// Accepted, stays in progress: the receipt is made, the cashier is done.
	r = pay("9000000506", "100.00")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "state=accepted\n")
	assert.Regexp(t, `transid=\d+\n`, r.stdout)
	assert.Regexp(t, `fiscal_doc=\d+\nfiscal_sign=\d+\n`, r.stdout)
	assert.NotContains(t, r.stdout, "refund=")
	stuck := sessionOf(t, r.stdout)
	// Without a sign-in, sessions and states only: no payer, no sum.
	anon := runCLI(t, nil, "pending")
	assert.Contains(t, anon.stdout, "session="+stuck)
	assert.NotContains(t, anon.stdout, "9000000506")
	assert.NotContains(t, anon.stdout, "total=")
	r = runCLI(t, nil, "pending", "--cashier", "manager", "--pin-file", manager)
	assert.Equal(t, exitNoAnswer, r.code, "an accepted payment is open: %s", r.stderr)
	assert.Regexp(t, `(?m)^pending session=`+stuck+` provider=mts payer=9000000506 total=100.00 attempts=\d+ next=\S+ state=accepted$`, r.stdout)
	assert.Contains(t, r.stdout, "pending=1 receipts=0\n")

	// Accepted, then failed after its receipt: refunded once.
	r = pay("9000000509", "150.00")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "state=accepted\n")
	failed := sessionOf(t, r.stdout)
	r = cli("refunds")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, `refund session=`+failed+` provider=mts payer=9000000509 total=150.00 state=failed refund=due why="`+
		gatewayMsg(23)+`" error=""`+"\nrefunds=1\n", r.stdout)
	r = cli("refund", "--session", failed)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^session=`+failed+`\nstate=refunded\nfiscal_doc=\d+\nfiscal_sign=\d+\ntotal=150.00\n$`, r.stdout)
	assert.Equal(t, 1, returnReceipts(t, dir))
	r = cli("refund", "--session", failed)
	assertOneLine(t, r, exitFailed, "Платёж "+failed+" в состоянии «возвращён»: возврат по нему не положен")
	assert.Equal(t, 1, returnReceipts(t, dir), "never twice")
	r = cli("refunds")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "refunds=0\n", r.stdout)

	// Accepted, then "never happened": disputed; a manager decides.
	r = pay("9000000510", "120.00")
	assert.Equal(t, exitNoAnswer, r.code, "disputed exits as pending: %s", r.stderr)
	assert.Contains(t, r.stdout, "state=disputed\n")
	assert.Regexp(t, `fiscal_doc=\d+\n`, r.stdout, "its receipt was made at acceptance")
	assert.Contains(t, r.stderr, "деньги не возвращайте")
	disputed := sessionOf(t, r.stdout)
	r = runCLI(t, nil, "disputes", "--cashier", "manager", "--pin-file", manager)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^disputed session=`+disputed+` state=disputed provider=mts payer=9000000510 total=120.00 transid=\d+ pay_sent=\S+ attempts=\d+ answers=\d+$`, r.stdout)
	assert.Regexp(t, `(?m)^answer session=`+disputed+` at=\S+ op=pay error=0 result=0 transid=\d+ actor=kassir$`, r.stdout)
	assert.Regexp(t, `(?m)^answer session=`+disputed+` at=\S+ op=status error=11 `, r.stdout)
	assert.NotContains(t, r.stdout, stuck, "accepted a moment ago is not overdue")
	assert.Contains(t, r.stdout, "disputed=1 overdue=0\n")
	r = runCLI(t, nil, "decide", "--cashier", "manager", "--pin-file", manager, "--session", disputed, "--not-paid")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "state=not_paid\nrefund=due\n", "its receipt was made: the cash goes back with a return")
	r = runCLI(t, nil, "decide", "--cashier", "manager", "--pin-file", manager, "--session", disputed, "--paid")
	assertOneLine(t, r, exitFailed, "Платёж "+disputed+" в состоянии «не проведён»")
	r = cli("refunds")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `refund session=`+disputed+` provider=mts payer=9000000510 total=120.00 state=not_paid refund=due why="`)
	r = cli("refund", "--session", disputed)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "state=refunded\n")
	assert.Equal(t, 2, returnReceipts(t, dir))
}

// gatewayMsg is the network's message for an ERROR code, in Russian.
func gatewayMsg(code int) string { return gateway.Lookup(code).Msg().In("ru") }

// TestPayState: the state= line and the exit code of pay for every end of
// a payment; the states pay printed before a payment's whole life print as
// they did.
func TestPayState(t *testing.T) {
	failed := errors.New("failed")
	tests := []struct {
		name  string
		p     app.Payment
		err   error
		state string
		code  int
		lines []string
	}{
		{"paid", app.Payment{State: app.StatePaid, FiscalState: app.FiscalDone, FD: 7, FP: 8}, nil, "paid", exitOK, []string{"fiscal_doc=7\nfiscal_sign=8\n"}},
		{"paid, receipt queued", app.Payment{State: app.StatePaid, FiscalState: app.FiscalQueued}, failed, "paid-awaiting-receipt", exitReceiptQueued, nil},
		{"unknown", app.Payment{State: app.StateUnknown}, failed, "pending", exitNoAnswer, nil},
		{"pay sent", app.Payment{State: app.StatePaySent}, failed, "pending", exitNoAnswer, nil},
		{"refused", app.Payment{State: app.StateRefused}, failed, "refused", exitFailed, nil},
		{"not paid", app.Payment{State: app.StateNotPaid}, failed, "refused", exitFailed, nil},
		{"failed before its receipt", app.Payment{State: app.StateFailed}, failed, "refused", exitFailed, nil},
		{"accepted", app.Payment{State: app.StateAccepted, FiscalState: app.FiscalDone, FD: 9, FP: 10}, nil, "accepted", exitOK, []string{"fiscal_doc=9\nfiscal_sign=10\n"}},
		{"accepted, receipt queued", app.Payment{State: app.StateAccepted, FiscalState: app.FiscalQueued}, failed, "accepted-awaiting-receipt", exitReceiptQueued, nil},
		{"disputed", app.Payment{State: app.StateDisputed, FiscalState: app.FiscalDone, FD: 11, FP: 12}, failed, "disputed", exitNoAnswer, []string{"fiscal_doc=11\n"}},
		{"failed after its receipt", app.Payment{State: app.StateFailed, FiscalState: app.FiscalDone, RefundState: app.RefundDue, FD: 13, FP: 14}, failed,
			"failed", exitFailed, []string{"state=failed\nrefund=due\n", "fiscal_doc=13\n"}},
		{"not paid after its receipt", app.Payment{State: app.StateNotPaid, FiscalState: app.FiscalDone, RefundState: app.RefundDue}, failed,
			"not_paid", exitFailed, []string{"state=not_paid\nrefund=due\n"}},
		{"paid, then the slip or the books failed", app.Payment{State: app.StatePaid, FiscalState: app.FiscalDone, FD: 15, FP: 16}, failed,
			"paid", exitOK, []string{"fiscal_doc=15\n"}},
		{"accepted, then something failed", app.Payment{State: app.StateAccepted, FiscalState: app.FiscalDone, FD: 17, FP: 18}, failed, "accepted", exitOK, nil},
		{"checked, stopped before pay (register not ready, disk full)", app.Payment{State: app.StateChecked}, failed, "not-sent", exitNotSent, nil},
		{"entered, the check not sent", app.Payment{State: app.StateEntered}, failed, "not-sent", exitNotSent, nil},
		{"number checked", app.Payment{State: app.StateNumberChecked}, failed, "not-sent", exitNotSent, nil},
		{"cancelled", app.Payment{State: app.StateCancelled}, failed, "not-sent", exitNotSent, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.Session, p.Amount, p.Total = "20261126120000000001", money.Amount(100_00), money.Amount(100_00)
			var out, errb bytes.Buffer
			e := &env{stdout: &out, stderr: &errb}
			state := payState(&p)
			assert.Equal(t, tt.state, state)
			printPayment(e, &p, state)
			assert.Contains(t, out.String(), "session=20261126120000000001\nstate="+tt.state+"\n")
			for _, l := range tt.lines {
				assert.Contains(t, out.String(), l)
			}
			if p.RefundState == app.RefundNone {
				assert.NotContains(t, out.String(), "refund=")
			}
			err := payExit(e, "ru", state, tt.err)
			code := exitOK
			var s silent
			var xe *exitError
			switch {
			case errors.As(err, &s):
				code = int(s)
			case errors.As(err, &xe):
				code = xe.code
			case err != nil:
				code = exitFailed
			}
			assert.Equal(t, tt.code, code)
		})
	}
}
