#!/usr/bin/env bash
# End-to-end tests of `wasitrace record` and `wasitrace export`; the cases
# are listed in CMakeLists.txt.
#
#   record-test.sh --wasitrace EXE --guests DIR --spin SPIN.wasm
#                  --hello HELLO.wasm [--work DIR] [--keep] CASE...
#
# DIR holds the test guests of tests/guests (built). Traces are checked
# with the stock sqlite3 shell. Exit: 0 pass, 1 fail, 2 harness error,
# 77 skipped (no sqlite3 shell).
set -u

WT= GUESTS= SPIN= HELLO= WORK=${TMPDIR:-/tmp} KEEP=0 CASES=()
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" record-test
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --guests) GUESTS=$2; shift 2 ;;
    --spin) SPIN=$2; shift 2 ;;
    --hello) HELLO=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -*) die "unknown option $1" ;;
    *) CASES+=("$1"); shift ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
[ -f "$HELLO" ] || die "--hello: no $HELLO (build target examples)"
[ -f "$SPIN" ] || die "--spin: no $SPIN"
[ -d "$GUESTS" ] || die "--guests: no $GUESTS"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3 shell"; exit 77; }
WT=$(cd "$(dirname "$WT")" && pwd)/$(basename "$WT")
FILLER=$(cd "$(dirname "$SPIN")" && pwd)/filler.wasm
mkdir -p "$WORK" || die "cannot create $WORK"
TOP=$(mktemp -d "$WORK/record.XXXXXX") || die "mktemp failed"

FAILED=0
q() { sqlite3 "$1" "$2"; }  # TRACE SQL
meta() { q "$1" "SELECT value FROM meta WHERE key = '$2'"; }
hexof() { od -An -tx1 -v "$1" | tr -d ' \n' | tr a-f A-F; }

# ---- exit_codes ---------------------------------------------------------------

# GUEST: run and record give the same status and stdout; the trace's end
# agrees (or, for a module that cannot run, there is no trace).
same_as_run() {
  local g=$1 d=$TOP/$1 rc1 rc2
  mkdir -p "$d"
  (cd "$d" && "$WT" run "$GUESTS/$g.wasm" >run.out 2>run.err </dev/null)
  rc1=$?
  (cd "$d" && "$WT" record -o t.db "$GUESTS/$g.wasm" >rec.out 2>rec.err </dev/null)
  rc2=$?
  check "$g: exit status" "$rc1" "$rc2"
  cmp -s "$d/run.out" "$d/rec.out" || fail "$g: stdout differs from run's"
  if [ "$rc1" = 126 ]; then
    [ ! -e "$d/t.db" ] || fail "$g: a trace was left for a module that cannot run"
    return
  fi
  check "$g: integrity" ok "$(q "$d/t.db" 'PRAGMA integrity_check')"
  check "$g: calls" "$(q "$d/t.db" 'SELECT count(*) FROM calls')" "$(meta "$d/t.db" calls)"
  case $rc1 in
    134)
      check "$g: end" trap "$(meta "$d/t.db" end)"
      grep -q "guest trapped: $(meta "$d/t.db" trap)" "$d/rec.err" ||
        fail "$g: the trace's trap is not the one reported" ;;
    129|13[0-9]|1[4-9][0-9])
      check "$g: end" signal "$(meta "$d/t.db" end)"
      [ -n "$(meta "$d/t.db" signal)" ] || fail "$g: no signal in the trace" ;;
    *)
      check "$g: end" exit "$(meta "$d/t.db" end)"
      check "$g: exit code" "$rc1" $(($(meta "$d/t.db" exit_code) & 255)) ;;
  esac
}

case_exit_codes() {
  local g
  for g in exit_0 exit_42 exit_main_7 exit_raw_255 exit_start_returns \
           trap_div_zero trap_unreachable proc_raise wasix_raise_default \
           wasix_raise_handler bad_signature unknown_import; do
    [ -f "$GUESTS/$g.wasm" ] || { fail "no test guest $g.wasm"; continue; }
    same_as_run "$g"
  done
  # The signal's trace was finished before wasitrace died of it.
  check "raise: signal" 26 "$(meta "$TOP/wasix_raise_default/t.db" signal)"
  # JSON Lines too.
  (cd "$TOP/exit_42" && "$WT" record -o t.jsonl "$GUESTS/exit_42.wasm" >/dev/null 2>&1)
  check "jsonl: exit status" 42 $?
  grep -q '"key":"exit_code","vtype":"int","value":42' "$TOP/exit_42/t.jsonl" ||
    fail "jsonl: no exit code 42 in the trace"
}

