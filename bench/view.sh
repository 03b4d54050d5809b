#!/usr/bin/env bash
# The viewer benchmark: on the syscall-storm trace (the bench syscalls
# guest: 1,000,000 fd_writes of 16 bytes), the time to the first line and
# the total time of `view > /dev/null`, `stats`, `diff` of the trace with
# itself, their peak memory (also on
# a 10,000-call trace: memory must not grow with the trace), `sqlite3 TRACE
# "select * from calls"` for comparison, `run --strace=/dev/null` against
# plain `run`, `strace -o /dev/null` of a native storm when strace is
# installed, the cost of a 16-byte write to /dev/null (dd), `export
# --format perfetto` and `--format html` (time, memory), and the HTML
# report of 100,000 calls loading in headless chromium, all in one run.
# See bench/README.md.
#
#   bench/view.sh [--build DIR] [--runs N]
set -u
BUILD=build RUNS=3
while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: bench/view.sh [--build DIR] [--runs N]" >&2; exit 2 ;;
  esac
done
WT=$BUILD/cli/wasitrace
STORM=$BUILD/bench/guests/syscalls.wasm
[ -x "$WT" ] && [ -f "$STORM" ] || { echo "build $BUILD first" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wt-bench-view.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
WT_BENCH_WRITES=1000000 "$WT" record -o "$TMP/storm.db" "$STORM" >/dev/null 2>&1
# The guest takes its write count as argv[1] (WT_BENCH_WRITES is not
# passed to it).
"$WT" record -o "$TMP/small.db" "$STORM" 10000 >/dev/null 2>&1
# A native storm for strace: one write(2) of 16 bytes per call.
printf '#include <unistd.h>\nint main(void){char b[16]={0};for(int i=0;i<1000000;i++)write(1,b,16);return 0;}\n' >"$TMP/storm.c"
cc -O2 -o "$TMP/storm" "$TMP/storm.c"

python3 - "$RUNS" "$WT" "$STORM" "$TMP" <<'PY'
import os, resource, subprocess, sys, time, shutil, statistics
runs, wt, storm, tmp = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
env = dict(os.environ, WT_BENCH_WRITES="1000000")
def timed(cmd, stdout=subprocess.DEVNULL):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=stdout, stderr=subprocess.DEVNULL, env=env, check=True)
    return (time.perf_counter() - t0) * 1e3
def first_line(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdout.readline()
    t = (time.perf_counter() - t0) * 1e3
    p.kill(); p.wait()
    return t
def maxrss_kb(cmd):
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1); os.dup2(fd, 2)
        os.execvp(cmd[0], cmd)
    _, _, ru = os.wait4(pid, 0)
    return ru.ru_maxrss
db, small = tmp + "/storm.db", tmp + "/small.db"
rows = []
def row(name, cmd, first=False, mem=False):
    ts = [timed(cmd) for _ in range(runs)]
    f = statistics.median(first_line(cmd) for _ in range(runs)) if first else None
    m = maxrss_kb(cmd) if mem else None
    ms = None
    if mem:
        ms = maxrss_kb([small if a == db else a for a in cmd])
    rows.append((name, statistics.median(ts), f, m, ms))
row("view > /dev/null", [wt, "view", db], first=True, mem=True)
row("view -y > /dev/null", [wt, "view", "-y", db], first=True, mem=True)
row("view --json > /dev/null", [wt, "view", "--json", db], first=True, mem=True)
row("stats", [wt, "stats", db], mem=True)
row("export --format perfetto", [wt, "export", "--format", "perfetto", "-o", tmp + "/out.json", db], mem=True)
row("export --format html", [wt, "export", "--format", "html", "-o", tmp + "/out.html", db], mem=True)
row("diff TRACE TRACE (itself)", [wt, "diff", db, db], mem=True)
if shutil.which("sqlite3"):
    row("sqlite3 'select * from calls'", ["sqlite3", db, "select * from calls"], first=True, mem=True)
row("run (storm)", [wt, "run", storm])
row("run --strace=/dev/null (storm)", [wt, "run", "--strace=/dev/null", storm])
if shutil.which("strace"):
    row("native storm", [tmp + "/storm"])
    row("strace -o /dev/null native storm", ["strace", "-o", "/dev/null", tmp + "/storm"])
t = timed(["dd", "if=/dev/zero", "of=/dev/null", "bs=16", "count=1000000"])
print("%-36s %10s %10s %12s %12s" % ("command", "total ms", "first ms", "maxrss 1M", "maxrss 10k"))
for n, t_, f, m, ms in rows:
    print("%-36s %10.1f %10s %12s %12s" % (n, t_, "%.1f" % f if f is not None else "-",
          "%d KiB" % m if m else "-", "%d KiB" % ms if ms else "-"))
print("16-byte write to /dev/null (dd bs=16, read+write per block): %.0f ns" % (t * 1e6 / 1e6))
print("strace: %s" % ("measured above" if shutil.which("strace") else "not installed"))
PY

# The HTML report of a 100,000-call storm in headless chromium: from
# navigation to the page answering a filter keystroke (report-test.mjs
# --load-only), with playwright-core from the e2e test's install or a fresh
# `npm ci` here.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
NM=$BUILD/tests/e2e/html/artifacts/node
HERE=$(cd "$(dirname "$0")/.." && pwd)/tests/e2e/html
if [ -n "$CHROMIUM" ] && command -v node >/dev/null; then
  if [ ! -d "$NM/node_modules/playwright-core" ]; then
    NM=$TMP/node && mkdir -p "$NM" && cp "$HERE/package.json" "$HERE/package-lock.json" "$NM/" &&
      (cd "$NM" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null 2>&1)
  fi
  cp "$HERE/report-test.mjs" "$NM/"
  "$WT" record -o "$TMP/100k.db" "$STORM" 100000 >/dev/null 2>&1
  "$WT" export --format html -o "$TMP/100k.html" "$TMP/100k.db" 2>/dev/null
  for i in $(seq "$RUNS"); do
    node "$NM/report-test.mjs" --load-only --chromium "$CHROMIUM" --report "$TMP/100k.html"
  done | python3 -c 'import json,sys,statistics; v=[json.loads(l)["interactive_ms"] for l in sys.stdin]; print("HTML report, 100,000 calls (%d MB): interactive in headless chromium after %d ms (median of %d)" % (__import__("os").path.getsize(sys.argv[1]) >> 20, statistics.median(v), len(v)))' "$TMP/100k.html"
else
  echo "HTML report load: chromium or node not found"
fi
