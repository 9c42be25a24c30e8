#!/usr/bin/env bash
# sign.sh FILE...  signs Windows executables in place with Authenticode
# (osslsigncode, SHA-256) and verifies each signature.
#
# The certificate comes from the environment when given:
#   PAYDESK_SIGN_PFX=cert.pfx          a PKCS#12 file, or
#   PAYDESK_SIGN_CERT=cert.pem (or .spc/.crt, chain included) and
#   PAYDESK_SIGN_KEY=key.pem  (or .pvk/.der)
#   PAYDESK_SIGN_PASS_FILE=file        its password, if any (first line)
#   PAYDESK_SIGN_TIMESTAMP=URL         an RFC 3161 timestamp server (optional)
#   PAYDESK_SIGN_CAFILE=ca.pem         CAs to verify against (default: the system's)
# Otherwise a self-made test CA and code-signing certificate are created once
# in dist/sign/ (openssl) and the signatures are verified against that CA.
# Those test signatures prove the build is signable, not who made it:
# Windows shows "unknown publisher" for them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need osslsigncode openssl

keydir=$DIST/sign
sign_args=()
cafile=${PAYDESK_SIGN_CAFILE:-/etc/ssl/certs/ca-certificates.crt}
if [[ -n ${PAYDESK_SIGN_PFX:-} ]]; then
  sign_args=(-pkcs12 "$PAYDESK_SIGN_PFX")
elif [[ -n ${PAYDESK_SIGN_CERT:-} || -n ${PAYDESK_SIGN_KEY:-} ]]; then
  [[ -n ${PAYDESK_SIGN_CERT:-} && -n ${PAYDESK_SIGN_KEY:-} ]] ||
    { echo "sign: PAYDESK_SIGN_CERT and PAYDESK_SIGN_KEY go together" >&2; exit 1; }
  sign_args=(-certs "$PAYDESK_SIGN_CERT" -key "$PAYDESK_SIGN_KEY")
else
  if [[ ! -f $keydir/test-signing.key ]]; then
    mkdir -p "$keydir"
    chmod 700 "$keydir"
    (
      cd "$keydir"
      openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -sha256 \
        -subj "/CN=PayDesk Test Root CA/O=PayDesk (test only)" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout test-ca.key -out test-ca.pem 2>/dev/null
      openssl req -newkey rsa:3072 -nodes -sha256 \
        -subj "/CN=PayDesk Test Code Signing/O=PayDesk (test only)" \
        -keyout test-signing.key -out test-signing.csr 2>/dev/null
      printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=codeSigning" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > ext.cnf
      openssl x509 -req -in test-signing.csr -CA test-ca.pem -CAkey test-ca.key -CAcreateserial \
        -days 1825 -sha256 -extfile ext.cnf -out test-signing.pem 2>/dev/null
      cat test-signing.pem test-ca.pem > test-chain.pem
      rm -f test-signing.csr ext.cnf test-ca.srl
      chmod 600 ./*.key
    )
    echo "sign: made a test certificate in $keydir (not for distribution)" >&2
  fi
  sign_args=(-certs "$keydir/test-chain.pem" -key "$keydir/test-signing.key")
  cafile=$keydir/test-ca.pem
fi
if [[ -n ${PAYDESK_SIGN_PASS_FILE:-} ]]; then
  sign_args+=(-readpass "$PAYDESK_SIGN_PASS_FILE")
fi
if [[ -n ${PAYDESK_SIGN_TIMESTAMP:-} ]]; then
  sign_args+=(-ts "$PAYDESK_SIGN_TIMESTAMP")
fi

for f in "$@"; do
  tmp=$f.signing
  rm -f "$tmp"
  osslsigncode sign "${sign_args[@]}" -h sha256 -n "PayDesk" -i "https://paydesk.ru" \
    -in "$f" -out "$tmp" >/dev/null
  mv -f "$tmp" "$f"
  if ! out=$(osslsigncode verify -CAfile "$cafile" -in "$f" 2>&1); then
    echo "$out" >&2
    echo "sign: FAIL: $f does not verify" >&2
    exit 1
  fi
  echo "sign: $(basename "$f"): $(grep -E '^Signature verification: ' <<<"$out" | head -1)" >&2
done
