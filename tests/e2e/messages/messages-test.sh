#!/usr/bin/env bash
# End-to-end tests of wasitrace's messages; the cases are listed in
# CMakeLists.txt. Every check names the exact line on stderr and the exit
# status.
#
#   messages-test.sh --wasitrace EXE --guests DIR --hello HELLO.wasm
#                    [--wat2wasm EXE] [--work DIR] CASE...
#
# Exit: 0 pass, 1 fail, 2 harness error, 77 skipped.
set -u

WT= GUESTS= HELLO= WAT2WASM= WORK=${TMPDIR:-/tmp} CASES=()
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" messages-test
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --guests) GUESTS=$2; shift 2 ;;
    --hello) HELLO=$2; shift 2 ;;
    --wat2wasm) WAT2WASM=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) CASES+=("$1"); shift ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
[ -f "$HELLO" ] || die "--hello: no $HELLO (build target examples)"
[ -d "$GUESTS" ] || die "--guests: no $GUESTS"
WT=$(cd "$(dirname "$WT")" && pwd)/$(basename "$WT")
GUESTS=$(cd "$GUESTS" && pwd)
mkdir -p "$WORK" || die "cannot create $WORK"
TOP=$(mktemp -d "$WORK/messages.XXXXXX") || die "mktemp failed"
cp "$HELLO" "$TOP/hello.wasm" || die "cannot copy $HELLO"
SKIPPED=0

FAILED=0

# says STATUS LINE COMMAND...: in $TOP, COMMAND exits STATUS and LINE is a
# whole line of its stderr.
says() {
  local want=$1 line=$2 rc
  shift 2
  (cd "$TOP" && "$@" >"$TOP/out" 2>"$TOP/err" </dev/null)
  rc=$?
  check "status of '$*'" "$want" "$rc"
  grep -qxF -- "$line" "$TOP/err" ||
    fail "'$*': stderr lacks the line '$line': $(cat "$TOP/err")"
}

# ---- options ---------------------------------------------------------------

case_options() {
  says 125 "wasitrace: option --dir needs HOST[::GUEST]" "$WT" run --dir
  says 125 "wasitrace: option --dir needs HOST[::GUEST]" "$WT" record --dir
  says 125 "wasitrace: option --env needs NAME=VALUE" "$WT" run --env
  says 125 "wasitrace: option --tcplisten needs HOST:PORT" "$WT" run --tcplisten
  says 125 "wasitrace: option --tier needs auto|fast|optimized" "$WT" run --tier
  says 125 "wasitrace: option -O needs LEVEL" "$WT" run -O
  says 125 "wasitrace: option --opt-level needs LEVEL" "$WT" run --opt-level
  says 125 "wasitrace: option --max-call-depth needs N" "$WT" record --max-call-depth
  says 125 "wasitrace: option -o needs TRACE" "$WT" record -o
  says 125 "wasitrace: option --output needs TRACE" "$WT" record --output
  says 125 "wasitrace: option --format needs FORMAT" "$WT" record --format
  says 125 "wasitrace: option -s needs N" "$WT" record -s
  says 125 "wasitrace: option --history needs N" "$WT" replay --history
  says 125 "wasitrace: option --on-divergence needs MODE" "$WT" replay --on-divergence
  says 125 "wasitrace: option -o needs OUT" "$WT" export -o
  says 125 "wasitrace: option --path needs GLOB" "$WT" view --path
  says 125 "wasitrace: option --sort needs KEY" "$WT" stats --sort
  says 125 "wasitrace: option -j needs N" "$WT" compile -j
  says 125 "wasitrace: option --compile-timeout needs SECONDS" "$WT" compile --compile-timeout
  # A prefix of a long option is named in full.
  says 125 "wasitrace: option --dir needs HOST[::GUEST]" "$WT" run --di
  says 125 "wasitrace: option --force takes no value" "$WT" export --force=yes t.db
  says 125 "wasitrace: unknown option '--bogus' (see 'wasitrace run --help')" \
    "$WT" run --bogus hello.wasm
  says 125 "wasitrace: unknown option '-Z' (see 'wasitrace record --help')" \
    "$WT" record -Z hello.wasm
}

# ---- inputs ----------------------------------------------------------------