# ---- contents -------------------------------------------------------------------

case_contents() {
  local d=$TOP/contents t rc n
  mkdir -p "$d/dir" && echo hi >"$d/dir/a.txt"
  (cd "$d" && "$WT" run --dir dir::/work --env HELLO_NAME=you "$HELLO" /work x \
     >run.out 2>&1)
  (cd "$d" && "$WT" record -o t.db --dir dir::/work --env HELLO_NAME=you "$HELLO" /work x \
     >rec.out 2>rec.err)
  rc=$?
  t=$d/t.db
  check "status" 0 "$rc"
  cmp -s "$d/run.out" "$d/rec.out" || fail "stdout differs from run's"
  [ ! -s "$d/rec.err" ] || fail "record with -o wrote to stderr: $(cat "$d/rec.err")"
  check "integrity" ok "$(q "$t" 'PRAGMA integrity_check')"
  check "format" wasitrace "$(meta "$t" format)"
  check "format_version" 5 "$(meta "$t" format_version)"
  check "capture" replay "$(meta "$t" capture)"
  check "module_name" hello.wasm "$(meta "$t" module_name)"
  check "module_sha256" "$(sha256sum "$HELLO" | cut -d' ' -f1)" "$(meta "$t" module_sha256)"
  check "module_size" "$(stat -c %s "$HELLO")" "$(meta "$t" module_size)"
  check "module bytes" "$(hexof "$HELLO")" "$(q "$t" "SELECT hex(value) FROM meta WHERE key = 'module'")"
  check "argv" "[\"$HELLO\",\"/work\",\"x\"]" "$(meta "$t" argv)"
  check "env" '["HELLO_NAME=you"]' "$(meta "$t" env)"
  check "preopens" "[{\"guest\":\"/work\",\"host\":\"dir\",\"real\":\"$(cd "$d/dir" && pwd -P)\"}]" "$(meta "$t" preopens)"
  check "socket_preopens" '[]' "$(meta "$t" socket_preopens)"
  case $(meta "$t" memory_check) in guard|bounds) ;; *) fail "memory_check: $(meta "$t" memory_check)" ;; esac
  [[ $(meta "$t" start_time) =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T.*Z$ ]] || fail "start_time"
  [ -n "$(meta "$t" host_os)" ] || fail "no host_os"
  check "end" exit "$(meta "$t" end)"
  check "exit_code" 0 "$(meta "$t" exit_code)"
  n=$(q "$t" 'SELECT count(*) FROM calls')
  check "calls" "$n" "$(meta "$t" calls)"
  check "seq from 1 without gaps" "1 $n" "$(q "$t" 'SELECT min(seq) || " " || max(seq) FROM calls')"
  check "args are JSON" "$n" "$(q "$t" 'SELECT count(*) FROM calls WHERE json_valid(args)')"
  check "the preopen is asked for" "SUCCESS" \
    "$(q "$t" "SELECT errno FROM calls WHERE call = 'fd_prestat_get' AND fd = 3 LIMIT 1")"
  [ "$(q "$t" "SELECT count(*) FROM calls WHERE call = 'fd_readdir' AND fd > 3")" -ge 1 ] ||
    fail "no fd_readdir of the opened directory"
  # Every byte of stdout is in the trace, in order.
  check "stdout bytes" "$(hexof "$d/rec.out")" \
    "$(q "$t" "SELECT group_concat(hex(p.data), '') FROM (SELECT p.data FROM payloads p JOIN calls c USING (seq) WHERE c.call = 'fd_write' AND c.fd = 1 AND p.dir = 'in' ORDER BY seq) p")"
  # The example queries of docs/trace-format.md run.
  q "$t" "SELECT seq, call, errno, fd, path FROM calls WHERE errno <> 'SUCCESS' ORDER BY seq;
          SELECT call, count(*) AS n, sum(dur_ns) / 1000 AS total_us FROM calls GROUP BY call;
          SELECT seq, path, newfd, json_extract(args, '\$.oflags') FROM calls WHERE call = 'path_open';" \
    >/dev/null || fail "the documented queries fail"
  # --no-module and --capture meta.
  (cd "$d" && "$WT" record -o m.db --no-module --capture meta "$HELLO" >/dev/null 2>&1)
  check "--no-module status" 0 $?
  check "--no-module: no bytes" 0 "$(q "$d/m.db" "SELECT count(*) FROM meta WHERE key = 'module'")"
  check "--no-module: hash" "$(meta "$t" module_sha256)" "$(meta "$d/m.db" module_sha256)"
  check "--capture meta" meta "$(meta "$d/m.db" capture)"
  check "meta: no bytes" 0 "$(q "$d/m.db" "SELECT count(*) FROM payloads WHERE data IS NOT NULL")"
}

