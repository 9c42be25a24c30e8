package sim

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

// outcome classifies what a client gets back.
type outcome int

const (
	gotAnswer       outcome = iota + 1 // a verified answer echoing our SESSION
	gotHTTP500                         // HTTP 500
	gotDropped                         // the connection closed without an answer
	gotGarbled                         // a document that does not parse
	gotBadSignature                    // a document whose signature fails
	gotWrongSession                    // verified, but another SESSION
)

// attempt posts signed fields and classifies the result.
func (e *env) attempt(url string, f gateway.Fields) (outcome, answer) {
	e.t.Helper()
	code, b, err := e.postRaw(url, e.signed(f, tk.Dealer))
	if err != nil {
		return gotDropped, answer{}
	}
	if code == http.StatusInternalServerError {
		return gotHTTP500, answer{}
	}
	require.Equal(e.t, http.StatusOK, code)
	a, err := verify(e.t, b)
	switch {
	case errors.Is(err, ipriv.ErrVerify):
		return gotBadSignature, answer{}
	case err != nil:
		return gotGarbled, answer{}
	case a.Get("SESSION") != f.Get("SESSION"):
		return gotWrongSession, a
	}
	return gotAnswer, a
}

func TestFaultsOnPay(t *testing.T) {
	tests := []struct {
		name      string
		faults    Faults // by configuration, with an ordinary number
		number    string // or a training number
		got       outcome
		committed bool
		result    string // status RESULT after StatusDelay
		err       int    // and its ERROR
	}{
		{name: "http 500", faults: Faults{HTTP500: OpPay}, got: gotHTTP500, result: "1"},
		{name: "http 500 training", number: "9000000500", got: gotHTTP500, result: "1"},
		{name: "drop after commit", faults: Faults{Drop: OpPay}, got: gotDropped, committed: true, result: "7"},
		{name: "drop after commit training", number: "9000000502", got: gotDropped, committed: true, result: "7"},
		{name: "garbled", faults: Faults{Garble: OpPay}, got: gotGarbled, committed: true, result: "7"},
		{name: "garbled training", number: "9000000503", got: gotGarbled, committed: true, result: "7"},
		{name: "bad signature", faults: Faults{BadSignature: OpPay}, got: gotBadSignature, committed: true, result: "7"},
		{name: "bad signature training", number: "9000000504", got: gotBadSignature, committed: true, result: "7"},
		{name: "wrong session", faults: Faults{WrongSession: OpPay}, got: gotWrongSession, committed: true, result: "7"},
		{name: "wrong session training", number: "9000000505", got: gotWrongSession, committed: true, result: "7"},
		{name: "stuck in progress", faults: Faults{Stuck: true}, got: gotAnswer, committed: true, result: "3"},
		{name: "stuck in progress training", number: "9000000506", got: gotAnswer, committed: true, result: "3"},
		{name: "fails after commit", faults: Faults{FailAfterCommit: true}, got: gotAnswer, committed: true, result: "7", err: 23},
		{name: "fails after commit training", number: "9000000507", got: gotAnswer, committed: true, result: "7", err: 23},
		{name: "refused", faults: Faults{Refuse: OpPay, RefuseCode: 30}, got: gotAnswer, result: "1"},
		{name: "ordinary training-looking number", number: "9000000000", got: gotAnswer, committed: true, result: "7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			p := e.provider("mts")
			s := newSession()
			number := tc.number
			if number == "" {
				number = "9161234567"
			}
			requireResult(t, e.check("mts", s, number, "1000.00"), 0, "0")
			e.sim.SetFaults(tc.faults)
			assert.Equal(t, tc.faults, e.sim.Faults())
			got, a := e.attempt(p.PayURL, e.payFields(p, s, number, "1000.00"))
			require.Equal(t, tc.got, got)
			if got == gotAnswer && tc.committed {
				requireResult(t, a, 0, "0")
			}
			if tc.faults.Refuse != 0 {
				requireResult(t, a, 30, "1")
			}
			e.sim.SetFaults(Faults{})

			want := 0
			if tc.committed {
				want = 1
			}
			assert.Equal(t, want, e.sim.Committed(s))
			debit := startBalance - 1030_00
			if !tc.committed {
				debit = startBalance
			}
			assert.Equal(t, debit, e.sim.Balance())

			if tc.committed {
				requireResult(t, e.status("mts", s), 0, "3")
			}
			e.clk.Advance(time.Minute)
			st := e.status("mts", s)
			requireResult(t, st, tc.err, tc.result)
			if tc.err != 0 {
				assert.Equal(t, gateway.Lookup(tc.err).Msg().In("ru"), st.Get("ERRMSG"))
				assert.Equal(t, startBalance, e.sim.Balance(), "a failed payment is refunded")
				pays := e.sim.Payments()
				require.Len(t, pays, 1)
				assert.Equal(t, tc.err, pays[0].Error)
			}
			// A second pay with the same SESSION never pays twice.
			if tc.committed {
				requireResult(t, e.pay("mts", s, number, "1000.00"), 1, "1")
				assert.Equal(t, 1, e.sim.Committed(s))
			}
			// Stuck stays stuck.
			e.clk.Advance(24 * time.Hour)
			if tc.result == "3" {
				requireResult(t, e.status("mts", s), 0, "3")
			}
		})
	}
}

