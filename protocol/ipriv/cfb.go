package ipriv

import "crypto/cipher"

// cfb is PGP 2.x's 64-bit CFB mode: both directions run the block cipher's
// encryption, ciphertext is fed back, a keystream block may be consumed
// across calls, and resync realigns the register at an MPI boundary.
type cfb struct {
	b    cipher.Block
	reg  [8]byte // the register; holds the current block's ciphertext so far
	prev [8]byte // the previous ciphertext block
	ks   [8]byte // keystream for the current block
	used int     // keystream bytes used of the current block (8 = none left)
}

func newCFB(b cipher.Block) *cfb { return &cfb{b: b, used: 8} }

func (c *cfb) step() {
	if c.used == 8 {
		c.prev = c.reg
		c.b.Encrypt(c.ks[:], c.reg[:])
		c.used = 0
	}
}

// encrypt XORs src into dst, feeding the ciphertext back.
func (c *cfb) encrypt(dst, src []byte) {
	for i, p := range src {
		c.step()
		x := p ^ c.ks[c.used]
		c.reg[c.used] = x
		c.used++
		dst[i] = x
	}
}

// decrypt XORs src into dst, feeding the ciphertext (src) back.
func (c *cfb) decrypt(dst, src []byte) {
	for i, x := range src {
		c.step()
		dst[i] = x ^ c.ks[c.used]
		c.reg[c.used] = x
		c.used++
	}
}

// resync makes the register the last 8 ciphertext bytes processed when the
// current keystream block was only partly used, so that the next byte starts
// a fresh block; when already aligned it does nothing.
func (c *cfb) resync() {
	k := c.used
	if k == 0 || k == 8 {
		return
	}
	var r [8]byte
	copy(r[:], c.prev[k:])
	copy(r[8-k:], c.reg[:k])
	c.reg = r
	c.used = 8
}
