package hub

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"paydesk/hub/wire"
	"paydesk/protocol/ipriv"
)

// Result is what a batch did.
type Result struct {
	Point   string
	Last    int64 // the last event applied for the point, after this batch
	Applied int   // events of this batch applied now
	Skipped int   // events applied before (the batch was sent again, or overlaps)
}

// Ingest applies a signed batch (wire.Sign) in one transaction: the point's
// row is locked, the batch verified against the point's registered key,
// the events after the point's last applied one written, with the deltas
// to the summaries of the payments that entered or left the paid state
// (Fold moves them into the summaries, in the background), and the point's
// last sequence number advanced. A batch sent again, whole or
// in part, applies nothing twice. A batch that does not verify, comes from
// an unknown point or starts after the next expected event is refused with
// an *Error of its kind and changes nothing.
func (h *Hub) Ingest(ctx context.Context, doc []byte) (Result, error) {
	o := h.IngestAll(ctx, [][]byte{doc})
	return o[0].Result, o[0].Err
}

// Outcome is what became of one batch of IngestAll.
type Outcome struct {
	Result
	Err error
}

// IngestAll applies several signed batches, of any points (one point's in
// the order given), in one transaction as Ingest applies one: the points'
// rows are locked in the order of their ids (so that instances grouping
// different batches never deadlock), each batch is verified and checked
// against its point's last event as it comes, and the writes of all of them
// go in a few statements. A refused batch changes nothing and does not stop
// the others; a failure of the database fails every batch not refused.
func (h *Hub) IngestAll(ctx context.Context, docs [][]byte) []Outcome {
	const op = "ingest"
	out := make([]Outcome, len(docs))
	signed := make([]*wire.Signed, len(docs))
	var ids []string
	for i, doc := range docs {
		s, err := wire.Read(doc)
		if err != nil {
			out[i].Err = refusal(op, err)
			continue
		}
		signed[i] = s
		out[i].Point = s.Batch.Point
		ids = append(ids, s.Batch.Point)
	}
	if len(ids) > 0 {
		now := h.clock.Now()
		h.fold.begin()
		var w *writes
		err := pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
			points, err := lockPoints(ctx, tx, ids)
			if err != nil {
				return err
			}
			w = newWrites()
			for i, s := range signed {
				if s == nil {
					continue
				}
				pt := points[s.Batch.Point]
				if pt != nil && pt.keyErr != nil { // this point's registration is broken, not the others'
					out[i].Err = &Error{Op: op, Kind: KindDatabase, Point: pt.id, Detail: "the registered key or time zone does not load", Err: pt.keyErr}
					continue
				}
				var key *ipriv.PublicKey
				if pt != nil {
					key = pt.key
				}
				b, err := s.Verify(key)
				if err != nil {
					out[i].Err = refusal(op, err)
					continue
				}
				out[i].Result = Result{Point: b.Point, Last: pt.last}
				switch {
				case b.From > pt.last+1:
					out[i].Err = &Error{Op: op, Kind: KindGap, Point: b.Point, Last: pt.last, From: b.From}
					continue
				case b.To <= pt.last:
					out[i].Skipped = len(b.Events)
					continue
				}
				events := b.Events[pt.last+1-b.From:]
				w.add(pt, events)
				pt.last = b.To
				out[i].Last, out[i].Applied, out[i].Skipped = b.To, len(events), len(b.Events)-len(events)
			}
			return w.flush(ctx, tx, now)
		})
		written := 0
		if err == nil {
			written = w.deltas
		}
		h.fold.end(written)
		if err != nil {
			for i := range out {
				if out[i].Err == nil {
					out[i] = Outcome{Result: Result{Point: out[i].Point}, Err: dbError(op, err)}
				}
			}
		}
	}
	for _, o := range out {
		if o.Err != nil {
			h.log.Warn("batch refused", "point", o.Point, "err", o.Err)
		} else {
			h.log.Debug("batch", "point", o.Point, "last", o.Last, "applied", o.Applied, "skipped", o.Skipped)
		}
	}
	return out
}

// refusal is a batch's refusal by wire as the hub's.
func refusal(op string, err error) error {
	var w *wire.Error
	if errors.As(err, &w) {
		return &Error{Op: op, Kind: Kind(w.Kind), Err: err}
	}
	return dbError(op, err)
}

// locked is a point's row, locked for the transaction.
type locked struct {
	id     string
	key    *ipriv.PublicKey
	keyErr error
	last   int64 // the last event applied, as the batches go
	loc    *time.Location
}

