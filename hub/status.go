package hub

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"paydesk/hub/wire"
	"paydesk/money"
)

// Status is a point at a glance: when it was last heard from and what its
// desk last said of itself (zero values when it has not said yet).
type Status struct {
	Point      string
	Name       string
	LastSeq    int64
	LastSeen   time.Time
	Reported   time.Time // when the desk made its last health event
	ShiftOpen  bool
	Register   string
	Drive      string
	Warnings   []string
	Pending    int
	Disputed   int
	RefundsDue int
	Balance    money.Amount
	Version    string
}

// Statuses are the user's points (a partner's all, a manager's one), by id.
func (h *Hub) Statuses(ctx context.Context, u *User) ([]Status, error) {
	rows, err := h.db.Query(ctx, `SELECT p.id, p.name, p.last_seq, p.last_seen, h.at, coalesce(h.shift_open, false),
	        coalesce(h.register, ''), coalesce(h.drive, ''), coalesce(h.warnings, '{}'), coalesce(h.pending, 0),
	        coalesce(h.disputed, 0), coalesce(h.refunds_due, 0), coalesce(h.balance, 0), coalesce(h.version, '')
	    FROM points p LEFT JOIN health h ON h.point = p.id
	    WHERE p.partner = $1 AND ($2 = '' OR p.id = $2) ORDER BY p.id`, u.Partner, managerPoint(u))
	if err != nil {
		return nil, dbError("status", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Status, error) {
		var s Status
		var seen, at *time.Time
		var balance int64
		err := r.Scan(&s.Point, &s.Name, &s.LastSeq, &seen, &at, &s.ShiftOpen, &s.Register, &s.Drive, &s.Warnings,
			&s.Pending, &s.Disputed, &s.RefundsDue, &balance, &s.Version)
		if seen != nil {
			s.LastSeen = *seen
		}
		if at != nil {
			s.Reported = *at
		}
		s.Balance = money.Amount(balance)
		return s, err
	})
	return out, dbError("status", err)
}

// managerPoint is the one point a manager sees, "" for a partner.
func managerPoint(u *User) string {
	if u.Role == RoleManager {
		return u.Point
	}
	return ""
}

// Lookup is what a payer may see of one payment.
type Lookup struct {
	Provider string
	Number   string // masked
	Amount   money.Amount
	Accepted time.Time
	Zone     *time.Location // the point's
	State    wire.State
}

// LookUp finds a payment by its point, session and the slip's lookup code;
// anything that does not match is KindNotFound, alike.
func (h *Hub) LookUp(ctx context.Context, point, session, code string) (*Lookup, error) {
	const op = "look up payment"
	if code == "" {
		return nil, &Error{Op: op, Kind: KindNotFound}
	}
	var l Lookup
	var amount int64
	var tz, state, stored string
	err := h.db.QueryRow(ctx, `SELECT p.provider, p.number, p.amount, p.accepted_at, pt.tz, p.state, p.lookup
	    FROM payments p JOIN points pt ON pt.id = p.point WHERE p.point = $1 AND p.session = $2`, point, session).
		Scan(&l.Provider, &l.Number, &amount, &l.Accepted, &tz, &state, &stored)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && subtle.ConstantTimeCompare([]byte(stored), []byte(code)) != 1 {
		return nil, &Error{Op: op, Kind: KindNotFound}
	}
	if err != nil {
		return nil, dbError(op, err)
	}
	l.Amount, l.State = money.Amount(amount), wire.State(state)
	if l.Zone, err = time.LoadLocation(tz); err != nil {
		l.Zone = time.UTC
	}
	return &l, nil
}
