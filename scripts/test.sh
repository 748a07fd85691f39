#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (CTest: Qt Test executables),
# then the protocol decoder fuzzer for a short while. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh dev
QT_QPA_PLATFORM=offscreen ctest --preset dev -j 2 --timeout 900
if [ "${IRIS_SKIP_FUZZ:-0}" != 1 ]; then
  bash scripts/fuzz.sh "${IRIS_FUZZ_SECONDS:-20}"
fi
