/*
 * Tracer micro-benchmark (not a test): cost of a traced call against the
 * core alone, for each sink.
 *
 *   syscall-heavy: N fd_write of 16 bytes to /dev/null (guest fd 1)
 *   I/O:           a 64 MiB file copied in 4 KiB fd_read/fd_write
 *
 * "guest" is the time the calls took as the guest saw it; "total" adds
 * wt_tracer_finish (the writer draining what is left and closing the
 * sink). Each is the best of REPS runs: on a shared machine the noise only
 * ever adds time. "writer cpu" is the CPU time of everything but the
 * guest's thread (the writer, and finishing the trace) per call.
 * Usage: bench_tracer_calls [N] [dir] [replay|full|meta]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wt/tracer.h"

enum { CORE, NULLSINK, SQLITE, JSONL };
enum { REPS = 5 };
static wt_capture_t capture = WT_CAPTURE_REPLAY;
static const char *const names[] = {"core alone", "tracer, null sink",
                                    "tracer, sqlite", "tracer, jsonl"};

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_s(void) {
  return clock_s(CLOCK_MONOTONIC);
}

/* A sink that drops everything: the recorder's own cost. */
static int null_meta(void *i, const wt_trace_meta_t *m) {
  (void)i;
  (void)m;
  return 0;
}
static int null_call(void *i, const wt_trace_call_t *c) {
  (void)i;
  (void)c;
  return 0;
}
static int null_commit(void *i) {
  (void)i;
  return 0;
}
static const wt_sink_ops_t null_ops = {null_meta, null_call, null_commit,
                                       null_commit};

typedef struct run_s {
  wt_t *w;
  wt_tracer_t *tr;
  const wt_api_t *api;
  void *ctx;
} run_t;

static void die(const char *what, const char *msg) {
  fprintf(stderr, "%s: %s\n", what, msg);
  exit(1);
}

static void start(run_t *r, int mode, const char *dir, const char *root) {
  wt_options_t o;
  wt_preopen_t pre = {"/", root};
  int devnull = open("/dev/null", O_RDWR);
  char path[512];
  wt_sink_t *sink = NULL;
  wt_options_init(&o);
  o.in = o.out = o.err = devnull;
  o.preopenc = 1;
  o.preopens = &pre;
  /* The last table's copy goes first: truncating 64 MiB (tens of ms)
   * inside the timed copy would pad every configuration but the first. */
  snprintf(path, sizeof path, "%s/dst", root);
  unlink(path);
  if (wt_init(&o, &r->w) != WT_ESUCCESS)
    die("wt_init", wt_init_error());
  close(devnull);
  r->api = wt_core_api();
  r->ctx = r->w;
  r->tr = NULL;
  if (mode == CORE)
    return;
  snprintf(path, sizeof path, "%s/bench.%s", dir,
           mode == JSONL ? "jsonl" : "db");
  if (mode == NULLSINK)
    sink = wt_sink_new(&null_ops, NULL);
  else if ((mode == SQLITE ? wt_sink_sqlite_open(path, &sink)
                           : wt_sink_jsonl_open(path, &sink)) < 0)
    die("sink", wt_trace_error());
  wt_tracer_options_t to;
  wt_tracer_options_init(&to);
  to.core = r->w;
  to.own_fd_table = true; /* as wasitrace record does */
  to.capture = capture;
  if (wt_tracer_open(wt_core_api(), r->w, sink, &to, &r->tr) < 0)
    die("tracer", wt_trace_error());
  r->api = wt_tracer_api();
  r->ctx = r->tr;
}

static void finish(run_t *r) {
  if (r->tr != NULL && wt_tracer_finish(r->tr, NULL) < 0)
    die("finish", wt_trace_error());
  wt_destroy(r->w);
}

static void writes(run_t *r, long n) {
  wt_ciovec_t iov = {(const uint8_t *)"0123456789abcdef", 16};
  uint32_t k;
  for (long i = 0; i < n; i++)
    if (r->api->fd_write(r->ctx, 1, &iov, 1, &k) != WT_ESUCCESS)
      die("fd_write", "failed");
}

