package fiscal

import "context"

// MaxQR is the most bytes a register's QR code holds: what the Shtrih
// protocol allows in its 2D-barcode command (docs/fiscal.md, "2D barcodes").
// A QR code of version 40 holds fewer bytes than that unless they are
// digits; the register refuses what does not fit.
const MaxQR = 7089

// QRPrinter is a register that can print a QR code on the receipt tape by
// itself (a Register that is not one prints text only). PrintQR prints data
// as one QR code between the lines printed before and after it; it is
// non-fiscal and leaves no document. Errors are *Error as the Register's are:
// data empty or longer than MaxQR is KindProgram and nothing is sent; a
// register or firmware without the command answers so that Unsupported(err)
// holds; a lost answer to the print command is KindLink and is never sent
// again (the code may have been printed).
type QRPrinter interface {
	PrintQR(ctx context.Context, data []byte) error
}
