#!/usr/bin/env bash
# The tracer benchmark: untraced `wasitrace run` against `wasitrace record`
# to SQLite and to JSON Lines, for three guests, in one run. See
# bench/README.md.
#
#   bench/run.sh [--build DIR] [--runs N] [--smoke] [--keep]
#
#   --build DIR  the build tree (default: ./build)
#   --runs N     runs of each configuration; the table shows medians
#                (default 3)
#   --smoke      tiny sizes, one run: checks that the harness works
#   --keep       keep the temporary directory (traces, input file)
#   --only LIST  only these guests (default "syscalls copy compute")
#
# Sizes (environment): WT_BENCH_WRITES (1000000 fd_writes),
# WT_BENCH_COPY_MIB (64), WT_BENCH_ROUNDS (compute rounds, 100).
# TMPDIR chooses where the input file and the traces go.
set -u

HELP_LINES=2,18 TMP_PREFIX=wt-bench
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
bench_setup "$@"
new_input

# One run: GUEST CONFIG RESULTFILE. Appends "guest_ns total_ns bytes calls
# cpu_ns" (cpu: user + system time of the process, all its threads).
run_once() {
  local g=$1 cfg=$2 out=$3 trace= t0 t1 rc gns calls bytes cpu
  local -a cmd
  case $cfg in
    run) cmd=("$WT" run) ;;
    sqlite) trace=$TMP/trace.db; cmd=("$WT" record -o "$trace") ;;
    jsonl) trace=$TMP/trace.jsonl; cmd=("$WT" record -o "$trace") ;;
  esac
  # shellcheck disable=SC2046  # guest_args is split on purpose
  set -- $(guest_args "$g")
  # No earlier output: truncating the last run's 64 MiB copy (~60 ms, in
  # the guest's time) would pad every configuration alike and flatter the
  # ratios.
  rm -f "$TMP/trace.db" "$TMP/trace.jsonl" "$TMP/data/dst"
  sync
  t0=$(now_ns)
  "${CPU_TIME[@]}" "${cmd[@]}" "$@" >/dev/null 2>"$TMP/stderr" </dev/null
  rc=$?
  t1=$(now_ns)
  [ $rc = 0 ] || { cat "$TMP/stderr" >&2; die "$g ($cfg) failed with status $rc"; }
  gns=$(sed -n 's/^wt-bench: guest_ns=\([0-9]*\).*/\1/p' "$TMP/stderr")
  [ -n "$gns" ] || { cat "$TMP/stderr" >&2; die "$g ($cfg): no wt-bench line"; }
  calls=- bytes=-
  if [ -n "$trace" ]; then
    bytes=$(stat -c %s "$trace")
    if [ $cfg = sqlite ]; then
      calls=$(sqlite3 "$trace" "SELECT value FROM meta WHERE key = 'calls'")
    else
      calls=$(grep '"type":"meta","key":"calls"' "$trace" | tail -n 1 | sed 's/.*"value":\([0-9]*\).*/\1/')
    fi
  fi
  cpu=$(awk '/^wt-cpu:/ {printf "%.0f", ($2 + $3) * 1e9}' "$TMP/stderr")
  echo "$gns $((t1 - t0)) $bytes $calls ${cpu:-0}" >>"$out"
}

# The calls the guest's timed work made (from its wt-bench line).
work_calls() {
  sed -n 's/^wt-bench: .*calls=\([0-9]*\).*/\1/p' "$TMP/stderr"
}

median() {  # FILE COLUMN
  awk -v c="$2" '{print $c}' "$1" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

# Warm the compile cache: the first run of each guest compiles it.
for g in syscalls copy compute; do
  # shellcheck disable=SC2046
  "$WT" run $(guest_args $g) >/dev/null 2>&1 </dev/null || die "warm-up of $g failed"
done

declare -A WORK
for g in $ONLY; do
  for cfg in run sqlite jsonl; do : >"$TMP/$g.$cfg"; done
  # Interleaved, so that a slow spell of the machine hits every configuration.
  for ((r = 1; r <= RUNS; r++)); do
    for cfg in run sqlite jsonl; do
      run_once $g $cfg "$TMP/$g.$cfg"
    done
  done
  WORK[$g]=$(work_calls)
done

W16=$(write16_ns)
printf '\n%s\n' "wasitrace record vs run: medians of $RUNS run(s); $(nproc) CPUs; $(date -u +%Y-%m-%d); load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '16-byte write to /dev/null on this machine: %s ns (bench/guests/syscalls.c built natively, median)\n' "$W16"
printf 'syscalls: %s fd_writes of 16 bytes to /dev/null; copy: %s MiB in 4 KiB reads+writes; compute: %s rounds\n\n' \
  "$WRITES" "$COPY_MIB" "$ROUNDS"
fmt='%-9s %-7s %10s %10s %8s %8s %12s %10s %9s %8s %6s\n'
printf "$fmt" guest config "guest ms" "total ms" "guest x" "total x" "ns/call(g)" "bytes/call" calls "cpu ms" "cpu x"
for g in $ONLY; do
  base_g=$(median "$TMP/$g.run" 1) base_t=$(median "$TMP/$g.run" 2) base_c=$(median "$TMP/$g.run" 5)
  for cfg in run sqlite jsonl; do
    f=$TMP/$g.$cfg
    gns=$(median "$f" 1) tns=$(median "$f" 2) bytes=$(median "$f" 3) calls=$(median "$f" 4) cns=$(median "$f" 5)
    awk -v g=$g -v cfg=$cfg -v gns="$gns" -v tns="$tns" -v bg="$base_g" -v bt="$base_t" \
        -v bytes="$bytes" -v calls="$calls" -v work="${WORK[$g]}" -v fmt="$fmt" \
        -v cns="$cns" -v bc="$base_c" 'BEGIN {
      pc = "-"; bpc = "-"
      if (cfg != "run" && work > 0) pc = sprintf("%.0f", (gns - bg) / work)
      if (cfg != "run" && calls > 0) bpc = sprintf("%.0f", bytes / calls)
      printf fmt, g, cfg, sprintf("%.1f", gns / 1e6), sprintf("%.1f", tns / 1e6),
        sprintf("%.2f", gns / bg), sprintf("%.2f", tns / bt), pc, bpc, calls,
        sprintf("%.1f", cns / 1e6), (bc > 0 ? sprintf("%.2f", cns / bc) : "-")
    }'
  done
done
echo
echo "guest ms: the guest's own clock around its work; total ms: the whole"
echo "wasitrace process, until the trace is complete on disk; x: against run;"
echo "ns/call(g): extra guest time per call of the work; bytes/call: trace size"
echo "over every call recorded (calls); cpu ms: user + system time of the"
echo "process, all threads (the writer's included): on a loaded machine, the"
echo "column other processes disturb least."
