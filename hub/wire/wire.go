// Package wire is the batch a desk sends to the hub: the point's id, a
// contiguous range of its event sequence numbers, and the events (final
// payments, closed shifts, cash operations, the desk's health), encoded
// deterministically as JSON and signed with the point's own IPRIV key
// (protocol/ipriv), so that the hub, holding the registered public key,
// believes a batch only after it verifies and no new secret is handed out.
//
// The encoding is canonical: Encode writes one byte string for one batch
// (struct fields in order, times in UTC, no spaces), and Decode refuses any
// other spelling of the same batch, so a signature covers exactly one
// meaning.
package wire

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"paydesk/money"
)

// Version is the batch format's version.
const Version = 1

// Limits of one batch.
const (
	MaxEvents = 10000    // events in one batch
	MaxBytes  = 16 << 20 // the signed document
	maxText   = 200      // any one text field, in bytes
	// MaxAmount bounds a payment's amount, fee and commission (100 million
	// roubles), so that a year of a network's sums fits an int64.
	MaxAmount money.Amount = 10_000_000_000
)

// Batch is what a desk sends: events From..To of its point, in order.
type Batch struct {
	Version int       `json:"v"`
	Point   string    `json:"point"` // the point's id, as registered on the hub
	From    int64     `json:"from"`  // the first event's sequence number (from 1)
	To      int64     `json:"to"`    // the last event's
	Sent    time.Time `json:"sent"`  // when the desk made the batch
	Events  []Event   `json:"events"`
}

// Type names an event's type.
type Type string

// The types of event.
const (
	TypePayment Type = "payment" // a payment reached a final state (or a dispute)
	TypeShift   Type = "shift"   // a shift was closed with its Z report
	TypeCash    Type = "cash"    // cash was put in or taken out
	TypeHealth  Type = "health"  // the desk's state at a moment
)

// Event is one thing that happened at the point; exactly the field its
// Type names is set.
type Event struct {
	Seq     int64     `json:"seq"`
	Type    Type      `json:"type"`
	At      time.Time `json:"at"` // when it happened on the desk
	Payment *Payment  `json:"payment,omitempty"`
	Shift   *Shift    `json:"shift,omitempty"`
	Cash    *Cash     `json:"cash,omitempty"`
	Health  *Health   `json:"health,omitempty"`
}

// State is a payment's final state as the hub knows it.
type State string

// The states a payment event carries.
const (
	Paid     State = "paid"     // the network credited it
	Failed   State = "failed"   // the network did not (the money goes back)
	Refunded State = "refunded" // failed after its receipt, returned with a return receipt
	Disputed State = "disputed" // the network's answers disagree: support decides
)

// Closing says how a payment reached its state.
type Closing string

// How a payment is closed.
const (
	ByNetwork Closing = "network" // the network's own final answer
	BySupport Closing = "support" // a manager recorded support's decision on a dispute
	ByRefund  Closing = "refund"  // the cashier handed the money back with a return receipt
	Undecided Closing = ""        // a dispute not decided yet
)

// Payment is a payment in its final state (or disputed). The same session
// may come again in a later event with a later state (disputed → paid,
// failed → refunded); the hub keeps the latest.
type Payment struct {
	Session  string `json:"session"`  // the SESSION, unique at the point
	Provider string `json:"provider"` // the provider's code in the catalogue
	// ProviderName is the provider's name as the desk's catalogue gives it
	// ("" when the desk does not say): reports name providers by it.
	ProviderName string       `json:"provider_name,omitempty"`
	Number       string       `json:"number"` // the payer's number, masked (Mask)
	Amount       money.Amount `json:"amount"` // credited to the payer
	Fee          money.Amount `json:"fee"`    // the point's fee, paid by the payer
	Commission   money.Amount `json:"commission"`
	Cashier      string       `json:"cashier"` // the cashier's login
	Shift        int64        `json:"shift"`   // the desk's shift id
	State        State        `json:"state"`
	Closed       Closing      `json:"closed"`
	Accepted     time.Time    `json:"accepted"` // when pay was sent: the payment's day in reports
	Final        time.Time    `json:"final"`    // when it reached State
	// Lookup is the code printed in the slip's QR code (LookupURL) with
	// which the payer may see this payment's state on the hub; "" when
	// the slip has none.
	Lookup string `json:"lookup,omitempty"`
}

