#!/usr/bin/env bash
# Replay scenarios beyond "every guest replays": divergences (an argument
# changed in the trace, a modified module, a guest that reads the clock
# where the recording did not), REPORT mode, the module check, an
# incomplete trace (recorder stopped), and corrupt or truncated traces
# (clear errors, never a crash).
#
#   cases.sh --wasitrace EXE --guests DIR [--work DIR] [--keep] [CASE...]
#
# DIR holds greet.wasm, greet_clock.wasm, greet_other.wasm, ticker.wasm
# (built from tests/e2e/replay/guests). With CASE names, only those run.
# Exit: 0 pass, 1 fail, 2 harness error.
set -u

WT= GUESTS= WORK=${TMPDIR:-/tmp} KEEP=0 ONLY=()
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" cases
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --guests) GUESTS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -*) die "unknown option $1" ;;
    *) ONLY+=("$1"); shift ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
for g in greet greet_clock greet_other ticker; do
  [ -f "$GUESTS/$g.wasm" ] || die "no $GUESTS/$g.wasm"
done
command -v perl >/dev/null || die "perl is needed to edit traces"
# Absolute: the cases run in their own directory.
WT=$(cd "$(dirname "$WT")" && pwd)/$(basename "$WT")
GUESTS=$(cd "$GUESTS" && pwd)
mkdir -p "$WORK" || die "cannot create $WORK"
TOP=$(mktemp -d "$WORK/replay-cases.XXXXXX") || die "mktemp failed"
cd "$TOP" || die "cd $TOP"

