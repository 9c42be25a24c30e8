#!/usr/bin/env bash
# check-deb.sh inspects dist/paydesk_<version>_amd64.deb (make package-check):
# control fields, Depends covering every library the binaries link, the file
# list, the desktop entry (desktop-file-validate), and that both binaries run
# from the unpacked tree. With --install it also installs the package for
# real (dpkg -i), runs paydesk --help and paydeskctl --help from /usr/bin,
# opens the window under Xvfb when xvfb-run is there, and removes and purges
# it, checking nothing is left behind and the user's data stays (needs root).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need desktop-file-utils

deb=${DEB:-$DIST/paydesk_$(version)_amd64.deb}
[[ -f $deb ]] || { echo "check-deb: $deb not found (make package-linux)" >&2; exit 1; }
fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

info=$(dpkg-deb --info "$deb")
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == paydesk ]] || fail "Package is $(field Package)"
[[ $(field Version) == "$(version)" ]] || fail "Version is $(field Version), want $(version)"
[[ $(field Architecture) == amd64 ]] || fail "Architecture is $(field Architecture)"
depends=$(field Depends)
echo "check-deb: Depends: $depends"

contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
for f in ./usr/bin/paydesk ./usr/bin/paydeskctl \
         ./usr/share/applications/ru.paydesk.cashier.desktop \
         ./usr/share/icons/hicolor/scalable/apps/paydesk.svg \
         ./usr/share/doc/paydesk/paydesk.example.yaml ./usr/share/doc/paydesk/copyright; do
  grep -qx "$f" <<<"$contents" || fail "$f missing"
done
for s in 16 22 24 32 48 64 128 256 512; do
  grep -qx "./usr/share/icons/hicolor/${s}x${s}/apps/paydesk.png" <<<"$contents" || fail "${s}x${s} icon missing"
done
# Only the usual places: /usr/bin and /usr/share, nothing in /etc, /opt or /home.
bad=$(grep -vE '^\./(usr/|usr/(bin|share)(/.*)?)?$' <<<"$contents" || true)
[[ -z $bad ]] || fail "unexpected paths: $bad"
dpkg-deb --contents "$deb" | awk '$1 ~ /^-/ && $2 != "root/root" {print; bad=1} END {exit bad}' || fail "files not owned by root"

dpkg-deb -x "$deb" "$tmp/root"
dpkg-deb -e "$deb" "$tmp/root/DEBIAN"
desktop-file-validate "$tmp/root/usr/share/applications/ru.paydesk.cashier.desktop" || fail "desktop entry invalid"
grep -qx 'Name=PayDesk' "$tmp/root/usr/share/applications/ru.paydesk.cashier.desktop" || fail "desktop Name"
grep -q '^Name\[ru\]=' "$tmp/root/usr/share/applications/ru.paydesk.cashier.desktop" || fail "desktop Name[ru]"
grep -qx 'Icon=paydesk' "$tmp/root/usr/share/applications/ru.paydesk.cashier.desktop" || fail "desktop Icon"

# Every shared library the binaries need comes from a package in Depends
# (or one those pull in: libc6 brings libm, libpthread, libdl...).
for b in paydesk paydeskctl; do
  for lib in $(objdump -p "$tmp/root/usr/bin/$b" | awk '/NEEDED/ {print $2}'); do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')
    [[ -n $path ]] || fail "$b needs $lib, not found on this machine"
    owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1 || true)
    [[ -z $owner ]] && owner=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 || true)
    [[ -n $owner ]] || fail "$b: no package owns $path"
    grep -qE "(^|, )$owner( |,|$)" <<<"$depends" || fail "$b needs $lib from $owner, not in Depends"
    echo "check-deb: $b: $lib <- $owner"
  done
done

"$tmp/root/usr/bin/paydeskctl" --help >/dev/null 2>&1 || fail "paydeskctl --help"
"$tmp/root/usr/bin/paydesk" --help >"$tmp/help" 2>&1 || fail "paydesk --help: $(cat "$tmp/help")"
grep -q -- '-config' "$tmp/help" || fail "paydesk --help does not list -config"

if [[ ${1:-} == --install ]]; then
  [[ $(id -u) -eq 0 ]] || fail "--install needs root"
  dpkg-query -W paydesk >/dev/null 2>&1 && fail "paydesk is already installed here; remove it first"
  # A stand-in for the cashier's data: the package must never touch it.
  home=$tmp/home
  mkdir -p "$home/.config/paydesk"
  echo keep > "$home/.config/paydesk/paydesk.db"
  dpkg -i "$deb" >/dev/null
  trap 'dpkg -r paydesk >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  [[ $(command -v paydesk) == /usr/bin/paydesk ]] || fail "paydesk not on PATH"
  HOME=$home XDG_CONFIG_HOME= paydesk --help >/dev/null 2>&1 || fail "installed paydesk --help"
  paydeskctl --help >/dev/null 2>&1 || fail "installed paydeskctl --help"
  dpkg -s paydesk | grep -q '^Status: install ok installed' || fail "dpkg status"
  # The window opens (training mode) when an X server can be had.
  if command -v xvfb-run >/dev/null; then
    HOME=$home XDG_CONFIG_HOME= timeout 12 xvfb-run -a paydesk >/dev/null 2>&1 || true
    grep -q 'paydesk: window ready' "$home/.config/paydesk/paydesk.log" || fail "paydesk did not open its window under Xvfb"
    echo "check-deb: paydesk opened its window under Xvfb: $(grep -o 'startup=[^ ]*' "$home/.config/paydesk/paydesk.log" | tail -1)"
  fi
  dpkg -r paydesk >/dev/null
  dpkg-query -W -f='${Status}' paydesk 2>/dev/null | grep -q '^install ok' && fail "still installed after dpkg -r"
  for f in /usr/bin/paydesk /usr/bin/paydeskctl /usr/share/applications/ru.paydesk.cashier.desktop \
           /usr/share/icons/hicolor/48x48/apps/paydesk.png /usr/share/doc/paydesk; do
    [[ ! -e $f ]] || fail "$f left after dpkg -r"
  done
  dpkg --purge paydesk >/dev/null 2>&1 || true
  [[ $(cat "$home/.config/paydesk/paydesk.db") == keep ]] || fail "the user's data did not survive removal"
  trap 'rm -rf "$tmp"' EXIT
  echo "check-deb: installed, ran --help, removed and purged cleanly, user data kept"
fi
echo "check-deb: OK $deb ($(stat -c %s "$deb") bytes)"
