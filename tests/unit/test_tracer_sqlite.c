/*
 * The SQLite sink and reader: the example queries of docs/trace-format.md
 * (extracted from the markdown, so the document and this test cannot
 * drift) run on a real trace and return rows; the schema's settings and
 * indexes; reading back through the reader API; corrupt files.
 */
#include <fcntl.h>
#include <unistd.h>

#include "test_tracer_util.h"

/* An inner table: the core, plus epoll transitions on sched_yield (the
 * core has no epoll calls yet; a layer may report through the observer). */
static wt_tracer_t *g_tracer;
static wt_api_t g_inner;

static wt_errno_t fake_yield(void *ctx) {
  wt_transition_t added = {WT_TR_EPOLL_ADDED, 4, 5, 1, 0, 7};
  wt_transition_t ready = {WT_TR_EPOLL_READY, 4, 5, 1, 0, 0};
  wt_tracer_observe(g_tracer, &added);
  wt_tracer_observe(g_tracer, &ready);
  return wt_core_api()->sched_yield(ctx);
}

/* Records a scenario every example query finds rows in. */
static void record_scenario(tt_t *t) {
  wt_fd_t fd, ro;
  wt_ciovec_t out = {(const uint8_t *)"hello\n", 6};
  uint8_t buf[16];
  wt_iovec_t in = {buf, sizeof buf};
  uint32_t n;
  wt_trace_end_t end = {WT_END_EXIT, 0, NULL, 0, NULL};
  wt_tracer_options_t o;
  wt_sink_t *sink = tt_sink(t, "doc.db", false);
  wt_test_write_file(&t->env, "ro.txt", "x");
  g_inner = *wt_core_api();
  g_inner.sched_yield = fake_yield;
  wt_tracer_options_init(&o);
  o.core = t->env.w;
  assert_int_equal(wt_tracer_open(&g_inner, t->env.w, sink, &o, &t->tr), 0);
  g_tracer = t->tr;
  t->api = wt_tracer_api();
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "new.txt", 7, WT_O_CREAT,
                              WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  assert_ok(t->api->fd_write(t->tr, fd, &out, 1, &n));
  assert_ok(t->api->fd_write(t->tr, 1, &out, 1, &n));
  assert_ok(t->api->fd_read(t->tr, 0, &in, 1, &n));
  assert_errno(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "missing", 7, 0,
                                 WT_RIGHT_FD_READ, 0, 0, &fd),
               WT_ENOENT);
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "ro.txt", 6, 0,
                              WT_RIGHT_FD_READ, 0, 0, &ro));
  assert_errno(t->api->fd_write(t->tr, ro, &out, 1, &n), WT_ENOTCAPABLE);
  assert_ok(t->api->sched_yield(t->tr));
  tt_finish(t, &end);
}

/* Every ```sql block after "## Example queries", in order. */
static int extract_queries(char *doc, char **q, int max) {
  char *p = strstr(doc, "## Example queries"), *end;
  int n = 0;
  assert_non_null(p);
  end = strstr(p + 1, "\n## ");
  while (n < max && (p = strstr(p, "```sql\n")) != NULL &&
         (end == NULL || p < end)) {
    char *close = strstr(p + 7, "```");
    assert_non_null(close);
    *close = 0;
    q[n++] = p + 7;
    p = close + 3;
  }
  return n;
}

static char *read_doc(void) {
  static char doc[65536];
  char path[512];
  snprintf(path, sizeof path, "%s/docs/trace-format.md", WT_SOURCE_DIR);
  if (wt_test_read_file(path, doc, sizeof doc) <= 0)
    fail_msg("cannot read %s", path);
  return doc;
}

