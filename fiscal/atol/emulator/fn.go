package emulator

import (
	"encoding/binary"
	"slices"
	"time"

	"paydesk/fiscal/atol/wire"
)

// Commands of the fiscal drive's data (docs/atol.md §4).
const (
	CmdWriteTag byte = 0xE8 // write one FN TLV attribute: flags, blocks, block, TLV…
	CmdReadTag  byte = 0xE9 // one attribute of the registration: tag (2 LE), block
	CmdRegister byte = 0x91 // read a register: number, two parameters

	// RegFFD is the register of the FFD versions: the register's, the
	// drive's (numbered as 1209), then four bytes no source reads.
	RegFFD byte = 0x36

	// TagPrint in E8h's flags prints the attribute on the receipt.
	TagPrint byte = 0x01
)

// Sub-commands of A4h: the fiscal drive's own queries, numbered as the
// drive's protocol numbers them (docs/atol.md §4).
const (
	FNOFD        byte = 0x20 // OFD exchange: state, queue, first unsent number and time
	FNStatus     byte = 0x30 // phase, document, shift, warnings, time, number, last FD
	FNNumber     byte = 0x31 // the drive's serial number
	FNExpiry     byte = 0x32 // last day, re-registrations left and done
	FNReg        byte = 0x43 // the last registration: time, INN, RNM, tax systems, mode
	FNDocTLV     byte = 0x45 // begin reading a document's TLV: type, length
	FNDocTLVNext byte = 0x46 // the document's next TLV
)

// Error codes of the fiscal drive's commands.
const (
	errFNNoData   byte = 0xDA
	errFNExpired  byte = 0xD7
	errFNBadParam byte = 0xE7
	errFNOFDFull  byte = 0xEB
	// errNotSupported is "this model cannot execute the command".
	errNotSupported byte = 0x7A
)

// fnOK is the answer to an A4h query: 55h, the code, the data (no
// extended code byte: docs/atol.md §4).
func fnOK(data ...byte) []byte { return append([]byte{wire.AnswerOK, 0}, data...) }

// decodeTLV splits b into tags; ok is false when a length runs past b.
func decodeTLV(b []byte) ([]Tag, bool) {
	var out []Tag
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, false
		}
		n := int(binary.LittleEndian.Uint16(b[2:]))
		if 4+n > len(b) {
			return nil, false
		}
		out = append(out, Tag{Num: binary.LittleEndian.Uint16(b), Value: append([]byte(nil), b[4:4+n]...)})
		b = b[4+n:]
	}
	return out, true
}

func appendTLV(b []byte, num uint16, v []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, num)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

func encodeTags(tags []Tag) []byte {
	var b []byte
	for _, t := range tags {
		b = appendTLV(b, t.Num, t.Value)
	}
	return b
}

