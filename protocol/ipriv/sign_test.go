package ipriv

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"paydesk/internal/testutil"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var checkBody = []byte("SD=17031\r\nAP=17032\r\nOP=17034\r\nSESSION=20261126100000000001\r\nNUMBER=9161234567\r\nAMOUNT=100.00\r\nCOMMENT=\xcf\xf0\xee\xe2\xe5\xf0\xea\xe0") // "Проверка" in windows-1251

func TestHelloWorldKnownAnswer(t *testing.T) {
	// The spec's worked example: "Hello world" signed by serial 17033 at
	// 1352478986 hashes body || 01 00004289 509d310a.
	extra := testutil.Unhex(t, "0100004289509d310a")
	sum := md5.Sum(append([]byte("Hello world"), extra...))
	assert.Equal(t, "c7f6de9ff2be5e84a0ecb29f11044f1c", hex.EncodeToString(sum[:]))

	k := testKey(t, 512)
	doc, err := k.Sign([]byte("Hello world"), MD5, time.Unix(1352478986, 0))
	require.NoError(t, err)
	d := checkStrict(t, doc, false)
	sig, err := ReadSignature(d)
	require.NoError(t, err)
	assert.Equal(t, extra, sig.Extra)
	assert.Equal(t, [2]byte{0xc7, 0xf6}, sig.Check)
	assert.Equal(t, 280, len(doc), "a 512-bit hello world is 280 bytes, like the vendor's")
}

func TestSignVerify(t *testing.T) {
	for _, bits := range []int{512, 1024, 2048} {
		for _, h := range []Hash{MD5, SHA256} {
			t.Run(fmt.Sprintf("%d/%s", bits, h), func(t *testing.T) {
				k := testKey(t, bits)
				pub := k.Public()
				doc, err := k.Sign(checkBody, h, epoch)
				require.NoError(t, err)
				d := checkStrict(t, doc, false)
				assert.Equal(t, k.UserID, d.UserID)
				assert.Equal(t, k.Serial, d.Serial)

				got, sig, err := pub.Verify(doc)
				require.NoError(t, err)
				assert.Equal(t, checkBody, got.Body)
				assert.Equal(t, h, sig.Hash)
				assert.Equal(t, epoch, sig.Time)
				assert.Equal(t, k.Serial, sig.Serial)
				assert.True(t, sig.Trust, "PayDesk writes the vendor's trust packet")

				again, err := k.Sign(checkBody, h, epoch)
				require.NoError(t, err)
				assert.Equal(t, doc, again, "signing is deterministic for a given time")
				later, err := k.Sign(checkBody, h, epoch.Add(time.Second))
				require.NoError(t, err)
				assert.NotEqual(t, doc, later)

				det, err := k.SignDetached(checkBody, h, epoch)
				require.NoError(t, err)
				assert.Equal(t, d.Signature, det, "a detached signature is the document's block")
				_, err = pub.VerifyDetached(checkBody, det)
				require.NoError(t, err)
				_, err = pub.VerifyDetached(checkBody[1:], det)
				assert.ErrorIs(t, err, ErrVerify)
			})
		}
	}
}

// The big-integer path for small keys and crypto/rsa for the others give
// the same bytes.
func TestSmallKeyPathMatchesCryptoRSA(t *testing.T) {
	k := testKey(t, 1024)
	for _, h := range []Hash{MD5, SHA256} {
		d, err := digest(h, checkBody)
		require.NoError(t, err)
		viaRSA, err := k.signDigest(h, d)
		require.NoError(t, err)
		viaBig, err := k.signSmall(h, d)
		require.NoError(t, err)
		assert.Equal(t, viaRSA, viaBig, h.String())
	}
}

// resign rebuilds doc's signature block from a modified packet, with a valid
// CRC, as an attacker could.
func resign(t *testing.T, doc []byte, edit func(bin []byte) []byte) []byte {
	d, _, err := Parse(doc)
	require.NoError(t, err)
	bin, err := DecodeRadix(d.Signature)
	require.NoError(t, err)
	d.Signature = EncodeRadix(edit(append([]byte{}, bin...)))
	return d.Marshal()
}

