package ipriv

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCRC24KnownAnswers(t *testing.T) {
	// From the spec: the key card text and an empty input (the init value).
	assert.Equal(t, uint32(0x4F4792), CRC24([]byte("Version: 01\r\nUser ID: api17032\r\nUser Key: 17033\r\n")))
	assert.Equal(t, uint32(0xB704CE), CRC24(nil))
	assert.Equal(t, "=T0eS", string(crcText(0x4F4792)))
	assert.Equal(t, "=z1vE", string(crcText(0xCF5BC4)))
}

func TestRadixRoundTrip(t *testing.T) {
	for n := 0; n <= 200; n++ {
		data := make([]byte, n)
		_, _ = rand.Read(data)
		text := EncodeRadix(data)
		got, err := DecodeRadix(text)
		require.NoError(t, err, "n=%d", n)
		require.Equal(t, data, got, "n=%d", n)
		if n > 0 && n%48 == 0 {
			assert.NotContains(t, string(text), "\r\n\r\n", "no empty line when n is a multiple of 48")
		}
		checkRadixLines(t, text)
	}
}

func TestRadixDecodeTolerance(t *testing.T) {
	data := []byte("PayDesk radix tolerance test, long enough to need two lines of text!")
	text := EncodeRadix(data)
	tests := map[string][]byte{
		"LF only":            bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")),
		"spaces and tabs":    bytes.ReplaceAll(text, []byte("\r\n"), []byte(" \t\r\n ")),
		"trailing CRLF":      append(append([]byte{}, text...), "\r\n"...),
		"stray CR in a line": append([]byte{text[0], '\r'}, text[1:]...),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := DecodeRadix(in)
			require.NoError(t, err)
			assert.Equal(t, data, got)
		})
	}
}

func TestRadixDecodeErrors(t *testing.T) {
	data := []byte("Hello world, this is PayDesk")
	text := EncodeRadix(data)
	i := bytes.LastIndexByte(text, '=')
	body, crc := text[:i], text[i:]
	flip := append([]byte{}, text...)
	if flip[3] == 'A' {
		flip[3] = 'B'
	} else {
		flip[3] = 'A'
	}
	tests := map[string][]byte{
		"missing CRC":      body,
		"wrong CRC":        append(append([]byte{}, body...), "=AAAA"...),
		"short CRC line":   append(append([]byte{}, body...), crc[:4]...),
		"long CRC line":    append(append([]byte{}, body...), append(append([]byte{}, crc...), 'A')...),
		"changed char":     flip,
		"high byte":        append([]byte{0xC0}, text...),
		"bad character":    append([]byte("*"), text...),
		"incomplete group": append([]byte("AB\r\n"), text...),
		"text after CRC":   append(append([]byte{}, text...), "\r\nABCD"...),
		"empty":            nil,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeRadix(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrRadix)
		})
	}
}

func FuzzDecodeRadix(f *testing.F) {
	f.Add(EncodeRadix([]byte("Hello world")))
	f.Add(EncodeRadix(make([]byte, 96)))
	f.Add([]byte("=AAAA"))
	f.Fuzz(func(t *testing.T, text []byte) {
		data, err := DecodeRadix(text)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			return
		}
		again, err := DecodeRadix(EncodeRadix(data))
		require.NoError(t, err)
		require.Equal(t, data, again)
	})
}
