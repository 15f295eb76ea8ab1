# lifeboat's build and test entry points. `make test` is what CI runs; it
# first builds the real parts the tests drive (OpenTofu, providers, BIND).

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
TIMEOUT  ?= 15m
FUZZTIME ?= 30s

.PHONY: all tools build test demo fuzz bench lint clean

all: build

# OpenTofu and the provider mirror into .tools/; BIND, Chromium (the status
# page's browser test), promtool and PostgreSQL from Debian packages; each
# only when missing.
tools:
	scripts/tools.sh
	scripts/bind.sh
	scripts/knot.sh
	scripts/chromium.sh
	scripts/prometheus.sh
	scripts/postgres.sh

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/lifeboat ./cmd/lifeboat
	$(GO) build -trimpath -o bin/lifeboat-host ./cmd/lifeboat-host

test: tools build
	$(GO) test -count=1 -timeout $(TIMEOUT) ./...

# The local example as a real failover (scripts/demo.sh): BIND, two hosts,
# OpenTofu workspaces, all on loopback.
demo: tools build
	scripts/demo.sh

fuzz:
	$(GO) test ./internal/config -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	@out="$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
