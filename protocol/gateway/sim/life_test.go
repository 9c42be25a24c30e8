package sim

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/money"
	"paydesk/protocol/gateway"
)

// lifeStatus is one status request of a case: the fake clock advanced
// first, then what status answers and the dealer's balance after it.
type lifeStatus struct {
	advance time.Duration
	err     int // ERROR
	result  int // RESULT, -1 absent
	outcome gateway.Outcome
	debited bool // the balance is less AMOUNT_ALL after this answer
}

// The cases of a payment's life after an acceptance (and of a lost pay that
// was not taken), each played by its training number and by its fault, on a
// simulator whose StatusDelay is 10 s: check, pay and status through the
// real client, the balance after each step, and, with restart, a new
// simulator on the state file before the pay and before each status.
func TestAcceptedPaymentLife(t *testing.T) {
	const (
		ordinary = "9161234567"
		amount   = money.Amount(1000_00)
		total    = money.Amount(1030_00) // mts: 3 %
	)
	type lifeCase struct {
		name      string
		number    string // a training number, or "" for ordinary with faults
		faults    Faults // armed before the pay, disarmed after it
		accepted  bool   // pay answered ERROR=0 RESULT=0 with a TRANSID
		withCheck bool   // pay answered with the check's answer
		dropped   bool   // pay answered nothing
		committed int
		statuses  []lifeStatus
	}
	credited := func(delay time.Duration) []lifeStatus {
		return []lifeStatus{
			{0, 0, 3, gateway.InProgress, true},
			{delay - time.Second, 0, 3, gateway.InProgress, true},
			{time.Second, 0, 7, gateway.Paid, true},
			{time.Hour, 0, 7, gateway.Paid, true},
		}
	}
	failsAfter := func(polls int) []lifeStatus {
		var out []lifeStatus
		for i := range polls {
			// The payment fails (and is refunded) right after its last RESULT=3.
			out = append(out, lifeStatus{0, 0, 3, gateway.InProgress, i < polls-1})
		}
		return append(out,
			lifeStatus{0, 23, 7, gateway.Failed, false},
			lifeStatus{time.Hour, 23, 7, gateway.Failed, false}) // refunded once
	}
	neverRegistered := []lifeStatus{
		{0, 11, -1, gateway.NotPaid, true},
		{time.Minute, 11, -1, gateway.NotPaid, true},
		{24 * time.Hour, 11, -1, gateway.NotPaid, true}, // the network keeps the money
	}
	paidLate := []lifeStatus{ // an ordinary payment: StatusDelay 10 s
		{0, 0, 3, gateway.InProgress, true},
		{10 * time.Second, 0, 7, gateway.Paid, true},
	}
	notPaid21 := []lifeStatus{
		{0, 21, 1, gateway.NotPaid, false},
		{time.Hour, 21, 1, gateway.NotPaid, false},
	}
	cases := []lifeCase{
		{name: "credited after a delay, training 508", number: "9000000508", accepted: true, committed: 1,
			statuses: credited(TrainingCreditAfter)},
		{name: "credited after a delay, credit-after=30s", faults: Faults{CreditAfter: 30 * time.Second},
			accepted: true, committed: 1, statuses: credited(30 * time.Second)},
		{name: "fails after acceptance, training 509", number: "9000000509", accepted: true, committed: 1,
			statuses: failsAfter(1)},
		{name: "fails after acceptance, fail-after-accept=2", faults: Faults{FailAfterAccept: 2},
			accepted: true, committed: 1, statuses: failsAfter(2)},
		{name: "never registered, training 510", number: "9000000510", accepted: true, committed: 1,
			statuses: neverRegistered},
		{name: "never registered, fault", faults: Faults{NeverRegistered: true}, accepted: true, committed: 1,
			statuses: neverRegistered},
		{name: "pay answered with the check, training 511", number: "9000000511", withCheck: true, committed: 1,
			statuses: paidLate},
		{name: "pay answered with the check, fault", faults: Faults{AnswerPayWithCheck: true}, withCheck: true,
			committed: 1, statuses: paidLate},
		{name: "not paid 21 after a lost pay, training 512", number: "9000000512", dropped: true,
			statuses: notPaid21},
		{name: "not paid 21 after a lost pay, fault", faults: Faults{NotPaid21: true}, dropped: true,
			statuses: notPaid21},
	}
	for _, tc := range cases {
		for _, restart := range []bool{false, true} {
			name := tc.name
			if restart {
				name += ", restarted before each step"
			}
			t.Run(name, func(t *testing.T) {
				file := filepath.Join(t.TempDir(), "sim-state.json")
				e := newEnv(t, func(c *Config) { c.StateFile = file })
				cl, err := gateway.New(gateway.Config{SD: TrainingSD, AP: TrainingAP, OP: TrainingOP, Key: tk.Dealer,
					Bank: tk.Bank.Public(), BalanceURL: e.balanceURL(), HTTP: e.srv.Client(), Clock: e.clk})
				require.NoError(t, err)
				ctx := context.Background()
				p := e.provider("mts")
				number := tc.number
				if number == "" {
					number = ordinary
				}
				s := newSession()
				pay := gateway.Payment{Provider: p, Session: s, ID: number, Amount: amount, Total: total, Comment: "Тест"}

				chk, err := cl.Check(ctx, pay)
				require.NoError(t, err)
				assert.Equal(t, startBalance, chk.Rest)
				checkDate := chk.Date
				if restart {
					require.NoError(t, e.sim.Close())
					e.use(e.reopen(t))
				}

				e.sim.SetFaults(tc.faults)
				a, err := cl.Pay(ctx, pay)
				e.sim.SetFaults(Faults{})
				switch {
				case tc.accepted:
					require.NoError(t, err)
					assert.Equal(t, 0, a.Error)
					assert.Equal(t, 0, a.Result)
					assert.NotEmpty(t, a.TransID)
				case tc.withCheck:
					// A verified answer, but the check's: not an acceptance.
					require.Equal(t, gateway.KindNoAnswer, gateway.KindOf(err), "%v", err)
					require.NotNil(t, a)
					assert.Equal(t, 0, a.Error)
					assert.Equal(t, 0, a.Result)
					assert.Empty(t, a.TransID)
					assert.Equal(t, chk.OpName, a.OpName)
					assert.Equal(t, checkDate, a.Date, "the check's DATE")
					assert.True(t, a.HasRest)
					assert.Equal(t, startBalance, a.Rest, "the REST the check said")
					for _, name := range []string{"REST", "OPNAME", "ACCOUNT", "ERRMSG", "AUTHCODE", "TRANSID", "ADDINFO"} {
						_, ok := a.Fields.Lookup(name)
						assert.True(t, ok, "the check's %s", name)
					}
					assert.Equal(t, chk.Fields.Get("ADDINFO"), a.Fields.Get("ADDINFO"))
				case tc.dropped:
					require.Equal(t, gateway.KindNoAnswer, gateway.KindOf(err), "%v", err)
					assert.Nil(t, a, "no answer")
				}
				debited := startBalance - total
				if tc.committed == 0 {
					debited = startBalance
				}
				assert.Equal(t, debited, e.sim.Balance(), "after pay")
				assert.Equal(t, tc.committed, e.sim.Committed(s))

				var transID string
				if a != nil {
					transID = a.TransID
				}
				for i, want := range tc.statuses {
					e.clk.Advance(want.advance)
					if restart {
						require.NoError(t, e.sim.Close())
						e.use(e.reopen(t))
					}
					st, err := cl.Status(ctx, p, s, transID)
					require.NoError(t, err, "status %d", i)
					assert.Equal(t, want.err, st.Error, "status %d: ERROR", i)
					assert.Equal(t, want.result, st.Result, "status %d: RESULT", i)
					assert.Equal(t, want.outcome, gateway.StatusOutcome(st), "status %d", i)
					if want.err != 0 {
						assert.Equal(t, gateway.Lookup(want.err).Msg().In("ru"), st.ErrMsg, "status %d", i)
					}
					if want.result == 7 {
						assert.NotEmpty(t, st.TransID, "status %d", i)
					}
					balance := startBalance
					if want.debited {
						balance -= total
					}
					assert.Equal(t, balance, e.sim.Balance(), "status %d: balance", i)
				}
				assert.Equal(t, tc.committed, e.sim.Committed(s))

				// What Payments says is what status answers now.
				pays := e.sim.Payments()
				if tc.committed == 0 {
					assert.Empty(t, pays)
				} else {
					require.Len(t, pays, 1)
					last := tc.statuses[len(tc.statuses)-1]
					assert.Equal(t, last.result, pays[0].Result)
					assert.Equal(t, last.err, pays[0].Error)
					assert.Equal(t, total, pays[0].AmountAll)
				}

				// A pay repeated with the SESSION takes nothing more.
				e.sim.SetFaults(tc.faults)
				_, err = cl.Pay(ctx, pay)
				e.sim.SetFaults(Faults{})
				if tc.committed == 1 {
					assert.Equal(t, gateway.KindRefused, gateway.KindOf(err), "%v", err)
					var ge *gateway.Error
					require.ErrorAs(t, err, &ge)
					assert.Equal(t, 1, ge.Code)
				} else {
					assert.Equal(t, gateway.KindNoAnswer, gateway.KindOf(err), "lost again: %v", err)
				}
				assert.Equal(t, tc.committed, e.sim.Committed(s))
				last := tc.statuses[len(tc.statuses)-1]
				balance := startBalance
				if last.debited {
					balance -= total
				}
				assert.Equal(t, balance, e.sim.Balance(), "after the repeated pay")
			})
		}
	}
}

