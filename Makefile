# PayDesk: the two commands a new user types are `make run` and `make test`.
# Both first install what a fresh Debian/Ubuntu machine lacks (scripts/deps.sh).

GO        ?= go
# The window is built without Fyne's animations: the entry cursor's fade
# and the progress bars repaint the whole window 60 times a second, which
# on a cashier PC's integrated or software GL costs a core (22 % of one
# here with a field focused, 1.2 % without; make bench).
export GOFLAGS += -tags=no_animations
# Packages that import Fyne are tested without -race: Fyne's headless test
# driver runs fyne.Do on the calling goroutine, so a test that reads a widget
# while background work updates it races by construction (the real driver
# runs fyne.Do on the main goroutine). Everything else runs with -race.
GUI_PKGS   = $(shell $(GO) list ./... | grep -E '^paydesk/(app/ui|cmd/paydesk)(/|$$)')
CORE_PKGS  = $(shell $(GO) list ./... | grep -vE '^paydesk/(app/ui|cmd/paydesk)(/|$$)')
TESTFLAGS ?= -timeout 15m

.PHONY: deps test-deps run test lint bench fuzz build screenshots walkthrough soak hub-demo hub-screenshots

deps:
	@bash scripts/deps.sh

build: deps
	$(GO) build -o bin/ ./cmd/...

# The cashier window; with no configuration it starts in training mode.
run: deps
	$(GO) run ./cmd/paydesk

# A PNG of every screen in both languages, under Xvfb (scripts/deps.sh --gui).
SHOTS ?= docs/screenshots
screenshots:
	@bash scripts/deps.sh --gui
	$(GO) build -o bin/paydesk ./cmd/paydesk
	xvfb-run -a -s "-screen 0 1366x768x24" bin/paydesk --screenshots $(SHOTS)

# A cashier's day, a manager's close and the report typed through the
# window's key map on a new training desk, a PNG after each step (Xvfb).
walkthrough:
	@bash scripts/deps.sh --gui
	$(GO) build -o bin/paydesk ./cmd/paydesk
	xvfb-run -a -s "-screen 0 1366x768x24" bin/paydesk --walkthrough $(SHOTS)

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The test extras: GNOME Keyring and a D-Bus daemon for internal/secret's
# real Secret Service test (scripts/deps.sh --test, about 10 s once).
test-deps:
	@bash scripts/deps.sh --test

# The hub's tests get a throwaway PostgreSQL (scripts/pg.sh run sets PAYDESK_PG).
test: test-deps lint
	bash scripts/pg.sh run -- $(GO) test -race $(TESTFLAGS) $(CORE_PKGS)
	bash scripts/pg.sh run -- $(GO) test $(TESTFLAGS) -run 'TestSoak|TestBadInputCLI' ./cmd/paydeskctl/
	@if [ -n "$(GUI_PKGS)" ]; then $(GO) test $(TESTFLAGS) $(GUI_PKGS); fi
	@# The Windows-only code's tests under Wine where Wine and mingw are at hand
	@# (make windows-deps installs them; the whole installer check is make windows-check).
	@if command -v wine >/dev/null && command -v x86_64-w64-mingw32-gcc >/dev/null; then \
		$(MAKE) --no-print-directory windows-test; else echo "windows-test skipped: no Wine or mingw (make windows-deps)"; fi

# One table: each figure beside its reference measured in the same run, the
# ratio and the target (internal/cmd/benchtable; the window under Xvfb).
# BENCHFLAGS=-quick for a smoke run; every benchmark: go test -bench . ./...
BENCHFLAGS ?=
bench: deps
	@bash scripts/deps.sh --gui
	$(GO) run ./internal/cmd/benchtable $(BENCHFLAGS)

# N training payments with random faults on both sides, the worker process
# killed at random, then a reconciliation to the kopeck (exit 1 on a mismatch).
# The hub's pages in headless Chromium (sign-in, report, points) as PNGs in
# docs/screenshots/hub-*.png, in a throwaway PostgreSQL.
hub-screenshots:
	@bash scripts/deps.sh --test
	bash scripts/pg.sh run -- env PAYDESK_SHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -timeout 5m -run TestBrowser ./hub/

# A throwaway PostgreSQL, the hub and three training desks shipping to it
# (DEMO_WAIT=0 stops at once; DEMO_PAYMENTS=N a desk).
hub-demo:
	@bash scripts/deps.sh --test
	bash scripts/hub-demo.sh

N ?= 1000
soak:
	$(GO) build -o bin/paydeskctl ./cmd/paydeskctl
	bin/paydeskctl soak --n $(N)

# Every fuzz target of every package for FUZZTIME each, one line per target
# (the whole output when one fails: its crasher is in the package's
# testdata/fuzz, where go test replays it from then on).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $(CORE_PKGS); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    out=$$($(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x -parallel 2 -timeout 30m $$pkg 2>&1) || { echo "$$out"; echo "FAIL $$pkg $$f"; exit 1; }; \
	    dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	    printf '%-32s %-22s seeds %3s  %s\n' "$${pkg#paydesk/}" "$$f" "$$(ls $$dir/testdata/fuzz/$$f 2>/dev/null | wc -l)" \
	      "$$(echo "$$out" | grep -o 'elapsed: [0-9a-z]*, execs: [0-9]*' | tail -1)"; \
	  done; \
	done

# --- Delivery (packaging/): installable, signed packages in dist/ -----------
# package-linux:        dist/paydesk_<version>_amd64.deb (dpkg-deb)
# package-windows:      dist/windows/*.exe and dist/PayDesk-<version>-setup.exe
#                       (mingw-w64, NSIS, Authenticode with osslsigncode; a test
#                       certificate unless PAYDESK_SIGN_* name a real one)
# package-check:        builds the .deb and inspects it (dpkg-deb, desktop-file-validate)
# package-linux-check:  also installs it for real, runs both --help and removes it (root)
# package-windows-check: re-verifies the Windows signatures and PE headers
# icons:                re-renders the committed PNG/ICO icons from assets/icons/paydesk.svg
# VERSION=x.y.z overrides the version in cmd/paydesk/FyneApp.toml.
.PHONY: package package-linux package-windows package-check package-linux-check package-windows-check icons

package: package-linux package-windows

package-linux:
	@bash packaging/deb.sh

package-windows:
	@bash packaging/windows.sh

package-check: package-linux
	@bash packaging/check-deb.sh

package-linux-check: package-linux
	@bash packaging/check-deb.sh --install

package-windows-check:
	@bash packaging/check-windows.sh

icons:
	@bash packaging/icons.sh

# --- Windows, proven (README "Windows, proven"): under Wine 8.0 from Debian -
# windows-deps:  Wine (wine, wine64), mingw-w64, NSIS, Xvfb (scripts/deps.sh --windows)
# windows-check: builds the signed installer (package-windows), then in a new
#                Wine prefix: the silent install, a training day of the
#                installed paydeskctl.exe, kill-and-restart, the uninstall
#                (packaging/check-wine.sh; the last line counts the checks)
# windows-test:  the tests of the packages with Windows-only code, built for
#                Windows and run under Wine (go test -exec packaging/wine/exec.sh)
WINDOWS_TEST_PKGS ?= ./store/ ./internal/crash/ ./internal/secret/
.PHONY: windows-deps windows-check windows-test

windows-deps:
	@bash scripts/deps.sh --windows

windows-check: windows-deps package-windows
	@bash packaging/check-wine.sh

windows-test: windows-deps
	@bash packaging/wine/test.sh $(WINDOWS_TEST_PKGS)
