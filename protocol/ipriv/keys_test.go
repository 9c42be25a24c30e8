package ipriv

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"paydesk/internal/testutil"
	"paydesk/protocol/ipriv/internal/idea"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPassphraseKnownAnswers(t *testing.T) {
	// From the spec: MD5 of the test passphrase and the test key's IV, which
	// IDEA-CFB under that hash decrypts to a known block.
	sum := md5.Sum([]byte("1111111111"))
	assert.Equal(t, "e11170b8cbd2d74102651cb967fa28e5", hex.EncodeToString(sum[:]))
	blk, err := idea.NewCipher(sum[:])
	require.NoError(t, err)
	enc := testutil.Unhex(t, "35d4f03f35ee4eaf")
	out := make([]byte, 8)
	newCFB(blk).decrypt(out, enc)
	assert.Equal(t, "216a21a6dbb01add", hex.EncodeToString(out))
}

func TestCFBResync(t *testing.T) {
	blk, err := idea.NewCipher(make([]byte, 16))
	require.NoError(t, err)
	c := newCFB(blk)
	ct := make([]byte, 11)
	c.encrypt(ct, []byte("0123456789A")) // one whole block and three bytes
	c.resync()
	// The register is now the last 8 ciphertext bytes and the block is spent.
	assert.Equal(t, ct[3:], c.reg[:])
	assert.Equal(t, 8, c.used)
	c.resync() // aligned: nothing changes
	assert.Equal(t, ct[3:], c.reg[:])

	// Decryption with the same resync points gives the plaintext back.
	plain := []byte("one-two-three, then a resync, then more text")
	enc := newCFB(blk)
	dec := newCFB(blk)
	ctext := make([]byte, len(plain))
	got := make([]byte, len(plain))
	for _, cut := range [][2]int{{0, 3}, {3, 19}, {19, 20}, {20, len(plain)}} {
		enc.resync()
		enc.encrypt(ctext[cut[0]:cut[1]], plain[cut[0]:cut[1]])
		dec.resync()
		dec.decrypt(got[cut[0]:cut[1]], ctext[cut[0]:cut[1]])
	}
	assert.Equal(t, plain, got)
	// Without the resyncs the stream differs after the first unaligned cut.
	plainCT := make([]byte, len(plain))
	newCFB(blk).encrypt(plainCT, plain)
	assert.Equal(t, plainCT[:3], ctext[:3])
	assert.NotEqual(t, plainCT[3:], ctext[3:])
}

func TestSecretKeyRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		key  func(t *testing.T) *SecretKey
	}{
		{"512-bit e=17", func(t *testing.T) *SecretKey { return testKey(t, 512) }},
		{"1024-bit", func(t *testing.T) *SecretKey { return testKey(t, 1024) }},
		{"2048-bit", func(t *testing.T) *SecretKey { return testKey(t, 2048) }},
		// p of 31 bytes: q's value starts mid-block, so only the resync rule
		// lets the checksum match.
		{"unaligned MPIs", func(t *testing.T) *SecretKey { return makeKey(t, 248, 264, 65537, 4242, "gotest") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.key(t)
			for _, pass := range []string{"1111111111", "Go team passphrase 42", ""} {
				file, err := k.Marshal([]byte(pass), nil)
				require.NoError(t, err)
				d := checkStrict(t, file, true)
				assert.Equal(t, TypeSecret, d.Type)
				assert.Equal(t, "", d.UserID2)
				assert.Equal(t, uint32(0), d.Serial2)
				assert.Empty(t, d.Signature)
				assert.Contains(t, string(file), "BEGIN SIGNATURE\r\n\r\nEND SIGNATURE\r\n")

				back, err := ParseSecretKey(file, []byte(pass))
				require.NoError(t, err, "passphrase %q", pass)
				for i, pair := range [][2]*big.Int{{k.N, back.N}, {k.D, back.D}, {k.P, back.P}, {k.Q, back.Q}, {k.U, back.U}} {
					assert.Equal(t, 0, pair[0].Cmp(pair[1]), "value %d", i)
				}
				assert.Equal(t, k.E, back.E)
				assert.Equal(t, k.Serial, back.Serial)
				assert.Equal(t, k.UserID, back.UserID)
				assert.Equal(t, k.Created, back.Created)

				// The passphrase matrix of the vendor library.
				if pass != "" {
					_, err = ParseSecretKey(file, []byte(pass+"x"))
					assert.ErrorIs(t, err, ErrPassphrase)
					_, err = ParseSecretKey(file, nil)
					assert.ErrorIs(t, err, ErrPassphrase)
				} else {
					_, err = ParseSecretKey(file, []byte("anything"))
					assert.ErrorIs(t, err, ErrPassphrase)
				}
				// A key re-exported under a new passphrase opens only with it.
				again, err := back.Marshal([]byte("new passphrase"), nil)
				require.NoError(t, err)
				_, err = ParseSecretKey(again, []byte("new passphrase"))
				require.NoError(t, err)
				_, err = ParseSecretKey(again, []byte(pass))
				assert.ErrorIs(t, err, ErrPassphrase)
			}
		})
	}
}

