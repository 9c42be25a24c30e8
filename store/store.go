// Package store keeps PayDesk's books in one SQLite file: cashiers, shifts,
// payments with every step's time and outcome, cash operations, receipts as
// printed, settings and a hash-chained audit log.
//
// The database runs in WAL mode with synchronous=FULL, so a payment that was
// acknowledged survives a power cut; foreign keys are on; one read-write
// connection takes immediate transactions (one writer), and reports read
// through a separate read-only pool. Migrations are embedded and forward-only.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"paydesk/internal/clock"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is an open database.
type Store struct {
	// decoy is the hash an unknown login's PIN is compared with (decoyHash).
	decoy     []byte
	decoyOnce sync.Once
	path      string   // as the caller named it
	file      string   // canonical: absolute, links resolved
	rw        *sql.DB  // one connection, immediate transactions; the read-only pool in a read-only store
	ro        *sql.DB  // read-only pool for reports
	lock      *os.File // held while open: one till per database; nil in a read-only store
	// readOnly is set by OpenReadOnly: every write is refused.
	readOnly bool
	clock    clock.Clock
	log      *slog.Logger
	loc      *time.Location // for report days
	cost     int            // bcrypt cost of PIN hashes
	// hot holds the statements every payment step runs, prepared once on
	// the writer connection when the store opens (see txExec).
	hot map[string]*sql.Stmt
	// seal holds the books' key; head is the seal's head as last committed
	// (seal.go).
	seal sealer
	head *head
	// wmu makes a write transaction and the head it leaves one step: the
	// writer connection alone would let the next transaction clone the head
	// before the last one stored its own.
	wmu sync.Mutex
	// pepper keys PIN hashes (cashiers.go); locks holds, by cashier, when
	// this store last counted a lockout's time (monotonic).
	pepper []byte
	locks  sync.Map
	// ghosts counts the failures of unknown logins (cashiers.go).
	ghosts sync.Map
}

// Options tunes Open.
type Options struct {
	Clock    clock.Clock
	Log      *slog.Logger
	Location *time.Location // the local time zone of report days; time.Local when nil
	// PINCost is the bcrypt cost of PIN hashes (default 11); tests lower it.
	PINCost int
	// Key seals the books (seal.go): derived from the point's secret key,
	// never kept in the database. Open needs it; OpenReadOnly without it
	// cannot check the seal.
	Key []byte
}

// ErrInUse is returned when another PayDesk process has the database open:
// two tills on one set of books could make one receipt twice.
var ErrInUse = errors.New("store: the database is in use by another PayDesk")

// ErrReadOnly is returned by every write to a store opened with
// OpenReadOnly.
var ErrReadOnly = errors.New("store: the database is open read-only")

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrFull is wrapped around a write the disk had no room for (SQLite's
// "database or disk is full", or a write the system refused for space or
// a file size limit): the transaction left nothing behind.
var ErrFull = errors.New("store: no room on the disk")

// full wraps ErrFull around err when the disk had no room for the write.
func full(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrFull ||
		errors.Is(se.SystemErrno, syscall.ENOSPC) || errors.Is(se.SystemErrno, syscall.EFBIG)) {
		return fmt.Errorf("%w: %w", ErrFull, err)
	}
	return err
}

