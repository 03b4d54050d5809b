#!/usr/bin/env bash
# End-to-end tests of `wasitrace diff` (the cases are listed in
# CMakeLists.txt).
#
#   diff-test.sh --wasitrace EXE --guests DIR --golden DIR [--work DIR]
#                [--update] CASE...
#
# Traces are recorded from the test guests; reports are compared with
# golden files after masking what differs between runs (paths, clock
# values, random bytes, inodes and file times). --update rewrites the
# goldens. Exit: 0 pass, 1 fail, 2 harness error.
set -u

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" diff-test
golden_setup diff "$@"

FAILED=0
CASE=

mask() {
  sed -E -e "s#$TOP#TOP#g" \
    -e 's/\b(dev|ino|atim|mtim|ctim|time|resolution)=[0-9]+/\1=N/g' \
    -e 's/(random_get\(buf=<cap [0-9]+>\) = 0 \(buf=)"[^"]*"/\1"R"/'
}

# record NAME GUEST [CONFIG]: $TOP/NAME.db from a fresh sandbox (with
# config.txt holding CONFIG when given), stdout to a file.
record() {
  local name=$1 g=$2 sb="$TOP/sb-$1"
  rm -rf "$sb" && mkdir -p "$sb"
  [ $# -lt 3 ] || printf '%s\n' "$3" >"$sb/config.txt"
  ( cd "$TOP" && "$WT" record -o "$name.db" --dir "$sb::/sandbox" \
      "$GUESTS/$g.wasm" >"$TOP/$name.stdout" 2>"$TOP/$name.stderr" ) ||
    { fail "record $name failed: $(cat "$TOP/$name.stderr")"; return 1; }
}

# diff_steps inserts a sched_yield on an odd random byte: record until a
# run of each kind is in hand as $TOP/even.db and $TOP/odd.db (after k
# runs the chance of missing one is 2^-(k-1)), plus a second even run.
EVEN=0 ODD=0
steps_pair() {
  local i kind
  EVEN=0 ODD=0
  for i in $(seq 1 64); do
    record "try" diff_steps || return 1
    if "$WT" view --call sched_yield "$TOP/try.db" | grep -q sched_yield; then
      kind=odd; ODD=$((ODD + 1)); [ $ODD -gt 1 ] && continue
    else
      kind=even; EVEN=$((EVEN + 1)); [ $EVEN -gt 2 ] && continue
      [ $EVEN = 2 ] && kind=even2
    fi
    mv "$TOP/try.db" "$TOP/$kind.db"
    [ $ODD -ge 1 ] && [ $EVEN -ge 2 ] && return 0
  done
  fail "64 runs of diff_steps did not give two even and one odd run"
  return 1
}

# golden NAME: compares stdin with golden NAME (or writes it).
golden() {
  local out="$TOP/out.$1"
  mask >"$out"
  if [ $UPDATE = 1 ]; then cp "$out" "$GOLDEN/$1"; return; fi
  [ -f "$GOLDEN/$1" ] || { fail "no golden $1"; return; }
  diff -u "$GOLDEN/$1" "$out" >"$TOP/diff" ||
    { fail "output differs from golden $1:"; head -40 "$TOP/diff"; }
}

# expect RC CMD...: runs CMD (stdout to $TOP/o, stderr to $TOP/e).
expect() {
  local want=$1 rc
  shift
  "$@" >"$TOP/o" 2>"$TOP/e"
  rc=$?
  [ $rc = "$want" ] || fail "$*: exit $rc, not $want: $(head -3 "$TOP/e")"
  return 0
}

case_same() {
  record files files && record files2 files || return
  "$WT" export -o "$TOP/files.jsonl" "$TOP/files.db" >/dev/null 2>&1 ||
    { fail "export failed"; return; }
  expect 0 "$WT" diff "$TOP/files.db" "$TOP/files.db"
  [ -s "$TOP/o" ] && fail "diff of a trace with itself printed something"
  expect 0 "$WT" diff "$TOP/files.db" "$TOP/files.jsonl"
  [ -s "$TOP/o" ] && fail "diff of the two encodings printed something"
  expect 0 "$WT" diff --timing "$TOP/files.jsonl" "$TOP/files.db"
  # Two recordings of a deterministic guest: alike but for times, clock
  # values, inodes; --timing tells them apart.
  expect 0 "$WT" diff "$TOP/files.db" "$TOP/files2.db"
  expect 1 "$WT" diff --timing "$TOP/files.db" "$TOP/files2.db"
  grep -q '^first difference: ' "$TOP/o" || fail "--timing: no report"
  steps_pair || return
  # Random bytes, a clock read, a new file's inode and times differ.
  expect 0 "$WT" diff "$TOP/even.db" "$TOP/even2.db"
  expect 1 "$WT" diff --timing "$TOP/even.db" "$TOP/even2.db"
}

case_diverge() {
  steps_pair || return
  record conf diff_steps "hello" || return
  if "$WT" view --call sched_yield "$TOP/conf.db" | grep -q sched_yield; then
    cp "$TOP/odd.db" "$TOP/base.db"
  else
    cp "$TOP/even.db" "$TOP/base.db"
  fi
  expect 1 "$WT" diff -y "$TOP/base.db" "$TOP/conf.db"
  # How many calls are alike depends on the runs' sched_yield: every call
  # of B but the 4 only in B.
  local n
  n=$("$WT" view "$TOP/conf.db" | wc -l)
  grep -qx "alike: $((n - 4)) calls" "$TOP/o" || fail "alike is not $((n - 4))"
  sed -E 's/^alike: [0-9]+ calls$/alike: N calls/' "$TOP/o" | golden diverge
  grep -q '^@@ call [0-9]* of A, call [0-9]* of B: path_open: errno NOENT in A, SUCCESS in B @@$' "$TOP/o" ||
    fail "the first difference is not path_open's errno"
  grep -q '^re-aligned: at call ' "$TOP/o" || fail "the runs did not re-align"
}

case_inserted() {
  steps_pair || return
  expect 1 "$WT" diff -y "$TOP/even.db" "$TOP/odd.db"
  golden inserted <"$TOP/o"
  grep -qx 'differing: 1 region, 0 calls only in A, 1 only in B' "$TOP/o" ||
    fail "not exactly one inserted call"
  [ "$(grep -c '^+ \[' "$TOP/o")" = 1 ] || fail "not one + line"
  grep -q '^+ \[[0-9]*\] sched_yield()' "$TOP/o" || fail "no sched_yield line"
  # The other way round: one call only in A.
  expect 1 "$WT" diff "$TOP/odd.db" "$TOP/even.db"
  grep -qx 'differing: 1 region, 1 call only in A, 0 only in B' "$TOP/o" ||
    fail "B against A: not exactly one call only in A"
  expect 1 "$WT" diff -q "$TOP/even.db" "$TOP/odd.db"
  grep -q 'differ$' "$TOP/o" || fail "-q does not say they differ"
  [ "$(wc -l <"$TOP/o")" = 1 ] || fail "-q printed more than a line"
  expect 0 "$WT" diff -q "$TOP/even.db" "$TOP/even2.db"
}

# bad CMD...: exit 2 with a message, never a crash.
bad() {
  "$@" >"$TOP/bad.out" 2>"$TOP/bad.err"
  local rc=$?
  [ $rc = 2 ] || fail "$*: exit $rc, not 2"
  [ -s "$TOP/bad.err" ] || fail "$*: no message"
}

case_damaged() {
  record files files || return
  "$WT" export -o "$TOP/files.jsonl" "$TOP/files.db" >/dev/null 2>&1 ||
    { fail "export failed"; return; }
  local good="$TOP/files.db" t
  cp "$good" "$TOP/d-trunc.db" && truncate -s 8192 "$TOP/d-trunc.db"
  head -c 3000 /dev/urandom >"$TOP/d-random.jsonl"
  printf 'not a trace\n' >"$TOP/d-text.txt"
  : >"$TOP/d-empty.jsonl"
  # A call line whose binary arguments were tampered with.
  sed -E '0,/"call":"path_open"/s/("call":"path_open".*"args_bin":")[^"]*"/\1AAAA"/' \
    "$TOP/files.jsonl" >"$TOP/d-args.jsonl"
  # A call line cut in the middle, followed by more lines.
  awk 'NR==8{print substr($0,1,40); next} {print}' "$TOP/files.jsonl" \
    >"$TOP/d-cut.jsonl"
  for t in d-trunc.db d-random.jsonl d-text.txt d-empty.jsonl d-args.jsonl \
           d-cut.jsonl no-such-file.db; do
    bad "$WT" diff "$good" "$TOP/$t"
    bad "$WT" diff "$TOP/$t" "$good"
  done
  bad "$WT" diff "$good"
  bad "$WT" diff --window 0 "$good" "$good"
  bad "$WT" diff --no-such-option "$good" "$good"
}

for CASE in "${CASES[@]}"; do
  declare -F "case_$CASE" >/dev/null || die "unknown case $CASE"
  "case_$CASE"
done
exit $FAILED
