# prefix.sh: the Wine prefix PayDesk's Windows checks run in (sourced by
# packaging/check-wine.sh and packaging/wine/exec.sh, not run).
# wine_env DIR USER   exports the environment of a 64-bit prefix in DIR whose
#                     Windows user (and profile folder) is USER
# wine_prefix         makes that prefix: wineboot, Windows 10, and the
#                     bcryptprimitives.dll stand-in when Wine lacks one
# Wine from Debian 12 (8.0) needs: LANG with an installed UTF-8 locale for
# non-ASCII paths (C.UTF-8), winecfg /v win10 (a new prefix says Windows 7),
# and the stand-in for bcryptprimitives.dll (ProcessPrng), without which
# every program of Go 1.22+ dies at start.

wine_env() {
  export WINEPREFIX=$1 WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
  # No Mono or Gecko installer; no winemenubuilder (it writes launchers
  # and icons for the shortcuts into the Unix user's menus and desktop).
  export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d" LANG=C.UTF-8 LC_ALL=C.UTF-8
  export USER=$2 # Wine names the profile after $USER
  # A home of the prefix's own: Wine links the profile's folders to it.
  export HOME=$1/unix-home
  mkdir -p "$HOME"
  unset DISPLAY XDG_CONFIG_HOME XDG_DATA_HOME XDG_DESKTOP_DIR XDG_DOCUMENTS_DIR
}

# wine_prefix [LOG]: makes the prefix; prints one line per fact, fails with
# the reason.
wine_prefix() {
  local log=${1:-/dev/null} sys32 ver
  wine wineboot -i >"$log" 2>&1 || { cat "$log" >&2; echo "wineboot failed" >&2; return 1; }
  wineserver -w
  # Wine links the profile's Documents, Desktop, ... to the Unix home: make
  # them folders of the prefix, as on Windows, so that nothing is written
  # outside it.
  local l
  for l in "$WINEPREFIX/drive_c/users/$USER"/*; do
    if [[ -L $l ]]; then rm "$l" && mkdir "$l"; fi
  done
  wine winecfg /v win10 >/dev/null 2>&1
  ver=$(wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -o '[0-9][0-9.]*' | head -1)
  [[ $ver == 10.* ]] || { echo "winecfg /v win10 did not take: cmd /c ver says $ver" >&2; return 1; }
  WINE_WINVER=$ver
  sys32=$WINEPREFIX/drive_c/windows/system32
  if [[ -f $sys32/bcryptprimitives.dll ]] && ! grep -qa 'Wine placeholder DLL' "$sys32/bcryptprimitives.dll"; then
    WINE_STANDIN=no
    return 0
  fi
  # Built into the prefix's own folder: never into the tree, never shipped.
  x86_64-w64-mingw32-gcc -O2 -shared -s -o "$WINEPREFIX/bcryptprimitives.dll" \
    "$(dirname "${BASH_SOURCE[0]}")/bcryptprimitives.c" -ladvapi32 || return 1
  [[ $(x86_64-w64-mingw32-objdump -p "$WINEPREFIX/bcryptprimitives.dll") == *"] ProcessPrng"* ]] ||
    { echo "the stand-in exports no ProcessPrng" >&2; return 1; }
  cp "$WINEPREFIX/bcryptprimitives.dll" "$sys32/"
  WINE_STANDIN=yes
}
