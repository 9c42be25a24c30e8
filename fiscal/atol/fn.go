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
// drive's (the same bytes a Shtrih register's FF01, FF03, FF09, FF0A,
// FF0E, FF39, FF3A and FF3B hand out, parsed by the same functions).
const (
	fnOFD        byte = 0x20
	fnStatus     byte = 0x30
	fnExpiry     byte = 0x32
	fnFindDoc    byte = 0x40
	fnReg        byte = 0x43
	fnRegTag     byte = 0x44
	fnDocTLV     byte = 0x45
	fnDocTLVNext byte = 0x46
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

func fnBad(op string, err error) error {
	return &fiscal.Error{Op: op, Cmd: uint16(cmdFN), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: %w", fiscal.ErrBadAnswer, err)}
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

// lastDoc reads the last fiscal document: its number from the drive's
// status (A4h 30h), then the document (A4h 40h). A drive with no document
// yet answers the zero Document.
func (d *Driver) lastDoc(ctx context.Context, op string) (fiscal.Document, error) {
	s, err := d.fnState(ctx, op)
	if err != nil {
		return fiscal.Document{}, err
	}
	if s.LastFD == 0 {
		return fiscal.Document{}, nil
	}
	return d.findDoc(ctx, op, s.LastFD)
}

func (d *Driver) findDoc(ctx context.Context, op string, fd uint32) (fiscal.Document, error) {
	b, err := d.fn(ctx, op, fnFindDoc, binary.LittleEndian.AppendUint32(nil, fd)...)
	if err != nil {
		return fiscal.Document{}, err
	}
	doc, err := shtrih.ParseDocument(b, d.loc())
	if err != nil {
		return doc, fnBad(op, err)
	}
	if doc.FD != fd {
		return doc, fnBad(op, fmt.Errorf("asked for document %d, got %d", fd, doc.FD))
	}
	return doc, nil
}

// noData reports the drive's "no such data" (DAh).
func noData(err error) bool { return fiscal.CodeOf(err) == CodeFNNoData }

// Info reads the registration (A4h 43h; 1057 and 1209 with A4h 44h), the
// drive's expiry (32h), warnings (30h) and OFD queue (20h). A query the
// firmware does not have (7Ah) leaves its part unknown, as on Shtrih:
// nothing is checked against what the register cannot tell. The archive's
// free memory is not asked for (docs/atol.md §7): DocsKnown stays false.
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
	var done int
	b, err = d.fn(ctx, op, fnExpiry)
	switch {
	case fiscal.Unsupported(err):
	case err != nil:
		return in, err
	default:
		in.Drive.Expires, in.Registration.Left, done = shtrih.ParseExpiry(b, 0, d.loc())
	}
	if in.Registration.Known {
		if err := d.regTags(ctx, op, done, &in.Registration); err != nil {
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
	in.FFD = in.Registration.FFD
	if in.FFD == 0 {
		in.FFD = fiscal.FFD12
	}
	d.ffd = in.FFD
	return in, nil
}

// regTags reads 1057 and 1209 of registration report done; a tag the
// report does not hold (DAh) is left zero.
func (d *Driver) regTags(ctx context.Context, op string, done int, r *fiscal.Registration) error {
	if done <= 0 {
		done = 1
	}
	for _, num := range []uint16{1057, 1209} {
		b, err := d.fn(ctx, op, fnRegTag, append([]byte{byte(done)}, binary.LittleEndian.AppendUint16(nil, num)...)...)
		switch {
		case noData(err), fiscal.Unsupported(err):
			continue
		case err != nil:
			return err
		}
		tags, terr := fiscal.DecodeTags(b)
		t, found := fiscal.Find(tags, num)
		if terr != nil || !found || len(t.Value) == 0 {
			return fnBad(op, fmt.Errorf("registration tag %d: % X", num, b))
		}
		if num == 1057 {
			r.Agent = fiscal.AgentSign(t.Value[0])
		} else {
			r.FFD = fiscal.FFD(t.Value[0])
		}
	}
	return nil
}

// format is the FFD version receipts are formed in: the one Info read, else
// the registered one (1209), else 1.2.
func (d *Driver) format(ctx context.Context, op string) (fiscal.FFD, error) {
	if d.ffd != 0 {
		return d.ffd, nil
	}
	var r fiscal.Registration
	done := 0
	b, err := d.fn(ctx, op, fnExpiry)
	switch {
	case fiscal.Unsupported(err):
	case err != nil:
		return 0, err
	default:
		_, _, done = shtrih.ParseExpiry(b, 0, d.loc())
	}
	if err := d.regTags(ctx, op, done, &r); err != nil {
		return 0, err
	}
	d.ffd = r.FFD
	if d.ffd == 0 {
		d.ffd = fiscal.FFD12
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
	const op = "document tags"
	b, err := d.fn(ctx, op, fnDocTLV, binary.LittleEndian.AppendUint32(nil, fd)...)
	if err != nil {
		return nil, err
	}
	h, err := shtrih.ParseDocumentHeader(b)
	if err != nil {
		return nil, fnBad(op, err)
	}
	var tlv []byte
	for i := 0; len(tlv) < h.Length; i++ {
		if i >= maxDocumentTags {
			return nil, fnBad(op, fmt.Errorf("document %d: more than %d TLVs", fd, maxDocumentTags))
		}
		b, err := d.fn(ctx, op, fnDocTLVNext)
		if noData(err) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, fnBad(op, errors.New("empty TLV"))
		}
		tlv = append(tlv, b...)
	}
	tags, err := shtrih.DecodeDocument(h, tlv)
	if err != nil {
		return nil, fnBad(op, err)
	}
	return tags, nil
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