func TestUnalignedKeyNeedsResync(t *testing.T) {
	k := makeKey(t, 248, 264, 65537, 4242, "gotest")
	require.Equal(t, 31, len(k.P.Bytes()))
	file, err := k.Marshal([]byte("sync-test"), nil)
	require.NoError(t, err)
	// Decrypt the same packet without the resync: the checksum fails.
	d, _, err := Parse(file)
	require.NoError(t, err)
	pkts, err := decodeKeyBody("test", d)
	require.NoError(t, err)
	c := &cursor{b: pkts[0].body}
	_, err = parsePublicPart("test", c)
	require.NoError(t, err)
	require.Equal(t, byte(1), c.u8())
	sum := md5.Sum([]byte("sync-test"))
	blk, _ := idea.NewCipher(sum[:])
	s := newCFB(blk)
	s.decrypt(make([]byte, 8), c.bytes(8))
	var checksum uint16
	for i := 0; i < 4; i++ {
		bits, enc := c.mpi()
		plain := make([]byte, len(enc))
		s.decrypt(plain, enc) // no resync
		checksum += uint16(bits>>8) + uint16(bits&0xff)
		for _, x := range plain {
			checksum += uint16(x)
		}
	}
	assert.NotEqual(t, c.u16(), checksum)
}

func TestSecretKeyRejects(t *testing.T) {
	k := testKey(t, 512)
	good, err := k.Marshal([]byte("pass"), nil)
	require.NoError(t, err)
	pubFile, err := k.Public().MarshalCertified(k, epoch)
	require.NoError(t, err)

	bad := func(edit func(s *SecretKey)) []byte {
		c := *k
		edit(&c)
		b, err := c.Marshal(nil, nil)
		require.NoError(t, err)
		return b
	}
	tests := map[string]struct {
		file []byte
		pass string
		kind Kind
	}{
		"a public key file": {pubFile, "pass", ErrDocType},
		"not a document":    {[]byte("secret\r\n"), "pass", ErrFormat},
		"empty":             {nil, "pass", ErrNoData},
		"p·q is not n": {bad(func(s *SecretKey) {
			s.P = new(big.Int).Add(s.P, big.NewInt(2))
		}), "", ErrInvalidKey},
		"wrong u": {bad(func(s *SecretKey) {
			s.U = new(big.Int).Add(s.U, big.NewInt(1))
		}), "", ErrInvalidKey},
		"wrong d": {bad(func(s *SecretKey) {
			s.D = new(big.Int).Add(s.D, big.NewInt(2))
		}), "", ErrInvalidKey},
		"L2 does not match": {func() []byte {
			b := append([]byte{}, good...)
			copy(b[20:28], "00000001")
			return b
		}(), "pass", ErrFormat},
		"armored body edited": {func() []byte {
			b := append([]byte{}, good...)
			i := bytes.Index(b, []byte("BEGIN\r\n")) + 10
			b[i] ^= 0x20 // swaps letter case: still base64, CRC breaks
			return b
		}(), "pass", ErrRadix},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSecretKey(tt.file, []byte(tt.pass))
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind, "%v", err)
		})
	}
}