// Shift is a closed shift with its Z report totals and the counted cash.
type Shift struct {
	ID           int64        `json:"id"`     // the desk's shift id
	Device       int          `json:"device"` // the fiscal drive's shift number
	Opened       time.Time    `json:"opened"`
	Closed       time.Time    `json:"closed"`
	OpenedBy     string       `json:"opened_by"`
	ClosedBy     string       `json:"closed_by"`
	Payments     int          `json:"payments"`
	Amount       money.Amount `json:"amount"`
	Fee          money.Amount `json:"fee"`
	Commission   money.Amount `json:"commission"`
	Refunded     money.Amount `json:"refunded"`
	CashIn       money.Amount `json:"cash_in"`
	CashOut      money.Amount `json:"cash_out"`
	OpeningFloat money.Amount `json:"opening_float"`
	Expected     money.Amount `json:"expected"` // cash that should be in the drawer
	Counted      money.Amount `json:"counted"`  // cash the manager counted
}

// CashOp is a cash operation's direction.
type CashOp string

// Cash in and out.
const (
	CashIn  CashOp = "in"
	CashOut CashOp = "out"
)

// Cash is money put into or taken out of the drawer.
type Cash struct {
	Op      CashOp       `json:"op"`
	Amount  money.Amount `json:"amount"`
	Cashier string       `json:"cashier"`
	Shift   int64        `json:"shift"`
}

// Health is the desk's state when the event was made.
type Health struct {
	LastSync   time.Time    `json:"last_sync,omitzero"` // the last answer from the network
	ShiftOpen  bool         `json:"shift_open"`
	Register   string       `json:"register"`           // "ok" or what is wrong with the register
	Drive      string       `json:"drive"`              // "ok" or what is wrong with the fiscal drive
	Warnings   []string     `json:"warnings,omitempty"` // the drive's warnings (codes)
	Pending    int          `json:"pending"`
	Disputed   int          `json:"disputed"`
	RefundsDue int          `json:"refunds_due"`
	Balance    money.Amount `json:"balance"` // the dealer's balance at the network
	Version    string       `json:"version"` // the desk's version
}

// Encode writes the batch in its canonical form. It refuses a batch that
// Decode would refuse.
func Encode(b *Batch) ([]byte, error) {
	c := canonical(b)
	if err := check(c); err != nil {
		return nil, err
	}
	return marshal(c)
}

func marshal(b *Batch) ([]byte, error) {
	out, err := json.Marshal(b)
	if err != nil {
		return nil, wrap("encode", KindFormat, err)
	}
	return out, nil
}

