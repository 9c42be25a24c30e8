package store

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"paydesk/internal/clock"

	"golang.org/x/crypto/bcrypt"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// files lists the files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, rel)
		return err
	}))
	sort.Strings(out)
	return out
}

// onlyFilesOf fails unless every file under dir is the database rel or one
// of its companions.
func onlyFilesOf(t *testing.T, dir, rel string) {
	t.Helper()
	for _, f := range files(t, dir) {
		assert.Contains(t, []string{rel, rel + ".lock", rel + "-wal", rel + "-shm"}, f, "a file beside the database")
	}
}

func TestPathIsAFileNameNotAURI(t *testing.T) {
	for _, rel := range []string{
		filepath.Join("a#b?c%20d", "paydesk.db"),
		"paydesk.db?_synchronous=OFF",
		"paydesk.db?mode=memory",
		"paydesk.db#x",
		filepath.Join("%2e%2e", "paydesk.db"), // not the folder above
		filepath.Join("x?y", "..", "paydesk.db%00z"),
		filepath.Join("sp ace&=;", "книги.db"),
	} {
		t.Run(rel, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, rel)
			want, err := filepath.Rel(dir, filepath.Clean(path))
			require.NoError(t, err)
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))

			s := open(t, path, clock.NewFake(t0))
			var sync int
			require.NoError(t, s.rw.QueryRow("PRAGMA synchronous").Scan(&sync))
			assert.Equal(t, 2, sync, "synchronous=FULL, whatever the name says")
			var mode string
			require.NoError(t, s.rw.QueryRow("PRAGMA journal_mode").Scan(&mode))
			assert.Equal(t, "wal", mode)
			require.NoError(t, s.SetSetting(ctx, "test", "k", "v"))
			var file string
			require.NoError(t, s.rw.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file))
			assert.Equal(t, s.file, file, "SQLite opened the file named")
			onlyFilesOf(t, dir, want)
			fi, err := os.Stat(filepath.Join(dir, want))
			require.NoError(t, err)
			assert.Positive(t, fi.Size())

			// A read-only store and a backup read the same file.
			ro, err := OpenReadOnly(ctx, path, Options{Key: testKey})
			require.NoError(t, err)
			defer ro.Close()
			v, err := ro.Setting(ctx, "k")
			require.NoError(t, err)
			assert.Equal(t, "v", v)
			bak := path + ".bak?x#y"
			require.NoError(t, ro.Backup(ctx, bak))
			_, err = os.Stat(bak)
			require.NoError(t, err, "the backup is the file named")

			require.NoError(t, ro.Close())
			require.NoError(t, s.Close())
			again := open(t, path, clock.NewFake(t0))
			v, err = again.Setting(ctx, "k")
			require.NoError(t, err)
			assert.Equal(t, "v", v, "reopened the same file")
		})
	}
}

func TestOneTillUnderAnyName(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	for _, tc := range []struct {
		name string
		// second spells the database at dir/books/paydesk.db otherwise;
		// it may chdir (t.Chdir) and make links.
		second func(t *testing.T, dir string) string
	}{
		{"symlinked folder", func(t *testing.T, dir string) string {
			require.NoError(t, os.Symlink(filepath.Join(dir, "books"), filepath.Join(dir, "link")))
			return filepath.Join(dir, "link", "paydesk.db")
		}},
		{"link to the file", func(t *testing.T, dir string) string {
			require.NoError(t, os.Symlink(filepath.Join(dir, "books", "paydesk.db"), filepath.Join(dir, "db")))
			return filepath.Join(dir, "db")
		}},
		{"relative", func(t *testing.T, dir string) string {
			t.Chdir(filepath.Join(dir, "books"))
			return "paydesk.db"
		}},
		{"relative with dot-dot", func(t *testing.T, dir string) string {
			require.NoError(t, os.Mkdir(filepath.Join(dir, "x"), 0o700))
			t.Chdir(filepath.Join(dir, "books"))
			return "./../x/../books/paydesk.db"
		}},
		{"relative through a symlinked folder", func(t *testing.T, dir string) string {
			require.NoError(t, os.Symlink(filepath.Join(dir, "books"), filepath.Join(dir, "link")))
			t.Chdir(dir)
			return filepath.Join("link", "paydesk.db")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(dir, "books"), 0o700))
			first := filepath.Join(dir, "books", "paydesk.db")
			s := open(t, first, clock.Real{})
			second := tc.second(t, dir)
			_, err := Open(ctx, second, Options{Key: testKey})
			require.ErrorIs(t, err, ErrInUse, "%s is %s", second, first)
			require.NoError(t, s.Close())
			again, err := Open(ctx, second, Options{Key: testKey})
			require.NoError(t, err)
			assert.Equal(t, second, again.Path(), "Path is as given")
			_, err = Open(ctx, first, Options{Key: testKey})
			assert.ErrorIs(t, err, ErrInUse, "and the other way round")
			require.NoError(t, again.Close())
		})
	}
}

func TestDanglingLinkRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "paydesk.db")
	require.NoError(t, os.Symlink(filepath.Join(dir, "elsewhere.db"), link))
	_, err := Open(ctx, link, Options{Key: testKey})
	assert.ErrorContains(t, err, "does not exist")
	assert.Equal(t, []string{"paydesk.db"}, files(t, dir), "nothing created through the link")
}

func TestFilesArePrivate(t *testing.T) {
	permissive(t)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, path string) // before the till opens path
	}{
		{"new database", func(*testing.T, string) {}},
		{"database made readable by an older PayDesk", func(t *testing.T, path string) {
			s := open(t, path, clock.NewFake(t0))
			require.NoError(t, s.Close())
			for _, f := range []string{path, path + ".lock"} {
				require.NoError(t, os.Chmod(f, 0o644))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "paydesk.db")
			tc.prepare(t, path)
			s := open(t, path, clock.NewFake(t0))
			seed(t, s)
			for _, f := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
				fi, err := os.Stat(f)
				require.NoError(t, err)
				assert.Equal(t, privateMode, fi.Mode().Perm(), f)
			}
			ro, err := OpenReadOnly(ctx, path, Options{Key: testKey})
			require.NoError(t, err)
			defer ro.Close()
			for _, b := range []struct {
				name string
				s    *Store
			}{{"till", s}, {"read-only", ro}} {
				bak := filepath.Join(dir, b.name+".bak")
				require.NoError(t, b.s.Backup(ctx, bak))
				fi, err := os.Stat(bak)
				require.NoError(t, err)
				assert.Equal(t, privateMode, fi.Mode().Perm(), b.name)
			}
		})
	}
}

func TestBackupRefusals(t *testing.T) {
	s, _ := newStore(t)
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists.db")
	require.NoError(t, os.WriteFile(exists, nil, 0o600))
	for _, tc := range []struct {
		name, file string
	}{
		{"existing file", exists},
		{"missing folder", filepath.Join(dir, "no", "copy.db")},
		{"a folder", dir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := files(t, dir)
			assert.Error(t, s.Backup(ctx, tc.file))
			assert.Equal(t, before, files(t, dir), "nothing left behind")
		})
	}
}

