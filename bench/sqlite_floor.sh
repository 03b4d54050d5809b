#!/usr/bin/env bash
# SQLite's own instructions per trace row, for the row the trace has and
# leaner ones: bench_sqlite_rows under callgrind, 1,000 and 101,000 rows,
# the difference per row (so the setup cancels out). Needs valgrind
# (`apt-get install valgrind`). See bench/README.md, "The writer's CPU per
# call". Usage: bench/sqlite_floor.sh [--build DIR]
set -euo pipefail
BUILD=build
if [ "${1:-}" = --build ]; then BUILD=$2; shift 2; fi
BIN=$BUILD/bench/bench_sqlite_rows
[ -x "$BIN" ] || { echo "build $BUILD first (no $BIN)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "needs valgrind: apt-get install valgrind" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

instr() { # rows, columns
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$BIN" "$1" "$TMP/t.db" "$2" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ,
}
row() { # label, columns
  local a b
  a=$(instr 1000 "$2")
  b=$(instr 101000 "$2")
  printf '%-58s %8d\n' "$1" $(((b - a) / 100000))
}

echo "SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1): instructions per row (callgrind)"
row "the trace's 19 typed columns (calls as it is)" \
  "call TEXT NOT NULL:s,errno TEXT NOT NULL:s,fd INTEGER:i,fd2 INTEGER:n,path TEXT:n,nbytes INTEGER:i,newfd INTEGER:n,start_ns INTEGER NOT NULL:t,dur_ns INTEGER NOT NULL:t,args TEXT NOT NULL:a,results TEXT:r,args_bin BLOB NOT NULL:b,results_bin BLOB NOT NULL:c,p_kind INTEGER:i,p_size INTEGER:i,p_digest TEXT:n,p_data BLOB:d,p_ref INTEGER:n"
row "the same 19 without declared types and NOT NULL" \
  "call:s,errno:s,fd:i,fd2:n,path:n,nbytes:i,newfd:n,start_ns:t,dur_ns:t,args:a,results:r,args_bin:b,results_bin:c,p_kind:i,p_size:i,p_digest:n,p_data:d,p_ref:n"
row "12 untyped columns (no fd2, path, newfd; one payload)" \
  "call:s,errno:s,fd:i,nbytes:i,start_ns:t,dur_ns:t,args:a,results:r,args_bin:b,results_bin:c,p:d"
row "8 untyped columns (one blob for args_bin and results_bin)" \
  "call:s,errno:s,start_ns:t,dur_ns:t,args:a,results:r,bin:b,p:d"
row "5 untyped columns (call, two times, one blob, the payload)" \
  "call:s,start_ns:t,dur_ns:t,bin:b,p:d"