func TestFaultsOnOtherRequests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults Faults
		op     Op
		got    outcome
	}{
		{"check 500", Faults{HTTP500: OpCheck}, OpCheck, gotHTTP500},
		{"check dropped", Faults{Drop: OpCheck}, OpCheck, gotDropped},
		{"status garbled", Faults{Garble: OpStatus}, OpStatus, gotGarbled},
		{"status bad signature", Faults{BadSignature: OpStatus | OpBalance}, OpStatus, gotBadSignature},
		{"balance wrong session", Faults{WrongSession: OpAll}, OpBalance, gotWrongSession},
		{"balance unaffected by a check fault", Faults{HTTP500: OpCheck}, OpBalance, gotAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.Faults = tc.faults })
			p := e.provider("mts")
			s := newSession()
			url, f := p.CheckURL, e.payFields(p, s, "9161234567", "100.00")
			switch tc.op {
			case OpStatus:
				url, f = p.StatusURL, e.statusFields(s)
			case OpBalance:
				url, f = e.balanceURL(), e.statusFields(s)
			}
			got, _ := e.attempt(url, f)
			assert.Equal(t, tc.got, got)
			if tc.name == "check dropped" {
				// The check was recorded before the drop: resending it is ERROR 1.
				e.sim.SetFaults(Faults{})
				requireResult(t, e.check("mts", s, "9161234567", "100.00"), 1, "1")
			}
			if tc.name == "check 500" {
				assert.Empty(t, e.sim.Sessions(), "nothing recorded")
			}
		})
	}
}

func TestRefuseCheck(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Faults = Faults{Refuse: OpCheck, RefuseCode: 24} })
	s := newSession()
	a := e.check("mts", s, "9161234567", "100.00")
	requireResult(t, a, 24, "1")
	assert.Equal(t, gateway.Lookup(24).Msg().In("ru"), a.Get("ERRMSG"))
	assert.Empty(t, e.sim.Sessions())
}

// waitAnswer runs f in a goroutine and returns a channel with its outcome.
func waitAnswer(f func() outcome) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() { ch <- f() }()
	return ch
}

func TestLatency(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults Faults
		number string
		delay  time.Duration
	}{
		{"configured", Faults{Latency: 30 * time.Second}, "9161234567", 30 * time.Second},
		{"training number", Faults{}, "9000000100", DefaultTrainingLatency},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.Faults = tc.faults })
			p := e.provider("mts")
			s := newSession()
			for _, step := range []struct {
				url string
				f   gateway.Fields
			}{
				{p.CheckURL, e.payFields(p, s, tc.number, "100.00")},
				{p.PayURL, e.payFields(p, s, tc.number, "100.00")},
				{p.StatusURL, e.statusFields(s)},
			} {
				ch := waitAnswer(func() outcome { got, _ := e.attempt(step.url, step.f); return got })
				<-e.clk.Waiting()
				select {
				case <-ch:
					t.Fatal("answered before the delay")
				case <-time.After(20 * time.Millisecond):
				}
				e.clk.Advance(tc.delay - time.Second)
				select {
				case <-ch:
					t.Fatal("answered before the delay")
				case <-time.After(20 * time.Millisecond):
				}
				e.clk.Advance(time.Second)
				require.Equal(t, gotAnswer, <-ch)
			}
			assert.Equal(t, 1, e.sim.Committed(s))
		})
	}
}

func TestLatencyCommitsEvenIfTheClientGivesUp(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Faults = Faults{Latency: time.Minute} })
	p := e.provider("mts")
	s := newSession()
	ch := waitAnswer(func() outcome { got, _ := e.attempt(p.CheckURL, e.payFields(p, s, "9161234567", "100.00")); return got })
	<-e.clk.Waiting()
	e.clk.Advance(time.Minute)
	require.Equal(t, gotAnswer, <-ch)

	client := &http.Client{Timeout: 100 * time.Millisecond}
	resp, err := client.Post(p.PayURL, "application/x-www-form-urlencoded",
		bytesReader(e.signed(e.payFields(p, s, "9161234567", "100.00"), tk.Dealer)))
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the client times out")
	require.Eventually(t, func() bool { return e.sim.Committed(s) == 1 }, 5*time.Second, 10*time.Millisecond,
		"the pay is processed although nobody waits for the answer")
}

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Faults
	}{
		{"", Faults{}},
		{"drop=pay", Faults{Drop: OpPay}},
		{"http500=check+status, latency=2s", Faults{HTTP500: OpCheck | OpStatus, Latency: 2 * time.Second}},
		{"garble=all,badsig=balance,wrongsession=pay", Faults{Garble: OpAll, BadSignature: OpBalance, WrongSession: OpPay}},
		{"refuse=pay:30,stuck,fail", Faults{Refuse: OpPay, RefuseCode: 30, Stuck: true, FailAfterCommit: true}},
	} {
		got, err := ParseFaults(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{"drop", "drop=nothing", "latency=fast", "refuse=pay", "refuse=pay:x", "stuck=1", "boom=pay"} {
		_, err := ParseFaults(in)
		assert.Error(t, err, in)
	}
	assert.Equal(t, "check|pay", (OpCheck | OpPay).String())
	assert.Equal(t, "none", Op(0).String())
	assert.True(t, OpAll.Has(OpPay|OpStatus))
	assert.False(t, OpPay.Has(0))
}
