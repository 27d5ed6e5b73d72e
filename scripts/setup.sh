#!/usr/bin/env bash
# Installs what building (and, with `test`, testing) Tierbook needs on a fresh machine of this
# kind, skipping whatever is already there. Usage: scripts/setup.sh [build|test]
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { echo "setup: $*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# trunk 0.22 needs a newer rustc than this machine has; 0.21.14 is the pinned one.
if [ "$(trunk --version 2>/dev/null)" != "trunk 0.21.14" ]; then
  say "installing trunk 0.21.14 (about 8 minutes)"
  cargo install --locked trunk@0.21.14
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
  say "installing wasm-bindgen-cli $wbg (about 6 minutes)"
  # Without --locked: the registry mirror lacks one of its pinned dependencies.
  cargo install wasm-bindgen-cli@"$wbg"
fi

# scripts/split_wasm.mjs cuts the lazily loaded pages out of the page's wasm with this CLI.
if ! cargo install --list | grep -qx 'wasm_split_cli_support v0.2.4:'; then
  say "installing wasm_split_cli_support 0.2.4 (wasm-split-cli, about 2 minutes)"
  cargo install --locked wasm_split_cli_support@0.2.4 --features build-binary
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -f node_modules/echarts/dist/echarts.min.js ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/papaparse ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -d node_modules/lighthouse ] || [ ! -d node_modules/express-pouchdb ] || [ ! -d node_modules/pouchdb-replication ] || [ ! -d node_modules/pouchdb-adapter-http ]; then
  say "installing npm packages (echarts, binaryen's wasm-opt, playwright-core, papaparse, axe-core, lighthouse, express-pouchdb for the sync tests)"
  npm ci --no-audit --no-fund
fi

if [ "$mode" = test ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
  # The page is laid out with real Chinese glyphs in the tests (and their screenshots), as
  # users see it, not with fallback boxes of other widths.
  if ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
    say "installing fonts-noto-cjk (Chinese text in the browser tests)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk
  fi
  # The exported CSV is checked by a real spreadsheet program.
  if ! command -v soffice >/dev/null; then
    say "installing LibreOffice Calc (headless) to check exported CSV files"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui
  fi
  if ! rustup component list --installed | grep -q '^clippy'; then
    rustup component add clippy rustfmt
  fi
fi
