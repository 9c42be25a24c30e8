package ipriv

import (
	"crypto/hkdf"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/big"
	"time"

	"paydesk/protocol/ipriv/internal/idea"
)

// Key size limits: the vendor's 2048-bit build accepts moduli from 508 to
// 2048 bits.
const (
	MinBits = 508
	MaxBits = 2048
)

// Trust bytes the vendor writes in NS documents.
var (
	trustAfterKey    = []byte{0xB0, 0x01, 0x87}
	trustAfterUserID = []byte{0xB0, 0x01, 0x03}
)

// PublicKey is an RSA public key with its IPRIV identity and, when loaded
// from an NS document, its certification.
type PublicKey struct {
	Serial  uint32
	UserID  string // the owner, as on header line 2
	Created time.Time
	N       *big.Int
	E       int

	// CertifierID and CertifierSerial name the certifying key (header line
	// 3 of the NS document); Certification is its signature, nil if none.
	CertifierID     string
	CertifierSerial uint32
	Certification   *Signature

	packet []byte // the key packet with its header, as certified
}

// Bits returns the modulus size.
func (k *PublicKey) Bits() int { return k.N.BitLen() }

// SelfCertified reports whether the key is certified by its own serial.
func (k *PublicKey) SelfCertified() bool {
	return k.Certification != nil && k.CertifierSerial == k.Serial
}

// keyPacketBody writes the public part shared by key packets.
func (k *PublicKey) keyPacketBody() []byte {
	b := []byte{3}
	b = binary.BigEndian.AppendUint32(b, k.Serial)
	b = binary.BigEndian.AppendUint32(b, uint32(k.Created.Unix()))
	b = append(b, 0, 0, 1)
	b = appendMPI(b, k.N)
	return appendMPI(b, big.NewInt(int64(k.E)))
}

// parsePublicPart reads the fields shared by public and secret key packets.
func parsePublicPart(op string, c *cursor) (*PublicKey, error) {
	c.u8() // version
	serial := c.u32()
	created := c.u32()
	c.u16() // validity days
	alg := c.u8()
	nBits, nb := c.mpi()
	eBits, eb := c.mpi()
	if c.bad {
		return nil, errorf(op, ErrPacket, "key packet truncated")
	}
	if alg != 1 {
		return nil, errorf(op, ErrUnknownAlg, "public-key algorithm %d is not RSA", alg)
	}
	if nBits < MinBits || nBits > MaxBits {
		return nil, errorf(op, ErrKeyLen, "modulus of %d bits (supported: %d to %d)", nBits, MinBits, MaxBits)
	}
	if eBits == 0 || eBits > 32 {
		return nil, errorf(op, ErrKeyLen, "public exponent of %d bits", eBits)
	}
	n := new(big.Int).SetBytes(nb)
	e := new(big.Int).SetBytes(eb)
	if n.BitLen() != nBits || e.BitLen() != eBits || e.Int64() < 3 || e.Bit(0) == 0 {
		return nil, errorf(op, ErrInvalidKey, "malformed modulus or exponent")
	}
	return &PublicKey{Serial: serial, Created: time.Unix(int64(created), 0).UTC(), N: n, E: int(e.Int64())}, nil
}

// decodeKeyBody decodes an NS or NM document's armored body and checks L2.
func decodeKeyBody(op string, d *Document) ([]packet, error) {
	bin, err := DecodeRadix(d.Body)
	if err != nil {
		return nil, withOp(op, ErrRadix, err)
	}
	if len(bin) != d.Stripped {
		return nil, errorf(op, ErrFormat, "key data is %d bytes, header says %d", len(bin), d.Stripped)
	}
	pkts, err := readPackets(bin)
	if err != nil {
		return nil, withOp(op, ErrPacket, err)
	}
	return pkts, nil
}

