#!/usr/bin/env bash
# Runs the whole test suite: builds ./build if needed and runs ctest there,
# then the same unit tests under AddressSanitizer + UBSan (./build-san).
# Usage: scripts/test.sh [--no-sanitize]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
sanitize=1
[ "${1:-}" = "--no-sanitize" ] && sanitize=0

if [ "$sanitize" = 1 ]; then
  echo "== sanitizer build (ASan + UBSan): unit tests =="
  cmake -S "$here" -B "$here/build-san" -DWT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build "$here/build-san" -j"$jobs"
  ctest --test-dir "$here/build-san" -R '^unit\.' -j"$jobs" --output-on-failure
fi

echo "== release build: full suite =="
cmake -S "$here" -B "$here/build" >/dev/null
cmake --build "$here/build" -j"$jobs"
ctest --test-dir "$here/build" -j"$jobs" --output-on-failure
