#!/usr/bin/env bash
# Runs one test guest end to end and checks it against the expectations
# written next to its source (see tests/guests/README.md for the format).
#
#   run-guest.sh --mode MODE --src tests/guests/NAME.{c,wat} --wasm NAME.wasm
#                --fixtures tests/guests/fixtures [--wasitrace EXE]
#                [--node EXE] [--tier auto|fast|optimized] [--work DIR] [--keep]
#
# MODE  wasitrace  run under `wasitrace run`; compare stdout, exit code,
#                  stderr substrings, sandbox tree (if NAME.tree exists) and
#                  the TCP reply (if the guest talks to a client).
#       node       run under node:wasi (node-wasi-run.mjs); compare stdout,
#                  exit code and tree with the same expectations. Validates
#                  a guest's expectations without wasitrace.
#       diff       run under both and compare them with each other (stdout,
#                  exit code, tree): the differential test.
#
# Every run gets a fresh work dir: rootN/ (a copy of the Nth wt-dir fixture,
# preopened), outside/secret.txt (a sibling the guest must never reach,
# "../outside/secret.txt" from root0), stdout, stderr.
#
# Exit: 0 pass, 1 fail, 2 harness or header error, 77 skipped (node absent,
# or the guest is marked `wt-node: skip REASON`).
set -u

MODE=wasitrace SRC= WASM= FIXTURES= WASITRACE= NODE= WORK=${TMPDIR:-/tmp}
TIER=optimized
KEEP=0
HERE=$(cd "$(dirname "$0")" && pwd)
# Limit per engine run (seconds), under ctest's own TIMEOUT for the test.
RUN_LIMIT=${WT_E2E_RUN_LIMIT:-110}

die() { printf 'run-guest: %s\n' "$*" >&2; exit 2; }
skip() { printf 'SKIP %s: %s\n' "$NAME" "$*"; [ -n "${TOP:-}" ] && rm -rf "$TOP"; exit 77; }

while [ $# -gt 0 ]; do
  case $1 in
    --mode) MODE=$2; shift 2 ;;
    --src) SRC=$2; shift 2 ;;
    --wasm) WASM=$2; shift 2 ;;
    --fixtures) FIXTURES=$2; shift 2 ;;
    --wasitrace) WASITRACE=$2; shift 2 ;;
    --node) NODE=$2; shift 2 ;;
    --tier) TIER=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) die "unknown option $1" ;;
  esac
done
[ -n "$SRC" ] && [ -f "$SRC" ] || die "--src: no guest source '$SRC'"
NAME=$(basename "${SRC%.*}")
BASE=${SRC%.*}
[ -f "$WASM" ] || die "--wasm: '$WASM' not built (build target wt_guests)"
[ -f "$BASE.stdout" ] || die "missing expected output $BASE.stdout"

# ---- the header: `wt-KEY: VALUE` lines inside comments -----------------------
ARGS=() ENVS=() DIRS=() ERRS=() EXIT=0 NODE_SKIP= TCPLISTEN=0 TCP_SEND=
header_re='^[[:space:]]*(\*|//|;;+|#)?[[:space:]]*wt-([a-z-]+):[[:space:]]?(.*)$'
while IFS= read -r line || [ -n "$line" ]; do
  [[ $line =~ $header_re ]] || continue
  key=${BASH_REMATCH[2]} val=${BASH_REMATCH[3]}
  val=${val%"${val##*[![:space:]]}"}  # trailing blanks
  case $key in
    args) read -r -a words <<<"$val"; ARGS+=("${words[@]}") ;;
    arg) ARGS+=("$val") ;;
    env) ENVS+=("$val") ;;
    dir) DIRS+=("$val") ;;
    exit) EXIT=$val ;;
    stderr-contains) ERRS+=("$val") ;;
    node) NODE_SKIP=${val#skip}; NODE_SKIP=${NODE_SKIP# } ;;
    tcplisten) TCPLISTEN=1 ;;
    tcp-send) TCP_SEND=$val ;;
    timeout|cflags|debug-names) ;;  # read by CMake
    *) die "$SRC: unknown header key wt-$key" ;;
  esac
done <"$SRC"
[[ $EXIT =~ ^[0-9]+$ ]] || die "$SRC: wt-exit must be a number"
STDIN=/dev/null
[ -f "$BASE.stdin" ] && STDIN=$BASE.stdin

