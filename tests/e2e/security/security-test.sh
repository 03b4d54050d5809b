#!/usr/bin/env bash
# End-to-end security tests; the cases are listed in CMakeLists.txt.
#
#   security-test.sh --wasitrace EXE --guests DIR --wat2wasm EXE
#                    [--work DIR] CASE...
#
# Every case uses a compile cache of its own, so what it checks is really
# built. Exit: 0 pass, 1 fail, 2 harness error, 77 skipped.
set -u

WT= GUESTS= WAT2WASM= WORK=${TMPDIR:-/tmp} CASES=()
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" security-test
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --guests) GUESTS=$2; shift 2 ;;
    --wat2wasm) WAT2WASM=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) CASES+=("$1"); shift ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
[ -d "$GUESTS" ] || die "--guests: no $GUESTS"
WT=$(cd "$(dirname "$WT")" && pwd)/$(basename "$WT")
GUESTS=$(cd "$GUESTS" && pwd)
mkdir -p "$WORK" || die "cannot create $WORK"
TOP=$(mktemp -d "$WORK/security.XXXXXX") || die "mktemp failed"
trap 'chmod -R u+rwx "$TOP" 2>/dev/null; rm -rf "$TOP"' EXIT

FAILED=0
# A fresh directory and cache for one step of a case.
fresh() {
  D=$TOP/$CASE.$1
  mkdir -p "$D" && export XDG_CACHE_HOME=$D/cache
}

# ---- hostile_export -----------------------------------------------------------

no_marker() {  # STEP
  [ ! -e "$D/wt-pwned-marker" ] ||
    fail "$1: the module's constructor ran on the host (wt-pwned-marker exists)"
}

