package emulator

import (
	"strings"
	"unicode/utf8"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// barcode2D is the register's buffer of 2D-barcode data (DDh loads it
// block by block, DEh prints from it). It is RAM: a power cycle clears it.
type barcode2D struct {
	data   [shtrih.DataBlocks * shtrih.DataBlock]byte
	loaded [shtrih.DataBlocks]bool
}

// names2D are DEh's barcode types (the low bits; bit 6 the footer, bit 7
// the long answer).
var names2D = [4]string{"PDF417", "DATAMATRIX", "AZTEC", "QR"}

// loadData is DDh: data type (0, a 2D barcode's data), block number
// (0..127), then 1 to 64 bytes of data. The protocol gives the block as 64
// bytes; the vendor's OPOS driver sends a shorter last one, so both are
// taken, and the rest of a short block is zeros.
func (e *Emulator) loadData(op int, args []byte) answer {
	if e.st.No2D {
		return fail(fiscal.CodeNotSupported)
	}
	if len(args) < 3 || len(args) > 2+shtrih.DataBlock {
		return fail(fiscal.CodeBadLength)
	}
	kind, block := args[0], int(args[1])
	if kind != 0 || block >= shtrih.DataBlocks {
		return fail(codeBadParams)
	}
	buf := e.b2d.data[block*shtrih.DataBlock : (block+1)*shtrih.DataBlock]
	clear(buf)
	copy(buf, args[2:])
	e.b2d.loaded[block] = true
	return ok(byte(op))
}

// print2D is DEh: barcode type, data length (2 bytes, 1..7089), the first
// block (0..127), five parameters and the alignment (0 left, 1 centre, 2
// right). A QR code's parameters are version (0 auto..40), mask (0..8),
// dot size (3..8), unused, error correction level (0..3). The data must
// have been loaded into every block it spans. The barcode goes on the tape
// as a line "[QR <data>]" (or the other type's name), aligned as asked.
// The long answer of bit 7 (the parameters used and the size in dots) is
// not emulated: such a type is refused (33h).
func (e *Emulator) print2D(op int, args []byte) answer {
	if e.st.No2D {
		return fail(fiscal.CodeNotSupported)
	}
	if len(args) != 10 {
		return fail(fiscal.CodeBadLength)
	}
	kind, n, first := args[0], int(shtrih.Uint(args[1:3])), int(args[3])
	p, align := args[4:9], args[9]
	base := kind &^ 0x40
	switch {
	case base > 3, n < 1 || n > fiscal.MaxQR, first >= shtrih.DataBlocks, align > 2:
		return fail(codeBadParams)
	case first*shtrih.DataBlock+n > len(e.b2d.data):
		return fail(codeBadParams)
	case base == shtrih.Barcode2DQR && (p[0] > 40 || p[1] > 8 || p[2] < 3 || p[2] > 8 || p[4] > 3):
		return fail(codeBadParams)
	}
	for b := first; b*shtrih.DataBlock < first*shtrih.DataBlock+n; b++ {
		if !e.b2d.loaded[b] {
			return fail(codeBadParams)
		}
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	off := first * shtrih.DataBlock
	e.print(e.align2D("["+names2D[base]+" "+text2D(e.b2d.data[off:off+n])+"]", align))
	e.busy(5)
	return ok(byte(op))
}

// text2D renders barcode data for the tape: UTF-8 as it is, anything else
// as windows-1251; control characters dropped.
func text2D(b []byte) string {
	if utf8.Valid(b) {
		return printable(string(b))
	}
	return printable(shtrih.Text(b))
}

func (e *Emulator) align2D(s string, align byte) string {
	w := e.cfg.LineWidth
	switch align {
	case 1:
		return center(s, w)
	case 2:
		if n := utf8.RuneCountInString(s); n < w {
			return strings.Repeat(" ", w-n) + s
		}
	}
	return s
}
