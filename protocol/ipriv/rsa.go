package ipriv

import (
	"bytes"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"hash"
	"math/big"
)

// Hash is the hash algorithm byte of a signature packet.
type Hash byte

// The hash algorithms the network uses. Note that the vendor's C API selects
// SHA-256 with the constant 2, but the byte written in the packet is 8.
const (
	MD5    Hash = 1 // the default, what dealers use
	SHA256 Hash = 8
)

// String returns "md5" or "sha256".
func (h Hash) String() string {
	switch h {
	case MD5:
		return "md5"
	case SHA256:
		return "sha256"
	}
	return fmt.Sprintf("hash(%d)", byte(h))
}

// ParseHash reads "md5" or "sha256" (as in configuration and the CLI).
func ParseHash(s string) (Hash, error) {
	switch s {
	case "md5", "MD5", "":
		return MD5, nil
	case "sha256", "SHA256", "sha-256", "SHA-256":
		return SHA256, nil
	}
	return 0, errorf("parse hash", ErrUnknownAlg, "hash %q is not md5 or sha256", s)
}

var digestInfo = map[Hash][]byte{
	MD5:    {0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10},
	SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
}

func (h Hash) new() (hash.Hash, crypto.Hash, bool) {
	switch h {
	case MD5:
		return md5.New(), crypto.MD5, true
	case SHA256:
		return sha256.New(), crypto.SHA256, true
	}
	return nil, 0, false
}

// digest hashes the parts in order with h.
func digest(h Hash, parts ...[]byte) ([]byte, error) {
	hh, _, ok := h.new()
	if !ok {
		return nil, errorf("hash", ErrUnknownAlg, "hash algorithm %d", byte(h))
	}
	for _, p := range parts {
		hh.Write(p)
	}
	return hh.Sum(nil), nil
}

// encodeEM builds the PKCS#1 v1.5 block 00 01 FF.. 00 DigestInfo digest of k bytes.
func encodeEM(h Hash, d []byte, k int) ([]byte, error) {
	prefix := digestInfo[h]
	tLen := len(prefix) + len(d)
	if k < tLen+11 {
		return nil, errorf("encode", ErrKeyLen, "a %d-byte modulus is too short for %s", k, h)
	}
	em := make([]byte, k)
	em[1] = 1
	for i := 2; i < k-tLen-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-tLen:], prefix)
	copy(em[k-len(d):], d)
	return em, nil
}

// modulusBytes is k, the modulus length in bytes.
func modulusBytes(n *big.Int) int { return (n.BitLen() + 7) / 8 }

// verifyValue checks a signature value (an MPI, possibly shorter than the
// modulus: it is left-padded) against digest d with math/big.
func verifyValue(n *big.Int, e int, h Hash, d, value []byte) error {
	k := modulusBytes(n)
	if len(value) > k {
		return errorf("verify", ErrVerify, "signature value longer than the modulus")
	}
	s := new(big.Int).SetBytes(value)
	if s.Sign() == 0 || s.Cmp(n) >= 0 {
		return errorf("verify", ErrVerify, "signature value out of range")
	}
	want, err := encodeEM(h, d, k)
	if err != nil {
		return err
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(e)), n)
	if !bytes.Equal(m.FillBytes(make([]byte, k)), want) {
		return errorf("verify", ErrVerify, "signature does not match the document")
	}
	return nil
}

// signDigest returns the signature value, k bytes, for digest d.
// Keys of 1024 bits and more go through crypto/rsa; smaller ones through a
// blinded CRT computation whose result is verified before it is returned.
func (k *SecretKey) signDigest(h Hash, d []byte) ([]byte, error) {
	_, ch, ok := h.new()
	if !ok {
		return nil, errorf("sign", ErrUnknownAlg, "hash algorithm %d", byte(h))
	}
	if k.priv != nil {
		s, err := rsa.SignPKCS1v15(nil, k.priv, ch, d)
		if err != nil {
			return nil, &Error{Op: "sign", Kind: ErrSign, Err: err}
		}
		return s, nil
	}
	return k.signSmall(h, d)
}

func (k *SecretKey) signSmall(h Hash, d []byte) ([]byte, error) {
	n := k.N
	size := modulusBytes(n)
	em, err := encodeEM(h, d, size)
	if err != nil {
		return nil, err
	}
	m := new(big.Int).SetBytes(em)
	// Blind: c = m·r^e mod n, so the private exponent never meets m itself.
	var r, rInv *big.Int
	for {
		r, err = rand.Int(rand.Reader, n)
		if err != nil {
			return nil, &Error{Op: "sign", Kind: ErrSign, Err: err}
		}
		if r.Sign() == 0 {
			continue
		}
		if rInv = new(big.Int).ModInverse(r, n); rInv != nil {
			break
		}
	}
	e := big.NewInt(int64(k.E))
	c := new(big.Int).Exp(r, e, n)
	c.Mul(c, m).Mod(c, n)
	// CRT with the precomputed values.
	s1 := new(big.Int).Exp(new(big.Int).Mod(c, k.P), k.dp, k.P)
	s2 := new(big.Int).Exp(new(big.Int).Mod(c, k.Q), k.dq, k.Q)
	t := new(big.Int).Sub(s1, s2)
	t.Mul(t, k.qInv).Mod(t, k.P)
	s := t.Mul(t, k.Q).Add(t, s2)
	s.Mul(s, rInv).Mod(s, n)
	// Check the result: a fault here must not leak the key or a bad signature.
	if new(big.Int).Exp(s, e, n).Cmp(m) != 0 {
		return nil, errorf("sign", ErrSign, "signature self-check failed")
	}
	return s.FillBytes(make([]byte, size)), nil
}
