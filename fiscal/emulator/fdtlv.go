package emulator

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// Reading a fiscal document back from the fiscal drive: FF3Ah requests
// document N and answers the number of its STLV tag (the document type) and
// the length of what is inside; FF3Bh then hands out those TLV bytes block
// by block and, once they are all out, answers 08h (no requested data),
// which ends the read. While a document is being read the register is in
// mode 1 (data dump), as a desktop Shtrih is. See docs/fiscal-tlv-read.md.

// codeNoData is the fiscal drive's 08h "no requested data".
const codeNoData fiscal.Code = 0x08

// tlvBlock is the most TLV bytes one FF3B answer carries: a frame of 255
// bytes less the command code (2 bytes) and the error byte.
const tlvBlock = shtrih.MaxPayload - 3

// docRead is the cursor of a document read: what FF3A requested and how
// much of it FF3B has handed out. It lives in the register's memory only: a
// power cycle ends it.
type docRead struct {
	data []byte // the TLVs inside the document's STLV
	off  int
}

// doc returns fiscal document fd from those kept in memory.
func (e *Emulator) doc(fd uint32) (Doc, bool) {
	for i := len(e.st.Docs) - 1; i >= 0; i-- {
		if e.st.Docs[i].FD == fd {
			return e.st.Docs[i], true
		}
	}
	return Doc{}, false
}

// requestDocTLV is FF3A: it starts reading document fd, ending any read
// under way.
func (e *Emulator) requestDocTLV(args []byte) answer {
	if len(args) < 4 {
		return fail(fiscal.CodeBadLength)
	}
	e.read = nil
	d, found := e.doc(uint32(shtrih.Uint(args[:4])))
	if !found {
		return fail(codeNoData)
	}
	t := e.documentSTLV(d)
	if len(t.Value) > fiscal.MaxTagValue {
		return fail(0x10) // TLV data too large
	}
	e.read = &docRead{data: t.Value}
	return ok(cat(u16(int(t.Num)), u16(len(t.Value)))...)
}

// readDocTLV is FF3B: the next block of the document requested with FF3A;
// 08h without one and after its end (which ends the read).
func (e *Emulator) readDocTLV() answer {
	r := e.read
	if r == nil {
		return fail(codeNoData)
	}
	if r.off == len(r.data) {
		e.read = nil
		return fail(codeNoData)
	}
	n := min(tlvBlock, len(r.data)-r.off)
	b := r.data[r.off : r.off+n]
	r.off += n
	return ok(b...)
}

// documentSTLV is document d as the fiscal drive keeps it: an STLV numbered
// by the document type (1 registration, 2 shift open, 3 receipt, 5 shift
// close, 31 correction receipt) holding the document's tags; the registration report holds the
// registration's (regTags).
func (e *Emulator) documentSTLV(d Doc) fiscal.Tag {
	if d.Type == fiscal.DocRegistration {
		tags := []fiscal.Tag{fiscal.Uint32(1012, unixTime(d.Time)), fiscal.Uint32(1040, d.FD), fiscalSign(d.FP)}
		return fiscal.Struct(uint16(d.Type), append(append(tags, e.regTags()...), d.Tags...)...)
	}
	tags := []fiscal.Tag{
		fiscal.String(1048, e.st.UserName),
		fiscal.FixedString(1018, e.st.INN, 12),
		fiscal.Uint32(1012, unixTime(d.Time)),
		fiscal.FixedString(1037, e.st.RNM, 20),
		fiscal.String(1041, e.st.FN),
		fiscal.Uint32(1040, d.FD),
		fiscalSign(d.FP),
	}
	switch d.Type {
	case fiscal.DocShiftOpen, fiscal.DocShiftClose:
		tags = append(tags, fiscal.Uint32(1038, uint32(d.Shift)))
	case fiscal.DocReceipt, fiscal.DocCorrection:
		tags = append(tags, fiscal.Uint32(1038, uint32(d.Shift)), fiscal.Uint32(1042, uint32(d.Number)),
			fiscal.Byte(1054, byte(d.Kind)))
		if d.TaxSystem != 0 {
			tags = append(tags, fiscal.Byte(1055, d.TaxSystem))
		}
		tags = append(tags, fiscal.VLN(1020, uint64(d.Sum)), fiscal.VLN(1031, uint64(d.Cash)),
			fiscal.VLN(1081, uint64(d.Card)))
		for _, l := range d.Lines {
			tags = append(tags, lineSTLV(l))
		}
	}
	tags = append(tags, d.Tags...)
	return fiscal.Struct(uint16(d.Type), tags...)
}

// fiscalSign is tag 1077, the document's fiscal sign as the fiscal drive
// stores it: 6 bytes, the printed ФП big-endian in the last 4 (the first
// two are zero here).
func fiscalSign(fp uint32) fiscal.Tag {
	return fiscal.Tag{Num: 1077, Value: binary.BigEndian.AppendUint32([]byte{0, 0}, fp)}
}

// unixTime is the register's wall clock as FFD UnixTime (1012): the local
// date and time counted as if they were UTC.
func unixTime(t time.Time) uint32 {
	return uint32(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC).Unix())
}

// vatRates maps a Shtrih tax group (1..6) to the FFD VAT rate of tag 1199.
var vatRates = [...]byte{1: 1, 2: 2, 3: 5, 4: 6, 5: 3, 6: 4}

// lineSTLV is a receipt line as tag 1059.
func lineSTLV(l Line) fiscal.Tag {
	tags := []fiscal.Tag{fiscal.Byte(1214, byte(l.Method))}
	if l.Subject != 0 {
		tags = append(tags, fiscal.Byte(1212, byte(l.Subject)))
	}
	tags = append(tags,
		fiscal.String(1030, l.Name),
		fiscal.VLN(1079, uint64(l.Price)),
		fiscal.Tag{Num: 1023, Value: quantity(l.Qty)},
		fiscal.Byte(1199, vatRates[bits.TrailingZeros8(l.TaxBits)%6+1]),
		fiscal.VLN(1043, uint64(l.Sum)))
	return fiscal.Struct(1059, append(tags, l.Tags...)...)
}

// quantity is a quantity in millionths as FVLN with the fewest decimals.
func quantity(q int64) []byte {
	m, dec := uint64(q), byte(6)
	for dec > 0 && m%10 == 0 {
		m, dec = m/10, dec-1
	}
	return fiscal.EncodeFVLN(m, dec)
}

// docCashier is the tags of a shift report: those sent with FF0C, with the
// cashier's name (1021) when none of them gives it.
func docCashier(tags []fiscal.Tag, name string) []fiscal.Tag {
	if _, found := fiscal.Find(tags, 1021); found || name == "" {
		return slices.Clone(tags)
	}
	return append([]fiscal.Tag{fiscal.String(1021, name)}, tags...)
}