// lockPoints locks the points' rows in the order of their ids and reads
// their keys and last events; unknown points are missing from the map.
func lockPoints(ctx context.Context, tx pgx.Tx, ids []string) (map[string]*locked, error) {
	rows, err := tx.Query(ctx, `SELECT id, public_key, key_serial, last_seq, tz FROM points
	    WHERE id = ANY($1) ORDER BY id FOR UPDATE`, pgx.QueryExecModeExec, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*locked{}
	for rows.Next() {
		var pt locked
		var file []byte
		var serial int64
		var tz string
		if err := rows.Scan(&pt.id, &file, &serial, &pt.last, &tz); err != nil {
			return nil, err
		}
		pt.key, pt.keyErr = publicKey(file, uint32(serial))
		if pt.loc, err = time.LoadLocation(tz); err != nil {
			pt.keyErr = err
		}
		out[pt.id] = &pt
	}
	return out, rows.Err()
}

// payment is a payment's row.
type payment struct {
	wire.Payment
	point string
	day   time.Time
	seq   int64
}

// dayOf is t's date at the point, as a midnight in UTC (how dates travel).
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

type paymentKey struct{ point, session string }

type shiftKey struct {
	point  string
	id     int64
	opened time.Time
}

type pointEvent struct {
	point string
	e     wire.Event
}

// writes gathers what a transaction's batches write, each row once: a
// payment's or a shift's latest state, the cash operations, each point's
// latest health and last event.
type writes struct {
	pays       map[paymentKey]*payment
	payOrder   []paymentKey
	shifts     map[shiftKey]pointEvent
	shiftOrder []shiftKey
	cash       []pointEvent
	health     map[string]wire.Event
	last       map[string]int64
	names      map[string]string // provider code to the latest name a desk gave
	deltas     int               // summary deltas written
}

func newWrites() *writes {
	return &writes{pays: map[paymentKey]*payment{}, shifts: map[shiftKey]pointEvent{},
		health: map[string]wire.Event{}, last: map[string]int64{}, names: map[string]string{}}
}

// add takes events (in order, none applied before) of a point.
func (w *writes) add(pt *locked, events []wire.Event) {
	for _, e := range events {
		switch e.Type {
		case wire.TypePayment:
			k := paymentKey{pt.id, e.Payment.Session}
			if _, ok := w.pays[k]; !ok {
				w.payOrder = append(w.payOrder, k)
			}
			w.pays[k] = &payment{Payment: *e.Payment, point: pt.id, day: dayOf(e.Payment.Accepted, pt.loc), seq: e.Seq}
			if n := e.Payment.ProviderName; n != "" {
				w.names[e.Payment.Provider] = n
			}
		case wire.TypeShift:
			k := shiftKey{pt.id, e.Shift.ID, e.Shift.Opened}
			if _, ok := w.shifts[k]; !ok {
				w.shiftOrder = append(w.shiftOrder, k)
			}
			w.shifts[k] = pointEvent{pt.id, e}
		case wire.TypeCash:
			w.cash = append(w.cash, pointEvent{pt.id, e})
		case wire.TypeHealth:
			w.health[pt.id] = e
		}
	}
	w.last[pt.id] = events[len(events)-1].Seq
}

// qOld reads the state before the transaction of the payments it names,
// each by its primary key: the LIMIT keeps the subquery from being joined
// as a whole, so that no plan, made while the table was small or from
// statistics that lag a table growing by a million rows a day, reads the
// whole table for every batch (a hash join over a sequential scan did:
// 32 ms a group of 640 payments at 100 000 payments, 2.6 ms by the key).
const qOld = `SELECT p.point, p.session, p.day, p.provider, p.cashier, p.state, p.amount, p.fee, p.commission
    FROM unnest($1::text[], $2::text[]) AS n (point, session),
    LATERAL (SELECT * FROM payments p WHERE p.point = n.point AND p.session = n.session LIMIT 1) p`

// payCols are the payments' columns as the ingest writes them (the
// order of payment.row and qUpdate's arrays).
var payCols = []string{"point", "session", "provider", "number", "amount", "fee", "commission", "cashier", "shift", "state",
	"closed", "accepted_at", "final_at", "day", "seq", "lookup"}

// deltaCols are summary_deltas' columns.
var deltaCols = []string{"point", "day", "provider", "cashier", "count", "amount", "fee", "commission"}

// qUpdate writes the latest state of payments the hub has (planned each
// time, like qOld).
const qUpdate = `UPDATE payments p SET provider = u.provider, number = u.number, amount = u.amount, fee = u.fee,
	    commission = u.commission, cashier = u.cashier, shift = u.shift, state = u.state, closed = u.closed,
	    accepted_at = u.accepted_at, final_at = u.final_at, day = u.day, seq = u.seq, lookup = u.lookup
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
	    $8::text[], $9::bigint[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::date[],
	    $15::bigint[], $16::text[]) AS u (point, session, provider, number, amount, fee, commission, cashier, shift, state,
	    closed, accepted_at, final_at, day, seq, lookup)
	WHERE p.point = u.point AND p.session = u.session`

// qNames keeps the providers' latest names (changed only when they differ,
// so that busy points do not rewrite the rows in every batch).
const qNames = `INSERT INTO provider_names (code, name, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[]) AS n (code, name), (SELECT $3::timestamptz) t
    ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
    WHERE provider_names.name <> excluded.name`

// qLast advances the points' last events (planned each time, like qOld).
const qLast = `UPDATE points p SET last_seq = u.last, last_seen = $3
    FROM unnest($1::text[], $2::bigint[]) AS u (id, last) WHERE p.id = u.id`

// sumKey is a summary row.
type sumKey struct {
	point    string
	day      time.Time
	provider string
	cashier  string
}

type sums struct{ count, amount, fee, commission int64 }

// counts reports whether a payment in this state is in the summaries.
func counts(s wire.State) bool { return s == wire.Paid }

// flush writes everything gathered.
func (w *writes) flush(ctx context.Context, tx pgx.Tx, now time.Time) error {
	if len(w.last) == 0 {
		return nil
	}
	if len(w.payOrder) > 0 {
		if err := w.flushPayments(ctx, tx); err != nil {
			return err
		}
	}
	for _, k := range w.shiftOrder {
		pe := w.shifts[k]
		if err := applyShift(ctx, tx, pe.point, pe.e); err != nil {
			return err
		}
	}
	if len(w.cash) > 0 {
		if err := applyCash(ctx, tx, w.cash); err != nil {
			return err
		}
	}
	for point, e := range w.health {
		if err := applyHealth(ctx, tx, point, e); err != nil {
			return err
		}
	}
	if len(w.names) > 0 {
		codes, names := make([]string, 0, len(w.names)), make([]string, 0, len(w.names))
		for c, n := range w.names {
			codes, names = append(codes, c), append(names, n)
		}
		if _, err := tx.Exec(ctx, qNames, pgx.QueryExecModeExec, codes, names, now); err != nil {
			return err
		}
	}
	ids, lasts := make([]string, 0, len(w.last)), make([]int64, 0, len(w.last))
	for id, last := range w.last {
		ids, lasts = append(ids, id), append(lasts, last)
	}
	_, err := tx.Exec(ctx, qLast, pgx.QueryExecModeExec, ids, lasts, now)
	return err
}

// flushPayments writes the payments and what they change in the
// summaries (summary_deltas, which Fold moves into them): a payment that
// was paid leaves its row, one that is paid now enters its row. Payments
// the hub has not seen go in by COPY (no other transaction can write
// them: their points' rows are locked), the others are updated.
func (w *writes) flushPayments(ctx context.Context, tx pgx.Tx) error {
	delta := map[sumKey]*sums{}
	add := func(k sumKey, sign int64, amount, fee, commission int64) {
		s := delta[k]
		if s == nil {
			s = &sums{}
			delta[k] = s
		}
		s.count += sign
		s.amount += sign * amount
		s.fee += sign * fee
		s.commission += sign * commission
	}
	n := len(w.payOrder)
	point, session := make([]string, n), make([]string, n)
	for i, k := range w.payOrder {
		p := w.pays[k]
		point[i], session[i] = p.point, p.Session
		if counts(p.State) {
			add(sumKey{point: p.point, day: p.day, provider: p.Provider, cashier: p.Cashier}, 1, int64(p.Amount), int64(p.Fee), int64(p.Commission))
		}
	}

	rows, err := tx.Query(ctx, qOld, pgx.QueryExecModeExec, point, session)
	if err != nil {
		return err
	}
	had := map[paymentKey]bool{}
	for rows.Next() {
		var k sumKey
		var session, st string
		var a, f, c int64
		if err := rows.Scan(&k.point, &session, &k.day, &k.provider, &k.cashier, &st, &a, &f, &c); err != nil {
			rows.Close()
			return err
		}
		had[paymentKey{k.point, session}] = true
		if counts(wire.State(st)) {
			k.day = time.Date(k.day.Year(), k.day.Month(), k.day.Day(), 0, 0, 0, 0, time.UTC)
			add(k, -1, a, f, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var fresh, known []*payment
	for _, k := range w.payOrder {
		if had[k] {
			known = append(known, w.pays[k])
		} else {
			fresh = append(fresh, w.pays[k])
		}
	}
	if len(fresh) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"payments"}, payCols, pgx.CopyFromSlice(len(fresh), func(i int) ([]any, error) {
			return fresh[i].row(), nil
		}))
		if err != nil {
			return err
		}
	}
	if len(known) > 0 {
		if _, err := tx.Exec(ctx, qUpdate, updateArgs(known)...); err != nil {
			return err
		}
	}

	var deltas [][]any
	for k, s := range delta {
		if *s != (sums{}) {
			deltas = append(deltas, []any{k.point, k.day, k.provider, k.cashier, s.count, s.amount, s.fee, s.commission})
		}
	}
	if len(deltas) == 0 {
		return nil
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"summary_deltas"}, deltaCols, pgx.CopyFromRows(deltas))
	w.deltas += len(deltas)
	return err
}

