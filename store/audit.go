package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

func auditHash(id, at int64, actor, action, detail, prev string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%d\x00%s\x00%s\x00%s\x00%s", id, at, actor, action, detail, prev)
	return hex.EncodeToString(h.Sum(nil))
}

// audit appends a row to the audit log inside tx. Each row's hash covers
// its content and the previous row's hash; the head (last id and hash) is
// kept in meta, so an edited, deleted or appended-by-hand row is detected.
const (
	qAuditLast   = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"
	qAuditInsert = "INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)"
	qAuditHead   = "INSERT INTO meta (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)

func (s *Store) audit(ctx context.Context, tx *sql.Tx, actor, action, detail string) error {
	var lastID int64
	prev := genesis
	err := s.txQueryRow(ctx, tx, qAuditLast).Scan(&lastID, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: audit: %w", err)
	}
	id := lastID + 1
	at := s.now()
	h := auditHash(id, at, actor, action, detail, prev)
	if _, err := s.txExec(ctx, tx, qAuditInsert, id, at, actor, action, detail, prev, h); err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	if _, err := s.txExec(ctx, tx, qAuditHead, strconv.FormatInt(id, 10)+":"+h); err != nil {
		return fmt.Errorf("store: audit head: %w", err)
	}
	return nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID     int64
	At     int64 // Unix milliseconds
	Actor  string
	Action string
	Detail string
}

// ErrAuditBroken reports a break in the audit chain.
var ErrAuditBroken = errors.New("store: audit chain broken")

// VerifyAudit walks the audit chain and returns the number of rows checked,
// or an error wrapping ErrAuditBroken naming the first row that does not fit.
func (s *Store) VerifyAudit(ctx context.Context) (int, error) {
	// One transaction, so that the rows and the head are of one snapshot
	// even while a till beside a read-only store appends rows.
	tx, err := s.rw.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: verify audit: %w", err)
	}
	defer tx.Rollback()
	return verifyAudit(ctx, tx)
}

func verifyAudit(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit ORDER BY id")
	if err != nil {
		return 0, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var want int64 = 1
	n := 0
	lastHash := genesis
	var lastID int64
	for rows.Next() {
		var id, at int64
		var actor, action, detail, ph, h string
		if err := rows.Scan(&id, &at, &actor, &action, &detail, &ph, &h); err != nil {
			return n, fmt.Errorf("store: verify audit: %w", err)
		}
		if id != want {
			return n, fmt.Errorf("%w: row %d missing", ErrAuditBroken, want)
		}
		if ph != prev || auditHash(id, at, actor, action, detail, ph) != h {
			return n, fmt.Errorf("%w: row %d was changed", ErrAuditBroken, id)
		}
		prev, lastHash, lastID = h, h, id
		want++
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("store: verify audit: %w", err)
	}
	var head string
	err = tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'audit_head'").Scan(&head)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if n > 0 {
			return n, fmt.Errorf("%w: head record missing", ErrAuditBroken)
		}
	case err != nil:
		return n, fmt.Errorf("store: verify audit: %w", err)
	case head != strconv.FormatInt(lastID, 10)+":"+lastHash:
		return n, fmt.Errorf("%w: rows after %d were removed or added", ErrAuditBroken, lastID)
	}
	return n, nil
}

// Audit returns the newest entries, at most limit.
func (s *Store) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.ro.QueryContext(ctx, "SELECT id, at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
