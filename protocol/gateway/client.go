// Package gateway is PayDesk's client of the CyberPlat dealer protocol:
// check, pay, status and balance requests built as windows-1251 NAME=value
// text, signed as IPRIV documents, form-encoded and POSTed; every answer is
// verified with the bank key before a single field is believed.
//
// The exactly-once rule lives here too: a pay request is sent once; when its
// answer is lost or untrustworthy the outcome is unknown, never failed, and
// only status with the same SESSION may settle it (see Outcome and Settle).
package gateway

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"paydesk/internal/clock"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/ipriv"
)

// DefaultTimeout bounds one request, answer included: the network may be slow.
const DefaultTimeout = 90 * time.Second

// maxAnswer bounds the size of an answer read from the network, and of a
// compressed answer once unpacked (against zip bombs).
const maxAnswer = 1 << 20

// Config is what a Client needs. SD, AP, OP, Key and Bank are required.
type Config struct {
	SD, AP, OP string           // dealer, point and operator codes (digits)
	Key        *ipriv.SecretKey // the point's signing key
	Hash       ipriv.Hash       // MD5 (default) or SHA256 for our signatures
	// Bank is the key answers must be signed with; its serial is sent in
	// ACCEPT_KEYS. BankSHA256 asks the network to sign answers with SHA-256.
	Bank       *ipriv.PublicKey
	BankSHA256 bool
	BalanceURL string // get_rest.cgi
	HTTP       *http.Client
	Clock      clock.Clock
	Log        *slog.Logger
	Timeout    time.Duration // per request; DefaultTimeout when zero
}

// Client talks to the payment network. It is safe for concurrent use.
type Client struct {
	cfg Config
}

// New checks the configuration and returns a client.
//
// Requests go out through Config.HTTP, DefaultHTTPClient when nil. Whatever
// the client, a redirect is never followed: an HTTP 3xx answer is a
// KindNoAnswer error naming the Location, and nothing is re-sent (a 307 or
// 308 would re-POST the signed request to another host, possibly over
// plain http). The proxy policy is DefaultHTTPClient's: HTTPS_PROXY (and
// NO_PROXY) are honoured through http.ProxyFromEnvironment, as points sit
// behind office proxies; the proxy gets a CONNECT tunnel with TLS end to
// end, loopback addresses never go through it, and since every request is
// signed and every answer verified with the bank key a proxy, even one
// trusted to open the TLS, can read what passes but not forge it.
func New(cfg Config) (*Client, error) {
	for _, c := range []struct{ name, v string }{{"SD", cfg.SD}, {"AP", cfg.AP}, {"OP", cfg.OP}} {
		if c.v == "" || strings.Trim(c.v, "0123456789") != "" {
			return nil, configErr("configure", nil, i18n.M("gateway.point_code", "name", c.name, "value", c.v))
		}
	}
	if cfg.Key == nil {
		return nil, configErr("configure", nil, i18n.M("gateway.no_secret_key"))
	}
	if cfg.Bank == nil {
		return nil, configErr("configure", nil, i18n.M("gateway.no_bank_key"))
	}
	if cfg.Hash == 0 {
		cfg.Hash = ipriv.MD5
	}
	if cfg.HTTP == nil {
		cfg.HTTP = DefaultHTTPClient()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.BalanceURL != "" {
		if err := CheckURL(cfg.BalanceURL); err != nil {
			return nil, err
		}
	}
	return &Client{cfg: cfg}, nil
}

// DefaultHTTPClient has a 15 s connect and TLS handshake timeout, TLS 1.2
// at the least, the proxy from the environment (HTTPS_PROXY, NO_PROXY) and
// no redirects followed; the total time is bounded per request by
// Config.Timeout.
func DefaultHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: 15 * time.Second,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: refuseRedirect,
	}
}

// refuseRedirect is the CheckRedirect of every request: the redirect's
// answer is handed back as it is, and post turns it into an error.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// redirectError is an HTTP 3xx answer, not followed. Location is the
// target resolved against the request's URL, as scheme://host/path (no
// user, query or fragment), or "" when the answer names none.
type redirectError struct {
	Status   int
	Location string
}

