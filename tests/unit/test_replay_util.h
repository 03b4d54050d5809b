/*
 * Helpers shared by the replay tests (test_replay*.c): a core instance under
 * a tracer recording into a temporary trace, a replay of that trace, and a
 * log that a scenario fills with everything it observes, so that a run on
 * the core and its replay can be compared byte for byte.
 */
#ifndef WT_TEST_REPLAY_UTIL_H
#define WT_TEST_REPLAY_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "wt/replay.h"
#include "wt/tracer.h"

/* ---- what a scenario observed ------------------------------------------- */

typedef struct rlog_s {
  uint8_t b[1 << 16];
  size_t n;
} rlog_t;

static inline void rlog_put(rlog_t *l, const void *p, size_t n) {
  if (l->n + n > sizeof l->b)
    fail_msg("scenario log full");
  memcpy(l->b + l->n, p, n);
  l->n += n;
}
#define RLOG(l, v) rlog_put((l), &(v), sizeof(v))
/* Logs an errno and returns it. */
static inline wt_errno_t rlog_err(rlog_t *l, wt_errno_t e) {
  RLOG(l, e);
  return e;
}

static inline void rlog_same(const rlog_t *a, const rlog_t *b) {
  size_t i = 0;
  while (i < a->n && i < b->n && a->b[i] == b->b[i])
    i++;
  if (a->n != b->n || i < a->n)
    fail_msg("the replay observed something else: %zu vs %zu bytes, first "
             "difference at byte %zu",
             a->n, b->n, i);
}

/* ---- recording ------------------------------------------------------------ */

typedef struct rec_s {
  wt_test_env_t env;
  char trace[300];
  wt_tracer_t *tr;
  wt_preopen_t preopen;
} rec_t;

/*
 * A core instance over a fresh sandbox (optionally with signal hooks, set
 * in `opts` by the caller) and a tracer writing `file` beside it.
 */
static inline void rec_open_opts(rec_t *t, const char *file, bool jsonl,
                                 wt_capture_t capture,
                                 const wt_options_t *opts) {
  wt_tracer_options_t o;
  wt_sink_t *sink;
  static const char *const argv[] = {"guest.wasm", "one", "two"};
  static const char *const envp[] = {"A=1", "B=two", NULL};
  static const uint8_t module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  memset(t, 0, sizeof *t);
  wt_test_open(&t->env);
  t->preopen = (wt_preopen_t){"/sandbox", t->env.root};
  if (opts != NULL) {
    wt_options_t c = *opts;
    wt_destroy(t->env.w);
    c.preopenc = 1;
    c.preopens = &t->preopen;
    if (wt_init(&c, &t->env.w) != WT_ESUCCESS)
      fail_msg("wt_init: %s", wt_init_error());
  }
  snprintf(t->trace, sizeof t->trace, "%s/%s", t->env.outside, file);
  if ((jsonl ? wt_sink_jsonl_open(t->trace, &sink)
             : wt_sink_sqlite_open(t->trace, &sink)) < 0)
    fail_msg("sink: %s", wt_trace_error());
  wt_tracer_options_init(&o);
  o.capture = capture;
  o.core = t->env.w;
  o.ring_size = 1 << 20;
  o.argc = 3;
  o.argv = argv;
  o.envp = envp;
  o.module = module;
  o.module_len = sizeof module;
  o.preopenc = 1;
  o.preopens = &t->preopen;
  if (wt_tracer_open(wt_core_api(), t->env.w, sink, &o, &t->tr) < 0)
    fail_msg("wt_tracer_open: %s", wt_trace_error());
}

static inline void rec_open(rec_t *t, const char *file, bool jsonl) {
  rec_open_opts(t, file, jsonl, WT_CAPTURE_REPLAY, NULL);
}

/* Finishes the recording with an exit code (or incomplete, code < 0). */
static inline void rec_finish(rec_t *t, int code) {
  wt_trace_end_t end = {WT_END_EXIT, (uint32_t)code, NULL, 0, NULL};
  if (code < 0 ? wt_tracer_close(t->tr) < 0
               : wt_tracer_finish(t->tr, &end) < 0)
    fail_msg("finishing the trace: %s", wt_trace_error());
  t->tr = NULL;
  /* The replay must not need the files the run used. */
  wt_test_rmtree(t->env.root);
}

/* Removes the sandbox's parent (the trace lives there too). */
static inline void rec_close(rec_t *t) {
  if (t->tr != NULL)
    wt_tracer_close(t->tr);
  wt_test_close(&t->env);
}

/* ---- replaying ------------------------------------------------------------ */

typedef struct rp_s {
  wt_replay_t *r;
  int stops;
} rp_t;

static inline void rp_on_stop(void *ud) {
  ((rp_t *)ud)->stops++;
}

/* Opens a replay of `path`; `o` may be NULL (defaults, output dropped). */
static inline void rp_open(rp_t *p, const char *path,
                           const wt_replay_options_t *o) {
  wt_replay_options_t d;
  memset(p, 0, sizeof *p);
  if (o != NULL) {
    d = *o;
  } else {
    wt_replay_options_init(&d);
    d.out_fd = d.err_fd = -1;
  }
  d.stop = rp_on_stop;
  d.stop_ud = p;
  if (wt_replay_open(path, &d, &p->r) < 0)
    fail_msg("wt_replay_open: %s", wt_trace_error());
}

/* Finishes with an exit code and checks the status. */
static inline void rp_finish(rp_t *p, uint32_t code, wt_replay_status_t want) {
  wt_trace_end_t end = {WT_END_EXIT, code, NULL, 0, NULL};
  wt_replay_status_t got = wt_replay_finish(p->r, &end);
  if (got != want)
    fail_msg("replay status %d, want %d; report:\n%s", (int)got, (int)want,
             wt_replay_report(p->r));
}

static inline void rp_close(rp_t *p) {
  wt_replay_close(p->r);
  p->r = NULL;
}

/* Asserts that the report contains `s`. */
#define assert_report_has(p, s)                                                \
  do {                                                                         \
    const char *rep_ = wt_replay_report((p)->r);                               \
    if (strstr(rep_, (s)) == NULL)                                             \
      fail_msg("the report lacks \"%s\":\n%s", (s), rep_);                     \
  } while (0)

#endif