// Open opens (creating if needed) the database at path, applies pending
// migrations and runs an integrity check. It holds an exclusive lock on
// path+".lock" (path resolved to its one canonical spelling first) until
// Close: a second Open of the same file, under any name, fails with
// ErrInUse. The database, its -wal and -shm files and the lock file are
// made mode 0600 whatever the umask.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	opt = opt.defaults()
	if len(opt.Key) == 0 {
		return nil, ErrNoKey
	}
	file, err := canonical(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	lock, err := os.OpenFile(file+".lock", os.O_CREATE|os.O_RDWR, privateMode)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, fmt.Errorf("%w (%s)", ErrInUse, path)
	}
	if err := lock.Chmod(privateMode); err != nil {
		opt.Log.Warn("store: lock file mode", "file", file+".lock", "err", err)
	}
	// SQLite creates -wal and -shm with the database file's mode: make it
	// 0600 before SQLite first opens it.
	if _, err := createPrivate(file, false); err != nil {
		lock.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := tighten(file); err != nil {
		opt.Log.Warn("store: the database's files stay readable by others", "file", file, "err", err)
	}
	rw, err := sql.Open("sqlite3", dsn(file, false))
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	rw.SetMaxOpenConns(1)
	rw.SetConnMaxLifetime(0)
	s := &Store{path: path, file: file, rw: rw, lock: lock, clock: opt.Clock, log: opt.Log, loc: opt.Location, cost: opt.PINCost}
	s.keys(opt.Key)
	if err := s.openSealed(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareHot(ctx); err != nil {
		s.Close()
		return nil, err
	}
	ro, err := sql.Open("sqlite3", dsn(file, true))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	ro.SetMaxOpenConns(4)
	s.ro = ro
	if err := s.ensurePointID(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens the existing database at path read-only, beside a
// till that may have it open with Open: it takes no lock, creates no
// database, migrates nothing and refuses every write with ErrReadOnly.
// Reads (reports, IntegrityCheck, VerifyAudit, Version) see the books as
// the till last committed them, and Backup works. A database newer than
// this PayDesk is refused, as by Open; an older one is opened as it is.
func OpenReadOnly(ctx context.Context, path string, opt Options) (*Store, error) {
	opt = opt.defaults()
	file, err := canonical(path)
	if err != nil {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	ro, err := sql.Open("sqlite3", dsn(file, true))
	if err != nil {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	ro.SetMaxOpenConns(4)
	s := &Store{path: path, file: file, rw: ro, ro: ro, readOnly: true, clock: opt.Clock, log: opt.Log, loc: opt.Location, cost: opt.PINCost}
	s.keys(opt.Key)
	ms, err := migrations()
	if err != nil {
		s.Close()
		return nil, err
	}
	v, err := s.Version(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	if v > len(ms) {
		s.Close()
		return nil, fmt.Errorf("store: the database has schema version %d, newer than this PayDesk (%d): update PayDesk", v, len(ms))
	}
	return s, nil
}

func (o Options) defaults() Options {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.PINCost == 0 {
		o.PINCost = bcryptCost
	}
	return o
}

// ReadOnly reports whether the store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// writable refuses writes to a read-only store.
func (s *Store) writable() error {
	if s.readOnly {
		return ErrReadOnly
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.ro != nil {
		errs = append(errs, s.ro.Close())
	}
	for _, st := range s.hot {
		errs = append(errs, st.Close())
	}
	if s.rw != s.ro {
		errs = append(errs, s.rw.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close()) // releases the lock
	}
	return errors.Join(errs...)
}

// Path returns the database file, as it was given to Open.
func (s *Store) Path() string { return s.path }

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s has no version number", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations must be numbered 1, 2, ...: %s", m.name)
		}
	}
	return out, nil
}

// Version reads the database's schema version.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.rw.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate applies the migrations above the database's version, each in its
// own transaction together with the version bump. A database newer than
// the binary is refused.
func (s *Store) migrate(ctx context.Context) error {
	return s.migrateTo(ctx, -1)
}

func (s *Store) migrateTo(ctx context.Context, target int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if target < 0 {
		target = len(ms)
	}
	cur, err := s.Version(ctx)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if cur > len(ms) {
		return fmt.Errorf("store: the database has schema version %d, newer than this PayDesk (%d): update PayDesk", cur, len(ms))
	}
	for _, m := range ms[cur:target] {
		tx, err := s.rw.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		s.log.Info("store: migrated", "version", m.version, "name", m.name)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.rw.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Backup writes a consistent copy of the open database to file (which must
// not exist), while the till keeps working; it works from a read-only
// store too. The copy is created mode 0600 whatever the umask and synced
// to disk; a failed copy is removed.
func (s *Store) Backup(ctx context.Context, file string) (err error) {
	fail := func(err error) error { return fmt.Errorf("store: backup to %s: %w", file, err) }
	target, err := canonical(file)
	if err != nil {
		return fail(err)
	}
	// VACUUM INTO writes into an empty file, keeping its mode.
	if created, err := createPrivate(target, true); err != nil {
		if created {
			os.Remove(target)
		}
		return fail(err)
	}
	defer func() {
		if err != nil {
			os.Remove(target)
		}
	}()
	// The name goes as a URI: the connection reads "file:" names as URIs.
	if _, err := s.rw.ExecContext(ctx, "VACUUM INTO ?", fileURI(target)); err != nil {
		return fail(full(err))
	}
	f, err := os.OpenFile(target, os.O_RDWR, 0)
	if err != nil {
		return fail(err)
	}
	if err := f.Chmod(privateMode); err != nil {
		f.Close()
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	return nil
}

func (s *Store) now() int64 { return s.clock.Now().UnixMilli() }

// tx runs f in an immediate transaction.
// hotQueries are the statements of every payment step and audit row.
var hotQueries = []string{qPaymentFor, qUpdatePayment, qSummary, qAddReceipt, qAuditLast, qAuditInsert, qAuditHead, qOpenShiftID,
	qCurrentShift, qCashierByID, qStartedCash, qLastSession, qSetSession, qPaymentByID}

// prepareHot prepares hotQueries on the writer connection.
func (s *Store) prepareHot(ctx context.Context) error {
	s.hot = map[string]*sql.Stmt{}
	for _, q := range append(hotQueries, sealQueries()...) {
		st, err := s.rw.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		s.hot[q] = st
	}
	return nil
}

// txExec runs q in tx, through its statement prepared once when q is hot
// (parsing SQL is a good part of a payment step's cost).
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := s.hot[q]; st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// txQuery is txExec for a query of rows.
func (s *Store) txQuery(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if st := s.hot[q]; st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

// queryRow runs a query of one row on the writer connection, through its
// statement prepared once when q is hot.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.hot[q]; st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.rw.QueryRowContext(ctx, q, args...)
}

// txQueryRow is txExec for a query of one row.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st := s.hot[q]; st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	if err := s.writable(); err != nil {
		return err
	}
	return full(s.write(ctx, f))
}

func (s *Store) write(ctx context.Context, f func(*sql.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.rw.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := s.armed(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	h, err := s.sealTouched(ctx, tx)
	if err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if h != nil {
		s.head = h
	}
	return nil
}

func (s *Store) ensurePointID(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?)`, strconv.FormatInt(s.now(), 10))
		return err
	})
}

// Setting reads a setting ("" when unset).
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.rw.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting writes a setting, audited under actor.
func (s *Store) SetSetting(ctx context.Context, actor, key, value string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value); err != nil {
			return fmt.Errorf("store: set setting: %w", err)
		}
		return s.audit(ctx, tx, actor, "setting", key+"="+value)
	})
}

func nullInt(v sql.NullInt64) int64 {
	if v.Valid {
		return v.Int64
	}
	return 0
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
