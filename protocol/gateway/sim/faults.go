package sim

import (
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
	// StatusDelay has passed: status answers RESULT=7 with ERROR=23 and the
	// dealer's balance gets the AMOUNT_ALL back.
	FailAfterCommit bool
}