// parsePublicDocument reads an NS document.
func parsePublicDocument(d *Document) (*PublicKey, error) {
	const op = "load public key"
	pkts, err := decodeKeyBody(op, d)
	if err != nil {
		return nil, err
	}
	var k *PublicKey
	for _, p := range pkts {
		if p.tag == tagPublicKey {
			if k, err = parsePublicPart(op, &cursor{b: p.body}); err != nil {
				return nil, err
			}
			k.packet = p.raw
			break
		}
	}
	if k == nil {
		return nil, errorf(op, ErrPacket, "no public-key packet in document for key %d", d.Serial)
	}
	k.UserID = d.UserID
	k.CertifierID, k.CertifierSerial = d.UserID2, d.Serial2
	if len(d.Signature) > 0 {
		if k.Certification, err = parseSignatureBlock(op, d.Signature); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// VerifyCertification checks k's certification with the certifier's key ca
// (for a self-certified key, ca may be k itself). The hash covers the key
// packet with its header, the owner's userid from header line 2 and the
// signature's extra data.
func (k *PublicKey) VerifyCertification(ca *PublicKey) error {
	const op = "verify certification"
	c := k.Certification
	if c == nil {
		return errorf(op, ErrVerify, "key %d carries no certification", k.Serial)
	}
	if c.Class != ClassCertification {
		return errorf(op, ErrVerify, "signature class 0x%02x is not a certification", c.Class)
	}
	if c.Serial != ca.Serial {
		return errorf(op, ErrVerify, "key %d is certified by key %d, not by key %d", k.Serial, c.Serial, ca.Serial)
	}
	return c.check(op, ca, k.packet, []byte(k.UserID))
}

// MarshalCertified writes k as an NS document certified by certifier at time
// t (certifier may be k's own secret key: a self-certification), followed by
// one CRLF as the vendor's tools write key files. With a nil certifier the
// document is uncertified.
func (k *PublicKey) MarshalCertified(certifier *SecretKey, t time.Time) ([]byte, error) {
	const op = "export public key"
	if err := checkUserID(op, k.UserID); err != nil {
		return nil, err
	}
	keyPkt := appendPacket(nil, tagPublicKey, k.keyPacketBody())
	bin := append([]byte{}, keyPkt...)
	bin = append(bin, trustAfterKey...)
	bin = appendPacket(bin, tagUserID, []byte(k.UserID))
	bin = append(bin, trustAfterUserID...)
	d := &Document{Type: TypePublic, UserID: k.UserID, Serial: k.Serial, Body: EncodeRadix(bin), Stripped: len(bin)}
	if certifier != nil {
		sig, err := makeSignature(op, certifier, ClassCertification, MD5, t, keyPkt, []byte(k.UserID))
		if err != nil {
			return nil, err
		}
		d.UserID2, d.Serial2 = certifier.UserID, certifier.Serial
		d.Signature = EncodeRadix(sig)
	}
	return append(d.Marshal(), '\r', '\n'), nil
}

func checkUserID(op, id string) error {
	if id == "" || len(id) > maxUserID {
		return errorf(op, ErrInvalidKey, "userid %q must have 1 to %d characters", id, maxUserID)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return errorf(op, ErrInvalidKey, "userid %q must be printable ASCII", id)
		}
	}
	return nil
}

// Keyring is the content of a public key file: NS documents in file order.
type Keyring struct {
	Keys []*PublicKey
}

// ParseKeyring reads every NS document in b; documents of other types are
// skipped as the vendor does.
func ParseKeyring(b []byte) (*Keyring, error) {
	docs, err := ParseAll(b)
	if err != nil {
		return nil, withOp("load public keys", ErrFormat, err)
	}
	r := &Keyring{}
	for _, d := range docs {
		if d.Type != TypePublic {
			continue
		}
		k, err := parsePublicDocument(d)
		if err != nil {
			return nil, err
		}
		r.Keys = append(r.Keys, k)
	}
	if len(r.Keys) == 0 {
		return nil, errorf("load public keys", ErrKeyNotFound, "the file holds no public key")
	}
	return r, nil
}

// Find returns the first key with the serial; serial 0 means the first key.
func (r *Keyring) Find(serial uint32) (*PublicKey, error) {
	for _, k := range r.Keys {
		if serial == 0 || k.Serial == serial {
			return k, nil
		}
	}
	return nil, errorf("find public key", ErrKeyNotFound, "no public key with serial %d", serial)
}

// CheckCertification verifies k's certification with its certifier's key
// when that key is in the ring. It returns ErrKeyNotFound when the certifier
// is not there, ErrVerify when the certification is wrong or missing.
func (r *Keyring) CheckCertification(k *PublicKey) error {
	if k.Certification == nil {
		return errorf("verify certification", ErrVerify, "key %d carries no certification", k.Serial)
	}
	var cands []*PublicKey
	for _, c := range r.Keys {
		if c.Serial == k.Certification.Serial {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return errorf("verify certification", ErrKeyNotFound, "certifier key %d of key %d is not in the file", k.Certification.Serial, k.Serial)
	}
	var err error
	for _, c := range cands { // the same serial may occur twice (test keys)
		if err = k.VerifyCertification(c); err == nil {
			return nil
		}
	}
	return err
}

// SecretKey is an RSA private key with its IPRIV identity. P < Q and
// U = P⁻¹ mod Q, as PGP 2.x stores them.
type SecretKey struct {
	PublicKey
	D, P, Q, U *big.Int

	dp, dq, qInv *big.Int        // CRT values for the small-key path
	priv         *rsa.PrivateKey // set for keys of 1024 bits and more
}

// Public returns the public half.
func (k *SecretKey) Public() *PublicKey {
	p := k.PublicKey
	return &p
}

// init checks the key's values and prepares the signing state.
func (k *SecretKey) init(op string) error {
	one := big.NewInt(1)
	if new(big.Int).Mul(k.P, k.Q).Cmp(k.N) != 0 {
		return errorf(op, ErrInvalidKey, "p·q is not the modulus")
	}
	if k.P.Cmp(k.Q) >= 0 {
		return errorf(op, ErrInvalidKey, "p is not smaller than q")
	}
	if u := new(big.Int).ModInverse(k.P, k.Q); u == nil || u.Cmp(k.U) != 0 {
		return errorf(op, ErrInvalidKey, "u is not p⁻¹ mod q")
	}
	pm1 := new(big.Int).Sub(k.P, one)
	qm1 := new(big.Int).Sub(k.Q, one)
	e := big.NewInt(int64(k.E))
	k.dp = new(big.Int).Mod(k.D, pm1)
	k.dq = new(big.Int).Mod(k.D, qm1)
	// e·d ≡ 1 modulo p−1 and q−1, else signatures would be wrong.
	if new(big.Int).Mul(e, k.dp).Mod(new(big.Int).Mul(e, k.dp), pm1).Cmp(one) != 0 ||
		new(big.Int).Mul(e, k.dq).Mod(new(big.Int).Mul(e, k.dq), qm1).Cmp(one) != 0 {
		return errorf(op, ErrInvalidKey, "d does not match e")
	}
	k.qInv = new(big.Int).ModInverse(k.Q, k.P)
	k.priv = nil
	if k.N.BitLen() >= 1024 {
		pk := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: k.N, E: k.E},
			D:         k.D,
			Primes:    []*big.Int{k.Q, k.P},
		}
		if err := pk.Validate(); err != nil {
			return &Error{Op: op, Kind: ErrInvalidKey, Err: err}
		}
		pk.Precompute()
		k.priv = pk
	}
	return nil
}

