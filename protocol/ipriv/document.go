package ipriv

import (
	"bytes"
	"fmt"
	"strconv"
)

// Type is a document type: two ASCII letters in the header.
type Type string

// The document types.
const (
	TypeSigned Type = "SM" // signed message
	TypePublic Type = "NS" // certified public key
	TypeSecret Type = "NM" // secret key
)

const (
	headerLen = 36 // L0 version type L1 L2 L3
	idLineLen = 28 // userid (20) + serial (8)
	maxUserID = 20
)

// Document is one IPRIV envelope.
type Document struct {
	Version string // always "01" when written
	Type    Type
	UserID  string // header line 2: signer or key owner (trailing spaces removed)
	Serial  uint32
	UserID2 string // header line 3: certifier of an NS document, else empty
	Serial2 uint32
	Body    []byte // the L1 bytes between BEGIN and END, exactly
	// Stripped is L2: for SM the body length, for NS and NM the length of
	// the binary packet data the armored body decodes to.
	Stripped  int
	Signature []byte // the L3 bytes of the radix-64 signature block
}

// Marshal writes the document exactly as the vendor library does, ending at
// "END SIGNATURE" with no trailing CRLF.
func (d *Document) Marshal() []byte {
	version := d.Version
	if version == "" {
		version = "01"
	}
	l1, l3 := len(d.Body), len(d.Signature)
	total := 144 + l1 + l3
	var b bytes.Buffer
	b.Grow(total)
	fmt.Fprintf(&b, "%08d%-2.2s%-2.2s%08d%08d%08d\r\n", total-8, version, string(d.Type), l1, d.Stripped, l3)
	fmt.Fprintf(&b, "%-20.20s%08d\r\n", d.UserID, d.Serial)
	fmt.Fprintf(&b, "%-20.20s%08d\r\n", d.UserID2, d.Serial2)
	b.WriteString("BEGIN\r\n")
	b.Write(d.Body)
	b.WriteString("\r\nEND\r\nBEGIN SIGNATURE\r\n")
	b.Write(d.Signature)
	b.WriteString("\r\nEND SIGNATURE")
	return b.Bytes()
}

// reader walks a document the way the vendor's parser does: it reads lines
// dropping CRs and stopping at LF, and takes counted parts from the original
// bytes.
type reader struct {
	buf []byte
	pos int
}

// line returns the next line without CRs; eof is true when no LF was found
// before the end of the buffer.
func (r *reader) line() (s []byte, eof bool) {
	rest := r.buf[r.pos:]
	i := bytes.IndexByte(rest, '\n')
	raw := rest
	if i >= 0 {
		raw = rest[:i]
		r.pos += i + 1
	} else {
		r.pos = len(r.buf)
		eof = true
	}
	if bytes.IndexByte(raw, '\r') < 0 {
		return raw, eof
	}
	return bytes.ReplaceAll(raw, []byte{'\r'}, nil), eof
}

func (r *reader) take(n int) ([]byte, bool) {
	if n < 0 || len(r.buf)-r.pos < n {
		return nil, false
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	return b, true
}

// number parses a decimal field of digits only.
func number(s []byte) (int, bool) {
	if len(s) == 0 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(s))
	return n, err == nil
}

