#!/usr/bin/env bash
# test.sh PKG... (make windows-test) runs the packages' tests built for
# Windows (GOOS=windows, cgo with mingw-w64: SQLite as it ships) under Wine,
# through exec.sh's prefix. The packages with Windows-only code (files
# *_windows.go) are the ones worth it. Only the tests named TestWindows*
# run (RUN= overrides): under Wine 8.0 os.RemoveAll fails on every folder
# that holds anything (NtSetInformationFile class 64,
# FileDispositionInformationEx, answers STATUS_NOT_IMPLEMENTED, which Go's
# Deleteat does not take as "fall back"), so every test using t.TempDir
# fails in its cleanup; the TestWindows* tests use a folder of their own,
# removed with os.Remove (store's winTempDir).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need wine wine64 gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
export CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++
cd "$ROOT"
exec $GO test -exec "$ROOT/packaging/wine/exec.sh" -timeout "${TIMEOUT:-900s}" -count=1 -run "${RUN:-^TestWindows}" -v "$@"
