#!/usr/bin/env bash
# Runs a command while a demo backend listens on a free loopback port.
# The backend's base URL is passed as DEMO_SERVER_URL; the backend is stopped
# when the command ends, whatever its outcome.
# Usage: scripts/with-demo-server.sh [--wasm-test-page] BINARY [SERVER FLAGS…] -- COMMAND…
#
# --wasm-test-page: the command runs wasm-bindgen tests, whose page (served
# by wasm-bindgen-test-runner on another loopback origin) calls the backend's
# /control/ API with fetch. The page is pinned to WASM_BINDGEN_TEST_ADDRESS
# (127.0.0.1 and a free port, unless already set) and exactly that origin is
# allowed on /control/ (--control-allow-origin); no other page may call it.
set -euo pipefail

wasm_page=0
if [ "${1:-}" = "--wasm-test-page" ]; then wasm_page=1; shift; fi

bin="$1"; shift
flags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift

# A loopback port that nothing listens on (the runner binds it a moment later).
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 30000 ))
    if ! (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free loopback port found" >&2
  return 1
}

if [ "$wasm_page" = 1 ]; then
  if [ -z "${WASM_BINDGEN_TEST_ADDRESS:-}" ]; then
    WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$(free_port)"
  fi
  export WASM_BINDGEN_TEST_ADDRESS
  flags+=(--control-allow-origin "http://$WASM_BINDGEN_TEST_ADDRESS")
  echo "[with-demo-server] wasm test page at http://$WASM_BINDGEN_TEST_ADDRESS (allowed on /control/)"
fi

log="$(mktemp)"
"$bin" --port 0 "${flags[@]}" >"$log" 2>"$log.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log" "$log.err"' EXIT

url=""
for _ in $(seq 1 200); do
  url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)"
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "demo backend exited before listening:" >&2
    cat "$log.err" >&2
    exit 1
  fi
  sleep 0.05
done
if [ -z "$url" ]; then
  echo "demo backend did not print its address within 10 s" >&2
  exit 1
fi
echo "[with-demo-server] backend at $url"
DEMO_SERVER_URL="$url" "$@"
