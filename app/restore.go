package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/store"
)

// adoptedKey is the setting that records new books started on a register
// that already held receipts (db adopt): the register's last document then.
const adoptedKey = "books.adopted_fd"

// usedScan is how many of the register's last documents guardEmpty reads
// for a receipt.
const usedScan = 30

// guardEmpty refuses empty books beside a register that already made
// receipts: the books were deleted or emptied, and new ones would forget
// every payment (and let a first administrator in with no approval).
// Restoring a backup (Restore), or adopting the register once
// (Options.Adopt) when it worked with other software before, are the ways
// on. A register that does not answer is not held against the start.
func (r *Runtime) guardEmpty(ctx context.Context, reg fiscal.Register, path string, opt Options) error {
	empty, err := r.books.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	if v, err := r.books.Setting(ctx, adoptedKey); err != nil || v != "" {
		return err
	}
	last, err := reg.LastDocument(ctx)
	if err != nil {
		opt.Log.Warn("app: the register did not answer: empty books not held against it", "err", err)
		return nil
	}
	if !registerUsed(ctx, reg, last) {
		return nil
	}
	if opt.Adopt {
		return r.books.SetSetting(ctx, "paydeskctl db adopt", adoptedKey, fmt.Sprint(last.FD))
	}
	return fail("open books", KindTampered, i18n.M("app.books_gone", "path", path, "fd", last.FD), nil)
}

// registerUsed reports whether the register has made a receipt among its
// last documents.
func registerUsed(ctx context.Context, reg fiscal.Register, last fiscal.Document) bool {
	if last.Type.IsReceipt() {
		return true
	}
	for fd := int64(last.FD) - 1; fd > 0 && fd >= int64(last.FD)-usedScan; fd-- {
		tags, err := reg.DocumentTags(ctx, uint32(fd))
		if err != nil {
			continue
		}
		if _, ok := num(tags, 1054); ok {
			return true
		}
	}
	return false
}

// RestoreReport is what Restore did.
type RestoreReport struct {
	Backup   string // the backup put in place
	Replaced string // where the books it replaced were kept ("" when there were none)
	LastFD   int64  // the backup's newest receipt
	// After are the receipts the register made after the backup's newest:
	// their payments are not in the restored books (db check --network
	// and the network's own records have them).
	After []Mismatch
	// RegisterRead is false when the register could not be read: After is
	// then unknown.
	RegisterRead bool
}

// Restore puts a backup in place of the configured books, which no till
// may have open: the backup must verify (integrity, seal, audit chain)
// under the point's key, and login must be one of its managers with pin.
// Before anything is replaced the register is read for the receipts made
// after the backup. The restored books audit the restore.
func Restore(ctx context.Context, cfg *config.Config, opt Options, backup, login, pin string) (*RestoreReport, error) {
	const op = "restore"
	r := &Runtime{Config: cfg}
	defer r.Close()
	var err error
	if r.DataDir, err = cfg.DataPath(); err != nil {
		return nil, err
	}
	path, err := cfg.StorePath()
	if err != nil {
		return nil, err
	}
	key, err := booksKey(cfg, r.DataDir, opt, false)
	if err != nil {
		return nil, err
	}
	sopt := store.Options{Clock: opt.Clock, Log: opt.Log, PINCost: opt.PINCost, Key: key}
	b, err := store.OpenReadOnly(ctx, backup, sopt)
	if err != nil {
		return nil, fail(op, KindInput, i18n.M("app.restore.unreadable", "file", backup), err)
	}
	rep := &RestoreReport{Backup: backup}
	err = func() error {
		defer b.Close()
		if _, err := b.VerifySeal(ctx); err != nil {
			return booksErr(err, backup)
		}
		c, err := b.CheckPIN(ctx, login, pin)
		if err != nil {
			return err
		}
		if err := need(&User{Cashier: c}, store.RoleManager, op); err != nil {
			return err
		}
		rep.LastFD, err = b.LastFD(ctx)
		return err
	}()
	if err != nil {
		return nil, err
	}
	if reg, err := r.register(ctx, cfg, opt); err == nil && reg != nil {
		rep.After, rep.RegisterRead = receiptsAfter(ctx, reg, rep.LastFD)
	}
	if rep.Replaced, err = store.Restore(ctx, backup, path, sopt); err != nil {
		if errors.Is(err, store.ErrInUse) {
			return nil, fail(op, KindState, i18n.M("store.in_use"), err)
		}
		return nil, booksErr(err, backup)
	}
	books, err := store.Open(ctx, path, sopt)
	if err != nil {
		return rep, booksErr(err, path)
	}
	defer books.Close()
	var fds []string
	for _, m := range rep.After {
		fds = append(fds, fmt.Sprint(m.FD))
	}
	detail := fmt.Sprintf("from %s; replaced %s; receipts after it: %s", backup, rep.Replaced, strings.Join(fds, ","))
	if !rep.RegisterRead {
		detail += " (register not read)"
	}
	return rep, books.Note(ctx, login, "db.restore", detail)
}

// receiptsAfter lists the receipts the register made after document fd.
func receiptsAfter(ctx context.Context, reg fiscal.Register, fd int64) ([]Mismatch, bool) {
	last, err := reg.LastDocument(ctx)
	if err != nil {
		return nil, false
	}
	var out []Mismatch
	for n := fd + 1; n <= int64(last.FD) && n <= fd+maxScan; n++ {
		tags, err := reg.DocumentTags(ctx, uint32(n))
		if err != nil {
			continue
		}
		kind, ok := num(tags, 1054)
		if !ok {
			continue
		}
		sum, _ := num(tags, 1020)
		out = append(out, Mismatch{FD: n, Text: i18n.M("app.restore.after", "fd", n,
			"kind", i18n.M(kindKey(fiscal.ReceiptKind(kind))), "sum", moneyOf(sum))})
	}
	return out, true
}

// Adopted is the register's last document when new books were started on
// it by db adopt, "" when they were not.
func (t *Till) Adopted(ctx context.Context) (string, error) {
	return t.d.Store.Setting(ctx, adoptedKey)
}
