package hub

import (
	"context"
	"errors"
	"regexp"
	"time"
	_ "time/tzdata" // the points' time zones on any server

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/bcrypt"

	"paydesk/internal/i18n"
	"paydesk/protocol/ipriv"
)

// DefaultTZ is a point's time zone when none is given.
const DefaultTZ = "Europe/Moscow"

// ids are the identifiers of partners, points and logins.
var ids = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Partner earns the commission of its points.
type Partner struct {
	ID      string
	Name    string
	Created time.Time
}

// Point is a desk registered on the hub.
type Point struct {
	ID      string
	Partner string
	Name    string
	TZ      string // IANA name; DefaultTZ when empty
	// Key is the point's public key file (pubkeys.key: NS documents) and
	// Serial the key in it that signs (0: the file's first key).
	Key    []byte
	Serial uint32

	LastSeq  int64     // the last event applied
	LastSeen time.Time // when its last batch came; zero if never
}

// Roles of the people who sign in.
const (
	RolePartner = "partner" // all the partner's points
	RoleManager = "manager" // one point
)

// User is a person who signs in to the partner's page.
type User struct {
	Login   string
	Role    string
	Partner string
	Point   string // a manager's point
}

// AddPartner registers a partner.
func (h *Hub) AddPartner(ctx context.Context, p Partner) error {
	const op = "add partner"
	if !ids.MatchString(p.ID) {
		return refuse(op, KindInput, "hub.input.id", "what", i18n.M("hub.what.partner"), "id", p.ID)
	}
	if p.Name == "" {
		p.Name = p.ID
	}
	_, err := h.db.Exec(ctx, "INSERT INTO partners (id, name, created_at) VALUES ($1, $2, $3)", p.ID, p.Name, h.clock.Now())
	return insertError(op, err, i18n.M("hub.what.partner"), p.ID, "")
}