# The compile options reach the runtime under record and replay as under
# run (record hands run's options to the runtime, its own to the tracer).
case_compile_options() {
  local d=$TOP/compile t
  mkdir -p "$d"
  t=$d/t.db
  "$WT" record --no-cache -O 0 --bounds-checks -o "$t" "$HELLO" >"$d/out" 2>"$d/err" ||
    fail "record with compile options failed: $(cat "$d/err")"
  check "memory_check" bounds "$(meta "$t" memory_check)"
  "$WT" replay --no-cache -O 2 --guard-pages -q "$t" 2>"$d/err" ||
    fail "replay with compile options failed: $(cat "$d/err")"
  "$WT" record -O 9 -o "$d/u.db" "$HELLO" >/dev/null 2>"$d/err"
  check "bad -O under record" 125 $?
  grep -q "opt-level wants" "$d/err" || fail "no message for -O 9: $(cat "$d/err")"
}

# ---- export --------------------------------------------------------------------

# Rows of a table (or query, %s standing for the database) in A and not in
# C, and the other way round: "0 0" when they hold the same.
differ() {  # A C TABLE
  local a b
  if [[ $3 == \(* ]]; then a=${3//%s/main}; b=${3//%s/c}; else a=main.$3; b=c.$3; fi
  sqlite3 "$1" "ATTACH '$2' AS c;
    SELECT (SELECT count(*) FROM (SELECT * FROM $a EXCEPT SELECT * FROM $b)) || ' ' ||
           (SELECT count(*) FROM (SELECT * FROM $b EXCEPT SELECT * FROM $a))"
}

case_export() {
  local d=$TOP/export table
  mkdir -p "$d/dir" && echo hi >"$d/dir/a.txt"
  (cd "$d" && "$WT" record -o a.db --capture full --dir dir::/work "$HELLO" /work >/dev/null 2>&1) ||
    fail "record failed"
  (cd "$d" && "$WT" export a.db 2>err) || fail "export a.db failed: $(cat "$d/err")"
  grep -q "wrote a.jsonl" "$d/err" || fail "the default export name is not reported"
  [ -f "$d/a.jsonl" ] || { fail "no a.jsonl"; return; }
  (cd "$d" && "$WT" export -o c.db a.jsonl) || fail "export to c.db failed"
  (cd "$d" && "$WT" export --format jsonl -o d.out c.db) || fail "export to d.out failed"
  cmp -s "$d/a.jsonl" "$d/d.out" || fail "JSON Lines differ after SQLite -> JSON Lines -> SQLite -> JSON Lines"
  for table in meta transitions denials payloads \
      "(SELECT seq, call, errno, fd, fd2, path, nbytes, newfd, start_ns, dur_ns, args, results, args_bin, results_bin, p_kind, p_size, p_digest, p_data, p_ref IS NULL FROM %s.calls)" \
      "(SELECT seq, kind, size, digest, data, ref IS NULL FROM %s.more_payloads)"; do
    check "same content: ${table:0:40}" "0 0" "$(differ "$d/a.db" "$d/c.db" "$table")"
  done
  check "same calls" "$(q "$d/a.db" 'SELECT count(*) FROM calls')" "$(q "$d/c.db" 'SELECT count(*) FROM calls')"
  [ "$(q "$d/a.db" 'SELECT count(*) FROM calls')" -gt 10 ] || fail "too few calls"
  "$WT" export -o - "$d/a.db" | head -n 1 | grep -q '^{"type":"meta"' ||
    fail "export -o - does not write JSON Lines to stdout"
  # Recorded as JSON Lines directly: exports to a SQLite trace that opens.
  (cd "$d" && "$WT" record -o r.jsonl "$HELLO" >/dev/null 2>&1) || fail "record to JSON Lines failed"
  (cd "$d" && "$WT" export r.jsonl 2>/dev/null) || fail "export r.jsonl failed"
  check "r.db calls" "$(q "$d/r.db" 'SELECT count(*) FROM calls')" "$(meta "$d/r.db" calls)"
}

# ---- naming -----------------------------------------------------------------------

case_naming() {
  local d=$TOP/naming f names before
  mkdir -p "$d"
  (cd "$d" && "$WT" record "$HELLO" >/dev/null 2>err1) || fail "record failed"
  names=$(cd "$d" && ls wasitrace-*)
  [[ $names =~ ^wasitrace-hello-[0-9]{8}-[0-9]{6}\.db$ ]] || fail "default name '$names'"
  grep -q "^wasitrace: recorded [0-9]* calls to $names\$" "$d/err1" ||
    fail "the name is not on stderr: $(cat "$d/err1")"
  # Names taken for the coming seconds: never replaced, a suffix instead.
  for s in 0 1 2 3 4 5; do
    f=$d/wasitrace-hello-$(date -d "+$s seconds" +%Y%m%d-%H%M%S).db
    [ -e "$f" ] || echo keep >"$f"
  done
  before=$(cat "$d"/wasitrace-* | sha256sum)
  (cd "$d" && "$WT" record "$HELLO" >/dev/null 2>err2) || fail "second record failed"
  f=$(sed -n 's/^wasitrace: recorded [0-9]* calls to //p' "$d/err2")
  [[ $f =~ ^wasitrace-hello-[0-9]{8}-[0-9]{6}-2\.db$ ]] || fail "name when taken: '$f'"
  rm -f "$d/$f"
  check "existing files untouched" "$before" "$(cat "$d"/wasitrace-* | sha256sum)"
  (cd "$d" && "$WT" record --format jsonl "$HELLO" >/dev/null 2>err3) || fail "jsonl record failed"
  grep -q 'calls to wasitrace-hello-.*\.jsonl$' "$d/err3" || fail "jsonl default name: $(cat "$d/err3")"
}

# ---- refusals ------------------------------------------------------------------------

refused() {  # MESSAGE COMMAND...: exit 125 and MESSAGE on stderr
  local msg=$1 rc
  shift
  (cd "$TOP/refusals" && "$@" >/dev/null 2>err </dev/null)
  rc=$?
  check "status of '$*'" 125 "$rc"
  grep -qF -- "$msg" "$TOP/refusals/err" ||
    fail "'$*': stderr lacks '$msg': $(cat "$TOP/refusals/err")"
}

case_refusals() {
  local d=$TOP/refusals
  mkdir -p "$d" && cp "$HELLO" "$d/hello.wasm"
  echo precious >"$d/notes.txt"
  refused "--format wants sqlite or jsonl" "$WT" record --format xml hello.wasm
  refused "--capture wants replay, full or meta" "$WT" record --capture bogus hello.wasm
  refused "no module given" "$WT" record -o t.db
  refused "option -o needs TRACE" "$WT" record -o
  refused "unknown option '--bogus'" "$WT" record --bogus hello.wasm
  refused "exists and is not a wasitrace trace" "$WT" record -o notes.txt hello.wasm
  check "notes.txt kept" precious "$(cat "$d/notes.txt")"
  refused "is also the input" "$WT" record --force -o hello.wasm hello.wasm
  refused "the guest's stdout is its own" "$WT" record -o - hello.wasm
  refused "cannot create" "$WT" record -o no/such/dir/t.db hello.wasm
  refused "no trace given" "$WT" export
  refused "not a wasitrace trace" "$WT" export notes.txt
  (cd "$d" && "$WT" record -o ok.db hello.wasm >/dev/null 2>&1) || fail "record ok.db"
  refused "is also the input" "$WT" export --force -o ok.db ok.db
  refused "--format wants sqlite, jsonl, perfetto or html" "$WT" export --format xml ok.db
  refused "only JSON Lines can be written to stdout" "$WT" export --format sqlite -o - ok.db
  refused "exists and is not a wasitrace trace" "$WT" export -o notes.txt ok.db
  # --force replaces; a trace is replaced without it.
  (cd "$d" && "$WT" record --force -o notes.txt hello.wasm >/dev/null 2>&1)
  check "--force status" 0 $?
  check "--force wrote a trace" wasitrace "$(meta "$d/notes.txt" format)"
  (cd "$d" && "$WT" record -o ok.db hello.wasm >/dev/null 2>&1)
  check "replacing a trace" 0 $?
}

# ---- signals ------------------------------------------------------------------------

# SIGNAL STATUS TRACE: stop a recording of spin.wasm with SIGNAL.
stopped_by() {
  local sig=$1 want=$2 t=$TOP/signals/$3 pid rc i
  set -m  # a job of its own, with SIGINT not ignored
  "$WT" record -o "$t" "$SPIN" >/dev/null 2>"$t.err" </dev/null &
  pid=$!
  set +m
  for i in $(seq 1 200); do
    grep -q spinning "$t.err" 2>/dev/null && break
    sleep 0.05
  done
  sleep 0.3
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  check "$sig: status" "$want" "$rc"
  grep -q "recording stopped by SIG$sig; the trace is incomplete" "$t.err" ||
    fail "$sig: no message: $(cat "$t.err")"
  if [[ $t == *.jsonl ]]; then
    "$WT" export -o "$t.db" "$t" 2>/dev/null || { fail "$sig: export failed"; return; }
    t=$t.db
  fi
  check "$sig: integrity" ok "$(q "$t" 'PRAGMA integrity_check')"
  check "$sig: end" incomplete "$(meta "$t" end)"
  check "$sig: interrupted" "SIG$sig" "$(meta "$t" interrupted)"
  check "$sig: calls" "$(q "$t" 'SELECT count(*) FROM calls')" "$(meta "$t" calls)"
  check "$sig: seq without gaps" "$(q "$t" 'SELECT count(*) FROM calls')" "$(q "$t" 'SELECT max(seq) FROM calls')"
  [ "$(meta "$t" calls)" -gt 1000 ] || fail "$sig: only $(meta "$t" calls) calls"
}

case_signals() {
  mkdir -p "$TOP/signals"
  stopped_by INT 130 int.db
  stopped_by TERM 143 term.jsonl
}

# ---- record_error -----------------------------------------------------------------

# A trace that fills its file system (a tmpfs of 1 MiB in a mount namespace
# of its own: root only, else skipped) while filler.wasm creates files:
# exit 125, the reason on stderr, the guest halted (no "done", no file
# created after the calls the message says took effect), and the trace
# opens, says incomplete and why, and holds the calls the message says.
# With --on-record-error=continue the guest finishes all its files.
record_error_run() {  # NAME FILES [RECORD OPTIONS...]
  local name=$1 n=$2 d=$TOP/record_error/$1
  shift 2
  mkdir -p "$d/out" "$d/m"
  (cd "$d" && unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs m || exit 2
    w=$1; g=$2; t=$3; n=$4; shift 4
    "$w" record -o "m/$t" "$@" --dir out "$g" "$n" >rec.out 2>rec.err
    echo $? >rc; cp "m/$t" .' sh "$WT" "$FILLER" "$name" "$n" "$@")
  [ -f "$d/rc" ] || die "could not mount a tmpfs for $name"
}

record_error_check() {  # NAME (stop mode)
  local d=$TOP/record_error/$1 kept last files lo hi
  check "$1: exit status" 125 "$(cat "$d/rc")"
  grep -q "disk full (ENOSPC) writing m/$1" "$d/rec.err" ||
    fail "$1: no disk-full message: $(cat "$d/rec.err")"
  grep -q "the guest is halted before its next call" "$d/rec.err" ||
    fail "$1: the failure is not reported as it happens"
  ! grep -q done "$d/rec.out" || fail "$1: the guest ran to its end"
  kept=$(sed -n 's/.*the trace keeps calls 1\.\.\([0-9]*\) and calls.*/\1/p' "$d/rec.err")
  last=$(sed -n 's/.*calls [0-9]*\.\.\([0-9]*\) took effect.*/\1/p' "$d/rec.err")
  [ -n "$kept" ] && [ -n "$last" ] || { fail "$1: no window in: $(cat "$d/rec.err")"; return; }
  "$WT" export -o "$d/back.db" "$d/$1" 2>"$d/export.err" ||
    { fail "$1: the trace does not open: $(cat "$d/export.err")"; return; }
  check "$1: end" incomplete "$(meta "$d/back.db" end)"
  check "$1: calls in the trace" "$kept" "$(q "$d/back.db" 'SELECT count(*) FROM calls')"
  # The reason and the count are written after the failure, when the
  # file system has room for them again (a rollback may free some): here
  # it may not, and the "incomplete" written at the start stands.
  case $(meta "$d/back.db" record_error) in
    "") [ -z "$(meta "$d/back.db" calls)" ] || fail "$1: calls without record_error" ;;
    *"disk full (ENOSPC)"*) check "$1: calls" "$kept" "$(meta "$d/back.db" calls)" ;;
    *) fail "$1: record_error: $(meta "$d/back.db" record_error)" ;;
  esac
  # Every file the trace shows opened exists; no more were made than the
  # calls that took effect could make (one path_open each).
  files=$(find "$d/out" -type f | wc -l)
  lo=$(q "$d/back.db" "SELECT count(*) FROM calls WHERE call = 'path_open' AND errno = 'SUCCESS'")
  hi=$((lo + last - kept))
  [ "$files" -ge "$lo" ] && [ "$files" -le "$hi" ] ||
    fail "$1: $files files, expected $lo..$hi (calls $kept..$last took effect)"
  [ "$files" -lt 100000 ] || fail "$1: the guest made every file"
}

