#!/usr/bin/env bash
# deps.sh installs the Debian packages PayDesk needs to build and test:
# the C toolchain (cgo: go-sqlite3, the race detector, Fyne's OpenGL driver),
# pkg-config, and the X11/OpenGL headers that Fyne's GLFW driver compiles against.
# Packages already present are skipped; apt runs with sudo when not root.
set -euo pipefail

pkgs=(gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev libxrandr-dev
      libxinerama-dev libxi-dev libxxf86vm-dev)
# Extra packages for GUI work by hand (make screenshot): not needed by the tests.
if [[ "${1:-}" == "--gui" ]]; then
  pkgs+=(xvfb imagemagick)
fi
# Extra packages for make test: a real Secret Service (GNOME Keyring) on a
# private D-Bus session bus for the credential-store tests of internal/secret
# (they skip without them). Debian 12 ships dbus-daemon on its own; older
# releases only in dbus.
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(gnome-keyring curl)
  if command -v dbus-daemon >/dev/null; then
    :
  elif apt-cache show dbus-daemon >/dev/null 2>&1; then
    pkgs+=(dbus-daemon)
  else
    pkgs+=(dbus)
  fi
  # PostgreSQL for the hub's tests (scripts/pg.sh runs a throwaway cluster):
  # any installed version will do.
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    pkgs+=(postgresql)
  fi
  # Debian's chromium for the hub's pages driven in a real browser
  # (hub.TestBrowser, chromedp).
  command -v chromium >/dev/null || pkgs+=(chromium)
fi

# Extra packages for make windows-check and windows-test: the Windows
# cross-compiler, the installer compiler and signer, and Wine (64-bit) with
# Xvfb to run what they build; the libraries Wine's X11 driver and OpenGL
# load (only recommended by libwine, so not installed with it here) and
# Mesa's software renderer for the window.
if [[ "${1:-}" == "--windows" ]]; then
  pkgs+=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis osslsigncode openssl wine wine64 xvfb imagemagick
         libgl1 libglx-mesa0 libgl1-mesa-dri libxcursor1 libxi6 libxinerama1 libxrandr2 libxrender1)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "deps: missing ${missing[*]}; install them with your package manager" >&2
  exit 1
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
