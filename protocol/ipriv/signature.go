package ipriv

import (
	"bytes"
	"encoding/binary"
	"time"
)

// Signature classes.
const (
	ClassDocument      byte = 0x01 // a signed message (SM)
	ClassCertification byte = 0x10 // a key certification (NS)
)

const maxExtra = 32

// trustAfterSignature is the trust packet the vendor writes after a signature.
var trustAfterSignature = []byte{0xB0, 0x01, 0xC7}

// Signature is a parsed signature packet.
type Signature struct {
	Class  byte      // ClassDocument or ClassCertification
	Serial uint32    // serial of the signing key
	Time   time.Time // signing time (UTC, whole seconds)
	Hash   Hash
	Check  [2]byte // the first two bytes of the digest ("md_low")
	Value  []byte  // the RSA signature value as stored (may be shorter than the modulus)
	Extra  []byte  // the hashed extra data, normally 9 bytes
	Trust  bool    // whether a trust packet followed the signature
}

// parseSignatureBlock decodes a radix-64 signature block and returns its
// first signature packet. The vendor does not check the version byte and
// accepts extra data of up to 32 bytes.
func parseSignatureBlock(op string, text []byte) (*Signature, error) {
	bin, err := DecodeRadix(text)
	if err != nil {
		return nil, withOp(op, ErrRadix, err)
	}
	pkts, err := readPackets(bin)
	if err != nil {
		return nil, withOp(op, ErrPacket, err)
	}
	for i, p := range pkts {
		if p.tag != tagSignature {
			continue
		}
		s, err := parseSignature(op, p.body)
		if err != nil {
			return nil, err
		}
		s.Trust = i+1 < len(pkts) && pkts[i+1].tag == tagTrust
		return s, nil
	}
	return nil, errorf(op, ErrPacket, "no signature packet")
}

func parseSignature(op string, body []byte) (*Signature, error) {
	c := &cursor{b: body}
	c.u8() // version: not checked, as the vendor does
	n := int(c.u8())
	if n > maxExtra {
		return nil, errorf(op, ErrPacket, "signature extra data of %d bytes (at most %d)", n, maxExtra)
	}
	extra := c.bytes(n)
	alg := c.u8()
	h := Hash(c.u8())
	check := c.bytes(2)
	bits, val := c.mpi()
	if c.bad {
		return nil, errorf(op, ErrPacket, "signature packet truncated")
	}
	if alg != 1 {
		return nil, errorf(op, ErrUnknownAlg, "public-key algorithm %d is not RSA", alg)
	}
	if h != MD5 && h != SHA256 {
		return nil, errorf(op, ErrUnknownAlg, "hash algorithm %d", byte(h))
	}
	if bits == 0 {
		return nil, errorf(op, ErrKeyLen, "empty signature value")
	}
	s := &Signature{Hash: h, Value: val, Extra: extra}
	copy(s.Check[:], check)
	if n >= 1 {
		s.Class = extra[0]
	}
	if n >= 5 {
		s.Serial = binary.BigEndian.Uint32(extra[1:5])
	}
	if n >= 9 {
		s.Time = time.Unix(int64(binary.BigEndian.Uint32(extra[5:9])), 0).UTC()
	}
	return s, nil
}

// unixTime converts t to the uint32 seconds a packet holds.
func unixTime(op string, t time.Time) (uint32, error) {
	u := t.Unix()
	if u < 0 || u > 0xFFFFFFFF {
		return 0, errorf(op, ErrSign, "time %v does not fit a packet", t)
	}
	return uint32(u), nil
}

// makeSignature signs hashed (the data before extra) with key and returns the
// signature packet followed by the vendor's trust packet, as binary.
func makeSignature(op string, key *SecretKey, class byte, h Hash, t time.Time, hashed ...[]byte) ([]byte, error) {
	ts, err := unixTime(op, t)
	if err != nil {
		return nil, err
	}
	extra := make([]byte, 0, 9)
	extra = append(extra, class)
	extra = binary.BigEndian.AppendUint32(extra, key.Serial)
	extra = binary.BigEndian.AppendUint32(extra, ts)
	d, err := digest(h, append(hashed, extra)...)
	if err != nil {
		return nil, withOp(op, ErrUnknownAlg, err)
	}
	value, err := key.signDigest(h, d)
	if err != nil {
		return nil, withOp(op, ErrSign, err)
	}
	body := []byte{3, byte(len(extra))}
	body = append(body, extra...)
	body = append(body, 1, byte(h), d[0], d[1])
	// An MPI holds the integer: leading zero bytes go.
	value = bytes.TrimLeft(value, "\x00")
	bits := len(value)*8 - leadingZeroBits(value[0])
	body = append(body, byte(bits>>8), byte(bits))
	body = append(body, value...)
	out := appendPacket(nil, tagSignature, body)
	return append(out, trustAfterSignature...), nil
}

