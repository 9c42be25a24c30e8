package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

const sessionAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// nextSession makes the next SESSION inside tx: the UTC time to the second
// (12 digits, never going back from the last one issued), a sequence within
// that second (4 digits) and 4 random characters: 20 Latin letters and
// digits. Time keeps it unique across reinstalls and restored backups, the
// stored last value across clock steps backwards, and the random part
// across a reinstall whose clock went back as well.
const (
	qLastSession = "SELECT value FROM meta WHERE key = 'last_session'"
	qSetSession  = "INSERT INTO meta (key, value) VALUES ('last_session', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)

func (s *Store) nextSession(ctx context.Context, tx *sql.Tx) (string, error) {
	var last string
	err := s.txQueryRow(ctx, tx, qLastSession).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: session: %w", err)
	}
	t := s.clock.Now().UTC().Truncate(time.Second)
	seq := 0
	if len(last) == 20 {
		lt, err1 := time.Parse("060102150405", last[:12])
		ls, err2 := strconv.Atoi(last[12:16])
		if err1 == nil && err2 == nil && !t.After(lt) {
			t, seq = lt, ls+1
			if seq > 9999 {
				t, seq = t.Add(time.Second), 0
			}
		}
	}
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("store: session: %w", err)
	}
	for i := range r {
		r[i] = sessionAlphabet[int(r[i])%len(sessionAlphabet)]
	}
	sess := t.Format("060102150405") + fmt.Sprintf("%04d", seq) + string(r[:])
	if _, err := s.txExec(ctx, tx, qSetSession, sess); err != nil {
		return "", fmt.Errorf("store: session: %w", err)
	}
	return sess, nil
}

// NewSession issues a SESSION for a request that is not a payment (a
// number-only check, a balance query): unique like every other.
func (s *Store) NewSession(ctx context.Context) (string, error) {
	var sess string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		sess, err = s.nextSession(ctx, tx)
		return err
	})
	return sess, err
}
