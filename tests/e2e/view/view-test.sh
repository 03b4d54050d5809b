#!/usr/bin/env bash
# End-to-end tests of `wasitrace view`, `stats` and `--strace` (the cases
# are listed in CMakeLists.txt).
#
#   view-test.sh --wasitrace EXE --guests DIR --golden DIR [--work DIR]
#                [--update] CASE...
#
# Traces are recorded from the test guests in both encodings; what view and
# stats print is compared with golden files, with the fields that differ in
# every run masked (times are left out with --no-times; clock values,
# inode numbers and file times by sed). --update rewrites the goldens.
# Exit: 0 pass, 1 fail, 2 harness error.
set -u

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" view-test
golden_setup view "$@"

FAILED=0
CASE=

# Values that differ from run to run.
mask() {
  sed -E -e "s#$TOP#TOP#g" -e 's/\b(dev|ino|atim|mtim|ctim|time|resolution)=[0-9]+/\1=N/g' \
         -e 's/"(dev|ino|atim|mtim|ctim|time|resolution|start_ns|dur_ns)":[0-9]+/"\1":N/g' \
         -e 's/"(dev|ino|atim|mtim|ctim|time|resolution)":"[0-9]+"/"\1":N/g'
}

# record GUEST EXT: the guest's trace in $TOP/GUEST.EXT (stdout to a file,
# so its fd 1 is the same kind of file in every run).
record() {
  local g=$1 ext=$2 sb="$TOP/sb-$1"
  rm -rf "$sb" && mkdir -p "$sb"
  ( cd "$TOP" && "$WT" record -o "$g.$ext" --dir "$sb::/sandbox" \
      "$GUESTS/$g.wasm" >"$TOP/$g.$ext.stdout" 2>"$TOP/$g.$ext.stderr" ) ||
    { fail "record $g.$ext failed: $(cat "$TOP/$g.$ext.stderr")"; return 1; }
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

# view_both GOLDEN GUEST ARGS...: the same output from both encodings.
view_both() {
  local name=$1 g=$2 ext rc
  shift 2
  for ext in db jsonl; do
    "$WT" view --no-times "$@" "$TOP/$g.$ext" 2>"$TOP/e.$ext" | mask >"$TOP/v.$ext"
    rc=${PIPESTATUS[0]}
    [ $rc = 0 ] || fail "view $* $g.$ext: exit $rc: $(cat "$TOP/e.$ext")"
  done
  cmp -s "$TOP/v.db" "$TOP/v.jsonl" ||
    fail "view $* differs between the SQLite and JSON Lines traces"
  golden "$name" <"$TOP/v.db"
}

GUEST_LIST="files wasix_eventfd wasix_pipe fdops"
setup() {
  for g in $GUEST_LIST; do record "$g" db && record "$g" jsonl || return 1; done
}

case_render() {
  for g in $GUEST_LIST; do
    view_both "$g.view" "$g" -y --transitions
    view_both "$g.plain" "$g"
  done
  view_both files.s8 files -s 8
  view_both files.json files --json -y
}

case_filters() {
  view_both f.call files --call fd_write,path_open
  view_both f.class files -e trace=file
  view_both f.desc wasix_eventfd -e trace=event,clock
  view_both f.fd files --fd 1
  view_both f.path files -y --path '/sandbox/*'
  view_both f.failed files --failed
  view_both f.errno files --errno NOENT,EBADF
  view_both f.denied fdops --denied
  view_both f.seq files --seq 5..9
  view_both f.combined files --failed --call path_open
  # --time: every call lies in 0.. and none before 0..0 and after it.
  local all some
  all=$("$WT" view --no-times "$TOP/files.db" | wc -l)
  some=$("$WT" view --no-times --time 0.. "$TOP/files.db" | wc -l)
  [ "$all" = "$some" ] || fail "--time 0.. shows $some of $all calls"
  "$WT" view --seq 9..5 "$TOP/files.db" >/dev/null 2>&1
  [ $? = 125 ] || fail "--seq 9..5 is not refused"
  "$WT" view --call no_such_call "$TOP/files.db" >/dev/null 2>&1
  [ $? = 125 ] || fail "--call no_such_call is not refused"
}

case_stats() {
  local g ext
  for g in files wasix_eventfd; do
    for ext in db jsonl; do
      "$WT" stats --no-times --sort name "$TOP/$g.$ext" >"$TOP/s.$ext" ||
        fail "stats $g.$ext failed"
      "$WT" stats --json --no-times --sort name "$TOP/$g.$ext" \
        >"$TOP/sj.$ext" || fail "stats --json $g.$ext failed"
      # The run summary names the trace's own module path: drop argv.
      sed -i -E '/^  argv: /d; s/"argv":\[[^]]*\]/"argv":[]/' "$TOP/s.$ext" "$TOP/sj.$ext"
      mask <"$TOP/s.$ext" >"$TOP/m" && mv "$TOP/m" "$TOP/s.$ext"
    done
    cmp -s "$TOP/s.db" "$TOP/s.jsonl" || fail "stats differs between encodings"
    golden "$g.stats" <"$TOP/s.db"
    golden "$g.stats.json" <"$TOP/sj.db"
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TOP/sj.db" ||
      fail "stats --json is not JSON"
  done
  "$WT" stats "$TOP/files.db" | grep -q '^100.00 ' || fail "stats has no total"
}

case_follow() {
  local f="$TOP/follow.jsonl" pid rc
  rm -f "$f"
  # The follower starts first: it waits for the trace, prints every call
  # as it is written, and stops at the end record.
  timeout -k 5 120 "$WT" view --follow --no-times -y "$f" >"$TOP/fol.out" \
    2>"$TOP/fol.err" &
  pid=$!
  ( cd "$TOP" && "$WT" record -o "$f" "$GUESTS/wasix_pingpong.wasm" \
      >/dev/null 2>&1 ) || fail "record for --follow failed"
  wait $pid
  rc=$?
  [ $rc = 0 ] || fail "view --follow exit $rc: $(cat "$TOP/fol.err")"
  "$WT" view --no-times -y "$f" >"$TOP/fol.want"
  cmp -s "$TOP/fol.want" "$TOP/fol.out" ||
    { fail "--follow printed other lines than view"; diff "$TOP/fol.want" "$TOP/fol.out" | head; }
  [ -s "$TOP/fol.out" ] || fail "--follow printed nothing"
  "$WT" view --follow "$TOP/files.db" >/dev/null 2>&1
  [ $? = 125 ] || fail "--follow of a SQLite trace is not refused"
}

case_strace() {
  local sb="$TOP/sb-strace"
  # run --strace prints what view prints of a recording of the same run.
  rm -rf "$sb" && mkdir -p "$sb"
  ( cd "$TOP" && "$WT" run --strace="$TOP/st.run" --no-times -y \
      --dir "$sb::/sandbox" "$GUESTS/files.wasm" >"$TOP/files.db.stdout" ) ||
    fail "run --strace failed"
  "$WT" view --no-times -y "$TOP/files.db" >"$TOP/st.want"
  diff -u <(mask <"$TOP/st.want") <(mask <"$TOP/st.run") >"$TOP/diff" ||
    { fail "run --strace differs from view"; head -20 "$TOP/diff"; }
  # record --strace: the lines and the trace, from one run; on stderr.
  rm -rf "$sb" && mkdir -p "$sb"
  ( cd "$TOP" && "$WT" record --strace --no-times --call fd_write \
      -o "$TOP/st.jsonl" --dir "$sb::/sandbox" "$GUESTS/files.wasm" \
      >/dev/null 2>"$TOP/st.rec" ) || fail "record --strace failed"
  "$WT" view --no-times --call fd_write "$TOP/st.jsonl" >"$TOP/st.want2"
  cmp -s "$TOP/st.want2" "$TOP/st.rec" ||
    { fail "record --strace lines differ from its trace"; diff "$TOP/st.want2" "$TOP/st.rec" | head; }
  "$WT" run -y "$GUESTS/exit_0.wasm" >/dev/null 2>&1
  [ $? = 125 ] || fail "-y without --strace is not refused"
}

# check_bad CMD... : exit 0 or 125 with a message, never a crash.
check_bad() {
  "$@" >"$TOP/bad.out" 2>"$TOP/bad.err"
  local rc=$?
  if [ $rc != 125 ] && [ $rc != 0 ]; then fail "$*: exit $rc (a crash?)"; fi
  [ $rc = 0 ] || [ -s "$TOP/bad.err" ] || fail "$*: exit $rc without a message"
  return $rc
}

case_damaged() {
  local t cmd
  cp "$TOP/files.db" "$TOP/d-trunc.db" && truncate -s 8192 "$TOP/d-trunc.db"
  head -c 3000 "$TOP/files.jsonl" >"$TOP/d-trunc.jsonl"
  head -c 2000 /dev/urandom >"$TOP/d-random.jsonl"
  printf 'not a trace\n' >"$TOP/d-text.txt"
  : >"$TOP/d-empty.jsonl"
  # A call line whose binary arguments were tampered with.
  sed -E '0,/"call":"path_open"/s/("call":"path_open".*"args_bin":")[^"]*"/\1AAAA"/' \
    "$TOP/files.jsonl" >"$TOP/d-args.jsonl"
  # One byte of a SQLite trace's page flipped in the middle.
  cp "$TOP/files.db" "$TOP/d-flip.db"
  printf '\xff\xff\xff\xff' | dd of="$TOP/d-flip.db" bs=1 seek=6000 conv=notrunc 2>/dev/null
  for t in d-trunc.db d-trunc.jsonl d-random.jsonl d-text.txt d-empty.jsonl d-args.jsonl d-flip.db; do
    check_bad "$WT" view "$TOP/$t"
    check_bad "$WT" view --json -y --transitions "$TOP/$t"
    check_bad "$WT" stats "$TOP/$t"
    check_bad "$WT" stats --json "$TOP/$t"
  done
  for t in d-random.jsonl d-text.txt d-trunc.db; do
    check_bad timeout -k 5 60 "$WT" view --follow "$TOP/$t"
    [ $? = 125 ] || fail "view --follow $t: not refused"
  done
  check_bad "$WT" view "$TOP/d-args.jsonl"
  [ $? = 125 ] || fail "a tampered record is not reported"
  check_bad "$WT" view "$TOP/d-trunc.jsonl"
  grep -q 'partial\|damaged\|not a\|cannot' "$TOP/bad.err" ||
    fail "a truncated trace is not said to be partial: $(cat "$TOP/bad.err")"
  "$WT" view "$TOP/no-such.db" >/dev/null 2>&1
  [ $? = 125 ] || fail "a missing trace is not exit 125"
}

for CASE in "${CASES[@]}"; do
  [ -f "$TOP/files.db" ] || setup || { echo "FAIL: setup"; exit 1; }
  case $CASE in
    render|filters|stats|follow|strace|damaged) "case_$CASE" ;;
    *) die "unknown case $CASE" ;;
  esac
done
[ $FAILED = 0 ] && echo PASS
exit $FAILED