// updateArgs are qUpdate's arguments: the payments' columns as arrays.
func updateArgs(ps []*payment) []any {
	n := len(ps)
	var (
		point, session, provider, number, cashier, state = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		closed, lookup                                   = make([]string, n), make([]string, n)
		amount, fee, commission, shift, seq              = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		accepted, final, day                             = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	)
	for i, p := range ps {
		point[i], session[i], provider[i], number[i], cashier[i], state[i] = p.point, p.Session, p.Provider, p.Number, p.Cashier, string(p.State)
		closed[i], lookup[i] = string(p.Closed), p.Lookup
		amount[i], fee[i], commission[i], shift[i], seq[i] = int64(p.Amount), int64(p.Fee), int64(p.Commission), p.Shift, p.seq
		accepted[i], final[i], day[i] = p.Accepted, p.Final, p.day
	}
	return []any{pgx.QueryExecModeExec, point, session, provider, number, amount, fee, commission, cashier, shift, state,
		closed, accepted, final, day, seq, lookup}
}

// row is the payment's row in payCols' order.
func (p *payment) row() []any {
	return []any{p.point, p.Session, p.Provider, p.Number, int64(p.Amount), int64(p.Fee), int64(p.Commission), p.Cashier,
		p.Shift, string(p.State), string(p.Closed), p.Accepted, p.Final, p.day, p.seq, p.Lookup}
}

