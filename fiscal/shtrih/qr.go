package shtrih

import (
	"context"
	"fmt"

	"paydesk/fiscal"
)

// The 2D-barcode commands (docs/fiscal.md, "2D barcodes").
const (
	// CmdLoadData is DDh «Загрузка данных»: one block of a 2D barcode's data.
	CmdLoadData Cmd = 0xDD
	// CmdPrint2D is DEh «Печать многомерного штрих-кода»: print the
	// barcode of the data loaded from a block on.
	CmdPrint2D Cmd = 0xDE
)

// 2D-barcode parameters.
const (
	// DataBlock is the size of a DDh block.
	DataBlock = 64
	// DataBlocks is how many blocks the register numbers (0..127).
	DataBlocks = 128
	// Barcode2DQR is DEh's barcode type of a QR code (0 PDF417, 1
	// DataMatrix, 2 Aztec); bit 6 prints it in the footer, bit 7 asks for
	// the long answer (the parameters used and the size).
	Barcode2DQR byte = 3
	// QRDotSize is the module size in printer dots (3..8): 4 dots of an
	// 8-dot/mm head make a 0.5 mm module, a look-up address of about 90
	// bytes a square of about 20 mm.
	QRDotSize byte = 4
	// QRLevelM is error correction level M (0..3 = L, M, Q, H).
	QRLevelM byte = 1
	// AlignCenter is DEh's alignment 1 (0 left, 2 right).
	AlignCenter byte = 1
)

// LoadDataArgs builds the DDh parameters: password, data type 0 (2D
// barcode), block number, the block padded with zeros to 64 bytes (the
// register reads only the length DEh gives).
func LoadDataArgs(password uint32, block byte, data []byte) []byte {
	b := append(pwd(password), 0, block)
	b = append(b, data...)
	for len(b) < 4+2+DataBlock {
		b = append(b, 0)
	}
	return b
}

// PrintQRArgs builds the DEh parameters of a QR code of n bytes loaded from
// block 0: version 0 (the smallest that holds the data), mask 0 (the
// register's choice), QRDotSize, level M, centred.
func PrintQRArgs(password uint32, n int) []byte {
	b := append(pwd(password), Barcode2DQR)
	b = PutUint(b, uint64(n), 2)
	return append(b, 0, 0, 0, QRDotSize, 0, QRLevelM, AlignCenter)
}

var _ fiscal.QRPrinter = (*Device)(nil)

// PrintQR prints data as a QR code: DDh for each 64-byte block from block
// 0, then DEh. Loading changes nothing but the register's barcode buffer;
// a lost answer to DEh is reported (KindLink), never sent again. A
// register that answers 37h to either is remembered: later calls answer
// the same without sending anything.
func (d *Device) PrintQR(ctx context.Context, data []byte) error {
	const op = "print qr"
	if len(data) == 0 || len(data) > fiscal.MaxQR {
		return wrap(op, &fiscal.Error{Op: op, Kind: fiscal.KindProgram,
			Err: fmt.Errorf("a QR code of %d bytes: 1 to %d", len(data), fiscal.MaxQR)})
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.noQR {
		return wrap(op, &fiscal.Error{Op: op, Cmd: uint16(CmdPrint2D), Kind: fiscal.KindProgram, Err: fiscal.ErrNotSupported})
	}
	if err := d.ready(ctx, op, false, fiscal.Cashier{}); err != nil {
		return wrap(op, err)
	}
	for block := 0; block*DataBlock < len(data); block++ {
		part := data[block*DataBlock : min((block+1)*DataBlock, len(data))]
		if _, err := d.call(ctx, op, CmdLoadData, LoadDataArgs(d.opt.Password, byte(block), part)); err != nil {
			return wrap(op, d.qrRefused(err))
		}
	}
	if _, err := d.call(ctx, op, CmdPrint2D, PrintQRArgs(d.opt.Password, len(data))); err != nil {
		return wrap(op, d.qrRefused(err))
	}
	return wrap(op, d.waitPrinted(ctx, op))
}

// qrRefused remembers a register without the 2D-barcode commands.
func (d *Device) qrRefused(err error) error {
	if fiscal.CodeOf(err) == fiscal.CodeNotSupported {
		d.noQR = true
	}
	return err
}
