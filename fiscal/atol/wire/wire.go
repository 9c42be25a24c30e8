// Package wire is ATOL's low level, protocol 3.x, shared by the ATOL driver
// and its emulator: the packet (FE, length, id, data, CRC8) with its byte
// stuffing, and the task buffer's commands and states that every
// upper-level command travels in (docs/atol.md §2, §3).
//
// A packet is FE LEN0 LEN1 ID DATA… CRC: LEN is the length of DATA before
// stuffing, seven bits in LEN0 and the rest in LEN1; ID is 0…DFh (F0h for
// an asynchronous answer); CRC is CRC-8 (polynomial 31h, initial FFh, no
// reflection) over ID and DATA before stuffing. After the header FEh is sent
// as FD EE and FDh as FD ED, the CRC included.
package wire

import (
	"errors"
	"fmt"
)

// Bytes of the packet.
const (
	STX  byte = 0xFE // start of a packet
	ESC  byte = 0xFD // escape
	TSTX byte = 0xEE // FE after ESC
	TESC byte = 0xED // FD after ESC
)

// Packet ids.
const (
	MaxID   byte = 0xDF // the last packet id a host uses; ids run 0…DFh
	AsyncID byte = 0xF0 // the id of an asynchronous answer
)

// MaxData is the largest DATA a packet may carry (fourteen bits of length).
const MaxData = 1<<14 - 1

// Errors of the packet layer. A receiver drops a bad packet whole.
var (
	ErrCRC     = errors.New("atol: packet CRC mismatch")
	ErrFrame   = errors.New("atol: malformed packet")
	ErrTooLong = errors.New("atol: packet data too long")
)

// CRC8 is the packet checksum over the id and the unstuffed data.
func CRC8(id byte, data []byte) byte {
	crc := step(0xFF, id)
	for _, b := range data {
		crc = step(crc, b)
	}
	return crc
}

func step(crc, b byte) byte {
	crc ^= b
	for range 8 {
		if crc&0x80 != 0 {
			crc = crc<<1 ^ 0x31
		} else {
			crc <<= 1
		}
	}
	return crc
}

func stuff(out []byte, b byte) []byte {
	switch b {
	case STX:
		return append(out, ESC, TSTX)
	case ESC:
		return append(out, ESC, TESC)
	}
	return append(out, b)
}

// Encode builds the packet carrying data with the given id. It panics on
// data longer than MaxData (a caller's bug: commands are short).
func Encode(id byte, data []byte) []byte {
	if len(data) > MaxData {
		panic("atol: packet data too long")
	}
	out := make([]byte, 0, 5+len(data)+len(data)/8)
	out = append(out, STX, byte(len(data)&0x7F), byte(len(data)>>7), id)
	for _, b := range data {
		out = stuff(out, b)
	}
	return stuff(out, CRC8(id, data))
}

// Packet is a packet as received.
type Packet struct {
	ID   byte
	Data []byte
}

// ByteSource yields the next byte of a stream; it returns an error when the
// stream ends or the wait for a byte is over.
type ByteSource func() (byte, error)

// Read reads one packet from next: it skips bytes before FE, then reads the
// header, the data and the CRC, undoing the stuffing. A packet with a bad
// CRC comes back with ErrCRC and its id (so that a receiver may ask for it
// again); an FE inside a packet or a bad escape is ErrFrame. Errors of next
// are returned as they are.
func Read(next ByteSource) (Packet, error) {
	var b byte
	var err error
	for {
		if b, err = next(); err != nil {
			return Packet{}, err
		}
		if b == STX {
			break
		}
	}
	var hdr [3]byte
	for i := range hdr {
		if hdr[i], err = next(); err != nil {
			return Packet{}, err
		}
		if hdr[i] == STX || hdr[i] == ESC {
			return Packet{}, fmt.Errorf("%w: %02X in the header", ErrFrame, hdr[i])
		}
	}
	if hdr[0]&0x80 != 0 {
		return Packet{}, fmt.Errorf("%w: length byte %02X", ErrFrame, hdr[0])
	}
	n := int(hdr[0]) | int(hdr[1])<<7
	if n > MaxData {
		return Packet{}, ErrTooLong
	}
	p := Packet{ID: hdr[2], Data: make([]byte, 0, n)}
	unstuffed := func() (byte, error) {
		b, err := next()
		if err != nil {
			return 0, err
		}
		switch b {
		case STX:
			return 0, fmt.Errorf("%w: FE inside a packet", ErrFrame)
		case ESC:
			e, err := next()
			if err != nil {
				return 0, err
			}
			switch e {
			case TSTX:
				return STX, nil
			case TESC:
				return ESC, nil
			}
			return 0, fmt.Errorf("%w: escape FD %02X", ErrFrame, e)
		}
		return b, nil
	}
	for range n {
		if b, err = unstuffed(); err != nil {
			return p, err
		}
		p.Data = append(p.Data, b)
	}
	crc, err := unstuffed()
	if err != nil {
		return p, err
	}
	if crc != CRC8(p.ID, p.Data) {
		return p, ErrCRC
	}
	return p, nil
}

// Decode reads one packet from a whole frame; bytes after the packet are an
// error.
func Decode(frame []byte) (Packet, error) {
	i := 0
	p, err := Read(func() (byte, error) {
		if i >= len(frame) {
			return 0, fmt.Errorf("%w: truncated", ErrFrame)
		}
		i++
		return frame[i-1], nil
	})
	if err == nil && i != len(frame) {
		return p, fmt.Errorf("%w: %d bytes after the packet", ErrFrame, len(frame)-i)
	}
	return p, err
}

// NextID is the packet or task id after id: 0…DFh round.
func NextID(id byte) byte {
	if id >= MaxID {
		return 0
	}
	return id + 1
}
