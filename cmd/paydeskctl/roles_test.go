package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCommandChecksTheRole runs each paydeskctl command that moves
// money, reveals the books or changes rights as nobody (no PIN), a cashier,
// a manager and an administrator: the roles not allowed are refused and
// the books (rows and audit but sign-ins) are as they were.
func TestEveryCommandChecksTheRole(t *testing.T) {
	dir := trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	pins := map[string]string{
		"kassir":  writeFile(t, dir, "kassir.pin", "1111\n"),
		"manager": writeFile(t, dir, "manager.pin", "222222\n"),
		"admin":   writeFile(t, dir, "admin.pin", "999999\n"),
		"nobody":  writeFile(t, dir, "nobody.pin", "000000\n"),
	}
	newPIN := writeFile(t, dir, "new.pin", "4444\n")
	r := runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", pins["kassir"])
	require.Equal(t, 0, r.code, r.stderr)
	db := filepath.Join(dir, "training.db")

	rank := map[string]int{"nobody": 0, "kassir": 1, "manager": 2, "admin": 3}
	cmds := []struct {
		args []string
		need int // the least rank allowed
		as   string
	}{
		{[]string{"pay", "--provider", "mts", "--number", "9161234567", "--amount", "10.00"}, 1, "--cashier"},
		{[]string{"shift", "x"}, 1, "--cashier"},
		{[]string{"cash", "in", "10.00"}, 1, "--cashier"},
		{[]string{"cash", "out", "10.00"}, 2, "--cashier"},
		{[]string{"pending"}, 1, "--cashier"},
		{[]string{"refunds"}, 1, "--cashier"},
		{[]string{"disputes"}, 2, "--cashier"},
		{[]string{"report", "commission"}, 2, "--cashier"},
		{[]string{"report", "shift"}, 2, "--cashier"},
		{[]string{"db", "check", "--device"}, 2, "--cashier"},
		{[]string{"cashier", "unlock", "--login", "kassir"}, 2, "--cashier"},
		{[]string{"cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--pin-file", newPIN}, 3, "--admin"},
		{[]string{"shift", "close", "--counted", "0.00"}, 2, "--cashier"},
	}
	for _, c := range cmds {
		for _, who := range []string{"nobody", "kassir", "manager", "admin"} {
			allowed := rank[who] >= c.need
			if allowed && who != "admin" {
				continue // the administrator acts for the roles allowed
			}
			pinFlag := "--pin-file"
			if c.as == "--admin" {
				pinFlag = "--admin-pin-file"
			}
			t.Run(strings.Join(c.args[:min(2, len(c.args))], " ")+" as "+who, func(t *testing.T) {
				before := bookCounts(t, db)
				r := runCLI(t, nil, append(append([]string{}, c.args...), c.as, who, pinFlag, pins[who])...)
				refused := strings.Contains(r.stderr, "может сделать только") || strings.Contains(r.stderr, "Неверный логин или PIN")
				if allowed {
					assert.False(t, refused, r.stderr)
					return
				}
				assert.Equal(t, exitFailed, r.code, r.stdout+r.stderr)
				assert.True(t, refused, r.stderr)
				assert.Equal(t, before, bookCounts(t, db), "nothing changed")
			})
		}
	}
}

// bookCounts counts the rows of the books a command could change, sign-ins
// left out of the audit.
func bookCounts(t *testing.T, db string) map[string]int {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	require.NoError(t, err)
	defer conn.Close()
	out := map[string]int{}
	for name, q := range map[string]string{
		"payments": "SELECT count(*) + coalesce(sum(version), 0) FROM payments",
		"shifts":   "SELECT count(*) + count(closed_at) FROM shifts",
		"cash_ops": "SELECT count(*) FROM cash_ops",
		"cashiers": "SELECT count(*) + coalesce(sum(failed_pins), 0) FROM cashiers",
		"audit":    "SELECT count(*) FROM audit WHERE action NOT IN ('signin', 'signin.failed')",
	} {
		var n int
		require.NoError(t, conn.QueryRow(q).Scan(&n), q)
		out[name] = n
	}
	return out
}
