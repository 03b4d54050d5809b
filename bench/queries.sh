#!/usr/bin/env bash
# The trace's first questions on a 100,000+-call trace (bench/guests/files.c:
# N files written, every third read back, N/10 missing, some left open),
# with the stock sqlite3 shell: each documented query (docs/trace-format.md,
# "Example queries") is timed and its answer checked against what the guest
# says it did. Usage: bench/queries.sh [--build DIR] [N [WRITES]]
set -euo pipefail
BUILD=build
if [ "${1:-}" = --build ]; then BUILD=$2; shift 2; fi
N=${1:-1000}
WRITES=${2:-100}
WT=$BUILD/cli/wasitrace
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/d"
"$WT" record -o "$TMP/t.db" --dir "$TMP/d::/data" \
  "$BUILD/bench/guests/files.wasm" "$N" "$WRITES" >"$TMP/out" 2>/dev/null
echo "calls: $(sqlite3 "$TMP/t.db" 'SELECT count(*) FROM calls')," \
  "trace: $(stat -c %s "$TMP/t.db") bytes"
want() { sed -n "s/^$1 //p" "$TMP/out"; }
run() { # name, expected rows, sql
  local s e n
  s=$(date +%s%N)
  n=$(sqlite3 "$TMP/t.db" "$3" | wc -l)
  e=$(date +%s%N)
  printf '%-28s %6d rows %6d ms\n' "$1" "$n" $(((e - s) / 1000000))
  if [ -n "$2" ] && [ "$n" != "$2" ]; then
    echo "  expected $2 rows" >&2
    exit 1
  fi
}
run "files written" "$(want written)" \
  "SELECT path, writes, bytes_written FROM fds WHERE writes > 0 AND kind = 'REGULAR_FILE' ORDER BY path"
run "files read" "$(want read)" \
  "SELECT DISTINCT path FROM fds WHERE reads > 0 AND kind = 'REGULAR_FILE' ORDER BY path"
run "failed calls and why" "" \
  "SELECT c.seq, c.call, c.errno, c.path, d.source, d.reason FROM calls c LEFT JOIN denials d USING (seq) WHERE c.errno <> 'SUCCESS' ORDER BY c.seq"
run "opened, never closed" "$(want left_open)" \
  "SELECT fd, path, kind, opened_seq FROM fds WHERE closed_seq IS NULL AND opened_seq IS NOT NULL AND kind = 'REGULAR_FILE'"
run "writes to one file" "$WRITES" \
  "SELECT seq, call, nbytes FROM file_calls WHERE file = '/data/f00000.txt' AND call = 'fd_write' ORDER BY seq"
