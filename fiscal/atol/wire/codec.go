package wire

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Answer codes of the upper level: the first byte of a command's answer.
const (
	AnswerOK  byte = 0x55 // 'U': 55h code ext [data…]
	AnswerDev byte = 0x44 // 'D': the device status (3Fh)
)

// ErrBCD means a BCD field holds a nibble above 9.
var ErrBCD = errors.New("atol: bad BCD digit")

// BCD encodes v in n bytes of packed BCD, most significant first; digits
// beyond n bytes are lost (callers check ranges first).
func BCD(v uint64, n int) []byte {
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v%10) | byte(v/10%10)<<4
		v /= 100
	}
	return b
}

// FromBCD decodes packed BCD, most significant first.
func FromBCD(b []byte) (uint64, error) {
	var v uint64
	for _, x := range b {
		hi, lo := x>>4, x&0x0F
		if hi > 9 || lo > 9 {
			return 0, fmt.Errorf("%w: %02X", ErrBCD, x)
		}
		v = v*100 + uint64(hi)*10 + uint64(lo)
	}
	return v, nil
}

// MaxBCD is the largest value n BCD bytes hold.
func MaxBCD(n int) uint64 {
	v := uint64(1)
	for range n {
		v *= 100
	}
	return v - 1
}

// Text encodes s for the register: code page 866 (ATOL's character table
// puts the Cyrillic letters where CP866 has them); a rune without a code
// becomes '?'.
func Text(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if b, ok := charmap.CodePage866.EncodeRune(r); ok {
			out = append(out, b)
		} else {
			out = append(out, '?')
		}
	}
	return out
}

// FromText decodes register text (CP866), dropping trailing NULs and spaces.
func FromText(b []byte) string {
	for len(b) > 0 && (b[len(b)-1] == 0 || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	out := make([]rune, 0, len(b))
	for _, c := range b {
		out = append(out, charmap.CodePage866.DecodeByte(c))
	}
	return string(out)
}

// Field pads or cuts text to exactly n bytes (NUL padded).
func Field(s string, n int) []byte {
	b := Text(s)
	if len(b) > n {
		b = b[:n]
	}
	return append(b, make([]byte, n-len(b))...)
}

// DateBCD is YY MM DD in BCD, TimeBCD HH MM SS (the 3Fh layout).
func DateBCD(t time.Time) []byte {
	return []byte{bcd2(t.Year() % 100), bcd2(int(t.Month())), bcd2(t.Day())}
}

// TimeBCD is HH MM SS in BCD.
func TimeBCD(t time.Time) []byte {
	return []byte{bcd2(t.Hour()), bcd2(t.Minute()), bcd2(t.Second())}
}

func bcd2(v int) byte { return byte(v%10) | byte(v/10%10)<<4 }

// FromDateTimeBCD decodes YY MM DD HH MM SS in BCD.
func FromDateTimeBCD(b []byte, loc *time.Location) (time.Time, error) {
	if len(b) < 6 {
		return time.Time{}, fmt.Errorf("%w: date and time of %d bytes", ErrFrame, len(b))
	}
	var v [6]int
	for i := range v {
		x, err := FromBCD(b[i : i+1])
		if err != nil {
			return time.Time{}, err
		}
		v[i] = int(x)
	}
	if v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59 {
		return time.Time{}, fmt.Errorf("%w: date %02d.%02d.%02d %02d:%02d:%02d", ErrFrame, v[2], v[1], v[0], v[3], v[4], v[5])
	}
	return time.Date(2000+v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, loc), nil
}
