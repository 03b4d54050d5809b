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
die() { printf 'messages-test: %s\n' "$*" >&2; exit 2; }
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
fail() { printf 'FAIL %s: %s\n' "$CASE" "$*"; FAILED=1; }
check() {  # DESCRIPTION EXPECTED ACTUAL
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

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