// Parse reads one document from the start of b and returns it with the number
// of bytes consumed, so that concatenated documents can be read in turn.
// It accepts what the vendor parser accepts: leading blank space, a trailing
// CRLF or nothing after END SIGNATURE, text after a line that starts with END
// SIGNATURE. Lengths count CRLF, so a document whose line ends were changed
// to LF is rejected; so is one whose message length L1 is 0, as the vendor
// parser refuses it (ErrFormat).
func Parse(b []byte) (*Document, int, error) {
	const op = "parse"
	r := &reader{buf: b}
	for r.pos < len(b) && (b[r.pos] == ' ' || b[r.pos] == '\t' || b[r.pos] == '\r' || b[r.pos] == '\n') {
		r.pos++
	}
	if r.pos == len(b) {
		return nil, 0, errorf(op, ErrNoData, "no document")
	}
	hdr, eof := r.line()
	if eof {
		return nil, 0, errorf(op, ErrNoData, "document truncated in the header")
	}
	if len(hdr) != headerLen {
		return nil, 0, errorf(op, ErrFormat, "header line has %d characters, want %d", len(hdr), headerLen)
	}
	l0, ok0 := number(hdr[0:8])
	l1, ok1 := number(hdr[12:20])
	l2, ok2 := number(hdr[20:28])
	l3, ok3 := number(hdr[28:36])
	if !ok0 || l0 <= 0 || !ok1 || !ok2 || !ok3 {
		return nil, 0, errorf(op, ErrFormat, "header length fields are not decimal numbers")
	}
	if l1 <= 0 {
		// An empty message: libipriv refuses it (armor.cpp, docsize <= 0 is
		// INVALID_FORMAT), however well it is signed.
		return nil, 0, errorf(op, ErrFormat, "message length L1 is 0 (an empty message)")
	}
	d := &Document{Version: string(hdr[8:10]), Type: Type(hdr[10:12]), Stripped: l2}
	var err error
	if d.UserID, d.Serial, err = idLine(r, "signer"); err != nil {
		return nil, 0, err
	}
	if d.UserID2, d.Serial2, err = idLine(r, "second"); err != nil {
		return nil, 0, err
	}
	if err := expectLine(r, "BEGIN"); err != nil {
		return nil, 0, err
	}
	body, ok := r.take(l1)
	if !ok {
		return nil, 0, errorf(op, ErrNoData, "document shorter than its message length %d", l1)
	}
	d.Body = body
	if err := expectLine(r, ""); err != nil {
		return nil, 0, errorf(op, ErrFormat, "message is not %d bytes followed by CRLF (line ends changed?)", l1)
	}
	if err := expectLine(r, "END"); err != nil {
		return nil, 0, err
	}
	if err := expectLine(r, "BEGIN SIGNATURE"); err != nil {
		return nil, 0, err
	}
	sig, ok := r.take(l3)
	if !ok {
		return nil, 0, errorf(op, ErrNoData, "document shorter than its signature length %d", l3)
	}
	d.Signature = sig
	if err := expectLine(r, ""); err != nil {
		return nil, 0, errorf(op, ErrFormat, "signature block is not %d bytes followed by CRLF (line ends changed?)", l3)
	}
	last, _ := r.line()
	if !bytes.HasPrefix(last, []byte("END SIGNATURE")) {
		return nil, 0, errorf(op, ErrFormat, "END SIGNATURE missing")
	}
	return d, r.pos, nil
}

func idLine(r *reader, which string) (string, uint32, error) {
	s, eof := r.line()
	if eof {
		return "", 0, errorf("parse", ErrNoData, "document truncated in the header")
	}
	if len(s) != idLineLen {
		return "", 0, errorf("parse", ErrFormat, "%s id line has %d characters, want %d", which, len(s), idLineLen)
	}
	serial, err := strconv.ParseUint(string(bytes.TrimLeft(s[20:], " ")), 10, 32)
	if err != nil {
		return "", 0, errorf("parse", ErrFormat, "%s serial %q is not a number", which, s[20:])
	}
	return string(bytes.TrimRight(s[:20], " ")), uint32(serial), nil
}

func expectLine(r *reader, want string) error {
	s, eof := r.line()
	if eof && len(s) == 0 {
		return errorf("parse", ErrNoData, "document truncated before %q", want)
	}
	if string(s) != want {
		if want == "" {
			return errorf("parse", ErrFormat, "expected an empty line, found %q", clip(s))
		}
		return errorf("parse", ErrFormat, "expected %q, found %q", want, clip(s))
	}
	return nil
}

func clip(s []byte) string {
	if len(s) > 40 {
		return string(s[:40]) + "…"
	}
	return string(s)
}

// ParseAll reads every document in b (a key file holds several).
func ParseAll(b []byte) ([]*Document, error) {
	var docs []*Document
	for len(bytes.Trim(b, " \t\r\n")) > 0 {
		d, n, err := Parse(b)
		if err != nil {
			return docs, err
		}
		docs = append(docs, d)
		b = b[n:]
	}
	if len(docs) == 0 {
		return nil, errorf("parse", ErrNoData, "no document")
	}
	return docs, nil
}