case_inputs() {
  local expects="wasitrace: replay expects TRACE, a trace file (.db or .jsonl) written by 'wasitrace record -o TRACE MODULE.wasm'"
  mkdir -p "$TOP/folder"
  says 125 "wasitrace: cannot replay: nope.db does not exist" "$WT" replay nope.db
  says 125 "$expects" "$WT" replay nope.db
  says 125 "wasitrace: cannot replay: folder is a directory, not a trace file" \
    "$WT" replay folder
  says 125 "$expects" "$WT" replay folder
  says 125 "wasitrace: cannot replay: hello.wasm is a WebAssembly module, not a trace (record one with 'wasitrace record -o TRACE hello.wasm')" \
    "$WT" replay hello.wasm
  says 125 "wasitrace: nope.db does not exist" "$WT" view nope.db
  says 125 "wasitrace: cannot create missing/dir/t.db: the folder missing/dir does not exist" \
    "$WT" record -o missing/dir/t.db hello.wasm
  says 125 "wasitrace: cannot create hello.wasm/t.db: hello.wasm is not a folder" \
    "$WT" record -o hello.wasm/t.db hello.wasm
  [ ! -e "$TOP/missing" ] || fail "record created missing/"
  (cd "$TOP" && "$WT" record -o ok.db hello.wasm >/dev/null 2>&1) ||
    fail "record ok.db"
  says 125 "wasitrace: cannot create missing/t.jsonl: the folder missing does not exist" \
    "$WT" export -o missing/t.jsonl ok.db
  # export without -o never replaces a file, even a trace: -o or --force.
  (cd "$TOP" && "$WT" export ok.db >/dev/null 2>&1) || fail "export ok.db"
  cp "$TOP/ok.jsonl" "$TOP/first.jsonl"
  (cd "$TOP" && "$WT" record -o ok.db hello.wasm again >/dev/null 2>&1) ||
    fail "record ok.db again"
  says 125 "wasitrace: ok.jsonl exists; export replaces only a file named with -o (-o ok.jsonl), or any with --force" \
    "$WT" export ok.db
  cmp -s "$TOP/ok.jsonl" "$TOP/first.jsonl" || fail "export replaced ok.jsonl"
  says 0 "wasitrace: wrote ok.jsonl" "$WT" export --force ok.db
  cmp -s "$TOP/ok.jsonl" "$TOP/first.jsonl" && fail "--force did not replace ok.jsonl"
  (cd "$TOP" && "$WT" export -o ok.jsonl ok.db >/dev/null 2>&1)
  check "export -o of an existing trace" 0 $?
  # Nor do the html and perfetto exports, even over an export of ours.
  local fmt name
  for fmt in html perfetto; do
    name=ok.html
    [ $fmt = perfetto ] && name=ok.perfetto.json
    printf 'mine\n' >"$TOP/$name"
    says 125 "wasitrace: $name exists; export replaces only a file named with -o (-o $name), or any with --force" \
      "$WT" export --format $fmt ok.db
    check "export --format $fmt kept $name" mine "$(cat "$TOP/$name")"
    rm -f "$TOP/$name"
    says 0 "wasitrace: wrote $name" "$WT" export --format $fmt ok.db
    cp "$TOP/$name" "$TOP/first.out"
    says 125 "wasitrace: $name exists; export replaces only a file named with -o (-o $name), or any with --force" \
      "$WT" export --format $fmt ok.db
    cmp -s "$TOP/$name" "$TOP/first.out" || fail "export --format $fmt replaced its own $name"
    says 0 "wasitrace: wrote $name" "$WT" export --format $fmt --force ok.db
    (cd "$TOP" && "$WT" export --format $fmt -o "$name" ok.db >/dev/null 2>&1)
    check "export --format $fmt -o of an existing export" 0 $?
  done
}

# ---- features --------------------------------------------------------------

# wat FILE FLAGS TEXT: FILE.wasm from TEXT with wat2wasm FLAGS.
wat() {
  printf '%s\n' "$3" >"$TOP/$1.wat"
  "$WAT2WASM" $2 "$TOP/$1.wat" -o "$TOP/$1.wasm" || fail "wat2wasm $1"
}

