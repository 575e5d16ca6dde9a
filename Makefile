# The two commands a newcomer needs are `make demo` and `make test`: each
# installs what is missing (scripts/install-tools.sh checks versions first, so
# a second run installs nothing), then does its job.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
export PATH := $(ROOT)/tools/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver

PORT ?= 8080
DEV_BACKEND_PORT ?= 8081
# `make demo TOKEN=…`: the demo backend asks for that token (PROTOCOL.md §2).
TOKEN ?=
SERVER_BIN := target/server/demo-server
INSTALL := scripts/install-tools.sh

.PHONY: help demo test dev dist bench server test-native test-wasm test-e2e tools clean-dist screenshots profile profile-dist wasm-sizes

help:
	@echo "make demo   build the page and serve it with the demo backend on http://127.0.0.1:$(PORT) (PORT= to change, TOKEN= to ask for a token)"
	@echo "make test   run every test: native cargo tests, wasm-bindgen tests in Chromium, Playwright"
	@echo "make dev    trunk serve with hot reload, proxied to a demo backend"
	@echo "make dist   release build of the page into dist/, ready for a static host"
	@echo "make bench  benchmarks in headless Chromium; rewrites docs/BENCHMARKS.md"
	@echo "make profile  where the main thread goes under a flood (RATE= SECS= PROTOCOL=)"

tools:
	@$(INSTALL)

# ---- builds ---------------------------------------------------------------

dist:
	@$(INSTALL) wasm-target trunk wasm-bindgen wasm-opt
	trunk build --release
	@echo "dist/ is ready for any static host:"; ls -l dist

server:
	cargo build --profile server -p demo-server

# ---- the two commands ------------------------------------------------------

demo: dist server
	@echo "Dashboard and demo backend: http://127.0.0.1:$(PORT)$(if $(TOKEN),/?token=<TOKEN>,)  (Ctrl-C stops)"
	@echo "$(SERVER_BIN) --port $(PORT) --static dist$(if $(TOKEN), --token …)"
	@$(SERVER_BIN) --port $(PORT) --static dist $(if $(TOKEN),--token "$(TOKEN)")

test: test-native test-wasm test-e2e
	@echo "make test: native, wasm-bindgen (Chromium) and Playwright suites all passed"

test-native:
	@echo "==== native: cargo test (regime-core, regime-view, demo-server) ===="
	cargo test -p regime-core -p regime-view -p demo-server

test-wasm: server
	@$(INSTALL) wasm-target wasm-bindgen chromium
	@echo "==== wasm-bindgen-test in headless Chromium, against a live demo backend ===="
	scripts/with-demo-server.sh --wasm-test-page $(SERVER_BIN) --control -- \
	  cargo test --target wasm32-unknown-unknown -p regime-dashboard

test-e2e: dist server
	@$(INSTALL) chromium e2e
	@echo "==== Playwright in headless Chromium, release build + demo backend ===="
	cd e2e && npx playwright test

# ---- development -----------------------------------------------------------

dev: server
	@$(INSTALL) wasm-target trunk wasm-bindgen wasm-opt
	@echo "Backend on :$(DEV_BACKEND_PORT), trunk serve with hot reload on http://127.0.0.1:$(PORT)"
	$(SERVER_BIN) --port $(DEV_BACKEND_PORT) --control & pid=$$!; \
	  trap "kill $$pid" EXIT; trunk serve --port $(PORT)

bench: dist server
	@$(INSTALL) chromium e2e peer
	node bench/run.mjs

# Where the main thread's time goes under a signal flood (Chrome's sampling
# profiler and DevTools metrics): `make profile RATE=10000 SECS=5 PROTOCOL=native`.
RATE ?= 10000
SECS ?= 5
PROTOCOL ?= native
profile: dist server
	@$(INSTALL) chromium e2e
	DIST_DIR=$(or $(DIST_DIR),dist) node scripts/profile-flood.mjs $(RATE) $(SECS) $(PROTOCOL)

# The page with Rust function names in the wasm (no wasm-opt, names kept),
# into dist-profile/: serve it with `DIST_DIR=dist-profile make profile` or
# the scripts under bench/ to read profiles by function. Not for deploying.
profile-dist:
	@$(INSTALL) wasm-target trunk wasm-bindgen
	sed 's|data-wasm-opt="z"|data-wasm-opt="0" data-keep-debug|' index.html > profile.html
	trunk build --release --cargo-profile profiling --dist dist-profile profile.html; status=$$?; rm -f profile.html; exit $$status

# Where the page's wasm bytes are, by crate: the release build linked with its
# function names, through wasm-bindgen and wasm-opt -Oz as Trunk does (-g keeps
# the names), then scripts/wasm-size.py. TOP=20 also lists the largest functions.
WASM_SIZES := $(or $(CARGO_TARGET_DIR),target)/wasm-sizes
WASM_FEATURES := $(shell sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' index.html)
wasm-sizes:
	@$(INSTALL) wasm-target wasm-bindgen wasm-opt
	cargo rustc --release --target wasm32-unknown-unknown --bin regime-dashboard -- -C strip=none
	mkdir -p $(WASM_SIZES)
	wasm-bindgen --target web --no-typescript --out-dir $(WASM_SIZES) --out-name page \
	  $(or $(CARGO_TARGET_DIR),target)/wasm32-unknown-unknown/release/regime-dashboard.wasm
	wasm-opt -Oz -g $(WASM_FEATURES) -o $(WASM_SIZES)/page-opt.wasm $(WASM_SIZES)/page_bg.wasm
	python3 scripts/wasm-size.py $(WASM_SIZES)/page-opt.wasm --top $(or $(TOP),0)

# The README's screenshots under docs/, in three sizes and both themes.
screenshots: dist server
	@$(INSTALL) chromium e2e
	node scripts/screenshots.mjs

clean-dist:
	rm -rf dist
