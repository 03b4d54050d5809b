#!/usr/bin/env bash
# Records one test guest of tests/guests, takes its preopened directories
# away, replays the trace and checks that the replay shows the same run:
# identical stdout, stderr and exit code. Then converts the trace to JSON
# Lines and replays that with --verify (the replay, recorded, must equal the
# original call for call).
#
#   replay-guest.sh --wasitrace EXE --src tests/guests/NAME.{c,wat}
#                   --wasm NAME.wasm --fixtures tests/guests/fixtures
#                   [--work DIR] [--keep]
#
# The guest's header (wt-args, wt-env, wt-dir, wt-tcplisten, wt-tcp-send;
# see tests/guests/README.md) and NAME.stdin are honoured as by
# tests/e2e/run-guest.sh. The replay gets no stdin, no directories and no
# client: everything comes from the trace.
#
# Exit: 0 pass, 1 fail, 2 harness error, 77 skipped (a module that cannot
# run leaves nothing to replay).
set -u

SRC= WASM= FIXTURES= WT= WORK=${TMPDIR:-/tmp} KEEP=0
RUN_LIMIT=${WT_E2E_RUN_LIMIT:-110}
die() { printf 'replay-guest: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --src) SRC=$2; shift 2 ;;
    --wasm) WASM=$2; shift 2 ;;
    --fixtures) FIXTURES=$2; shift 2 ;;
    --wasitrace) WT=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) die "unknown option $1" ;;
  esac
done
[ -f "$SRC" ] || die "--src: no guest source '$SRC'"
[ -f "$WASM" ] || die "--wasm: '$WASM' not built"
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
NAME=$(basename "${SRC%.*}")
BASE=${SRC%.*}

# ---- the header (the keys run-guest.sh knows; others are not ours) --------
ARGS=() ENVS=() DIRS=() TCPLISTEN=0 TCP_SEND=
header_re='^[[:space:]]*(\*|//|;;+|#)?[[:space:]]*wt-([a-z-]+):[[:space:]]?(.*)$'
while IFS= read -r line || [ -n "$line" ]; do
  [[ $line =~ $header_re ]] || continue
  key=${BASH_REMATCH[2]} val=${BASH_REMATCH[3]}
  val=${val%"${val##*[![:space:]]}"}
  case $key in
    args) read -r -a words <<<"$val"; ARGS+=("${words[@]}") ;;
    arg) ARGS+=("$val") ;;
    env) ENVS+=("$val") ;;
    dir) DIRS+=("$val") ;;
    tcplisten) TCPLISTEN=1 ;;
    tcp-send) TCP_SEND=$val ;;
  esac
done <"$SRC"
STDIN=/dev/null
[ -f "$BASE.stdin" ] && STDIN=$BASE.stdin

mkdir -p "$WORK" || die "cannot create $WORK"
TOP=$(mktemp -d "$WORK/replay-$NAME.XXXXXX") || die "mktemp failed"
LIMIT=()
command -v timeout >/dev/null 2>&1 && LIMIT=(timeout -k 5 "$RUN_LIMIT")

FAILED=0
fail() { printf 'FAIL %s: %s\n' "$NAME" "$*"; FAILED=1; }
finish() {
  if [ $FAILED = 0 ]; then
    printf 'PASS %s (replay)\n' "$NAME"
    [ $KEEP = 1 ] || rm -rf "$TOP"
    exit 0
  fi
  printf 'work dir kept: %s\n' "$TOP"
  exit 1
}

# The client of a socket guest, as run-guest.sh does it.
free_port() {
  local p
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}
tcp_client() {  # PORT PID
  local i=0 reply=
  while [ $i -lt 200 ]; do
    i=$((i + 1))
    if exec 3<>"/dev/tcp/127.0.0.1/$1"; then break; fi 2>/dev/null
    kill -0 "$2" 2>/dev/null || return
    sleep 0.05
  done
  printf '%s\n' "$TCP_SEND" >&3
  IFS= read -r -t 30 reply <&3
  exec 3<&- 3>&-
}

