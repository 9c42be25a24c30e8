package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/fiscal"
)

// newestSession reads the SESSION of the newest payment from the books
// alone (no network, no recovery: the next child recovers).
func newestSession(t *testing.T, dir string) string {
	t.Helper()
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = dir
	rt, err := app.OpenBooks(context.Background(), cfg, app.Options{})
	require.NoError(t, err)
	defer rt.Close()
	ps, err := rt.Ledger().Payments(context.Background(), app.Filter{Limit: 1})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	return ps[0].Session
}

// TestCrashThroughTheLife kills a real paydeskctl (SIGKILL) at every new
// step of a payment's life: accepted, failed after its receipt, the refund
// started, the refund made, its slip. Each payment (the training number
// that is accepted, receipted and then fails 7/23) is restarted to its
// end: refunded exactly once; never both kept and refunded, never two
// return receipts; the books, the network and the device agree.
func TestCrashThroughTheLife(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test spawns processes")
	}
	dir := trainingDir(t)
	pin := writeFile(t, dir, "pin", "1111")
	code, _, stderr := child(t, dir, "", "shift", "open", "--cashier", "kassir", "--pin-file", pin)
	require.Equal(t, 0, code, stderr)
	steps := []string{"accepted", "failed", "refund_started", "refunded", "refund_slip"}
	for i, step := range steps {
		at := func(s string) string {
			if s == step {
				return step
			}
			return ""
		}
		amount := "2" + string(rune('0'+i)) + ".00"
		code, _, stderr := child(t, dir, at("accepted"), "pay", "--cashier", "kassir", "--pin-file", pin, "--provider", "mts",
			"--number", "9000000509", "--amount", amount)
		if step == "accepted" {
			assert.Equal(t, -1, code, "killed at accepted: %s", stderr)
		}
		sess := newestSession(t, dir)
		// The resolver settles it: failed 7/23 after its receipt.
		killed := false
		for try := 0; try < 5; try++ {
			code, out, stderr := child(t, dir, at("failed"), "pending", "--resolve")
			if code == -1 {
				killed = true
				continue // killed at failed: the next start decides
			}
			assert.Contains(t, []int{0, 3}, code, "%s %s", out, stderr)
			if code == 0 {
				break
			}
		}
		assert.Equal(t, step == "failed", killed, "killed at failed only when asked")
		code, out, stderr := child(t, dir, "", "refunds", "--cashier", "kassir", "--pin-file", pin)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, out, sess, "step %s: the refund is due", step)
		code, _, stderr = child(t, dir, at(step), "refund", "--session", sess, "--cashier", "kassir", "--pin-file", pin)
		if step == "refund_started" || step == "refunded" || step == "refund_slip" {
			assert.Equal(t, -1, code, "killed at %s: %s", step, stderr)
		}
		// Started again: the refund is decided from the device, never made twice.
		code, out, stderr = child(t, dir, "", "refund", "--session", sess, "--cashier", "kassir", "--pin-file", pin)
		if code == 0 {
			assert.Contains(t, out, "state=refunded", "step %s", step)
		}
		code, out, stderr = child(t, dir, "", "refunds", "--cashier", "kassir", "--pin-file", pin)
		require.Equal(t, 0, code, stderr)
		assert.NotContains(t, out, sess, "step %s: refunded, off the list", step)
	}

	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = dir
	rt, err := app.Boot(context.Background(), cfg, app.Options{Training: training.Start})
	require.NoError(t, err)
	defer rt.Close()
	ps, err := rt.Ledger().Payments(context.Background(), app.Filter{Limit: 100})
	require.NoError(t, err)
	require.Len(t, ps, len(steps))
	for _, p := range ps {
		assert.Equal(t, app.StateRefunded, p.State, "%s", p.Session)
	}
	w := training.Of(rt.World)
	sales, returns := 0, 0
	for _, d := range w.Emulator.State().Docs {
		switch {
		case d.Type != fiscal.DocReceipt:
		case d.Kind == fiscal.SaleReturn:
			returns++
		default:
			sales++
		}
	}
	assert.Equal(t, len(steps), sales, "one sale receipt each")
	assert.Equal(t, len(steps), returns, "one return receipt each, never two")
	rec, err := training.Reconcile(context.Background(), rt.Ledger(), w, training.Balance)
	require.NoError(t, err)
	assert.Empty(t, rec.Mismatches)
	assert.Equal(t, len(steps), rec.Refunded)
}