func (e *redirectError) Error() string {
	to := e.Location
	if to == "" {
		to = "no Location"
	}
	return fmt.Sprintf("HTTP %d redirect to %s, not followed", e.Status, to)
}

// redirected makes the error for a 3xx answer.
func redirected(resp *http.Response) *redirectError {
	e := &redirectError{Status: resp.StatusCode}
	if u, err := resp.Location(); err == nil && u.Host != "" {
		e.Location = u.Scheme + "://" + u.Host + u.EscapedPath()
	}
	return e
}

// CheckURL allows https anywhere and plain http only to loopback addresses
// (the simulator, tests): money never travels in clear text.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return configErr("configure", err, i18n.M("gateway.not_url", "url", raw))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return configErr("configure", nil, i18n.M("gateway.plain_http", "url", raw))
	}
	return configErr("configure", nil, i18n.M("gateway.not_https", "url", raw, "scheme", u.Scheme))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Payment is the data of one payment, the same for its check and its pay.
type Payment struct {
	Provider *Provider
	Session  string
	ID       string // the payer's number or account, normalised; sent in Provider.Field
	// Values are what was typed for a provider the network describes field
	// by field (Provider.Inputs), by field id; they are checked again and
	// sent as the provider's requests lay them out, and ID is not read.
	Values  map[string]string
	Account string       // ACCOUNT when the id travels in NUMBER (optional)
	Amount  money.Amount // credited to the payer
	Total   money.Amount // AMOUNT_ALL: taken from the payer (Amount plus the point's fee); Amount when zero
	PayTool int          // 0 cash, 1 card of the partner bank, 2 other card
	Comment string       // up to 64 characters
	RRN     string       // our own payment number (pay only), up to 32 digits
	NoRoute bool         // do not reroute ported numbers
	TermID  string
}

// Answer is a verified answer of the network.
type Answer struct {
	Op string // check, pay, status or balance
	// Fields holds every NAME=value line of the signed message, decoded
	// from windows-1251; the fields the provider's catalogue entry marks as
	// encoded (Provider.Encoded) are URL-decoded, every other one is as
	// signed. Lines that are not NAME=value are not in it.
	Fields Fields
	// Document is the signed document as received (unpacked when it came
	// compressed).
	Document []byte
	Session  string
	Date     string
	Error    int // ERROR; 0 when absent
	Result   int // RESULT; -1 when absent
	TransID  string
	AuthCode string
	OpName   string
	ErrMsg   string
	AddInfo  string // URL-decoded only when the provider marks ADDINFO as encoded
	Rest     money.Amount
	HasRest  bool
	Price    money.Amount // fixed price when the provider sets one
	HasPrice bool
}

// OK reports success by the spec's rule: check, pay and balance succeed on
// ERROR=0 (and RESULT=0 where RESULT is given), status on ERROR=0 and
// RESULT=7. For pay it is not enough: Client.Pay takes an answer as an
// acceptance only when it carries a TRANSID and none of a check answer's
// fields.
func (a *Answer) OK() bool {
	if a.Error != 0 {
		return false
	}
	switch a.Op {
	case "status":
		return a.Result == 7
	case "balance":
		return a.Result <= 0
	}
	return a.Result == 0
}

// Outcome is what a status answer says about a payment.
type Outcome int

// The outcomes of a payment.
const (
	// Unknown: no trustworthy answer, or one that settles nothing.
	Unknown Outcome = iota
	// InProgress: the network has the payment and is processing it.
	InProgress
	// Paid: completed successfully (status RESULT 7, ERROR 0).
	Paid
	// NotPaid: the payment never happened (ERROR 11, or RESULT 0 or 1); only
	// now may the cash go back or a new SESSION be used.
	NotPaid
	// Failed: the network completed it as failed (RESULT 7, ERROR not 0).
	Failed
)

// String names the outcome.
func (o Outcome) String() string {
	return [...]string{"unknown", "in progress", "paid", "not paid", "failed"}[o]
}

// Final reports whether the outcome will not change.
func (o Outcome) Final() bool { return o == Paid || o == NotPaid || o == Failed }