// Decode reads a batch written by Encode and checks it: the version, the
// point, a contiguous range matching the events, each event well formed.
// Any other spelling of a batch (spaces, other field order, unknown fields,
// times not in UTC) is refused.
func Decode(data []byte) (*Batch, error) {
	if len(data) > MaxBytes {
		return nil, errorf("decode", KindFormat, "the batch is %d bytes, more than %d", len(data), MaxBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Batch
	if err := dec.Decode(&b); err != nil {
		return nil, wrap("decode", KindFormat, err)
	}
	if dec.More() {
		return nil, errorf("decode", KindFormat, "data after the batch")
	}
	if err := check(&b); err != nil {
		return nil, err
	}
	again, err := marshal(canonical(&b))
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, data) {
		return nil, errorf("decode", KindFormat, "the batch is not in its canonical form")
	}
	return &b, nil
}

// canonical returns a copy with every time in UTC and without a monotonic
// reading, so that equal batches encode to equal bytes.
func canonical(b *Batch) *Batch {
	c := *b
	c.Sent = utc(c.Sent)
	c.Events = make([]Event, len(b.Events))
	for i, e := range b.Events {
		e.At = utc(e.At)
		if p := e.Payment; p != nil {
			q := *p
			q.Accepted, q.Final = utc(q.Accepted), utc(q.Final)
			e.Payment = &q
		}
		if s := e.Shift; s != nil {
			q := *s
			q.Opened, q.Closed = utc(q.Opened), utc(q.Closed)
			e.Shift = &q
		}
		if h := e.Health; h != nil {
			q := *h
			q.LastSync = utc(q.LastSync)
			q.Warnings = slices.Clone(q.Warnings)
			e.Health = &q
		}
		if c := e.Cash; c != nil {
			q := *c
			e.Cash = &q
		}
		c.Events[i] = e
	}
	return &c
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

func check(b *Batch) error {
	const op = "check"
	if b.Version != Version {
		return errorf(op, KindVersion, "version %d, not %d", b.Version, Version)
	}
	if err := text("point", b.Point, true); err != nil {
		err.(*Error).Kind = KindFormat
		return err
	}
	n := int64(len(b.Events))
	switch {
	case n == 0:
		return errorf(op, KindRange, "no events")
	case n > MaxEvents:
		return errorf(op, KindRange, "%d events, more than %d", n, MaxEvents)
	case b.From < 1:
		return errorf(op, KindRange, "the first sequence number is %d, not 1 or more", b.From)
	case b.To != b.From+n-1:
		return errorf(op, KindRange, "range %d..%d does not hold %d events", b.From, b.To, n)
	}
	if b.Sent.IsZero() {
		return errorf(op, KindFormat, "no time of sending")
	}
	for i := range b.Events {
		e := &b.Events[i]
		if e.Seq != b.From+int64(i) {
			return errorf(op, KindRange, "event %d has sequence number %d, not %d", i, e.Seq, b.From+int64(i))
		}
		if err := e.check(); err != nil {
			err.(*Error).Seq = e.Seq
			return err
		}
	}
	return nil
}

func (e *Event) check() error {
	const op = "check"
	if e.At.IsZero() {
		return errorf(op, KindEvent, "no time")
	}
	set := 0
	for _, p := range []bool{e.Payment != nil, e.Shift != nil, e.Cash != nil, e.Health != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return errorf(op, KindEvent, "%d bodies, not one", set)
	}
	switch {
	case e.Type == TypePayment && e.Payment != nil:
		return e.Payment.check()
	case e.Type == TypeShift && e.Shift != nil:
		return e.Shift.check()
	case e.Type == TypeCash && e.Cash != nil:
		return e.Cash.check()
	case e.Type == TypeHealth && e.Health != nil:
		return e.Health.check()
	}
	return errorf(op, KindEvent, "type %q does not match its body", e.Type)
}

// closings are the ways each state may be reached.
var closings = map[State][]Closing{
	Paid:     {ByNetwork, BySupport},
	Failed:   {ByNetwork, BySupport},
	Refunded: {ByRefund},
	Disputed: {Undecided},
}

func (p *Payment) check() error {
	const op = "check payment"
	for _, f := range []struct {
		name, v string
	}{{"session", p.Session}, {"provider", p.Provider}, {"cashier", p.Cashier}} {
		if err := text(f.name, f.v, true); err != nil {
			return err
		}
	}
	if err := text("number", p.Number, false); err != nil {
		return err
	}
	if err := text("provider_name", p.ProviderName, false); err != nil {
		return err
	}
	if Mask(p.Number) != p.Number {
		return errorf(op, KindEvent, "the payer's number is not masked")
	}
	if p.Amount <= 0 || p.Fee < 0 || p.Commission < 0 {
		return errorf(op, KindEvent, "amount %d, fee %d, commission %d kopecks: the amount must be positive, the others not negative", p.Amount, p.Fee, p.Commission)
	}
	if p.Amount > MaxAmount || p.Fee > MaxAmount || p.Commission > MaxAmount {
		return errorf(op, KindEvent, "an amount is more than %d kopecks", MaxAmount)
	}
	ways, ok := closings[p.State]
	if !ok {
		return errorf(op, KindEvent, "state %q is not paid, failed, refunded or disputed", p.State)
	}
	if !slices.Contains(ways, p.Closed) {
		return errorf(op, KindEvent, "a %s payment is not closed by %q", p.State, p.Closed)
	}
	if p.Lookup != "" && !lookupCode.MatchString(p.Lookup) {
		return errorf(op, KindEvent, "the lookup code is not 12 to 64 letters, digits, dashes or underscores")
	}
	if p.Accepted.IsZero() || p.Final.IsZero() || p.Final.Before(p.Accepted) {
		return errorf(op, KindEvent, "the times are missing or the final one is before acceptance")
	}
	return nil
}

func (s *Shift) check() error {
	const op = "check shift"
	if s.ID <= 0 || s.Device < 0 || s.Payments < 0 {
		return errorf(op, KindEvent, "shift id %d, device shift %d, payments %d", s.ID, s.Device, s.Payments)
	}
	if s.Opened.IsZero() || s.Closed.IsZero() || s.Closed.Before(s.Opened) {
		return errorf(op, KindEvent, "the times are missing or it closes before it opens")
	}
	if err := text("opened_by", s.OpenedBy, true); err != nil {
		return err
	}
	if err := text("closed_by", s.ClosedBy, true); err != nil {
		return err
	}
	for _, a := range []money.Amount{s.Amount, s.Fee, s.Commission, s.Refunded, s.CashIn, s.CashOut, s.OpeningFloat, s.Counted} {
		if a < 0 || a > money.Max {
			return errorf(op, KindEvent, "a total is negative or too large")
		}
	}
	return nil
}

func (c *Cash) check() error {
	const op = "check cash"
	if c.Op != CashIn && c.Op != CashOut {
		return errorf(op, KindEvent, "operation %q is not in or out", c.Op)
	}
	if c.Amount <= 0 || c.Amount > money.Max || c.Shift <= 0 {
		return errorf(op, KindEvent, "amount %d, shift %d: both must be positive", c.Amount, c.Shift)
	}
	return text("cashier", c.Cashier, true)
}

func (h *Health) check() error {
	const op = "check health"
	if h.Pending < 0 || h.Disputed < 0 || h.RefundsDue < 0 || h.Balance > money.Max || h.Balance < -money.Max {
		return errorf(op, KindEvent, "negative counts")
	}
	if len(h.Warnings) > 32 {
		return errorf(op, KindEvent, "%d warnings", len(h.Warnings))
	}
	for _, f := range append([]string{h.Register, h.Drive, h.Version}, h.Warnings...) {
		if err := text("health", f, false); err != nil {
			return err
		}
	}
	return nil
}

// text checks a text field: valid UTF-8, not too long, present if needed.
func text(name, v string, required bool) error {
	switch {
	case required && v == "":
		return errorf("check", KindEvent, "%s is empty", name)
	case len(v) > maxText:
		return errorf("check", KindEvent, "%s is %d bytes, more than %d", name, len(v), maxText)
	case !utf8.ValidString(v):
		return errorf("check", KindEvent, "%s is not UTF-8", name)
	}
	return nil
}

// lookupCode is what a payment's lookup code may be.
var lookupCode = regexp.MustCompile(`^[A-Za-z0-9_-]{12,64}$`)

// NewLookup returns a new random lookup code for a payment's slip.
func NewLookup() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// LookupURL is the address a slip's QR code carries: the hub's page of
// that one payment.
func LookupURL(base, point, session, code string) string {
	return base + "/p/" + url.PathEscape(point) + "/" + url.PathEscape(session) + "?c=" + url.QueryEscape(code)
}

// Mask hides a payer's number: the last four characters stay and, in a
// number of ten or more, the first three (a phone's operator code); every
// other character becomes '*'. A number of four characters or fewer is
// hidden whole. Masking a masked number changes nothing.
func Mask(number string) string {
	r := []rune(number)
	n := len(r)
	for i := range r {
		keep := n > 4 && (i >= n-4 || n >= 10 && i < 3)
		if !keep {
			r[i] = '*'
		}
	}
	return string(r)
}