FAILED=0 CASE=
# Runs wasitrace ARGS... with out, err and rc left in the working dir.
wt() { "$WT" "$@" </dev/null >out 2>err; echo $? >rc; }
rc_is() { [ "$(cat rc)" = "$1" ] || { fail "exit $(cat rc), expected $1"; sed 's/^/  | /' err | head -40; }; }
err_has() { grep -qF -- "$1" err || { fail "stderr lacks '$1'"; sed 's/^/  | /' err | head -40; }; }
out_is() { [ "$(cat out)" = "$1" ] || fail "stdout is '$(cat out)', expected '$1'"; }
no_crash() { [ "$(cat rc)" -lt 128 ] || fail "wasitrace died by a signal ($(cat rc))"; }
wanted() { [ ${#ONLY[@]} = 0 ] && return 0; local c; for c in "${ONLY[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }

# greet alice, recorded once in both formats.
"$WT" record -o greet.jsonl "$GUESTS/greet.wasm" alice >/dev/null 2>&1
[ $? = 3 ] || die "recording greet failed"
"$WT" export -o greet.db greet.jsonl 2>/dev/null || die "export failed"

# Rewrites the base64 field FIELD of call lines matching CALL in a JSON
# Lines trace with a perl expression on its bytes ($_).
edit_b64() {  # FILE CALL FIELD PERL-EXPR
  perl -MMIME::Base64 -i -pe '
    BEGIN { ($call, $field, $expr) = splice(@ARGV, 1, 3); }
    if (/"call":"\Q$call\E"/) {
      s{"\Q$field\E":"([^"]*)"}{
        local $_ = decode_base64($1); eval $expr;
        "\"$field\":\"" . encode_base64($_, "") . "\""
      }e;
    }' "$1" "$2" "$3" "$4"
}

case_reproduces() {
  wt replay greet.db
  rc_is 3
  out_is "$(printf 'hello, alice\nbye, alice')"
  wt replay greet.jsonl --verify
  rc_is 3
}

# The trace says the guest got another argument: it greets someone else.
case_other_argument() {
  cp greet.jsonl bobby.jsonl
  edit_b64 bobby.jsonl args_get results_bin 's/alice/bobby/g'
  wt replay bobby.jsonl
  rc_is 120
  err_has "divergence at the guest's call"
  err_has "the guest called fd_write with other inputs"
  err_has "first difference at byte 7"
  err_has "recorded @3: 6c 6f 2c 20 61 6c 69 63 65"
  err_has "actual   @3: 6c 6f 2c 20 62 6f 62 62 79"
  err_has "calls before it:"
  err_has "args_get("
}

case_module_refused() {
  wt replay greet.db "$GUESTS/greet_other.wasm"
  rc_is 125
  err_has "is not the module greet.db recorded"
  err_has "recorded SHA-256 $(sha256sum "$GUESTS/greet.wasm" | cut -c1-64)"
  err_has "has SHA-256 $(sha256sum "$GUESTS/greet_other.wasm" | cut -c1-64)"
  err_has "--force"
  wt replay greet.db "$GUESTS/greet.wasm"
  rc_is 3
}

case_modified_module() {
  wt replay --force greet.db "$GUESTS/greet_other.wasm"
  rc_is 120
  err_has "not the recorded module"
  err_has "the guest called fd_write with other inputs"
  err_has "first difference at byte 1"
}

case_clock_where_none() {
  wt replay --force greet.jsonl "$GUESTS/greet_clock.wasm"
  rc_is 120
  err_has "the guest called clock_time_get where the recording has fd_write"
  err_has "the call: recorded fd_write, actual clock_time_get"
  out_is "hello, alice"
}

case_report_mode() {
  wt replay --force --on-divergence=report greet.db "$GUESTS/greet_clock.wasm"
  rc_is 120
  out_is "$(printf 'hello, alice\nbye, alice')"
  err_has "continuing: the call fails with NOTSUP"
  err_has "1 divergence (1 reported)"
}

case_quiet() {
  wt replay -q greet.db
  rc_is 3
  out_is ""
}

case_no_module() {
  "$WT" record --no-module -o nomod.db "$GUESTS/greet.wasm" alice >/dev/null 2>&1
  wt replay nomod.db
  rc_is 125
  err_has "does not hold the module"
  wt replay nomod.db "$GUESTS/greet.wasm"
  rc_is 3
}

case_meta_capture() {
  "$WT" record --capture meta -o meta.db "$GUESTS/greet.wasm" alice >/dev/null 2>&1
  wt replay meta.db
  rc_is 125
  err_has "cannot be replayed"
}

# The recorder is stopped half-way: the replay reproduces the run up to
# there, then says that the trace ends.
case_incomplete() {
  local pid i=0
  : >tick.out
  "$WT" record -o tick.db "$GUESTS/ticker.wasm" 1000 >>tick.out 2>tick.err &
  pid=$!
  # Stopped once it has surely started recording: 5 ticks printed.
  while [ "$(wc -l <tick.out)" -lt 5 ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done
  kill -INT $pid
  wait $pid
  wt replay tick.db
  rc_is 121
  err_has "the trace ends after"
  err_has "its recorder stopped before the guest ended"
  [ "$(wc -l <out)" -ge 5 ] || fail "the replay printed $(wc -l <out) ticks"
  # Every tick the replay printed was printed by the recorded run.
  head -n "$(wc -l <out)" tick.out | cmp -s - out || fail "replayed ticks differ"
}

# A JSON Lines trace cut in the middle of its last call (a killed writer).
case_truncated_jsonl() {
  local at
  at=$(grep -b '"type":"call"' greet.jsonl | tail -n 1 | cut -d: -f1)
  head -c $((at + 20)) greet.jsonl >cut.jsonl
  wt replay cut.jsonl
  no_crash
  rc_is 121
  err_has "the trace ends after"
}

case_truncated_sqlite() {
  head -c 8192 greet.db >cut.db
  wt replay cut.db
  no_crash
  rc_is 125
  err_has "wasitrace: "
}

case_not_a_trace() {
  # Fixed bytes, not random ones: noise that happens to open with '{'
  # must be refused the same way, so both shapes are spelled out.
  printf '\x7fELF\x02\x01\x01\x00binary' >noise.db
  wt replay noise.db
  rc_is 125
  err_has "not a wasitrace trace"
  printf '{\xd4\x91\x00\x17 binary\n{"type":"meta"}\n' >brace.db
  wt replay brace.db
  rc_is 125
  err_has "not a wasitrace trace"
  printf '{"type":"call","seq":1}\n' >nometa.jsonl
  wt replay nometa.jsonl
  rc_is 125
  err_has "not a wasitrace trace"
  printf '{"type":"meta"}\n{garbage\n' >noise.jsonl
  wt replay noise.jsonl
  no_crash
  rc_is 125
}

# Outputs that do not fit their call: a corrupt trace, not a divergence.
case_corrupt_record() {
  cp greet.jsonl bad.jsonl
  edit_b64 bad.jsonl fd_write results_bin '$_ = "x"'
  wt replay bad.jsonl
  no_crash
  rc_is 125
  err_has "the trace is corrupt: record"
  err_has "(fd_write) has outputs that do not fit the call"
}

CASES="reproduces other_argument module_refused modified_module
clock_where_none report_mode quiet no_module meta_capture incomplete
truncated_jsonl truncated_sqlite not_a_trace corrupt_record"
for c in $CASES; do
  wanted "$c" || continue
  CASE=$c
  before=$FAILED
  FAILED=0
  "case_$c"
  [ $FAILED = 0 ] && printf 'PASS %s\n' "$c"
  [ $before = 1 ] && FAILED=1
done

if [ $FAILED = 0 ]; then
  [ $KEEP = 1 ] || rm -rf "$TOP"
  exit 0
fi
printf 'work dir kept: %s\n' "$TOP"
exit 1
