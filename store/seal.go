package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"time"
)

// The seal makes the books tamper-evident to anyone without the point's
// secret key. Every row of every table below carries, in its seal column,
// the HMAC-SHA256 of its table, row id and content under a key derived from
// the point's secret key (which only the passphrase opens: Options.Key).
// The head, meta's row "seal", holds per table the number of sealed rows
// and the XOR of their seals, itself under an HMAC: a row edited, added or
// deleted by hand, or an older row put back, no longer adds up, and a
// script that recomputes the plain audit chain cannot make the seals.
//
// Writes are found by temporary triggers on the writer connection: each
// insert, update or delete of a sealed table notes the row (and its seal
// as committed) in temp.seal_touched; tx seals the noted rows and moves the
// head before it commits, in the same transaction.

// sealed are the tables the seal covers, in the head's order.
var sealed = []string{"cashiers", "shifts", "payments", "cash_ops", "receipts", "answers", "paid_summary", "settings", "meta", "audit"}

// describe names, per table, the column that tells a person which row it is.
var describe = map[string]string{"cashiers": "login", "payments": "session", "settings": "key", "meta": "key", "audit": "action"}

// sealVersion is the schema version that added the seal columns.
const sealVersion = 7

// headKey is meta's row holding the head; it is outside the seal.
const headKey = "seal"

// ErrSealBroken reports books that do not match their seal; the error is a
// *SealError naming the first row or table that does not fit.
var ErrSealBroken = errors.New("store: the books do not match their seal")

// ErrNoKey is returned by Open without Options.Key, and by VerifySeal of a
// read-only store opened without one.
var ErrNoKey = errors.New("store: no key to seal the books with")

// What a SealError found.
const (
	SealChanged  = "changed"  // a row's content does not match its seal: edited or forged
	SealUnsealed = "unsealed" // a row has no seal: added by hand
	SealMissing  = "missing"  // a table's rows do not add up to the head: deleted, or an older copy put back
	SealHead     = "head"     // the head is missing or does not verify
	SealOtherKey = "key"      // the books were sealed under another key
)

// SealError is a break in the seal.
type SealError struct {
	What  string // SealChanged, SealUnsealed, SealMissing, SealHead or SealOtherKey
	Table string // "" for the head
	Row   int64  // the row id, 0 when no one row is at fault
	Name  string // what the row is (a payment's session, a login, a key), when known
	// Want and Got are the head's count of rows and the table's, for
	// SealMissing.
	Want, Got int64
}

func (e *SealError) Error() string {
	switch e.What {
	case SealMissing:
		return fmt.Sprintf("%v: %s: the head counts %d rows, the table holds %d sealed rows: rows were removed or an older copy was put back", ErrSealBroken, e.Table, e.Want, e.Got)
	case SealHead:
		return fmt.Sprintf("%v: the head is missing or does not verify", ErrSealBroken)
	case SealOtherKey:
		return fmt.Sprintf("%v: the books were sealed under another key", ErrSealBroken)
	}
	s := fmt.Sprintf("%v: %s row %d", ErrSealBroken, e.Table, e.Row)
	if e.Name != "" {
		s += " (" + e.Name + ")"
	}
	if e.What == SealUnsealed {
		return s + " has no seal: added by hand"
	}
	return s + " was changed"
}

// Unwrap makes errors.Is(err, ErrSealBroken) hold.
func (e *SealError) Unwrap() error { return ErrSealBroken }

// sum is one table's part of the head.
type sum struct {
	n int64
	x [sha256.Size]byte
}

func (s *sum) add(seal string) error {
	b, err := hex.DecodeString(seal)
	if err != nil || len(b) != sha256.Size {
		return errors.New("bad seal")
	}
	for i := range s.x {
		s.x[i] ^= b[i]
	}
	return nil
}

// head is the seal's head: the key's id and every table's sum.
type head struct {
	kid    string
	tables map[string]*sum
}

func newHead(kid string) *head {
	h := &head{kid: kid, tables: map[string]*sum{}}
	for _, t := range sealed {
		h.tables[t] = &sum{}
	}
	return h
}