case_hostile_export() {
  local g=$GUESTS/hostile_export.wasm rc fmt ext
  [ -f "$g" ] || die "no $g"
  fresh run
  (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
  check "run: exit status" 0 "$rc"
  check "run: stdout" ok "$(cat "$D/out")"
  no_marker run
  for fmt in sqlite jsonl; do
    ext=db; [ $fmt = jsonl ] && ext=jsonl
    fresh record-$fmt
    (cd "$D" && "$WT" record --format $fmt -o t.$ext "$g" >out 2>err </dev/null)
    rc=$?
    check "record $fmt: exit status" 0 "$rc"
    no_marker "record $fmt"
    # The trace alone, on a "machine" that never saw the module: the
    # embedded module is built from the trace.
    mv "$D/t.$ext" "$TOP/t.$ext"
    fresh replay-$fmt
    (cd "$D" && "$WT" replay "$TOP/t.$ext" >out 2>err </dev/null); rc=$?
    check "replay $fmt: exit status" 0 "$rc"
    check "replay $fmt: stdout" ok "$(cat "$D/out")"
    no_marker "replay $fmt"
  done
}

# ---- cache_trust --------------------------------------------------------------

case_cache_trust() {
  local g=$GUESTS/exit_0.wasm rc so
  fresh cache
  (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
  check "first run: exit status" 0 "$rc"
  so=$(ls "$XDG_CACHE_HOME"/wasitrace/*.so 2>/dev/null | head -n 1)
  [ -n "$so" ] || { fail "no cached shared object"; return; }

  chmod 0777 "$XDG_CACHE_HOME/wasitrace"
  (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
  check "cache dir writable by others: exit status" 125 "$rc"
  contains "cache dir writable by others: message" "$D/err" "writable by others"
  chmod 0700 "$XDG_CACHE_HOME/wasitrace"

  chmod 0666 "$so"
  (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
  check "shared object writable by others: exit status" 125 "$rc"
  contains "shared object writable by others: message" "$D/err" "$(basename "$so")"
  chmod 0600 "$so"

  chmod 0777 "$D"   # an ancestor of the cache, without the sticky bit
  (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
  check "ancestor writable by others: exit status" 125 "$rc"
  contains "ancestor writable by others: message" "$D/err" "writable by others"
  chmod 1777 "$D"   # with it, as /tmp
  (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
  check "sticky ancestor: exit status" 0 "$rc"
  chmod 0755 "$D"

  if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    chown nobody "$XDG_CACHE_HOME/wasitrace"
    (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
    check "cache owned by another user: exit status" 125 "$rc"
    contains "cache owned by another user: message" "$D/err" "not to you"
    chown 0 "$XDG_CACHE_HOME/wasitrace"
  fi
  (cd "$D" && "$WT" run "$g" >out 2>err </dev/null); rc=$?
  check "repaired cache: exit status" 0 "$rc"
}

# ---- compile_limit, interrupt ---------------------------------------------------

# A module wasm2c takes minutes over: 20,000 exported functions.
big_module() {
  local wat=$TOP/big.wat i
  [ -f "$TOP/big.wasm" ] && return
  [ -x "$WAT2WASM" ] || die "--wat2wasm: '$WAT2WASM' is not executable"
  {
    echo "(module"
    for ((i = 0; i < 20000; i++)); do
      echo "(func (export \"f$i\") (result i32) i32.const $i)"
    done
    echo '(func $s) (export "_start" (func $s)))'
  } >"$wat"
  "$WAT2WASM" "$wat" -o "$TOP/big.wasm" || die "wat2wasm failed"
}

no_leftovers() {  # STEP
  local left
  left=$(ls -d "$XDG_CACHE_HOME"/wasitrace/tmp.* 2>/dev/null)
  [ -z "$left" ] || fail "$1: build directories left: $left"
  if pgrep -f "$TOP/.*guest.wasm|$XDG_CACHE_HOME" >/dev/null 2>&1; then
    fail "$1: a compiler process outlived wasitrace"
  fi
}

case_compile_limit() {
  local rc t0 t1
  big_module
  fresh limit
  t0=$(date +%s)
  # Off a terminal, progress shows after 10 s.
  (cd "$D" && "$WT" run --compile-timeout 11 "$TOP/big.wasm" >out 2>err </dev/null)
  rc=$?
  t1=$(date +%s)
  check "exit status" 126 "$rc"
  contains "message" "$D/err" "took longer than 11 s"
  contains "message names the size" "$D/err" "20001 functions"
  contains "progress after ten seconds" "$D/err" "translating the module (20001 functions"
  # Generous: the point is that it stops, not how fast.
  [ $((t1 - t0)) -lt 60 ] || fail "took $((t1 - t0)) s to give up"
  no_leftovers "after the time-out"
  (cd "$D" && "$WT" run --compile-timeout x "$TOP/big.wasm" >out 2>err </dev/null)
  check "bad --compile-timeout: exit status" 125 "$?"
  contains "bad --compile-timeout: message" "$D/err" "number of seconds"
}

case_interrupt() {
  local pid rc i
  big_module
  fresh interrupt
  (cd "$D" && exec "$WT" run --compile-timeout 0 "$TOP/big.wasm" >out 2>err </dev/null) &
  pid=$!
  for ((i = 0; i < 300; i++)); do  # until the build has started
    ls -d "$XDG_CACHE_HOME"/wasitrace/tmp.*/guest.wasm >/dev/null 2>&1 && break
    sleep 0.1
  done
  sleep 0.5
  kill -TERM "$pid"
  wait "$pid"; rc=$?
  check "exit status (killed by SIGTERM)" 143 "$rc"
  no_leftovers "after SIGTERM"
}

# ---- trace_reach, compile_error ------------------------------------------------

case_trace_reach() {
  local g=$GUESTS/exit_0.wasm rc
  fresh reach
  mkdir -p "$D/shared" "$D/out"
  ln -s shared "$D/alias"
  for out in shared/t.db alias/t.db shared/sub/../t.jsonl; do
    mkdir -p "$D/shared/sub"
    (cd "$D" && "$WT" record -o "$out" --dir shared::/data "$g" >o 2>e </dev/null)
    rc=$?
    check "record -o $out inside the preopen: exit status" 125 "$rc"
    contains "record -o $out: message" "$D/e" "inside the directory shared"
    [ -z "$(ls "$D/shared" | grep -v '^sub$')" ] ||
      fail "record -o $out left a file in the preopen: $(ls "$D/shared")"
  done
  # The default name, in a working directory the guest has.
  (cd "$D/shared" && "$WT" record --dir .::/data "$g" >../o 2>../e </dev/null)
  check "default trace name inside the preopen: exit status" 125 "$?"
  [ -z "$(ls "$D/shared" | grep -v '^sub$')" ] ||
    fail "the refused default name left a file: $(ls "$D/shared")"
  (cd "$D" && "$WT" run --strace=shared/s.txt --dir shared::/data "$g" >o 2>e </dev/null)
  check "--strace file inside the preopen: exit status" 125 "$?"
  contains "--strace file: message" "$D/e" "--strace file shared/s.txt is inside"
  [ ! -e "$D/shared/s.txt" ] || fail "the refused --strace file was created"
  (cd "$D" && "$WT" record -o out/t.db --strace=out/s.txt --dir shared::/data "$g" \
     >o 2>e </dev/null)
  check "trace and --strace file outside: exit status" 0 "$?"
  [ -s "$D/out/t.db" ] && [ -s "$D/out/s.txt" ] || fail "no trace or lines outside"
}

case_compile_error() {
  local kept
  fresh cc
  (cd "$D" && WASITRACE_CC=false "$WT" run --tier optimized "$GUESTS/exit_0.wasm" \
     >o 2>e </dev/null)
  check "a failing C compiler: exit status" 125 "$?"
  contains "a failing C compiler: message" "$D/e" "the C compiler 'false' failed"
  kept=$(sed -n 's/.*(whole log: \([^)]*\)).*/\1/p' "$D/e")
  [ -n "$kept" ] && [ -f "$kept" ] ||
    fail "the message names no log that exists: $(cat "$D/e")"
  [ -n "$kept" ] && rm -f "$kept"
  no_leftovers "after a failed compile"
}

for CASE in "${CASES[@]}"; do
  case $CASE in
    hostile_export|cache_trust|compile_limit|interrupt|trace_reach|compile_error)
      "case_$CASE" ;;
    *) die "unknown case $CASE" ;;
  esac
done
[ "$FAILED" = 0 ] && echo "PASS ${CASES[*]}"
exit "$FAILED"
