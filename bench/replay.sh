#!/usr/bin/env bash
# The replay benchmark: for the three bench guests, the untraced run
# (`wasitrace run`), the recording (`wasitrace record`, SQLite and JSON
# Lines) and the replay of each trace (`wasitrace replay`), wall-clock time
# of the whole wasitrace process. See bench/README.md.
#
#   bench/replay.sh [--build DIR] [--runs N] [--smoke] [--keep] [--only LIST]
#
#   --build DIR  the build tree (default: ./build)
#   --runs N     runs of each configuration; the table shows medians
#                (default 3)
#   --smoke      tiny sizes, one run: checks that the harness works
#   --keep       keep the temporary directory (traces, input file)
#   --only LIST  only these guests (default "syscalls copy compute")
#
# Sizes (environment), as bench/run.sh: WT_BENCH_WRITES (1000000),
# WT_BENCH_COPY_MIB (64), WT_BENCH_ROUNDS (100). The replay re-emits the
# guest's stdout as the run does (to /dev/null here). The input directory
# of the copy guest is removed before the replays: they do not need it.
set -u

HELP_LINES=2,20 TMP_PREFIX=wt-bench-replay
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
bench_setup "$@"

# One timed wasitrace command; appends its ns to FILE.
timed() {  # FILE CMD...
  local out=$1 t0 t1 rc
  shift
  sync
  t0=$(now_ns)
  "$@" >/dev/null 2>"$TMP/stderr" </dev/null
  rc=$?
  t1=$(now_ns)
  [ $rc = 0 ] || { cat "$TMP/stderr" >&2; die "'$*' failed with status $rc"; }
  echo $((t1 - t0)) >>"$out"
}

median() {  # FILE
  sort -n "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

CONFIGS="run record-sqlite record-jsonl replay-sqlite replay-jsonl"
# Every timed command starts from the same state: no copy output to
# truncate, no earlier trace to replace (either costs tens of ms).
fresh() {  # GUEST
  rm -f "$TMP/data/dst" "$TMP/$1.db" "$TMP/$1.jsonl"
  sync
}
one_round() {  # GUEST
  local g=$1
  [ "$g" = copy ] && new_input
  fresh "$g"
  # shellcheck disable=SC2046  # guest_args is split on purpose
  timed "$TMP/$g.run" "$WT" run $(guest_args "$g")
  fresh "$g"
  # shellcheck disable=SC2046
  timed "$TMP/$g.record-sqlite" "$WT" record -o "$TMP/$g.db" $(guest_args "$g")
  rm -f "$TMP/data/dst"
  # shellcheck disable=SC2046
  timed "$TMP/$g.record-jsonl" "$WT" record -o "$TMP/$g.jsonl" $(guest_args "$g")
  [ "$g" = copy ] && rm -rf "$TMP/data"
  timed "$TMP/$g.replay-sqlite" "$WT" replay "$TMP/$g.db"
  timed "$TMP/$g.replay-jsonl" "$WT" replay "$TMP/$g.jsonl"
}

# Warm the compile cache: the first run of each guest compiles it.
new_input
for g in $ONLY; do
  # shellcheck disable=SC2046
  "$WT" run $(guest_args $g) >/dev/null 2>&1 </dev/null || die "warm-up of $g failed"
done

for g in $ONLY; do
  for cfg in $CONFIGS; do : >"$TMP/$g.$cfg"; done
  for ((r = 1; r <= RUNS; r++)); do one_round "$g"; done
  calls=$(sqlite3 "$TMP/$g.db" "SELECT value FROM meta WHERE key = 'calls'" 2>/dev/null || echo -)
  echo "$calls" >"$TMP/$g.calls"
done

W16=$(write16_ns)
printf '\n%s\n' "wasitrace replay vs record vs run: medians of $RUNS run(s); $(nproc) CPUs; $(date -u +%Y-%m-%d); load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '16-byte write to /dev/null on this machine: %s ns (bench/guests/syscalls.c built natively, median)\n' "$W16"
printf 'syscalls: %s fd_writes of 16 bytes; copy: %s MiB in 4 KiB reads+writes; compute: %s rounds\n\n' \
  "$WRITES" "$COPY_MIB" "$ROUNDS"
fmt='%-9s %-14s %10s %9s %11s %12s %9s\n'
printf "$fmt" guest config "total ms" "x run" "x record" "ns/call" calls
for g in $ONLY; do
  base=$(median "$TMP/$g.run")
  calls=$(cat "$TMP/$g.calls")
  for cfg in $CONFIGS; do
    t=$(median "$TMP/$g.$cfg")
    case $cfg in
      replay-*) rec=$(median "$TMP/$g.record-${cfg#replay-}") ;;
      *) rec= ;;
    esac
    awk -v g=$g -v cfg=$cfg -v t="$t" -v base="$base" -v rec="$rec" \
        -v calls="$calls" -v fmt="$fmt" 'BEGIN {
      xr = rec != "" ? sprintf("%.2f", t / rec) : "-"
      pc = cfg != "run" && calls > 0 ? sprintf("%.0f", t / calls) : "-"
      printf fmt, g, cfg, sprintf("%.1f", t / 1e6), sprintf("%.2f", t / base),
        xr, pc, cfg != "run" ? calls : "-"
    }'
  done
done
echo
echo "total ms: the whole wasitrace process (a recording until its trace is"
echo "complete on disk); x run: against the untraced run; x record: a replay"
echo "against the recording of the same format; ns/call: total over the calls"
echo "recorded (compile-cache hits everywhere: the module is compiled once)."
