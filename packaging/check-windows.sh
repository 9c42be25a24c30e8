#!/usr/bin/env bash
# check-windows.sh re-checks what make package-windows wrote to dist/: each
# executable and the installer carry a valid Authenticode signature
# (osslsigncode verify; against the test CA in dist/sign/ when that made
# them, else PAYDESK_SIGN_CAFILE or the system's CAs), paydesk.exe is a GUI
# executable, paydeskctl.exe a console one, and both carry resources.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need osslsigncode binutils-mingw-w64-x86-64

fail() { echo "check-windows: FAIL: $*" >&2; exit 1; }
setup=$DIST/PayDesk-$(version)-setup.exe
cafile=${PAYDESK_SIGN_CAFILE:-}
if [[ -z $cafile ]]; then
  if [[ -z ${PAYDESK_SIGN_PFX:-}${PAYDESK_SIGN_CERT:-} && -f $DIST/sign/test-ca.pem ]]; then
    cafile=$DIST/sign/test-ca.pem
  else
    cafile=/etc/ssl/certs/ca-certificates.crt
  fi
fi
subsystem() { x86_64-w64-mingw32-objdump -p "$1" | awk '/^Subsystem/ {print $2}'; }
for f in "$DIST/windows/paydesk.exe" "$DIST/windows/paydeskctl.exe" "$setup"; do
  [[ -f $f ]] || fail "$f missing (make package-windows)"
  out=$(osslsigncode verify -CAfile "$cafile" -in "$f" 2>&1) || { echo "$out" >&2; fail "$f: signature"; }
  echo "check-windows: $(basename "$f"): $(grep -E '^Signature verification: ' <<<"$out" | head -1), $(grep -m1 'Subject:' <<<"$out" | sed 's/^[[:space:]]*//')"
done
[[ $(subsystem "$DIST/windows/paydesk.exe") == 00000002 ]] || fail "paydesk.exe: not the GUI subsystem"
[[ $(subsystem "$DIST/windows/paydeskctl.exe") == 00000003 ]] || fail "paydeskctl.exe: not the console subsystem"
[[ $(subsystem "$setup") == 00000002 ]] || fail "installer: not the GUI subsystem"
# A 64-bit installer (NSIS Target amd64-unicode): it starts under wine64 alone.
[[ $(x86_64-w64-mingw32-objdump -f "$setup") == *"file format pei-x86-64"* ]] || fail "installer: not a 64-bit executable"
for e in paydesk paydeskctl; do
  x86_64-w64-mingw32-objdump -h "$DIST/windows/$e.exe" | grep -q ' \.rsrc ' || fail "$e.exe has no resources"
done
echo "check-windows: OK (paydesk.exe GUI, paydeskctl.exe console, signatures verify against $cafile)"