func applyShift(ctx context.Context, tx pgx.Tx, point string, e wire.Event) error {
	s := e.Shift
	_, err := tx.Exec(ctx, `INSERT INTO shifts (point, id, device, opened_at, closed_at, opened_by, closed_by, payments, amount, fee,
	        commission, refunded, cash_in, cash_out, opening_float, expected, counted, seq)
	    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
	  ON CONFLICT (point, id, opened_at) DO UPDATE SET device = excluded.device,
	    closed_at = excluded.closed_at, opened_by = excluded.opened_by, closed_by = excluded.closed_by,
	    payments = excluded.payments, amount = excluded.amount, fee = excluded.fee, commission = excluded.commission,
	    refunded = excluded.refunded, cash_in = excluded.cash_in, cash_out = excluded.cash_out,
	    opening_float = excluded.opening_float, expected = excluded.expected, counted = excluded.counted, seq = excluded.seq`,
		point, s.ID, s.Device, s.Opened, s.Closed, s.OpenedBy, s.ClosedBy, s.Payments, int64(s.Amount), int64(s.Fee),
		int64(s.Commission), int64(s.Refunded), int64(s.CashIn), int64(s.CashOut), int64(s.OpeningFloat),
		int64(s.Expected), int64(s.Counted), e.Seq)
	return err
}

func applyCash(ctx context.Context, tx pgx.Tx, cash []pointEvent) error {
	b := &pgx.Batch{}
	for _, pe := range cash {
		c := pe.e.Cash
		b.Queue(`INSERT INTO cash_ops (point, seq, at, op, amount, cashier, shift) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			pe.point, pe.e.Seq, pe.e.At, string(c.Op), int64(c.Amount), c.Cashier, c.Shift)
	}
	return tx.SendBatch(ctx, b).Close()
}

func applyHealth(ctx context.Context, tx pgx.Tx, point string, e wire.Event) error {
	h := e.Health
	warnings := h.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	var lastSync *time.Time
	if !h.LastSync.IsZero() {
		lastSync = &h.LastSync
	}
	_, err := tx.Exec(ctx, `INSERT INTO health (point, seq, at, last_sync, shift_open, register, drive, warnings,
	    pending, disputed, refunds_due, balance, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
	  ON CONFLICT (point) DO UPDATE SET seq = excluded.seq, at = excluded.at, last_sync = excluded.last_sync,
	    shift_open = excluded.shift_open, register = excluded.register, drive = excluded.drive,
	    warnings = excluded.warnings, pending = excluded.pending, disputed = excluded.disputed,
	    refunds_due = excluded.refunds_due, balance = excluded.balance, version = excluded.version
	  WHERE health.seq < excluded.seq`,
		point, e.Seq, e.At, lastSync, h.ShiftOpen, h.Register, h.Drive, warnings,
		h.Pending, h.Disputed, h.RefundsDue, int64(h.Balance), h.Version)
	return err
}