func vln(v int64) []byte {
	b := []byte{byte(v)}
	for v >>= 8; v > 0; v >>= 8 {
		b = append(b, byte(v))
	}
	return b
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// fnDateTime is the drive's DATE_TIME: YY MM DD hh mm, binary.
func fnDateTime(t time.Time) []byte {
	return []byte{byte(t.Year() - 2000), byte(t.Month()), byte(t.Day()), byte(t.Hour()), byte(t.Minute())}
}

// fp is the emulator's fiscal sign of document fd: deterministic, so that
// tests can name it.
func fp(fd uint32) uint32 { return fd*2654435761 ^ 0x5A5A5A5A }

// FP is the fiscal sign the emulator gives document fd.
func FP(fd uint32) uint32 { return fp(fd) }

// fiscalSign is tag 1077's value: six bytes, the fiscal sign in the last
// four, most significant first, as the fiscal drive stores it.
func fiscalSign(fd uint32) []byte { return binary.BigEndian.AppendUint32([]byte{0, 0}, fp(fd)) }

// settlement is tag 1054 of an ATOL receipt type.
func settlement(kind byte) byte {
	switch kind {
	case 2, 8:
		return 2
	case 4, 9:
		return 3
	case 5, 10:
		return 4
	}
	return 1
}

// fnBlocked is the drive's refusal of a new fiscal document, 0 when it
// signs.
func (e *Emulator) fnBlocked(now time.Time) byte {
	st := &e.st
	switch {
	case !st.FNExpires.IsZero() && now.After(st.FNExpires.AddDate(0, 0, 1)):
		return errFNExpired
	case st.OFDStuck && !st.OFDSince.IsZero() && now.Sub(st.OFDSince) >= 30*24*time.Hour && st.LastFD() > st.SentFD:
		return errFNOFDFull
	}
	return 0
}

// writeTags runs E8h: flags, blocks, block, then the bytes of one TLV,
// joined over its blocks in order. Inside a position (EAh … EBh) the tag
// is the item's; else the receipt's, or the next document's.
func (e *Emulator) writeTags(d []byte) []byte {
	st := &e.st
	if len(d) < 4 {
		return fail(errBadLength)
	}
	flags, blocks, block := d[0], d[1], d[2]
	if blocks == 0 || block >= blocks || block != e.tagBlockN || flags&^TagPrint != 0 {
		e.tagBlocks, e.tagBlockN = nil, 0
		return fail(errFNBadParam)
	}
	e.tagBlocks = append(e.tagBlocks, d[3:]...)
	if block+1 < blocks {
		e.tagBlockN++
		return ok()
	}
	raw := e.tagBlocks
	e.tagBlocks, e.tagBlockN = nil, 0
	tags, good := decodeTLV(raw)
	if !good || len(tags) != 1 {
		return fail(errFNBadParam) // not one whole TLV
	}
	switch {
	case st.Receipt != nil && st.Receipt.Position:
		st.Receipt.ItemTags = append(st.Receipt.ItemTags, tags...)
	case st.Receipt != nil:
		seen := slices.Clone(st.Receipt.Tags)
		for _, t := range tags {
			if _, dup := FindTag(seen, t.Num); dup && t.Num != 1073 && t.Num != 1074 && t.Num != 1171 {
				return fail(errFNBadParam) // a receipt tag written twice
			}
			seen = append(seen, t)
		}
		st.Receipt.Tags = seen
	case st.Mode == ModeRegistration || st.Mode == ModeZReport:
		st.DocTags = append(st.DocTags, tags...)
	default:
		return fail(errBadMode)
	}
	return ok()
}

// takeDocTags hands the tags written for the next document out.
func (e *Emulator) takeDocTags() []Tag {
	t := e.st.DocTags
	e.st.DocTags = nil
	return t
}

// fn answers A4h's sub-commands from the journal and the drive's state.
func (e *Emulator) fn(d []byte, now time.Time) []byte {
	st := &e.st
	if len(d) < 1 {
		return fail(errBadLength)
	}
	sub, d := d[0], d[1:]
	if st.NoFNQueries && (sub == FNReg || sub == FNExpiry || sub == FNStatus || sub == FNOFD) {
		return fail(errNotSupported)
	}
	switch sub {
	case FNStatus:
		phase := byte(0x03) // configured, fiscal mode open
		doc := byte(0)
		if st.Receipt != nil {
			doc = 0x04
		}
		shift := byte(0)
		if st.ShiftOpen {
			shift = 1
		}
		out := []byte{phase, doc, 0, shift, e.warnings(now)}
		out = append(out, fnDateTime(now)...)
		out = append(out, wire.Field(st.FNNumber, 16)...)
		return fnOK(append(out, u32(st.LastFD())...)...)
	case FNNumber:
		return fnOK(wire.Field(st.FNNumber, 16)...)
	case FNExpiry:
		exp := st.FNExpires
		if exp.IsZero() {
			exp = now.AddDate(0, 0, 400)
		}
		return fnOK(byte(exp.Year()-2000), byte(exp.Month()), byte(exp.Day()), 11, 1)
	case FNOFD:
		unsent := 0
		var first uint32
		var at time.Time
		for _, doc := range st.Docs {
			if doc.FD > st.SentFD && st.OFDStuck {
				if unsent == 0 {
					first, at = doc.FD, doc.Time
					if !st.OFDSince.IsZero() && st.OFDSince.Before(at) {
						at = st.OFDSince
					}
				}
				unsent++
			}
		}
		state := byte(0)
		if unsent > 0 {
			state = 0x02
		}
		out := []byte{state, 0}
		out = binary.LittleEndian.AppendUint16(out, uint16(unsent))
		out = append(out, u32(first)...)
		if unsent > 0 {
			out = append(out, fnDateTime(at)...)
		} else {
			out = append(out, 0, 0, 0, 0, 0)
		}
		return fnOK(out...)
	case FNReg:
		r := st.Reg
		mode := byte(0)
		if r.Auto {
			mode |= 0x04
		}
		out := fnDateTime(r.Time)
		out = append(out, []byte(pad(r.INN, 12))...)
		out = append(out, []byte(pad(r.RNM, 20))...)
		out = append(out, r.Tax, mode)
		out = append(out, u32(0)...)
		return fnOK(append(out, u32(fp(0))...)...)
	case FNDocTLV:
		if len(d) < 4 {
			return fail(errBadLength)
		}
		doc, found := st.Find(binary.LittleEndian.Uint32(d))
		if !found {
			e.reading = nil
			return fail(errFNNoData)
		}
		tags := docTags(doc)
		e.reading = tags
		out := binary.LittleEndian.AppendUint16(nil, uint16(doc.Type))
		return fnOK(binary.LittleEndian.AppendUint16(out, uint16(len(encodeTags(tags))))...)
	case FNDocTLVNext:
		if len(e.reading) == 0 {
			return fail(errFNNoData)
		}
		t := e.reading[0]
		e.reading = e.reading[1:]
		return fnOK(appendTLV(nil, t.Num, t.Value)...)
	}
	return fail(errNoCommand)
}

// readTag runs E9h: tag (2 LE) and block of an attribute of the
// registration; the answer is the number of blocks, then the TLV (one
// block here: every attribute the emulator holds is short). An attribute
// the registration does not hold is DAh.
func (e *Emulator) readTag(d []byte) []byte {
	r := e.st.Reg
	if len(d) < 3 {
		return fail(errBadLength)
	}
	if e.st.NoFNQueries {
		return fail(errNotSupported)
	}
	num, block := binary.LittleEndian.Uint16(d), d[2]
	var v []byte
	switch num {
	case 1057:
		if r.Agent != 0 {
			v = []byte{r.Agent}
		}
	case 1209:
		v = []byte{r.FFD}
	case 1018:
		v = []byte(pad(r.INN, 12))
	case 1037:
		v = []byte(pad(r.RNM, 20))
	case 1062:
		v = []byte{r.Tax}
	}
	switch {
	case v == nil:
		return fail(errFNNoData)
	case block != 0:
		return fail(errFNBadParam)
	}
	return fnOK(append([]byte{1}, appendTLV(nil, num, v)...)...)
}

// register runs 91h: register number, two parameters; the answer is the
// register's bytes after 55h and the code. Only the FFD versions (36h)
// are kept.
func (e *Emulator) register(d []byte) []byte {
	if len(d) < 3 {
		return fail(errBadLength)
	}
	if d[0] != RegFFD || e.st.NoFNQueries {
		return fail(errNotSupported)
	}
	v := e.st.Reg.FFD
	return fnOK(v, v, 0, 0, 0, 0)
}

func pad(s string, n int) string {
	for len(s) < n {
		s += " "
	}
	return s[:n]
}

// warnings are the drive's warning flags: the ones set by the control
// interface and those of its expiry.
func (e *Emulator) warnings(now time.Time) byte {
	w := e.st.Warnings
	if exp := e.st.FNExpires; !exp.IsZero() {
		switch days := exp.Sub(now).Hours() / 24; {
		case days <= 3:
			w |= 0x01
		case days <= 30:
			w |= 0x02
		}
	}
	return w
}

// docTags is document doc as the drive hands it out: the 1000-series tags
// at top level, each item a 1059 structure.
func docTags(doc Doc) []Tag {
	tags := []Tag{{1040, u32(doc.FD)}, {1012, u32(uint32(doc.Time.Unix()))}, {1077, fiscalSign(doc.FD)}}
	if doc.Type == DocReceipt || doc.Type == DocCorrection {
		tags = append(tags, Tag{1042, u32(1)}, Tag{1054, []byte{settlement(doc.Kind)}}, Tag{1020, vln(doc.Sum)})
		for _, l := range doc.Lines {
			sub := appendTLV(nil, 1030, wire.Text(l.Name))
			sub = appendTLV(sub, 1079, vln(l.Price))
			sub = appendTLV(sub, 1023, append([]byte{3}, vln(l.Qty)...))
			sub = appendTLV(sub, 1043, vln(l.Sum))
			sub = append(sub, encodeTags(l.Tags)...)
			tags = append(tags, Tag{1059, sub})
		}
		tags = append(tags, Tag{1031, vln(doc.Cash)}, Tag{1081, vln(doc.Card)})
	}
	if doc.Type == DocShiftOpen || doc.Type == DocShiftClose {
		tags = append(tags, Tag{1038, u32(uint32(doc.Shift))})
	}
	return append(tags, doc.Tags...)
}