func (h *head) clone() *head {
	c := newHead(h.kid)
	for t, s := range h.tables {
		*c.tables[t] = *s
	}
	return c
}

// body is the head's text without its MAC.
func (h *head) body() string {
	var b strings.Builder
	b.WriteString("v1 kid=" + h.kid)
	for _, t := range sealed {
		s := h.tables[t]
		fmt.Fprintf(&b, " %s=%d:%x", t, s.n, s.x)
	}
	return b.String()
}

// sealer holds the key.
type sealer struct{ key []byte }

// keys derives the seal's key and the PINs' pepper from the books' key;
// without one the store can neither seal nor check.
func (s *Store) keys(key []byte) {
	if len(key) == 0 {
		return
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("paydesk store: " + label))
		return m.Sum(nil)
	}
	s.seal = sealer{key: derive("seal")}
	s.pepper = derive("pins")
}

func (k sealer) mac(parts ...string) hash.Hash {
	m := hmac.New(sha256.New, k.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m
}

func (k sealer) kid() string { return hex.EncodeToString(k.mac("paydesk seal key id").Sum(nil)[:8]) }

func (k sealer) encodeHead(h *head) string {
	body := h.body()
	return body + " mac=" + hex.EncodeToString(k.mac("paydesk seal head", body).Sum(nil))
}

// decodeHead parses and verifies a head.
func (k sealer) decodeHead(v string) (*head, error) {
	body, mac, ok := strings.Cut(v, " mac=")
	if !ok {
		return nil, &SealError{What: SealHead}
	}
	f := strings.Fields(body)
	if len(f) != 2+len(sealed) || f[0] != "v1" || !strings.HasPrefix(f[1], "kid=") {
		return nil, &SealError{What: SealHead}
	}
	h := newHead(strings.TrimPrefix(f[1], "kid="))
	if h.kid != k.kid() {
		return nil, &SealError{What: SealOtherKey}
	}
	got, err := hex.DecodeString(mac)
	if err != nil || !hmac.Equal(got, k.mac("paydesk seal head", body).Sum(nil)) {
		return nil, &SealError{What: SealHead}
	}
	for i, t := range sealed {
		name, val, _ := strings.Cut(f[2+i], "=")
		n, x, _ := strings.Cut(val, ":")
		cnt, err := strconv.ParseInt(n, 10, 64)
		xb, err2 := hex.DecodeString(x)
		if name != t || err != nil || err2 != nil || len(xb) != sha256.Size {
			return nil, &SealError{What: SealHead}
		}
		h.tables[t].n = cnt
		copy(h.tables[t].x[:], xb)
	}
	return h, nil
}

// row is the seal of one row: its table, and every column but seal by name
// and typed value.
func (k sealer) row(table string, cols []string, vals []any) string {
	m := k.mac("paydesk seal row", table)
	var n [8]byte
	for i, c := range cols {
		if c == "seal" {
			continue
		}
		m.Write([]byte(c))
		m.Write([]byte{0})
		switch v := vals[i].(type) {
		case nil:
			m.Write([]byte{'n'})
		case int64:
			binary.BigEndian.PutUint64(n[:], uint64(v))
			m.Write([]byte{'i'})
			m.Write(n[:])
		case float64:
			binary.BigEndian.PutUint64(n[:], math.Float64bits(v))
			m.Write([]byte{'f'})
			m.Write(n[:])
		case bool:
			m.Write([]byte{'i', 0, 0, 0, 0, 0, 0, 0, map[bool]byte{false: 0, true: 1}[v]})
		case string:
			writeBytes(m, n[:], []byte(v))
		case []byte:
			writeBytes(m, n[:], v)
		case time.Time:
			binary.BigEndian.PutUint64(n[:], uint64(v.UnixNano()))
			m.Write([]byte{'t'})
			m.Write(n[:])
		default:
			writeBytes(m, n[:], fmt.Appendf(nil, "%v", v))
		}
	}
	return hex.EncodeToString(m.Sum(nil))
}

func writeBytes(m hash.Hash, n []byte, b []byte) {
	binary.BigEndian.PutUint64(n, uint64(len(b)))
	m.Write([]byte{'s'})
	m.Write(n)
	m.Write(b)
}

// triggers are the temporary triggers that note every write of a sealed
// table in temp.seal_touched: a row's first note in a transaction keeps the
// seal it had when the transaction began; a delete marks it gone.
func triggers() []string {
	q := []string{`CREATE TEMP TABLE IF NOT EXISTS seal_touched (tbl TEXT NOT NULL, rid INTEGER NOT NULL, old TEXT NOT NULL,
		gone INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, rid))`}
	for _, t := range sealed {
		when, whenOld := "", ""
		if t == "meta" {
			when, whenOld = " WHEN NEW.key <> '"+headKey+"'", " AND NEW.key <> '"+headKey+"'"
		}
		// A row's first note wins; no OR IGNORE or upsert: the outer
		// statement's conflict policy would override theirs.
		note := `INSERT INTO seal_touched (tbl, rid, old, gone) SELECT '%[1]s', %[2]s.rowid, %[3]s, %[4]d
			WHERE NOT EXISTS (SELECT 1 FROM seal_touched WHERE tbl = '%[1]s' AND rid = %[2]s.rowid);`
		q = append(q,
			fmt.Sprintf("CREATE TEMP TRIGGER IF NOT EXISTS seal_%s_i AFTER INSERT ON main.%s%s BEGIN ", t, t, when)+
				fmt.Sprintf(note, t, "NEW", "''", 0)+" END",
			fmt.Sprintf("CREATE TEMP TRIGGER IF NOT EXISTS seal_%s_u AFTER UPDATE ON main.%s WHEN NEW.seal IS OLD.seal%s BEGIN ", t, t, whenOld)+
				fmt.Sprintf(note, t, "OLD", "OLD.seal", 0)+" END",
			fmt.Sprintf("CREATE TEMP TRIGGER IF NOT EXISTS seal_%s_d AFTER DELETE ON main.%s BEGIN ", t, t)+
				fmt.Sprintf("UPDATE seal_touched SET gone = 1 WHERE tbl = '%s' AND rid = OLD.rowid; ", t)+
				fmt.Sprintf(note, t, "OLD", "OLD.seal", 1)+" END")
	}
	return q
}

// The seal's statements of every transaction, prepared once (hotQueries).
const (
	qTouched = "SELECT tbl, rid, old, gone FROM temp.seal_touched"
	qUntouch = "DELETE FROM temp.seal_touched"
)

func qRow(table string) string     { return "SELECT rowid, * FROM " + table + " WHERE rowid = ?" }
func qSetSeal(table string) string { return "UPDATE " + table + " SET seal = ? WHERE rowid = ?" }

// sealQueries are the seal's hot statements.
func sealQueries() []string {
	q := []string{qTriggers, qWriteHead}
	for _, t := range sealed {
		q = append(q, qRow(t), qSetSeal(t))
	}
	return q
}

const qTriggers = "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE 'seal\\_%' ESCAPE '\\'"

// armed makes sure the writer connection has the triggers (a connection
// the pool made anew has none).
func (s *Store) armed(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := s.txQueryRow(ctx, tx, qTriggers).Scan(&n); err != nil {
		return fmt.Errorf("store: seal triggers: %w", err)
	}
	if n == 3*len(sealed) {
		return nil
	}
	for _, q := range triggers() {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: seal triggers: %w", err)
		}
	}
	return nil
}

