package ipriv

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/testutil"
)

// The conformance suite runs against the vendor test vectors when
// PAYDESK_CONFORMANCE names their folder; nothing of them is in this tree.

type manifestEntry struct {
	File       string            `json:"file"`
	Kind       string            `json:"kind"`
	SHA256     string            `json:"sha256"`
	Size       int               `json:"size"`
	Passphrase *string           `json:"passphrase"`
	Serial     uint32            `json:"serial"`
	UserID     string            `json:"userid"`
	Bits       int               `json:"bits"`
	E          int               `json:"e"`
	Keys       map[string]string `json:"keys"`
	VerifyWith []any             `json:"verify_with"`
	Expect     string            `json:"expect"`
	Body       string            `json:"body"`
}

func conformanceDir(t *testing.T) string {
	t.Helper()
	dir := testutil.Conformance(t, "ipriv")
	_, err := os.Stat(filepath.Join(dir, "MANIFEST.json"))
	require.NoError(t, err, "%s has no MANIFEST.json", dir)
	return dir
}

type conformance struct {
	t       *testing.T
	dir     string
	entries []manifestEntry
	derived map[string]map[string]any
}

func loadConformance(t *testing.T) *conformance {
	dir := conformanceDir(t)
	c := &conformance{t: t, dir: dir}
	raw, err := os.ReadFile(filepath.Join(dir, "MANIFEST.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &c.entries))
	raw, err = os.ReadFile(filepath.Join(dir, "derived_intermediates.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &c.derived))
	return c
}

// read returns a vector's bytes after checking its size and SHA-256.
func (c *conformance) read(name string) []byte {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	require.NoError(c.t, err)
	for _, e := range c.entries {
		if e.File == name {
			sum := sha256.Sum256(b)
			require.Equal(c.t, e.SHA256, hex.EncodeToString(sum[:]), "%s: hash differs from the manifest (line ends converted?)", name)
			require.Equal(c.t, e.Size, len(b), name)
		}
	}
	return b
}

func (c *conformance) keyring(name string) *Keyring {
	c.t.Helper()
	r, err := ParseKeyring(c.read(name))
	require.NoError(c.t, err, name)
	return r
}

func (c *conformance) testKey() *SecretKey {
	c.t.Helper()
	k, err := ParseSecretKey(c.read("libipriv_lumpov/secret.key"), []byte("1111111111"))
	require.NoError(c.t, err)
	return k
}

func hexInt(t *testing.T, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), 16)
	require.True(t, ok, s)
	return v
}

func verifyWith(c *conformance, e manifestEntry) *PublicKey {
	require.Len(c.t, e.VerifyWith, 2, e.File)
	r := c.keyring(e.VerifyWith[0].(string))
	k, err := r.Find(uint32(e.VerifyWith[1].(float64)))
	require.NoError(c.t, err)
	return k
}

func TestConformance(t *testing.T) {
	c := loadConformance(t)
	require.NotEmpty(t, c.entries)
	for _, e := range c.entries {
		t.Run(e.File, func(t *testing.T) {
			c := *c
			c.t = t
			data := c.read(e.File)
			switch e.Kind {
			case "secret_key":
				conformSecretKey(&c, e, data)
			case "public_keys":
				conformPublicKeys(&c, e, data)
			case "signed_SM", "signed_SM_server_response":
				conformSigned(&c, e, data)
			case "negative":
				conformNegative(&c, e, data)
			case "negative_or_parser_only":
				_, _, err := Parse(data)
				if err == nil {
					_, _, err = c.keyring("libipriv_lumpov/pubkeys.key").Keys[1].Verify(data)
				}
				require.Error(t, err)
			case "key_card":
				card, err := ParseKeyCard(data)
				require.NoError(t, err)
				assert.Equal(t, KeyCard{UserID: "api17032", Serial: 17033}, card)
				assert.Equal(t, data, card.Marshal(), "key card re-written byte for byte")
				assert.Equal(t, uint32(0x4F4792), CRC24(data[:len(data)-5]))
			case "detached_signature_block":
				body := c.read("vendor_generated/check_request_body.cp1251.txt")
				k, err := c.keyring("libipriv_lumpov/pubkeys.key").Find(17033)
				require.NoError(t, err)
				sig, err := k.VerifyDetached(body, data)
				require.NoError(t, err)
				again, err := c.testKey().SignDetached(body, sig.Hash, sig.Time)
				require.NoError(t, err)
				assert.Equal(t, string(data), string(again), "detached signature re-signs byte for byte")
			case "real_signed_request_form_body":
				vals, err := url.ParseQuery(string(data))
				require.NoError(t, err)
				decoded := c.read("r2e/balance_request.decoded.txt")
				assert.Equal(t, string(decoded), vals.Get("inputmessage"))
			case "signed_SM_request":
				d, n, err := Parse(data)
				require.NoError(t, err)
				assert.Equal(t, len(data), n)
				assert.Equal(t, "api105484", d.UserID)
				assert.Equal(t, uint32(27828), d.Serial)
				assert.Equal(t, data, d.Marshal(), "header lengths are those PayDesk would write")
				k, err := c.keyring("libipriv_lumpov/pubkeys.key").Find(17033)
				require.NoError(t, err)
				_, _, err = k.Verify(data)
				assert.ErrorIs(t, err, ErrVerify)
			case "pem_rsa_private_key_unencrypted":
				conformPEM(&c, data)
			case "plaintext", "plaintext_request", "data", "intermediate_values":
				// Inputs of other checks.
			default:
				t.Fatalf("unknown manifest kind %q: the suite must cover every file", e.Kind)
			}
		})
	}
}

func conformSecretKey(c *conformance, e manifestEntry, data []byte) {
	t := c.t
	require.NotNil(t, e.Passphrase)
	k, err := ParseSecretKey(data, []byte(*e.Passphrase))
	require.NoError(t, err)
	assert.Equal(t, e.Serial, k.Serial)
	if e.UserID != "" {
		assert.Equal(t, e.UserID, k.UserID)
	}
	if e.Bits != 0 {
		assert.Equal(t, e.Bits, k.Bits())
		assert.Equal(t, e.E, k.E)
	}
	// The values match the intermediates (17033 keys) or the public key.
	for _, name := range []string{"secret_512", "secret_2048"} {
		kp := c.derived[name]["key_packet"].(map[string]any)
		if hexInt(t, kp["n_hex"].(string)).Cmp(k.N) != 0 {
			continue
		}
		assert.Equal(t, 0, hexInt(t, kp["d_hex"].(string)).Cmp(k.D), "d")
		assert.Equal(t, 0, hexInt(t, kp["p_hex"].(string)).Cmp(k.P), "p")
		assert.Equal(t, 0, hexInt(t, kp["q_hex"].(string)).Cmp(k.Q), "q")
		assert.Equal(t, 0, hexInt(t, kp["u_hex(p^-1 mod q)"].(string)).Cmp(k.U), "u")
	}
	if e.Serial == 4242 {
		r := c.keyring("vendor_generated/vendor_public_4242_selfcertified.key")
		pub, err := r.Find(4242)
		require.NoError(t, err)
		assert.Equal(t, 0, pub.N.Cmp(k.N))
	}
	// Wrong passphrases fail as the vendor says.
	wrong := [][]byte{[]byte("wrong passphrase"), []byte("1111111111")}
	if *e.Passphrase != "" {
		wrong = append(wrong, nil)
	}
	for _, w := range wrong {
		if string(w) == *e.Passphrase {
			continue
		}
		_, err := ParseSecretKey(data, w)
		assert.ErrorIs(t, err, ErrPassphrase, "passphrase %q", w)
	}
	// Re-exported with the same passphrase, the key loads back the same.
	out, err := k.Marshal([]byte(*e.Passphrase), nil)
	require.NoError(t, err)
	back, err := ParseSecretKey(out, []byte(*e.Passphrase))
	require.NoError(t, err)
	assert.Equal(t, 0, back.D.Cmp(k.D))
	if *e.Passphrase == "" {
		// The vendor library's export ends at END SIGNATURE; key files
		// written by its generator (and by us) add one CRLF.
		assert.Equal(t, string(data)+"\r\n", string(out), "a clear key re-exports byte for byte")
	}
}

func conformPublicKeys(c *conformance, e manifestEntry, data []byte) {
	t := c.t
	r, err := ParseKeyring(data)
	require.NoError(t, err)
	for serial := range e.Keys {
		k, err := r.Find(uint32(mustAtoi(t, serial)))
		require.NoError(t, err, serial)
		assert.NotNil(t, k.Certification, serial)
	}
	verified := 0
	for _, k := range r.Keys {
		err := r.CheckCertification(k)
		if k.Serial == 1015206 && strings.HasPrefix(e.File, "lumpov_pr_d012950/") {
			// Certified by 98712832, whose key is not in the file.
			assert.ErrorIs(t, err, ErrKeyNotFound)
			continue
		}
		if assert.NoError(t, err, "certification of %d", k.Serial) {
			verified++
		}
	}
	assert.Positive(t, verified)
	// Certification known answer: 64182 certified by 17033.
	if k, err := r.Find(64182); err == nil && k.Certification.Serial == 17033 {
		d, err := digest(MD5, k.packet, []byte(k.UserID), k.Certification.Extra)
		require.NoError(t, err)
		assert.Equal(t, "e605462c9a2d0a0db4b683ee3356f775", hex.EncodeToString(d))
	}
	// Self-certified keys re-export byte for byte when we hold the secret.
	if e.File == "libipriv_lumpov/public.key" {
		sk := c.testKey()
		pub, _ := r.Find(17033)
		out, err := sk.Public().MarshalCertified(sk, pub.Certification.Time)
		require.NoError(t, err)
		assert.Equal(t, string(data), string(out))
	}
}

func conformSigned(c *conformance, e manifestEntry, data []byte) {
	t := c.t
	k := verifyWith(c, e)
	d, sig, err := k.Verify(data)
	require.NoError(t, err)
	if e.Body != "" {
		assert.Equal(t, e.Body, string(d.Body))
	}
	if strings.HasPrefix(e.File, "lumpov_pr_d012950/") {
		assert.False(t, sig.Trust, "this response has no trust packet")
	}
	// Documents signed by 17033 re-sign byte for byte.
	if k.Serial != 17033 {
		return
	}
	sk := c.testKey()
	if k.Bits() == 2048 {
		var err error
		sk, err = ParseSecretKey(c.read("libipriv_lumpov/secret_2048.key"), []byte("1111111111"))
		require.NoError(t, err)
	}
	again, err := sk.Sign(d.Body, sig.Hash, sig.Time)
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again), "re-signed at %v", sig.Time.Unix())
}

