package atol

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// The fiscal drive's queries (A4h sub-commands, docs/atol.md §4). The
// register hands the drive's own answers through, so their layouts are the
// drive's (the same bytes a Shtrih register's FF01, FF03, FF09, FF0E,
// FF39, FF3A and FF3B hand out, parsed by the same functions).
const (
	fnOFD        byte = 0x20
	fnStatus     byte = 0x30
	fnExpiry     byte = 0x32
	fnReg        byte = 0x43
	fnDocTLV     byte = 0x45
	fnDocTLVNext byte = 0x46
)

// The register's own reads of the registration (docs/atol.md §4,
// "Verified against"): E9h hands out one attribute of the registration
// (tag 2 LE, block), 91h a register (number, two parameters); register
// 36h holds the FFD versions, the register's first.
const (
	cmdReadTag  byte = 0xE9
	cmdRegister byte = 0x91
	regFFD      byte = 0x36
)

// E8h writes one FN TLV attribute into the document being formed: flags
// (01h: print it), blocks, block, then the TLV's bytes (docs/atol.md §4,
// "Verified against"). Inside a position (EAh … EBh) the attribute is the
// item's, else the document's.
const (
	cmdWriteTag byte = 0xE8
	tagPrint    byte = 0x01
	// tagBlock is the most TLV bytes one E8h carries (unverified: no
	// source splits a tag; docs/atol.md §4).
	tagBlock = 240
)

// fn runs A4h sub-command sub and returns the drive's answer.
func (d *Driver) fn(ctx context.Context, op string, sub byte, args ...byte) ([]byte, error) {
	return d.run(ctx, op, cmdFN, append([]byte{sub}, args...)...)
}

func fnBad(op string, err error) error { return badAnswer(op, cmdFN, err) }