static void test_doc_queries(void **state) {
  tt_t t;
  char *q[32];
  int n = extract_queries(read_doc(), q, 32);
  sqlite3 *db;
  (void)state;
  record_scenario(&t);
  /* The four the format promises, at least. */
  assert_true(n >= 4);
  assert_int_equal(sqlite3_open_v2(t.trace, &db, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  for (int i = 0; i < n; i++) {
    sqlite3_stmt *st;
    int rows = 0, rc;
    if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
      fail_msg("query %d does not compile: %s\n%s", i, sqlite3_errmsg(db),
               q[i]);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      rows++;
    assert_int_equal(rc, SQLITE_DONE);
    sqlite3_finalize(st);
    if (rows == 0)
      fail_msg("query %d returned no rows:\n%s", i, q[i]);
  }
  sqlite3_close(db);
  /* Spot checks of what the examples show. */
  /* q[0]: the files written; q[2]: the failed calls, the first at seq 5. */
  assert_non_null(strstr(tt_query(t.trace, q[0]), "new.txt"));
  assert_string_equal(tt_query(t.trace, q[2]), "5");
  assert_string_equal(
      tt_query(t.trace, "SELECT group_concat(kind) FROM transitions WHERE "
                        "kind LIKE 'EPOLL%' AND fd2 = 5"),
      "EPOLL_ADDED,EPOLL_READY");
  assert_string_equal(tt_query(t.trace, "SELECT right || ' ' || fd FROM "
                                        "denials"),
                      "FD_WRITE 5");
  tt_close(&t);
}

static void test_schema(void **state) {
  tt_t t;
  (void)state;
  record_scenario(&t);
  /* A rollback journal, gone once the recording is closed. */
  assert_string_equal(tt_query(t.trace, "PRAGMA journal_mode"), "delete");
  /* Recorded with 64 KiB pages, a trace this small is rewritten with 4 KiB
   * ones at close (format 5). */
  assert_int_equal(tt_query_int(t.trace, "PRAGMA page_size"), 4096);
  {
    char journal[400];
    snprintf(journal, sizeof journal, "%s-journal", t.trace);
    assert_int_not_equal(access(journal, F_OK), 0);
  }
  assert_true(tt_query_int(t.trace, "SELECT count(*) FROM sqlite_master "
                                    "WHERE type = 'index' AND sql IS NOT "
                                    "NULL") >= 4);
  assert_int_equal(tt_query_int(t.trace, "SELECT value FROM meta WHERE key = "
                                         "'format_version'"),
                   WT_TRACE_FORMAT_VERSION);
  /* Small payloads live in their call's row, none in more_payloads. */
  assert_int_equal(tt_query_int(t.trace, "SELECT count(*) FROM more_payloads"),
                   0);
  assert_string_equal(tt_query(t.trace, "SELECT p_data FROM calls WHERE "
                                        "call = 'fd_write' AND fd = 1"),
                      "hello\n");
  /* Unused transition fields are NULL. */
  assert_int_equal(tt_query_int(t.trace, "SELECT count(*) FROM transitions "
                                         "WHERE kind = 'FD_CLOSED' AND "
                                         "a IS NOT NULL"),
                   0);
  tt_close(&t);
}

static void test_reader(void **state) {
  tt_t t;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  const wt_trace_meta_t *m;
  uint64_t seq = 0;
  int rc;
  (void)state;
  record_scenario(&t);
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("%s", wt_trace_error());
  assert_int_equal(wt_trace_format(tr), WT_TRACE_SQLITE);
  m = wt_trace_meta_get(tr, "end");
  assert_non_null(m);
  assert_string_equal(m->text, "exit");
  while ((rc = wt_trace_next(tr, &c)) == 1) {
    wt_trace_summary_t s = {0};
    assert_int_equal(c->seq, ++seq);
    assert_int_equal(wt_trace_summarize(c, &s), 0);
    wt_trace_summary_free(&s);
    if (c->call == WT_CALL_fd_write && c->err == WT_ESUCCESS) {
      assert_int_equal(c->npayloads, 1);
      assert_memory_equal(c->payloads[0].data, "hello\n", 6);
    }
    if (c->call == WT_CALL_sched_yield)
      assert_int_equal(c->ntransitions, 2);
    if (c->err == WT_ENOTCAPABLE) {
      assert_int_equal(c->ndenials, 1);
      assert_int_equal(c->denials[0].right, WT_RIGHT_FD_WRITE);
    }
  }
  assert_int_equal(rc, 0);
  assert_int_equal(seq, 8);
  wt_trace_close(tr);
  tt_close(&t);
}

static void write_bytes(const char *path, const void *p, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, p, n), (ssize_t)n);
  close(fd);
}

static void expect_open_error(const char *path, const char *words) {
  wt_trace_t *tr = NULL;
  if (wt_trace_open(path, &tr) == 0)
    fail_msg("%s opened", path);
  if (strstr(wt_trace_error(), words) == NULL)
    fail_msg("error for %s: \"%s\", expected \"%s\"", path, wt_trace_error(),
             words);
}

static void test_corrupt(void **state) {
  wt_test_env_t env;
  char path[512], garbage[8192];
  sqlite3 *db;
  (void)state;
  wt_test_open(&env);
  snprintf(path, sizeof path, "%s/bad", env.outside);
  write_bytes(path, "", 0);
  expect_open_error(path, "not a wasitrace trace");
  memset(garbage, 0x5a, sizeof garbage);
  write_bytes(path, garbage, sizeof garbage);
  expect_open_error(path, "not a wasitrace trace");
  /* The SQLite magic followed by garbage. */
  memcpy(garbage, "SQLite format 3", 16);
  write_bytes(path, garbage, sizeof garbage);
  expect_open_error(path, path);
  /* A database, but not a trace. */
  unlink(path);
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  expect_open_error(path, "not a wasitrace trace");
  snprintf(path, sizeof path, "%s/missing", env.outside);
  expect_open_error(path, "missing does not exist");
  wt_test_close(&env);
}

/*
 * A trace in format 1 (payloads named by text columns, whole in the row
 * when small, else in payloads_big) reads as it did: an fd_write of
 * "hello" with its payload inline, and an fd_read of 300 bytes whose
 * payload is in payloads_big.
 */