func TestGenerateKey(t *testing.T) {
	for _, bits := range []int{1024, 2048} {
		t.Run(fmt.Sprint(bits), func(t *testing.T) {
			k := testKey(t, bits)
			assert.Equal(t, bits, k.Bits())
			assert.Equal(t, 65537, k.E)
			assert.Equal(t, -1, k.P.Cmp(k.Q), "p < q")
			assert.Equal(t, 0, new(big.Int).Mul(k.U, k.P).Mod(new(big.Int).Mul(k.U, k.P), k.Q).Cmp(big.NewInt(1)), "u·p ≡ 1 mod q")

			sec, err := k.Marshal([]byte("pass"), nil)
			require.NoError(t, err)
			pub, err := k.Public().MarshalCertified(k, k.Created)
			require.NoError(t, err)
			checkStrict(t, sec, true)
			d := checkStrict(t, pub, true)

			// The NS shape of the vendor generator: packet order and trust bytes,
			// line 3 naming the key itself.
			assert.Equal(t, TypePublic, d.Type)
			assert.Equal(t, d.UserID, d.UserID2)
			assert.Equal(t, d.Serial, d.Serial2)
			bin := mustDecode(t, d.Body)
			pkts, err := readPackets(bin)
			require.NoError(t, err)
			require.Len(t, pkts, 4)
			assert.Equal(t, []byte{0x99}, pkts[0].raw[:1])
			assert.Equal(t, trustAfterKey, pkts[1].raw)
			assert.Equal(t, append([]byte{0xB4, byte(len(k.UserID))}, k.UserID...), pkts[2].raw)
			assert.Equal(t, trustAfterUserID, pkts[3].raw)
			sb := mustDecode(t, d.Signature)
			assert.Equal(t, trustAfterSignature, sb[len(sb)-3:])
			// The secret file's packets: key then userid, no trust.
			sd, _, err := Parse(sec)
			require.NoError(t, err)
			spk, err := readPackets(mustDecode(t, sd.Body))
			require.NoError(t, err)
			require.Len(t, spk, 2)
			assert.Equal(t, byte(0x95), spk[0].raw[0])
			assert.Equal(t, byte(0xB4), spk[1].raw[0])

			ring, err := ParseKeyring(pub)
			require.NoError(t, err)
			loaded, err := ring.Find(k.Serial)
			require.NoError(t, err)
			assert.True(t, loaded.SelfCertified())
			require.NoError(t, ring.CheckCertification(loaded))
			assert.Equal(t, k.Created, loaded.Created)

			opened, err := ParseSecretKey(sec, []byte("pass"))
			require.NoError(t, err)
			doc, err := opened.Sign(checkBody, MD5, epoch)
			require.NoError(t, err)
			_, _, err = loaded.Verify(doc)
			require.NoError(t, err)
		})
	}
}

func TestGenerateKeyRejects(t *testing.T) {
	tests := map[string]struct {
		bits   int
		serial uint32
		user   string
		kind   Kind
	}{
		"512 bits":         {512, 1, "api1", ErrKeyLen},
		"4096 bits":        {4096, 1, "api1", ErrKeyLen},
		"serial 0":         {1024, 0, "api1", ErrGenKey},
		"long userid":      {1024, 1, "api123456789012345678", ErrInvalidKey},
		"empty userid":     {1024, 1, "", ErrInvalidKey},
		"non-ASCII userid": {1024, 1, "апи1", ErrInvalidKey},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := GenerateKey(nil, tt.bits, tt.serial, tt.user, epoch)
			assert.ErrorIs(t, err, tt.kind)
		})
	}
}