// readSecretPacket finds the first NM document in b and reads the public
// part of its secret-key packet; the cursor is left at the cipher byte.
func readSecretPacket(op string, b []byte) (*PublicKey, *cursor, error) {
	docs, err := ParseAll(b)
	if err != nil {
		return nil, nil, withOp(op, ErrFormat, err)
	}
	var d *Document
	for _, x := range docs {
		if x.Type == TypeSecret {
			d = x
			break
		}
	}
	if d == nil {
		return nil, nil, errorf(op, ErrDocType, "the file holds no secret key (NM document)")
	}
	pkts, err := decodeKeyBody(op, d)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range pkts {
		if p.tag == tagSecretKey {
			c := &cursor{b: p.body}
			pub, err := parsePublicPart(op, c)
			if err != nil {
				return nil, nil, err
			}
			pub.UserID = d.UserID
			return pub, c, nil
		}
	}
	return nil, nil, errorf(op, ErrPacket, "no secret-key packet")
}

// PeekSecretKey reads the public half of the first secret key in b without
// the passphrase, and tells whether its secret values are encrypted.
func PeekSecretKey(b []byte) (pub *PublicKey, encrypted bool, err error) {
	pub, c, err := readSecretPacket("read secret key", b)
	if err != nil {
		return nil, false, err
	}
	return pub, c.u8() != 0, nil
}

