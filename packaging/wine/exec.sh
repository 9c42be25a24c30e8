#!/usr/bin/env bash
# exec.sh runs a Windows test binary under Wine, for
#   GOOS=windows go test -exec packaging/wine/exec.sh PKG   (make windows-test)
# in a prefix made once (packaging/wine/prefix.sh) in $PAYDESK_WINE_PREFIX,
# default dist/wine-test: Windows 10, a profile path with a space and
# Cyrillic letters, the bcryptprimitives.dll stand-in.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prefix.sh"
wine_env "${PAYDESK_WINE_PREFIX:-$here/../../dist/wine-test}" "Тест Кассы 1"
if [[ ! -f $WINEPREFIX/.paydesk-ready ]]; then
  mkdir -p "$WINEPREFIX"
  (flock 9; [[ -f $WINEPREFIX/.paydesk-ready ]] || { wine_prefix "$WINEPREFIX.log" && touch "$WINEPREFIX/.paydesk-ready"; }) 9>"$WINEPREFIX.lock"
fi
exec wine "$@"
