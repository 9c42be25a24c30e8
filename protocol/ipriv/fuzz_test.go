package ipriv

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseKeyCard reads a key card as CyberPlat issues it. A card that
// reads writes back to a card that reads the same; one that does not is an
// ErrKeyCard error.
func FuzzParseKeyCard(f *testing.F) {
	f.Add(KeyCard{UserID: "api17032", Serial: 17033}.Marshal())
	f.Add([]byte("Version: 01\nUser ID: api17032\nUser Key: 17033\n=T0eS\n"))
	f.Add([]byte("Version: 01\r\nUser ID: api17032\r\nUser Key: 99999999999\r\n=AAAA"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseKeyCard(b)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			require.ErrorIs(t, err, ErrKeyCard)
			return
		}
		again, err := ParseKeyCard(c.Marshal())
		require.NoError(t, err, "%q", c.Marshal())
		require.Equal(t, c, again)
	})
}

// FuzzReadSignature reads the radix-64 signature block of a document. A
// block that reads holds an RSA signature with a known hash and at most 32
// bytes of extra data whose first nine bytes are the class, serial and
// time; checking it against any body and key fails cleanly unless it is
// genuine.
func FuzzReadSignature(f *testing.F) {
	k := testKey(f, 512)
	for _, h := range []Hash{MD5, SHA256} {
		sig, err := k.SignDetached([]byte("SESSION=1\r\nERROR=0\r\n"), h, epoch)
		require.NoError(f, err)
		f.Add([]byte("SESSION=1\r\nERROR=0\r\n"), sig)
	}
	pub, err := k.Public().MarshalCertified(k, epoch)
	require.NoError(f, err)
	d, _, err := Parse(pub)
	require.NoError(f, err)
	f.Add([]byte{}, d.Signature)
	f.Fuzz(func(t *testing.T, body, block []byte) {
		s, err := ReadSignature(&Document{Signature: block})
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Contains(t, []Kind{ErrRadix, ErrPacket, ErrUnknownAlg, ErrKeyLen}, e.Kind, "%v", err)
			return
		}
		require.Contains(t, []Hash{MD5, SHA256}, s.Hash)
		require.LessOrEqual(t, len(s.Extra), maxExtra)
		require.NotEmpty(t, s.Value)
		if len(s.Extra) > 0 {
			require.Equal(t, s.Extra[0], s.Class)
		}
		if len(s.Extra) < 5 {
			require.Zero(t, s.Serial)
		}
		if len(s.Extra) < 9 {
			require.True(t, s.Time.IsZero())
		}
		_, err = k.Public().VerifyDetached(body, block)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Contains(t, []Kind{ErrVerify, ErrKeyLen, ErrUnknownAlg}, e.Kind, "%v", err)
			return
		}
		require.Equal(t, k.Serial, s.Serial)
		require.Equal(t, ClassDocument, s.Class)
	})
}

// FuzzPeekSecretKey reads the public half of a secret key file without the
// passphrase, as `paydeskctl keys show` does. What it reports agrees with
// what opening the key finds: the same public key, and an encrypted key
// never opens without the passphrase. (A damaged key in clear fails its
// checksum as ErrPassphrase, as the vendor's library reports it.)
func FuzzPeekSecretKey(f *testing.F) {
	k := testKey(f, 512)
	for _, p := range []string{"", "pass"} {
		b, err := k.Marshal([]byte(p), nil)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pub, encrypted, err := PeekSecretKey(b)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			_, err2 := ParseSecretKey(b, nil)
			require.Error(t, err2, "a key that cannot be read cannot be opened")
			return
		}
		require.GreaterOrEqual(t, pub.Bits(), MinBits)
		require.LessOrEqual(t, pub.Bits(), MaxBits)
		sk, err := ParseSecretKey(b, nil)
		if encrypted {
			require.Error(t, err, "an encrypted key does not open without a passphrase")
			return
		}
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			return
		}
		require.Equal(t, pub.Serial, sk.Serial)
		require.Equal(t, pub.UserID, sk.UserID)
		require.Equal(t, 0, pub.N.Cmp(sk.N))
		require.Equal(t, pub.E, sk.E)
		require.True(t, bytes.Equal(pub.N.Bytes(), sk.Public().N.Bytes()))
	})
}
