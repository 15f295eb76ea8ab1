# lifeboat's build and test entry points. `make test` is what CI runs; it
# first builds the real parts the tests drive (OpenTofu, providers, BIND).
# The tests come in two tiers: `make unit` (no real parts, well under a
# minute: run it on every change) and `make e2e` (the tests that drive
# OpenTofu, BIND, Knot, Chromium, promtool and the built binaries).
# `make test` runs both. RACE=1 runs them under the race detector, the
# lifeboat binary the end-to-end tests start included.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
TIMEOUT  ?= 15m
FUZZTIME ?= 30s
# Minimising a new input re-parses it once per byte tried: at the default
# (60s) a few multi-kilobyte seeds kept both workers minimising for the
# whole run, fuzzing nothing.
FUZZMINIMIZETIME ?= 2s
RACE     ?=
# The end-to-end tests marked t.Parallel mostly wait (on rounds of checks,
# on OpenTofu, on BIND): at -parallel 2 they kept 2 cores a quarter busy.
PARALLEL ?= 4

ifeq ($(RACE),1)
override TESTFLAGS += -race
export LIFEBOAT_E2E_RACE := 1
endif

.PHONY: all tools build release test unit e2e demo fuzz bench lint clean man

all: build

# OpenTofu, the provider mirror and SeaweedFS (an S3 server) into .tools/;
# BIND, Chromium (the status page's browser test), promtool and PostgreSQL
# from Debian packages; nfpm into .tools/ (make release, the packaging
# test); each only when missing.
tools:
	scripts/tools.sh
	scripts/seaweedfs.sh
	scripts/nfpm.sh --with-test-tools
	scripts/bind.sh
	scripts/knot.sh
	scripts/chromium.sh
	scripts/prometheus.sh
	scripts/postgres.sh

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/lifeboat ./cmd/lifeboat
	$(GO) build -trimpath -o bin/lifeboat-host ./cmd/lifeboat-host

# Static linux/amd64 and linux/arm64 binaries, .deb and .rpm packages and
# SHA256SUMS into dist/ (scripts/release.sh; packaging/ holds the unit, the
# package's files and the Containerfile). The version is VERSION: on a
# tagged commit the tag, which `lifeboat --version` prints.
release:
	scripts/nfpm.sh
	LIFEBOAT_VERSION="$${LIFEBOAT_VERSION:-$(VERSION)}" scripts/release.sh

test: tools build
	$(GO) test $(TESTFLAGS) -parallel $(PARALLEL) -count=1 -timeout $(TIMEOUT) ./...

# -short skips every test that needs a real part (testharness.Real); it is
# refused together with LIFEBOAT_REQUIRE_REAL=1, so unset that here.
unit:
	LIFEBOAT_REQUIRE_REAL= $(GO) test $(TESTFLAGS) -short -count=1 -timeout $(TIMEOUT) ./...

# Every package whose tests use the harness of real parts, in full: the
# end-to-end package (cmd/lifeboat) and the real-part tests of the others
# (their unit tests come along; they take seconds).
E2E_PKGS = $(shell $(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | grep '/internal/testharness' | cut -d' ' -f1)

e2e: tools build
	$(GO) test $(TESTFLAGS) -parallel $(PARALLEL) -count=1 -timeout $(TIMEOUT) $(E2E_PKGS)

# The local example as a real failover (scripts/demo.sh): BIND, two hosts,
# OpenTofu workspaces, all on loopback.
demo: tools build
	scripts/demo.sh

fuzz:
	$(GO) test ./internal/config -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	@out="$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# A man page per command into man/ (ignored), for packagers and `man -l`.
man:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/lifeboat gen-man man

clean:
	rm -rf bin man