case_features() {
  local mem='(memory (export "memory") 1)' start='(func (export "_start")'
  local tail='the module uses the tail-call proposal'
  [ -x "$WAT2WASM" ] || { echo "SKIP: no wat2wasm"; SKIPPED=1; return; }
  wat tail --enable-tail-call "(module (func \$g) $start (return_call \$g)) $mem)"
  says 126 "wasitrace: cannot run tail.wasm: $tail (return_call at offset 0x35), which this runtime does not support" \
    "$WT" run tail.wasm
  says 126 "wasitrace: cannot run tail.wasm: $tail (return_call at offset 0x35), which this runtime does not support" \
    "$WT" record -o tail.db tail.wasm
  [ ! -e "$TOP/tail.db" ] || fail "a trace was left for a module that cannot run"
  wat tailind --enable-tail-call "(module (type \$t (func)) (table 1 funcref) $start (return_call_indirect (type \$t) (i32.const 0))) $mem)"
  says 126 "wasitrace: cannot run tailind.wasm: $tail (return_call_indirect at offset 0x39), which this runtime does not support" \
    "$WT" run tailind.wasm
  wat simd "" "(module $start (drop (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))) $mem)"
  says 126 "wasitrace: cannot run simd.wasm: the module uses the fixed-width SIMD proposal (a v128 instruction at offset 0x31), which this runtime does not support" \
    "$WT" run simd.wasm
  wat atomics --enable-threads "(module (memory (export \"memory\") 1 1 shared) $start (drop (i32.atomic.load (i32.const 0)))))"
  says 126 "wasitrace: cannot run atomics.wasm: the module uses the threads proposal (a shared memory at offset 0x16), which this runtime does not support" \
    "$WT" run atomics.wasm
  wat exceptions --enable-exceptions "(module (tag \$e) $start (try (do (throw \$e)) (catch_all))) $mem)"
  says 126 "wasitrace: cannot run exceptions.wasm: the module uses the exception-handling proposal (a tag section at offset 0x19), which this runtime does not support" \
    "$WT" run exceptions.wasm
  # The offsets are the opcodes' (as wasm-objdump -d shows them); opcode
  # bytes inside immediates are not taken for opcodes.
  wat immediates "" "(module (global (mut i32) (i32.const 0x13)) $start (drop (i32.const 253)) (drop (i64.const 0x12121213fefe)) (drop (f64.const 0x1.fdfefe12p+1)) (br_table 0 0 (i32.const 0x12))) $mem)"
  (cd "$TOP" && "$WT" run immediates.wasm >/dev/null 2>"$TOP/err")
  check "immediates: status" 0 $?
  check "immediates: stderr" "" "$(cat "$TOP/err")"
}

# ---- backtrace ---------------------------------------------------------------

# A trap's wasm backtrace at both tiers and in both memory modes (the
# optimised tier at -O0: gcc -O2 inlines small functions into their
# callers, whose frames then show them), in the trace, and through replay.
case_backtrace() {
  local t b bt='{"frames":[{"func":1,"name":"inner"},{"func":2,"name":"func[2]"},{"func":3,"name":"middle"},{"func":4,"name":"outer"},{"func":5,"name":"_start"}],"more":false}'
  cp "$GUESTS/trap_nested.wasm" "$TOP/nested.wasm" || fail "no trap_nested.wasm"
  printf '%s\n' "wasitrace: guest trapped: unreachable instruction executed in function 'inner'" \
    'wasm backtrace:' '     0: inner' '     1: func[2]' '     2: middle' \
    '     3: outer' '     4: _start' >"$TOP/want"
  for t in "--tier fast" "--tier optimized -O 0"; do
    for b in "" --bounds-checks; do
      (cd "$TOP" && "$WT" run $t $b nested.wasm >/dev/null 2>"$TOP/err")
      check "run $t $b: status" 134 $?
      diff -u "$TOP/want" "$TOP/err" || fail "run $t $b: the backtrace differs"
    done
  done
  (cd "$TOP" && "$WT" record --tier fast -o nested.jsonl nested.wasm >/dev/null 2>&1)
  check "record nested.jsonl: status" 134 $?
  check "trace_backtrace in JSON Lines" \
    "{\"type\":\"meta\",\"key\":\"trap_backtrace\",\"vtype\":\"json\",\"value\":$bt}" \
    "$(grep '"trap_backtrace"' "$TOP/nested.jsonl")"
  (cd "$TOP" && "$WT" record --tier fast -o nested.db nested.wasm >/dev/null 2>&1)
  check "record nested.db: status" 134 $?
  (cd "$TOP" && "$WT" export -o back.jsonl nested.db >/dev/null 2>&1)
  check "trace_backtrace in SQLite" \
    "{\"type\":\"meta\",\"key\":\"trap_backtrace\",\"vtype\":\"json\",\"value\":$bt}" \
    "$(grep '"trap_backtrace"' "$TOP/back.jsonl")"
  # Replay compares how the run ended, and ends the same way.
  (cd "$TOP" && "$WT" replay --tier fast nested.db >/dev/null 2>"$TOP/err")
  check "replay nested.db: status" 134 $?
  grep -qxF '     4: _start' "$TOP/err" || fail "replay: no backtrace: $(cat "$TOP/err")"
}

