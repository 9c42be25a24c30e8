package ipriv

import (
	"crypto/rsa"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
)

// parsePKCS1 reads an RSA private key in PKCS#1 PEM without crypto/x509,
// which refuses keys under 1024 bits.
func parsePKCS1(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	var v struct {
		Version              int
		N                    *big.Int
		E                    int
		D, P, Q, Dp, Dq, Qin *big.Int
	}
	if _, err := asn1.Unmarshal(blk.Bytes, &v); err != nil {
		return nil, err
	}
	return &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: v.N, E: v.E}, D: v.D, Primes: []*big.Int{v.P, v.Q}}, nil
}