func conformNegative(c *conformance, e manifestEntry, data []byte) {
	t := c.t
	var k *PublicKey
	if len(e.VerifyWith) == 2 {
		k = verifyWith(c, e)
	} else {
		var err error
		k, err = c.keyring("libipriv_lumpov/pubkeys.key").Find(64182)
		require.NoError(t, err)
	}
	_, _, err := k.Verify(data)
	switch {
	case strings.Contains(e.Expect, "-20"):
		assert.ErrorIs(t, err, ErrVerify)
	case strings.Contains(e.Expect, "-10"):
		assert.ErrorIs(t, err, ErrRadix)
	case strings.Contains(e.Expect, "-3"), strings.Contains(e.Expect, "INVALID_FORMAT"):
		assert.ErrorIs(t, err, ErrFormat)
	default:
		t.Fatalf("unhandled expectation %q", e.Expect)
	}
}

func conformPEM(c *conformance, data []byte) {
	t := c.t
	k := c.testKey()
	// The PEM lists the primes the other way round: p > q.
	text := string(data)
	assert.Contains(t, text, "BEGIN RSA PRIVATE KEY")
	pk, err := parsePKCS1(data)
	require.NoError(t, err)
	assert.Equal(t, 0, pk.N.Cmp(k.N))
	assert.Equal(t, 0, pk.D.Cmp(k.D))
	assert.Equal(t, 0, pk.Primes[0].Cmp(k.Q))
	assert.Equal(t, 0, pk.Primes[1].Cmp(k.P))
}

func mustAtoi(t *testing.T, s string) int {
	n, ok := new(big.Int).SetString(s, 10)
	require.True(t, ok, s)
	return int(n.Int64())
}
