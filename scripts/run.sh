#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing, build, then
# - with a display: open the operator console (iris-console) on its embedded simulated cluster;
# - without one:
#  1. start a local iris-node and run a short demo conversation against it (alice and bob: live
#     messages, presence, an offline inbox); the node is stopped with SIGTERM and must drain;
#  2. run the whole fire-test suite at smoke scale (iris-fire: every scenario of the catalog on the
#     simulator, F5 on a real in-process node over WebSocket) and write its report to
#     reports/fire.html (also .md, .json, and JUnit .xml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh dev

bin=build/dev/app
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${IRIS_HEADLESS:-0}" != 1 ]; then
  exec "$bin/iris-console"
fi
data=$(mktemp -d /tmp/iris-run.XXXXXX)
trap 'kill -TERM "$node" 2>/dev/null || true; rm -rf "$data"' EXIT
"$bin/iris-node" --data-dir "$data" --listen 127.0.0.1:0 --ws-listen 127.0.0.1:0 \
  --port-file "$data/ports.json" &
node=$!
for _ in $(seq 100); do [ -f "$data/ports.json" ] && break; sleep 0.1; done
[ -f "$data/ports.json" ] || { echo "iris-node did not start" >&2; exit 1; }
port=$(sed -E 's/.*"tcp":([0-9]+).*/\1/' "$data/ports.json")

"$bin/iris-demo" --port "$port" --token-secret-file "$data/node.secret"

kill -TERM "$node"
wait "$node"
echo "iris-node drained and exited cleanly."

mkdir -p reports
status=0
"$bin/iris-fire" --scale smoke --seed 1 --report reports/fire.html --report reports/fire.md \
  --report reports/fire.json --report reports/fire.xml || status=$?
echo "fire-test report: $(pwd)/reports/fire.html"
exit "$status"
