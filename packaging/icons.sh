#!/usr/bin/env bash
# icons.sh renders assets/icons/paydesk.svg into the committed raster icons:
# assets/icons/hicolor/NxN/apps/paydesk.png (the Linux hicolor theme sizes),
# assets/icons/paydesk.png (512 px, FyneApp.toml's icon) and
# assets/icons/paydesk.ico (16..256 px, Windows). Run it after editing the SVG
# (make icons); the package builds use the committed files.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need librsvg2-bin icoutils fonts-dejavu-core

svg=$ROOT/assets/icons/paydesk.svg
out=$ROOT/assets/icons
ico=()
for s in 16 22 24 32 48 64 128 256 512; do
  d=$out/hicolor/${s}x${s}/apps
  mkdir -p "$d"
  rsvg-convert -w "$s" -h "$s" -o "$d/paydesk.png" "$svg"
  case $s in 16|24|32|48|64|128|256) ico+=("$d/paydesk.png") ;; esac
done
cp "$out/hicolor/512x512/apps/paydesk.png" "$out/paydesk.png"
# 256 px is stored as PNG inside the .ico (as Windows Vista+ expects), the rest as BMP.
icotool -c -o "$out/paydesk.ico" "${ico[@]:0:6}" -r "${ico[6]}"
echo "icons: $(ls "$out"/hicolor | wc -l) sizes, $(stat -c %s "$out/paydesk.ico") bytes of .ico"
