package sim

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding/charmap"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

// The training point codes (spec §11), the defaults of Config.
const (
	TrainingSD = "17031"
	TrainingAP = "17032"
	TrainingOP = "17034"
)

// DefaultTrainingLatency is Config.TrainingLatency when it is zero.
const DefaultTrainingLatency = 5 * time.Second

// TrainingCreditAfter is how long a payment of training code 508 stays in
// progress (RESULT=3) after its pay, on the simulator's clock, whatever
// Config.StatusDelay is: a little longer than the client's first status
// poll, so that the cashier sees "accepted" first and "credited" next.
const TrainingCreditAfter = 2 * time.Second

// maxBody bounds a request body; real requests are well under 2 KiB.
const maxBody = 64 << 10

// Config configures a simulator. Catalogue, DealerKeys and BankKey are
// required; zero values of the others take the defaults in brackets.
type Config struct {
	// Catalogue lists the providers; each one's check, pay and status URL
	// paths are routed to it (the host part is ignored, so a catalogue
	// resolved against the simulator's base URL routes as it should).
	Catalogue *gateway.Catalogue
	// DealerKeys are the registered dealer public keys; a request is
	// verified with the key its header serial names.
	DealerKeys *ipriv.Keyring
	// SD, AP and OP are the codes the simulator accepts (ERROR 2, 3, 4
	// otherwise) [17031, 17032, 17034].
	SD, AP, OP string
	// BankKey signs every answer.
	BankKey *ipriv.SecretKey
	// Clock tells the time and sleeps [clock.Real].
	Clock clock.Clock
	// Log receives one line per request [discard].
	Log *slog.Logger
	// Balance is the dealer's balance at the start, unless StateFile holds
	// one.
	Balance money.Amount
	// StatusDelay is how long a committed payment stays RESULT=3 before it
	// is RESULT=7 [0: at once].
	StatusDelay time.Duration
	// MaxPayment is the largest AMOUNT of one payment (ERROR 81) [0: none].
	MaxPayment money.Amount
	// DailyLimit is the point's limit on the AMOUNT_ALL committed in one
	// day (ERROR 82 at pay; AP_DAILY_LIMIT of the balance answer) [0: none].
	DailyLimit money.Amount
	// StateFile, when set, keeps sessions, payments and balance across
	// restarts. It is a journal of JSON lines: every change appends (and
	// syncs) one line with the balance, the next TRANSID and the sessions
	// it changed, so a change costs the same however many sessions the file
	// holds; the journal is rewritten compactly, atomically, when it has
	// grown far longer than the sessions it describes. A line torn by a
	// killed process is dropped when the file is read. A state file of the
	// earlier format (one JSON object) is read and rewritten as a journal
	// at the next change. Several simulators (PayDesk processes) may share
	// one: each change happens under an advisory lock (STATEFILE.lock,
	// Unix) on a state brought up to date with the lines the others
	// appended, or reloaded when another process replaced the file.
	StateFile string
	// TrainingLatency is the delay of training code 100
	// [DefaultTrainingLatency].
	TrainingLatency time.Duration
	// Faults are injected from the start; see SetFaults.
	Faults Faults
}

// route is where a URL path leads.
type route struct {
	op       Op
	provider *gateway.Provider // nil for status, balance and unknown codes
	gw       string            // the gateway directory
	code     string            // the provider code in the URL
}

// Sim is the simulated gateway: an http.Handler safe for concurrent use.
type Sim struct {
	cfg     Config
	clk     clock.Clock
	log     *slog.Logger
	routes  map[string]route
	gwIndex map[string]int // provider code -> GATEWAY_IN/OUT number

	mu       sync.Mutex
	st       *state
	faults   Faults
	requests map[Op]int
	// maxPayment and dailyLimit are Config's, settable while serving
	// (SetLimits), in kopecks.
	maxPayment, dailyLimit atomic.Int64
}

