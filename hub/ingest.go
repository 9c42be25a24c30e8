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
// the events after the point's last applied one written, the daily
// summaries moved by the payments that entered or left the paid state, and
// the point's last sequence number advanced. A batch sent again, whole or
// in part, applies nothing twice. A batch that does not verify, comes from
// an unknown point or starts after the next expected event is refused with
// an *Error of its kind and changes nothing.
func (h *Hub) Ingest(ctx context.Context, doc []byte) (Result, error) {
	const op = "ingest"
	var res Result
	err := pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		var last int64
		var tz string
		b, err := wire.Open(doc, func(point string) (*ipriv.PublicKey, error) {
			var file []byte
			var serial int64
			err := tx.QueryRow(ctx, "SELECT public_key, key_serial, last_seq, tz FROM points WHERE id = $1 FOR UPDATE", point).
				Scan(&file, &serial, &last, &tz)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil, nil
			}
			if err != nil {
				return nil, dbError(op, err)
			}
			key, err := publicKey(file, uint32(serial))
			if err != nil {
				return nil, &Error{Op: op, Kind: KindDatabase, Point: point, Detail: "the registered key does not load", Err: err}
			}
			return key, nil
		})
		if err != nil {
			var w *wire.Error
			if errors.As(err, &w) {
				return &Error{Op: op, Kind: Kind(w.Kind), Err: err}
			}
			return err
		}
		res = Result{Point: b.Point, Last: last}
		switch {
		case b.From > last+1:
			return &Error{Op: op, Kind: KindGap, Point: b.Point, Last: last, From: b.From}
		case b.To <= last:
			res.Skipped = len(b.Events)
			return nil
		}
		events := b.Events[last+1-b.From:]
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return &Error{Op: op, Kind: KindDatabase, Point: b.Point, Detail: "time zone " + tz, Err: err}
		}
		if err := apply(ctx, tx, b.Point, loc, events, h.clock.Now()); err != nil {
			return dbError(op, err)
		}
		res.Last, res.Applied, res.Skipped = b.To, len(events), len(b.Events)-len(events)
		return nil
	})
	if err != nil {
		h.log.Warn("batch refused", "point", res.Point, "err", err)
		return res, dbError(op, err)
	}
	h.log.Debug("batch", "point", res.Point, "last", res.Last, "applied", res.Applied, "skipped", res.Skipped)
	return res, nil
}

// payment is a payment's row.
type payment struct {
	wire.Payment
	day time.Time
	seq int64
}

// dayOf is t's date at the point, as a midnight in UTC (how dates travel).
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// apply writes events (in order, none applied before) of one point.
func apply(ctx context.Context, tx pgx.Tx, point string, loc *time.Location, events []wire.Event, now time.Time) error {
	pays := map[string]*payment{}
	var order []string
	shifts := map[int64]int{} // id → index in events
	var shiftOrder []int64
	var cash []wire.Event
	var health *wire.Event
	for i := range events {
		e := &events[i]
		switch e.Type {
		case wire.TypePayment:
			p := e.Payment
			if _, ok := pays[p.Session]; !ok {
				order = append(order, p.Session)
			}
			pays[p.Session] = &payment{Payment: *p, day: dayOf(p.Accepted, loc), seq: e.Seq}
		case wire.TypeShift:
			if _, ok := shifts[e.Shift.ID]; !ok {
				shiftOrder = append(shiftOrder, e.Shift.ID)
			}
			shifts[e.Shift.ID] = i
		case wire.TypeCash:
			cash = append(cash, *e)
		case wire.TypeHealth:
			health = e
		}
	}
	last := events[len(events)-1].Seq
	if len(order) > 0 {
		if err := applyPayments(ctx, tx, point, pays, order, last, now); err != nil {
			return err
		}
	} else if _, err := tx.Exec(ctx, "UPDATE points SET last_seq = $2, last_seen = $3 WHERE id = $1", point, last, now); err != nil {
		return err
	}
	if len(shiftOrder) > 0 {
		if err := applyShifts(ctx, tx, point, events, shifts, shiftOrder); err != nil {
			return err
		}
	}
	if len(cash) > 0 {
		if err := applyCash(ctx, tx, point, cash); err != nil {
			return err
		}
	}
	if health != nil {
		h := health.Health
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
			point, health.Seq, health.At, lastSync, h.ShiftOpen, h.Register, h.Drive, warnings,
			h.Pending, h.Disputed, h.RefundsDue, int64(h.Balance), h.Version)
		if err != nil {
			return err
		}
	}
	return nil
}

// qOld reads the state before the batch of the payments it names. It is
// planned with the batch's values each time (an unnamed statement): a
// plan cached while the table was small scans the whole table for every
// batch (800 ms a batch of 1000 at 100 000 payments).
const qOld = `SELECT day, provider, cashier, state, amount, fee, commission
    FROM payments WHERE point = $1 AND session = ANY($2)`

