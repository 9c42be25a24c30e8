#!/usr/bin/env bash
# deb.sh builds dist/paydesk_<version>_amd64.deb with dpkg-deb:
#   /usr/bin/paydesk, /usr/bin/paydeskctl
#   /usr/share/applications/ru.paydesk.cashier.desktop
#   /usr/share/icons/hicolor/{16x16..512x512,scalable}/apps/paydesk.{png,svg}
#   /usr/share/doc/paydesk/{copyright,paydesk.example.yaml}
# The user's data stays in ~/.config/paydesk (os.UserConfigDir): the package
# never touches it, so removing or purging it keeps the books.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/deps.sh"
need desktop-file-utils

ver=$(version)
arch=amd64
# Runtime libraries the binary links (ldd bin/paydesk): GLFW's X11 and GL,
# and glibc. check-deb.sh verifies every linked library is covered.
depends="libc6 (>= 2.34), libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"

build=$DIST/deb
pkg=$build/root
rm -rf "$build"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/applications" "$pkg/usr/share/doc/paydesk"

t0=$(date +%s)
(cd "$ROOT" && CGO_ENABLED=1 GOOS=linux GOARCH=$arch $GO build -ldflags "$(ldflags)" -o "$pkg/usr/bin/" ./cmd/paydesk ./cmd/paydeskctl)
echo "deb: binaries built in $(($(date +%s) - t0)) s" >&2

install -m 0644 "$ROOT/packaging/paydesk.desktop" "$pkg/usr/share/applications/ru.paydesk.cashier.desktop"
desktop-file-validate "$pkg/usr/share/applications/ru.paydesk.cashier.desktop"
for d in "$ROOT"/assets/icons/hicolor/*/; do
  s=$(basename "$d")
  install -D -m 0644 "$d/apps/paydesk.png" "$pkg/usr/share/icons/hicolor/$s/apps/paydesk.png"
done
install -D -m 0644 "$ROOT/assets/icons/paydesk.svg" "$pkg/usr/share/icons/hicolor/scalable/apps/paydesk.svg"
install -m 0644 "$ROOT/packaging/paydesk.example.yaml" "$pkg/usr/share/doc/paydesk/paydesk.example.yaml"
cat > "$pkg/usr/share/doc/paydesk/copyright" <<EOC
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: PayDesk
Source: https://paydesk.ru

Files: *
Copyright: PayDesk authors
License: proprietary
EOC

# Refresh the icon cache and the desktop database when the tools are there.
for s in postinst postrm; do
  cat > "$pkg/DEBIAN/$s" <<'EOS'
#!/bin/sh
set -e
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f /usr/share/icons/hicolor/index.theme ]; then
  gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
fi
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q /usr/share/applications || true
fi
exit 0
EOS
  chmod 0755 "$pkg/DEBIAN/$s"
done

size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat > "$pkg/DEBIAN/control" <<EOC
Package: paydesk
Version: $ver
Architecture: $arch
Maintainer: PayDesk <support@paydesk.ru>
Installed-Size: $size
Depends: $depends
Section: misc
Priority: optional
Homepage: https://paydesk.ru
Description: cashier client for a payment-acceptance network
 PayDesk takes payments for mobile operators, internet, TV and utilities
 through a CyberPlat-style gateway, signs every request with the point's
 key, prints fiscal receipts on a Shtrih-M register and keeps shifts,
 payments and receipts in SQLite. Without a configuration it starts in
 training mode. Data and settings live in ~/.config/paydesk.
EOC

out=$DIST/paydesk_${ver}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out" >/dev/null
echo "deb: $out ($(stat -c %s "$out") bytes) in $(($(date +%s) - t0)) s"
