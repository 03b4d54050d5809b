#!/usr/bin/env bash
# e2e.setup: scripts/setup.sh as root, through sudo and as a user, on a
# copy of the script over a one-file project, with dpkg-query, apt-get and
# sudo replaced by fakes (FAKE_MISSING names the packages "not installed";
# apt-get only logs). Checks: root installs what is missing and builds;
# through sudo (SUDO_USER) the build tree ends up owned by that user, even
# where an earlier root build left files; a user with packages missing gets
# their names and the apt-get line, exit 1, and nothing installed; a user
# with everything builds. Needs root (to act as another user): else skipped.
# Usage: setup-test.sh SETUP_SH WORK
set -euo pipefail
setup=$1 work=$2
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
user=nobody
id "$user" >/dev/null 2>&1 || { echo "no user $user: skipped"; exit 77; }

rm -rf "$work"
mkdir -p "$work/proj/scripts" "$work/bin"
chmod 755 "$work" "$work/bin"
cp "$setup" "$work/proj/scripts/setup.sh"
cat >"$work/proj/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.18)
project(setup_probe C)
file(WRITE ${CMAKE_BINARY_DIR}/m.c "int main(void) { return 0; }\n")
add_executable(m ${CMAKE_BINARY_DIR}/m.c)
C
cat >"$work/bin/dpkg-query" <<'C'
#!/bin/sh
for a; do p=$a; done
case " $FAKE_MISSING " in *" $p "*) exit 1 ;; esac
printf 'install ok installed'
C
printf '#!/bin/sh\necho "apt-get $*" >>"$FAKE_APT_LOG"\n' >"$work/bin/apt-get"
printf '#!/bin/sh\nexit 1\n' >"$work/bin/sudo" # a sudo that needs a password
chmod 755 "$work/bin/"*
touch "$work/apt.log" && chmod 666 "$work/apt.log"
export FAKE_APT_LOG=$work/apt.log
fakes=$work/bin:$PATH
proj=$work/proj
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# root, tcc missing: installed through apt-get, then built.
PATH=$fakes FAKE_MISSING=tcc SUDO_USER= bash "$proj/scripts/setup.sh" >"$work/out" 2>&1 ||
  fail "as root: exit $?: $(cat "$work/out")"
grep -q 'install -y -q --no-install-recommends tcc$' "$work/apt.log" ||
  fail "as root: apt-get did not install tcc: $(cat "$work/apt.log")"
[ -x "$proj/build/m" ] || fail "as root: nothing built"

# through sudo: the tree belongs to $user, and so must the whole build,
# including what the root build above left there.
chown -R "$user" "$proj"
chown root "$proj/build/m"
PATH=$fakes FAKE_MISSING= SUDO_USER=$user bash "$proj/scripts/setup.sh" >"$work/out" 2>&1 ||
  fail "through sudo: exit $?: $(cat "$work/out")"
left=$(find "$proj/build" -user 0)
[ -z "$left" ] || fail "through sudo: root-owned files left in the build: $left"
[ -x "$proj/build/m" ] || fail "through sudo: nothing built"

# a user, two packages missing, sudo needs a password: names them, exit 1.
: >"$work/apt.log"
if runuser -u "$user" -- env PATH="$fakes" FAKE_MISSING="wabt tcc" FAKE_APT_LOG="$FAKE_APT_LOG" \
    bash "$proj/scripts/setup.sh" >"$work/out" 2>&1; then
  fail "as a user with packages missing: exit 0"
fi
grep -q 'missing packages: wabt tcc' "$work/out" &&
  grep -q 'sudo apt-get install -y --no-install-recommends wabt tcc' "$work/out" ||
  fail "as a user with packages missing, the message: $(cat "$work/out")"
[ ! -s "$work/apt.log" ] || fail "as a user: apt-get ran: $(cat "$work/apt.log")"

# a user, nothing missing: builds.
runuser -u "$user" -- env PATH="$fakes" FAKE_MISSING= bash "$proj/scripts/setup.sh" >"$work/out" 2>&1 ||
  fail "as a user with every package: exit $?: $(cat "$work/out")"

((fails == 0)) || exit 1
echo "setup.sh: root, sudo and user cases pass"
