#!/usr/bin/env bash
# Runs a command while a demo backend listens on a free loopback port.
# The backend's base URL is passed as DEMO_SERVER_URL; the backend is stopped
# when the command ends, whatever its outcome.
# Usage: scripts/with-demo-server.sh BINARY [SERVER FLAGS…] -- COMMAND…
set -euo pipefail

bin="$1"; shift
flags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift

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
