package sim

import (
	"fmt"
	"maps"
	"os"
	"sort"
	"strconv"
	"time"

	"paydesk/money"
)

// fate is what becomes of a committed payment.
type fate int

const (
	fateNormal       fate = iota // RESULT 3, then 7 with ERROR 0
	fateStuck                    // RESULT 3 for ever
	fateFail                     // RESULT 3, then 7 with ERROR failCode, refunded
	fateUnregistered             // status ERROR 11 (no such session) for ever; the money stays taken
)

// failCode is the ERROR of a payment that failed after it was committed.
const failCode = 23

// session is one SESSION the simulator knows. Its JSON form is the state
// file's.
type session struct {
	ID         string       `json:"id"`
	Provider   string       `json:"provider"`
	Gateway    string       `json:"gateway"`
	Number     string       `json:"number"`
	Account    string       `json:"account"`
	Payer      string       `json:"payer"` // the value of the provider's payer field
	Amount     money.Amount `json:"amount_kopecks"`
	AmountAll  money.Amount `json:"amount_all_kopecks"`
	NumberOnly bool         `json:"number_only,omitempty"` // a REQ_TYPE=1 check
	// Params are the other fields a described provider's check sent (its
	// layout's names beside NUMBER and ACCOUNT), which pay must repeat.
	Params    map[string]string `json:"params,omitempty"`
	CheckedAt time.Time         `json:"checked_at"`
	Commits   int               `json:"commits"`
	PaidAt    time.Time         `json:"paid_at,omitzero"`
	TransID   string            `json:"transid,omitempty"`
	AuthCode  string            `json:"authcode,omitempty"`
	Fate      fate              `json:"fate,omitempty"`
	Refunded  bool              `json:"refunded,omitempty"`
	// CheckRest is the REST the check answered, for replaying the check's
	// answer to a pay (training code 511, Faults.AnswerPayWithCheck).
	CheckRest money.Amount `json:"check_rest_kopecks,omitempty"`
	// SettleAt, when set, is when status stops answering RESULT=3, instead
	// of PaidAt plus Config.StatusDelay (training code 508,
	// Faults.CreditAfter).
	SettleAt time.Time `json:"settle_at,omitzero"`
	// FailAfter, when set on a fateFail payment, makes it fail right after
	// that many status answers RESULT=3 instead of after a delay (training
	// code 509, Faults.FailAfterAccept); Polls counts those answers.
	FailAfter int `json:"fail_after_polls,omitempty"`
	Polls     int `json:"polls,omitempty"`
	// LostCode is the ERROR of a pay that was refused (not committed) and
	// whose answer was lost (training code 512, Faults.NotPaid21): until a
	// pay commits the session, status answers RESULT=1 with it.
	LostCode int `json:"lost_error,omitempty"`
}

func (s *session) paid() bool { return s.Commits > 0 }

// settled reports whether x, committed, is no longer in progress at now
// (its fate aside: a stuck payment never settles): a payment that fails
// after a number of status answers once it has had them, any other once its
// SettleAt, or PaidAt plus delay, has come.
func (x *session) settled(now time.Time, delay time.Duration) bool {
	if x.Fate == fateFail && x.FailAfter > 0 {
		return x.Polls >= x.FailAfter
	}
	at := x.SettleAt
	if at.IsZero() {
		at = x.PaidAt.Add(delay)
	}
	return !now.Before(at)
}

// countsPolls reports whether a status answer RESULT=3 for x is counted
// (and saved): x fails after a number of them and has not had them all.
func (x *session) countsPolls() bool {
	return x.Fate == fateFail && x.FailAfter > 0 && x.Polls < x.FailAfter
}

// state is everything the simulator remembers, and the journal that keeps
// it (see journal.go).
type state struct {
	path      string
	Balance   money.Amount
	NextTrans int64
	Sessions  map[string]*session
	// Payments are the committed sessions in commit order.
	Payments []string

	failing []string          // committed payments that will fail and are not refunded yet
	latest  map[string]string // payment key -> the SESSION last committed with it

	lockFile *os.File    // path + ".lock", flocked around every change (Unix)
	file     *os.File    // the journal, open for reading and appending; nil when it is to be written afresh
	seen     os.FileInfo // file's identity, to notice when another process replaced it
	offset   int64       // how much of file is read or written: the end of its last complete line
	lines    int         // the complete lines in file
	// journaled is how many of Payments the journal records; the rest are
	// committed by the change being saved.
	journaled int
	rewrite   bool // the next save writes the whole state afresh (no file yet, gone, unreadable, old format, a failed append)
	legacy    bool // file is in the format before the journal

	compactSlack    int // compactSlack, or less in tests
	noCompactBefore int // after a failed compaction: the line count to try again at
}

// paymentKey identifies "the same payment" for ERROR 32.
func (x *session) paymentKey() string {
	return x.Provider + "\x00" + x.Payer + "\x00" + x.Amount.String()
}

// committed records x, just committed, in the indexes.
func (st *state) committed(x *session) {
	st.Payments = append(st.Payments, x.ID)
	st.latest[x.paymentKey()] = x.ID
	if x.Fate == fateFail {
		st.failing = append(st.failing, x.ID)
	}
}