static void test_format1(void **state) {
  static const char sql[] =
      "CREATE TABLE meta(key TEXT PRIMARY KEY, type TEXT NOT NULL, value);"
      "INSERT INTO meta VALUES ('format', 'text', 'wasitrace'),"
      " ('format_version', 'int', 1), ('end', 'text', 'exit');"
      "CREATE TABLE calls(seq INTEGER PRIMARY KEY, call TEXT NOT NULL,"
      " errno TEXT NOT NULL, fd INTEGER, fd2 INTEGER, path TEXT,"
      " nbytes INTEGER, newfd INTEGER, start_ns INTEGER NOT NULL,"
      " dur_ns INTEGER NOT NULL, args TEXT NOT NULL, results TEXT,"
      " args_bin BLOB NOT NULL, results_bin BLOB NOT NULL, p_arg INTEGER,"
      " p_dir TEXT, p_capture TEXT, p_size INTEGER, p_digest TEXT,"
      " p_data BLOB);"
      "CREATE TABLE payloads_big(seq INTEGER NOT NULL, arg INTEGER NOT NULL,"
      " dir TEXT NOT NULL, capture TEXT NOT NULL, size INTEGER NOT NULL,"
      " digest TEXT, data BLOB);"
      "CREATE TABLE transitions(seq INTEGER NOT NULL, idx INTEGER NOT NULL,"
      " kind TEXT NOT NULL, fd INTEGER, fd2 INTEGER, a INTEGER, b INTEGER,"
      " data INTEGER);"
      "CREATE TABLE denials(seq INTEGER NOT NULL, source TEXT NOT NULL,"
      " fd INTEGER, right TEXT, rule TEXT);"
      "INSERT INTO calls VALUES (1, 'fd_write', 'SUCCESS', 1, NULL, NULL, 5,"
      " NULL, 10, 20, '{}', '{}', X'010000000100000005000000', X'05000000',"
      " 1, 'in', 'full', 5, NULL, CAST('hello' AS BLOB));"
      "INSERT INTO calls VALUES (2, 'fd_read', 'SUCCESS', 0, NULL, NULL, 300,"
      " NULL, 30, 40, '{}', '{}', X'00000000010000002c010000', X'2c010000',"
      " NULL, NULL, NULL, NULL, NULL, NULL);"
      "INSERT INTO payloads_big VALUES (2, 1, 'out', 'full', 300, NULL,"
      " zeroblob(300));";
  wt_test_env_t env;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  char path[512], out[512];
  sqlite3 *db;
  (void)state;
  wt_test_open(&env);
  snprintf(path, sizeof path, "%s/v1.db", env.outside);
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  if (wt_trace_open(path, &tr) < 0)
    fail_msg("open: %s", wt_trace_error());
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_int_equal(c->call, WT_CALL_fd_write);
  assert_int_equal(c->npayloads, 1);
  assert_int_equal(c->payloads[0].arg, 1);
  assert_int_equal(c->payloads[0].dir, WT_PAYLOAD_IN);
  assert_int_equal(c->payloads[0].capture, WT_PAYLOAD_FULL);
  assert_int_equal(c->payloads[0].len, 5);
  assert_memory_equal(c->payloads[0].data, "hello", 5);
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_int_equal(c->call, WT_CALL_fd_read);
  assert_int_equal(c->npayloads, 1);
  assert_int_equal(c->payloads[0].dir, WT_PAYLOAD_OUT);
  assert_int_equal(c->payloads[0].size, 300);
  assert_int_equal(c->payloads[0].len, 300);
  assert_int_equal(c->payloads[0].data[299], 0);
  assert_int_equal(wt_trace_next(tr, &c), 0);
  wt_trace_close(tr);
  /* Its records are whole: it converts (every record is decoded). */
  snprintf(out, sizeof out, "%s/v2.db", env.outside);
  if (wt_trace_convert(path, out, WT_TRACE_SQLITE) < 0)
    fail_msg("convert: %s", wt_trace_error());
  assert_int_equal(tt_query_int(out, "SELECT count(*) FROM payloads WHERE "
                                     "size = 300 AND length(data) = 300"),
                   1);
  /* The copy says the format it is written in, and reads back whole. */
  assert_int_equal(tt_query_int(out, "SELECT value FROM meta WHERE key = "
                                     "'format_version'"),
                   WT_TRACE_FORMAT_VERSION);
  if (wt_trace_open(out, &tr) < 0)
    fail_msg("open the copy: %s", wt_trace_error());
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_int_equal(c->npayloads, 1);
  assert_int_equal(c->payloads[0].len, 300);
  assert_int_equal(wt_trace_next(tr, &c), 0);
  wt_trace_close(tr);
  wt_test_close(&env);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_doc_queries),
      cmocka_unit_test(test_schema),
      cmocka_unit_test(test_reader),
      cmocka_unit_test(test_corrupt),
      cmocka_unit_test(test_format1),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
