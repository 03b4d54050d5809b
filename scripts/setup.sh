#!/usr/bin/env bash
# Installs every Debian package wasitrace needs, then configures and builds
# it into ./build. Safe to run again. Usage: scripts/setup.sh [BUILD_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}

packages=(
  build-essential cmake pkg-config        # host toolchain
  libuv1-dev libjansson-dev libsqlite3-dev # runtime libraries
  libcmocka-dev                            # unit tests
  wabt                                     # wasm2c (guest engine), wat2wasm
  tcc                                      # the fast compile tier
  clang lld wasi-libc libclang-rt-14-dev-wasm32 # building test guests
  libclang-rt-14-dev                       # libFuzzer, clang's sanitizers (fuzz/)
  sqlite3                                  # the documented trace queries
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null ||
      { echo "setup: need root or sudo to install packages" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
echo "setup: built into $build"
