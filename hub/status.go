package hub

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

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