case $MODE in
  wasitrace) ;;
  node|diff)
    [ -n "$NODE_SKIP" ] && skip "marked wt-node: skip $NODE_SKIP"
    [ $TCPLISTEN = 1 ] && skip "node:wasi has no preopened sockets"
    [ -n "$NODE" ] && command -v "$NODE" >/dev/null 2>&1 || skip "node not found"
    ;;
  *) die "bad --mode $MODE" ;;
esac
if [ "$MODE" != node ]; then
  [ -n "$WASITRACE" ] && [ -x "$WASITRACE" ] || die "--wasitrace: '$WASITRACE' is not executable"
fi

mkdir -p "$WORK" || die "cannot create $WORK"
TOP=$(mktemp -d "$WORK/$NAME.XXXXXX") || die "mktemp failed"

# ---- helpers ------------------------------------------------------------------

# Lists a sandbox after the run, by guest path: dirs end in /, files show
# their size, symlinks their target.
tree() {  # HOSTDIR GUESTPATH
  (cd "$1" && find . ! -name . | LC_ALL=C sort) | while IFS= read -r p; do
    rel=${p#./} g=${2%/}/${p#./}
    if [ -L "$1/$rel" ]; then printf '%s -> %s\n' "$g" "$(readlink "$1/$rel")"
    elif [ -d "$1/$rel" ]; then printf '%s/\n' "$g"
    else printf '%s %s bytes\n' "$g" "$(wc -c <"$1/$rel" | tr -d ' ')"
    fi
  done
}

# A port nothing listens on now (bash /dev/tcp; 127.0.0.1 only).
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

# The client side of a socket guest: connect (retrying while the engine
# starts up), send one line, read one line back into $1/tcp-reply.
tcp_client() {  # OUTDIR PORT PID
  local i=0 connected=0 reply=
  while [ $i -lt 200 ]; do
    i=$((i + 1))
    if exec 3<>"/dev/tcp/127.0.0.1/$2"; then connected=1; break; fi 2>/dev/null
    kill -0 "$3" 2>/dev/null || break
    sleep 0.05
  done
  if [ $connected = 0 ]; then echo "(no connection)" >"$1/tcp-reply"; return; fi
  printf '%s\n' "$TCP_SEND" >&3
  IFS= read -r -t 30 reply <&3 || reply="(no reply)"
  exec 3<&- 3>&-
  printf '%s\n' "$reply" >"$1/tcp-reply"
}

# Runs the guest once under ENGINE in a fresh OUTDIR; leaves stdout, stderr,
# rc, tree (and tcp-reply) there.
run_engine() {  # ENGINE OUTDIR
  local engine=$1 out=$2 i=0 d fx guest port pid rc attempt
  local -a exe opts
  mkdir -p "$out/outside" && printf 'secret\n' >"$out/outside/secret.txt"
  for d in "${DIRS[@]+"${DIRS[@]}"}"; do
    read -r fx guest <<<"$d"
    [ -n "$guest" ] || die "$SRC: wt-dir needs FIXTURE GUESTPATH"
    mkdir -p "$out/root$i"
    if [ "$fx" != - ]; then
      [ -d "$FIXTURES/$fx" ] || die "no fixture dir $FIXTURES/$fx"
      cp -R "$FIXTURES/$fx/." "$out/root$i/" || die "copying fixture $fx"
    fi
    opts+=(--dir "$out/root$i::$guest")
    i=$((i + 1))
  done
  for d in "${ENVS[@]+"${ENVS[@]}"}"; do opts+=(--env "$d"); done
  case $engine in
    wasitrace) exe=("$WASITRACE" run --tier "$TIER") ;;
    node) exe=("$NODE" --no-warnings "$HERE/node-wasi-run.mjs" run) ;;
  esac
  command -v timeout >/dev/null 2>&1 && exe=(timeout -k 5 "$RUN_LIMIT" "${exe[@]}")
  for attempt in 1 2 3; do
    if [ $TCPLISTEN = 1 ]; then
      port=$(free_port) || die "no free port found"
      "${exe[@]}" "${opts[@]+"${opts[@]}"}" --tcplisten "127.0.0.1:$port" \
        "$WASM" -- "${ARGS[@]+"${ARGS[@]}"}" <"$STDIN" >"$out/stdout" 2>"$out/stderr" &
      pid=$!
      [ -n "$TCP_SEND" ] && tcp_client "$out" "$port" "$pid"
      wait "$pid"; rc=$?
      # Lost a race for the port: pick another.
      if [ $rc = 125 ] && grep -qi 'in use\|ADDRINUSE' "$out/stderr"; then continue; fi
    else
      "${exe[@]}" "${opts[@]+"${opts[@]}"}" "$WASM" -- "${ARGS[@]+"${ARGS[@]}"}" \
        <"$STDIN" >"$out/stdout" 2>"$out/stderr"
      rc=$?
    fi
    break
  done
  # node-wasi-run.mjs exits 77 when this node cannot run preview1 at all.
  if [ "$engine" = node ] && [ "$rc" = 77 ] &&
     grep -q '^node-wasi-run: .*unavailable' "$out/stderr"; then
    skip "$(cat "$out/stderr")"
  fi
  echo "$rc" >"$out/rc"
  : >"$out/tree"
  i=0
  for d in "${DIRS[@]+"${DIRS[@]}"}"; do
    read -r fx guest <<<"$d"
    tree "$out/root$i" "$guest" >>"$out/tree"
    i=$((i + 1))
  done
}