# ---- wat -----------------------------------------------------------------------

# A module given as WebAssembly text: run, record (the binary embedded),
# replay with the text gone; text wat2wasm refuses, and no wat2wasm at all.
case_wat() {
  [ -x "$WAT2WASM" ] || { echo "SKIP: no wat2wasm"; SKIPPED=1; return; }
  printf '%s\n' '(module' \
    '  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))' \
    '  (memory (export "memory") 1)' \
    '  (func (export "_start") (call $exit (i32.const 7))))' >"$TOP/seven.wat"
  (cd "$TOP" && "$WT" run seven.wat >/dev/null 2>"$TOP/err")
  check "run seven.wat: status" 7 $?
  check "run seven.wat: stderr" "" "$(cat "$TOP/err")"
  (cd "$TOP" && "$WT" record -o seven.db seven.wat >/dev/null 2>&1)
  check "record seven.wat: status" 7 $?
  mv "$TOP/seven.wat" "$TOP/seven.text"
  (cd "$TOP" && "$WT" replay seven.db >/dev/null 2>"$TOP/err")
  check "replay without the text: status" 7 $?
  check "replay without the text: stderr" "" "$(cat "$TOP/err")"
  # Text is known by its contents too, whatever its name.
  (cd "$TOP" && "$WT" run seven.text >/dev/null 2>&1)
  check "run seven.text: status" 7 $?
  printf '(module (func (export "_start") (bogus)))\n' >"$TOP/bad.wat"
  says 126 "wasitrace: cannot run bad.wat: wat2wasm could not translate it:" \
    "$WT" run bad.wat
  grep -q '^bad.wat:1:.*unexpected token "bogus"' "$TOP/err" ||
    fail "bad.wat: wat2wasm's own error is not shown: $(cat "$TOP/err")"
  says 126 "wasitrace: cannot run bad.wat: wat2wasm could not translate it:" \
    "$WT" record -o bad.db bad.wat
  [ ! -e "$TOP/bad.db" ] || fail "a trace was left for text that does not translate"
  says 126 "wasitrace: cannot run seven.text: it is WebAssembly text, and translating it needs wabt's wat2wasm, which is not installed (Debian: apt install wabt)" \
    env PATH=/nonexistent "$WT" run seven.text
}

# ---- live ------------------------------------------------------------------------

