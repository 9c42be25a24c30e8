package shtrih_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// lookupURL is a hub's look-up address as the slip carries it: over one
// 64-byte block.
const lookupURL = "https://hub.example.ru/p/P1/12345678901234567890?c=0123456789abcdef0123456789abcd"

// qrLines are the tape's QR code lines of data.
func qrLines(h *harness, data string) int {
	n := 0
	for _, l := range h.emu.Tape() {
		if strings.TrimSpace(l) == "[QR "+data+"]" {
			n++
		}
	}
	return n
}

// TestPrintQR prints QR codes over a pty and over TCP: the look-up address
// (two DDh blocks and one DEh), the longest the protocol takes (111
// blocks), between two text lines in that order.
func TestPrintQR(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			h := newHarness(t, tr)
			c := ctx(t)
			require.NoError(t, h.dev.PrintText(c, []string{"Проверить платёж:"}))
			require.NoError(t, h.dev.PrintQR(c, []byte(lookupURL)))
			require.NoError(t, h.dev.PrintText(c, []string{"после"}))
			tape := h.emu.Tape()
			require.Len(t, tape, 3)
			assert.Equal(t, "Проверить платёж:", tape[0])
			assert.Equal(t, "[QR "+lookupURL+"]", strings.TrimSpace(tape[1]))
			assert.Equal(t, "после", tape[2])
			assert.Equal(t, 2, h.emu.Executed(shtrih.CmdLoadData))
			assert.Equal(t, 1, h.emu.Executed(shtrih.CmdPrint2D))

			long := strings.Repeat("0123456789", fiscal.MaxQR/10) + "012345678"
			require.Len(t, long, fiscal.MaxQR)
			require.NoError(t, h.dev.PrintQR(c, []byte(long)))
			assert.Equal(t, 1, qrLines(h, long))
			assert.Equal(t, 2+111, h.emu.Executed(shtrih.CmdLoadData))
		})
	}
}

// TestPrintQRRefused: data the protocol cannot carry is refused before
// anything is sent (KindProgram); a register without paper answers 6Bh
// before anything is loaded; a firmware without DDh/DEh answers 37h, and
// the driver asks it no more.
func TestPrintQRRefused(t *testing.T) {
	h := newHarness(t, "tcp")
	c := ctx(t)
	for _, data := range [][]byte{nil, make([]byte, fiscal.MaxQR+1)} {
		err := h.dev.PrintQR(c, data)
		require.Error(t, err)
		assert.Equal(t, fiscal.KindProgram, fiscal.KindOf(err))
		assert.True(t, strings.HasPrefix(err.Error(), "shtrih: print qr: "), err.Error())
	}
	h.emu.SetPaper(false)
	err := h.dev.PrintQR(c, []byte(lookupURL))
	assert.Equal(t, fiscal.CodeNoPaper, fiscal.CodeOf(err))
	assert.Equal(t, fiscal.KindOperator, fiscal.KindOf(err))
	assert.Zero(t, h.emu.Executed(shtrih.CmdLoadData))
	h.emu.SetPaper(true)

	require.Equal(t, "ok", h.emu.Control("barcode-2d off"))
	for range 2 {
		err = h.dev.PrintQR(c, []byte(lookupURL))
		require.Error(t, err)
		assert.True(t, fiscal.Unsupported(err), err.Error())
	}
	assert.Equal(t, 1, h.emu.Executed(shtrih.CmdLoadData), "asked once")
	assert.Zero(t, h.emu.Executed(shtrih.CmdPrint2D))
	assert.Empty(t, h.emu.Tape())
}

// TestPrintQRFaults prints the look-up address under the link faults the
// emulator injects into DDh and DEh: an answer garbled, lost or late is
// read again (ENQ), never the command sent again; power lost after DEh
// leaves the code printed once and the outcome a KindLink error; power
// lost during the loading prints nothing.
func TestPrintQRFaults(t *testing.T) {
	tests := []struct {
		fault emulator.Fault
		cmd   shtrih.Cmd
		// printed is how many codes the tape has after the call; failed
		// that the call fails (KindLink).
		printed int
		failed  bool
	}{
		{fault: emulator.FaultNAK, cmd: shtrih.CmdLoadData, printed: 1},
		{fault: emulator.FaultGarble, cmd: shtrih.CmdLoadData, printed: 1},
		{fault: emulator.FaultLoseACK, cmd: shtrih.CmdLoadData, printed: 1},
		{fault: emulator.FaultNAK, cmd: shtrih.CmdPrint2D, printed: 1},
		{fault: emulator.FaultGarble, cmd: shtrih.CmdPrint2D, printed: 1},
		{fault: emulator.FaultLoseACK, cmd: shtrih.CmdPrint2D, printed: 1},
		{fault: emulator.FaultSlow, cmd: shtrih.CmdPrint2D, printed: 1},
		{fault: emulator.FaultPowerLoss, cmd: shtrih.CmdPrint2D, printed: 1, failed: true},
		{fault: emulator.FaultPowerLossBefore, cmd: shtrih.CmdPrint2D, printed: 0, failed: true},
		{fault: emulator.FaultPowerLoss, cmd: shtrih.CmdLoadData, printed: 0, failed: true},
	}
	for _, tr := range transports {
		for _, tt := range tests {
			t.Run(tr+"/"+tt.fault.String()+"/"+tt.cmd.String(), func(t *testing.T) {
				h := newHarness(t, tr)
				h.emu.Arm(tt.fault, tt.cmd)
				err := h.dev.PrintQR(ctx(t), []byte(lookupURL))
				if tt.failed {
					require.Error(t, err)
					assert.Equal(t, fiscal.KindLink, fiscal.KindOf(err))
					assert.True(t, strings.HasPrefix(err.Error(), "shtrih: print qr: "), err.Error())
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, tt.printed, qrLines(h, lookupURL))
				assert.LessOrEqual(t, h.emu.Executed(shtrih.CmdPrint2D), 1, "DEh never sent twice")
				if tt.cmd == shtrih.CmdLoadData && tt.failed {
					assert.Zero(t, h.emu.Executed(shtrih.CmdPrint2D), "nothing printed from a half-loaded buffer")
				}
				// The register goes on: the next code prints.
				require.NoError(t, h.dev.PrintQR(ctx(t), []byte("next")))
				assert.Equal(t, 1, qrLines(h, "next"))
			})
		}
	}
}
