#!/usr/bin/env bash
# The benchmark command (docs/performance.md): installs what is missing, builds the release preset
# (only what the benchmark runs), then runs iris-bench, which prints the table of figures, each
# beside a floor measured in the same run. Arguments go to iris-bench (--quick, --json FILE,
# --keep DIR). About 3 minutes on a 2-core machine; nothing else should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target iris-bench
mkdir -p reports
exec build/release/bench/iris-bench --json reports/bench.json "$@"