type touched struct {
	table string
	rid   int64
	old   string
	gone  bool
}

// sealTouched seals the rows tx wrote and returns the head to keep once tx
// commits (nil when nothing was written).
func (s *Store) sealTouched(ctx context.Context, tx *sql.Tx) (*head, error) {
	rows, err := s.txQuery(ctx, tx, qTouched)
	if err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	var ts []touched
	for rows.Next() {
		var t touched
		if err := rows.Scan(&t.table, &t.rid, &t.old, &t.gone); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: seal: %w", err)
		}
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	if len(ts) == 0 {
		return nil, nil
	}
	h := s.head.clone()
	for _, t := range ts {
		sm := h.tables[t.table]
		if t.old != "" {
			if err := sm.add(t.old); err != nil {
				return nil, &SealError{What: SealChanged, Table: t.table, Row: t.rid}
			}
			sm.n--
		}
		if t.gone {
			continue
		}
		seal, err := s.resealRow(ctx, tx, t.table, t.rid)
		if err != nil {
			return nil, err
		}
		if seal != "" {
			sm.add(seal)
			sm.n++
		}
	}
	if err := s.writeHead(ctx, tx, h); err != nil {
		return nil, err
	}
	if _, err := s.txExec(ctx, tx, qUntouch); err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	return h, nil
}

