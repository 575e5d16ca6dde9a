#!/usr/bin/env bash
# Installs what the build and the tests need, only when it is missing or at the
# wrong version, so that a second run installs nothing. Each step says what it
# checked. Usage: scripts/install-tools.sh STEP… (wasm-target trunk
# wasm-bindgen wasm-opt chromium e2e peer); with no STEP, all of them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

TRUNK_SERIES="0.21"          # Trunk 0.22 needs a newer rustc than ours.
BINARYEN_VERSION="132"       # Debian's binaryen 108 mangles reference types.

say() { printf '[install] %s\n' "$*"; }

# The wasm-bindgen version that Cargo.lock resolved: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

need_root_or_explain() {
  local cmd="$1"
  if [ "$(id -u)" = 0 ]; then
    return 0
  fi
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    return 0
  fi
  say "this step needs root. Run this once, then run make again:"
  say "  sudo sh -c '$cmd'"
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

step_wasm_target() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "wasm32-unknown-unknown target: present"
  else
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

step_trunk() {
  local have
  have="$(trunk --version 2>/dev/null || true)"
  if [[ "$have" == "trunk $TRUNK_SERIES."* ]]; then
    say "trunk: $have"
  else
    say "installing trunk ~$TRUNK_SERIES (found: ${have:-none}); this takes about 10 minutes once"
    cargo install trunk --locked --version "~$TRUNK_SERIES"
  fi
}

step_wasm_bindgen() {
  local want have pinned
  want="$(wasm_bindgen_version)"
  if [ -z "$want" ]; then
    say "Cargo.lock names no wasm-bindgen: run cargo generate-lockfile first"
    exit 1
  fi
  pinned="$(sed -n 's/^wasm_bindgen *= *"\(.*\)"/\1/p' Trunk.toml)"
  if [ "$pinned" != "$want" ]; then
    say "Trunk.toml pins wasm_bindgen = \"$pinned\" but Cargo.lock has $want: make them equal"
    exit 1
  fi
  have="$(wasm-bindgen --version 2>/dev/null || true)"
  if [ "$have" = "wasm-bindgen $want" ] && command -v wasm-bindgen-test-runner >/dev/null; then
    say "wasm-bindgen-cli: $want"
  else
    say "installing wasm-bindgen-cli $want (found: ${have:-none}); about 5 minutes once"
    # --locked first, as its authors resolved it; the registry mirror here lacks
    # one crate version of that lock file, so fall back to a fresh resolution.
    cargo install wasm-bindgen-cli --locked --version "$want" \
      || cargo install wasm-bindgen-cli --version "$want"
  fi
}

step_wasm_opt() {
  local have
  have="$(wasm-opt --version 2>/dev/null || true)"
  if [[ "$have" == *"version_$BINARYEN_VERSION"* ]] && [ -x tools/node_modules/.bin/wasm-opt ]; then
    say "wasm-opt: $have"
  else
    say "installing binaryen $BINARYEN_VERSION's wasm-opt from npm into tools/ (found: ${have:-none})"
    (cd tools && npm ci --no-audit --no-fund)
  fi
}

step_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
  else
    need_root_or_explain "apt-get update && apt-get install -y chromium chromium-driver"
    say "installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver
  fi
}

step_e2e() {
  local stamp=e2e/node_modules/.installed-from-lock
  if [ -f "$stamp" ] && cmp -s e2e/package-lock.json "$stamp"; then
    say "e2e npm packages: as locked"
  else
    say "installing the e2e npm packages from e2e/package-lock.json"
    (cd e2e && npm ci --no-audit --no-fund)
    cp e2e/package-lock.json "$stamp"
  fi
}

# The burst benchmark's React peer and its Node Socket.IO server (bench/peer/).
step_peer() {
  local stamp=bench/peer/node_modules/.installed-from-lock
  if [ -f "$stamp" ] && cmp -s bench/peer/package-lock.json "$stamp"; then
    say "bench peer npm packages: as locked"
  else
    say "installing the bench peer's npm packages from bench/peer/package-lock.json"
    (cd bench/peer && npm ci --no-audit --no-fund)
    cp bench/peer/package-lock.json "$stamp"
  fi
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(wasm-target trunk wasm-bindgen wasm-opt chromium e2e peer)
for s in "${steps[@]}"; do
  "step_${s//-/_}"
done
