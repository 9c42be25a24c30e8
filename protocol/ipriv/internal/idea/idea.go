// Package idea implements the IDEA block cipher (Lai and Massey, 1991), which
// PGP 2.x and CyberPlat's libipriv use to protect secret keys. Neither the
// standard library nor golang.org/x/crypto has it. IDEA is obsolete; it is
// here only to read and write the vendor's key files.
package idea

import (
	"crypto/cipher"
	"encoding/binary"
	"strconv"
)

// BlockSize is IDEA's block size in bytes.
const BlockSize = 8

// KeySize is IDEA's key size in bytes.
const KeySize = 16

const rounds = 8

type block struct {
	ek [52]uint16 // encryption subkeys
	dk [52]uint16 // decryption subkeys
}

// KeySizeError reports a key of the wrong length.
type KeySizeError int

func (k KeySizeError) Error() string {
	return "idea: invalid key size " + strconv.Itoa(int(k))
}

// NewCipher returns an IDEA cipher.Block for a 16-byte key.
func NewCipher(key []byte) (cipher.Block, error) {
	if len(key) != KeySize {
		return nil, KeySizeError(len(key))
	}
	b := &block{}
	expand(key, &b.ek)
	invert(&b.ek, &b.dk)
	return b, nil
}

func (b *block) BlockSize() int { return BlockSize }

func (b *block) Encrypt(dst, src []byte) { crypt(&b.ek, dst, src) }

func (b *block) Decrypt(dst, src []byte) { crypt(&b.dk, dst, src) }

// expand derives the 52 encryption subkeys: eight 16-bit words at a time,
// rotating the 128-bit key left by 25 bits between groups.
func expand(key []byte, ek *[52]uint16) {
	hi := binary.BigEndian.Uint64(key[0:8])
	lo := binary.BigEndian.Uint64(key[8:16])
	for i := 0; i < 52; i++ {
		j := i % 8
		if i > 0 && j == 0 {
			hi, lo = hi<<25|lo>>39, lo<<25|hi>>39
		}
		if j < 4 {
			ek[i] = uint16(hi >> (48 - 16*j))
		} else {
			ek[i] = uint16(lo >> (48 - 16*(j-4)))
		}
	}
}

// mul multiplies modulo 65537, with 0 standing for 65536.
func mul(a, b uint16) uint16 {
	if a == 0 {
		return 1 - b
	}
	if b == 0 {
		return 1 - a
	}
	p := uint32(a) * uint32(b)
	lo, hi := uint16(p), uint16(p>>16)
	r := lo - hi
	if lo < hi {
		r++
	}
	return r
}

// mulInv is the multiplicative inverse modulo 65537 (0 stands for 65536).
func mulInv(x uint16) uint16 {
	if x <= 1 {
		return x // 0 (65536 = -1) and 1 are their own inverses
	}
	// Fermat: x^(p-2) mod p for the prime p = 65537.
	const p = 65537
	r, b := uint64(1), uint64(x)
	for e := uint64(p - 2); e > 0; e >>= 1 {
		if e&1 == 1 {
			r = r * b % p
		}
		b = b * b % p
	}
	return uint16(r)
}

// invert derives the decryption subkeys, filled from the end as PGP does.
func invert(ek, dk *[52]uint16) {
	in := 0
	next := func() uint16 { v := ek[in]; in++; return v }
	out := 52
	put := func(v uint16) { out--; dk[out] = v }

	t1, t2, t3 := mulInv(next()), -next(), -next()
	put(mulInv(next()))
	put(t3)
	put(t2)
	put(t1)
	for i := 0; i < rounds-1; i++ {
		t1 = next()
		put(next())
		put(t1)
		t1, t2, t3 = mulInv(next()), -next(), -next()
		put(mulInv(next()))
		put(t2)
		put(t3)
		put(t1)
	}
	t1 = next()
	put(next())
	put(t1)
	t1, t2, t3 = mulInv(next()), -next(), -next()
	put(mulInv(next()))
	put(t3)
	put(t2)
	put(t1)
}

func crypt(k *[52]uint16, dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("idea: input not full block")
	}
	x1 := binary.BigEndian.Uint16(src[0:])
	x2 := binary.BigEndian.Uint16(src[2:])
	x3 := binary.BigEndian.Uint16(src[4:])
	x4 := binary.BigEndian.Uint16(src[6:])
	for r := 0; r < rounds; r++ {
		s := k[6*r : 6*r+6]
		x1 = mul(x1, s[0])
		x2 += s[1]
		x3 += s[2]
		x4 = mul(x4, s[3])
		t2 := mul(x1^x3, s[4])
		t1 := mul(t2+(x2^x4), s[5])
		t2 += t1
		x1 ^= t1
		x4 ^= t2
		t2 ^= x2
		x2 = x3 ^ t1
		x3 = t2
	}
	binary.BigEndian.PutUint16(dst[0:], mul(x1, k[48]))
	binary.BigEndian.PutUint16(dst[2:], x3+k[49])
	binary.BigEndian.PutUint16(dst[4:], x2+k[50])
	binary.BigEndian.PutUint16(dst[6:], mul(x4, k[51]))
}
