# Tierbook: `make serve` builds and serves the app, `make test` runs every test.
# Both install whatever is missing first (scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
PORT ?= 8080
WASM := --target wasm32-unknown-unknown

.PHONY: setup setup-test serve dist test lint unit wasm-test e2e bench clean

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

serve: setup
	@echo "Tierbook: building, then serving at http://127.0.0.1:$(PORT)/"
	trunk serve --release --offline --no-autoreload --port $(PORT)

## A static folder (dist/) that works from any web server, under any sub-path.
dist: setup
	trunk build --release --offline

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy $(WASM) --all-targets --features split -- -D warnings
	# The memory-counting build (src/alloc_count.rs) must keep compiling too.
	cargo clippy $(WASM) --features alloc-count -- -D warnings

unit:
	cargo test --workspace

## Storage and browser APIs, in headless Chromium.
wasm-test:
	CHROMEDRIVER=/usr/bin/chromedriver \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	WASM_BINDGEN_TEST_TIMEOUT=120 \
	cargo test $(WASM) --test storage

e2e: dist
	node --test --test-concurrency=1 tests/e2e/

test: setup-test lint unit wasm-test e2e

bench: setup-test dist
	node tests/bench/bench.mjs
	node tests/bench/import_bench.mjs
	node tests/bench/analytics_bench.mjs
	node tests/bench/sales_bench.mjs
	node tests/bench/first_load.mjs
	node tests/bench/lighthouse.mjs
	node tests/bench/sync_bench.mjs
	cargo run --release --quiet --example tier_bench
	cargo run --release --quiet --example import_bench
	cargo run --release --quiet --example analytics_bench

clean:
	rm -rf dist target
