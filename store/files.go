package store

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// The files of the books hold cashiers' PIN hashes and every payment: only
// the owner reads them.
const privateMode fs.FileMode = 0o600

// canonical resolves path to the one spelling of the file it names: an
// absolute path with every symbolic link resolved (those of its folder
// when the file does not exist yet), so that two spellings of one database
// (a symlinked folder, "./x/../paydesk.db") take one lock.
func canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err == nil {
		if fi, err := os.Stat(real); err == nil && fi.IsDir() {
			return "", fmt.Errorf("%s is a folder, not a database file", path)
		}
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	real = filepath.Join(dir, filepath.Base(abs))
	if _, err := os.Lstat(real); err == nil {
		// A link to nothing: creating through it would make a file
		// under another name, with a lock of its own.
		return "", fmt.Errorf("%s is a symbolic link to a file that does not exist", path)
	}
	return real, nil
}

// fileURI is the SQLite URI of the file at path (absolute, as canonical
// makes it): its path with the bytes SQLite's URI parser reads specially
// percent-encoded ("%", "?" and "#", and control bytes), so that no file
// name ends the path or adds a parameter. go-sqlite3 splits its own
// parameters off at the first "?", which therefore is the one dsn adds.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if filepath.VolumeName(path) != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x is file:///C:/x; \\host\share is file:////host/share
	}
	var b strings.Builder
	b.WriteString("file:")
	if strings.HasPrefix(p, "/") {
		b.WriteString("//") // an empty authority, so "//host" stays a path
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' || c == '?' || c == '#' || c < 0x20 || c == 0x7f {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// dsn is the go-sqlite3 data source of the database at path (canonical):
// the read-write connection's in WAL mode with synchronous=FULL and
// immediate transactions, or a read-only one.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "FULL")
		q.Set("_txlock", "immediate")
	}
	return fileURI(path) + "?" + q.Encode()
}

// createPrivate makes sure the file at path exists with mode 0600: it
// creates it empty when it does not exist (exclusive: failing when it
// does), then sets the mode whatever the umask did.
func createPrivate(path string, exclusive bool) (created bool, err error) {
	flag := os.O_CREATE | os.O_RDWR
	if exclusive {
		flag |= os.O_EXCL
	} else if _, err := os.Lstat(path); err == nil {
		return false, nil
	}
	f, err := os.OpenFile(path, flag, privateMode)
	if err != nil {
		return false, err
	}
	if err := f.Chmod(privateMode); err != nil {
		f.Close()
		return true, err
	}
	return true, f.Close()
}

// companions are the files SQLite keeps beside a database.
var companions = []string{"", "-wal", "-shm", "-journal"}

// tighten sets the database's files that exist (from a PayDesk that made
// them readable by all) to mode 0600; it returns the first failure.
func tighten(path string) error {
	for _, suffix := range companions {
		fi, err := os.Stat(path + suffix)
		if err != nil {
			continue
		}
		if fi.Mode().Perm() != privateMode {
			if err := os.Chmod(path+suffix, privateMode); err != nil {
				return err
			}
		}
	}
	return nil
}
