/*
 * Helpers shared by the tracer tests (test_tracer_*.c): a core instance
 * under a tracer recording into a temporary trace, and SQLite queries.
 */
#ifndef WT_TEST_TRACER_UTIL_H
#define WT_TEST_TRACER_UTIL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "wt/tracer.h"

typedef struct tt_s {
  wt_test_env_t env;
  char trace[300]; /* trace path, beside the sandbox */
  wt_tracer_t *tr;
  const wt_api_t *api; /* the tracer's table */
  wt_preopen_t preopen;
} tt_t;

/* Opens a core instance and a sink writing `file` (a name) beside its
 * sandbox, for a tracer the caller opens with options of its own. */
static inline wt_sink_t *tt_sink(tt_t *t, const char *file, bool jsonl) {
  wt_sink_t *sink;
  memset(t, 0, sizeof *t);
  wt_test_open(&t->env);
  snprintf(t->trace, sizeof t->trace, "%s/%s", t->env.outside, file);
  if ((jsonl ? wt_sink_jsonl_open(t->trace, &sink)
             : wt_sink_sqlite_open(t->trace, &sink)) < 0)
    fail_msg("sink: %s", wt_trace_error());
  return sink;
}

/* Opens a core instance and a tracer over it writing `file` (a name). */
static inline void tt_open(tt_t *t, const char *file, bool jsonl,
                           wt_capture_t capture) {
  wt_tracer_options_t o;
  wt_sink_t *sink = tt_sink(t, file, jsonl);
  static const char *const argv[] = {"guest.wasm", "--flag"};
  static const char *const envp[] = {"A=1", NULL};
  static const char *const tool[] = {"wasitrace", "record", "guest.wasm"};
  static const uint8_t module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wt_tracer_options_init(&o);
  o.capture = capture;
  o.core = t->env.w;
  o.ring_size = 1 << 20;
  o.argc = 2;
  o.argv = argv;
  o.envp = envp;
  o.tool_argc = 3;
  o.tool_argv = tool;
  o.module = module;
  o.module_len = sizeof module;
  o.module_name = "guest.wasm";
  o.memory_check = "bounds";
  t->preopen = (wt_preopen_t){"/sandbox", t->env.root};
  o.preopenc = 1;
  o.preopens = &t->preopen;
  if (wt_tracer_open(wt_core_api(), t->env.w, sink, &o, &t->tr) < 0)
    fail_msg("wt_tracer_open: %s", wt_trace_error());
  t->api = wt_tracer_api();
}

static inline void tt_finish(tt_t *t, const wt_trace_end_t *end) {
  if (wt_tracer_finish(t->tr, end) < 0)
    fail_msg("wt_tracer_finish: %s", wt_trace_error());
  t->tr = NULL;
}

static inline void tt_close(tt_t *t) {
  if (t->tr != NULL)
    wt_tracer_close(t->tr);
  wt_test_close(&t->env);
}

/* The first column of the first row of sql, as text (static), or NULL. */
static inline const char *tt_query(const char *db_path, const char *sql) {
  static char out[4096];
  sqlite3 *db;
  sqlite3_stmt *st;
  const char *r = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    fail_msg("open %s: %s", db_path, sqlite3_errmsg(db));
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  if (sqlite3_step(st) == SQLITE_ROW &&
      sqlite3_column_type(st, 0) != SQLITE_NULL) {
    snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
    r = out;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return r;
}

static inline long long tt_query_int(const char *db_path, const char *sql) {
  const char *s = tt_query(db_path, sql);
  if (s == NULL)
    fail_msg("%s: no value", sql);
  return atoll(s);
}

/* Runs sql on the trace at path (a damaging edit, for the hostile tests). */
static inline void tt_exec(const char *path, const char *sql) {
  sqlite3 *db;
  char *err = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    fail_msg("open %s: %s", path, sqlite3_errmsg(db));
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
    fail_msg("%s\n  -> %s", sql, err);
  sqlite3_close(db);
}

static inline void tt_assert_has(const char *msg, const char *want) {
  if (msg == NULL || strstr(msg, want) == NULL)
    fail_msg("message\n  got  %s\n  want it to contain \"%s\"",
             msg ? msg : "(none)", want);
}

/* Opening the trace fails with a message containing want. */
static inline void tt_refused_at_open(const char *path, const char *want) {
  wt_trace_t *tr = NULL;
  if (wt_trace_open(path, &tr) == 0) {
    wt_trace_close(tr);
    fail_msg("%s opened; want a refusal containing \"%s\"", path, want);
  }
  tt_assert_has(wt_trace_error(), want);
}

/* Reads the whole trace: the number of calls, or fails the test. */
static inline uint64_t tt_read_all(const char *path) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  uint64_t n = 0;
  int rc;
  if (wt_trace_open(path, &tr) < 0)
    fail_msg("open %s: %s", path, wt_trace_error());
  while ((rc = wt_trace_next(tr, &c)) == 1)
    n++;
  wt_trace_close(tr);
  if (rc != 0)
    fail_msg("read %s: %s", path, wt_trace_error());
  return n;
}

/* A whole file, NUL-terminated (malloc'd); its size in *len if not NULL. */
static inline char *tt_slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *s;
  long n = 0;
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
    fail_msg("read %s", path);
  rewind(f);
  s = malloc((size_t)n + 1);
  if (s == NULL || fread(s, 1, (size_t)n, f) != (size_t)n)
    fail_msg("read %s", path);
  fclose(f);
  s[n] = 0;
  if (len != NULL)
    *len = (size_t)n;
  return s;
}

/* Writes len bytes of s to path, replacing it. */
static inline void tt_spit(const char *path, const char *s, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(s, 1, len, f) != len || fclose(f) != 0)
    fail_msg("write %s", path);
}

#endif