func leadingZeroBits(b byte) int {
	n := 0
	for mask := byte(0x80); mask != 0 && b&mask == 0; mask >>= 1 {
		n++
	}
	return n
}

// check verifies s over the hashed data with key's public values.
func (s *Signature) check(op string, key *PublicKey, hashed ...[]byte) error {
	d, err := digest(s.Hash, append(hashed, s.Extra)...)
	if err != nil {
		return withOp(op, ErrUnknownAlg, err)
	}
	if d[0] != s.Check[0] || d[1] != s.Check[1] {
		return errorf(op, ErrVerify, "signature does not match the document")
	}
	if err := verifyValue(key.N, key.E, s.Hash, d, s.Value); err != nil {
		return withOp(op, ErrVerify, err)
	}
	return nil
}

// Sign signs body with key at time t and returns the SM document, ending at
// END SIGNATURE with no trailing CRLF, exactly as the vendor library writes
// it. For the same key, body, hash and time the output is always the same.
// An empty body signs, as it does with the vendor library, but no reader
// accepts a document whose message length is 0 (see Parse).
func (k *SecretKey) Sign(body []byte, h Hash, t time.Time) ([]byte, error) {
	sig, err := k.SignDetached(body, h, t)
	if err != nil {
		return nil, err
	}
	d := &Document{Type: TypeSigned, UserID: k.UserID, Serial: k.Serial, Body: body, Stripped: len(body), Signature: sig}
	return d.Marshal(), nil
}

// SignDetached returns only the radix-64 signature block over body (no
// envelope), as the vendor's detached signing does.
func (k *SecretKey) SignDetached(body []byte, h Hash, t time.Time) ([]byte, error) {
	bin, err := makeSignature("sign", k, ClassDocument, h, t, body)
	if err != nil {
		return nil, err
	}
	return EncodeRadix(bin), nil
}

// Verify checks a signed document with key and returns it. Stricter than the
// vendor library, it requires an SM document whose header names key's serial,
// a document-class signature made with that serial, and then the RSA check.
// Only after it returns nil may the body be believed.
func (k *PublicKey) Verify(doc []byte) (*Document, *Signature, error) {
	const op = "verify"
	d, _, err := Parse(doc)
	if err != nil {
		return nil, nil, withOp(op, ErrFormat, err)
	}
	if d.Type != TypeSigned {
		return nil, nil, errorf(op, ErrDocType, "document type %q is not SM", d.Type)
	}
	sig, err := parseSignatureBlock(op, d.Signature)
	if err != nil {
		return nil, nil, err
	}
	if sig.Serial != k.Serial || d.Serial != k.Serial {
		return nil, nil, errorf(op, ErrVerify, "signed by key %d (header %d), not by key %d", sig.Serial, d.Serial, k.Serial)
	}
	if sig.Class != ClassDocument {
		return nil, nil, errorf(op, ErrVerify, "signature class 0x%02x is not a document signature", sig.Class)
	}
	if err := sig.check(op, k, d.Body); err != nil {
		return nil, nil, err
	}
	return d, sig, nil
}

// VerifyDetached checks a detached radix-64 signature block over body.
func (k *PublicKey) VerifyDetached(body, block []byte) (*Signature, error) {
	const op = "verify detached"
	sig, err := parseSignatureBlock(op, block)
	if err != nil {
		return nil, err
	}
	if sig.Serial != k.Serial {
		return nil, errorf(op, ErrVerify, "signed by key %d, not by key %d", sig.Serial, k.Serial)
	}
	if sig.Class != ClassDocument {
		return nil, errorf(op, ErrVerify, "signature class 0x%02x is not a document signature", sig.Class)
	}
	if err := sig.check(op, k, body); err != nil {
		return nil, err
	}
	return sig, nil
}

// ReadSignature parses the signature block of a document without verifying
// it, to learn who signed it, when and with which hash.
func ReadSignature(d *Document) (*Signature, error) {
	return parseSignatureBlock("read signature", d.Signature)
}
