// Package ipritest provides fixed IPRIV keys for tests, in the manner of
// net/http/httptest: a normal package that only tests import.
//
// The keys are 512 bits, the size of the network's test keys: crypto/rsa
// refuses to make keys that small, and a 512-bit signature costs a few
// milliseconds where a 1024-bit one costs several times more (seconds
// under the fuzzer's instrumentation). They were made once from random
// primes with e = 17 and are stored in clear, so every run signs the same
// bytes. They protect nothing.
//
// The package's own tests can't import it from inside package ipriv (the
// import would be a cycle); external tests (package ipriv_test) can.
package ipritest

import (
	"strings"

	"paydesk/protocol/ipriv"
)

// dealerText and bankText are the keys' files as ipriv.SecretKey.Marshal
// writes them (without a passphrase) but with LF line ends; parse restores
// the CRLF of the file format.
const (
	dealerText = `0000050901NM000003730000026500000000
api17032            00017033
                    00000000
BEGIN
lQD8AwAAQolrB/UQAAABAgDFZ3k0mrntgEJkOah/T9aVSTgZgBEaBM2TVIVcqZNB
sdkEXnBUk0TCGb3//ZAtp4YdeQie8bDiA61+KPzIe351AAURAAIAucrMbb7NG8QC
QDZEO5Zvm5A0zLTEzTGybIvIz66otktfhcs6Exnsy5IejJPmrBhNmcar9NiXKC9t
ALi7pXAW8QEAzPOsZfeyGULsvhSr/j0r1y4Hhl0txJBm//gsFsuq+gkBAPaSihyo
lZ/m4b919GzZodx8DmuNncu26km1OJ6dCWwNAQDx0boo3Um9byagAckVjCygovyp
tCk+6X20qk8JfputrlX4tAhhcGkxNzAzMg==
=xw5k
END
BEGIN SIGNATURE

END SIGNATURE
`
	bankText = `0000050501NM000003690000026300000000
0J0005              00064182
                    00000000
BEGIN
lQD8AwAA+rZrB/UQAAABAgC3p9bd0lhS3vIOdiyymrlUqPdnZNtEu9SHWo35xdYl
bW1t8cR+B4umU5tzegCVPyRXevhl2uKb8WPWhTMcGDZxAAURAAH+KzaM6OYy5lKT
TrJk3rr+bkXf3Be7HztBEMoDSdQyYyhoIzs1mZSEFYDQp4I2deEocY2R+2+sX+uY
WaWWnQnYsQEAyWc2efpA8E8sAP+Pvc4l9dp4qyunjjRBFlQWeRKB7F0BAOlw/6a3
D2n7xCOsANtSHEKaaKDNmLfQBwYFbvnuLHElAQC5N60EzuT4SZ49ZFvcxGIHx3Nx
sR7hIxXPsVpMTc/jRVANtAYwSjAwMDU=
=yida
END
BEGIN SIGNATURE

END SIGNATURE
`
)

// DealerKey returns a new copy of the fixed 512-bit dealer test key:
// serial 17033, userid api17032, e = 17, created 2026-11-26 09:00 UTC (the
// training dealer's identity).
func DealerKey() *ipriv.SecretKey { return parse(dealerText) }

// BankKey returns a new copy of the fixed 512-bit bank test key: serial
// 64182, userid 0J0005, e = 17, created 2026-11-26 09:00 UTC (the training
// bank's identity). It is not DealerKey: a signature of one does not
// verify with the other.
func BankKey() *ipriv.SecretKey { return parse(bankText) }

// parse opens a key file of this package; the text is fixed, so an error
// is a bug here and panics.
func parse(text string) *ipriv.SecretKey {
	k, err := ipriv.ParseSecretKey([]byte(strings.ReplaceAll(text, "\n", "\r\n")), nil)
	if err != nil {
		panic("ipritest: " + err.Error())
	}
	return k
}
