/*
 * Lossless conversion: a trace with every kind of content (payloads kept
 * whole, digested and absent, transitions, rights, policy and guest ABI
 * denials, arrays, strings) goes SQLite -> JSON Lines -> SQLite -> JSON Lines;
 * every table of both databases is identical, and both JSON Lines files are
 * identical byte for byte.
 */
#include <unistd.h>

#include "test_tracer_util.h"

static wt_tracer_t *g_tracer;
static wt_api_t g_inner;

static wt_errno_t policy_sync(void *ctx, wt_fd_t fd) {
  (void)ctx;
  wt_tracer_deny(g_tracer, fd, WT_RIGHT_FD_SYNC, "rule 3: no \"sync\"");
  return WT_ENOTCAPABLE;
}

static wt_errno_t epoll_yield(void *ctx) {
  wt_transition_t t = {WT_TR_EPOLL_DELIVERED, 4, 5, 1, 0, UINT64_MAX};
  wt_tracer_observe(g_tracer, &t);
  return wt_core_api()->sched_yield(ctx);
}

static void record(tt_t *t, wt_capture_t capture) {
  wt_tracer_options_t o;
  wt_sink_t *sink;
  wt_fd_t fd, ro;
  uint8_t big[300], buf[512];
  wt_ciovec_t w[2] = {{big, 100}, {big + 100, 200}};
  wt_iovec_t r = {buf, sizeof buf};
  wt_subscription_t sub;
  wt_event_t ev;
  uint32_t n;
  uint64_t off;
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (uint8_t)(i ^ 0xa5);
  sink = tt_sink(t, "orig.db", false);
  g_inner = *wt_core_api();
  g_inner.fd_sync = policy_sync;
  g_inner.sched_yield = epoll_yield;
  wt_tracer_options_init(&o);
  o.core = t->env.w;
  o.capture = capture;
  assert_int_equal(wt_tracer_open(&g_inner, t->env.w, sink, &o, &t->tr), 0);
  g_tracer = t->tr;
  t->api = wt_tracer_api();
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "caf\xc3\xa9\xff", 6,
                              WT_O_CREAT, WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  assert_ok(t->api->fd_write(t->tr, fd, w, 2, &n));
  assert_ok(t->api->fd_write(t->tr, 2, w, 1, &n));
  assert_ok(t->api->fd_seek(t->tr, fd, -300, WT_WHENCE_END, &off));
  assert_ok(t->api->fd_read(t->tr, fd, &r, 1, &n));
  assert_errno(t->api->fd_sync(t->tr, fd), WT_ENOTCAPABLE);
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "caf\xc3\xa9\xff", 6, 0,
                              WT_RIGHT_FD_READ, 0, 0, &ro));
  assert_errno(t->api->fd_write(t->tr, ro, w, 1, &n), WT_ENOTCAPABLE);
  assert_ok(t->api->sched_yield(t->tr));
  memset(&sub, 0, sizeof sub);
  sub.userdata = UINT64_MAX - 1;
  sub.u.tag = WT_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = WT_CLOCK_MONOTONIC;
  sub.u.u.clock.timeout = 1000;
  assert_ok(t->api->poll_oneoff(t->tr, &sub, &ev, 1, &n));
  assert_ok(t->api->random_get(t->tr, buf, 100));
  assert_ok(t->api->fd_renumber(t->tr, ro, fd));
  {
    const uint64_t raw[] = {fd, 0xfffffff0u, 2, 64};
    const wt_refusal_t g = {WT_CALL_fd_write, WT_EFAULT, "iovs", 4, raw};
    assert_errno(t->api->refused(t->tr, &g), WT_EFAULT);
  }
  tt_finish(t, NULL);
}

static void convert(const char *from, const char *to, wt_trace_format_t f) {
  if (wt_trace_convert(from, to, f) < 0)
    fail_msg("convert %s -> %s: %s", from, to, wt_trace_error());
}

/*
 * Rows of table in a but not in b, and the other way round. `table` may be
 * a subquery: where a payload's bytes sit in the `blobs` chunks depends on
 * when each recorder committed, so references are compared through the
 * `payloads` view, not as numbers.
 */