# waitfor FILE: until FILE exists and is not empty (at most 20 s).
waitfor() {
  local i
  for i in $(seq 400); do
    [ -s "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

# A trace still being recorded: the stdio guest blocks reading a FIFO that
# this shell holds open, so the recording stays live (and small) until it
# is stopped with SIGINT; then the trace opens.
case_live() {
  local fmt pid
  cp "$GUESTS/stdio.wasm" "$TOP/stdio.wasm" || fail "no stdio.wasm"
  for fmt in db jsonl; do
    rm -f "$TOP/fifo" && mkfifo "$TOP/fifo" || fail "mkfifo"
    exec 3<>"$TOP/fifo"
    (cd "$TOP" && exec "$WT" record -o live.$fmt stdio.wasm <fifo >/dev/null 2>&1) &
    pid=$!
    waitfor "$TOP/live.$fmt" || fail "$fmt: the recording did not start"
    if [ $fmt = db ]; then
      says 125 "wasitrace: live.db: being recorded by process $pid; record to JSON Lines to follow a run live" \
        "$WT" view live.db
      says 125 "wasitrace: cannot replay: live.db: being recorded by process $pid; record to JSON Lines to follow a run live" \
        "$WT" replay live.db
      says 125 "wasitrace: live.db: being recorded by process $pid; record to JSON Lines to follow a run live" \
        "$WT" export -o live-copy.jsonl live.db
    else
      says 0 "wasitrace: live.jsonl is still being recorded by process $pid: the view shows the calls so far (--follow follows it)" \
        "$WT" view live.jsonl
      says 125 "wasitrace: live.jsonl is still being recorded by process $pid: replay it once the recording has ended" \
        "$WT" replay live.jsonl
      says 0 "wasitrace: live.jsonl is still being recorded by process $pid: exporting the calls so far" \
        "$WT" export -o live-copy.db live.jsonl
    fi
    kill -INT $pid
    wait $pid
    exec 3>&-
    # Stopped: the trace opens, and says it is incomplete.
    says 0 "wasitrace: warning: live.$fmt is incomplete (the recorder stopped before the guest ended)" \
      "$WT" view live.$fmt
  done
}

# ---- escapes -------------------------------------------------------------------

# A path outside every preopen: the guest gets ENOTCAPABLE as always; with
# -v the user is told which path and that --dir is the fix, once per path,
# also under record (whose tracer still records the refusals) and a policy.
case_escapes() {
  local open='(call $open (i32.const 3) (i32.const 0) (i32.const OFF) (i32.const LEN) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 200))'
  local body="" n
  [ -x "$WAT2WASM" ] || { echo "SKIP: no wat2wasm"; SKIPPED=1; return; }
  # Opens ../secret.txt twice, /etc/passwd once; exits with the number of
  # refusals that were ENOTCAPABLE (76).
  for at in 0:13 0:13 16:11; do
    body="$body (if (i32.eq ${open//OFF/${at%:*}} (i32.const 76)) (then (global.set \$n (i32.add (global.get \$n) (i32.const 1)))))"
    body=${body//LEN/${at#*:}}
  done
  wat escape "" "(module
  (import \"wasi_snapshot_preview1\" \"path_open\" (func \$open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func \$exit (param i32)))
  (memory (export \"memory\") 1)
  (global \$n (mut i32) (i32.const 0))
  (data (i32.const 0) \"../secret.txt\")
  (data (i32.const 16) \"/etc/passwd\")
  (func (export \"_start\") $body (call \$exit (global.get \$n))))"
  mkdir -p "$TOP/box"
  local dotdot="wasitrace: the guest's path '../secret.txt' is outside every preopened directory ('..' above the preopen): it got ENOTCAPABLE; --dir HOST[::GUEST] gives it access"
  local abs="wasitrace: the guest's path '/etc/passwd' is outside every preopened directory (absolute path): it got ENOTCAPABLE; --dir HOST[::GUEST] gives it access"
  (cd "$TOP" && "$WT" run --dir box escape.wasm >/dev/null 2>"$TOP/err")
  check "run: status (refusals)" 3 $?
  check "run without -v: stderr" "" "$(cat "$TOP/err")"
  for cmd in "run" "record -o escape.jsonl --force" "run --deny-call fd_write"; do
    says 3 "$dotdot" "$WT" $cmd -v --dir box escape.wasm
    grep -qxF "$abs" "$TOP/err" || fail "$cmd -v: no line for /etc/passwd: $(cat "$TOP/err")"
    n=$(grep -c "outside every preopened directory" "$TOP/err")
    check "$cmd -v: one line per distinct path" 2 "$n"
  done
  # The tracer still heard the refusals it records.
  n=$(grep -c '"reason":"dotdot"\|"sandbox_reason":"dotdot"\|dotdot' "$TOP/escape.jsonl")
  [ "$n" -ge 2 ] || fail "record -v: the trace lacks the refusals ($n)"
}

# ---- replay_help -------------------------------------------------------------

case_replay_help() {
  local n
  (cd "$TOP" && "$WT" replay --help >"$TOP/out" 2>&1)
  check "replay --help status" 0 $?
  n=$(grep -c '126 when the module cannot run\|^ *126  *the module cannot run' "$TOP/out")
  check "exit codes printed once" 1 "$n"
}

# ---- main ----------------------------------------------------------------------

[ ${#CASES[@]} -gt 0 ] || die "no case given"
for CASE in "${CASES[@]}"; do
  type "case_$CASE" >/dev/null 2>&1 || die "unknown case $CASE"
  "case_$CASE"
done
if [ $FAILED = 0 ]; then
  rm -rf "$TOP"
  [ $SKIPPED = 1 ] && exit 77
fi
exit $FAILED