// ParseSecretKey reads the first NM document in b and opens it with the
// passphrase. An IDEA-encrypted key needs the right passphrase; a key stored
// in clear opens only with an empty one (the vendor's rule). A wrong
// passphrase is detected by the checksum, or by the values it opens not
// being a key, and reported as ErrPassphrase.
func ParseSecretKey(b []byte, passphrase []byte) (*SecretKey, error) {
	const op = "load secret key"
	pub, c, err := readSecretPacket(op, b)
	if err != nil {
		return nil, err
	}
	k := &SecretKey{PublicKey: *pub}

	cipherByte := c.u8()
	var stream *cfb
	switch cipherByte {
	case 0:
		if len(passphrase) > 0 {
			return nil, errorf(op, ErrPassphrase, "the key is not encrypted; give an empty passphrase")
		}
	case 1:
		if len(passphrase) == 0 {
			return nil, errorf(op, ErrPassphrase, "the key is encrypted; a passphrase is needed")
		}
		sum := md5.Sum(passphrase)
		blk, _ := idea.NewCipher(sum[:])
		stream = newCFB(blk)
		iv := c.bytes(8)
		if iv != nil {
			stream.decrypt(make([]byte, 8), iv)
		}
	default:
		return nil, errorf(op, ErrUnknownAlg, "cipher %d (only IDEA is known)", cipherByte)
	}
	var checksum uint16
	vals := make([]*big.Int, 4)
	for i := range vals {
		bits, enc := c.mpi()
		if c.bad {
			return nil, errorf(op, ErrPacket, "secret-key packet truncated")
		}
		if bits == 0 {
			return nil, errorf(op, ErrKeyLen, "empty secret value")
		}
		plain := enc
		if stream != nil {
			stream.resync()
			plain = make([]byte, len(enc))
			stream.decrypt(plain, enc)
		}
		checksum += uint16(bits>>8) + uint16(bits&0xff)
		for _, x := range plain {
			checksum += uint16(x)
		}
		vals[i] = new(big.Int).SetBytes(plain)
	}
	stored := c.u16()
	if c.bad {
		return nil, errorf(op, ErrPacket, "secret-key packet truncated before the checksum")
	}
	if stored != checksum {
		return nil, errorf(op, ErrPassphrase, "wrong passphrase (checksum mismatch)")
	}
	k.D, k.P, k.Q, k.U = vals[0], vals[1], vals[2], vals[3]
	if err := k.init(op); err != nil {
		if stream != nil {
			// The 16-bit sum lets about one wrong passphrase in 65 536
			// through; what it opens is then no key: a wrong passphrase
			// far likelier than a file broken under a right checksum.
			return nil, errorf(op, ErrPassphrase, "wrong passphrase (the values it opens are not a key: %v)", err)
		}
		return nil, err
	}
	return k, nil
}