const qWriteHead = "INSERT INTO meta (key, value) VALUES ('" + headKey + "', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"

func (s *Store) writeHead(ctx context.Context, tx *sql.Tx, h *head) error {
	if _, err := s.txExec(ctx, tx, qWriteHead, s.seal.encodeHead(h)); err != nil {
		return fmt.Errorf("store: seal head: %w", err)
	}
	return nil
}

// resealRow computes and stores the seal of one row; "" when the row is no
// longer there (or is the head).
func (s *Store) resealRow(ctx context.Context, tx *sql.Tx, table string, rid int64) (string, error) {
	rows, err := s.txQuery(ctx, tx, qRow(table), rid)
	if err != nil {
		return "", fmt.Errorf("store: seal %s: %w", table, err)
	}
	cols, vals, found, err := oneRow(rows)
	if err != nil || !found {
		return "", err
	}
	if table == "meta" && text(vals[1]) == headKey {
		return "", nil
	}
	seal := s.seal.row(table, cols, vals)
	if _, err := s.txExec(ctx, tx, qSetSeal(table), seal, rid); err != nil {
		return "", fmt.Errorf("store: seal %s: %w", table, err)
	}
	return seal, nil
}

func oneRow(rows *sql.Rows) ([]string, []any, bool, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, false, err
	}
	if !rows.Next() {
		return nil, nil, false, rows.Err()
	}
	vals, err := scanAny(rows, len(cols))
	return cols, vals, err == nil, err
}

func scanAny(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, rows.Scan(ptrs...)
}

// sealAll seals every row anew and writes the head: for new books, and for
// books a migration changed (after their seal was verified).
func (s *Store) sealAll(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.rw.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: seal: %w", err)
	}
	defer tx.Rollback()
	h := newHead(s.seal.kid())
	for _, t := range sealed {
		rows, err := tx.QueryContext(ctx, "SELECT rowid, * FROM "+t)
		if err != nil {
			return fmt.Errorf("store: seal %s: %w", t, err)
		}
		type one struct {
			rid  int64
			seal string
		}
		var all []one
		err = eachRow(rows, func(cols []string, vals []any) {
			if t == "meta" && text(vals[1]) == headKey {
				return
			}
			all = append(all, one{vals[0].(int64), s.seal.row(t, cols, vals)})
		})
		if err != nil {
			return fmt.Errorf("store: seal %s: %w", t, err)
		}
		for _, r := range all {
			if _, err := tx.ExecContext(ctx, "UPDATE "+t+" SET seal = ? WHERE rowid = ?", r.seal, r.rid); err != nil {
				return fmt.Errorf("store: seal %s: %w", t, err)
			}
			h.tables[t].add(r.seal)
			h.tables[t].n++
		}
	}
	if err := s.writeHead(ctx, tx, h); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: seal: %w", err)
	}
	s.head = h
	return nil
}

func eachRow(rows *sql.Rows, f func(cols []string, vals []any)) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		vals, err := scanAny(rows, len(cols))
		if err != nil {
			return err
		}
		f(cols, vals)
	}
	return rows.Err()
}

// SealReport is what VerifySeal checked: the sealed rows per table.
type SealReport struct {
	Rows map[string]int64
}

