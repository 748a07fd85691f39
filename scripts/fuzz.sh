#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang++-14 with address+undefined sanitizers) and
# runs each on a temporary copy of its seed corpus, so the committed corpora stay small:
#   fuzz_decoder       the client protocol codec   (seeds: tests/fuzz/corpus/)
#   fuzz_peer_decoder  the peer (node-to-node) codec (seeds: tests/fuzz/peer_corpus/)
# The time is split between them: each runs for half of it (at least 1 second).
# usage: scripts/fuzz.sh [seconds=30] [extra libFuzzer flags, given to both...]
# Crash reproducers are kept in build/fuzz/artifacts/; replay one with
#   build/fuzz/tests/fuzz/fuzz_decoder build/fuzz/artifacts/crash-<hash>
# (or fuzz_peer_decoder, for a crash found by that target).
# On a shared machine, serialise builds: flock /tmp/iris-build.lock scripts/fuzz.sh
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
per_target=$(( seconds / 2 ))
if (( per_target < 1 )); then per_target=1; fi

cmake --preset fuzz
cmake --build build/fuzz --target fuzz_decoder fuzz_peer_decoder

corpus_copy="$(mktemp -d "${TMPDIR:-/tmp}/iris-fuzz-corpus.XXXXXX")"
trap 'rm -rf "$corpus_copy"' EXIT
mkdir -p build/fuzz/artifacts

run() {  # run TARGET SEED_DIR [flags...]
  local target="$1" seeds="$2"
  shift 2
  mkdir -p "$corpus_copy/$target"
  cp "$seeds"/* "$corpus_copy/$target"/
  build/fuzz/tests/fuzz/"$target" -max_total_time="$per_target" \
    -artifact_prefix=build/fuzz/artifacts/ "$@" "$corpus_copy/$target"
}

run fuzz_decoder tests/fuzz/corpus "$@"
run fuzz_peer_decoder tests/fuzz/peer_corpus "$@"
