package emulator_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// de builds DEh's parameters after the password.
func de(kind byte, n int, first byte, p1, p2, p3, p4, p5, align byte) []byte {
	return append(append([]byte{kind}, shtrih.PutUint(nil, uint64(n), 2)...), first, p1, p2, p3, p4, p5, align)
}

func dd(kind, block byte, data string) []byte { return append([]byte{kind, block}, data...) }

// TestBarcode2D loads 2D-barcode data with DDh and prints it with DEh: the
// arguments are checked (length 7Eh, values 33h, no data loaded 33h, paper
// 6Bh), and a barcode prints as a "[QR …]" line aligned as asked.
func TestBarcode2D(t *testing.T) {
	now := t0
	e := newEmu(t, t.TempDir(), &now)
	defer e.Close()
	url := "https://hub.example.ru/p/P1/" + strings.Repeat("7", 20) + "?c=" + strings.Repeat("a", 40)
	require.Greater(t, len(url), shtrih.DataBlock, "two blocks")

	tests := []struct {
		name string
		cmd  shtrih.Cmd
		args []byte
		code fiscal.Code
	}{
		{"load: no block number", shtrih.CmdLoadData, []byte{0}, fiscal.CodeBadLength},
		{"load: no data", shtrih.CmdLoadData, []byte{0, 0}, fiscal.CodeBadLength},
		{"load: a block over 64 bytes", shtrih.CmdLoadData, dd(0, 0, strings.Repeat("x", 65)), fiscal.CodeBadLength},
		{"load: data type 1", shtrih.CmdLoadData, dd(1, 0, "x"), 0x33},
		{"load: block 128", shtrih.CmdLoadData, dd(0, 128, "x"), 0x33},
		{"print: nothing loaded", shtrih.CmdPrint2D, de(3, 10, 5, 0, 0, 4, 0, 1, 1), 0x33},
		{"load: block 0", shtrih.CmdLoadData, shtrih.LoadDataArgs(0, 0, []byte(url[:64]))[4:], 0},
		{"print: block 1 not loaded", shtrih.CmdPrint2D, de(3, len(url), 0, 0, 0, 4, 0, 1, 1), 0x33},
		{"load: block 1, short", shtrih.CmdLoadData, dd(0, 1, url[64:]), 0},
		{"print: short", shtrih.CmdPrint2D, de(3, len(url), 0, 0, 0, 4, 0, 1, 1)[:9], fiscal.CodeBadLength},
		{"print: type 4", shtrih.CmdPrint2D, de(4, len(url), 0, 0, 0, 4, 0, 1, 1), 0x33},
		{"print: long answer not emulated", shtrih.CmdPrint2D, de(0x83, len(url), 0, 0, 0, 4, 0, 1, 1), 0x33},
		{"print: length 0", shtrih.CmdPrint2D, de(3, 0, 0, 0, 0, 4, 0, 1, 1), 0x33},
		{"print: length 7090", shtrih.CmdPrint2D, de(3, 7090, 0, 0, 0, 4, 0, 1, 1), 0x33},
		{"print: past the buffer", shtrih.CmdPrint2D, de(3, 100, 127, 0, 0, 4, 0, 1, 1), 0x33},
		{"print: version 41", shtrih.CmdPrint2D, de(3, len(url), 0, 41, 0, 4, 0, 1, 1), 0x33},
		{"print: mask 9", shtrih.CmdPrint2D, de(3, len(url), 0, 0, 9, 4, 0, 1, 1), 0x33},
		{"print: dot size 2", shtrih.CmdPrint2D, de(3, len(url), 0, 0, 0, 2, 0, 1, 1), 0x33},
		{"print: dot size 9", shtrih.CmdPrint2D, de(3, len(url), 0, 0, 0, 9, 0, 1, 1), 0x33},
		{"print: level 4", shtrih.CmdPrint2D, de(3, len(url), 0, 0, 0, 4, 0, 4, 1), 0x33},
		{"print: alignment 3", shtrih.CmdPrint2D, de(3, len(url), 0, 0, 0, 4, 0, 1, 3), 0x33},
		{"print", shtrih.CmdPrint2D, shtrih.PrintQRArgs(0, len(url))[4:], 0},
		{"print: a prefix, left, in the footer", shtrih.CmdPrint2D, de(0x43, 22, 0, 0, 0, 3, 0, 0, 0), 0},
		{"print: a prefix, right", shtrih.CmdPrint2D, de(3, 22, 0, 0, 0, 3, 0, 0, 2), 0},
		{"print: a prefix, centred", shtrih.CmdPrint2D, de(3, 22, 0, 0, 0, 3, 0, 0, 1), 0},
	}
	for _, tt := range tests {
		code, data := exec(t, e, tt.cmd, pw(30), tt.args)
		assert.Equal(t, tt.code, code, tt.name)
		if tt.code == 0 {
			assert.Equal(t, []byte{30}, data, "%s: the operator", tt.name)
		}
	}
	tape := e.Tape()
	short := "[QR https://hub.example.ru]"
	require.Equal(t, []string{"[QR " + url + "]", short, strings.Repeat(" ", 48-len(short)) + short,
		strings.Repeat(" ", (48-len(short))/2) + short}, tape, "the barcodes printed, nothing for the refusals")

	// Paper out refuses the print; a power cycle empties the buffer.
	e.SetPaper(false)
	code, _ := exec(t, e, shtrih.CmdPrint2D, pw(30), shtrih.PrintQRArgs(0, len(url))[4:])
	assert.Equal(t, fiscal.CodeNoPaper, code)
	e.SetPaper(true)
	e.PowerCycle()
	code, _ = exec(t, e, shtrih.CmdPrint2D, pw(30), shtrih.PrintQRArgs(0, len(url))[4:])
	assert.Equal(t, fiscal.Code(0x33), code, "the buffer is RAM")
	code, _ = exec(t, e, shtrih.CmdLoadData, []byte{9, 9, 9, 9}, dd(0, 0, "x"))
	assert.Equal(t, fiscal.CodeBadPassword, code)

	// A firmware without the commands.
	require.Equal(t, "ok", e.Control("barcode-2d off"))
	code, _ = exec(t, e, shtrih.CmdLoadData, pw(30), dd(0, 0, "x"))
	assert.Equal(t, fiscal.CodeNotSupported, code)
	code, _ = exec(t, e, shtrih.CmdPrint2D, pw(30), shtrih.PrintQRArgs(0, 1)[4:])
	assert.Equal(t, fiscal.CodeNotSupported, code)
	require.Equal(t, "ok", e.Control("barcode-2d on"))
	code, _ = exec(t, e, shtrih.CmdLoadData, pw(30), dd(0, 0, "x"))
	assert.Zero(t, code)
	assert.Len(t, e.Tape(), 4)
}
