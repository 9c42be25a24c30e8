package fiscal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Tag is one FN TLV attribute (FFD): tag number and encoded value. For a
// structure (STLV) the value is the concatenation of the nested TLVs.
type Tag struct {
	Num   uint16
	Value []byte
}

// MaxTagValue is the largest value a TLV length field can hold.
const MaxTagValue = 0xFFFF

// Errors returned by DecodeTags.
var (
	ErrTLVShort  = errors.New("tlv: truncated")
	ErrTLVLength = errors.New("tlv: length beyond data")
)

// String returns a string tag; FN strings are CP866. Characters CP866 cannot
// hold become '?'.
func String(num uint16, s string) Tag {
	return Tag{Num: num, Value: EncodeCP866(s)}
}

// FixedString returns a string tag right-padded with spaces to n characters
// (INNs are 12).
func FixedString(num uint16, s string, n int) Tag {
	if c := utf8.RuneCountInString(s); c < n {
		s += strings.Repeat(" ", n-c)
	}
	return String(num, s)
}

// Byte returns a one-byte tag (flags, byte).
func Byte(num uint16, b byte) Tag { return Tag{Num: num, Value: []byte{b}} }

// Uint32 returns a UInt32 LE tag (also UnixTime).
func Uint32(num uint16, v uint32) Tag {
	return Tag{Num: num, Value: binary.LittleEndian.AppendUint32(nil, v)}
}

// VLN returns a variable-length unsigned integer tag (money in kopecks).
func VLN(num uint16, v uint64) Tag { return Tag{Num: num, Value: EncodeVLN(v)} }

// Struct returns an STLV tag holding the given tags.
func Struct(num uint16, tags ...Tag) Tag {
	return Tag{Num: num, Value: EncodeTags(tags...)}
}

// Len is the encoded length of the tag including its 4-byte header.
func (t Tag) Len() int { return 4 + len(t.Value) }

// Append appends the encoded tag to b.
func (t Tag) Append(b []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, t.Num)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(t.Value)))
	return append(b, t.Value...)
}

// Encode returns the encoded tag.
func (t Tag) Encode() []byte { return t.Append(make([]byte, 0, t.Len())) }

// Text decodes the value as a CP866 string.
func (t Tag) Text() string { return DecodeCP866(t.Value) }

// Children decodes the value as nested TLVs (for STLV tags).
func (t Tag) Children() ([]Tag, error) { return DecodeTags(t.Value) }

// Uint returns the value as an unsigned little-endian integer (byte, UInt16,
// UInt32, VLN); ok is false when it is longer than 8 bytes.
func (t Tag) Uint() (v uint64, ok bool) {
	if len(t.Value) > 8 {
		return 0, false
	}
	for i := len(t.Value) - 1; i >= 0; i-- {
		v = v<<8 | uint64(t.Value[i])
	}
	return v, true
}

// EncodeTags concatenates encoded tags.
func EncodeTags(tags ...Tag) []byte {
	var b []byte
	for _, t := range tags {
		b = t.Append(b)
	}
	return b
}

// DecodeTags splits b into TLVs. It does not look inside structures.
func DecodeTags(b []byte) ([]Tag, error) {
	var out []Tag
	for len(b) > 0 {
		if len(b) < 4 {
			return out, ErrTLVShort
		}
		num := binary.LittleEndian.Uint16(b)
		n := int(binary.LittleEndian.Uint16(b[2:]))
		if 4+n > len(b) {
			return out, fmt.Errorf("%w: tag %d wants %d bytes, %d left", ErrTLVLength, num, n, len(b)-4)
		}
		out = append(out, Tag{Num: num, Value: b[4 : 4+n : 4+n]})
		b = b[4+n:]
	}
	return out, nil
}

// Find returns the first tag numbered num.
func Find(tags []Tag, num uint16) (Tag, bool) {
	for _, t := range tags {
		if t.Num == num {
			return t, true
		}
	}
	return Tag{}, false
}

// EncodeVLN encodes v little-endian in as few bytes as possible (at least one).
func EncodeVLN(v uint64) []byte {
	b := []byte{byte(v)}
	for v >>= 8; v > 0; v >>= 8 {
		b = append(b, byte(v))
	}
	return b
}

// EncodeFVLN encodes a fixed-point number: decimals, then the VLN mantissa.
func EncodeFVLN(mantissa uint64, decimals byte) []byte {
	return append([]byte{decimals}, EncodeVLN(mantissa)...)
}

// DecodeFVLN decodes an FVLN value into mantissa and number of decimals.
func DecodeFVLN(b []byte) (mantissa uint64, decimals byte, err error) {
	if len(b) < 2 || len(b) > 9 {
		return 0, 0, fmt.Errorf("fvln: bad length %d", len(b))
	}
	v, _ := Tag{Value: b[1:]}.Uint()
	return v, b[0], nil
}

// EncodeCP866 converts s to CP866; characters outside it become '?'.
func EncodeCP866(s string) []byte {
	return encodeCharmap(charmap.CodePage866, s)
}

// DecodeCP866 converts CP866 bytes to a string.
func DecodeCP866(b []byte) string { return decodeCharmap(charmap.CodePage866, b) }

// EncodeCP1251 converts s to windows-1251 (printable text on Shtrih);
// characters outside it become '?'.
func EncodeCP1251(s string) []byte { return encodeCharmap(charmap.Windows1251, s) }

// DecodeCP1251 converts windows-1251 bytes to a string.
func DecodeCP1251(b []byte) string { return decodeCharmap(charmap.Windows1251, b) }

func encodeCharmap(cm *charmap.Charmap, s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := cm.EncodeRune(r)
		if !ok {
			b = '?'
		}
		out = append(out, b)
	}
	return out
}

func decodeCharmap(cm *charmap.Charmap, b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(cm.DecodeByte(c))
	}
	return sb.String()
}
