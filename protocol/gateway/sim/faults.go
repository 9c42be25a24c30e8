package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Op is a kind of gateway request, and a set of them when combined with |.
type Op uint8

// The request kinds.
const (
	OpCheck   Op = 1 << iota // *_pay_check.cgi
	OpPay                    // *_pay.cgi
	OpStatus                 // *_pay_status.cgi
	OpBalance                // status/get_rest.cgi

	// OpAll is every request kind.
	OpAll = OpCheck | OpPay | OpStatus | OpBalance
)

// Has reports whether the set o holds every kind in x.
func (o Op) Has(x Op) bool { return x != 0 && o&x == x }

// String names the kinds in the set, such as "check|pay".
func (o Op) String() string {
	var parts []string
	for _, x := range []struct {
		op   Op
		name string
	}{{OpCheck, "check"}, {OpPay, "pay"}, {OpStatus, "status"}, {OpBalance, "balance"}} {
		if o&x.op != 0 {
			parts = append(parts, x.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Faults are failures injected into every request of the named kinds, set
// with Config.Faults or Sim.SetFaults at any time. The zero value injects
// nothing. Training numbers (see the package documentation) inject the same
// failures for one payer id only.
type Faults struct {
	// Latency delays every answer by this long on the simulator's clock
	// (with a clock.Fake, tests advance it). The request is processed after
	// the delay even if the client has given up meanwhile, as a real server
	// does.
	Latency time.Duration
	// HTTP500: answered "500 Internal Server Error" before anything is
	// processed (nothing is recorded or committed).
	HTTP500 Op
	// Drop: processed (a pay is committed), then the connection is closed
	// without an answer.
	Drop Op
	// Garble: processed, then the signed answer is cut in half and followed
	// by junk, so it does not parse.
	Garble Op
	// BadSignature: processed, then one byte of the signed answer's message
	// is changed (the digit after "ERROR="), so the signature fails.
	BadSignature Op
	// WrongSession: processed, then answered (correctly signed) with another
	// SESSION than the request's.
	WrongSession Op
	// Refuse: answered, signed, with ERROR=RefuseCode (RESULT=1 for check
	// and pay) without processing; for codes such as 24, 25, 30 or 31.
	Refuse     Op
	RefuseCode int
	// Stuck: every payment committed while set stays RESULT=3 for ever.
	Stuck bool
	// FailAfterCommit: every payment committed while set fails once
	// StatusDelay (or CreditAfter) has passed: status answers RESULT=7 with
	// ERROR=23 and the dealer's balance gets the AMOUNT_ALL back.
	FailAfterCommit bool

	// The cases of a payment's life after an acceptance (pay answered
	// ERROR=0 RESULT=0 with a TRANSID), each as a training number plays it
	// (see the package documentation), and of a pay lost without being
	// taken. Each is kept in the session's record, so a restarted simulator
	// goes on the same way.

	// CreditAfter (> 0): every payment committed while set stays RESULT=3
	// for this long after its pay, on the simulator's clock, instead of
	// StatusDelay, then RESULT=7 with ERROR=0 (training code 508, with
	// TrainingCreditAfter). The balance is debited at pay.
	CreditAfter time.Duration
	// FailAfterAccept (> 0): every payment committed while set is accepted,
	// status answers RESULT=3 this many times, and right after the last of
	// them it fails: the dealer's balance gets the AMOUNT_ALL back and every
	// later status answers RESULT=7 ERROR=23 (training code 509: once).
	// Unlike FailAfterCommit it counts status answers, not time.
	FailAfterAccept int
	// NeverRegistered: every payment committed while set is accepted and
	// the money taken (and kept: the network has it), but every status
	// answers ERROR=11 without RESULT, as for a session that does not
	// exist (training code 510).
	NeverRegistered bool
	// AnswerPayWithCheck: every pay is committed as usual (the money is
	// taken, status says RESULT=7 ERROR=0 after StatusDelay), but it is
	// answered with the session's check answer, signed anew: DATE of the
	// check, ERROR=0 RESULT=0, OPNAME, ACCOUNT, ERRMSG, AUTHCODE, an empty
	// TRANSID, ADDINFO, REST as the check said it, GATEWAY_IN/OUT
	// (training code 511).
	AnswerPayWithCheck bool
	// NotPaid21: every pay that would be committed is refused with ERROR
	// 21 instead (nothing is taken) and its connection is dropped without
	// an answer; status answers RESULT=1 ERROR=21 (training code 512).
	NotPaid21 bool
}

// ParseOps reads a set of request kinds: names joined by "+", such as
// "check+pay", or "all".
func ParseOps(s string) (Op, error) {
	var o Op
	for _, name := range strings.Split(s, "+") {
		switch strings.TrimSpace(name) {
		case "check":
			o |= OpCheck
		case "pay":
			o |= OpPay
		case "status":
			o |= OpStatus
		case "balance":
			o |= OpBalance
		case "all":
			o |= OpAll
		default:
			return 0, fmt.Errorf("%q is not check, pay, status, balance or all", name)
		}
	}
	return o, nil
}

// ParseFaults reads faults written as comma-separated items, for the
// command line: "latency=DURATION", "http500=OPS", "drop=OPS",
// "garble=OPS", "badsig=OPS", "wrongsession=OPS", "refuse=OPS:CODE",
// "stuck", "fail", "credit-after=DURATION" (CreditAfter),
// "fail-after-accept" or "fail-after-accept=N" (FailAfterAccept, 1 when
// no N is given), "never-registered" (NeverRegistered), "pay-with-check"
// (AnswerPayWithCheck) and "not-paid-21" (NotPaid21), where OPS is as
// ParseOps reads it. For example "drop=pay,latency=2s". The empty string
// is no fault.
func ParseFaults(s string) (Faults, error) {
	var f Faults
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, hasVal := strings.Cut(item, "=")
		var err error
		if flag := map[string]*bool{"stuck": &f.Stuck, "fail": &f.FailAfterCommit, "never-registered": &f.NeverRegistered,
			"pay-with-check": &f.AnswerPayWithCheck, "not-paid-21": &f.NotPaid21}[name]; flag != nil {
			if hasVal {
				return Faults{}, fmt.Errorf("fault %q takes no value", name)
			}
			*flag = true
			continue
		}
		switch name {
		case "credit-after":
			if f.CreditAfter, err = time.ParseDuration(val); err != nil || f.CreditAfter <= 0 {
				return Faults{}, fmt.Errorf("credit-after %q is not a positive duration such as 2s", val)
			}
			continue
		case "fail-after-accept":
			f.FailAfterAccept = 1
			if hasVal {
				if f.FailAfterAccept, err = strconv.Atoi(val); err != nil || f.FailAfterAccept < 1 {
					return Faults{}, fmt.Errorf("fail-after-accept=%s: want how many status answers RESULT=3 come first, 1 or more", val)
				}
			}
			continue
		case "latency":
			if f.Latency, err = time.ParseDuration(val); err != nil || f.Latency < 0 {
				return Faults{}, fmt.Errorf("latency %q is not a duration such as 2s", val)
			}
			continue
		case "refuse":
			ops, code, ok := strings.Cut(val, ":")
			n, cerr := strconv.Atoi(code)
			if !ok || cerr != nil || n <= 0 {
				return Faults{}, fmt.Errorf("refuse=%s: want OPS:CODE, such as pay:30", val)
			}
			if f.Refuse, err = ParseOps(ops); err != nil {
				return Faults{}, fmt.Errorf("refuse: %w", err)
			}
			f.RefuseCode = n
			continue
		}
		target := map[string]*Op{"http500": &f.HTTP500, "drop": &f.Drop, "garble": &f.Garble,
			"badsig": &f.BadSignature, "wrongsession": &f.WrongSession}[name]
		if target == nil {
			return Faults{}, fmt.Errorf("unknown fault %q (latency, http500, drop, garble, badsig, wrongsession, refuse, stuck, fail, "+
				"credit-after, fail-after-accept, never-registered, pay-with-check, not-paid-21)", name)
		}
		if *target, err = ParseOps(val); err != nil {
			return Faults{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	return f, nil
}

// String names the fault of one answer, for the log.
func (f fault) String() string {
	return [...]string{"none", "http 500", "drop", "garble", "bad signature", "wrong session"}[f]
}
