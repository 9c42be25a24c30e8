#!/usr/bin/env bash
# test.sh PKG... (make windows-test) runs the packages' tests built for
# Windows (GOOS=windows, cgo with mingw-w64: SQLite as it ships) under Wine,
# through exec.sh's prefix. The packages with Windows-only code (files
# *_windows.go) are the ones worth it; their Windows tests use a temporary
# folder of their own where Wine 8.0's os.RemoveAll fails (store's
# winTempDir).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need wine wine64 gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
export CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++
cd "$ROOT"
exec $GO test -exec "$ROOT/packaging/wine/exec.sh" -timeout "${TIMEOUT:-900s}" ${TESTFLAGS_WINE:-} "$@"
