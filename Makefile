# PayDesk: the two commands a new user types are `make run` and `make test`.
# Both first install what a fresh Debian/Ubuntu machine lacks (scripts/deps.sh).

GO        ?= go
# Packages that import Fyne are tested without -race (go-gl under the race
# detector is slow and adds nothing for UI code); everything else runs with it.
GUI_PKGS   = $(shell $(GO) list ./... | grep -E '^paydesk/(app/ui|cmd/paydesk)(/|$$)')
CORE_PKGS  = $(shell $(GO) list ./... | grep -vE '^paydesk/(app/ui|cmd/paydesk)(/|$$)')
TESTFLAGS ?= -timeout 15m

.PHONY: deps run test lint bench fuzz build screenshots

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

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: deps lint
	$(GO) test -race $(TESTFLAGS) $(CORE_PKGS)
	@if [ -n "$(GUI_PKGS)" ]; then $(GO) test $(TESTFLAGS) $(GUI_PKGS); fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

# Short fuzzing pass over every fuzz target (FUZZTIME per target).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $(CORE_PKGS); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