// qPayments writes each session's latest state, moves the summary rows by
// the deltas and advances the point's last event, in one statement whose
// plan does not depend on the tables' sizes (the conflicts are found by
// the primary keys whatever the plan), so it is prepared once.
const qPayments = `WITH up AS (
	    INSERT INTO payments (point, session, provider, number, amount, fee, commission, cashier, shift, state,
	        closed, accepted_at, final_at, day, seq, lookup)
	    SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
	        $8::text[], $9::bigint[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::date[],
	        $15::bigint[], $16::text[])
	    ON CONFLICT (point, session) DO UPDATE SET provider = excluded.provider, number = excluded.number,
	      amount = excluded.amount, fee = excluded.fee, commission = excluded.commission, cashier = excluded.cashier,
	      shift = excluded.shift, state = excluded.state, closed = excluded.closed, accepted_at = excluded.accepted_at,
	      final_at = excluded.final_at, day = excluded.day, seq = excluded.seq, lookup = excluded.lookup
	), sums AS (
	    INSERT INTO summaries (point, day, provider, cashier, count, amount, fee, commission)
	    SELECT $1, * FROM unnest($17::date[], $18::text[], $19::text[], $20::bigint[], $21::bigint[], $22::bigint[], $23::bigint[])
	    ON CONFLICT (point, day, provider, cashier) DO UPDATE SET count = summaries.count + excluded.count,
	      amount = summaries.amount + excluded.amount, fee = summaries.fee + excluded.fee,
	      commission = summaries.commission + excluded.commission
	)
	UPDATE points SET last_seq = $24, last_seen = $25 WHERE id = $1`

// sumKey is a summary row of a point.
type sumKey struct {
	day      time.Time
	provider string
	cashier  string
}

type sums struct{ count, amount, fee, commission int64 }

// counts reports whether a payment in this state is in the summaries.
func counts(s wire.State) bool { return s == wire.Paid }

// applyPayments writes the batch's payments (each session's latest state)
// and moves the summaries by what changed: a payment that was paid leaves
// its row, one that is paid now enters its row.
func applyPayments(ctx context.Context, tx pgx.Tx, point string, pays map[string]*payment, order []string, last int64, now time.Time) error {
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
	rows, err := tx.Query(ctx, qOld, pgx.QueryExecModeExec, point, order)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k sumKey
		var state string
		var amount, fee, commission int64
		if err := rows.Scan(&k.day, &k.provider, &k.cashier, &state, &amount, &fee, &commission); err != nil {
			rows.Close()
			return err
		}
		if counts(wire.State(state)) {
			k.day = time.Date(k.day.Year(), k.day.Month(), k.day.Day(), 0, 0, 0, 0, time.UTC)
			add(k, -1, amount, fee, commission)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	n := len(order)
	var (
		session, provider, number, cashier, state, closed = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		lookup                                            = make([]string, n)
		amount, fee, commission, shift, seq               = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		accepted, final, day                              = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	)
	for i, s := range order {
		p := pays[s]
		session[i], provider[i], number[i], cashier[i], state[i], closed[i] = p.Session, p.Provider, p.Number, p.Cashier, string(p.State), string(p.Closed)
		amount[i], fee[i], commission[i], shift[i], seq[i] = int64(p.Amount), int64(p.Fee), int64(p.Commission), p.Shift, p.seq
		accepted[i], final[i], day[i], lookup[i] = p.Accepted, p.Final, p.day, p.Lookup
		if counts(p.State) {
			add(sumKey{day: p.day, provider: p.Provider, cashier: p.Cashier}, 1, int64(p.Amount), int64(p.Fee), int64(p.Commission))
		}
	}
	var (
		sDay                        = []time.Time{}
		sProvider, sCashier         = []string{}, []string{}
		sCount, sAmount, sFee, sCom = []int64{}, []int64{}, []int64{}, []int64{}
	)
	for k, s := range delta {
		if *s == (sums{}) {
			continue
		}
		sDay, sProvider, sCashier = append(sDay, k.day), append(sProvider, k.provider), append(sCashier, k.cashier)
		sCount, sAmount, sFee, sCom = append(sCount, s.count), append(sAmount, s.amount), append(sFee, s.fee), append(sCom, s.commission)
	}
	_, err = tx.Exec(ctx, qPayments, point, session, provider, number, amount, fee, commission, cashier, shift, state,
		closed, accepted, final, day, seq, lookup, sDay, sProvider, sCashier, sCount, sAmount, sFee, sCom, last, now)
	return err
}

func applyShifts(ctx context.Context, tx pgx.Tx, point string, events []wire.Event, at map[int64]int, order []int64) error {
	b := &pgx.Batch{}
	for _, id := range order {
		e := events[at[id]]
		s := e.Shift
		b.Queue(`INSERT INTO shifts (point, id, device, opened_at, closed_at, opened_by, closed_by, payments, amount, fee,
		        commission, refunded, cash_in, cash_out, opening_float, expected, counted, seq)
		    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		  ON CONFLICT (point, id) DO UPDATE SET device = excluded.device, opened_at = excluded.opened_at,
		    closed_at = excluded.closed_at, opened_by = excluded.opened_by, closed_by = excluded.closed_by,
		    payments = excluded.payments, amount = excluded.amount, fee = excluded.fee, commission = excluded.commission,
		    refunded = excluded.refunded, cash_in = excluded.cash_in, cash_out = excluded.cash_out,
		    opening_float = excluded.opening_float, expected = excluded.expected, counted = excluded.counted, seq = excluded.seq`,
			point, s.ID, s.Device, s.Opened, s.Closed, s.OpenedBy, s.ClosedBy, s.Payments, int64(s.Amount), int64(s.Fee),
			int64(s.Commission), int64(s.Refunded), int64(s.CashIn), int64(s.CashOut), int64(s.OpeningFloat),
			int64(s.Expected), int64(s.Counted), e.Seq)
	}
	return tx.SendBatch(ctx, b).Close()
}

func applyCash(ctx context.Context, tx pgx.Tx, point string, cash []wire.Event) error {
	b := &pgx.Batch{}
	for _, e := range cash {
		c := e.Cash
		b.Queue(`INSERT INTO cash_ops (point, seq, at, op, amount, cashier, shift) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			point, e.Seq, e.At, string(c.Op), int64(c.Amount), c.Cashier, c.Shift)
	}
	return tx.SendBatch(ctx, b).Close()
}