func TestCertification(t *testing.T) {
	ca := makeKey(t, 256, 256, 17, 17033, "api17032")
	bank := makeKey(t, 256, 256, 17, 64182, "0J0005")
	caFile, err := ca.Public().MarshalCertified(ca, epoch)
	require.NoError(t, err)
	bankFile, err := bank.Public().MarshalCertified(ca, epoch.Add(time.Hour))
	require.NoError(t, err)
	d := checkStrict(t, bankFile, true)
	assert.Equal(t, "api17032", d.UserID2)
	assert.Equal(t, uint32(17033), d.Serial2)

	ring, err := ParseKeyring(append(append([]byte{}, caFile...), bankFile...))
	require.NoError(t, err)
	require.Len(t, ring.Keys, 2)
	first, err := ring.Find(0)
	require.NoError(t, err)
	assert.Equal(t, uint32(17033), first.Serial, "serial 0 is the first key")
	bk, err := ring.Find(64182)
	require.NoError(t, err)
	assert.Equal(t, "0J0005", bk.UserID)
	assert.False(t, bk.SelfCertified())
	require.NoError(t, ring.CheckCertification(bk))
	require.NoError(t, bk.VerifyCertification(first))
	assert.Equal(t, epoch.Add(time.Hour), bk.Certification.Time)

	_, err = ring.Find(904291)
	assert.ErrorIs(t, err, ErrKeyNotFound)

	// Alone, the bank key's certifier is missing.
	alone, err := ParseKeyring(bankFile)
	require.NoError(t, err)
	assert.ErrorIs(t, alone.CheckCertification(alone.Keys[0]), ErrKeyNotFound)
	// Certified by someone else: the wrong certifier is refused.
	assert.ErrorIs(t, bk.VerifyCertification(bank.Public()), ErrVerify)
	// The certification covers the userid on header line 2.
	renamed := bytes.Replace(bankFile, []byte("0J0005              00064182"), []byte("0J0006              00064182"), 1)
	r2, err := ParseKeyring(append(append([]byte{}, caFile...), renamed...))
	require.NoError(t, err)
	assert.ErrorIs(t, r2.CheckCertification(r2.Keys[1]), ErrVerify)

	// An uncertified export has an empty signature block.
	plain, err := bank.Public().MarshalCertified(nil, epoch)
	require.NoError(t, err)
	pr, err := ParseKeyring(plain)
	require.NoError(t, err)
	assert.Nil(t, pr.Keys[0].Certification)
	assert.ErrorIs(t, pr.CheckCertification(pr.Keys[0]), ErrVerify)
}

func TestKeyringRejects(t *testing.T) {
	k := testKey(t, 512)
	sec, err := k.Marshal(nil, nil)
	require.NoError(t, err)
	_, err = ParseKeyring(sec)
	assert.ErrorIs(t, err, ErrKeyNotFound, "a secret key file holds no public key")
	_, err = ParseKeyring([]byte("hello\r\n"))
	assert.ErrorIs(t, err, ErrFormat)
}

func TestKeyCard(t *testing.T) {
	card := KeyCard{UserID: "api17032", Serial: 17033}
	b := card.Marshal()
	assert.Equal(t, "Version: 01\r\nUser ID: api17032\r\nUser Key: 17033\r\n=T0eS", string(b))
	got, err := ParseKeyCard(b)
	require.NoError(t, err)
	assert.Equal(t, card, got)
	_, err = ParseKeyCard(bytes.Replace(b, []byte("17033"), []byte("17034"), 1))
	assert.ErrorIs(t, err, ErrKeyCard)
	_, err = ParseKeyCard([]byte("Version: 01\r\n"))
	assert.ErrorIs(t, err, ErrKeyCard)
}

