// Package ipriv reads and writes CyberPlat IPRIV documents and keys, and signs
// and verifies them byte for byte as the vendor's libipriv does.
//
// A document is an ASCII envelope: a header with four length fields, the
// message between BEGIN and END, and a radix-64 PGP-2.x-style signature block
// between BEGIN SIGNATURE and END SIGNATURE. Three types exist: SM (a signed
// message), NS (a certified public key) and NM (a passphrase-protected secret
// key). Documents are bytes: lengths count CRLF, nothing is ever normalised.
//
// The RSA operations are done here with math/big rather than crypto/rsa for
// keys under 1024 bits: the network's test keys (17033, 64182) and the
// production bank key 904291 are 512-bit, and crypto/rsa refuses them unless
// the whole process runs with GODEBUG=rsa1024min=0, which would also let TLS
// accept weak server keys. Public operations (verification) always use
// math/big; private operations use crypto/rsa for keys of 1024 bits and more,
// and a blinded CRT computation, checked by verifying its own result, for
// smaller keys.
package ipriv
