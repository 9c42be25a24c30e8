package idea

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/testutil"
)

// Known answers: the first is the designers' test vector (also the one the
// IPRIV spec quotes); the others come from the NESSIE IDEA test set.
func TestKnownAnswers(t *testing.T) {
	tests := []struct{ key, plain, cipher string }{
		{"00010002000300040005000600070008", "0000000100020003", "11fbed2b01986de5"},
		{"80000000000000000000000000000000", "0000000000000000", "b1f5f7f87901370f"},
		{"00000000000000000000000000000000", "8000000000000000", "8001000180008000"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+tt.plain, func(t *testing.T) {
			c, err := NewCipher(testutil.Unhex(t, tt.key))
			require.NoError(t, err)
			out := make([]byte, 8)
			c.Encrypt(out, testutil.Unhex(t, tt.plain))
			assert.Equal(t, tt.cipher, hex.EncodeToString(out))
			back := make([]byte, 8)
			c.Decrypt(back, out)
			assert.Equal(t, tt.plain, hex.EncodeToString(back))
		})
	}
}

func TestRoundTripRandom(t *testing.T) {
	for i := 0; i < 200; i++ {
		key := make([]byte, KeySize)
		pt := make([]byte, BlockSize)
		_, _ = rand.Read(key)
		_, _ = rand.Read(pt)
		c, err := NewCipher(key)
		require.NoError(t, err)
		ct := make([]byte, 8)
		c.Encrypt(ct, pt)
		back := make([]byte, 8)
		c.Decrypt(back, ct)
		require.Equal(t, pt, back, "key %x", key)
	}
}

func TestMulInv(t *testing.T) {
	for x := 0; x < 65536; x++ {
		v := uint16(x)
		require.Equal(t, uint16(1), mul(v, mulInv(v)), "x=%d", x)
	}
}

func TestBadKeySize(t *testing.T) {
	_, err := NewCipher(make([]byte, 15))
	assert.EqualError(t, err, "idea: invalid key size 15")
}
