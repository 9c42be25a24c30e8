package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"paydesk/internal/clock"
)

// Role is what a cashier may do.
type Role string

// The roles, each including the one before.
const (
	RoleCashier Role = "cashier" // payments, X reports, reprints
	RoleManager Role = "manager" // also opens and closes shifts, cash out, approvals
	RoleAdmin   Role = "admin"   // also settings and cashiers
)

// Rank orders roles: cashier < manager < admin.
func (r Role) Rank() int {
	switch r {
	case RoleCashier:
		return 1
	case RoleManager:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// ParseRole reads "cashier", "manager" or "admin".
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(s))
	if r.Rank() == 0 {
		return "", fmt.Errorf("store: role %q is not cashier, manager or admin", s)
	}
	return r, nil
}

// Cashier is a person who signs in to the till.
type Cashier struct {
	ID          int64
	Login       string
	FullName    string // printed on receipts (tag 1021)
	Position    string // the cashier's position, before the name in tag 1021
	Role        Role
	INN         string
	FailedPINs  int
	LockedUntil time.Time // when a lockout ends, as the store last saw it (zero: not locked)
	Active      bool
	lockLeft    time.Duration // the lockout's time left when last counted
}

// Lockout policy: MaxPINFailures wrong PINs in a row lock the cashier for
// LockoutTime.
const (
	MaxPINFailures = 5
	LockoutTime    = 15 * time.Minute
	bcryptCost     = 11
	// ManagerPINLen is the shortest PIN of a manager or an administrator.
	ManagerPINLen = 6
)

// Sign-in errors.
var (
	ErrUnknownCashier = errors.New("store: no such cashier")
	ErrBadPIN         = errors.New("store: wrong PIN")
	ErrLocked         = errors.New("store: cashier locked after wrong PINs")
	ErrInactive       = errors.New("store: cashier deactivated")
	ErrWeakPIN        = errors.New("store: a PIN is 4 to 8 digits")
	ErrShortPIN       = errors.New("store: a manager's or an administrator's PIN is 6 to 8 digits")
	ErrLoginTaken     = errors.New("store: the login is taken")
)

// PINError carries what a failed sign-in leaves: attempts before the lock,
// or when the lock ends.
type PINError struct {
	Err         error
	AttemptsRem int
	LockedUntil time.Time
}

func (e *PINError) Error() string {
	if errors.Is(e.Err, ErrLocked) {
		return fmt.Sprintf("%v until %s", e.Err, e.LockedUntil.Format("15:04"))
	}
	return fmt.Sprintf("%v (%d attempts left)", e.Err, e.AttemptsRem)
}

// Unwrap returns ErrBadPIN or ErrLocked.
func (e *PINError) Unwrap() error { return e.Err }

func checkPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 8 || strings.Trim(pin, "0123456789") != "" {
		return ErrWeakPIN
	}
	return nil
}

// AddCashier creates a cashier with a PIN stored as a salted bcrypt hash.
func (s *Store) AddCashier(ctx context.Context, actor string, c Cashier, pin string) (*Cashier, error) {
	if err := checkPIN(pin); err != nil {
		return nil, err
	}
	if c.Role.Rank() == 0 {
		return nil, fmt.Errorf("store: role %q is not cashier, manager or admin", c.Role)
	}
	c.Login = strings.TrimSpace(c.Login)
	c.FullName = strings.TrimSpace(c.FullName)
	c.Position = strings.TrimSpace(c.Position)
	if c.Login == "" || c.FullName == "" {
		return nil, errors.New("store: a cashier needs a login and a full name")
	}
	if c.Role.Rank() >= RoleManager.Rank() && len(pin) < ManagerPINLen {
		return nil, ErrShortPIN
	}
	hash, err := s.pinHash(c.Login, pin)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO cashiers (login, full_name, position, role, inn, pin_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			c.Login, c.FullName, c.Position, string(c.Role), c.INN, hash, s.now())
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return fmt.Errorf("%w: %q", ErrLoginTaken, c.Login)
			}
			return fmt.Errorf("store: add cashier: %w", err)
		}
		c.ID, _ = res.LastInsertId()
		c.Active = true
		return s.audit(ctx, tx, actor, "cashier.add", fmt.Sprintf("%s %s (%s)", c.Login, c.FullName, c.Role))
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

const (
	cashierCols  = "id, login, full_name, position, role, inn, failed_pins, lock_left, locked_until, active"
	qCashierByID = "SELECT " + cashierCols + ", pin_hash FROM cashiers WHERE id = ?"
)

