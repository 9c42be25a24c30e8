package app

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"paydesk/app/config"
	"paydesk/internal/atomicfile"
	"paydesk/internal/i18n"
	"paydesk/store"
)

// keyLen is the length of the books' key.
const keyLen = 32

// booksKey is the key that seals the books (store.Options.Key). In
// production it is derived from the point's secret key, which only its
// passphrase opens, so the database alone cannot be re-sealed. Training
// books are sealed with a random key kept in the training folder (they
// prove nothing, but run the same code); create makes it when missing.
func booksKey(cfg *config.Config, dataDir string, opt Options, create bool) ([]byte, error) {
	if opt.BooksKey != nil {
		return opt.BooksKey, nil
	}
	if cfg.Training {
		return trainingKey(filepath.Join(dataDir, "training", "books.key"), create)
	}
	k, err := cfg.SecretKey()
	if err != nil {
		return nil, err
	}
	return k.Derive("paydesk books seal", keyLen)
}

func trainingKey(file string, create bool) ([]byte, error) {
	b, err := os.ReadFile(file)
	switch {
	case err == nil && len(b) == keyLen:
		return b, nil
	case err == nil:
		return nil, fail("training key", KindConfig, i18n.M("app.training_key", "file", file), fmt.Errorf("%d bytes", len(b)))
	case !errors.Is(err, fs.ErrNotExist) || !create:
		return nil, fail("training key", KindConfig, i18n.M("app.training_key", "file", file), err)
	}
	b = make([]byte, keyLen)
	rand.Read(b)
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fail("training key", KindConfig, i18n.M("app.training_key", "file", file), err)
	}
	if err := atomicfile.Write(file, b, 0o600); err != nil {
		return nil, fail("training key", KindConfig, i18n.M("app.training_key", "file", file), err)
	}
	return b, nil
}

// booksErr turns a break of the books' seal into the till's error that
// names the first bad row and what to do.
func booksErr(err error, path string) error {
	var se *store.SealError
	if !errors.As(err, &se) {
		return err
	}
	row := fmt.Sprint(se.Row)
	if se.Name != "" {
		row += " (" + se.Name + ")"
	}
	var m i18n.Msg
	switch se.What {
	case store.SealHead:
		m = i18n.M("app.seal_head", "path", path)
	case store.SealOtherKey:
		m = i18n.M("app.seal_key", "path", path)
	case store.SealMissing:
		m = i18n.M("app.seal_missing", "path", path, "table", se.Table, "want", se.Want, "got", se.Got)
	case store.SealUnsealed:
		m = i18n.M("app.seal_unsealed", "path", path, "table", se.Table, "row", row)
	default:
		m = i18n.M("app.seal_changed", "path", path, "table", se.Table, "row", row)
	}
	return fail("open books", KindTampered, m, err)
}
