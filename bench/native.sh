#!/usr/bin/env bash
# The runtime against native code: the three bench guests under plain
# `wasitrace run` against the same C compiled natively (cc -O2), in one
# run, interleaved. See bench/README.md.
#
#   bench/native.sh [--build DIR] [--runs N] [--smoke] [--keep] [--only LIST]
#
#   --build DIR  the build tree (default: ./build)
#   --runs N     runs of each configuration; the table shows medians
#                (default 3)
#   --smoke      tiny sizes, one run: checks that the harness works
#   --keep       keep the temporary directory
#   --only LIST  only these guests (default "syscalls copy compute")
#
# Sizes (environment) as for bench/run.sh. The first line of the output is
# this machine's cost of a 16-byte write to /dev/null (the native storm's
# time per call), which every bench table states.
set -u

HELP_LINES=2,16 TMP_PREFIX=wt-bench-native
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
bench_setup "$@"
new_input

CC=${CC:-cc}
for g in syscalls copy compute; do
  "$CC" -O2 -o "$TMP/$g" "$(dirname "$0")/guests/$g.c" || die "cannot build the native $g"
done

native_args() {
  case $1 in
    syscalls) echo "$WRITES" ;;
    copy) echo "$TMP/data/src $TMP/data/dst" ;;
    compute) echo "$ROUNDS" ;;
  esac
}

# One run: GUEST CONFIG RESULTFILE. Appends "guest_ns cpu_ns".
run_once() {
  local g=$1 cfg=$2 out=$3 gns cpu
  local -a cmd
  # shellcheck disable=SC2046  # the arguments are split on purpose
  case $cfg in
    run) cmd=("$WT" run --tier optimized $(guest_args "$g")) ;;
    native) cmd=("$TMP/$g" $(native_args "$g")) ;;
  esac
  rm -f "$TMP/data/dst"
  # CPU time (user + system) of the process: less at the mercy of other
  # processes on a shared machine than the guest's own wall clock.
  "${CPU_TIME[@]}" "${cmd[@]}" >/dev/null 2>"$TMP/stderr" </dev/null ||
    { cat "$TMP/stderr" >&2; die "$g ($cfg) failed"; }
  gns=$(sed -n 's/^wt-bench: guest_ns=\([0-9]*\).*/\1/p' "$TMP/stderr")
  cpu=$(awk '/^wt-cpu:/ {printf "%.0f", ($2 + $3) * 1e9}' "$TMP/stderr")
  [ -n "$gns" ] || { cat "$TMP/stderr" >&2; die "$g ($cfg): no timing"; }
  echo "$gns ${cpu:-0}" >>"$out"
}

median() {  # FILE COLUMN
  awk -v c="$2" '{print $c}' "$1" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

for g in syscalls copy compute; do
  # shellcheck disable=SC2046
  "$WT" run --tier optimized $(guest_args $g) >/dev/null 2>&1 </dev/null || die "warm-up of $g failed"
done

W16=$(write16_ns)

for g in $ONLY; do
  for cfg in native run; do : >"$TMP/$g.$cfg"; done
  for ((r = 1; r <= RUNS; r++)); do
    for cfg in native run; do
      run_once "$g" "$cfg" "$TMP/$g.$cfg"
    done
  done
done

printf '\n%s\n' "wasitrace run vs native (cc -O2): medians of $RUNS run(s); $(nproc) CPUs; $(date -u +%Y-%m-%d); load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '16-byte write to /dev/null on this machine: %s ns (native storm, median)\n\n' "$W16"
fmt='%-9s %-7s %10s %10s %8s %8s\n'
printf "$fmt" guest config "guest ms" "cpu ms" "guest x" "cpu x"
for g in $ONLY; do
  bg=$(median "$TMP/$g.native" 1) bc=$(median "$TMP/$g.native" 2)
  for cfg in native run; do
    f=$TMP/$g.$cfg
    awk -v g="$g" -v cfg="$cfg" -v gns="$(median "$f" 1)" -v cpu="$(median "$f" 2)" \
        -v bg="$bg" -v bc="$bc" -v fmt="$fmt" 'BEGIN {
      printf fmt, g, cfg, sprintf("%.1f", gns / 1e6), sprintf("%.1f", cpu / 1e6),
        sprintf("%.2f", gns / bg), (bc > 0 ? sprintf("%.2f", cpu / bc) : "-")
    }'
  done
done
echo
echo "guest ms: the guest's own clock around its work; cpu ms: user + system"
echo "time of the whole process (run: module loading included); x: against native."
