#!/usr/bin/env bash
# Installs every Debian package wasitrace needs, then configures and builds
# it into ./build. Safe to run again. Usage: scripts/setup.sh [BUILD_DIR]
#
# Who may run it:
#   root               installs what is missing, builds
#   sudo scripts/...   installs as root, builds as the user who ran sudo
#                      (SUDO_USER), so the build tree is theirs, not root's
#   a user             builds if every package is there; otherwise installs
#                      through sudo if it needs no password, else names the
#                      missing packages and the apt-get line to run, exit 1
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
  chromium                                 # the HTML report's browser test (tests/e2e/html)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done

apt_line="apt-get install -y --no-install-recommends ${missing[*]}"
if ((${#missing[@]})); then
  echo "setup: missing packages: ${missing[*]}"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      as_root=(sudo)
    else
      echo "setup: installing them needs root; run" >&2
      echo "  sudo apt-get update && sudo $apt_line" >&2
      echo "then run scripts/setup.sh again (or run it with sudo)" >&2
      exit 1
    fi
  fi
  echo "setup: installing them"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Run through sudo: build as the user who ran it, never leaving root-owned
# files in their tree (and give back any an earlier root build left).
as_user=()
if [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
  owner=$(stat -c %U "$here")
  if [ "$owner" = "$SUDO_USER" ]; then
    as_user=(runuser -u "$SUDO_USER" --)
    if [ -d "$build" ]; then
      find "$build" -user 0 -exec chown -h "$SUDO_USER:" {} +
    fi
  else
    echo "setup: $here belongs to $owner, not $SUDO_USER: building as root" >&2
  fi
fi

"${as_user[@]}" cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
"${as_user[@]}" cmake --build "$build" -j"$(nproc)"
echo "setup: built into $build"