// New checks the configuration, loads the state file when there is one and
// returns the simulator.
func New(cfg Config) (*Sim, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	s := &Sim{cfg: cfg, clk: cfg.Clock, log: cfg.Log, routes: map[string]route{}, gwIndex: map[string]int{},
		faults: cfg.Faults, requests: map[Op]int{}}
	s.SetLimits(cfg.MaxPayment, cfg.DailyLimit)
	if s.clk == nil {
		s.clk = clock.Real{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.addRoutes(cfg.Catalogue); err != nil {
		return nil, err
	}
	st, err := loadState(cfg.StateFile, cfg.Balance)
	if err != nil {
		return nil, err
	}
	s.st = st
	return s, nil
}

// validate refuses a configuration without providers, dealer keys or a bank
// key, or with a negative amount or delay.
func (cfg Config) validate() error {
	const op = "new"
	switch {
	case cfg.Catalogue == nil || len(cfg.Catalogue.Providers) == 0:
		return errorf(op, KindConfig, "no provider catalogue")
	case cfg.DealerKeys == nil || len(cfg.DealerKeys.Keys) == 0:
		return errorf(op, KindConfig, "no dealer public keys")
	case cfg.BankKey == nil:
		return errorf(op, KindConfig, "no bank key")
	case cfg.Balance < 0 || cfg.MaxPayment < 0 || cfg.DailyLimit < 0 || cfg.StatusDelay < 0 || cfg.TrainingLatency < 0:
		return errorf(op, KindConfig, "negative balance, maximum or delay")
	}
	return nil
}

// withDefaults returns cfg with the training point codes and the training
// latency where they are not set.
func (cfg Config) withDefaults() Config {
	if cfg.SD == "" {
		cfg.SD = TrainingSD
	}
	if cfg.AP == "" {
		cfg.AP = TrainingAP
	}
	if cfg.OP == "" {
		cfg.OP = TrainingOP
	}
	if cfg.TrainingLatency == 0 {
		cfg.TrainingLatency = DefaultTrainingLatency
	}
	return cfg
}

// addRoutes routes each provider's check, pay and status URL paths to it
// and numbers its gateway (GATEWAY_IN/OUT) by its place in the catalogue.
// A URL without a path, or a path given to two providers or steps, is a
// configuration error.
func (s *Sim) addRoutes(cat *gateway.Catalogue) error {
	const op = "new"
	for i, p := range cat.Providers {
		s.gwIndex[p.Code] = i + 1
		for _, u := range []struct {
			raw string
			op  Op
		}{{p.CheckURL, OpCheck}, {p.PayURL, OpPay}, {p.StatusURL, OpStatus}} {
			pu, err := url.Parse(u.raw)
			if err != nil || pu.Path == "" {
				return errorf(op, KindConfig, "provider %s: URL %q has no path", p.Code, u.raw)
			}
			r := route{op: u.op, gw: gateway.GatewayDir(u.raw)}
			if u.op != OpStatus {
				r.provider, r.code = p, p.Code
			}
			if old, dup := s.routes[pu.Path]; dup && (old.op != r.op || old.provider != r.provider) {
				return errorf(op, KindConfig, "URL path %s is given to two providers or steps", pu.Path)
			}
			s.routes[pu.Path] = r
		}
	}
	return nil
}

// genericPath matches URLs of the real layout that the catalogue does not
// list: a check or pay for an unknown provider code (answered ERROR 15) or
// a status URL of another gateway directory.
var genericPath = regexp.MustCompile(`/cgi-bin/([A-Za-z0-9_]+)/[A-Za-z0-9_]+_(pay_check|pay|pay_status|status)\.cgi(?:/([^/]+))?$`)

// routeOf finds the route of a URL path.
func (s *Sim) routeOf(p string) (route, bool) {
	if r, ok := s.routes[p]; ok {
		return r, true
	}
	if strings.HasSuffix(p, "/cgi-bin/status/get_rest.cgi") {
		return route{op: OpBalance, gw: "status"}, true
	}
	m := genericPath.FindStringSubmatch(p)
	if m == nil {
		return route{}, false
	}
	r := route{gw: m[1], code: m[3]}
	switch m[2] {
	case "pay_check":
		r.op = OpCheck
	case "pay":
		r.op = OpPay
	default:
		if m[3] != "" {
			return route{}, false
		}
		r.op = OpStatus
	}
	if r.op != OpStatus && r.code == "" {
		return route{}, false
	}
	return r, true
}

// SetFaults replaces the injected faults; it is safe to call while requests
// are being served.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Faults returns the injected faults.
func (s *Sim) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// SetLimits sets the point's limit on one payment's AMOUNT (ERROR 81) and
// on the AMOUNT_ALL committed in a day (ERROR 82), 0 for none, as the
// balance request reports them.
func (s *Sim) SetLimits(perPayment, daily money.Amount) {
	s.maxPayment.Store(int64(perPayment))
	s.dailyLimit.Store(int64(daily))
}

// limits are the limits set: on one payment, on a day.
func (s *Sim) limits() (perPayment, daily money.Amount) {
	return money.Amount(s.maxPayment.Load()), money.Amount(s.dailyLimit.Load())
}

// Requests returns how many requests of the kind (or kinds) arrived, counting
// those refused and those that met a fault.
func (s *Sim) Requests(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.requests {
		if op&k != 0 {
			n += v
		}
	}
	return n
}

// reply is what a request is answered with.
type reply struct {
	op      Op
	fields  gateway.Fields
	hash    ipriv.Hash
	fault   fault
	code    int    // ERROR, for the log
	session string // for the log
}

// fault is the failure applied to one answer.
type fault int

const (
	faultNone fault = iota
	faultHTTP500
	faultDrop
	faultGarble
	faultBadSignature
	faultWrongSession
)

// ServeHTTP answers one gateway request. Only POST is served; unknown paths
// are 404. Every answer that is not an injected fault is a signed document
// (Content-Type text/plain; charset=windows-1251) whose fields follow spec
// §6. ERROR codes: 1 duplicate SESSION on check (and a pay of a committed
// SESSION), 2/3/4 wrong SD/AP/OP, 5 SESSION not 1–20 Latin letters or
// digits, 6 signature, 7 amount format or limits, 8/9 NUMBER/ACCOUNT
// against the provider's pattern, 10 request format, 11 unknown session,
// 15 unknown provider code, 17/18/19 pay differs from its check, 21
// insufficient funds, 23 not this operator's number (training code 023), 32
// the same payment within the hour, 37 another gateway than the check, 38
// more than an hour after the check, 41 (pay) and 48 (check) when the state
// file cannot be written (nothing is taken), 81 more than MaxPayment, 85
// AMOUNT_ALL below AMOUNT, 134 unregistered key serial. Faults and training
// numbers come on top (see Faults and the package documentation).
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := s.routeOf(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests[rt.op]++
	f := s.faults
	s.mu.Unlock()
	if f.HTTP500.Has(rt.op) {
		s.log.Info("gateway sim: fault", "op", rt.op, "fault", "http 500")
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	req := s.parse(rt, body)
	if d := f.Latency + s.latencyFor(req); d > 0 {
		// Processed after the delay even if the client went away meanwhile.
		_ = clock.Sleep(r.Context(), s.clk, d)
	}
	rep := s.process(req, f)
	s.write(w, rep)
}

// write signs and sends the reply, applying its fault.
func (s *Sim) write(w http.ResponseWriter, rep *reply) {
	s.log.Info("gateway sim: request", "op", rep.op, "session", rep.session, "error", rep.code, "fault", rep.fault)
	if rep.fault == faultHTTP500 {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	if rep.fault == faultDrop {
		drop(w)
		return
	}
	if rep.fault == faultWrongSession {
		sess := rep.fields.Get("SESSION")
		rep.fields.Set("SESSION", otherSession(sess))
	}
	body, err := rep.fields.Encode()
	if err != nil {
		s.log.Error("gateway sim: cannot encode the answer", "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	doc, err := s.cfg.BankKey.Sign(body, rep.hash, s.clk.Now())
	if err != nil {
		s.log.Error("gateway sim: cannot sign the answer", "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	switch rep.fault {
	case faultBadSignature:
		doc = tamper(doc)
	case faultGarble:
		doc = garble(doc)
	}
	w.Header().Set("Content-Type", "text/plain; charset=windows-1251")
	_, _ = w.Write(doc)
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// otherSession returns a SESSION that differs from s in its last character.
func otherSession(s string) string {
	if s == "" {
		return "X"
	}
	last := s[len(s)-1]
	repl := byte('X')
	if last == 'X' {
		repl = 'Y'
	}
	return s[:len(s)-1] + string(repl)
}

// tamper changes the digit after "ERROR=" in a signed document, so the
// document still parses but its signature no longer matches (and a client
// that does not verify reads a wrong ERROR).
func tamper(doc []byte) []byte {
	out := bytes.Clone(doc)
	i := bytes.Index(out, []byte("\r\nERROR="))
	if i < 0 {
		i = bytes.Index(out, []byte("BEGIN\r\n"))
		out[i+len("BEGIN\r\n")] ^= 1
		return out
	}
	out[i+len("\r\nERROR=")] ^= 1
	return out
}

// garble cuts the document in half and appends junk.
func garble(doc []byte) []byte {
	out := bytes.Clone(doc[:len(doc)/2])
	return append(out, "\r\n<html><body>Proxy Error</body></html>\r\n"...)
}

// safeText replaces what windows-1251 cannot carry (and control
// characters) with "?", so catalogue text never makes an answer
// unencodable.
func safeText(s string) string {
	enc := charmap.Windows1251.NewEncoder()
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		if _, err := enc.String(string(r)); err != nil {
			return '?'
		}
		return r
	}, s)
}