// A payment that fails after one RESULT=3 keeps its count across a
// restart, and the refund is in the state file exactly once.
func TestFailAfterAcceptSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sim-state.json")
	e := newEnv(t, func(c *Config) { c.StateFile = file })
	s := newSession()
	requireResult(t, e.check("mts", s, "9000000509", "100.00"), 0, "0")
	requireResult(t, e.pay("mts", s, "9000000509", "100.00"), 0, "0")
	assert.Equal(t, startBalance-103_00, e.sim.Balance())
	requireResult(t, e.status("mts", s), 0, "3")
	// Restarted after the one RESULT=3: failed and refunded.
	require.NoError(t, e.sim.Close())
	e.use(e.reopen(t))
	assert.Equal(t, startBalance, e.sim.Balance())
	requireResult(t, e.status("mts", s), 23, "7")
	require.NoError(t, e.sim.Close())
	e.use(e.reopen(t))
	assert.Equal(t, startBalance, e.sim.Balance(), "refunded once")
	requireResult(t, e.status("mts", s), 23, "7")
}

// The training number's own delay is on the simulator's clock and replaces
// StatusDelay: with no status delay at all, 508 is still in progress at
// first.
func TestCreditAfterWithoutStatusDelay(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.StatusDelay = 0 })
	s, plain := newSession(), newSession()
	for _, x := range []struct{ session, number string }{{s, "9000000508"}, {plain, "9161234567"}} {
		requireResult(t, e.check("mts", x.session, x.number, "100.00"), 0, "0")
		requireResult(t, e.pay("mts", x.session, x.number, "100.00"), 0, "0")
	}
	requireResult(t, e.status("mts", plain), 0, "7")
	requireResult(t, e.status("mts", s), 0, "3")
	e.clk.Advance(TrainingCreditAfter)
	requireResult(t, e.status("mts", s), 0, "7")
}

