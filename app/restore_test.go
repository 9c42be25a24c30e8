package app

import (
	"database/sql"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"paydesk/fiscal/emulator"
	"paydesk/store"
)

// payOnce opens a shift as a new manager (when the books have none) and
// pays 100.00 to MTS.
func payOnce(t *testing.T, rt *Runtime, number string) *store.Payment {
	t.Helper()
	c, err := rt.books.Cashier(ctx, "olga")
	if err != nil {
		c, err = rt.books.AddCashier(ctx, "setup", store.Cashier{Login: "olga", FullName: "Кассир Орлова О.О.", Role: store.RoleManager}, "432100")
		require.NoError(t, err)
		_, err = rt.Till.OpenShift(ctx, &User{c}, 0)
		require.NoError(t, err)
	}
	u := &User{c}
	p, err := rt.Till.Start(ctx, u, "mts", number)
	require.NoError(t, err)
	p, err = rt.Till.Check(ctx, u, p, 100_00, Cash)
	require.NoError(t, err)
	p, err = rt.Till.Confirm(ctx, u, p)
	require.NoError(t, err)
	require.Equal(t, store.FiscalDone, p.FiscalState)
	return p
}

func bootOpts() Options {
	return Options{PINCost: bcrypt.MinCost, Settle: []time.Duration{5 * time.Millisecond}}
}

// TestEmptyBooksBesideAUsedRegister deletes the books of a till whose
// register printed receipts: the next start refuses (nothing is paid,
// nothing printed, no administrator can be added), until the books are
// restored or the register adopted once, explicitly.
func TestEmptyBooksBesideAUsedRegister(t *testing.T) {
	reg := emulator.NewState(time.Now())
	reg.INN = "7701234567"
	cfg, _, em, _ := productionWorld(t, &reg)
	rt, err := Boot(ctx, cfg, bootOpts())
	require.NoError(t, err, "new books beside a new register")
	payOnce(t, rt, "9161234567")
	path := rt.books.Path()
	require.NoError(t, rt.Close())
	docs := len(em.State().Docs)

	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(f)
	}
	_, err = Boot(ctx, cfg, bootOpts())
	require.Error(t, err)
	assert.Equal(t, KindTampered, KindOf(err))
	assert.Contains(t, Message(err, "ru"), "paydeskctl db restore")
	assert.Contains(t, Message(err, "en"), "paydeskctl db adopt")
	assert.Len(t, em.State().Docs, docs, "nothing printed")

	opt := bootOpts()
	opt.Adopt = true
	rt, err = Boot(ctx, cfg, opt)
	require.NoError(t, err)
	fd, err := rt.Till.Adopted(ctx)
	require.NoError(t, err)
	assert.Equal(t, itoa(int(em.State().LastFD)), fd)
	audit, err := rt.books.Audit(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "setting", audit[0].Action)
	assert.Contains(t, audit[0].Detail, adoptedKey)
	require.NoError(t, rt.Close())
	rt, err = Boot(ctx, cfg, bootOpts())
	require.NoError(t, err, "adopted once, the books start")
	require.NoError(t, rt.Close())
}

// TestRestoreBackup restores a backup over broken books: the backup must
// verify and be signed for by one of its managers; the receipts printed
// after it are named; the restored books audit the restore and start.
func TestRestoreBackup(t *testing.T) {
	reg := emulator.NewState(time.Now())
	reg.INN = "7701234567"
	cfg, _, _, dir := productionWorld(t, &reg)
	rt, err := Boot(ctx, cfg, bootOpts())
	require.NoError(t, err)
	first := payOnce(t, rt, "9161234567")
	backup := dir + "/backup.db"
	require.NoError(t, rt.Till.Backup(ctx, backup))
	second := payOnce(t, rt, "9167654321")
	path := rt.books.Path()
	require.NoError(t, rt.Close())
	edit(t, path, "UPDATE payments SET amount = 1")
	_, err = Boot(ctx, cfg, bootOpts())
	require.Equal(t, KindTampered, KindOf(err))

	_, err = Restore(ctx, cfg, bootOpts(), backup, "olga", "000000")
	assert.Error(t, err, "a wrong PIN")
	_, err = Restore(ctx, cfg, bootOpts(), dir+"/none.db", "olga", "432100")
	assert.Equal(t, KindInput, KindOf(err))
	broken := dir + "/broken.db"
	require.NoError(t, os.WriteFile(broken, readAll(t, backup), 0o600))
	edit(t, broken, "UPDATE cashiers SET role = 'admin'")
	_, err = Restore(ctx, cfg, bootOpts(), broken, "olga", "432100")
	assert.Equal(t, KindTampered, KindOf(err), "a backup that does not verify is not put in place")

	rep, err := Restore(ctx, cfg, bootOpts(), backup, "olga", "432100")
	require.NoError(t, err)
	assert.Equal(t, first.FD, rep.LastFD)
	assert.True(t, rep.RegisterRead)
	require.Len(t, rep.After, 1)
	assert.Equal(t, second.FD, rep.After[0].FD)
	assert.FileExists(t, rep.Replaced)

	rt, err = Boot(ctx, cfg, bootOpts())
	require.NoError(t, err, "the restored books start")
	defer rt.Close()
	audit, err := rt.books.Audit(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "db.restore", audit[0].Action)
	assert.Contains(t, audit[0].Detail, itoa(int(second.FD)))
	_, err = rt.books.PaymentBySession(ctx, second.Session)
	assert.ErrorIs(t, err, store.ErrNotFound, "the payment after the backup is not in it")
}

func readAll(t *testing.T, f string) []byte {
	t.Helper()
	b, err := os.ReadFile(f)
	require.NoError(t, err)
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }

// edit changes the books with plain SQL, as someone with the file would.
func edit(t *testing.T, db, q string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Exec(q)
	require.NoError(t, err)
}
