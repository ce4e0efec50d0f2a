# Two commands matter on a fresh machine: `make dev` (the whole system, locally) and `make test`.
# Both install what they need first, idempotently: a pinned Python venv (the local AWS endpoint,
# cargo-lambda, cfn-lint, Schemathesis), the console's npm packages from web/package-lock.json,
# and for the browser tests Debian's Chromium.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
# The stamp changes with requirements.txt, so editing it reinstalls.
VENV_STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
ARM64 := aarch64-unknown-linux-gnu

.PHONY: dev test token insights build arm64 bench lint routes deploy venv web web-test chromium clean

venv: $(VENV_STAMP)

# The console's packages, exactly as locked; reinstalled when the lock changes.
WEB_STAMP := web/node_modules/.installed-$(shell cksum web/package-lock.json | cut -d' ' -f1)
WEB_SOURCES := $(shell find web/src web/docs web/scripts -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json api/openapi.yaml
WEB_BUILT := web/dist/console/index.html

$(WEB_STAMP): web/package-lock.json
	rm -f web/node_modules/.installed-*
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## The console and the API reference page, built into web/dist (only when a source changed).
web: $(WEB_BUILT)

$(WEB_BUILT): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run --silent build

## The console's type-check and unit tests (the browser tests run inside `cargo test`).
web-test: $(WEB_STAMP)
	cd web && npm run --silent typecheck && npm run --silent test

# Debian's Chromium for the browser tests, when missing (Playwright's own download cannot work here).
chromium:
	@command -v chromium >/dev/null || { \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

$(VENV_STAMP): requirements.txt
	rm -f $(VENV)/.installed-*
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## Run everything locally: AWS endpoint on :4566, API on :9000, queues and schedules live.
dev: venv web
	cargo build --workspace --bins
	cargo run --quiet -p local-stack --bin local-stack -- dev

## An ID token of a demo user of the running `make dev`: TOKEN=$$(make -s token USER=staff)
token:
ifneq ($(origin USER),command line)
	@echo "usage: make -s token USER=<admin|staff|provider|analyst|ingest|client|an email>" >&2; exit 2
else
	@RUST_LIB_BACKTRACE=0 cargo run --quiet -p local-stack --bin local-stack -- token $(USER)
endif

## Every user's insight email now, from the running `make dev` (see the outbox).
insights:
	@cargo run --quiet -p local-stack --bin local-stack -- insights

## Unit and integration tests (each starts its own local AWS endpoint), template check, lints.
test: venv lint web web-test chromium
	cargo test --workspace --no-fail-fast

lint: venv
	cfn-lint infra/template.yaml
	openapi-spec-validator api/openapi.yaml
	cargo run --quiet -p local-stack --bin local-stack -- routes
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

## Regenerate the local router in Cargo.toml from infra/template.yaml.
routes:
	cargo run --quiet -p local-stack --bin local-stack -- routes --write

## Every function for Lambda (arm64), zipped, in one cargo invocation: <target>/lambda/<function>/bootstrap.zip.
# Only the function packages: the local tooling and the tests are not deployed.
build: venv arm64 web
	cargo lambda build --release --arm64 --output-format zip \
		--workspace --exclude shared --exclude local-stack --exclude system-tests --exclude bench

# The Rust standard library for arm64 Lambda (zig, from the venv, links it).
arm64:
	@rustup target list --installed | grep -qx $(ARM64) || rustup target add $(ARM64)

## Build time, artifact sizes, cold-start times and warm latencies; prints tables
## (BENCH_CLEAN_BUILD=1 times the deployment build from an empty target directory).
bench: venv arm64 web
	cargo run --release -p bench --bin bench

## Deploy to AWS (needs the SAM CLI and AWS credentials).
deploy: web
	cd infra && sam build && sam deploy --guided

clean:
	cargo clean
	rm -rf $(VENV) .local web/node_modules web/dist
