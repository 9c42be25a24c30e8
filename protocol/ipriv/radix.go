package ipriv

import (
	"bytes"
	"encoding/base64"
)

const (
	crc24Init = 0xB704CE
	crc24Poly = 0x1864CFB
	lineChars = 64
)

// CRC24 is the OpenPGP CRC-24 of b (init 0xB704CE, polynomial 0x1864CFB).
func CRC24(b []byte) uint32 {
	crc := uint32(crc24Init)
	for _, c := range b {
		crc ^= uint32(c) << 16
		for i := 0; i < 8; i++ {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= crc24Poly
			}
		}
	}
	return crc & 0xFFFFFF
}

func crcText(crc uint32) []byte {
	b := []byte{byte(crc >> 16), byte(crc >> 8), byte(crc)}
	out := make([]byte, 5)
	out[0] = '='
	base64.StdEncoding.Encode(out[1:], b)
	return out
}

// EncodeRadix armors binary data as the vendor does: base64 lines of 64
// characters each ended by CRLF, then "=" and the CRC24 in four characters,
// with no CRLF after the CRC line.
func EncodeRadix(data []byte) []byte {
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(data)))
	base64.StdEncoding.Encode(enc, data)
	var out bytes.Buffer
	out.Grow(len(enc) + len(enc)/lineChars*2 + 9)
	for len(enc) > 0 {
		n := min(lineChars, len(enc))
		out.Write(enc[:n])
		out.WriteString("\r\n")
		enc = enc[n:]
	}
	out.Write(crcText(CRC24(data)))
	return out.Bytes()
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// DecodeRadix decodes radix-64 text with the vendor's rules: spaces, tabs and
// CRs are skipped, LF starts a new line, a line starting with "=" is the
// CRC24 line of exactly four characters, data must form whole four-character
// groups, and the CRC is mandatory and must match.
func DecodeRadix(text []byte) ([]byte, error) {
	const op = "radix decode"
	var data []byte
	var crcLine []byte
	lineStart := true
	inCRC := false
	for i, c := range text {
		switch c {
		case ' ', '\t', '\r':
			continue
		case '\n':
			lineStart = true
			if inCRC {
				// Only blank space may follow the CRC line.
				if len(bytes.Trim(text[i:], " \t\r\n")) != 0 {
					return nil, errorf(op, ErrRadix, "text after the CRC line")
				}
				return finishRadix(op, data, crcLine)
			}
			continue
		}
		if c >= 0x80 {
			return nil, errorf(op, ErrRadix, "byte 0x%02x is not radix-64", c)
		}
		if lineStart && c == '=' && !inCRC {
			inCRC = true
			lineStart = false
			continue
		}
		lineStart = false
		if inCRC {
			if !isB64(c) {
				return nil, errorf(op, ErrRadix, "character %q in the CRC line", c)
			}
			crcLine = append(crcLine, c)
			continue
		}
		if !isB64(c) && c != '=' {
			return nil, errorf(op, ErrRadix, "character %q is not radix-64", c)
		}
		data = append(data, c)
	}
	if !inCRC {
		return nil, errorf(op, ErrRadix, "CRC24 line missing")
	}
	return finishRadix(op, data, crcLine)
}

func finishRadix(op string, data, crcLine []byte) ([]byte, error) {
	if len(crcLine) != 4 {
		return nil, errorf(op, ErrRadix, "CRC24 line has %d characters, want 4", len(crcLine))
	}
	if len(data)%4 != 0 {
		return nil, errorf(op, ErrRadix, "data is not whole four-character groups")
	}
	bin := make([]byte, base64.StdEncoding.DecodedLen(len(data)))
	n, err := base64.StdEncoding.Decode(bin, data)
	if err != nil {
		return nil, &Error{Op: op, Kind: ErrRadix, Err: err}
	}
	bin = bin[:n]
	var crc [3]byte
	if _, err := base64.StdEncoding.Decode(crc[:], crcLine); err != nil {
		return nil, &Error{Op: op, Kind: ErrRadix, Detail: "bad CRC24 line", Err: err}
	}
	want := uint32(crc[0])<<16 | uint32(crc[1])<<8 | uint32(crc[2])
	if got := CRC24(bin); got != want {
		return nil, errorf(op, ErrRadix, "CRC24 mismatch: data has %06X, text says %06X", got, want)
	}
	return bin, nil
}