case_record_error() {
  mkdir -p "$TOP/record_error/probe"
  [ "$(id -u)" = 0 ] && unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs "$1"' \
    sh "$TOP/record_error/probe" 2>/dev/null ||
    { echo "SKIP: needs root, a mount namespace and tmpfs"; exit 77; }
  [ -f "$FILLER" ] || die "no $FILLER"
  record_error_run t.db 100000
  record_error_check t.db
  record_error_run t.jsonl 100000
  record_error_check t.jsonl
  record_error_run cont.db 3000 --on-record-error=continue
  local d=$TOP/record_error/cont.db
  check "continue: exit status" 125 "$(cat "$d/rc")"
  grep -q "done 3000" "$d/rec.out" || fail "continue: the guest did not finish"
  check "continue: files" 3000 "$(find "$d/out" -type f | wc -l)"
  grep -q "the guest went on unrecorded" "$d/rec.err" ||
    fail "continue: $(cat "$d/rec.err")"
}

# ---- audit ------------------------------------------------------------------------

# The hostile guest passes bad pointers and values to every call and prints
# each errno it gets: every EFAULT and EINVAL it saw is a call in the trace,
# and those the guest ABI refused carry an `abi` denial naming the argument.
case_audit() {
  local d=$TOP/audit t
  mkdir -p "$d/sandbox"
  (cd "$d" && "$WT" record -o t.db --dir sandbox::/sandbox "$GUESTS/hostile.wasm" \
     >out 2>err </dev/null) || fail "record failed: $(cat "$d/err")"
  t=$d/t.db
  check "EFAULTs seen = recorded" "$(grep -c ': 21$' "$d/out")" \
    "$(q "$t" "SELECT count(*) FROM calls WHERE errno = 'FAULT'")"
  check "EINVALs seen = recorded" "$(grep -c ': 28$' "$d/out")" \
    "$(q "$t" "SELECT count(*) FROM calls WHERE errno = 'INVAL'")"
  [ "$(q "$t" "SELECT count(*) FROM denials WHERE source = 'abi'")" -gt 60 ] ||
    fail "too few abi denials"
  check "abi denial rules" 0 \
    "$(q "$t" "SELECT count(*) FROM denials WHERE source = 'abi' AND
               rule NOT GLOB '*: outside guest memory' AND rule NOT GLOB '*: out of range'")"
  check "abi refusals fail" 0 \
    "$(q "$t" "SELECT count(*) FROM denials d JOIN calls c USING (seq)
               WHERE d.source = 'abi' AND (c.errno NOT IN ('FAULT', 'INVAL') OR c.results IS NOT NULL)")"
  # One probe in full: args_sizes_get with argc one past the end of memory.
  check "a refusal's arguments and rule" \
    '{"argc":65536,"argv_buf_size":1024}|argc: outside guest memory' \
    "$(q "$t" "SELECT c.args, d.rule FROM calls c JOIN denials d USING (seq)
               WHERE c.call = 'args_sizes_get' AND d.source = 'abi' ORDER BY seq LIMIT 1")"
  # A refused call on an fd fills the fd column.
  [ "$(q "$t" "SELECT count(*) FROM calls c JOIN denials d USING (seq)
               WHERE d.source = 'abi' AND c.call = 'fd_write' AND c.fd IS NOT NULL")" -gt 0 ] ||
    fail "no fd on refused fd_write calls"
}

# ---- main --------------------------------------------------------------------------

[ ${#CASES[@]} -gt 0 ] || CASES=(exit_codes contents export naming refusals signals audit compile_options)
for CASE in "${CASES[@]}"; do
  declare -F "case_$CASE" >/dev/null || die "unknown case $CASE"
  "case_$CASE"
done
if [ $FAILED = 0 ]; then
  echo "PASS ${CASES[*]}"
  [ $KEEP = 1 ] || rm -rf "$TOP"
  exit 0
fi
echo "work dir kept: $TOP"
exit 1