func FuzzParseSecretKey(f *testing.F) {
	k := testKey(f, 512)
	for _, p := range []string{"", "pass"} {
		b, err := k.Marshal([]byte(p), nil)
		require.NoError(f, err)
		f.Add(b, p)
	}
	f.Fuzz(func(t *testing.T, file []byte, pass string) {
		sk, err := ParseSecretKey(file, []byte(pass))
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			return
		}
		// A key that loads can sign, and its signature verifies.
		doc, err := sk.Sign([]byte("x"), MD5, epoch)
		require.NoError(t, err)
		_, _, err = sk.Public().Verify(doc)
		require.NoError(t, err)
		// Its public half reads without the passphrase, the same.
		pub, encrypted, err := PeekSecretKey(file)
		require.NoError(t, err)
		require.Equal(t, len(pass) > 0, encrypted)
		require.Equal(t, 0, pub.N.Cmp(sk.N))
		require.Equal(t, sk.Serial, pub.Serial)
		// Written back under the same passphrase it loads to the same key.
		if checkUserID("", sk.UserID) == nil {
			b, err := sk.Marshal([]byte(pass), nil)
			require.NoError(t, err)
			again, err := ParseSecretKey(b, []byte(pass))
			require.NoError(t, err)
			for _, v := range [][2]*big.Int{{sk.N, again.N}, {sk.D, again.D}, {sk.P, again.P}, {sk.Q, again.Q}, {sk.U, again.U}} {
				require.Equal(t, 0, v[0].Cmp(v[1]))
			}
			require.Equal(t, sk.E, again.E)
			require.Equal(t, sk.Serial, again.Serial)
			require.Equal(t, sk.UserID, again.UserID)
			require.True(t, sk.Created.Equal(again.Created))
		}
	})
}

func FuzzParseKeyring(f *testing.F) {
	k := testKey(f, 512)
	b, err := k.Public().MarshalCertified(k, epoch)
	require.NoError(f, err)
	f.Add(b)
	f.Fuzz(func(t *testing.T, file []byte) {
		r, err := ParseKeyring(file)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			return
		}
		for _, key := range r.Keys {
			require.GreaterOrEqual(t, key.Bits(), MinBits)
			require.LessOrEqual(t, key.Bits(), MaxBits)
			found, err := r.Find(key.Serial)
			require.NoError(t, err)
			require.Equal(t, key.Serial, found.Serial)
			if err := r.CheckCertification(key); err != nil {
				require.True(t, errors.Is(err, ErrVerify) || errors.Is(err, ErrKeyNotFound) ||
					errors.Is(err, ErrUnknownAlg) || errors.Is(err, ErrKeyLen), "%v", err)
			}
			// Written back (uncertified) it reads as the same key.
			if checkUserID("", key.UserID) == nil {
				b, err := key.MarshalCertified(nil, epoch)
				require.NoError(t, err)
				again, err := ParseKeyring(b)
				require.NoError(t, err)
				require.Len(t, again.Keys, 1)
				got := again.Keys[0]
				require.Equal(t, 0, key.N.Cmp(got.N))
				require.Equal(t, key.E, got.E)
				require.Equal(t, key.Serial, got.Serial)
				require.Equal(t, key.UserID, got.UserID)
				require.True(t, key.Created.Equal(got.Created))
			}
		}
	})
}

// TestDerive checks that derived keys are stable per key and label and
// differ across both.
func TestDerive(t *testing.T) {
	a, b := testKey(t, 1024), testKey(t, 512)
	ka, err := a.Derive("books", 32)
	require.NoError(t, err)
	again, err := a.Derive("books", 32)
	require.NoError(t, err)
	assert.Equal(t, ka, again)
	assert.Len(t, ka, 32)
	other, err := a.Derive("pins", 32)
	require.NoError(t, err)
	assert.NotEqual(t, ka, other)
	kb, err := b.Derive("books", 32)
	require.NoError(t, err)
	assert.NotEqual(t, ka, kb)
	var none *SecretKey
	_, err = none.Derive("books", 32)
	assert.ErrorIs(t, err, ErrInvalidKey)
}
