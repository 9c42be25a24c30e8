package ipriv

import (
	"encoding/binary"
	"math/big"
)

// Packet tags (PGP 2.x old format).
const (
	tagSignature = 2
	tagSecretKey = 5
	tagPublicKey = 6
	tagTrust     = 12
	tagUserID    = 13
)

// packet is one parsed packet: its tag, the raw bytes including the header
// (certifications hash the key packet with its header), and the body.
type packet struct {
	tag  byte
	raw  []byte
	body []byte
}

// readPackets splits binary data into packets. Any legal length type is
// accepted; packets of unknown tags are returned too and callers skip them.
func readPackets(b []byte) ([]packet, error) {
	const op = "read packets"
	var out []packet
	for len(b) > 0 {
		h := b[0]
		if h&0x80 == 0 || h&0x40 != 0 {
			return nil, errorf(op, ErrPacket, "bad packet header byte 0x%02x", h)
		}
		tag := (h >> 2) & 0x0f
		var n, hl int
		switch h & 3 {
		case 0:
			if len(b) < 2 {
				return nil, errorf(op, ErrPacket, "packet header truncated")
			}
			n, hl = int(b[1]), 2
		case 1:
			if len(b) < 3 {
				return nil, errorf(op, ErrPacket, "packet header truncated")
			}
			n, hl = int(binary.BigEndian.Uint16(b[1:])), 3
		case 2:
			if len(b) < 5 {
				return nil, errorf(op, ErrPacket, "packet header truncated")
			}
			v := binary.BigEndian.Uint32(b[1:])
			if v > uint32(len(b)) {
				return nil, errorf(op, ErrPacket, "packet length %d exceeds the data", v)
			}
			n, hl = int(v), 5
		default:
			return nil, errorf(op, ErrPacket, "indeterminate packet length")
		}
		if len(b)-hl < n {
			return nil, errorf(op, ErrPacket, "packet length %d exceeds the data", n)
		}
		out = append(out, packet{tag: tag, raw: b[:hl+n], body: b[hl : hl+n]})
		b = b[hl+n:]
	}
	return out, nil
}

// appendPacket writes a packet as the vendor does: a one-byte length for
// trust and userid packets, a two-byte length for the others.
func appendPacket(dst []byte, tag byte, body []byte) []byte {
	if tag == tagTrust || tag == tagUserID {
		if len(body) > 0xff {
			panic("ipriv: short packet too long")
		}
		dst = append(dst, 0x80|tag<<2, byte(len(body)))
	} else {
		if len(body) > 0xffff {
			panic("ipriv: packet too long")
		}
		dst = append(dst, 0x80|tag<<2|1, byte(len(body)>>8), byte(len(body)))
	}
	return append(dst, body...)
}

// cursor reads fields of a packet body.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) bytes(n int) []byte {
	if c.bad || n < 0 || len(c.b) < n {
		c.bad = true
		return nil
	}
	v := c.b[:n]
	c.b = c.b[n:]
	return v
}

func (c *cursor) u8() byte {
	if v := c.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if v := c.bytes(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if v := c.bytes(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

// mpi reads an MPI: a two-byte bit count and ceil(bits/8) bytes. It returns
// the value bytes as stored (not copied).
func (c *cursor) mpi() (bits int, val []byte) {
	bits = int(c.u16())
	val = c.bytes((bits + 7) / 8)
	return bits, val
}

// appendMPI writes x as an MPI.
func appendMPI(dst []byte, x *big.Int) []byte {
	bits := x.BitLen()
	dst = append(dst, byte(bits>>8), byte(bits))
	return append(dst, x.Bytes()...)
}