func TestParseFaultsLifeCases(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Faults
	}{
		{"credit-after=2s", Faults{CreditAfter: 2 * time.Second}},
		{"credit-after=1m30s", Faults{CreditAfter: 90 * time.Second}},
		{"fail-after-accept", Faults{FailAfterAccept: 1}},
		{"fail-after-accept=3", Faults{FailAfterAccept: 3}},
		{"never-registered", Faults{NeverRegistered: true}},
		{"pay-with-check", Faults{AnswerPayWithCheck: true}},
		{"not-paid-21", Faults{NotPaid21: true}},
		{"credit-after=5s, drop=pay, not-paid-21", Faults{CreditAfter: 5 * time.Second, Drop: OpPay, NotPaid21: true}},
		{"never-registered,pay-with-check,fail-after-accept=2", Faults{NeverRegistered: true, AnswerPayWithCheck: true, FailAfterAccept: 2}},
	} {
		got, err := ParseFaults(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{
		"credit-after", "credit-after=", "credit-after=soon", "credit-after=0s", "credit-after=-2s",
		"fail-after-accept=", "fail-after-accept=0", "fail-after-accept=-1", "fail-after-accept=x",
		"never-registered=1", "pay-with-check=yes", "not-paid-21=true", "not-paid-22", "credit_after=2s",
	} {
		_, err := ParseFaults(in)
		assert.Error(t, err, in)
	}
}
