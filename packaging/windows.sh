#!/usr/bin/env bash
# windows.sh cross-compiles PayDesk for 64-bit Windows with mingw-w64 and
# builds its installer with NSIS, all on Debian:
#   dist/windows/paydesk.exe      GUI subsystem (no console), icon, version info
#   dist/windows/paydeskctl.exe   console tool, icon, version info
#   dist/PayDesk-<version>-setup.exe
# Every executable (the uninstaller inside the installer too) is signed with
# Authenticode by packaging/sign.sh and verified (osslsigncode verify).
# Icon, version information and the manifest are linked in as a resource
# object made by goversioninfo (the library the fyne tool uses), passed to
# the external linker, so nothing is written into the source tree.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need gcc-mingw-w64-x86-64 nsis osslsigncode openssl binutils-mingw-w64-x86-64

ver=$(version)
rev=$(gitrev)
# Windows wants four numbers: the version and the count of commits.
IFS=. read -r vmaj vmin vpat _ <<<"${ver%%[-+]*}.0.0.0"
vbuild=$(git -C "$ROOT" rev-list --count HEAD 2>/dev/null || echo 0)
ver4=$vmaj.$vmin.$vpat.$vbuild

gobin=$($GO env GOPATH)/bin
if [[ ! -x $gobin/goversioninfo ]]; then
  $GO install github.com/josephspurrier/goversioninfo/cmd/goversioninfo@v1.7.0
fi

out=$DIST/windows
obj=$DIST/windows-obj
rm -rf "$out" "$obj"
mkdir -p "$out" "$obj"

# Resource objects: icon, version information, manifest (per-monitor DPI
# aware, common controls 6, runs as the invoking user).
cat > "$obj/app.manifest" <<EOM
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0" xmlns:asmv3="urn:schemas-microsoft-com:asm.v3">
  <assemblyIdentity version="$ver4" processorArchitecture="amd64" name="ru.paydesk.cashier" type="win32"/>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security><requestedPrivileges><requestedExecutionLevel level="asInvoker" uiAccess="false"/></requestedPrivileges></security>
  </trustInfo>
  <asmv3:application>
    <asmv3:windowsSettings xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">
      <dpiAware>true</dpiAware>
    </asmv3:windowsSettings>
  </asmv3:application>
  <dependency><dependentAssembly>
    <assemblyIdentity type="win32" name="Microsoft.Windows.Common-Controls" version="6.0.0.0" processorArchitecture="*" publicKeyToken="6595b64144ccf1df" language="*"/>
  </dependentAssembly></dependency>
</assembly>
EOM
resource() { # name description
  cat > "$obj/$1.json" <<EOJ
{
  "FixedFileInfo": {
    "FileVersion": {"Major": $vmaj, "Minor": $vmin, "Patch": $vpat, "Build": $vbuild},
    "ProductVersion": {"Major": $vmaj, "Minor": $vmin, "Patch": $vpat, "Build": $vbuild},
    "FileFlagsMask": "3f", "FileFlags ": "00", "FileOS": "040004", "FileType": "01", "FileSubType": "00"
  },
  "StringFileInfo": {
    "CompanyName": "PayDesk", "FileDescription": "$2", "FileVersion": "$ver4",
    "InternalName": "$1", "LegalCopyright": "© PayDesk", "OriginalFilename": "$1.exe",
    "ProductName": "PayDesk", "ProductVersion": "$ver4", "Comments": "$ver, git $rev"
  },
  "VarFileInfo": {"Translation": {"LangID": "0419", "CharsetID": "04B0"}}
}
EOJ
  (cd "$obj" && "$gobin/goversioninfo" -64 -o "$1.syso" \
    -icon "$ROOT/assets/icons/paydesk.ico" -manifest app.manifest "$1.json")
}
resource paydesk "PayDesk cashier"
resource paydeskctl "PayDesk command-line tool"

export CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++
t0=$(date +%s)
(cd "$ROOT" && $GO build -ldflags "$(ldflags) -H windowsgui -linkmode external -extldflags=$obj/paydesk.syso" \
  -o "$out/paydesk.exe" ./cmd/paydesk)
t1=$(date +%s)
echo "windows: paydesk.exe built in $((t1 - t0)) s" >&2
(cd "$ROOT" && $GO build -ldflags "$(ldflags) -linkmode external -extldflags=$obj/paydeskctl.syso" \
  -o "$out/paydeskctl.exe" ./cmd/paydeskctl)
t2=$(date +%s)
echo "windows: paydeskctl.exe built in $((t2 - t1)) s" >&2
unset CGO_ENABLED GOOS GOARCH CC CXX

# The PE headers: GUI subsystem for paydesk.exe, console for paydeskctl.exe,
# and the resources (icon, version) present in both.
subsystem() { x86_64-w64-mingw32-objdump -p "$1" | awk '/^Subsystem/ {print $2}'; }
[[ $(subsystem "$out/paydesk.exe") == 00000002 ]] || { echo "windows: paydesk.exe is not a GUI executable" >&2; exit 1; }
[[ $(subsystem "$out/paydeskctl.exe") == 00000003 ]] || { echo "windows: paydeskctl.exe is not a console executable" >&2; exit 1; }
for e in paydesk paydeskctl; do
  x86_64-w64-mingw32-objdump -h "$out/$e.exe" | grep -q ' \.rsrc ' || { echo "windows: $e.exe has no resources" >&2; exit 1; }
done

bash "$ROOT/packaging/sign.sh" "$out/paydesk.exe" "$out/paydeskctl.exe"

setup=$DIST/PayDesk-$ver-setup.exe
sizekb=$(( ($(stat -c %s "$out/paydesk.exe") + $(stat -c %s "$out/paydeskctl.exe")) / 1024 + 200 ))
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$ver" -DVERSION4="$ver4" -DSIZEKB="$sizekb" \
  -DROOT="$ROOT" -DBIN="$out" -DOUTFILE="$setup" \
  -DSIGN="bash $ROOT/packaging/sign.sh %1" "$ROOT/packaging/paydesk.nsi"
bash "$ROOT/packaging/sign.sh" "$setup"
rm -rf "$obj"
echo "windows: $setup ($(stat -c %s "$setup") bytes), paydesk.exe $(stat -c %s "$out/paydesk.exe") bytes, in $(($(date +%s) - t0)) s"
