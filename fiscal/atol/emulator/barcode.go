package emulator

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"paydesk/fiscal/atol/wire"
)

// CmdBarcode is C1h «Печать штрих-кода»: type, alignment, width, version
// (2), options (2), correction, rows, columns, two proportions (2 each),
// then the data (docs/atol.md §4, "Barcodes").
const CmdBarcode byte = 0xC1

// barcodeHeader is C1h's bytes before the data.
const barcodeHeader = 14

// maxQRData is the most data bytes one C1h carries for a QR code.
const maxQRData = 100

// barcode runs C1h for a QR code whose data is all in the command (type
// 0): the code goes on the tape as a line "[QR <data>]", aligned as asked
// (1 left, 2 centre, 3 right). Other barcode types and data continued in
// C2h (type bit 7) are not emulated (7Ah); a firmware set with "qr off"
// has no such command (F2h).
func (e *Emulator) barcode(d []byte) []byte {
	st := &e.st
	switch {
	case st.NoQR:
		return fail(errNoCommand)
	case len(d) < barcodeHeader+1 || len(d) > barcodeHeader+maxQRData:
		return fail(errBadLength)
	case d[0] != 0:
		return fail(errNotSupported)
	case d[1] < 1 || d[1] > 3 || d[2] == 0:
		return fail(errFNBadParam)
	case st.Mode != ModeRegistration:
		return fail(errBadMode)
	case !st.Paper:
		return fail(errNoPaper)
	}
	line := "[QR " + printable(d[barcodeHeader:]) + "]"
	if n := utf8.RuneCountInString(line); n < lineWidth {
		switch d[1] {
		case 2:
			line = strings.Repeat(" ", (lineWidth-n)/2) + line
		case 3:
			line = strings.Repeat(" ", lineWidth-n) + line
		}
	}
	e.print("%s", line)
	return ok()
}

// lineWidth is the tape's width in characters (57 mm).
const lineWidth = 32

// printable is barcode data for the tape: UTF-8 as it is, else as the
// register's text; a control character as \xNN, so that a byte the
// driver put in the data by mistake shows.
func printable(b []byte) string {
	s := string(b)
	if !utf8.Valid(b) {
		s = wire.FromText(b)
	}
	var out strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7F {
			fmt.Fprintf(&out, "\\x%02X", r)
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}
