package atol_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/atol/emulator"
)

// TestPrintQR: the ATOL driver prints a QR code with C1h, centred, in the
// registration mode; what it cannot send is refused before anything goes
// out, and a lost answer is never sent again.
func TestPrintQR(t *testing.T) {
	const url = "https://hub.example.ru/p/P1/1"
	tests := []struct {
		name    string
		control string
		fault   emulator.Fault
		data    []byte
		kind    fiscal.Kind
		unsupp  bool
		sent    int // C1h commands the register received
		tape    string
	}{
		{"a look-up address", "", 0, []byte(url), 0, false, 1, "[QR " + url + "]"},
		{"100 bytes", "", 0, []byte(strings.Repeat("7", 100)), 0, false, 1, "[QR " + strings.Repeat("7", 100) + "]"},
		{"101 bytes", "", 0, []byte(strings.Repeat("7", 101)), fiscal.KindProgram, true, 0, ""},
		{"empty", "", 0, nil, fiscal.KindProgram, false, 0, ""},
		{"longer than any register's", "", 0, make([]byte, fiscal.MaxQR+1), fiscal.KindProgram, false, 0, ""},
		{"a firmware without C1h", "qr off", 0, []byte(url), fiscal.KindProgram, true, 1, ""},
		{"power cut after the print", "", emulator.FaultPowerLossAfter, []byte(url), fiscal.KindLink, false, 1, "[QR " + url + "]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "tcp")
			ctx := context.Background()
			if tt.control != "" {
				require.Equal(t, "ok", r.emu.Control(tt.control))
			}
			if tt.fault != 0 {
				r.emu.Arm(tt.fault, emulator.CmdBarcode)
			}
			q, ok := r.reg.(fiscal.QRPrinter)
			require.True(t, ok)
			err := q.PrintQR(ctx, tt.data)
			assert.Equal(t, tt.sent, r.emu.Executed(emulator.CmdBarcode))
			if tt.tape != "" {
				tape := r.emu.Tape()
				require.NotEmpty(t, tape)
				assert.Equal(t, tt.tape, strings.TrimSpace(tape[len(tape)-1]))
			} else {
				for _, l := range r.emu.Tape() {
					assert.NotContains(t, l, "[QR")
				}
			}
			if tt.kind == 0 {
				require.NoError(t, err)
				return
			}
			var fe *fiscal.Error
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tt.kind, fe.Kind, "%v", err)
			assert.Equal(t, "print qr", fe.Op)
			assert.Equal(t, tt.unsupp, fiscal.Unsupported(err), "%v", err)
			if tt.control == "qr off" {
				require.True(t, fiscal.Unsupported(q.PrintQR(ctx, tt.data)))
				assert.Equal(t, 1, r.emu.Executed(emulator.CmdBarcode), "remembered: nothing sent again")
			}
			if tt.fault != 0 {
				_, err := r.reg.Status(ctx)
				require.NoError(t, err, "the register stays connected")
				assert.Equal(t, 1, r.emu.Executed(emulator.CmdBarcode), "never sent again")
			}
		})
	}
}