// AddPoint registers a point with its public key.
func (h *Hub) AddPoint(ctx context.Context, p Point) error {
	const op = "add point"
	if !ids.MatchString(p.ID) {
		return refuse(op, KindInput, "hub.input.id", "what", i18n.M("hub.what.point"), "id", p.ID)
	}
	if p.TZ == "" {
		p.TZ = DefaultTZ
	}
	if _, err := time.LoadLocation(p.TZ); err != nil {
		return refuse(op, KindInput, "hub.input.tz", "tz", p.TZ)
	}
	key, err := publicKey(p.Key, p.Serial)
	if err != nil {
		return &Error{Op: op, Kind: KindInput, Text: i18n.M("hub.input.key", "err", message(err)), Err: err}
	}
	if p.Name == "" {
		p.Name = p.ID
	}
	_, err = h.db.Exec(ctx, `INSERT INTO points (id, partner, name, tz, key_serial, public_key, created_at)
	    VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, p.Partner, p.Name, p.TZ, int64(key.Serial), p.Key, h.clock.Now())
	return insertError(op, err, i18n.M("hub.what.point"), p.ID, p.Partner)
}

// SetKey registers a point's new public key (a key rotated at the
// network): batches signed with the old key are refused from then on.
func (h *Hub) SetKey(ctx context.Context, point string, file []byte, serial uint32) error {
	const op = "set point key"
	key, err := publicKey(file, serial)
	if err != nil {
		return &Error{Op: op, Kind: KindInput, Text: i18n.M("hub.input.key", "err", message(err)), Err: err}
	}
	tag, err := h.db.Exec(ctx, "UPDATE points SET public_key = $2, key_serial = $3 WHERE id = $1", point, file, int64(key.Serial))
	if err != nil {
		return dbError(op, err)
	}
	if tag.RowsAffected() == 0 {
		return refuse(op, KindNotFound, "hub.no_point", "point", point)
	}
	h.log.Info("point key set", "point", point, "serial", key.Serial)
	return nil
}

// publicKey reads the signing key from a public key file.
func publicKey(file []byte, serial uint32) (*ipriv.PublicKey, error) {
	ring, err := ipriv.ParseKeyring(file)
	if err != nil {
		return nil, err
	}
	return ring.Find(serial)
}

// Points are the partner's points ("" for every point), by id.
func (h *Hub) Points(ctx context.Context, partner string) ([]Point, error) {
	rows, err := h.db.Query(ctx, `SELECT id, partner, name, tz, key_serial, public_key, last_seq, last_seen
	    FROM points WHERE $1 = '' OR partner = $1 ORDER BY id`, partner)
	if err != nil {
		return nil, dbError("points", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Point, error) {
		var p Point
		var serial int64
		var seen *time.Time
		err := r.Scan(&p.ID, &p.Partner, &p.Name, &p.TZ, &serial, &p.Key, &p.LastSeq, &seen)
		p.Serial = uint32(serial)
		if seen != nil {
			p.LastSeen = *seen
		}
		return p, err
	})
	return out, dbError("points", err)
}

// MinPassword is the shortest password accepted.
const MinPassword = 8

// AddUser registers a person who signs in with password: a partner's
// (all its points) or a point manager's (Point, one of the partner's).
func (h *Hub) AddUser(ctx context.Context, u User, password string) error {
	const op = "add user"
	if !ids.MatchString(u.Login) {
		return refuse(op, KindInput, "hub.input.id", "what", i18n.M("hub.what.user"), "id", u.Login)
	}
	if len(password) < MinPassword || len(password) > 72 {
		return refuse(op, KindInput, "hub.input.password", "min", MinPassword, "max", 72)
	}
	switch {
	case u.Role == RolePartner && u.Point == "":
	case u.Role == RoleManager && u.Point != "":
		var partner string
		err := h.db.QueryRow(ctx, "SELECT partner FROM points WHERE id = $1", u.Point).Scan(&partner)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && partner != u.Partner {
			return refuse(op, KindNotFound, "hub.input.not_partners_point", "partner", u.Partner, "point", u.Point)
		}
		if err != nil {
			return dbError(op, err)
		}
	default:
		return refuse(op, KindInput, "hub.input.role", "role", u.Role)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	if err != nil {
		return &Error{Op: op, Kind: KindInput, Err: err}
	}
	var point *string
	if u.Point != "" {
		point = &u.Point
	}
	_, err = h.db.Exec(ctx, `INSERT INTO users (login, role, partner, point, password_hash, created_at)
	    VALUES ($1, $2, $3, $4, $5, $6)`, u.Login, u.Role, u.Partner, point, string(hash), h.clock.Now())
	return insertError(op, err, i18n.M("hub.what.user"), u.Login, u.Partner)
}

// SignIn checks a login and password. A wrong login and a wrong password
// are the same KindSignIn, and cost the same time.
func (h *Hub) SignIn(ctx context.Context, login, password string) (*User, error) {
	const op = "sign in"
	var u User
	var hash string
	var point *string
	err := h.db.QueryRow(ctx, "SELECT login, role, partner, point, password_hash FROM users WHERE login = $1", login).
		Scan(&u.Login, &u.Role, &u.Partner, &point, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(h.nobody, []byte(password))
		return nil, &Error{Op: op, Kind: KindSignIn}
	}
	if err != nil {
		return nil, dbError(op, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return nil, &Error{Op: op, Kind: KindSignIn}
	}
	if point != nil {
		u.Point = *point
	}
	return &u, nil
}

// insertError names a duplicate and a missing partner (the one reference
// a registration can miss).
func insertError(op string, err error, what i18n.Msg, id, partner string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return refuse(op, KindExists, "hub.exists", "what", what, "id", id)
		case "23503": // foreign_key_violation
			return refuse(op, KindNotFound, "hub.no_partner", "partner", partner)
		}
	}
	return dbError(op, err)
}

// message is err in the catalogue's words when it names them.
func message(err error) any {
	var s i18n.Speaker
	if errors.As(err, &s) {
		return s.Msg()
	}
	return err.Error()
}

// partnerName is a partner's name.
func (h *Hub) partnerName(ctx context.Context, id string) (string, error) {
	var name string
	if err := h.db.QueryRow(ctx, "SELECT name FROM partners WHERE id = $1", id).Scan(&name); err != nil {
		return "", dbError("partner", err)
	}
	return name, nil
}
