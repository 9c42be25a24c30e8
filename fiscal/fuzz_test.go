package fiscal_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"paydesk/fiscal"
)

// FuzzDecodeFVLN reads an FVLN value (a tag's fixed-point number): what it
// reads is the mantissa and decimals the bytes hold, and encodes back to
// the same bytes when written in fewest bytes.
func FuzzDecodeFVLN(f *testing.F) {
	f.Add(fiscal.EncodeFVLN(1_500, 3))
	f.Add(fiscal.EncodeFVLN(0, 0))
	f.Add([]byte{2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{6, 0x10, 0x27, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, dec, err := fiscal.DecodeFVLN(b)
		if err != nil {
			if len(b) >= 2 && len(b) <= 9 {
				t.Fatalf("% X refused: %v", b, err)
			}
			return
		}
		if len(b) < 2 || len(b) > 9 || dec != b[0] {
			t.Fatalf("% X read as %d, %d decimals", b, m, dec)
		}
		enc := fiscal.EncodeFVLN(m, dec)
		trimmed := bytes.TrimRight(b[1:], "\x00")
		if len(trimmed) == 0 {
			trimmed = []byte{0}
		}
		if !bytes.Equal(enc, append([]byte{dec}, trimmed...)) {
			t.Fatalf("% X read as %d, %d decimals, encodes to % X", b, m, dec, enc)
		}
		if v, ok := (fiscal.Tag{Value: b[1:]}).Uint(); !ok || v != m {
			t.Fatalf("% X: mantissa %d, Uint %d %v", b, m, v, ok)
		}
	})
}

// FuzzDecodeText reads the texts a register sends: CP866 in TLVs,
// windows-1251 in answers. Every byte becomes one valid character, and a
// text written back gives the same bytes where the code page defines them.
func FuzzDecodeText(f *testing.F) {
	f.Add(fiscal.EncodeCP866("ПАО \"МТС\" №1"))
	f.Add(fiscal.EncodeCP1251("ООО «Волна» №1"))
	f.Add([]byte{0x00, 0x98, 0xFF, 0x7F})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, cp := range []struct {
			name   string
			decode func([]byte) string
			encode func(string) []byte
		}{{"CP866", fiscal.DecodeCP866, fiscal.EncodeCP866}, {"CP1251", fiscal.DecodeCP1251, fiscal.EncodeCP1251}} {
			s := cp.decode(b)
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) != len(b) {
				t.Fatalf("%s: % X decodes to %q", cp.name, b, s)
			}
			back := cp.encode(s)
			if len(back) != len(b) {
				t.Fatalf("%s: % X decodes to %q, encodes to % X", cp.name, b, s, back)
			}
			for i, r := range []rune(s) {
				if r != utf8.RuneError && back[i] != b[i] {
					t.Fatalf("%s: byte %d of % X is %q, encodes to %02X", cp.name, i, b, r, back[i])
				}
			}
			if !strings.ContainsRune(s, utf8.RuneError) && !bytes.Equal(back, b) {
				t.Fatalf("%s: % X round trip % X", cp.name, b, back)
			}
		}
	})
}
