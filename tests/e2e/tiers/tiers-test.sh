#!/usr/bin/env bash
# End-to-end tests of the compile tiers and the cache; the cases are listed
# in CMakeLists.txt.
#
#   tiers-test.sh --wasitrace EXE --guests DIR --hello HELLO.wasm
#                 --spin SPIN.wasm [--work DIR] CASE...
#
# Each case has a compile cache of its own. Exit: 0 pass, 1 fail, 2 harness
# error, 77 skipped (no tcc, or no sqlite3 shell where a case needs it).
set -u

WT= GUESTS= HELLO= SPIN= WORK=${TMPDIR:-/tmp} CASES=()
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" tiers-test
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --guests) GUESTS=$2; shift 2 ;;
    --hello) HELLO=$2; shift 2 ;;
    --spin) SPIN=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) CASES+=("$1"); shift ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
[ -d "$GUESTS" ] || die "--guests: no $GUESTS"
[ -f "$HELLO" ] || die "--hello: no $HELLO"
[ -f "$SPIN" ] || die "--spin: no $SPIN"
command -v tcc >/dev/null || { echo "SKIP: no tcc (the fast tier)"; exit 77; }
WT=$(cd "$(dirname "$WT")" && pwd)/$(basename "$WT")
GUESTS=$(cd "$GUESTS" && pwd)
HELLO=$(cd "$(dirname "$HELLO")" && pwd)/$(basename "$HELLO")
SPIN=$(cd "$(dirname "$SPIN")" && pwd)/$(basename "$SPIN")
mkdir -p "$WORK" || die "cannot create $WORK"
TOP=$(mktemp -d "$WORK/tiers.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TOP"' EXIT

FAILED=0
fresh() {
  D=$TOP/$CASE.$1
  mkdir -p "$D" && export XDG_CACHE_HOME=$D/cache
  CACHE=$XDG_CACHE_HOME/wasitrace
}
# Waits (up to 240 s) until the cache holds an optimized entry.
wait_optimized() {
  local i
  for ((i = 0; i < 2400; i++)); do
    grep -qx "tier optimized" "$CACHE"/*.info 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
wt() { (cd "$D" && "$WT" "$@" </dev/null); }

case_auto() {
  local rc
  fresh auto
  wt run -v "$HELLO" >"$D/out1" 2>"$D/err1"; rc=$?
  check "first run: exit status" 0 "$rc"
  contains "first run: tier" "$D/err1" "fast tier (tcc)"
  contains "first run: background" "$D/err1" "optimized build goes on in the background"
  contains "first run: output" "$D/out1" "Hello, world!"
  wait_optimized || fail "the background build never reached the cache"
  wt run -v "$HELLO" >"$D/out2" 2>"$D/err2"; rc=$?
  check "second run: exit status" 0 "$rc"
  contains "second run: tier" "$D/err2" "optimized tier, cached"
  cmp -s "$D/out1" "$D/out2" || fail "the two tiers' output differs"
  ls -d "$CACHE"/tmp.* >/dev/null 2>&1 && fail "build directories left behind"
  # A guest that runs on while its optimized build goes on: wasitrace has
  # reaped the process that started the build (no zombie child), and the
  # build runs in a session of its own.
  fresh spin
  local pid i z
  (cd "$D" && exec "$WT" run "$SPIN" >/dev/null 2>"$D/err" </dev/null) &
  pid=$!
  for ((i = 0; i < 600; i++)); do
    grep -q spinning "$D/err" 2>/dev/null && break
    sleep 0.1
  done
  z=$(ps -o stat= --ppid "$pid" | grep -c '^Z')
  kill "$pid"
  wait "$pid"
  check "zombie children of a running wasitrace" 0 "$z"
  wait_optimized || fail "the spinning guest's background build never landed"
}

case_across() {
  local g rc
  command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }
  for g in files clocks; do
    fresh "$g"
    mkdir -p "$D/sb-fast" "$D/sb-opt"  # each run its own empty sandbox
    wt record --tier fast -o fast.db --dir "$D/sb-fast::/sandbox" \
      "$GUESTS/$g.wasm" >"$D/fast.out" 2>"$D/fast.err"
    rc=$?
    wt record --tier optimized -o opt.db --dir "$D/sb-opt::/sandbox" \
      "$GUESTS/$g.wasm" >"$D/opt.out" 2>"$D/opt.err"
    check "$g: same exit status at both tiers" "$rc" "$?"
    cmp -s "$D/fast.out" "$D/opt.out" || fail "$g: stdout differs across tiers"
    check "$g: fast trace's tier" fast \
      "$(sqlite3 "$D/fast.db" "select value from meta where key='compile_tier'")"
    check "$g: optimized trace's tier" optimized \
      "$(sqlite3 "$D/opt.db" "select value from meta where key='compile_tier'")"
    # The same calls, arguments and errnos (results hold clock values and
    # inode numbers).
    q="select seq, call, errno, args from calls order by seq"
    [ "$(sqlite3 "$D/fast.db" "$q")" = "$(sqlite3 "$D/opt.db" "$q")" ] ||
      fail "$g: the tiers' traces hold different calls"
    wt replay --tier optimized fast.db >"$D/r1.out" 2>"$D/r1.err"
    check "$g: fast trace replayed optimized" "$rc" "$?"
    wt replay --tier fast opt.db >"$D/r2.out" 2>"$D/r2.err"
    check "$g: optimized trace replayed fast" "$rc" "$?"
  done
}

case_compile() {
  local rc
  fresh compile
  printf 'not wasm' >"$D/bad.wasm"
  wt compile "$HELLO" "$GUESTS/exit_42.wasm" >"$D/out" 2>"$D/err"; rc=$?
  check "compile: exit status" 0 "$rc"
  contains "compile: hello" "$D/out" "hello.wasm: compiled (optimized tier)"
  contains "compile: exit_42" "$D/out" "exit_42.wasm: compiled (optimized tier)"
  wt run -v "$HELLO" >/dev/null 2>"$D/err2"
  contains "run after compile" "$D/err2" "optimized tier, cached"
  wt compile "$HELLO" "$D/bad.wasm" >"$D/out3" 2>"$D/err3"; rc=$?
  check "compile with a bad module: exit status" 126 "$rc"
  contains "compile with a bad module: message" "$D/err3" "bad.wasm"
  contains "compile with a bad module: the good one" "$D/out3" "already cached"
  wt compile >/dev/null 2>"$D/err4"
  check "compile with no module: exit status" 125 "$?"
}

case_cache() {
  local n
  fresh cache
  wt compile "$HELLO" "$GUESTS/exit_42.wasm" >/dev/null 2>&1 || fail "compile failed"
  wt cache ls >"$D/ls" 2>&1 || fail "cache ls failed"
  contains "cache ls: tier" "$D/ls" "optimized"
  contains "cache ls: summary" "$D/ls" "2 compiled modules"
  wt cache gc 1 >"$D/gc" 2>&1 || fail "cache gc failed"
  contains "cache gc: evicted" "$D/gc" "evicted 2 compiled modules"
  n=$(ls "$CACHE"/*.so 2>/dev/null | wc -l)
  check "cache gc: entries left" 0 "$n"
  wt cache gc 1X >/dev/null 2>"$D/gcerr"
  check "cache gc with a bad size: exit status" 125 "$?"
  contains "cache gc with a bad size: message" "$D/gcerr" "wants a size"
}

case_race() {
  local i built=0 cached=0
  fresh race
  for i in 1 2 3; do
    wt run -v --tier optimized "$HELLO" >"$D/out$i" 2>"$D/err$i" &
  done
  wait
  for i in 1 2 3; do
    grep -q "wasm2c .* ms" "$D/err$i" && built=$((built + 1))
    grep -q "cached" "$D/err$i" && cached=$((cached + 1))
  done
  check "builds among three concurrent first runs" 1 "$built"
  check "cache hits among them" 2 "$cached"
}

case_failed() {
  fresh failed
  # The optimized tier's compiler fails; the fast tier works.
  WASITRACE_CC=false wt run -v "$HELLO" >/dev/null 2>"$D/err1"
  check "first run: exit status" 0 "$?"
  local i
  for ((i = 0; i < 600; i++)); do
    ls "$CACHE"/*.failed >/dev/null 2>&1 && break
    sleep 0.1
  done
  ls "$CACHE"/*.failed >/dev/null 2>&1 || fail "the failure was not noted"
  WASITRACE_CC=false wt run -v "$HELLO" >/dev/null 2>"$D/err2"
  contains "second run: the fast entry" "$D/err2" "fast tier (tcc), cached"
  grep -q "background" "$D/err2" && fail "the failed build was started again"
  wt cache clear >/dev/null
  ls "$CACHE"/*.failed >/dev/null 2>&1 && fail "cache clear kept the note"
}

for CASE in "${CASES[@]}"; do
  case $CASE in
    auto|across|compile|cache|race|failed) "case_$CASE" ;;
    *) die "unknown case $CASE" ;;
  esac
done
[ "$FAILED" = 0 ] && echo "PASS ${CASES[*]}"
exit "$FAILED"