// badAnswer is the KindLink error of an answer to code that does not
// decode.
func badAnswer(op string, code byte, err error) error {
	return &fiscal.Error{Op: op, Cmd: uint16(code), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: %w", fiscal.ErrBadAnswer, err)}
}

func (d *Driver) loc() *time.Location { return time.Local }

func (d *Driver) fnState(ctx context.Context, op string) (shtrih.FNStatus, error) {
	b, err := d.fn(ctx, op, fnStatus)
	if err != nil {
		return shtrih.FNStatus{}, err
	}
	s, err := shtrih.ParseFNStatus(b, d.loc())
	if err != nil {
		return s, fnBad(op, err)
	}
	return s, nil
}

// lastFD is the number of the last fiscal document (A4h 30h), 0 before
// the first.
func (d *Driver) lastFD(ctx context.Context, op string) (uint32, error) {
	s, err := d.fnState(ctx, op)
	if err != nil {
		return 0, err
	}
	return s.LastFD, nil
}

// lastDoc reads the last fiscal document: its number from the drive's
// status (A4h 30h), then the document itself, as TerminalClient reads the
// document it has just made (A4h 45h, 46h). A drive with no document yet
// answers the zero Document. signOnly stops the read once the number
// (1040) and the fiscal sign (1077) are read: the Document then has its
// type, FD and FP only.
func (d *Driver) lastDoc(ctx context.Context, op string, signOnly bool) (fiscal.Document, error) {
	fd, err := d.lastFD(ctx, op)
	if err != nil || fd == 0 {
		return fiscal.Document{}, err
	}
	var enough func([]fiscal.Tag) bool
	if signOnly {
		enough = func(tags []fiscal.Tag) bool {
			_, n := fiscal.Find(tags, 1040)
			_, s := fiscal.Find(tags, 1077)
			return n && s
		}
	}
	h, tags, err := d.documentTags(ctx, op, fd, enough)
	if err != nil && fiscal.CodeOf(err) == 0 && ctx.Err() == nil {
		// A lost 46h answer is not asked again (it moves the reading
		// on), but the whole read is: 45h starts it over.
		d.l.log.Warn("atol: reading the last document again", "fd", fd, "err", err)
		h, tags, err = d.documentTags(ctx, op, fd, enough)
	}
	if err != nil {
		return fiscal.Document{}, err
	}
	of := DocumentOf
	if signOnly {
		of = documentHead
	}
	doc, err := of(h.Type, tags, d.loc())
	if err != nil {
		return doc, fnBad(op, err)
	}
	if doc.FD != fd {
		return doc, fnBad(op, fmt.Errorf("asked for document %d, got %d", fd, doc.FD))
	}
	return doc, nil
}

// DocumentOf is the fiscal.Document a fiscal drive's document of type typ
// (its STLV number: 3 a receipt) with the top-level tags tags describes:
// 1040 its number, 1012 its time, 1077 its fiscal sign (the last four
// bytes, most significant first), for a receipt 1054 and 1020, for a shift
// report 1038. A document without its number or fiscal sign is refused.
func DocumentOf(typ uint16, tags []fiscal.Tag, loc *time.Location) (fiscal.Document, error) {
	doc, err := documentHead(typ, tags, loc)
	if err != nil {
		return doc, err
	}
	switch {
	case doc.Type.IsReceipt():
		k, kfound := tagUint(tags, 1054)
		s, sfound := tagUint(tags, 1020)
		if !kfound || !sfound || s > 1<<62 {
			return doc, fmt.Errorf("receipt %d without its settlement sign (1054) or sum (1020)", doc.FD)
		}
		doc.Kind, doc.Sum = fiscal.ReceiptKind(k), int64(s)
	case doc.Type == fiscal.DocShiftOpen || doc.Type == fiscal.DocShiftClose:
		if n, found := tagUint(tags, 1038); found {
			doc.Shift = int(n)
		}
	}
	return doc, nil
}

// documentHead is what every document has: its type, 1040, 1077 and 1012.
func documentHead(typ uint16, tags []fiscal.Tag, loc *time.Location) (fiscal.Document, error) {
	doc := fiscal.Document{Type: fiscal.DocType(typ)}
	fd, found := tagUint(tags, 1040)
	if !found || fd > 0xFFFFFFFF {
		return doc, fmt.Errorf("document of type %d without its number (1040)", typ)
	}
	doc.FD = uint32(fd)
	sign, found := fiscal.Find(tags, 1077)
	if !found || len(sign.Value) < 4 {
		return doc, fmt.Errorf("document %d without its fiscal sign (1077)", fd)
	}
	doc.FP = binary.BigEndian.Uint32(sign.Value[len(sign.Value)-4:])
	if t, found := tagUint(tags, 1012); found {
		// 1012 is the local time written as seconds since 1970 (UTC).
		ut := time.Unix(int64(t), 0).UTC()
		doc.Time = time.Date(ut.Year(), ut.Month(), ut.Day(), ut.Hour(), ut.Minute(), ut.Second(), 0, loc)
	}
	return doc, nil
}

func tagUint(tags []fiscal.Tag, num uint16) (uint64, bool) {
	t, found := fiscal.Find(tags, num)
	if !found {
		return 0, false
	}
	return t.Uint()
}

// noData reports the drive's "no such data" (DAh).
func noData(err error) bool { return fiscal.CodeOf(err) == CodeFNNoData }

// Info reads the registration (A4h 43h; 1057 with E9h), the FFD version
// (register 36h), the drive's expiry (32h), warnings (30h) and OFD queue
// (20h). A query the firmware does not have (7Ah) leaves its part
// unknown, as on Shtrih: nothing is checked against what the register
// cannot tell. The archive's free memory is not asked for (docs/atol.md
// §7): DocsKnown stays false.
func (d *Driver) Info(ctx context.Context) (fiscal.Info, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "info"
	var in fiscal.Info
	b, err := d.fn(ctx, op, fnReg)
	switch {
	case fiscal.Unsupported(err):
	case err != nil:
		return in, err
	default:
		if in.Registration, err = shtrih.ParseRegistration(b, d.loc()); err != nil {
			return in, fnBad(op, err)
		}
	}
	b, err = d.fn(ctx, op, fnExpiry)
	switch {
	case fiscal.Unsupported(err):
	case err != nil:
		return in, err
	default:
		in.Drive.Expires, in.Registration.Left, _ = shtrih.ParseExpiry(b, 0, d.loc())
	}
	if in.Registration.Known {
		if in.Registration.Agent, err = d.agentSign(ctx, op); err != nil {
			return in, err
		}
	}
	s, err := d.fnState(ctx, op)
	switch {
	case fiscal.Unsupported(err):
	case err != nil:
		return in, err
	default:
		in.Drive.Warnings = s.Warnings
	}
	b, err = d.fn(ctx, op, fnOFD)
	switch {
	case fiscal.Unsupported(err):
	case err != nil:
		return in, err
	default:
		if err := shtrih.ParseOFDStatus(b, &in.Drive, d.loc()); err != nil {
			return in, fnBad(op, err)
		}
	}
	d.ffd = 0
	if in.FFD, err = d.format(ctx, op); err != nil {
		return in, err
	}
	return in, nil
}

// agentSign reads the registration's agent sign, 1057, with E9h as
// TerminalClient does (tag 2 LE, block 0; the answer: blocks, then the
// TLV). A register that refuses it (a registration with no agent sign, a
// firmware without E9h) leaves it zero: the till then finds the register
// not registered as an agent and sells nothing.
func (d *Driver) agentSign(ctx context.Context, op string) (fiscal.AgentSign, error) {
	const num = 1057
	b, err := d.run(ctx, op, cmdReadTag, append(binary.LittleEndian.AppendUint16(nil, num), 0)...)
	if fiscal.CodeOf(err) != 0 {
		d.l.log.Warn("atol: the register did not hand out the agent sign", "err", err)
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(b) < 1 {
		return 0, badAnswer(op, cmdReadTag, fmt.Errorf("E9h answer % X", b))
	}
	tags, terr := fiscal.DecodeTags(b[1:])
	t, found := fiscal.Find(tags, num)
	if terr != nil || !found || len(t.Value) != 1 {
		return 0, badAnswer(op, cmdReadTag, fmt.Errorf("registration tag %d: % X", num, b))
	}
	return fiscal.AgentSign(t.Value[0]), nil
}

// format is the FFD version receipts are formed in: the one read before,
// else the register's (register 36h's first byte, numbered as 1209: 2
// 1.05, 3 1.1, 4 1.2), else 1.2 when the firmware has no such register.
func (d *Driver) format(ctx context.Context, op string) (fiscal.FFD, error) {
	if d.ffd != 0 {
		return d.ffd, nil
	}
	b, err := d.run(ctx, op, cmdRegister, regFFD, 0, 0)
	switch {
	case fiscal.Unsupported(err):
		d.ffd = fiscal.FFD12
		return d.ffd, nil
	case err != nil:
		return 0, err
	case len(b) < 2:
		return 0, badAnswer(op, cmdRegister, fmt.Errorf("register %02Xh: % X", regFFD, b))
	}
	switch v := fiscal.FFD(b[0]); v {
	case fiscal.FFD105, fiscal.FFD11, fiscal.FFD12:
		d.ffd = v
	default:
		return 0, &fiscal.Error{Op: op, Cmd: uint16(cmdRegister), Kind: fiscal.KindAdmin, Code: CodeNotSupported, Text: Msg(CodeNotSupported),
			Err: fmt.Errorf("%w: atol: the register forms documents in FFD %d (register %02Xh: % X)", fiscal.ErrNotSupported, b[0], regFFD, b)}
	}
	return d.ffd, nil
}

// maxDocumentTags bounds the A4h 46h answers one document read takes.
const maxDocumentTags = 4096

// DocumentTags reads fiscal document fd back from the fiscal drive (A4h
// 45h, then 46h a TLV at a time until the document's length is read or
// the drive says it has ended).
func (d *Driver) DocumentTags(ctx context.Context, fd uint32) ([]fiscal.Tag, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, tags, err := d.documentTags(ctx, "document tags", fd, nil)
	return tags, err
}

// documentTags reads document fd's TLV (45h, then 46h), until its length
// is read, the drive says it has ended, or enough (when not nil) holds for
// the whole tags read so far.
func (d *Driver) documentTags(ctx context.Context, op string, fd uint32, enough func([]fiscal.Tag) bool) (shtrih.DocumentHeader, []fiscal.Tag, error) {
	b, err := d.fn(ctx, op, fnDocTLV, binary.LittleEndian.AppendUint32(nil, fd)...)
	if err != nil {
		return shtrih.DocumentHeader{}, nil, err
	}
	h, err := shtrih.ParseDocumentHeader(b)
	if err != nil {
		return h, nil, fnBad(op, err)
	}
	var tlv []byte
	for i := 0; len(tlv) < h.Length; i++ {
		if i >= maxDocumentTags {
			return h, nil, fnBad(op, fmt.Errorf("document %d: more than %d TLVs", fd, maxDocumentTags))
		}
		b, err := d.fn(ctx, op, fnDocTLVNext)
		if noData(err) {
			break
		}
		if err != nil {
			return h, nil, err
		}
		if len(b) == 0 {
			return h, nil, fnBad(op, errors.New("empty TLV"))
		}
		tlv = append(tlv, b...)
		if enough != nil {
			if tags, err := fiscal.DecodeTags(tlv); err == nil && enough(tags) {
				break
			}
		}
	}
	tags, err := shtrih.DecodeDocument(h, tlv)
	if err != nil {
		return h, nil, fnBad(op, err)
	}
	return h, tags, nil
}

// writeTags writes tags into the document being formed (E8h), one tag a
// command as every public implementation does, a tag longer than a block
// in blocks of one command each. Inside a position (after EAh) they are
// the item's.
func (d *Driver) writeTags(ctx context.Context, op string, tags []fiscal.Tag) error {
	for _, t := range tags {
		if t.Len() > fiscal.MaxTagValue {
			return &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("atol: tag %d of %d bytes", t.Num, len(t.Value))}
		}
		enc := t.Encode()
		n := (len(enc) + tagBlock - 1) / tagBlock
		if n > 255 {
			return &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("atol: tag %d of %d bytes", t.Num, len(t.Value))}
		}
		for i := range n {
			data := append([]byte{tagPrint, byte(n), byte(i)}, enc[i*tagBlock:min(len(enc), (i+1)*tagBlock)]...)
			if _, err := d.run(ctx, op, cmdWriteTag, data...); err != nil {
				return err
			}
		}
	}
	return nil
}

// cashierTags are 1021 and 1203 of c (none when c has no name).
func cashierTags(c fiscal.Cashier) []fiscal.Tag {
	var tags []fiscal.Tag
	if c.Name != "" {
		tags = append(tags, fiscal.String(1021, c.Name))
	}
	if c.INN != "" {
		tags = append(tags, fiscal.FixedString(1203, c.INN, 12))
	}
	return tags
}
