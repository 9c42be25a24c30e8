package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Empty reports whether the books hold no shift and no payment: new books,
// or books someone emptied.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	err := s.ro.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM shifts) + (SELECT count(*) FROM payments)").Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: empty: %w", err)
	}
	return n == 0, nil
}

// LastFD is the newest fiscal document the books hold (a receipt or a
// return receipt), 0 when none.
func (s *Store) LastFD(ctx context.Context) (int64, error) {
	var fd int64
	err := s.ro.QueryRowContext(ctx, "SELECT max(coalesce(max(fd), 0), coalesce(max(refund_fd), 0)) FROM payments").Scan(&fd)
	if err != nil {
		return 0, fmt.Errorf("store: last document: %w", err)
	}
	return fd, nil
}

// CheckPIN says whether pin is login's, changing nothing: for a store open
// read-only (a backup being restored), where no failure can be counted.
func (s *Store) CheckPIN(ctx context.Context, login, pin string) (*Cashier, error) {
	c, hash, err := scanCashier(s.rw.QueryRowContext(ctx, "SELECT "+cashierCols+", pin_hash FROM cashiers WHERE login = ? AND active = 1", login))
	if err != nil {
		_, _ = s.pinMatches(string(s.decoyHash()), login, pin)
		return nil, &PINError{Err: ErrBadPIN}
	}
	if ok, _ := s.pinMatches(hash, login, pin); !ok {
		return nil, &PINError{Err: ErrBadPIN}
	}
	return c, nil
}

// Restore puts the backup in place of the database at path, which no till
// may have open (ErrInUse otherwise): the backup must be whole and verify
// under key (integrity, seal, audit chain) or nothing is changed. The books
// it replaces, if any, are kept beside them as path.replaced-TIME (with
// their -wal), for support. It returns that name, "" when there were none.
func Restore(ctx context.Context, backup, path string, opt Options) (string, error) {
	opt = opt.defaults()
	fail := func(err error) error { return fmt.Errorf("store: restore %s: %w", backup, err) }
	b, err := OpenReadOnly(ctx, backup, opt)
	if err != nil {
		return "", fail(err)
	}
	err = b.IntegrityCheck(ctx)
	if err == nil {
		_, err = b.VerifySeal(ctx)
	}
	if err == nil {
		_, err = b.VerifyAudit(ctx)
	}
	b.Close()
	if err != nil {
		return "", fail(err)
	}
	file, err := canonical(path)
	if err != nil {
		return "", fail(err)
	}
	lock, err := os.OpenFile(file+".lock", os.O_CREATE|os.O_RDWR, privateMode)
	if err != nil {
		return "", fail(err)
	}
	defer lock.Close()
	if err := lockFile(lock); err != nil {
		return "", fmt.Errorf("%w (%s)", ErrInUse, path)
	}
	tmp := file + ".restoring"
	if err := copyPrivate(backup, tmp); err != nil {
		os.Remove(tmp)
		return "", fail(err)
	}
	if err := markRestored(ctx, tmp, opt); err != nil {
		os.Remove(tmp)
		return "", fail(err)
	}
	var kept string
	if _, err := os.Stat(file); err == nil {
		kept = file + ".replaced-" + opt.Clock.Now().Format("20060102-150405")
		if err := os.Rename(file, kept); err != nil {
			os.Remove(tmp)
			return "", fail(err)
		}
		// The old books' log belongs to them: beside them, never applied
		// to the restored file.
		if err := os.Rename(file+"-wal", kept+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return kept, fail(err)
		}
		os.Remove(file + "-shm")
	}
	if err := os.Rename(tmp, file); err != nil {
		return kept, fail(err)
	}
	if d, err := os.Open(filepath.Dir(file)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return kept, nil
}

// markRestored records in the copy, before it takes the books' place,
// that it is a backup put back (Store.Rewound): a hub may hold events the
// books wrote after the backup, and the ones they write now must be
// numbered after those.
func markRestored(ctx context.Context, file string, opt Options) error {
	s, err := Open(ctx, file, opt)
	if err != nil {
		return err
	}
	err = s.markRewound(ctx)
	if err == nil { // the mark in the file itself, not in its log, before the file is renamed
		_, err = s.rw.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	os.Remove(file + ".lock")
	os.Remove(file + "-shm")
	if fi, serr := os.Stat(file + "-wal"); serr == nil && fi.Size() > 0 && err == nil {
		err = fmt.Errorf("the copy's log was not written into it")
	}
	os.Remove(file + "-wal")
	return err
}

// copyPrivate copies src to a new file dst, mode 0600, synced.
func copyPrivate(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, privateMode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