func TestVerifyFailures(t *testing.T) {
	k := testKey(t, 512)
	pub := k.Public()
	other := makeKey(t, 256, 256, 17, 17033, "api17032") // same serial, other key
	doc, err := k.Sign(checkBody, MD5, epoch)
	require.NoError(t, err)
	otherDoc, err := other.Sign(checkBody, MD5, epoch)
	require.NoError(t, err)
	key2 := makeKey(t, 256, 256, 17, 64182, "0J0005")
	doc2, err := key2.Sign(checkBody, MD5, epoch)
	require.NoError(t, err)

	tamperedBody := bytes.Replace(doc, []byte("AMOUNT=100.00"), []byte("AMOUNT=900.00"), 1)
	sigStart := bytes.Index(doc, []byte("BEGIN SIGNATURE\r\n")) + 17
	flipped := append([]byte{}, doc...)
	flipped[sigStart+10] ^= 0x01 // still a base64 letter in most cases; CRC breaks
	if !isB64(flipped[sigStart+10]) {
		flipped[sigStart+10] = 'A'
	}
	// Fields inside the signature packet, at offsets after the 3-byte header.
	const (
		offClass = 3 + 2
		offTime  = 3 + 2 + 5
		offHash  = 3 + 2 + 9 + 1
		offCheck = 3 + 2 + 9 + 2
	)
	tests := map[string]struct {
		doc  []byte
		kind Kind
	}{
		"body changed":          {tamperedBody, ErrVerify},
		"signature text edited": {flipped, ErrRadix},
		"time changed, CRC recomputed": {resign(t, doc, func(b []byte) []byte {
			b[offTime+3] ^= 1
			return b
		}), ErrVerify},
		"check bytes changed": {resign(t, doc, func(b []byte) []byte {
			b[offCheck] ^= 0xff
			return b
		}), ErrVerify},
		"class changed to certification": {resign(t, doc, func(b []byte) []byte {
			b[offClass] = ClassCertification
			return b
		}), ErrVerify},
		"hash byte unknown": {resign(t, doc, func(b []byte) []byte {
			b[offHash] = 2
			return b
		}), ErrUnknownAlg},
		"hash byte switched to SHA-256": {resign(t, doc, func(b []byte) []byte {
			b[offHash] = byte(SHA256)
			return b
		}), ErrVerify},
		"signature value changed": {resign(t, doc, func(b []byte) []byte {
			b[len(b)-5] ^= 0x40
			return b
		}), ErrVerify},
		"signature packet truncated": {resign(t, doc, func(b []byte) []byte {
			return b[:20]
		}), ErrPacket},
		"signed by another key with the same serial": {otherDoc, ErrVerify},
		"signed by another serial":                   {doc2, ErrVerify},
		"not a signed message": {func() []byte {
			b, err := k.Public().MarshalCertified(k, epoch)
			require.NoError(t, err)
			return b
		}(), ErrDocType},
		"line ends changed to LF": {bytes.ReplaceAll(doc, []byte("\r\n"), []byte("\n")), ErrFormat},
		"unsigned text":           {[]byte("ERROR=0\r\nRESULT=0\r\n"), ErrFormat},
		"empty answer":            {nil, ErrNoData},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := pub.Verify(tt.doc)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind, "%v", err)
		})
	}
}

func TestVerifyWithoutTrustPacket(t *testing.T) {
	k := testKey(t, 512)
	doc, err := k.Sign(checkBody, MD5, epoch)
	require.NoError(t, err)
	bare := resign(t, doc, func(b []byte) []byte {
		require.Equal(t, trustAfterSignature, b[len(b)-3:])
		return b[:len(b)-3]
	})
	_, sig, err := k.Public().Verify(bare)
	require.NoError(t, err)
	assert.False(t, sig.Trust)
}

// A signature value with a leading zero byte is stored as a shorter MPI and
// must be left-padded to the modulus length before the RSA check.
func TestShortSignatureValue(t *testing.T) {
	k := testKey(t, 512)
	var doc []byte
	for i := 0; i < 20000; i++ {
		d, err := k.Sign([]byte("short MPI"), MD5, epoch.Add(time.Duration(i)*time.Second))
		require.NoError(t, err)
		parsed, _, err := Parse(d)
		require.NoError(t, err)
		sig, err := ReadSignature(parsed)
		require.NoError(t, err)
		if len(sig.Value) < 64 {
			doc = d
			break
		}
	}
	require.NotNil(t, doc, "no signing time gave a short value")
	d, sig, err := k.Public().Verify(doc)
	require.NoError(t, err)
	assert.Less(t, len(sig.Value), 64)
	bits := int(binary.BigEndian.Uint16(mustDecode(t, d.Signature)[3+17-2:]))
	assert.Equal(t, new(big.Int).SetBytes(sig.Value).BitLen(), bits, "MPI bit count is the value's")
	// Right-padding, as one port does wrongly, would not verify.
	padded := append(append([]byte{}, sig.Value...), make([]byte, 64-len(sig.Value))...)
	dg, err := digest(MD5, d.Body, sig.Extra)
	require.NoError(t, err)
	assert.ErrorIs(t, verifyValue(k.N, k.E, MD5, dg, padded), ErrVerify)
}

func mustDecode(t *testing.T, text []byte) []byte {
	b, err := DecodeRadix(text)
	require.NoError(t, err)
	return b
}

func TestErrorMessages(t *testing.T) {
	k := testKey(t, 512)
	doc, err := k.Sign(checkBody, MD5, epoch)
	require.NoError(t, err)
	_, _, err = k.Public().Verify(bytes.Replace(doc, []byte("AMOUNT=1"), []byte("AMOUNT=9"), 1))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, ErrVerify, e.Kind)
	assert.Equal(t, -20, e.Kind.Code())
	assert.Equal(t, "verify", e.Op)
	assert.Equal(t, "verify failed: signature does not match the document", e.Msg().In("en"))
	assert.Equal(t, "подпись не прошла проверку: signature does not match the document", e.Msg().In("ru"))
	assert.Equal(t, "ipriv error -99", Kind(-99).Error())
	assert.Equal(t, "ipriv: verify: verify failed: signature does not match the document", e.Error())
}

func BenchmarkSign(b *testing.B) {
	for _, bits := range []int{512, 1024, 2048} {
		for _, h := range []Hash{MD5, SHA256} {
			k := testKey(b, bits)
			b.Run(fmt.Sprintf("%d/%s", bits, h), func(b *testing.B) {
				for b.Loop() {
					if _, err := k.Sign(checkBody, h, epoch); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, bits := range []int{512, 1024, 2048} {
		for _, h := range []Hash{MD5, SHA256} {
			k := testKey(b, bits)
			pub := k.Public()
			doc, err := k.Sign(checkBody, h, epoch)
			require.NoError(b, err)
			b.Run(fmt.Sprintf("%d/%s", bits, h), func(b *testing.B) {
				for b.Loop() {
					if _, _, err := pub.Verify(doc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
