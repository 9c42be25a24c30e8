package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"paydesk/money"
)

// Dim is what a report groups by.
type Dim string

// The report's groupings.
const (
	ByPoint    Dim = "point"
	ByProvider Dim = "provider"
	ByDay      Dim = "day"
	ByCashier  Dim = "cashier" // a cashier of a point: "P1 / kassir"
)

// dims are the SQL of each grouping (a fixed list: nothing of the request
// reaches the query's text).
var dims = map[Dim]string{
	ByPoint:    "s.point",
	ByProvider: "s.provider",
	ByDay:      "to_char(s.day, 'YYYY-MM-DD')",
	ByCashier:  "s.point || ' / ' || s.cashier",
}

// Query is a report's question: the paid payments of the days From..To
// (both included, dates at the points), grouped By, of one Point or of
// all the user's points.
type Query struct {
	From, To time.Time
	By       Dim
	Point    string
}

// Row is one group of a report.
type Row struct {
	Key        string
	Label      string // the provider's name, by provider ("" when no desk gave one)
	Count      int64
	Amount     money.Amount // turnover: credited to payers
	Fee        money.Amount
	Commission money.Amount
}

// Name is the row as a page names it: the provider's name when a desk
// gave one, else the key.
func (r Row) Name() string {
	if r.Label != "" {
		return r.Label
	}
	return r.Key
}

// MaxDays is the longest period of a report.
const MaxDays = 3660

// Report sums the daily summaries of the user's points: a partner's own
// points, a manager's one point. Asking for a point that is not the
// user's is KindDenied, whether the point exists or not.
func (h *Hub) Report(ctx context.Context, u *User, q Query) ([]Row, error) {
	const op = "report"
	expr, ok := dims[q.By]
	if !ok {
		return nil, refuse(op, KindInput, "hub.input.dim", "by", string(q.By))
	}
	from, to := dayOf(q.From, time.UTC), dayOf(q.To, time.UTC)
	if to.Before(from) || to.Sub(from) > MaxDays*24*time.Hour {
		return nil, refuse(op, KindInput, "hub.input.period", "max", MaxDays)
	}
	point := q.Point
	if u.Role == RoleManager {
		if point != "" && point != u.Point {
			return nil, &Error{Op: op, Kind: KindDenied, Point: point}
		}
		point = u.Point
	}
	if point != "" {
		var partner string
		err := h.db.QueryRow(ctx, "SELECT partner FROM points WHERE id = $1", point).Scan(&partner)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && partner != u.Partner {
			return nil, &Error{Op: op, Kind: KindDenied, Point: point}
		}
		if err != nil {
			return nil, dbError(op, err)
		}
	}
	// Whole months are read from the monthly rows, the days of the
	// months taken in part from the daily ones (by day: days only), and
	// the deltas not yet folded into either by their day.
	m1, m2 := wholeMonths(from, to)
	if q.By == ByDay {
		m1, m2 = from, from
	}
	label := "''"
	if q.By == ByProvider {
		label = "coalesce((SELECT n.name FROM provider_names n WHERE n.code = s.provider), '')"
	}
	rows, err := h.db.Query(ctx, `SELECT `+expr+`, `+label+`, sum(s.count), sum(s.amount), sum(s.fee), sum(s.commission)
	    FROM (SELECT point, day, provider, cashier, count, amount, fee, commission FROM summaries
	            WHERE day BETWEEN $3 AND $4 AND NOT (day >= $5 AND day < $6)
	          UNION ALL
	          SELECT point, month, provider, cashier, count, amount, fee, commission FROM summaries_month
	            WHERE month >= $5 AND month < $6
	          UNION ALL
	          SELECT point, day, provider, cashier, count, amount, fee, commission FROM summary_deltas
	            WHERE day BETWEEN $3 AND $4) s
	    JOIN points p ON p.id = s.point
	    WHERE p.partner = $1 AND ($2 = '' OR s.point = $2)
	    GROUP BY 1, 2 HAVING sum(s.count) <> 0 ORDER BY 1`, pgx.QueryExecModeExec, u.Partner, point, from, to, m1, m2)
	if err != nil {
		return nil, dbError(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Row, error) {
		var x Row
		var amount, fee, commission int64
		err := r.Scan(&x.Key, &x.Label, &x.Count, &amount, &fee, &commission)
		x.Amount, x.Fee, x.Commission = money.Amount(amount), money.Amount(fee), money.Amount(commission)
		return x, err
	})
	return out, dbError(op, err)
}

// wholeMonths is the span [m1, m2) of the months from..to takes whole: m1
// the first of them, m2 the first day after the last; m1 == m2 when none.
func wholeMonths(from, to time.Time) (m1, m2 time.Time) {
	m1 = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !m1.Equal(from) {
		m1 = m1.AddDate(0, 1, 0)
	}
	next := to.AddDate(0, 0, 1)
	m2 = time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !m2.Equal(next) {
		m2 = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	if m2.Before(m1) {
		m2 = m1
	}
	return m1, m2
}

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 12 * time.Hour

// NewSession starts a session for a signed-in user and returns its token
// (for the cookie); the database keeps only the token's hash.
func (h *Hub) NewSession(ctx context.Context, u *User) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(token))
	now := h.clock.Now()
	_, err := h.db.Exec(ctx, "INSERT INTO web_sessions (token_hash, login, created_at, expires_at) VALUES ($1, $2, $3, $4)",
		sum[:], u.Login, now, now.Add(SessionTTL))
	if err != nil {
		return "", dbError("new session", err)
	}
	// Sign-ins long gone are swept by whoever signs in next.
	_, _ = h.db.Exec(ctx, "DELETE FROM web_sessions WHERE expires_at < $1", now.Add(-SessionTTL))
	return token, nil
}

// Session returns the user of a live session, KindSignIn when the token is
// unknown or expired.
func (h *Hub) Session(ctx context.Context, token string) (*User, error) {
	const op = "session"
	sum := sha256.Sum256([]byte(token))
	var u User
	var point *string
	err := h.db.QueryRow(ctx, `SELECT u.login, u.role, u.partner, u.point FROM web_sessions s JOIN users u ON u.login = s.login
	    WHERE s.token_hash = $1 AND s.expires_at > $2`, sum[:], h.clock.Now()).Scan(&u.Login, &u.Role, &u.Partner, &point)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &Error{Op: op, Kind: KindSignIn}
	}
	if err != nil {
		return nil, dbError(op, err)
	}
	if point != nil {
		u.Point = *point
	}
	return &u, nil
}

// EndSession signs a session out.
func (h *Hub) EndSession(ctx context.Context, token string) error {
	sum := sha256.Sum256([]byte(token))
	_, err := h.db.Exec(ctx, "DELETE FROM web_sessions WHERE token_hash = $1", sum[:])
	return dbError("end session", err)
}
