#!/usr/bin/env bash
# End-to-end tests of `wasitrace export --format perfetto|html` (cases in
# CMakeLists.txt):
#
#   html-test.sh --wasitrace EXE --guests DIR --work DIR --artifacts DIR CASE
#
#   report    the HTML report of a known trace (wasix_eventfd) in headless
#             Chromium (report-test.mjs, playwright-core installed with
#             `npm ci` into ARTIFACTS/node): no console error, no network
#             request, the rows `view` prints, a filter, a click, the
#             detail pane; screenshot kept as ARTIFACTS/report.png.
#             Skipped (77) only where chromium, node or the package cannot
#             be found or installed.
#   perfetto  Perfetto exports of real traces (eventfd, epoll, signal
#             handlers) checked by check-perfetto.py: parses, fields on
#             every event, one X per call, nesting, counters in order.
#   damaged   truncated, tampered, foreign and missing traces: exit 125 and
#             a message, no output file left; a trace cut mid-line by a
#             killed recorder exports what it holds, with a warning.
# Exit: 0 pass, 1 fail, 2 harness error, 77 skipped.
set -u
WT= GUESTS= WORK=${TMPDIR:-/tmp} ART= CASE=
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" html-test
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --guests) GUESTS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --artifacts) ART=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) CASE=$1; shift ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
[ -d "$GUESTS" ] || die "--guests: no $GUESTS"
[ -n "$ART" ] || die "--artifacts missing"
mkdir -p "$WORK" "$ART" || die "cannot create $WORK or $ART"
TOP=$(mktemp -d "$WORK/html.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TOP"' EXIT
FAILED=0

# record GUEST: its trace in $TOP/GUEST.db and .jsonl.
record() {
  local g=$1 sb="$TOP/sb-$1"
  mkdir -p "$sb"
  # Some guests end by a signal or a nonzero exit: the trace is what counts.
  ( cd "$TOP" && "$WT" record -o "$g.db" --dir "$sb::/sandbox" "$GUESTS/$g.wasm" \
      >"$TOP/$g.stdout" 2>"$TOP/$g.stderr" )
  [ -s "$TOP/$g.db" ] || { fail "record $g: $(cat "$TOP/$g.stderr")"; return 1; }
  "$WT" export -o "$TOP/$g.jsonl" "$TOP/$g.db" 2>/dev/null || fail "export $g to JSON Lines"
}

case_report() {
  local chromium=${WT_CHROMIUM:-} node nm="$ART/node"
  [ -n "$chromium" ] || chromium=$(command -v chromium || command -v chromium-browser || true)
  node=$(command -v node || command -v nodejs || true)
  [ -n "$chromium" ] || { echo "SKIP: no chromium"; exit 77; }
  [ -n "$node" ] || { echo "SKIP: no node"; exit 77; }
  mkdir -p "$nm"
  if ! cmp -s "$HERE/package-lock.json" "$nm/package-lock.json" ||
     [ ! -d "$nm/node_modules/playwright-core" ]; then
    cp "$HERE/package.json" "$HERE/package-lock.json" "$nm/" || die "copy package.json"
    ( cd "$nm" && npm ci --no-audit --no-fund --ignore-scripts >"$TOP/npm.log" 2>&1 ) ||
      { cat "$TOP/npm.log"; echo "SKIP: playwright-core cannot be installed"; exit 77; }
  fi
  # ESM resolves packages from the script's own directory.
  cp "$HERE/report-test.mjs" "$nm/" || die "copy report-test.mjs"
  record wasix_eventfd || return
  local t="$TOP/wasix_eventfd.db"
  "$WT" export --format html -o "$TOP/report.html" "$t" 2>"$TOP/e" || { fail "export: $(cat "$TOP/e")"; return; }
  # What the table must show, from `view --json` (an independent path).
  "$WT" view --json "$t" >"$TOP/view.jsonl" || { fail "view --json"; return; }
  local total first filtered failed
  total=$(wc -l <"$TOP/view.jsonl")
  first=$(head -1 "$TOP/view.jsonl" | sed -E 's/^\{"seq":([0-9]+),"call":"([a-z_]+)".*/{"seq":\1,"call":"\2"}/')
  filtered=$(grep -c '"call":"fd_write"' "$TOP/view.jsonl")
  failed=$(grep -vc '"errno":"SUCCESS"' "$TOP/view.jsonl")
  printf '{"total":%d,"first":%s,"module":"wasix_eventfd.wasm","filter":"fd_write","filtered":%d,"failed":%d,"payload":true}\n' \
    "$total" "$first" "$filtered" "$failed" >"$TOP/expect.json"
  [ "$total" -gt 20 ] && [ "$filtered" -gt 1 ] && [ "$failed" -gt 0 ] || { fail "unexpected trace: $(cat "$TOP/expect.json")"; return; }
  "$node" "$nm/report-test.mjs" --chromium "$chromium" --report "$TOP/report.html" \
    --expect "$TOP/expect.json" --screenshot "$ART/report.png" || fail "the report in chromium"
  [ -s "$ART/report.png" ] || fail "no screenshot"
  cp "$TOP/report.html" "$ART/report.html"
}

case_perfetto() {
  local py g
  py=$(command -v python3 || true)
  [ -n "$py" ] || { echo "SKIP: no python3"; exit 77; }
  for g in wasix_eventfd wasix_edge_level wasix_raise_handler wasix_signal_wait files; do
    record "$g" || continue
    for ext in db jsonl; do
      "$WT" export --format perfetto -o "$TOP/$g.$ext.json" "$TOP/$g.$ext" 2>"$TOP/e" ||
        { fail "export $g.$ext: $(cat "$TOP/e")"; continue; }
      "$py" "$HERE/check-perfetto.py" "$TOP/$g.$ext.json" "$("$WT" view "$TOP/$g.$ext" | wc -l)" ||
        fail "$g.$ext: the Perfetto JSON is malformed"
    done
  done
  # -o X.json implies the format; the default name is TRACE.perfetto.json.
  "$WT" export -o "$TOP/implied.json" "$TOP/files.db" 2>/dev/null && head -c 18 "$TOP/implied.json" | grep -q displayTimeUnit ||
    fail "-o X.json did not write Perfetto JSON"
  "$WT" export --format perfetto "$TOP/files.db" 2>"$TOP/e" && [ -s "$TOP/files.perfetto.json" ] ||
    fail "default output: $(cat "$TOP/e")"
}

# expect_refused NAME TRACE FORMAT: exit 125, a message, no output left.
expect_refused() {
  local name=$1 t=$2 fmt=$3 out="$TOP/out-$1.$3" rc
  "$WT" export --format "$fmt" -o "$out" "$t" >/dev/null 2>"$TOP/e"; rc=$?
  [ $rc = 125 ] || fail "$name ($fmt): exit $rc, want 125"
  [ -s "$TOP/e" ] || fail "$name ($fmt): no message"
  grep -qi "sanitizer\|Segmentation\|core dumped" "$TOP/e" && fail "$name ($fmt): $(cat "$TOP/e")"
  ls "$TOP" | grep -q "out-$name.$fmt" && fail "$name ($fmt): output left behind: $(ls "$TOP" | grep "out-$name")"
  printf '%s (%s): %s\n' "$name" "$fmt" "$(head -1 "$TOP/e")"
}

case_damaged() {
  local fmt n
  record wasix_eventfd || return
  local db="$TOP/wasix_eventfd.db" jl="$TOP/wasix_eventfd.jsonl"
  n=$(wc -l <"$jl")
  # A line in the middle cut short, the SQLite file cut in half, a row
  # with binary arguments that do not fit its call, foreign bytes, nothing.
  { head -n $((n / 2)) "$jl"; head -n $((n / 2 + 1)) "$jl" | tail -1 | cut -c1-40; tail -n +$((n / 2 + 2)) "$jl"; } >"$TOP/cut.jsonl"
  head -c $(( $(stat -c %s "$db") / 2 )) "$db" >"$TOP/half.db"
  cp "$db" "$TOP/tampered.db"
  sqlite3 "$TOP/tampered.db" "UPDATE calls SET args_bin = x'01' WHERE seq = 3" 2>/dev/null ||
    echo "(no sqlite3: tampered.db left intact)"
  head -c 4096 /dev/urandom >"$TOP/foreign.db"
  : >"$TOP/empty.jsonl"
  for fmt in perfetto html; do
    expect_refused cut "$TOP/cut.jsonl" $fmt
    expect_refused half "$TOP/half.db" $fmt
    command -v sqlite3 >/dev/null && expect_refused tampered "$TOP/tampered.db" $fmt
    expect_refused foreign "$TOP/foreign.db" $fmt
    expect_refused empty "$TOP/empty.jsonl" $fmt
    expect_refused missing "$TOP/missing.db" $fmt
    # A recorder killed mid-line: what it holds, with a warning, exit 0.
    head -c $(( $(stat -c %s "$jl") - 30 )) "$jl" >"$TOP/killed.jsonl"
    "$WT" export --format $fmt -o "$TOP/killed.$fmt" "$TOP/killed.jsonl" 2>"$TOP/e" ||
      fail "killed.jsonl ($fmt): $(cat "$TOP/e")"
    grep -q "cut short" "$TOP/e" || fail "killed.jsonl ($fmt): no warning"
  done
  # No progress bar when stderr is not a terminal.
  "$WT" export --format html -o "$TOP/quiet.html" "$db" 2>"$TOP/e" || fail "export to quiet.html"
  [ -s "$TOP/e" ] && fail "stderr not empty off a terminal: $(cat "$TOP/e")"
}

case "$CASE" in
  report|perfetto|damaged) "case_$CASE" ;;
  *) die "unknown case '$CASE'" ;;
esac
exit $FAILED
