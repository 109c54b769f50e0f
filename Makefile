# wpstack — see README.md. Every target is safe to re-run.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN := bin/wpstack
LDFLAGS := -s -w -X github.com/wpstack/wpstack/internal/cli.Version=$(VERSION)
# wpstack-init, the images' PID 1, built reproducibly (no VCS stamp, no
# version, no paths): image tags hash its bytes, so only an edit to what it
# is made of changes them. The CLI embeds it (tag wpstack_embed_init).
INIT := internal/initbin/wpstack-init
INIT_FLAGS := -trimpath -buildvcs=false -ldflags '-s -w'
DEMO ?= demo
DEMO_PORT ?= 8080
E2E_TIMEOUT ?= 75m

.PHONY: all build init setup run test unit e2e lint bench clean

all: build

# One installable file: the CLI with wpstack-init inside.
# GOWORK=off: the product builds and is tested from its own go.mod alone;
# in the workspace (go.work adds the bench module) an indirect dependency
# may resolve to a newer version through the bench's requirements.
build: init
	GOWORK=off CGO_ENABLED=0 $(GO) build -trimpath -tags wpstack_embed_init -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wpstack

init:
	GOWORK=off CGO_ENABLED=0 GOOS=linux $(GO) build $(INIT_FLAGS) -o $(INIT) ./cmd/wpstack-init

# Installs docker.io, debootstrap and docker-compose when missing, starts dockerd.
setup:
	bash scripts/setup.sh

# The quick start: a demo site, up and installed, with its URL and credentials.
run: setup build
	$(BIN) up $(DEMO) --port $(DEMO_PORT) --title "wpstack demo"
	@echo "  Admin password: $$(cat "$$($(BIN) status $(DEMO) --json | sed -n 's/.*"admin_password_file": "\(.*\)".*/\1/p')")"

# The bench is its own module (bench/go.mod), vetted through the workspace
# (go.work); the embedding file of internal/initbin once `make build` ran.
lint:
	@out=$$(gofmt -l cmd internal test bench); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./test/...
	$(GO) vet ./bench/...
	@if [ -f $(INIT) ]; then $(GO) vet -tags wpstack_embed_init ./internal/initbin; fi

unit:
	GOWORK=off $(GO) test -count=1 ./...

# End-to-end: a real engine, real MariaDB, real HTTP. Fails (never skips)
# when no engine answers.
e2e: build
	set -o pipefail; WPSTACK_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -tags e2e -timeout $(E2E_TIMEOUT) -v ./test/e2e/ 2>&1 | tee e2e.log

test: setup lint unit e2e
	$(MAKE) bench QUICK=1

# Benchmarks against the course's step 7 stack (bench/baseline): writes
# bench/results/<date>-<host>.json, bench/REPORT.md and bench/charts/.
# QUICK=1 is a short smoke run (results under bench/results/quick/), part
# of `make test` so the harness keeps working. BENCH_FLAGS passes more
# flags (see `go run ./bench/cmd/wpbench -h`).
QUICK ?=
BENCH_FLAGS ?=
bench: setup build
	$(GO) run ./bench/cmd/wpbench -wpstack $(BIN) $(if $(QUICK),-quick) $(BENCH_FLAGS)

clean:
	rm -rf bin e2e.log $(INIT)

# Fuzzing: each target for FUZZTIME (PACKAGE:TARGET pairs): the archive
# reader and verify, the SQL URL rewrite and the serialized fixer, the spec
# loader, and the renderers of generated configs (the compose export and the
# edge's nginx.conf). Their seeds under testdata/fuzz/ also run as unit tests.
FUZZTIME ?= 30s
FUZZ_TARGETS ?= backup:FuzzVerify backup:FuzzReader backup:FuzzRewriteSQL backup:FuzzReplace \
	state:FuzzLoadSpec plan:FuzzRenderCompose edge:FuzzRender
.PHONY: fuzz
fuzz:
	set -e; for pt in $(FUZZ_TARGETS); do p=$${pt%%:*}; t=$${pt#*:}; \
		echo "fuzz $$t in internal/$$p for $(FUZZTIME)"; \
		GOWORK=off $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./internal/$$p/; done
