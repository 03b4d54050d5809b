#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) into
# ./build-fuzz and runs them: first every committed seed and regression
# input once, then each target fuzzing for FUZZ_SECONDS, two at a time, on
# a copy of its seeds kept in the build directory. Fails on any crash, leak,
# slow input or sanitizer report; the input that caused it is saved under
# build-fuzz/fuzz/artifacts/<target>/ and the log says how to rerun it.
#
# Usage: scripts/fuzz.sh [BUILD_DIR]
#   FUZZ_SECONDS=15   seconds per target (scripts/test.sh uses the default)
#   FUZZ_TARGET=REGEX only the targets matching REGEX (fuzz_replay, ...)
#   FUZZ_JOBS=N       targets fuzzing at once (default: the number of cores)
# A long run by hand: FUZZ_SECONDS=3600 FUZZ_TARGET=fuzz_replay scripts/fuzz.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-fuzz}
seconds=${FUZZ_SECONDS:-15}
jobs=${FUZZ_JOBS:-$(nproc)}
filter=${FUZZ_TARGET:-.}

command -v clang >/dev/null ||
  { echo "fuzz: clang is needed (scripts/setup.sh installs it)" >&2; exit 1; }

cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER=clang -DWT_FUZZ=ON \
  -DWT_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWT_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build "$build" --target wt_fuzz -j"$(nproc)"

# The seeds and past crashes first (seconds), then the fuzzing itself.
ctest --test-dir "$build/fuzz" -R "^fuzz\.($filter).*\.corpus\$" \
  -j"$jobs" --output-on-failure
ctest --test-dir "$build/fuzz" -L '^fuzz$' -R "^fuzz\.($filter)" \
  -j"$jobs" --output-on-failure