func scanCashier(row interface{ Scan(...any) error }) (*Cashier, string, error) {
	var c Cashier
	var role string
	var left, until int64
	var hash string
	err := row.Scan(&c.ID, &c.Login, &c.FullName, &c.Position, &role, &c.INN, &c.FailedPINs, &left, &until, &c.Active, &hash)
	if err != nil {
		return nil, "", err
	}
	c.Role = Role(role)
	c.lockLeft = time.Duration(left) * time.Millisecond
	if left > 0 {
		c.LockedUntil = msTime(until)
	}
	return &c, hash, nil
}

// Cashier reads a cashier by login.
func (s *Store) Cashier(ctx context.Context, login string) (*Cashier, error) {
	c, _, err := scanCashier(s.rw.QueryRowContext(ctx, "SELECT "+cashierCols+", pin_hash FROM cashiers WHERE login = ?", login))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnknownCashier
	}
	return c, err
}

// CashierByID reads a cashier by id.
func (s *Store) CashierByID(ctx context.Context, id int64) (*Cashier, error) {
	c, _, err := scanCashier(s.queryRow(ctx, qCashierByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnknownCashier
	}
	return c, err
}

// Cashiers lists the active cashiers by name.
func (s *Store) Cashiers(ctx context.Context) ([]*Cashier, error) {
	rows, err := s.rw.QueryContext(ctx, "SELECT "+cashierCols+", pin_hash FROM cashiers WHERE active = 1 ORDER BY full_name")
	if err != nil {
		return nil, fmt.Errorf("store: cashiers: %w", err)
	}
	defer rows.Close()
	var out []*Cashier
	for rows.Next() {
		c, _, err := scanCashier(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Authenticate checks a cashier's PIN. Wrong PINs count toward the lockout,
// a right one resets the count; a locked cashier is refused until the lock
// ends, whatever the PIN.
func (s *Store) Authenticate(ctx context.Context, login, pin string) (*Cashier, error) {
	var out *Cashier
	var authErr error
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, hash, err := scanCashier(tx.QueryRowContext(ctx, "SELECT "+cashierCols+", pin_hash FROM cashiers WHERE login = ?", login))
		if errors.Is(err, sql.ErrNoRows) {
			// As long as a wrong PIN takes and answered as one (attempts
			// counted down, then a lock), so that neither the answer nor
			// its time tells which logins exist.
			_, _ = s.pinMatches(string(s.decoyHash()), login, pin)
			authErr = s.ghost(login)
			return s.audit(ctx, tx, login, "signin.failed", "unknown login")
		}
		if err != nil {
			return fmt.Errorf("store: authenticate: %w", err)
		}
		if !c.Active {
			authErr = ErrInactive
			return nil
		}
		now := s.clock.Now()
		if left := s.lockLeft(c); left > 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE cashiers SET lock_left = ? WHERE id = ?", left.Milliseconds(), c.ID); err != nil {
				return fmt.Errorf("store: authenticate: %w", err)
			}
			authErr = &PINError{Err: ErrLocked, LockedUntil: now.Add(left)}
			return nil
		}
		ok, legacy := s.pinMatches(hash, c.Login, pin)
		if !ok {
			c.FailedPINs++
			var left time.Duration
			if c.FailedPINs >= MaxPINFailures {
				left = LockoutTime
				s.locks.Store(c.ID, clock.Since(s.clock))
				authErr = &PINError{Err: ErrLocked, LockedUntil: now.Add(left)}
				c.FailedPINs = 0
			} else {
				authErr = &PINError{Err: ErrBadPIN, AttemptsRem: MaxPINFailures - c.FailedPINs}
			}
			if _, err := tx.ExecContext(ctx, "UPDATE cashiers SET failed_pins = ?, lock_left = ?, locked_until = ? WHERE id = ?",
				c.FailedPINs, left.Milliseconds(), untilMS(now, left), c.ID); err != nil {
				return fmt.Errorf("store: authenticate: %w", err)
			}
			return s.audit(ctx, tx, login, "signin.failed", fmt.Sprintf("wrong PIN (%v)", authErr))
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cashiers SET failed_pins = 0, lock_left = 0, locked_until = 0 WHERE id = ?", c.ID); err != nil {
			return fmt.Errorf("store: authenticate: %w", err)
		}
		if legacy { // keyed from now on
			h, err := s.pinHash(c.Login, pin)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE cashiers SET pin_hash = ? WHERE id = ?", h, c.ID); err != nil {
				return fmt.Errorf("store: authenticate: %w", err)
			}
		}
		c.FailedPINs, c.LockedUntil = 0, time.Time{}
		out = c
		return s.audit(ctx, tx, login, "signin", c.FullName)
	})
	if err != nil {
		return nil, err
	}
	return out, authErr
}