# ---- record ------------------------------------------------------------------
record() {
  local i=0 d fx guest port pid
  local -a opts
  mkdir -p "$TOP/rec"
  for d in "${DIRS[@]+"${DIRS[@]}"}"; do
    read -r fx guest <<<"$d"
    mkdir -p "$TOP/root$i"
    [ "$fx" != - ] && cp -R "$FIXTURES/$fx/." "$TOP/root$i/"
    opts+=(--dir "$TOP/root$i::$guest")
    i=$((i + 1))
  done
  for d in "${ENVS[@]+"${ENVS[@]}"}"; do opts+=(--env "$d"); done
  if [ $TCPLISTEN = 1 ]; then
    port=$(free_port) || die "no free port found"
    "${LIMIT[@]}" "$WT" record -o "$TOP/trace.db" "${opts[@]+"${opts[@]}"}" \
      --tcplisten "127.0.0.1:$port" "$WASM" -- "${ARGS[@]+"${ARGS[@]}"}" \
      <"$STDIN" >"$TOP/rec/stdout" 2>"$TOP/rec/stderr" &
    pid=$!
    [ -n "$TCP_SEND" ] && tcp_client "$port" "$pid"
    wait "$pid"
  else
    "${LIMIT[@]}" "$WT" record -o "$TOP/trace.db" "${opts[@]+"${opts[@]}"}" \
      "$WASM" -- "${ARGS[@]+"${ARGS[@]}"}" \
      <"$STDIN" >"$TOP/rec/stdout" 2>"$TOP/rec/stderr"
  fi
  echo $? >"$TOP/rec/rc"
}

# replay OUTDIR [OPTIONS...] TRACE: runs with no stdin, leaves stdout,
# stderr, rc.
replay() {
  local out=$1
  shift
  mkdir -p "$out"
  "${LIMIT[@]}" "$WT" replay "$@" </dev/null >"$out/stdout" 2>"$out/stderr"
  echo $? >"$out/rc"
}

# The sanitizer build's runtime writes its own lines (each with its pid,
# "==1234==WARNING: ..."): not the guest's, so not compared.
unsanitized() {
  grep -v '^==[0-9]*==' "$1" || true
}

same() {  # FILE LABEL
  diff -u --label "recorded $2" --label "replayed $2" \
    <(unsanitized "$TOP/rec/$1") <(unsanitized "$TOP/rp/$1") ||
    fail "$2 differs between the recording and the replay"
}

record
if [ ! -s "$TOP/trace.db" ]; then
  [ "$(cat "$TOP/rec/rc")" = 126 ] || { cat "$TOP/rec/stderr"; fail "no trace"; finish; }
  printf 'SKIP %s: the module cannot run, nothing was recorded\n' "$NAME"
  rm -rf "$TOP"
  exit 77
fi
# The replay must not need what the run used.
rm -rf "$TOP"/root*

replay "$TOP/rp" "$TOP/trace.db"
same stdout stdout
same stderr stderr
same rc "exit code"

# The same trace as JSON Lines, replayed and recorded again (--verify).
"$WT" export -o "$TOP/trace.jsonl" "$TOP/trace.db" 2>"$TOP/export.err" ||
  fail "export failed: $(cat "$TOP/export.err")"
replay "$TOP/verify" --verify -q "$TOP/trace.jsonl"
[ "$(cat "$TOP/verify/rc")" = "$(cat "$TOP/rec/rc")" ] ||
  fail "--verify replay of the JSON Lines trace: exit $(cat "$TOP/verify/rc"), recorded $(cat "$TOP/rec/rc")"
[ -s "$TOP/verify/stdout" ] && fail "--quiet replay wrote to stdout"
if [ $FAILED = 1 ]; then
  for f in rp verify; do
    [ -s "$TOP/$f/stderr" ] && { printf -- '--- %s stderr ---\n' "$f"; tail -n 40 "$TOP/$f/stderr"; }
  done
fi
finish