func TestReadOnlyBesideTheTill(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "paydesk.db")
	till := open(t, path, clock.NewFake(t0))
	anna, _, p := seed(t, till)

	// The till keeps writing audited rows.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes int
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if werr = till.SetSetting(ctx, "anna", "n", strconv.Itoa(i)); werr != nil {
				return
			}
			writes++
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
		require.NoError(t, werr)
		assert.Positive(t, writes)
	}()

	ro, err := OpenReadOnly(ctx, path, Options{Key: testKey, Location: msk, PINCost: bcrypt.MinCost})
	require.NoError(t, err)
	defer ro.Close()
	assert.True(t, ro.ReadOnly())
	assert.False(t, till.ReadOnly())
	_, err = Open(ctx, path, Options{Key: testKey})
	assert.ErrorIs(t, err, ErrInUse, "a read-only store leaves the lock to the till")

	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"setting", func() error { return ro.SetSetting(ctx, "x", "k", "v") }},
		{"receipt", func() error { return ro.AddReceipt(ctx, p.ID, "slip", "text") }},
		{"session", func() error { _, err := ro.NewSession(ctx); return err }},
		{"cashier", func() error {
			_, err := ro.AddCashier(ctx, "x", Cashier{Login: "boris", FullName: "Борис", Role: RoleCashier}, "1234")
			return err
		}},
		{"payment", func() error {
			return ro.CreatePayment(ctx, "anna", &Payment{CashierID: anna.ID, ProviderCode: "mts", Amount: 1, Total: 1})
		}},
		{"raw SQL", func() error {
			_, err := ro.rw.Exec("INSERT INTO settings (key, value) VALUES ('x', 'y')")
			return err
		}},
	} {
		t.Run("refuses "+w.name, func(t *testing.T) {
			err := w.write()
			require.Error(t, err)
			if w.name != "raw SQL" {
				assert.ErrorIs(t, err, ErrReadOnly)
			}
		})
	}

	for i := range 3 {
		require.NoError(t, ro.IntegrityCheck(ctx))
		n, err := ro.VerifyAudit(ctx)
		require.NoError(t, err, "the chain is read in one snapshot while the till writes")
		assert.Positive(t, n)
		bak := filepath.Join(dir, "backup"+strconv.Itoa(i)+".db")
		require.NoError(t, ro.Backup(ctx, bak))

		cp, err := OpenReadOnly(ctx, bak, Options{Key: testKey, Location: msk})
		require.NoError(t, err)
		require.NoError(t, cp.IntegrityCheck(ctx))
		m, err := cp.VerifyAudit(ctx)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, m, n, "the copy is not older than the check before it")
		got, err := cp.Payment(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, p.Session, got.Session)
		require.NoError(t, cp.Close())
		time.Sleep(10 * time.Millisecond)
	}
	rows, err := ro.Commission(ctx, t0.Add(-48*time.Hour), t0.Add(48*time.Hour), ByProvider)
	require.NoError(t, err)
	assert.Len(t, rows, 1, "reports read from it")
}

func TestReadOnlyAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "paydesk.db")
	s := open(t, path, clock.NewFake(t0))
	seed(t, s)
	require.NoError(t, s.Close())

	ro, err := OpenReadOnly(ctx, path, Options{Key: testKey})
	require.NoError(t, err, "no till running")
	_, err = ro.VerifyAudit(ctx)
	require.NoError(t, err)
	require.NoError(t, ro.Backup(ctx, filepath.Join(dir, "copy.db")))
	require.NoError(t, ro.Close())

	missing := filepath.Join(dir, "missing.db")
	_, err = OpenReadOnly(ctx, missing, Options{Key: testKey})
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = os.Stat(missing)
	assert.ErrorIs(t, err, fs.ErrNotExist, "a read-only open creates nothing")

	newer := open(t, filepath.Join(dir, "newer.db"), clock.Real{})
	_, err = newer.rw.Exec("PRAGMA user_version = 99")
	require.NoError(t, err)
	_, err = OpenReadOnly(ctx, filepath.Join(dir, "newer.db"), Options{Key: testKey})
	assert.ErrorContains(t, err, "newer than this PayDesk")
}

func TestFileURI(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/var/lib/paydesk/paydesk.db", "file:///var/lib/paydesk/paydesk.db"},
		{"/a#b?c%20d/p.db", "file:///a%23b%3Fc%2520d/p.db"},
		{"/x/p.db?_synchronous=OFF", "file:///x/p.db%3F_synchronous=OFF"},
		{"/x/new\nline", "file:///x/new%0Aline"},
		{"rel/p.db", "file:rel/p.db"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if runtime.GOOS == "windows" {
				t.Skip("Unix paths")
			}
			assert.Equal(t, tc.want, fileURI(tc.path))
		})
	}
}
