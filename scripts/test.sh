#!/usr/bin/env bash
# Runs the whole test suite: the unit tests under AddressSanitizer + UBSan
# (./build-san), a short fuzzing of every fuzz/ target (./build-fuzz, clang:
# scripts/fuzz.sh, FUZZ_SECONDS each), then the full suite in ./build, whose
# ctest summary ends the output.
# Usage: scripts/test.sh [--no-sanitize] [--no-fuzz]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
sanitize=1
fuzz=1
for arg in "$@"; do
  case "$arg" in
    --no-sanitize) sanitize=0 ;;
    --no-fuzz) fuzz=0 ;;
    *) echo "usage: scripts/test.sh [--no-sanitize] [--no-fuzz]" >&2; exit 2 ;;
  esac
done

if [ "$sanitize" = 1 ]; then
  echo "== sanitizer build (ASan + UBSan): unit tests =="
  cmake -S "$here" -B "$here/build-san" -DWT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build "$here/build-san" -j"$jobs"
  ctest --test-dir "$here/build-san" -R '^unit\.' -j"$jobs" --output-on-failure
fi

if [ "$fuzz" = 1 ]; then
  echo "== fuzz build (libFuzzer, ASan + UBSan): seeds, then ${FUZZ_SECONDS:-15}s per target =="
  "$here/scripts/fuzz.sh"
fi

echo "== release build: full suite =="
cmake -S "$here" -B "$here/build" >/dev/null
cmake --build "$here/build" -j"$jobs"
ctest --test-dir "$here/build" -j"$jobs" --output-on-failure
