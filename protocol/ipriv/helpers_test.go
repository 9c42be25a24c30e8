package ipriv

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// makeKey builds a key from fresh primes of the given sizes with exponent e.
// It makes the 512-bit keys the network still uses (crypto/rsa refuses to
// generate them) and keys with MPIs of odd byte lengths.
func makeKey(t testing.TB, pBits, qBits int, e int64, serial uint32, userID string) *SecretKey {
	t.Helper()
	for {
		p, err := rand.Prime(rand.Reader, pBits)
		require.NoError(t, err)
		q, err := rand.Prime(rand.Reader, qBits)
		require.NoError(t, err)
		if p.Cmp(q) == 0 {
			continue
		}
		if p.Cmp(q) > 0 {
			p, q = q, p
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != pBits+qBits {
			continue
		}
		one := big.NewInt(1)
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(big.NewInt(e), phi)
		if d == nil {
			continue
		}
		k := &SecretKey{
			PublicKey: PublicKey{Serial: serial, UserID: userID, Created: epoch, N: n, E: int(e)},
			D:         d, P: p, Q: q, U: new(big.Int).ModInverse(p, q),
		}
		require.NoError(t, k.init("test"))
		return k
	}
}

var (
	keyOnce  sync.Map // bits -> *SecretKey
	keyMutex sync.Mutex
)

// testKey returns a cached key of the size: 512 bits made from primes, 1024
// and 2048 bits from GenerateKey.
func testKey(t testing.TB, bits int) *SecretKey {
	t.Helper()
	keyMutex.Lock()
	defer keyMutex.Unlock()
	if k, ok := keyOnce.Load(bits); ok {
		return k.(*SecretKey)
	}
	var k *SecretKey
	if bits < 1024 {
		k = makeKey(t, bits/2, bits/2, 17, 17033, "api17032")
	} else {
		var err error
		k, err = GenerateKey(nil, bits, uint32(100000+bits), "api"+strconv.Itoa(bits), epoch)
		require.NoError(t, err)
	}
	keyOnce.Store(bits, k)
	return k
}

// checkStrict re-reads a document PayDesk wrote and checks it as the
// vendor's strict parser would: every length field, CRLF only, 64-character
// radix lines, the CRC.
func checkStrict(t *testing.T, doc []byte, wantTrailingCRLF bool) *Document {
	t.Helper()
	d, n, err := Parse(doc)
	require.NoError(t, err)
	rest := doc[n:]
	if wantTrailingCRLF {
		require.Equal(t, "", string(rest), "the trailing CRLF belongs to the last line")
		require.True(t, bytes.HasSuffix(doc, []byte("END SIGNATURE\r\n")))
	} else {
		require.Empty(t, rest)
		require.True(t, bytes.HasSuffix(doc, []byte("END SIGNATURE")))
	}
	end := len(doc)
	if wantTrailingCRLF {
		end -= 2
	}
	require.Equal(t, strconv.Itoa(end-8), strip0(string(doc[0:8])), "L0 = total length - 8")
	require.Equal(t, "01", string(doc[8:10]))
	require.Equal(t, len(d.Body), atoi(t, doc[12:20]), "L1")
	require.Equal(t, len(d.Signature), atoi(t, doc[28:36]), "L3")
	require.Equal(t, end, 144+len(d.Body)+len(d.Signature))
	for i, c := range doc {
		if c == '\n' {
			require.True(t, i > 0 && doc[i-1] == '\r', "LF without CR at %d", i)
		}
		if c == '\r' {
			require.True(t, i+1 < len(doc) && doc[i+1] == '\n', "CR without LF at %d", i)
		}
	}
	if d.Type != TypeSigned {
		bin, err := DecodeRadix(d.Body)
		require.NoError(t, err)
		require.Equal(t, len(bin), d.Stripped, "L2 = binary length")
		checkRadixLines(t, d.Body)
	} else {
		require.Equal(t, len(d.Body), d.Stripped, "L2 = L1 for SM")
	}
	if len(d.Signature) > 0 {
		_, err := DecodeRadix(d.Signature)
		require.NoError(t, err)
		checkRadixLines(t, d.Signature)
	}
	return d
}

func checkRadixLines(t *testing.T, text []byte) {
	t.Helper()
	lines := bytes.Split(text, []byte("\r\n"))
	for i, l := range lines[:len(lines)-1] {
		if i < len(lines)-2 {
			require.Len(t, l, 64, "radix line %d", i)
		} else {
			require.True(t, len(l) > 0 && len(l) <= 64, "last radix line %d has %d chars", i, len(l))
		}
	}
	crc := lines[len(lines)-1]
	require.Len(t, crc, 5)
	require.Equal(t, byte('='), crc[0])
}

func strip0(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func atoi(t *testing.T, b []byte) int {
	n, err := strconv.Atoi(string(b))
	require.NoError(t, err)
	return n
}
