package emulator

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func qr(typ, align, width byte, data string) []byte {
	return cmd(CmdBarcode, append([]byte{typ, align, width, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, data...)...)
}

// TestBarcode: C1h prints a QR code on the tape in the registration mode
// and refuses what it does not emulate or cannot print.
func TestBarcode(t *testing.T) {
	e := New(Config{})
	defer e.Close()
	e.mu.Lock()
	defer e.mu.Unlock()
	assert.Equal(t, errBadMode, code(e.run(qr(0, 2, 4, "x"))), "outside the registration mode")
	require.Zero(t, code(e.run(cmd(CmdEnterMode, 1, 0, 0, 0, 0x30))))
	tests := []struct {
		name string
		cmd  []byte
		want byte
		tape string
	}{
		{"centred", qr(0, 2, 4, "https://hub.example.ru/p/P1/1"), 0, "[QR https://hub.example.ru/p/P1/1]"},
		{"centred, short", qr(0, 2, 4, "abc"), 0, strings.Repeat(" ", 12) + "[QR abc]"},
		{"left", qr(0, 1, 8, "abc"), 0, "[QR abc]"},
		{"right", qr(0, 3, 1, "abc"), 0, strings.Repeat(" ", 24) + "[QR abc]"},
		{"a control byte shows", qr(0, 1, 4, "a\x00b"), 0, `[QR a\x00b]`},
		{"no data", qr(0, 2, 4, ""), errBadLength, ""},
		{"101 bytes", qr(0, 2, 4, strings.Repeat("a", 101)), errBadLength, ""},
		{"continued in C2h", qr(0x80, 2, 4, "abc"), errNotSupported, ""},
		{"EAN-13", qr(1, 2, 4, "4601234567890"), errNotSupported, ""},
		{"bad alignment", qr(0, 0, 4, "abc"), errFNBadParam, ""},
		{"no width", qr(0, 2, 0, "abc"), errFNBadParam, ""},
	}
	for _, tt := range tests {
		n := len(e.tape)
		assert.Equal(t, tt.want, code(e.run(tt.cmd)), tt.name)
		if tt.tape == "" {
			assert.Len(t, e.tape, n, tt.name)
			continue
		}
		require.Len(t, e.tape, n+1, tt.name)
		assert.Equal(t, tt.tape, e.tape[n], tt.name)
	}
	e.st.Paper = false
	assert.Equal(t, errNoPaper, code(e.run(qr(0, 2, 4, "x"))))
	e.st.Paper, e.st.NoQR = true, true
	assert.Equal(t, errNoCommand, code(e.run(qr(0, 2, 4, "x"))))
}