// Total is the number of rows checked.
func (r SealReport) Total() int64 {
	var n int64
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// VerifySeal checks every row of the books against its seal and the tables
// against the head, in one snapshot. A break is a *SealError (wrapping
// ErrSealBroken) naming the first row or table that does not fit.
func (s *Store) VerifySeal(ctx context.Context) (SealReport, error) {
	if s.seal.key == nil {
		return SealReport{}, ErrNoKey
	}
	tx, err := s.rw.BeginTx(ctx, nil)
	if err != nil {
		return SealReport{}, fmt.Errorf("store: verify seal: %w", err)
	}
	defer tx.Rollback()
	h, err := s.verifySeal(ctx, tx)
	rep := SealReport{Rows: map[string]int64{}}
	if h != nil {
		for t, sm := range h.tables {
			rep.Rows[t] = sm.n
		}
	}
	return rep, err
}

// verifySeal returns the head the rows add up to, and the first break.
func (s *Store) verifySeal(ctx context.Context, tx *sql.Tx) (*head, error) {
	var v string
	err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = '"+headKey+"'").Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: verify seal: %w", err)
	}
	var want *head
	if err == nil {
		if want, err = s.seal.decodeHead(v); err != nil {
			return nil, err
		}
	}
	got := newHead(s.seal.kid())
	for _, t := range sealed {
		if err := s.verifyTable(ctx, tx, t, got.tables[t]); err != nil {
			return nil, err
		}
	}
	if want == nil {
		for _, t := range sealed {
			if got.tables[t].n > 0 {
				return nil, &SealError{What: SealHead}
			}
		}
		return got, nil
	}
	for _, t := range sealed {
		if *got.tables[t] != *want.tables[t] {
			return nil, &SealError{What: SealMissing, Table: t, Want: want.tables[t].n, Got: got.tables[t].n}
		}
	}
	return got, nil
}

func (s *Store) verifyTable(ctx context.Context, tx *sql.Tx, t string, sm *sum) error {
	rows, err := tx.QueryContext(ctx, "SELECT rowid, * FROM "+t+" ORDER BY rowid")
	if err != nil {
		return fmt.Errorf("store: verify seal %s: %w", t, err)
	}
	var bad *SealError
	err = eachRow(rows, func(cols []string, vals []any) {
		if bad != nil || (t == "meta" && text(vals[1]) == headKey) {
			return
		}
		var have string
		for i, c := range cols {
			if c == "seal" {
				have, _ = vals[i].(string)
				if b, ok := vals[i].([]byte); ok {
					have = string(b)
				}
			}
		}
		rid, _ := vals[0].(int64)
		switch want := s.seal.row(t, cols, vals); {
		case have == "":
			bad = &SealError{What: SealUnsealed, Table: t, Row: rid}
		case !hmac.Equal([]byte(have), []byte(want)):
			bad = &SealError{What: SealChanged, Table: t, Row: rid}
		default:
			sm.add(have)
			sm.n++
			return
		}
		for i, c := range cols {
			if c == describe[t] {
				bad.Name = fmt.Sprint(text(vals[i]))
			}
		}
	})
	if err != nil {
		return fmt.Errorf("store: verify seal %s: %w", t, err)
	}
	if bad != nil {
		return bad
	}
	return nil
}

func text(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// openSealed verifies the books' seal as they are, migrates them, and seals
// them anew when they are new, older than the seal or were migrated. A
// break refuses the open.
func (s *Store) openSealed(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	cur, err := s.Version(ctx)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	var h *head
	if cur >= sealVersion && cur <= len(ms) {
		tx, err := s.rw.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: verify seal: %w", err)
		}
		h, err = s.verifySeal(ctx, tx)
		tx.Rollback()
		if err != nil {
			return err
		}
		var stored int
		if err := s.rw.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key = '"+headKey+"'").Scan(&stored); err != nil {
			return fmt.Errorf("store: verify seal: %w", err)
		}
		if stored == 0 {
			h = nil // new books: sealed below
		}
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if h != nil && cur == len(ms) {
		s.head = h
		return nil
	}
	if err := s.sealAll(ctx); err != nil {
		return err
	}
	if cur > 0 && cur < sealVersion {
		return s.tx(ctx, func(tx *sql.Tx) error {
			return s.audit(ctx, tx, "paydesk", "books.sealed", fmt.Sprintf("schema %d", cur))
		})
	}
	return nil
}