// StatusOutcome reads a verified status answer by the spec's table.
func StatusOutcome(a *Answer) Outcome {
	if a == nil {
		return Unknown
	}
	if a.Error == 11 && a.Result < 2 {
		return NotPaid
	}
	switch {
	case a.Result == 7 && a.Error == 0:
		return Paid
	case a.Result == 7:
		return Failed
	case a.Result == 0 || a.Result == 1:
		// Only the check happened, whatever ERROR says why (21, 23, …):
		// spec §8's table.
		return NotPaid
	case a.Result >= 2 && a.Result <= 6:
		return InProgress
	}
	return Unknown
}

// Timeout is the longest one request may take, answer included.
func (c *Client) Timeout() time.Duration { return c.cfg.Timeout }

func (c *Client) date() string {
	return c.cfg.Clock.Now().UTC().Format("02.01.2006 15:04:05")
}

func (c *Client) acceptKeys() string {
	s := strconv.FormatUint(uint64(c.cfg.Bank.Serial), 10)
	if c.cfg.BankSHA256 {
		s += "-sha256"
	}
	return s
}

// validSession: 1–20 Latin letters and digits.
func validSession(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// paymentFields builds the body of a check or pay request.
func (c *Client) paymentFields(op string, p Payment, reqType string) (Fields, error) {
	inputErr := func(m i18n.Msg) error {
		return &Error{Op: op, Kind: KindInput, Session: p.Session, Text: m}
	}
	if p.Provider == nil {
		return nil, inputErr(i18n.M("gateway.no_provider"))
	}
	if !validSession(p.Session) {
		return nil, inputErr(i18n.M("gateway.bad_session", "session", p.Session))
	}
	var id string
	var vals map[string]string
	var err error
	if p.Provider.Described() {
		vals, err = p.Provider.Values(p.Values)
		id = vals[p.Provider.Main()]
	} else {
		id, err = p.Provider.Validate(p.ID)
	}
	if err != nil {
		e := err.(*Error)
		e.Op, e.Session = op, p.Session
		return nil, e
	}
	if reqType != "1" {
		if err := p.Provider.CheckAmount(p.Amount); err != nil {
			e := err.(*Error)
			e.Op, e.Session = op, p.Session
			return nil, e
		}
	}
	total := p.Total
	if total == 0 {
		total = p.Amount
	}
	if total < p.Amount {
		return nil, inputErr(i18n.M("gateway.total_below_amount"))
	}
	if len([]rune(p.Comment)) > 64 {
		return nil, inputErr(i18n.M("gateway.long_comment"))
	}
	f := Fields{
		{"SD", c.cfg.SD}, {"AP", c.cfg.AP}, {"OP", c.cfg.OP},
		{"DATE", c.date()},
		{"SESSION", p.Session},
	}
	if p.Provider.Field == "ACCOUNT" {
		f = append(f, Field{"NUMBER", ""}, Field{"ACCOUNT", id})
	} else {
		f = append(f, Field{"NUMBER", id}, Field{"ACCOUNT", p.Account})
	}
	f = append(f, Field{"AMOUNT", p.Amount.String()}, Field{"AMOUNT_ALL", total.String()})
	if reqType != "" {
		f = append(f, Field{"REQ_TYPE", reqType})
	}
	f = append(f, Field{"PAY_TOOL", strconv.Itoa(p.PayTool)})
	if p.TermID != "" {
		f = append(f, Field{"TERM_ID", p.TermID})
	}
	if op == "pay" && p.RRN != "" {
		f = append(f, Field{"RRN", p.RRN})
	}
	if p.Comment != "" {
		f = append(f, Field{"COMMENT", p.Comment})
	}
	if vals != nil {
		req := ReqCheck
		if op == "pay" && p.Provider.Requests[ReqPay] != nil {
			req = ReqPay
		}
		params, _ := p.Provider.Params(req, vals)
		for _, x := range params {
			f.Set(x.Name, x.Value)
		}
	}
	for k, v := range p.Provider.Extra {
		f.Set(k, v)
	}
	f = append(f, Field{"ACCEPT_KEYS", c.acceptKeys()})
	if p.NoRoute {
		f = append(f, Field{"NO_ROUTE", "1"})
	}
	return f, nil
}

// Check asks whether the payment may be made. On a verified refusal it
// returns the answer and a KindRefused error; without a trustworthy answer a
// KindNoAnswer error (a check moves no money: it may be repeated, with a new
// SESSION).
func (c *Client) Check(ctx context.Context, p Payment) (*Answer, error) {
	f, err := c.paymentFields("check", p, "0")
	if err != nil {
		return nil, err
	}
	a, err := c.do(ctx, "check", p.Provider.CheckURL, p.Session, f, p.Provider.Encoded)
	return c.received(p, ReqCheck, a, err)
}

// received holds an answer without an error to request req of the
// provider's description: one that lacks a field the request must receive
// is no trustworthy answer.
func (c *Client) received(p Payment, req string, a *Answer, err error) (*Answer, error) {
	if err != nil || a == nil || a.Error != 0 {
		return a, err
	}
	if missing := p.Provider.Missing(req, a.Fields); len(missing) > 0 {
		c.cfg.Log.Warn("gateway: the answer lacks fields the provider's description requires", "session", p.Session, "request", req, "missing", missing)
		return a, &Error{Op: a.Op, Kind: KindNoAnswer, Session: p.Session, Result: a.Result,
			Text: i18n.M("gateway.missing_received", "fields", strings.Join(missing, ", "), "provider", p.Provider.Name)}
	}
	return a, nil
}

// CheckNumber checks only the payer's number (REQ_TYPE=1), before the
// amount is known, with the provider's minimum as the amount. The session
// must be a throw-away one, never used again.
// Of p only the provider, the session, the id and the values are read.
func (c *Client) CheckNumber(ctx context.Context, p Payment) (*Answer, error) {
	if p.Provider == nil {
		return nil, &Error{Op: "check number", Kind: KindInput, Text: i18n.M("gateway.no_provider")}
	}
	p = Payment{Provider: p.Provider, Session: p.Session, ID: p.ID, Values: p.Values, Amount: p.Provider.Min}
	f, err := c.paymentFields("check", p, "1")
	if err != nil {
		return nil, err
	}
	a, err := c.do(ctx, "check", p.Provider.CheckURL, p.Session, f, p.Provider.Encoded)
	return c.received(p, ReqCheck, a, err)
}

// Pay sends the payment, once. The caller must have persisted the SESSION
// and the fact that pay is being sent before calling. It returns nil only
// for an acceptance (see notAcceptance): a verified answer to pay with
// ERROR=0, RESULT=0 and a TRANSID. A KindNoAnswer error means the outcome
// is unknown: settle it with Status, never by paying again. It comes with
// the verified answer when one came that is not an acceptance (a check's
// answer, no TRANSID, ERROR=0 without RESULT=0), so that the caller can
// record it; that answer is neither a refusal nor a success. A verified
// refusal (KindRefused) is final only once status confirms it.
func (c *Client) Pay(ctx context.Context, p Payment) (*Answer, error) {
	f, err := c.paymentFields("pay", p, "")
	if err != nil {
		return nil, err
	}
	a, err := c.do(ctx, "pay", p.Provider.PayURL, p.Session, f, p.Provider.Encoded)
	if a == nil || a.Error != 0 {
		return a, err // no trustworthy answer, or a refusal: status settles it
	}

	if why := notAcceptance(a); why != "" {
		c.cfg.Log.Warn("gateway: the answer to pay is not an acceptance", "session", p.Session, "why", why)
		return a, &Error{Op: "pay", Kind: KindNoAnswer, Session: p.Session, Result: a.Result,
			Text: i18n.M("gateway.pay_not_accepted"), Err: errors.New(why)}
	}
	// A provider described without a pay layout names no fields to receive;
	// an acceptance without one it names is not known to be one.
	return c.received(p, ReqPay, a, nil)
}

// checkOnlyFields are the fields spec §6 (docs/gateway-answers.md) gives
// to a check answer and never to a pay answer. CyberPlat's test server's
// real check answer carries OPNAME, ACCOUNT and REST; its pay answer only
// DATE, SESSION, ERROR, RESULT, TRANSID and GATEWAY_IN/OUT.
var checkOnlyFields = []string{"REST", "OPNAME", "ACCOUNT", "ADDINFO", "PRICE", "PRICE_RECOMMEND", "BALANCE", "RESTLIMIT"}

// notAcceptance says why a verified answer with ERROR=0 to pay is not an
// acceptance of the payment, or "" when it is one. An acceptance is
// evidently an answer to pay: RESULT is 0 (spec §7: pay succeeds iff ERROR=0
// and RESULT=0), no field that only a check answer carries (spec §6:
// REST, OPNAME, ACCOUNT, ADDINFO, PRICE, PRICE_RECOMMEND, BALANCE,
// RESTLIMIT; present even empty), and a TRANSID of digits (spec §6: pay
// answers carry the CyberPlat transaction id). A check answer for the same
// SESSION handed back as the answer to pay is thus never read as a
// payment made. The rule and its sources: docs/gateway-answers.md.
func notAcceptance(a *Answer) string {
	if a.Result != 0 {
		if a.Result < 0 {
			return "the answer has ERROR=0 but no RESULT"
		}
		return fmt.Sprintf("the answer has ERROR=0 but RESULT=%d, not 0", a.Result)
	}
	for _, name := range checkOnlyFields {
		if _, ok := a.Fields.Lookup(name); ok {
			return "the answer carries " + name + ", a field of a check answer, not of a pay answer"
		}
	}
	if a.TransID == "" {
		return "the answer has no TRANSID"
	}
	if strings.Trim(a.TransID, "0123456789") != "" {
		return fmt.Sprintf("TRANSID %q is not digits", a.TransID)
	}
	return ""
}

// Status asks what happened to the payment with the session. It returns an
// error only when there is no trustworthy answer; read the answer with
// StatusOutcome.
func (c *Client) Status(ctx context.Context, prov *Provider, session, transID string) (*Answer, error) {
	if prov == nil {
		return nil, &Error{Op: "status", Kind: KindInput, Text: i18n.M("gateway.no_provider")}
	}
	if !validSession(session) {
		return nil, &Error{Op: "status", Kind: KindInput, Session: session,
			Text: i18n.M("gateway.bad_session", "session", session)}
	}
	f := Fields{{"SD", c.cfg.SD}, {"AP", c.cfg.AP}, {"OP", c.cfg.OP}, {"SESSION", session}}
	if transID != "" {
		f = append(f, Field{"TRANSID", transID})
	}
	f = append(f, Field{"ACCEPT_KEYS", c.acceptKeys()})
	a, err := c.do(ctx, "status", prov.StatusURL, session, f, prov.Encoded)
	if err != nil && KindOf(err) == KindRefused {
		return a, nil // a refusal is an answer for status: read its outcome
	}
	return a, err
}

// Balance asks the dealer's balance (REST) with a fresh session.
func (c *Client) Balance(ctx context.Context, session string) (*Answer, error) {
	if c.cfg.BalanceURL == "" {
		return nil, configErr("balance", nil, i18n.M("gateway.no_balance_url"))
	}
	f := Fields{{"SD", c.cfg.SD}, {"AP", c.cfg.AP}, {"OP", c.cfg.OP}, {"SESSION", session}, {"ACCEPT_KEYS", c.acceptKeys()}}
	return c.do(ctx, "balance", c.cfg.BalanceURL, session, f, nil)
}

// do signs, sends and verifies one request; encoded names the answer's
// fields to URL-decode (Provider.Encoded).
func (c *Client) do(ctx context.Context, op, target, session string, f Fields, encoded []string) (*Answer, error) {
	if err := CheckURL(target); err != nil {
		e := err.(*Error)
		e.Op, e.Session = op, session
		return nil, e
	}
	body, err := f.Encode()
	if err != nil {
		return nil, &Error{Op: op, Kind: KindInput, Session: session, Err: err,
			Text: i18n.M("gateway.not_cp1251")}
	}
	doc, err := c.cfg.Key.Sign(body, c.cfg.Hash, c.cfg.Clock.Now())
	if err != nil {
		return nil, &Error{Op: op, Kind: KindConfig, Session: session, Err: err,
			Text: i18n.M("gateway.sign_failed")}
	}
	start := time.Now()
	raw, err := c.post(ctx, target, doc)
	log := c.cfg.Log.With("op", op, "session", session, "url", target, "ms", time.Since(start).Milliseconds())
	if err != nil {
		log.Warn("gateway: no answer", "err", err)
		return nil, noAnswer(op, session, err)
	}
	a, err := c.read(op, session, raw, encoded)
	if err != nil {
		log.Warn("gateway: untrustworthy answer", "err", err)
		return nil, noAnswer(op, session, err)
	}
	log.Info("gateway: answer", "error", a.Error, "result", a.Result, "transid", a.TransID)
	if !a.OK() && op != "status" {
		return a, &Error{Op: op, Kind: KindRefused, Code: a.Error, Result: a.Result, Session: session}
	}
	if op == "status" && a.Error != 0 {
		return a, &Error{Op: op, Kind: KindRefused, Code: a.Error, Result: a.Result, Session: session}
	}
	return a, nil
}

func (c *Client) post(ctx context.Context, target string, doc []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(FormBody(doc)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// The caller's client is copied (its transport shared) so that no
	// redirect is followed whatever its own CheckRedirect says.
	hc := *c.cfg.HTTP
	hc.CheckRedirect = refuseRedirect
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		return nil, redirected(resp)
	}
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxAnswer {
		return nil, errors.New("answer too large")
	}
	if compressed(resp.Header) {
		if b, err = unpack(b); err != nil {
			return nil, err
		}
	}
	if len(b) == 0 {
		return nil, errors.New("empty answer")
	}
	return b, nil
}

// noAnswer is the error for an answer that did not come or cannot be
// believed; a compressed answer that cannot be unpacked says so, and a
// redirect names its target and that nothing was re-sent.
func noAnswer(op, session string, err error) *Error {
	e := &Error{Op: op, Kind: KindNoAnswer, Session: session, Result: -1, Err: err}
	var pe *packingError
	var re *redirectError
	switch {
	case errors.As(err, &re):
		key := "gateway.no_answer.redirect"
		if op == "pay" {
			key += ".pay"
		}
		e.Text = i18n.M(key, "status", re.Status, "location", re.Location)
	case errors.As(err, &pe):
		key := "gateway.no_answer.compressed"
		if op == "pay" {
			key += ".pay"
		}
		e.Text = i18n.M(key)
	}
	return e
}

// compressed reports whether the answer says it is compressed:
// Content-Type application/x-gzip (what CyberPlat's kiosk looks for) or
// application/gzip, or a Content-Encoding gzip that the HTTP transport did
// not undo itself (it does, and drops the header, when it asked for gzip).
func compressed(h http.Header) bool {
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && (mt == "application/x-gzip" || mt == "application/gzip") {
		return true
	}
	for _, ce := range strings.Split(h.Get("Content-Encoding"), ",") {
		if ce = strings.TrimSpace(ce); strings.EqualFold(ce, "gzip") || strings.EqualFold(ce, "x-gzip") {
			return true
		}
	}
	return false
}

// packingError is a compressed answer that cannot be unpacked.
type packingError struct{ err error }

func (e *packingError) Error() string { return "compressed answer: " + e.err.Error() }
func (e *packingError) Unwrap() error { return e.err }

// unpack unpacks a compressed answer, telling its form by its bytes: gzip
// (magic 1f 8b), bare zlib (a valid zlib header), or Qt's qCompress form,
// the one CyberPlat's kiosk reads (RequestSender.cpp passes an
// application/x-gzip answer to qUncompress): the unpacked length as 4
// bytes big-endian, then a zlib stream. The qCompress length must match
// what the stream unpacks to; at most maxAnswer bytes are unpacked. Bytes
// after the end of the stream are ignored, as zlib's uncompress does.
func unpack(b []byte) ([]byte, error) {
	bad := func(format string, a ...any) ([]byte, error) {
		return nil, &packingError{fmt.Errorf(format, a...)}
	}
	var zr io.ReadCloser
	var err error
	limit, want := maxAnswer, -1
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		var gz *gzip.Reader
		if gz, err = gzip.NewReader(bytes.NewReader(b)); err == nil {
			gz.Multistream(false)
			zr = gz
		}
	case zlibHeader(b):
		zr, err = zlib.NewReader(bytes.NewReader(b))
	case len(b) > 4 && zlibHeader(b[4:]):
		want = int(binary.BigEndian.Uint32(b))
		if want > maxAnswer {
			return bad("qUncompress length %d is larger than %d bytes", want, maxAnswer)
		}
		limit = want
		zr, err = zlib.NewReader(bytes.NewReader(b[4:]))
	default:
		return bad("the body is not qCompress, gzip or zlib")
	}
	if err != nil {
		return nil, &packingError{err}
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	switch {
	case err != nil:
		return nil, &packingError{err}
	case want >= 0 && len(out) != want:
		if len(out) > want {
			return bad("qUncompress length %d does not match: the stream unpacks to more", want)
		}
		return bad("qUncompress length %d does not match the %d bytes unpacked", want, len(out))
	case len(out) > maxAnswer:
		return bad("unpacked answer larger than %d bytes", maxAnswer)
	}
	return out, nil
}

// zlibHeader reports whether b starts with a zlib header (RFC 1950):
// method 8 (deflate), a window of at most 32 KiB, and the check bits.
func zlibHeader(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

// read verifies an answer and decodes its fields: lines that are not
// NAME=value are passed over (ParseAnswerFields), the fields named in
// encoded are URL-decoded, every other one is taken as signed.
func (c *Client) read(op, session string, raw []byte, encoded []string) (*Answer, error) {
	d, _, err := c.cfg.Bank.Verify(raw)
	if err != nil {
		return nil, err
	}
	f := urlDecoded(ParseAnswerFields(d.Body), encoded)
	a := &Answer{Op: op, Fields: f, Document: raw, Result: -1}
	a.Session = f.Get("SESSION")
	// Real balance answers carry no SESSION; every other answer must echo ours.
	if a.Session != session && !(op == "balance" && a.Session == "") {
		return nil, fmt.Errorf("the answer is for SESSION %q, not %q", a.Session, session)
	}
	errText, ok := f.Lookup("ERROR")
	if !ok {
		return nil, errors.New("the answer has no ERROR field")
	}
	if a.Error, err = strconv.Atoi(strings.TrimSpace(errText)); err != nil {
		return nil, fmt.Errorf("ERROR %q is not a number", errText)
	}
	if r := strings.TrimSpace(f.Get("RESULT")); r != "" {
		if a.Result, err = strconv.Atoi(r); err != nil {
			return nil, fmt.Errorf("RESULT %q is not a number", r)
		}
	}
	a.Date = f.Get("DATE")
	a.TransID = f.Get("TRANSID")
	a.AuthCode = f.Get("AUTHCODE")
	a.OpName = f.Get("OPNAME")
	a.ErrMsg = f.Get("ERRMSG")
	a.AddInfo = f.Get("ADDINFO")
	if v := strings.TrimSpace(f.Get("REST")); v != "" {
		if a.Rest, err = parseSigned(v); err == nil {
			a.HasRest = true
		}
	}
	if v := strings.TrimSpace(f.Get("PRICE")); v != "" {
		if a.Price, err = money.Parse(v); err == nil {
			a.HasPrice = true
		}
	}
	return a, nil
}

// parseSigned reads an amount that may be negative (a dealer balance).
func parseSigned(s string) (money.Amount, error) {
	if strings.HasPrefix(s, "-") {
		a, err := money.Parse(s[1:])
		return -a, err
	}
	return money.Parse(s)
}

// NewSession makes a SESSION of 20 Latin letters and digits: "PD", the
// time to the second (UTC) and six random digits. The till core makes its
// own from a persisted counter; this one serves one-off requests.
func NewSession(now time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "PD" + now.UTC().Format("060102150405") + fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1_000_000)
}