// decoyHash is a PIN hash of the store's cost that no PIN opens, made once.
func (s *Store) decoyHash() []byte {
	s.decoyOnce.Do(func() {
		h, err := s.pinHash("", "no PIN is this decoy's")
		if err != nil {
			s.log.Warn("store: the decoy PIN hash could not be made", "err", err)
		}
		s.decoy = []byte(h)
	})
	return s.decoy
}

// Unlock clears a cashier's wrong-PIN count and lock.
func (s *Store) Unlock(ctx context.Context, actor, login string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE cashiers SET failed_pins = 0, lock_left = 0, locked_until = 0 WHERE login = ?", login)
		if err != nil {
			return fmt.Errorf("store: unlock: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrUnknownCashier
		}
		return s.audit(ctx, tx, actor, "cashier.unlock", login)
	})
}

// keyedPrefix marks a PIN hash keyed with the pepper.
const keyedPrefix = "k1$"

// keyed is the PIN as bcrypt sees it: the HMAC of the login and the PIN
// under the pepper, a secret outside the database, so that the database
// alone does not give a PIN up to an offline search.
func (s *Store) keyed(login, pin string) []byte {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte(login))
	m.Write([]byte{0})
	m.Write([]byte(pin))
	return []byte(hex.EncodeToString(m.Sum(nil)))
}

// pinHash is the stored hash of login's PIN.
func (s *Store) pinHash(login, pin string) (string, error) {
	h, err := bcrypt.GenerateFromPassword(s.keyed(login, pin), s.cost)
	if err != nil {
		return "", fmt.Errorf("store: hash PIN: %w", err)
	}
	return keyedPrefix + string(h), nil
}

// pinMatches compares a PIN with its stored hash; legacy says the hash is
// of the PIN alone (books of an older PayDesk) and should be keyed anew.
func (s *Store) pinMatches(hash, login, pin string) (ok, legacy bool) {
	if h, keyed := strings.CutPrefix(hash, keyedPrefix); keyed {
		return bcrypt.CompareHashAndPassword([]byte(h), s.keyed(login, pin)) == nil, false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pin)) == nil, true
}

// lockLeft is the time c's lockout has left, counted on the monotonic
// clock (clock.Since) since this store first saw the lock: a wall clock
// set forward or back does not shorten it, and a restart counts the time
// left afresh.
func (s *Store) lockLeft(c *Cashier) time.Duration {
	if c.lockLeft <= 0 {
		s.locks.Delete(c.ID)
		return 0
	}
	up := clock.Since(s.clock)
	seen, loaded := s.locks.LoadOrStore(c.ID, up)
	left := c.lockLeft
	if loaded {
		left -= max(0, up-seen.(time.Duration))
		s.locks.Store(c.ID, up)
	}
	if left <= 0 {
		s.locks.Delete(c.ID)
		return 0
	}
	return left
}

func untilMS(now time.Time, left time.Duration) int64 {
	if left <= 0 {
		return 0
	}
	return now.Add(left).UnixMilli()
}

// ghost counts the failures of an unknown login as a cashier's are
// counted, in memory: MaxPINFailures of them lock it for LockoutTime.
func (s *Store) ghost(login string) error {
	up := clock.Since(s.clock)
	v, _ := s.ghosts.LoadOrStore(login, &ghostLogin{})
	g := v.(*ghostLogin)
	g.mu.Lock()
	defer g.mu.Unlock()
	now := s.clock.Now()
	if g.lockedAt != 0 || g.failures >= MaxPINFailures {
		if left := LockoutTime - (up - g.lockedAt); left > 0 {
			return &PINError{Err: ErrLocked, LockedUntil: now.Add(left)}
		}
		g.failures, g.lockedAt = 0, 0
	}
	g.failures++
	if g.failures >= MaxPINFailures {
		g.lockedAt = max(up, 1)
		return &PINError{Err: ErrLocked, LockedUntil: now.Add(LockoutTime)}
	}
	return &PINError{Err: ErrBadPIN, AttemptsRem: MaxPINFailures - g.failures}
}

// ghostLogin is an unknown login's failures.
type ghostLogin struct {
	mu       sync.Mutex
	failures int
	lockedAt time.Duration // clock.Since when locked, 0 when not
}
