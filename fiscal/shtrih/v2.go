package shtrih

import (
	"encoding/binary"
	"errors"
)

// Protocol v2 ("alternative low level", spec §12) framing. The driver speaks
// v1; these functions are the v2 codec for devices that report F7h bit 28.

// STX2 starts a v2 frame; Escape introduces a stuffed byte.
const (
	STX2   byte = 0x8F
	Escape byte = 0x9F
)

// v2 frame errors.
var (
	ErrV2NoSTX   = errors.New("v2 frame: first byte is not 8Fh")
	ErrV2Escape  = errors.New("v2 frame: bad escape or stray 8Fh")
	ErrV2Short   = errors.New("v2 frame: truncated")
	ErrV2CRC     = errors.New("v2 frame: CRC mismatch")
	ErrV2Length  = errors.New("v2 frame: length mismatch")
	ErrV2TooLong = errors.New("v2 frame: data longer than 65533 bytes")
)

// CRC16 is CRC-16/CCITT (polynomial 1021h, initial FFFFh, not reflected).
func CRC16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc ^= uint16(c) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// EncodeV2 builds 8F LEN16 NUM16 DATA CRC16 with byte stuffing after 8F.
func EncodeV2(num uint16, data []byte) ([]byte, error) {
	if len(data) > 0xFFFF-2 {
		return nil, ErrV2TooLong
	}
	body := binary.LittleEndian.AppendUint16(nil, uint16(2+len(data)))
	body = binary.LittleEndian.AppendUint16(body, num)
	body = append(body, data...)
	body = binary.LittleEndian.AppendUint16(body, CRC16(body))
	out := []byte{STX2}
	for _, c := range body {
		switch c {
		case STX2:
			out = append(out, Escape, 0x81)
		case Escape:
			out = append(out, Escape, 0x83)
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

// DecodeV2 checks a whole v2 frame and returns its packet number and data.
func DecodeV2(frame []byte) (num uint16, data []byte, err error) {
	if len(frame) == 0 || frame[0] != STX2 {
		return 0, nil, ErrV2NoSTX
	}
	body := make([]byte, 0, len(frame))
	for i := 1; i < len(frame); i++ {
		c := frame[i]
		switch c {
		case STX2:
			return 0, nil, ErrV2Escape
		case Escape:
			i++
			if i >= len(frame) {
				return 0, nil, ErrV2Escape
			}
			switch frame[i] {
			case 0x81:
				c = STX2
			case 0x83:
				c = Escape
			default:
				return 0, nil, ErrV2Escape
			}
		}
		body = append(body, c)
	}
	if len(body) < 6 {
		return 0, nil, ErrV2Short
	}
	n := int(binary.LittleEndian.Uint16(body))
	if n < 2 || len(body) != 2+n+2 {
		return 0, nil, ErrV2Length
	}
	if CRC16(body[:2+n]) != binary.LittleEndian.Uint16(body[2+n:]) {
		return 0, nil, ErrV2CRC
	}
	return binary.LittleEndian.Uint16(body[2:]), body[4 : 2+n], nil
}