FAILED=0
fail() { printf 'FAIL %s: %s\n' "$NAME" "$*"; FAILED=1; }

show_stderr() {  # OUTDIR LABEL
  if [ -s "$1/stderr" ]; then
    printf -- '--- %s stderr (last 40 lines) ---\n' "$2"
    tail -n 40 "$1/stderr"
  fi
}

# Checks one run against the expectation files.
check_expected() {  # OUTDIR ENGINE
  local out=$1 s rc
  rc=$(cat "$out/rc")
  if ! diff -u --label "expected $NAME.stdout" --label "$2 stdout" \
       "$BASE.stdout" "$out/stdout"; then
    fail "stdout differs from $NAME.stdout (diff above)"
  fi
  [ "$rc" = "$EXIT" ] || fail "exit code $rc, expected $EXIT"
  if [ "$2" = wasitrace ]; then
    for s in "${ERRS[@]+"${ERRS[@]}"}"; do
      grep -qF -- "$s" "$out/stderr" || fail "stderr lacks '$s'"
    done
  fi
  if [ -f "$BASE.tree" ] &&
     ! diff -u --label "expected $NAME.tree" --label "$2 sandbox" "$BASE.tree" "$out/tree"; then
    fail "sandbox contents differ from $NAME.tree (diff above)"
  fi
  check_outside "$out"
  if [ -n "$TCP_SEND" ]; then
    s=$(cat "$out/tcp-reply" 2>/dev/null)
    [ "$s" = "$TCP_SEND" ] || fail "TCP client got '$s', expected '$TCP_SEND'"
  fi
  [ $FAILED = 0 ] || show_stderr "$out" "$2"
}

# The sibling outside the sandbox must be exactly as the runner left it.
check_outside() {  # OUTDIR
  local l
  l=$(cd "$1/outside" && find . ! -name . | LC_ALL=C sort | tr "\n" " ")
  [ "$l" = "./secret.txt " ] && [ "$(cat "$1/outside/secret.txt")" = secret ] ||
    fail "the directory outside the sandbox was changed: $l"
}

# Compares the wasitrace run with the node run.
check_diff() {  # WT_OUTDIR NODE_OUTDIR
  local a b
  diff -u --label "node stdout" --label "wasitrace stdout" "$2/stdout" "$1/stdout" ||
    fail "stdout differs between node:wasi and wasitrace (diff above)"
  a=$(cat "$1/rc") b=$(cat "$2/rc")
  [ "$a" = "$b" ] || fail "exit code: wasitrace $a, node:wasi $b"
  diff -u --label "node sandbox" --label "wasitrace sandbox" "$2/tree" "$1/tree" ||
    fail "sandbox contents differ between node:wasi and wasitrace (diff above)"
  check_outside "$1"
  check_outside "$2"
  if [ $FAILED = 1 ]; then show_stderr "$1" wasitrace; show_stderr "$2" node; fi
}

case $MODE in
  wasitrace) run_engine wasitrace "$TOP/wasitrace"; check_expected "$TOP/wasitrace" wasitrace ;;
  node) run_engine node "$TOP/node"; check_expected "$TOP/node" node ;;
  diff)
    run_engine wasitrace "$TOP/wasitrace"
    run_engine node "$TOP/node"
    check_diff "$TOP/wasitrace" "$TOP/node"
    ;;
esac

if [ $FAILED = 0 ]; then
  printf 'PASS %s (%s)\n' "$NAME" "$MODE"
  [ $KEEP = 1 ] || rm -rf "$TOP"
  exit 0
fi
printf 'work dir kept: %s\n' "$TOP"
exit 1