static void same_table(const char *a, const char *b, const char *table) {
  sqlite3 *db;
  char sql[8192], in_a[1024], in_b[1024];
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(a, &db), SQLITE_OK);
  snprintf(sql, sizeof sql, "ATTACH '%s' AS other", b);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  if (table[0] == '(') {
    snprintf(in_a, sizeof in_a, table, "main");
    snprintf(in_b, sizeof in_b, table, "other");
  } else {
    snprintf(in_a, sizeof in_a, "main.%s", table);
    snprintf(in_b, sizeof in_b, "other.%s", table);
  }
#pragma GCC diagnostic pop
  snprintf(sql, sizeof sql,
           "SELECT (SELECT count(*) FROM %s), (SELECT count(*) FROM %s), "
           "(SELECT count(*) FROM (SELECT * FROM %s EXCEPT SELECT * FROM "
           "%s)), (SELECT count(*) FROM (SELECT * FROM %s EXCEPT SELECT * "
           "FROM %s))",
           in_a, in_b, in_a, in_b, in_b, in_a);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  if (sqlite3_column_int(st, 0) != sqlite3_column_int(st, 1) ||
      sqlite3_column_int(st, 2) != 0 || sqlite3_column_int(st, 3) != 0)
    fail_msg("%s differs: %d vs %d rows, %d and %d unmatched", table,
             sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
             sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void same_file(const char *a, const char *b) {
  static char x[1 << 20], y[1 << 20];
  long n = wt_test_read_file(a, x, sizeof x),
       m = wt_test_read_file(b, y, sizeof y);
  assert_true(n > 0);
  assert_int_equal(n, m);
  assert_memory_equal(x, y, (size_t)n);
}

/* The JSON Lines reader's switch to its general (jansson) path alone, and
   the count of lines its fast path read (tracer/internal.h). */
extern bool wt__jsonl_slow;
extern uint64_t wt__jsonl_fast_lines;

/*
 * Call lines rewritten in ways the format allows but the sink never
 * writes, so that some are read by the fast path and some left to the
 * general one: members it does not know (nested, with escapes, or with
 * UTF-8 it leaves to jansson), seq as a decimal string.
 */
static void rewrite_lines(const char *from, const char *to) {
  FILE *in = fopen(from, "r"), *out = fopen(to, "w");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int k = 0;
  assert_non_null(in);
  assert_non_null(out);
  while ((n = getline(&line, &cap, in)) > 0) {
    const char *head = "{\"type\":\"call\",";
    const char *rest = line + strlen(head);
    unsigned long long seq;
    int used = 0;
    if (strncmp(line, head, strlen(head)) != 0) {
      fputs(line, out);
      continue;
    }
    k++;
    fputs(head, out);
    if (k % 3 == 0)
      fputs("\"x\":[{\"a\":\"\\u00e9\\n\",\"b\":{}},-1,true,null,[]],", out);
    if (k % 5 == 0)
      fputs("\"zz\":\"caf\xc3\xa9\",", out);
    if (k % 2 == 0 && sscanf(rest, "\"seq\":%llu,%n", &seq, &used) == 1 &&
        used > 0) {
      fprintf(out, "\"seq\":\"%llu\",", seq);
      rest += used;
    }
    fputs(rest, out);
  }
  free(line);
  fclose(in);
  fclose(out);
}

/* The fast path of the JSON Lines reader reads what the general one does:
   the same trace converted to SQLite either way is the same database. */
static void same_both_ways(const char *jsonl, const char *dir,
                           const char *const *tables, size_t ntables) {
  char fast[400], slow[400];
  uint64_t hits = wt__jsonl_fast_lines;
  snprintf(fast, sizeof fast, "%s/fast.db", dir);
  snprintf(slow, sizeof slow, "%s/slow.db", dir);
  unlink(fast);
  unlink(slow);
  convert(jsonl, fast, WT_TRACE_SQLITE);
  assert_true(wt__jsonl_fast_lines > hits + 5);
  wt__jsonl_slow = true;
  convert(jsonl, slow, WT_TRACE_SQLITE);
  wt__jsonl_slow = false;
  for (size_t i = 0; i < ntables; i++)
    same_table(fast, slow, tables[i]);
}

static void round_trip(wt_capture_t capture) {
  static const char *const tables[] = {
      "meta",
      "(SELECT seq, call, errno, fd, fd2, path, nbytes, newfd, start_ns, "
      "dur_ns, args, results, args_bin, results_bin, p_kind, p_size, "
      "p_digest, p_data, p_ref IS NULL FROM %s.calls)",
      "payloads",
      "(SELECT seq, kind, size, digest, data, ref IS NULL FROM "
      "%s.more_payloads)",
      "transitions",
      "denials"};
  tt_t t;
  char a[400], b[400], c[400];
  record(&t, capture);
  snprintf(a, sizeof a, "%s/a.jsonl", t.env.outside);
  snprintf(b, sizeof b, "%s/b.db", t.env.outside);
  snprintf(c, sizeof c, "%s/c.jsonl", t.env.outside);
  convert(t.trace, a, WT_TRACE_JSONL);
  convert(a, b, WT_TRACE_SQLITE);
  convert(b, c, WT_TRACE_JSONL);
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
    same_table(t.trace, b, tables[i]);
  same_file(a, c);
  same_both_ways(a, t.env.outside, tables, sizeof tables / sizeof tables[0]);
  snprintf(c, sizeof c, "%s/rewritten.jsonl", t.env.outside);
  rewrite_lines(a, c);
  same_both_ways(c, t.env.outside, tables, sizeof tables / sizeof tables[0]);
  /* ... and both read the rewritten lines as the original ones. */
  snprintf(c, sizeof c, "%s/fast.db", t.env.outside);
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
    same_table(t.trace, c, tables[i]);
  /* The content is really there. The 300-byte read is kept whole (in a
   * chunk of `blobs`) but in META; the 300-byte write whole in FULL only
   * (REPLAY: a digest and prefix, inline). */
  assert_int_equal(tt_query_int(b, "SELECT count(*) FROM calls WHERE p_ref "
                                   "IS NOT NULL"),
                   capture == WT_CAPTURE_FULL     ? 2
                   : capture == WT_CAPTURE_REPLAY ? 1
                                                  : 0);
  assert_int_equal(tt_query_int(b, "SELECT count(*) FROM payloads WHERE "
                                   "size = 300"),
                   2);
  assert_int_equal(tt_query_int(b, "SELECT count(*) FROM denials"), 3);
  assert_string_equal(tt_query(b, "SELECT c.args || ' ' || d.rule FROM "
                                  "denials d JOIN calls c USING (seq) WHERE "
                                  "source = 'abi'"),
                      "{\"fd\":4,\"iovs\":4294967280,\"iovs_len\":2,"
                      "\"nwritten\":64} iovs: outside guest memory");
  assert_string_equal(tt_query(b, "SELECT rule FROM denials WHERE source = "
                                  "'policy'"),
                      "rule 3: no \"sync\"");
  assert_string_equal(tt_query(b, "SELECT data FROM transitions WHERE kind = "
                                  "'EPOLL_DELIVERED'"),
                      "-1");
  assert_string_equal(tt_query(b, "SELECT group_concat(kind) FROM "
                                  "transitions WHERE seq = 12"),
                      "FD_CLOSED,FD_RENUMBERED");
  tt_close(&t);
}

static void test_replay(void **state) {
  (void)state;
  round_trip(WT_CAPTURE_REPLAY);
}

static void test_full(void **state) {
  (void)state;
  round_trip(WT_CAPTURE_FULL);
}

static void test_meta(void **state) {
  (void)state;
  round_trip(WT_CAPTURE_META);
}

static void test_bad_input(void **state) {
  wt_test_env_t env;
  char in[400], out[400];
  (void)state;
  wt_test_open(&env);
  wt_test_write_file(&env, "x.jsonl", "{\"type\":\"call\"}\n");
  snprintf(in, sizeof in, "%s/x.jsonl", env.root);
  snprintf(out, sizeof out, "%s/x.db", env.outside);
  assert_int_equal(wt_trace_convert(in, out, WT_TRACE_SQLITE), -1);
  assert_non_null(strstr(wt_trace_error(), "not a wasitrace trace"));
  wt_test_close(&env);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_replay),
      cmocka_unit_test(test_full),
      cmocka_unit_test(test_meta),
      cmocka_unit_test(test_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
