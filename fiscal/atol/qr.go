package atol

import (
	"context"
	"fmt"

	"paydesk/fiscal"
)

// C1h «Печать штрих-кода» (docs/atol.md §4, "Barcodes"): barcode type
// (low nibble 0: QR; bit 7: more data follows in C2h), alignment (1 left,
// 2 centre, 3 right), module width, version (2, 0: the smallest that holds
// the data), options (2), error correction, rows, columns, barcode
// proportions (2), pixel proportions (2) (the last four 0 for a QR code),
// then the data, at most 100 bytes for a QR code in one command.
const (
	cmdBarcode byte = 0xC1
	// qrType is a QR code whose data is all in C1h.
	qrType byte = 0x00
	// qrCentre centres the code on the tape.
	qrCentre byte = 2
	// qrWidth is the module width in dots: [K] sends 1, [C] 8; 4 dots of
	// an 8-dot/mm head make a 0.5 mm module, as the Shtrih driver prints.
	qrWidth byte = 4
	// MaxQR is the most bytes of a QR code the driver prints: what one
	// C1h carries. Longer data would go on in C2h, whose flag's meaning
	// the sources do not settle (docs/atol.md §4).
	MaxQR = 100
	// qrHeader is C1h's bytes before the data.
	qrHeader = 14
)

var _ fiscal.QRPrinter = (*Driver)(nil)

// PrintQR prints data as a QR code (C1h, in the registration mode, as
// Crystals prints it). Data longer than MaxQR is refused as
// fiscal.ErrNotSupported before anything is sent. A lost answer is
// reported (KindLink) and never sent again. A register that answers 7Ah
// or F2h (no such command) is remembered: later calls answer the same
// without sending anything.
func (d *Driver) PrintQR(ctx context.Context, data []byte) error {
	const op = "print qr"
	if len(data) == 0 || len(data) > fiscal.MaxQR {
		return &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("atol: a QR code of %d bytes: 1 to %d", len(data), fiscal.MaxQR)}
	}
	if len(data) > MaxQR {
		return &fiscal.Error{Op: op, Cmd: uint16(cmdBarcode), Kind: fiscal.KindProgram, Code: CodeNotSupported, Text: Msg(CodeNotSupported),
			Err: fmt.Errorf("%w: atol: a QR code of %d bytes: C1h carries %d (docs/atol.md §4)", fiscal.ErrNotSupported, len(data), MaxQR)}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.noQR {
		return &fiscal.Error{Op: op, Cmd: uint16(cmdBarcode), Kind: fiscal.KindProgram, Code: CodeNotSupported, Text: Msg(CodeNotSupported),
			Err: fmt.Errorf("%w: atol: the register has no C1h", fiscal.ErrNotSupported)}
	}
	if err := d.enter(ctx, op, modeRegistration); err != nil {
		return err
	}
	cmd := make([]byte, 0, qrHeader+len(data))
	// version (2), options (2), level, rows, columns, the proportions (2, 2)
	cmd = append(cmd, qrType, qrCentre, qrWidth, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	_, err := d.run(ctx, op, cmdBarcode, append(cmd, data...)...)
	if fiscal.Unsupported(err) {
		d.noQR = true
	}
	return err
}
