#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang++-14 with address+undefined sanitizers) and
# runs fuzz_decoder on a temporary copy of the seed corpus, so the committed corpus stays small.
# usage: scripts/fuzz.sh [seconds=30] [extra libFuzzer flags...]
# Crash reproducers are kept in build/fuzz/artifacts/; replay one with
#   build/fuzz/tests/fuzz/fuzz_decoder build/fuzz/artifacts/crash-<hash>
# On a shared machine, serialise builds: flock /tmp/iris-build.lock scripts/fuzz.sh
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true

cmake --preset fuzz
cmake --build build/fuzz --target fuzz_decoder

corpus_copy="$(mktemp -d "${TMPDIR:-/tmp}/iris-fuzz-corpus.XXXXXX")"
trap 'rm -rf "$corpus_copy"' EXIT
cp tests/fuzz/corpus/* "$corpus_copy"/
mkdir -p build/fuzz/artifacts

build/fuzz/tests/fuzz/fuzz_decoder -max_total_time="$seconds" \
  -artifact_prefix=build/fuzz/artifacts/ "$@" "$corpus_copy"
