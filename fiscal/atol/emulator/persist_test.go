package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStateFile: a restarted register is the same register: shift,
// journal with its tags, drawer, registration; the task buffer and the
// mode are lost as in a power cycle; the tape file keeps what was printed.
func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{StatePath: filepath.Join(dir, "atol.json"), TapePath: filepath.Join(dir, "tape.txt")}
	initial := newState()
	initial.Reg.INN = "7701234567"
	cfg.Initial = &initial
	e, err := Open(cfg)
	require.NoError(t, err)
	e.mu.Lock()
	for _, c := range [][]byte{
		cmd(CmdEnterMode, 1, 0, 0, 0, 0x30), writeTag(TagPrint, 1, 0, tlv(1021, 'K')), cmd(CmdOpenShift, 0),
		cmd(CmdCashIn, 0, 0, 0, 0, 0x50, 0x00),
		cmd(CmdOpenReceipt, 0, 1), begin(), writeTag(TagPrint, 1, 0, tlv(1222, 8)), item("A"),
	} {
		require.Zero(t, code(e.run(c)), "% X", c)
		e.persist()
	}
	e.mu.Unlock()
	before := e.State()
	require.NoError(t, e.Close())

	e2, err := Open(cfg)
	require.NoError(t, err)
	defer e2.Close()
	after := e2.State()
	assert.Equal(t, ModeSelect, after.Mode, "a restart leaves the mode")
	assert.True(t, after.ShiftOpen)
	assert.Equal(t, before.Docs[0].Tags, after.Docs[0].Tags)
	assert.Equal(t, int64(5000), after.Cash)
	assert.Equal(t, "7701234567", after.Reg.INN, "the initial registration, kept")
	require.NotNil(t, after.Receipt, "the receipt left open is still open")
	assert.Equal(t, before.Receipt.Lines, after.Receipt.Lines)
	tape, err := os.ReadFile(cfg.TapePath)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(tape), "ОТЧЁТ ОБ ОТКРЫТИИ СМЕНЫ 1\nКАССИР K\nВНЕСЕНИЕ 50.00\n"), "%s", tape)

	require.Equal(t, "ok", e2.Control("fn-expire 3"))
	e3, err := Open(cfg)
	require.NoError(t, err)
	defer e3.Close()
	assert.True(t, e2.State().FNExpires.Equal(e3.State().FNExpires), "a control command is saved too")

	require.NoError(t, os.WriteFile(cfg.StatePath, []byte("{not json"), 0o600))
	_, err = Open(cfg)
	assert.ErrorContains(t, err, "atol.json")
}