static void copy(run_t *r, long size) {
  static uint8_t buf[4096];
  wt_fd_t in, out;
  uint32_t n, m;
  wt_iovec_t iov = {buf, sizeof buf};
  if (r->api->path_open(r->ctx, 3, 0, "src", 3, 0, WT_RIGHTS_REGULAR_FILE, 0, 0,
                        &in) != WT_ESUCCESS ||
      r->api->path_open(r->ctx, 3, 0, "dst", 3, WT_O_CREAT | WT_O_TRUNC,
                        WT_RIGHTS_REGULAR_FILE, 0, 0, &out) != WT_ESUCCESS)
    die("copy", "open failed");
  for (long done = 0; done < size; done += n) {
    wt_ciovec_t c = {buf, 0};
    if (r->api->fd_read(r->ctx, in, &iov, 1, &n) != WT_ESUCCESS || n == 0)
      die("copy", "read failed");
    c.buf_len = n;
    if (r->api->fd_write(r->ctx, out, &c, 1, &m) != WT_ESUCCESS || m != n)
      die("copy", "write failed");
  }
  r->api->fd_close(r->ctx, in);
  r->api->fd_close(r->ctx, out);
}

static void make_src(const char *root, long size) {
  char path[600];
  static uint8_t buf[1 << 16];
  int fd;
  snprintf(path, sizeof path, "%s/src", root);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (uint8_t)(i * 31 + 7);
  for (long d = 0; d < size; d += (long)sizeof buf)
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
      die("make_src", "write failed");
  close(fd);
}

static void table(const char *title, long calls, int which, const char *dir,
                  const char *root) {
  double base = 0;
  printf("\n%s\n%-20s %12s %12s %9s %9s %12s\n", title, "", "guest ns/call",
         "total ns/call", "guest x", "total x", "writer cpu");
  for (int mode = CORE; mode <= JSONL; mode++) {
    double t1 = 1e9, t2 = 1e9, wcpu = 1e9;
    for (int rep = 0; rep < REPS; rep++) {
      run_t r;
      double s0, s1, s2, p0, g0, g1, p2;
      start(&r, mode, dir, root);
      p0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
      g0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
      s0 = now_s();
      if (which == 0)
        writes(&r, calls);
      else
        copy(&r, 64l << 20);
      s1 = now_s();
      g1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
      finish(&r);
      s2 = now_s();
      p2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
      t1 = s1 - s0 < t1 ? s1 - s0 : t1;
      t2 = s2 - s0 < t2 ? s2 - s0 : t2;
      /* The writer thread's CPU: the process's, less the guest thread's
       * during the calls (finish's own work on this thread included). */
      if ((p2 - p0) - (g1 - g0) < wcpu)
        wcpu = (p2 - p0) - (g1 - g0);
    }
    if (mode == CORE)
      base = t1;
    printf("%-20s %12.0f %12.0f %9.2f %9.2f %12.0f\n", names[mode],
           t1 * 1e9 / (double)calls, t2 * 1e9 / (double)calls, t1 / base,
           t2 / base, wcpu * 1e9 / (double)calls);
  }
}

/* What the tables leave in root (the input, the copy, the traces), and
   root itself: 130 MiB a run otherwise. */
static void remove_tree(const char *root) {
  static const char *const files[] = {"src", "dst", "bench.db",
                                      "bench.db-journal", "bench.jsonl"};
  char path[600];
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    snprintf(path, sizeof path, "%s/%s", root, files[i]);
    unlink(path);
  }
  if (rmdir(root) < 0)
    fprintf(stderr, "note: %s was not removed\n", root);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  const char *dir = argc > 2 ? argv[2] : "/tmp";
  if (argc > 3 && wt_capture_parse(argv[3], &capture) < 0)
    die(argv[3], "is not replay, full or meta");
  char root[512];
  snprintf(root, sizeof root, "%s/wt-bench-XXXXXX", dir);
  if (mkdtemp(root) == NULL)
    die("mkdtemp", root);
  make_src(root, 64l << 20);
  table("fd_write of 16 bytes to /dev/null", n, 0, root, root);
  /* 16384 reads + 16384 writes + 4 opens/closes. */
  table("64 MiB copy in 4 KiB fd_read/fd_write", 2 * 16384 + 4, 1, root, root);
  remove_tree(root);
  return 0;
}