// commit commits x, its fate marked, as a payment of all (AMOUNT_ALL) at
// now: the next TRANSID and its AUTHCODE, the dealer's balance less all,
// and the indexes. It returns the function that undoes all of it, for when
// the change cannot be saved.
func (st *state) commit(x *session, all money.Amount, now time.Time) (undo func()) {
	trans, prevAll, prevLost := st.NextTrans, x.AmountAll, x.LostCode
	x.Commits++
	x.LostCode = 0
	x.PaidAt = now
	x.AmountAll = all
	x.TransID = strconv.FormatInt(trans, 10)
	x.AuthCode = fmt.Sprintf("%06d", (trans*7919)%1000000)
	st.NextTrans++
	st.Balance -= all
	prevLatest, hadLatest := st.latest[x.paymentKey()]
	st.committed(x)
	return func() {
		x.Commits--
		x.PaidAt, x.TransID, x.AuthCode, x.Fate, x.AmountAll = time.Time{}, "", "", fateNormal, prevAll
		x.SettleAt, x.FailAfter, x.Polls, x.LostCode = time.Time{}, 0, 0, prevLost
		st.NextTrans--
		st.Balance += all
		st.Payments = st.Payments[:len(st.Payments)-1]
		if n := len(st.failing); n > 0 && st.failing[n-1] == x.ID {
			st.failing = st.failing[:n-1]
		}
		if hadLatest {
			st.latest[x.paymentKey()] = prevLatest
		} else {
			delete(st.latest, x.paymentKey())
		}
	}
}

const firstTransID = 1000010000001

// settle refunds the payments that failed by now; it returns the sessions
// it refunded.
func (st *state) settle(now time.Time, delay time.Duration) []*session {
	var refunded []*session
	keep := st.failing[:0]
	for _, id := range st.failing {
		x := st.Sessions[id]
		if !x.settled(now, delay) {
			keep = append(keep, id)
			continue
		}
		x.Refunded = true
		st.Balance += x.AmountAll
		refunded = append(refunded, x)
	}
	st.failing = keep
	return refunded
}

// Payment is a committed payment, for tests and the training log.
type Payment struct {
	Session  string
	Provider string // the catalogue code
	Number   string
	Account  string
	// Params are the other fields a described provider's check and pay
	// sent, by wire name (PERIOD, METER, ...).
	Params    map[string]string
	Amount    money.Amount
	AmountAll money.Amount
	TransID   string
	AuthCode  string
	At        time.Time // when it was committed
	// Result and Error are what status answers now: RESULT 3 (in
	// progress) or 7, and ERROR 0 or the failure's code; or, for a payment
	// the network never registered (training code 510,
	// Faults.NeverRegistered), no RESULT (-1) and ERROR 11.
	Result int
	Error  int
}

// statusOf returns RESULT and ERROR of a committed payment at now; RESULT
// is -1 when status answers none.
func statusOf(x *session, now time.Time, delay time.Duration) (result, code int) {
	switch {
	case x.Fate == fateUnregistered:
		return -1, 11
	case x.Fate == fateStuck || !x.settled(now, delay):
		return 3, 0
	case x.Fate == fateFail:
		return 7, failCode
	}
	return 7, 0
}

// Payments returns the committed payments in commit order.
func (s *Sim) Payments() []Payment {
	s.lockState()
	defer s.unlockState()
	now := s.clk.Now()
	out := make([]Payment, 0, len(s.st.Payments))
	for _, id := range s.st.Payments {
		x := s.st.Sessions[id]
		res, code := statusOf(x, now, s.cfg.StatusDelay)
		out = append(out, Payment{Session: x.ID, Provider: x.Provider, Number: x.Number, Account: x.Account, Params: maps.Clone(x.Params),
			Amount: x.Amount, AmountAll: x.AmountAll, TransID: x.TransID, AuthCode: x.AuthCode, At: x.PaidAt,
			Result: res, Error: code})
	}
	return out
}

// Committed returns how many times the SESSION was committed as a payment:
// 0 or 1 (anything more would be a double payment). A payment the network
// took counts whatever status later says of it (in progress for ever,
// failed and refunded, or ERROR 11 although the money was taken).
func (s *Sim) Committed(sessionID string) int {
	s.lockState()
	defer s.unlockState()
	if x := s.st.Sessions[sessionID]; x != nil {
		return x.Commits
	}
	return 0
}

// Sessions returns every SESSION the simulator knows, sorted.
func (s *Sim) Sessions() []string {
	s.lockState()
	defer s.unlockState()
	out := make([]string, 0, len(s.st.Sessions))
	for id := range s.st.Sessions {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Balance returns the dealer's balance now (failed payments refunded).
func (s *Sim) Balance() money.Amount {
	s.lockState()
	defer s.unlockState()
	s.settle(s.clk.Now())
	return s.st.Balance
}

// SetBalance sets the dealer's balance (a top-up, for training) and saves
// the state.
func (s *Sim) SetBalance(a money.Amount) error {
	s.lockState()
	defer s.unlockState()
	s.st.Balance = a
	return s.st.save()
}

// lockState takes the simulator's lock and, with a state file, the file
// lock, and brings the state up to date with the file.
func (s *Sim) lockState() {
	s.mu.Lock()
	s.st.lock()
	if err := s.st.refresh(); err != nil {
		s.log.Error("gateway sim: cannot reload the state; keeping the one in memory", "err", err)
	}
}

// unlockState releases what lockState took.
func (s *Sim) unlockState() {
	s.st.unlock()
	s.mu.Unlock()
}

// Close closes the state file and releases its lock file; the simulator must
// not be used afterwards. Without a state file it does nothing.
func (s *Sim) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.close()
}
