# Shared by bench/run.sh and bench/replay.sh (sourced, not run): their
# options, the guests' sizes and command lines, the temporary directory.
# The sourcing script sets HELP_LINES (the range of its header to print for
# --help) and TMP_PREFIX, and calls bench_setup "$@".

die() { printf 'bench: %s\n' "$*" >&2; exit 2; }

bench_options() {
  BUILD=build RUNS=3 SMOKE=0 KEEP=0 ONLY="syscalls copy compute"
  while [ $# -gt 0 ]; do
    case $1 in
      --build) BUILD=$2; shift 2 ;;
      --runs) RUNS=$2; shift 2 ;;
      --smoke) SMOKE=1; shift ;;
      --keep) KEEP=1; shift ;;
      --only) ONLY=$2; shift 2 ;;
      -h|--help) sed -n "${HELP_LINES}p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown option $1 (see --help)" ;;
    esac
  done
  [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number"
}

bench_setup() {
  bench_options "$@"
  WRITES=${WT_BENCH_WRITES:-1000000}
  COPY_MIB=${WT_BENCH_COPY_MIB:-64}
  ROUNDS=${WT_BENCH_ROUNDS:-100}
  if [ $SMOKE = 1 ]; then WRITES=2000 COPY_MIB=1 ROUNDS=1 RUNS=1; fi

  WT=$BUILD/cli/wasitrace
  GUESTS=$BUILD/bench/guests
  [ -x "$WT" ] || die "no $WT: build first (cmake --build $BUILD)"
  for g in syscalls copy compute; do
    [ -f "$GUESTS/$g.wasm" ] || die "no $GUESTS/$g.wasm: build first"
  done
  command -v sqlite3 >/dev/null || die "the sqlite3 shell is needed (apt-get install sqlite3)"

  TMP=$(mktemp -d "${TMPDIR:-/tmp}/$TMP_PREFIX.XXXXXX") || die "mktemp failed"
  trap bench_cleanup EXIT
}

bench_cleanup() { [ $KEEP = 1 ] && echo "kept $TMP" >&2 || rm -rf "$TMP"; }

# The input of the copy: COPY_MIB MiB of incompressible bytes, afresh.
new_input() {
  rm -rf "$TMP/data"
  mkdir -p "$TMP/data"
  head -c $((COPY_MIB * 1048576)) /dev/urandom >"$TMP/data/src" || die "cannot write the input file"
}

# The guest's command line: GUEST -> options and arguments.
guest_args() {
  case $1 in
    syscalls) echo "$GUESTS/syscalls.wasm -- $WRITES" ;;
    copy) echo "--dir $TMP/data::/data $GUESTS/copy.wasm -- /data/src /data/dst" ;;
    compute) echo "$GUESTS/compute.wasm -- $ROUNDS" ;;
  esac
}

now_ns() { date +%s%N; }

# This machine's cost of a 16-byte write to /dev/null, in ns: the native
# build of the storm guest (one write(2) per call), median of RUNS runs of
# WRITES writes. Every bench table states it, so that ratios measured on
# machines whose system calls cost differently can be told apart.
write16_ns() {
  local src bin r
  src=$(dirname "${BASH_SOURCE[0]}")/guests/syscalls.c bin=$TMP/write16-native
  [ -x "$bin" ] || "${CC:-cc}" -O2 -o "$bin" "$src" || die "cannot build $src natively"
  for ((r = 1; r <= RUNS; r++)); do
    "$bin" "$WRITES" 2>&1 >/dev/null | sed -n 's/^wt-bench: guest_ns=\([0-9]*\) calls=\([0-9]*\).*/\1 \2/p'
  done | awk '{print $1 / $2}' | sort -n | awk '{v[NR]=$1} END {printf "%.0f", v[int((NR+1)/2)]}'
}

# A prefix that reports the command's CPU time (user, system) on stderr as
# "wt-cpu: U S", where /usr/bin/time exists (the cpu columns are "-" else).
if [ -x /usr/bin/time ]; then CPU_TIME=(/usr/bin/time -f 'wt-cpu: %U %S'); else CPU_TIME=(); fi
