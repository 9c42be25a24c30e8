package ipriv

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleDoc() *Document {
	return &Document{
		Type: TypeSigned, UserID: "api17032", Serial: 17033,
		Body: []byte("SD=17031\r\nAP=17032\r\nOP=17034\r\nSESSION=abc\r\n"), Stripped: 43,
		Signature: EncodeRadix([]byte("not really a signature")),
	}
}

func TestDocumentLayout(t *testing.T) {
	d := sampleDoc()
	b := d.Marshal()
	got := checkStrict(t, b, false)
	assert.Equal(t, d.Body, got.Body)
	assert.Equal(t, "0000021801SM000000430000004300000039\r\n"+
		"api17032            00017033\r\n"+
		"                    00000000\r\n"+
		"BEGIN\r\n", string(b[:105]))
	assert.Equal(t, 144+len(d.Body)+len(d.Signature), len(b))
}

func TestParseTolerance(t *testing.T) {
	doc := sampleDoc().Marshal()
	tests := map[string]struct {
		in       []byte
		consumed int
	}{
		"exact":                     {doc, len(doc)},
		"leading blank space":       {append([]byte(" \t\r\n\r\n"), doc...), len(doc) + 6},
		"trailing CRLF":             {append(append([]byte{}, doc...), "\r\n"...), len(doc) + 2},
		"text after END SIGNATURE":  {append(append([]byte{}, doc...), " trailer\r\n"...), len(doc) + 10},
		"a second document follows": {append(append(append([]byte{}, doc...), "\r\n"...), doc...), len(doc) + 2},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			d, n, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.consumed, n)
			assert.Equal(t, TypeSigned, d.Type)
		})
	}
}

func TestParseRejects(t *testing.T) {
	doc := sampleDoc().Marshal()
	replace := func(old, new string) []byte {
		return bytes.Replace(append([]byte{}, doc...), []byte(old), []byte(new), 1)
	}
	tests := map[string]struct {
		in   []byte
		kind Kind
	}{
		"LF line ends":          {bytes.ReplaceAll(doc, []byte("\r\n"), []byte("\n")), ErrFormat},
		"short header":          {doc[1:], ErrFormat},
		"letters in L0":         {replace("00000218", "0000021x"), ErrFormat},
		"letters in L1":         {replace("SM00000043", "SM0000004x"), ErrFormat},
		"zero L0":               {replace("00000218", "00000000"), ErrFormat},
		"long id line":          {replace("api17032 ", "api17032  "), ErrFormat},
		"serial not a number":   {replace("00017033", "0001703x"), ErrFormat},
		"BEGIN missing":         {replace("BEGIN\r\n", "BEGiN\r\n"), ErrFormat},
		"body longer than L1":   {replace("SESSION=abc", "SESSION=abcd"), ErrFormat},
		"body shorter than L1":  {replace("SESSION=abc", "SESSION=a"), ErrFormat},
		"END missing":           {replace("\r\nEND\r\n", "\r\nEDN\r\n"), ErrFormat},
		"END SIGNATURE missing": {replace("END SIGNATURE", "END SIGNATUR"), ErrFormat},
		"truncated":             {doc[:120], ErrNoData},
		"empty":                 {nil, ErrNoData},
		"only the header":       {doc[:38], ErrNoData},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := Parse(tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind, "%v", err)
		})
	}
}

// TestEmptyMessageRefused: a document whose L1 (the message length) is 0 is
// malformed (ipriv.md §10; libipriv's armor.cpp refuses docsize <= 0 with
// INVALID_FORMAT), however well it is signed.
func TestEmptyMessageRefused(t *testing.T) {
	k := testKey(t, 512)
	signedEmpty, err := k.Sign(nil, MD5, epoch)
	require.NoError(t, err)
	doc := sampleDoc().Marshal()
	tests := map[string][]byte{
		"an empty message, signed": signedEmpty,
		"an empty message, hand-made": []byte("0000013801SM000000000000000000000002\r\n" +
			"api17032            00017033\r\n" +
			"                    00000000\r\n" +
			"BEGIN\r\n\r\nEND\r\nBEGIN SIGNATURE\r\nAB\r\nEND SIGNATURE"),
		"an empty message, marshalled":    (&Document{Type: TypeSigned, UserID: "x", Signature: []byte("AB")}).Marshal(),
		"an empty public key document":    (&Document{Type: TypePublic, UserID: "x", Signature: []byte("AB")}).Marshal(),
		"an empty message, trailing CRLF": append(append([]byte{}, signedEmpty...), "\r\n"...),
		"L1 zeroed in a real document":    bytes.Replace(append([]byte{}, doc...), []byte("SM00000043"), []byte("SM00000000"), 1),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := Parse(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrFormat, "%v", err)
			_, err = ParseAll(in)
			assert.ErrorIs(t, err, ErrFormat, "%v", err)
			_, _, err = k.Public().Verify(in)
			assert.ErrorIs(t, err, ErrFormat, "%v", err)
		})
	}
}

func TestParseAll(t *testing.T) {
	a := sampleDoc()
	b := sampleDoc()
	b.Serial = 64182
	b.UserID = "0J0005"
	file := append(append(a.Marshal(), "\r\n"...), append(b.Marshal(), "\r\n"...)...)
	docs, err := ParseAll(file)
	require.NoError(t, err)
	require.Len(t, docs, 2)
	assert.Equal(t, uint32(17033), docs[0].Serial)
	assert.Equal(t, "0J0005", docs[1].UserID)

	_, err = ParseAll([]byte(" \r\n"))
	assert.ErrorIs(t, err, ErrNoData)
	_, err = ParseAll(append(file, "garbage"...))
	assert.ErrorIs(t, err, ErrNoData)
}

func FuzzParse(f *testing.F) {
	f.Add(sampleDoc().Marshal())
	k := testKey(f, 512)
	signed, err := k.Sign([]byte("Hello world"), MD5, epoch)
	require.NoError(f, err)
	f.Add(signed)
	pub, err := k.Public().MarshalCertified(k, epoch)
	require.NoError(f, err)
	f.Add(pub)
	f.Fuzz(func(t *testing.T, in []byte) {
		d, n, err := Parse(in)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			return
		}
		require.True(t, n > 0 && n <= len(in))
		// What parses, re-parses from its own marshalling to the same parts.
		again, _, err := Parse(d.Marshal())
		if len(d.UserID) <= 20 && len(d.Type) == 2 && len(d.Version) == 2 {
			require.NoError(t, err)
			require.Equal(t, d.Body, again.Body)
			require.Equal(t, d.Signature, again.Signature)
		}
		// Verification of arbitrary input never panics.
		_, _, _ = k.Public().Verify(in)
	})
}