// Marshal writes k as an NM document followed by one CRLF, as the vendor's
// key generator does. A non-empty passphrase encrypts the secret values with
// IDEA-CFB under MD5(passphrase), with a random IV from rnd (crypto/rand when
// nil); an empty one stores them in clear.
func (k *SecretKey) Marshal(passphrase []byte, rnd io.Reader) ([]byte, error) {
	const op = "export secret key"
	if err := checkUserID(op, k.UserID); err != nil {
		return nil, err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	body := k.keyPacketBody()
	var stream *cfb
	if len(passphrase) == 0 {
		body = append(body, 0)
	} else {
		sum := md5.Sum(passphrase)
		blk, _ := idea.NewCipher(sum[:])
		stream = newCFB(blk)
		iv := make([]byte, 8)
		if _, err := io.ReadFull(rnd, iv); err != nil {
			return nil, &Error{Op: op, Kind: ErrGenKey, Err: err}
		}
		stream.encrypt(iv, iv)
		body = append(body, 1)
		body = append(body, iv...)
	}
	var checksum uint16
	for _, v := range []*big.Int{k.D, k.P, k.Q, k.U} {
		bits := v.BitLen()
		plain := v.Bytes()
		checksum += uint16(bits>>8) + uint16(bits&0xff)
		for _, x := range plain {
			checksum += uint16(x)
		}
		body = append(body, byte(bits>>8), byte(bits))
		if stream != nil {
			stream.resync()
			enc := make([]byte, len(plain))
			stream.encrypt(enc, plain)
			plain = enc
		}
		body = append(body, plain...)
	}
	body = binary.BigEndian.AppendUint16(body, checksum)
	bin := appendPacket(nil, tagSecretKey, body)
	bin = appendPacket(bin, tagUserID, []byte(k.UserID))
	d := &Document{Type: TypeSecret, UserID: k.UserID, Serial: k.Serial, Body: EncodeRadix(bin), Stripped: len(bin)}
	return append(d.Marshal(), '\r', '\n'), nil
}

// GenerateKey makes a key pair as the vendor's key generator does: an RSA
// modulus of exactly bits bits (1024 or 2048) with e = 65537, primes ordered
// p < q, u = p⁻¹ mod q, the given serial and userid (such as "api17032") and
// creation time. The new key signs and verifies a test message before it is
// returned.
func GenerateKey(rnd io.Reader, bits int, serial uint32, userID string, created time.Time) (*SecretKey, error) {
	const op = "generate key"
	if bits != 1024 && bits != 2048 {
		return nil, errorf(op, ErrKeyLen, "key size %d (choose 1024 or 2048)", bits)
	}
	if serial == 0 {
		return nil, errorf(op, ErrGenKey, "serial must not be 0")
	}
	if err := checkUserID(op, userID); err != nil {
		return nil, err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	rk, err := rsa.GenerateKey(rnd, bits)
	if err != nil {
		return nil, &Error{Op: op, Kind: ErrGenKey, Err: err}
	}
	p, q := rk.Primes[0], rk.Primes[1]
	if p.Cmp(q) > 0 {
		p, q = q, p
	}
	k := &SecretKey{
		PublicKey: PublicKey{Serial: serial, UserID: userID, Created: created.UTC().Truncate(time.Second), N: rk.N, E: rk.E},
		D:         rk.D, P: p, Q: q, U: new(big.Int).ModInverse(p, q),
	}
	if err := k.init(op); err != nil {
		return nil, err
	}
	msg := []byte("PayDesk key self-test")
	doc, err := k.Sign(msg, MD5, created)
	if err != nil {
		return nil, withOp(op, ErrGenKey, err)
	}
	if _, _, err := k.Public().Verify(doc); err != nil {
		return nil, withOp(op, ErrGenKey, err)
	}
	return k, nil
}

// Derive returns n bytes derived from the secret key (HKDF-SHA256 over its
// private exponent) for the purpose label names: a key for another job that
// only the holder of this secret key, and so of its passphrase, can make.
// Different labels give unrelated keys.
func (k *SecretKey) Derive(label string, n int) ([]byte, error) {
	if k == nil || k.D == nil {
		return nil, &Error{Op: "derive", Kind: ErrInvalidKey}
	}
	return hkdf.Key(sha256.New, k.D.Bytes(), nil, "ipriv derive: "+label, n)
}
