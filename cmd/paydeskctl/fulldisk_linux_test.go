//go:build linux

package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/fiscal"
)

// TestFullDisk fills the disk under a real paydeskctl pay at two moments:
// its file size limit (RLIMIT_FSIZE, the kernel's own refusal of a write
// past it) is lowered to just past the books' write-ahead log once the
// payment reaches a state, so the books' next write fails as it does on a
// full disk (SQLite: "database or disk is full"). The training number
// 9000000100 answers every request 5 s late, which leaves the moment to
// do it. Before pay left the till, pay says state=not-sent and exits 5
// (safe to retry); with pay in flight, it says pending and exits 3, never
// 1, and the next start, the disk freed, finds the payment paid with one
// receipt and one payment at the network.
func TestFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	tests := []struct {
		name   string
		at     []string // the states at which the disk fills
		state  string
		code   int
		paidAt int // payments the network took
	}{
		{"before pay", []string{"entered", "number_checked"}, "not-sent", exitNotSent, 0},
		{"pay in flight", []string{"pay_sent"}, "pending", exitNoAnswer, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := trainingDir(t)
			pin := writeFile(t, dir, "pin", "1111")
			code, _, stderr := child(t, dir, "", "shift", "open", "--cashier", "kassir", "--pin-file", pin)
			require.Equal(t, 0, code, stderr)
			db := filepath.Join(dir, "training.db")

			cmd := exec.Command(os.Args[0], "pay", "--cashier", "kassir", "--pin-file", pin, "--provider", "mts",
				"--number", "9000000100", "--amount", "100.00")
			cmd.Env = append(os.Environ(), "PAYDESKCTL_AS_MAIN=1", "PAYDESK_DATA_DIR="+dir, "PAYDESK_CONFIG=",
				"XDG_CONFIG_HOME="+dir, "PAYDESK_TEST_KILL_AT=")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			require.NoError(t, cmd.Start())
			waitState(t, db, tt.at)
			wal, err := os.Stat(db + "-wal")
			require.NoError(t, err)
			limit := uint64(wal.Size()) // no write past what the log holds
			require.NoError(t, unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: limit, Max: limit}, nil))
			err = cmd.Wait()
			var ee *exec.ExitError
			code = 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			assert.Equal(t, tt.code, code, "%s\n%s", out.String(), errb.String())
			assert.Contains(t, out.String(), "state="+tt.state+"\n")
			assert.Contains(t, errb.String(), "На диске нет места", "the cause is said")

			// The disk freed, the next start settles the payment.
			code, o, stderr := child(t, dir, "", "pending", "--resolve")
			assert.Contains(t, []int{0, 3}, code, "%s %s", o, stderr)
			cfg, err := config.Load("")
			require.NoError(t, err)
			cfg.DataDir = dir
			rt, err := app.Boot(context.Background(), cfg, app.Options{Training: training.Start})
			require.NoError(t, err)
			defer rt.Close()
			w := training.Of(rt.World)
			ps, err := rt.Ledger().Payments(context.Background(), app.Filter{Limit: 10})
			require.NoError(t, err)
			require.Len(t, ps, 1)
			assert.Equal(t, tt.paidAt, w.Sim.Committed(ps[0].Session), "payments the network took")
			receipts := 0
			for _, d := range w.Emulator.State().Docs {
				if d.Type == fiscal.DocReceipt {
					receipts++
				}
			}
			if tt.paidAt == 1 {
				assert.Equal(t, app.StatePaid, ps[0].State)
				assert.Equal(t, app.FiscalDone, ps[0].FiscalState)
			} else {
				assert.NotEqual(t, app.StatePaid, ps[0].State)
			}
			assert.Equal(t, tt.paidAt, receipts, "one receipt for a paid payment, none else")
			_, err = rt.Ledger().VerifyAudit(context.Background())
			require.NoError(t, err)
		})
	}
}

// waitState waits until the newest payment of the books is in one of the
// states.
func waitState(t *testing.T, db string, states []string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	require.NoError(t, err)
	defer conn.Close()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var s string
		if conn.QueryRow("SELECT state FROM payments ORDER BY id DESC LIMIT 1").Scan(&s) == nil {
			for _, want := range states {
				if s == want {
					return
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	var s string
	conn.QueryRow("SELECT state FROM payments ORDER BY id DESC LIMIT 1").Scan(&s)
	t.Fatalf("the payment never reached %v: %s", states, s)
}
