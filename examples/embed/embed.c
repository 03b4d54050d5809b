/*
 * An embedder of libwasitrace: the WASI core with a tracer stacked on it,
 * driven by a few calls made from C (no guest module needed), then the
 * trace read back. It is what the `wasitrace` tool does around a guest,
 * minus the wasm runtime.
 *
 *   cc embed.c -o embed $(pkg-config --cflags --libs wasitrace)
 *   ./embed DIR TRACE        # DIR: an existing directory, preopened as /data
 *
 * TRACE ending in .jsonl is recorded as JSON Lines, anything else as
 * SQLite; either opens with `wasitrace view TRACE`. Exit status 0 when the
 * trace holds exactly the calls made, 1 otherwise (with a message).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <wt/core.h>
#include <wt/tracer.h>

/* The first preopen is guest fd 3, as in every WASI runtime. */
#define DATA_FD 3

static int open_core(const char *dir, wt_t **w) {
  wt_options_t o;
  wt_preopen_t pre = {"/data", dir};
  wt_errno_t e;
  wt_options_init(&o);
  o.preopenc = 1;
  o.preopens = &pre;
  e = wt_init(&o, w);
  if (e != WT_ESUCCESS) {
    fprintf(stderr, "embed: %s\n", wt_init_error());
    return -1;
  }
  return 0;
}

static int open_tracer(wt_t *w, const char *trace, wt_tracer_t **t) {
  static const char *const argv[] = {"embed"};
  static const char *const envp[] = {NULL};
  size_t n = strlen(trace);
  bool jsonl = n > 6 && strcmp(trace + n - 6, ".jsonl") == 0;
  wt_tracer_options_t o;
  wt_sink_t *sink;
  if ((jsonl ? wt_sink_jsonl_open(trace, &sink)
             : wt_sink_sqlite_open(trace, &sink)) < 0) {
    fprintf(stderr, "embed: %s\n", wt_trace_error());
    return -1;
  }
  wt_tracer_options_init(&o);
  o.core = w; /* the tracer hears the core's fd table changes */
  o.module_name = "embed";
  o.argc = 1;
  o.argv = argv;
  o.envp = envp;
  if (wt_tracer_open(wt_core_api(), w, sink, &o, t) < 0) {
    fprintf(stderr, "embed: %s\n", wt_trace_error());
    wt_sink_close(sink); /* on failure the caller keeps the sink */
    return -1;
  }
  return 0;
}

/*
 * Four calls through the tracer's table, as a guest would make them:
 * create /data/hello.txt, write a line to it, close it, and say so on
 * stdout. Returns how many calls were made, or -1 on the first failure.
 */
static int make_calls(const wt_api_t *api, void *ctx) {
  static const char path[] = "hello.txt";
  static const char line[] = "written through the tracer\n";
  static const char note[] = "embed: wrote /data/hello.txt\n";
  wt_ciovec_t iov = {(const uint8_t *)line, sizeof line - 1};
  wt_ciovec_t out = {(const uint8_t *)note, sizeof note - 1};
  wt_fd_t fd;
  uint32_t n;
  wt_errno_t e;
  e = api->path_open(ctx, DATA_FD, 0, path, sizeof path - 1,
                     WT_O_CREAT | WT_O_TRUNC, WT_RIGHT_FD_WRITE, 0, 0, &fd);
  if (e == WT_ESUCCESS)
    e = api->fd_write(ctx, fd, &iov, 1, &n);
  if (e == WT_ESUCCESS)
    e = api->fd_close(ctx, fd);
  if (e == WT_ESUCCESS)
    e = api->fd_write(ctx, 1, &out, 1, &n);
  if (e != WT_ESUCCESS) {
    fprintf(stderr, "embed: a call failed: %s\n", wt_errno_name(e));
    return -1;
  }
  return 4;
}

/* Prints the trace's calls; returns how many, or -1 if it does not open. */
static int read_back(const char *trace) {
  wt_trace_t *t;
  const wt_trace_call_t *c;
  int n = 0, r;
  if (wt_trace_open(trace, &t) < 0) {
    fprintf(stderr, "embed: %s\n", wt_trace_error());
    return -1;
  }
  while ((r = wt_trace_next(t, &c)) > 0) {
    printf("%llu %s -> %s\n", (unsigned long long)c->seq,
           wt_call_name(c->call), wt_errno_name(c->err));
    n++;
  }
  if (r < 0) {
    fprintf(stderr, "embed: %s\n", wt_trace_error());
    n = -1;
  }
  wt_trace_close(t);
  return n;
}

int main(int argc, char **argv) {
  wt_t *w = NULL;
  wt_tracer_t *t = NULL;
  wt_trace_end_t end = {WT_END_EXIT, 0, NULL, 0, NULL};
  int made, stored, rc = 1;
  if (argc != 3) {
    fprintf(stderr, "usage: embed DIR TRACE\n");
    return 2;
  }
  printf("libwasitrace %s\n", wt_version_string());
  if (open_core(argv[1], &w) < 0 || open_tracer(w, argv[2], &t) < 0)
    goto out;
  fflush(stdout); /* the core writes to fd 1 directly, unbuffered */
  made = make_calls(wt_tracer_api(), t);
  end.exit_code = made < 0;
  if (wt_tracer_finish(t, &end) < 0) { /* frees the tracer either way */
    fprintf(stderr, "embed: %s\n", wt_trace_error());
    t = NULL;
    goto out;
  }
  t = NULL;
  stored = read_back(argv[2]);
  if (made >= 0 && stored == made)
    rc = 0;
  else if (stored >= 0)
    fprintf(stderr, "embed: made %d calls, the trace holds %d\n", made,
            stored);
out:
  if (t != NULL)
    wt_tracer_close(t);
  if (w != NULL)
    wt_destroy(w);
  return rc;
}
