package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTamperedBooksStopTheTill edits the training books with plain SQL, as
// someone with the file and sqlite3 would: the next till command stops
// with exit 6 naming the row, writes nothing, and db check says the same.
func TestTamperedBooksStopTheTill(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	kassir := writeFile(t, dir, "kassir.pin", "1111\n")
	r := runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", kassir, "--float", "1000.00")
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "9161234567", "--amount", "100.00")
	require.Equal(t, 0, r.code, r.stderr)
	db := filepath.Join(dir, "training.db")
	clean, err := os.ReadFile(db)
	require.NoError(t, err)

	tests := []struct {
		name, edit, says string
	}{
		{"amount", "UPDATE payments SET amount = 1, total = 1", "payments, строка 1"},
		{"payment deleted", "DELETE FROM answers; DELETE FROM receipts; DELETE FROM payments", "payments"},
		{"role", "UPDATE cashiers SET role = 'admin' WHERE login = 'kassir'", "cashiers, строка"},
		{"audit wiped", "DELETE FROM audit", "audit"},
		{"float", "UPDATE shifts SET opening_float = 0", "shifts, строка 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(db + suffix)
			}
			require.NoError(t, os.WriteFile(db, clean, 0o600))
			edit(t, db, tt.edit)
			before := counts(t, db)

			r := runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "9161234567", "--amount", "100.00")
			assert.Equal(t, exitTampered, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.says)
			assert.Contains(t, r.stderr, "ничего не оплачено")
			assert.NotContains(t, r.stdout, "state=")
			assert.Equal(t, before, counts(t, db), "nothing was written")

			r = runCLI(t, nil, "db", "check")
			assert.Equal(t, exitTampered, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.says)
		})
	}
	t.Run("clean books", func(t *testing.T) {
		for _, suffix := range []string{"-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		require.NoError(t, os.WriteFile(db, clean, 0o600))
		r := runCLI(t, nil, "db", "check")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, "seal=ok")
	})
}

func edit(t *testing.T, db, q string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Exec(q)
	require.NoError(t, err)
}

// counts are the rows of the books' main tables.
func counts(t *testing.T, db string) map[string]int {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	require.NoError(t, err)
	defer conn.Close()
	out := map[string]int{}
	for _, tb := range []string{"payments", "audit", "cash_ops", "receipts", "shifts"} {
		var n int
		require.NoError(t, conn.QueryRow("SELECT count(*) FROM "+tb).Scan(&n))
		out[tb] = n
	}
	return out
}

// TestCheckAgainstDeviceAndNetwork holds the training books against the
// emulated fiscal drive and the simulated network, then puts an older copy
// of the books back: the seal holds (it is a true copy), the drive names
// the receipt the copy does not know.
func TestCheckAgainstDeviceAndNetwork(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	kassir := writeFile(t, dir, "kassir.pin", "1111\n")
	manager := writeFile(t, dir, "manager.pin", "222222\n")
	pay := func(number string) {
		r := runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", number, "--amount", "100.00")
		require.Equal(t, 0, r.code, r.stderr)
	}
	r := runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", kassir)
	require.Equal(t, 0, r.code, r.stderr)
	pay("9161234567")
	older := filepath.Join(t.TempDir(), "older.db")
	r = runCLI(t, nil, "db", "backup", older)
	require.Equal(t, 0, r.code, r.stderr)
	pay("9167654321")

	r = runCLI(t, nil, "db", "check", "--device", "--cashier", "kassir", "--pin-file", kassir)
	assert.Equal(t, 1, r.code, "a manager's: %s", r.stderr)
	r = runCLI(t, nil, "db", "check", "--device", "--network", "--cashier", "manager", "--pin-file", manager)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "device_checked=2\ndevice=ok\n")
	assert.Contains(t, r.stdout, "network_checked=2\nnetwork=ok\n")

	db := filepath.Join(dir, "training.db")
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	b, err := os.ReadFile(older)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(db, b, 0o600))
	r = runCLI(t, nil, "db", "check", "--device", "--cashier", "manager", "--pin-file", manager)
	assert.Equal(t, exitTampered, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "seal=ok")
	assert.Regexp(t, `mismatch device fd=\d+ session=: в ФН есть чек ФД \d+ \(приход, 100\.00\), которого нет в базе`, r.stdout)
}

// TestRestoreCLI restores a backup over tampered training books: the till
// starts again, and the receipt printed after the backup is named.
func TestRestoreCLI(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	kassir := writeFile(t, dir, "kassir.pin", "1111\n")
	manager := writeFile(t, dir, "manager.pin", "222222\n")
	r := runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", kassir)
	require.Equal(t, 0, r.code, r.stderr)
	backup := filepath.Join(t.TempDir(), "backup.db")
	r = runCLI(t, nil, "db", "backup", backup)
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "9161234567", "--amount", "100.00")
	require.Equal(t, 0, r.code, r.stderr)
	edit(t, filepath.Join(dir, "training.db"), "UPDATE payments SET amount = 1")

	r = runCLI(t, nil, "db", "restore", backup, "--cashier", "kassir", "--pin-file", kassir)
	assert.Equal(t, 1, r.code, "a manager's: %s", r.stderr)
	r = runCLI(t, nil, "db", "restore", backup, "--cashier", "manager", "--pin-file", manager)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "receipts_after_backup=1\n")
	assert.Regexp(t, `after fd=\d+: после копии касса напечатала чек ФД \d+ \(приход, 100\.00\)`, r.stdout)
	r = runCLI(t, nil, "db", "check")
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, nil, "pending")
	assert.Equal(t, 0, r.code, r.stderr)
}
