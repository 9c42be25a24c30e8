package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	atolemu "paydesk/fiscal/atol/emulator"
)

// TestKKMCommandsATOL: every kkm command runs on an ATOL register with
// --driver atol, through the same fiscal.Register as on Shtrih, and says
// the register's own codes.
func TestKKMCommandsATOL(t *testing.T) {
	ctx := t.Context()
	emu := atolemu.New(atolemu.Config{Now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }})
	t.Cleanup(func() { emu.Close() })
	addr, err := emu.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	port := "tcp://" + addr.String()
	on := func(args ...string) []string { return append(args, "--driver", "atol", "--port", port) }
	tests := []struct {
		args []string
		code int
		out  string // in stdout for code 0, in stderr otherwise
	}{
		{on("kkm", "status"), 0, "shift: closed\n"},
		{on("kkm", "status"), 0, "ffd=1.2 inn=7700000000 rnm=0000000001012345 agent=agent+subagent tax_systems=osn+usn auto=false"},
		{on("kkm", "open-shift"), 0, "shift opened"},
		{on("kkm", "open-shift"), 1, "9Ch"},
		{on("kkm", "cash-in", "100.50"), 0, "cash in 100.50"},
		{on("kkm", "cash-out", "99999"), 1, "device code 98h"},
		{on("kkm", "cash-out", "0,5"), 0, "cash out 0.50"},
		{on("kkm", "x-report"), 0, "X report printed"},
		{on("kkm", "print-test"), 0, "test printed"},
		{on("kkm", "continue"), 0, "printing continued"},
		{on("kkm", "cancel-receipt"), 1, "9Ah"},
		{on("kkm", "status"), 0, "shift: open\nshift number: 1\n"},
		{on("kkm", "copy", "1"), 0, "КОПИЯ"},
		{on("kkm", "copy", "7"), 1, "DAh"},
		{on("kkm", "z-report"), 0, "shift closed"},
		{[]string{"kkm", "status", "--driver", "epson", "--port", port}, 2, `--driver "epson": want atol or shtrih`},
	}
	for _, tt := range tests {
		r := kkmRun(ctx, tt.args...)
		assert.Equal(t, tt.code, r.code, "%v: %s%s", tt.args, r.stdout, r.stderr)
		if tt.code == 0 {
			assert.Contains(t, r.stdout, tt.out, "%v", tt.args)
		} else {
			assert.Contains(t, r.stderr, tt.out, "%v", tt.args)
		}
	}
	st := emu.State()
	assert.Equal(t, int64(10000), st.Cash)
	assert.False(t, st.ShiftOpen)
	require.Len(t, st.Docs, 2)
	assert.Contains(t, emu.Tape(), "ПРОВЕРКА ПЕЧАТИ / PRINT TEST")
}
