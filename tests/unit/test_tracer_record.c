/*
 * The recorder: every call of the table through the tracer gives one row
 * with the right name, errno and decoded fd/path columns (expanded from
 * calls.def); the contents of records (arguments, results, payloads,
 * transitions, denials, metadata) for a small scenario; capture modes; and
 * records larger than the ring.
 */
#include <unistd.h>

#include "test_tracer_util.h"

/* ---- one row per call, expanded from the table ----------------------------
 */

typedef struct ctx_s {
  tt_t t;
  wt_fd_t fds[4];
  _Alignas(8) uint8_t scratch[4096];
  uint8_t offsets[64];
  uint8_t strbuf[256];
  wt_strtab_t strtab;
  uint8_t outbuf[16];
  wt_iovec_t out_iov;
} ctx_t;

/* Arguments: fds from m->fds, every IN 0, paths "x", small buffers. */
#define MD_VOID()
#define MD_FD(name, right) wt_fd_t name = m->fds[fdpos++];
#define MD_IN(type, name, fmt) type name = 0;
#define MD_IN_STR(name)                                                        \
  const char *name = "x";                                                      \
  uint32_t name##_len = 1;
#define MD_IN_IOVS(name)                                                       \
  wt_ciovec_t name##_v = {(const uint8_t *)"hello", 5};                        \
  const wt_ciovec_t *name = &name##_v;                                         \
  uint32_t name##_len = 1;
#define MD_OUT_IOVS(name, used)                                                \
  m->out_iov = (wt_iovec_t){m->outbuf, sizeof m->outbuf};                      \
  const wt_iovec_t *name = &m->out_iov;                                        \
  uint32_t name##_len = 1;
#define MD_OUT_BUF(name, used)                                                 \
  uint8_t *name = m->scratch + 1024;                                           \
  uint32_t name##_len = 256;
#define MD_OUT_BYTES(name) MD_OUT_BUF(name, 0)
#define MD_OUT(type, name, fmt) type *name = (type *)(void *)m->scratch;
#define MD_IN_ARRAY(type, name, count, fmt)                                    \
  const type *name = (const type *)(void *)(m->scratch + 2048);
#define MD_OUT_ARRAY(type, name, count, used, fmt)                             \
  type *name = (type *)(void *)(m->scratch + 3072);
#define MD_IN_OPT(type, name, fmt) const type *name = NULL;
#define MD_OUT_STRTAB(name)                                                    \
  m->strtab = (wt_strtab_t){m->offsets, 16, m->strbuf, 256, 0, 0};             \
  wt_strtab_t *name = &m->strtab;

/* Counting FD and IN_STR arguments. */
#define MF_VOID()
#define MF_FD(name, right) +1
#define MF_IN(type, name, fmt)
#define MF_IN_STR(name)
#define MF_IN_IOVS(name)
#define MF_OUT_IOVS(name, used)
#define MF_OUT_BUF(name, used)
#define MF_OUT_BYTES(name)
#define MF_OUT(type, name, fmt)
#define MF_IN_ARRAY(type, name, count, fmt)
#define MF_OUT_ARRAY(type, name, count, used, fmt)
#define MF_IN_OPT(type, name, fmt)
#define MF_OUT_STRTAB(name)
#define MS_VOID()
#define MS_FD(name, right)
#define MS_IN(type, name, fmt)
#define MS_IN_STR(name) +1
#define MS_IN_IOVS(name)
#define MS_OUT_IOVS(name, used)
#define MS_OUT_BUF(name, used)
#define MS_OUT_BYTES(name)
#define MS_OUT(type, name, fmt)
#define MS_IN_ARRAY(type, name, count, fmt)
#define MS_OUT_ARRAY(type, name, count, used, fmt)
#define MS_IN_OPT(type, name, fmt)
#define MS_OUT_STRTAB(name)

typedef wt_errno_t (*caller_fn)(ctx_t *m);

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static wt_errno_t call_##name(ctx_t *m) {                                    \
    int fdpos = 0;                                                             \
    (void)fdpos;                                                               \
    WT_ARGS(MD, __VA_ARGS__)                                                   \
    return m->t.api->name(m->t.tr WT_ARGS(WT_HN, __VA_ARGS__));                \
  }
#include "wt/calls.def"
#undef WT_CALL

static const struct {
  const char *name, *family;
  caller_fn call;
  int nfds, npaths;
} rows[] = {
#define WT_CALL(name, set, fam, ret, ...)                                      \
  {#name, #fam, call_##name, 0 WT_ARGS(MF, __VA_ARGS__),                       \
   0 WT_ARGS(MS, __VA_ARGS__)},
#include "wt/calls.def"
#undef WT_CALL
};
#define NROWS (sizeof rows / sizeof rows[0])

/* A fresh file fd, opened on the core directly (not recorded). */
static wt_fd_t fresh_file(ctx_t *m) {
  return wt_test_open_file(m->t.env.w, "f.txt", WT_O_CREAT,
                           WT_RIGHTS_REGULAR_FILE);
}

static void test_every_call(void **state) {
  ctx_t *m = calloc(1, sizeof *m);
  wt_errno_t want[NROWS];
  uint32_t want_fd[NROWS];
  sqlite3 *db;
  sqlite3_stmt *st;
  size_t i = 0, denied = 0;
  (void)state;
  tt_open(&m->t, "every.db", false, WT_CAPTURE_REPLAY);
  for (i = 0; i < NROWS; i++) {
    bool path = strcmp(rows[i].family, "path") == 0;
    for (int k = 0; k < 4; k++)
      m->fds[k] = path ? WT_TEST_DIRFD : fresh_file(m);
    want_fd[i] = m->fds[0];
    want[i] = rows[i].call(m);
    /* proc_exit is recorded before it runs, as a success. */
    if (strcmp(rows[i].name, "proc_exit") == 0)
      want[i] = WT_ESUCCESS;
    denied += want[i] == WT_ENOTCAPABLE;
  }
  tt_finish(&m->t, NULL);
  assert_int_equal(tt_query_int(m->t.trace, "SELECT count(*) FROM calls"),
                   NROWS);
  assert_int_equal(sqlite3_open(m->t.trace, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT seq, call, errno, fd, path "
                                      "FROM calls ORDER BY seq",
                                      -1, &st, NULL),
                   SQLITE_OK);
  for (i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
    assert_int_equal(sqlite3_column_int64(st, 0), i + 1);
    assert_string_equal(sqlite3_column_text(st, 1), rows[i].name);
    assert_string_equal(sqlite3_column_text(st, 2), wt_errno_name(want[i]));
    if (rows[i].nfds > 0)
      assert_int_equal(sqlite3_column_int64(st, 3), want_fd[i]);
    else
      assert_int_equal(sqlite3_column_type(st, 3), SQLITE_NULL);
    if (rows[i].npaths > 0)
      assert_string_equal(sqlite3_column_text(st, 4), "x");
    else
      assert_int_equal(sqlite3_column_type(st, 4), SQLITE_NULL);
  }
  assert_int_equal(i, NROWS);
  sqlite3_finalize(st);
  sqlite3_close(db);
  /* Every ENOTCAPABLE is a denial naming a right. */
  assert_int_equal(tt_query_int(m->t.trace,
                                "SELECT count(*) FROM denials WHERE source = "
                                "'rights' AND right IS NOT NULL"),
                   denied);
  assert_true(denied > 0);
  tt_close(&m->t);
  free(m);
}

/* ---- the contents of records ----------------------------------------------
 */

static wt_errno_t write_str(tt_t *t, wt_fd_t fd, const char *s) {
  wt_ciovec_t iov = {(const uint8_t *)s, (uint32_t)strlen(s)};
  uint32_t n;
  return t->api->fd_write(t->tr, fd, &iov, 1, &n);
}

static void test_contents(void **state) {
  tt_t t;
  wt_fd_t fd = 0;
  uint64_t off, now;
  uint8_t a[4], b[100], rnd[8];
  wt_iovec_t iovs[2] = {{a, sizeof a}, {b, sizeof b}};
  uint32_t n;
  wt_trace_end_t end = {WT_END_EXIT, 3, NULL, 0, NULL};
  char sql[256];
  (void)state;
  tt_open(&t, "contents.db", false, WT_CAPTURE_REPLAY);
  assert_ok(t.api->path_open(t.tr, WT_TEST_DIRFD, 0, "data.txt", 8,
                             WT_O_CREAT | WT_O_TRUNC, WT_RIGHTS_REGULAR_FILE, 0,
                             0, &fd));
  assert_ok(write_str(&t, fd, "hello world"));
  assert_ok(t.api->fd_seek(t.tr, fd, 0, WT_WHENCE_SET, &off));
  assert_ok(t.api->fd_read(t.tr, fd, iovs, 2, &n));
  assert_int_equal(n, 11);
  assert_ok(t.api->clock_time_get(t.tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_ok(t.api->random_get(t.tr, rnd, sizeof rnd));
  assert_ok(t.api->fd_close(t.tr, fd));
  assert_errno(t.api->fd_close(t.tr, fd), WT_EBADF);
  assert_int_equal(wt_tracer_calls(t.tr), 8);
  tt_finish(&t, &end);

  assert_string_equal(
      tt_query(t.trace, "SELECT path || ' ' || newfd || ' ' || errno FROM "
                        "calls WHERE call = 'path_open'"),
      "data.txt 4 SUCCESS");
  assert_non_null(strstr(tt_query(t.trace, "SELECT args FROM calls WHERE "
                                           "call = 'path_open'"),
                         "\"oflags\":\"CREAT|TRUNC\""));
  assert_non_null(strstr(tt_query(t.trace, "SELECT args FROM calls WHERE "
                                           "call = 'fd_seek'"),
                         "\"whence\":\"SET\""));
  assert_int_equal(tt_query_int(t.trace, "SELECT nbytes FROM calls WHERE "
                                         "call = 'fd_write'"),
                   11);
  assert_string_equal(tt_query(t.trace,
                               "SELECT data || ':' || capture || ':' || dir "
                               "FROM payloads p JOIN calls c USING (seq) "
                               "WHERE c.call = 'fd_write'"),
                      "hello world:full:in");
  assert_string_equal(tt_query(t.trace,
                               "SELECT data || ':' || size FROM payloads p "
                               "JOIN calls c USING (seq) "
                               "WHERE c.call = 'fd_read'"),
                      "hello world:11");
  /* The clock value the guest saw is in the trace, bit for bit. */
  snprintf(sql, sizeof sql,
           "SELECT results_bin = x'%016llx' FROM calls WHERE call = "
           "'clock_time_get'",
           (unsigned long long)__builtin_bswap64(now));
  assert_int_equal(tt_query_int(t.trace, sql), 1);
  assert_int_equal(tt_query_int(t.trace, "SELECT size FROM payloads p JOIN "
                                         "calls c USING (seq) WHERE "
                                         "c.call = 'random_get'"),
                   8);
  /* fd table transitions, attributed to the calls that made them. */
  assert_string_equal(tt_query(t.trace,
                               "SELECT c.call || ' ' || t.fd FROM "
                               "transitions t JOIN calls c USING (seq) "
                               "WHERE t.kind = 'FD_OPENED'"),
                      "path_open 4");
  assert_string_equal(tt_query(t.trace,
                               "SELECT group_concat(seq) FROM transitions "
                               "WHERE kind = 'FD_CLOSED'"),
                      "7");
  assert_string_equal(
      tt_query(t.trace, "SELECT errno FROM calls WHERE seq = 8"), "BADF");
  assert_string_equal(tt_query(t.trace, "SELECT results FROM calls WHERE "
                                        "call = 'fd_seek'"),
                      "{\"newoffset\":0}");
  /* Metadata. */
  assert_string_equal(
      tt_query(t.trace, "SELECT value FROM meta WHERE key = 'end'"), "exit");
  assert_int_equal(
      tt_query_int(t.trace, "SELECT value FROM meta WHERE key = 'exit_code'"),
      3);
  assert_int_equal(
      tt_query_int(t.trace, "SELECT value FROM meta WHERE key = 'calls'"), 8);
  assert_string_equal(
      tt_query(t.trace, "SELECT value FROM meta WHERE key = 'module_sha256'"),
      "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476");
  assert_string_equal(
      tt_query(t.trace, "SELECT value FROM meta WHERE key = 'argv'"),
      "[\"guest.wasm\",\"--flag\"]");
  assert_string_equal(
      tt_query(t.trace, "SELECT value FROM meta WHERE key = 'env'"),
      "[\"A=1\"]");
  assert_string_equal(
      tt_query(t.trace, "SELECT value FROM meta WHERE key = 'memory_check'"),
      "bounds");
  assert_int_equal(tt_query_int(t.trace, "SELECT length(value) FROM meta "
                                         "WHERE key = 'module'"),
                   8);
  assert_non_null(strstr(tt_query(t.trace, "SELECT value FROM meta WHERE key = "
                                           "'preopens'"),
                         "\"guest\":\"/sandbox\""));
  tt_close(&t);
}

/* proc_exit is recorded before the inner call, and ends the run. */
static void test_proc_exit(void **state) {
  tt_t t;
  (void)state;
  tt_open(&t, "exit.db", false, WT_CAPTURE_REPLAY);
  t.api->proc_exit(t.tr, 42);
  tt_finish(&t, NULL);
  assert_string_equal(tt_query(t.trace, "SELECT call || ' ' || args FROM "
                                        "calls WHERE seq = 1"),
                      "proc_exit {\"code\":42}");
  assert_string_equal(
      tt_query(t.trace, "SELECT value FROM meta WHERE key = 'end'"), "exit");
  assert_int_equal(
      tt_query_int(t.trace, "SELECT value FROM meta WHERE key = 'exit_code'"),
      42);
  tt_close(&t);
}

/*
 * A call the guest ABI refused is a record like any other: the guest's raw
 * parameters as its arguments (named, fd column filled), no results, and
 * an abi denial with the rule; the layer below is asked, and its errno is
 * the guest's.
 */
static void check_refusal_read_back(const char *path) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  wt_trace_summary_t sum;
  memset(&sum, 0, sizeof sum);
  assert_int_equal(wt_trace_open(path, &tr), 0);
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_false(wt_trace_call_refused(c));
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_true(wt_trace_call_refused(c));
  assert_int_equal(c->call, WT_CALL_fd_write);
  assert_int_equal(c->err, WT_EFAULT);
  assert_int_equal(c->args_len, 4 * 8);
  assert_int_equal(c->results_len, 0);
  assert_int_equal(c->npayloads, 0);
  assert_int_equal(c->ndenials, 1);
  assert_int_equal(c->denials[0].fd, 1);
  assert_string_equal(c->denials[0].rule, "iovs: outside guest memory");
  assert_int_equal(wt_trace_summarize(c, &sum), 0);
  assert_string_equal(sum.args_json, "{\"fd\":1,\"iovs\":4294967280,"
                                     "\"iovs_len\":2,\"nwritten\":64}");
  assert_string_equal(sum.results_json, "null");
  assert_true(sum.has_fd);
  assert_int_equal(sum.fd, 1);
  wt_trace_summary_free(&sum);
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_true(wt_trace_call_refused(c));
  assert_int_equal(c->err, WT_EINVAL);
  assert_string_equal(c->denials[0].rule, "whence: out of range");
  /* Two fd parameters: the summary's fd and fd2. */
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_int_equal(c->call, WT_CALL_path_rename);
  assert_string_equal(c->denials[0].rule, "new_path: outside guest memory");
  assert_int_equal(wt_trace_summarize(c, &sum), 0);
  assert_true(sum.has_fd && sum.has_fd2);
  assert_int_equal(sum.fd, 3);
  assert_int_equal(sum.fd2, 4);
  wt_trace_summary_free(&sum);
  assert_int_equal(wt_trace_next(tr, &c), 0);
  wt_trace_close(tr);
}

static void test_refusals(void **state) {
  static const uint64_t w_raw[] = {1, 0xfffffff0u, 2, 64};
  static const uint64_t s_raw[] = {3, 0, 0x102, 8};
  const wt_refusal_t w = {WT_CALL_fd_write, WT_EFAULT, "iovs", 4, w_raw};
  static const uint64_t r_raw[] = {3, 0x100, 1, 4, 0xfffffff0u, 8};
  const wt_refusal_t sk = {WT_CALL_fd_seek, WT_EINVAL, "whence", 4, s_raw};
  const wt_refusal_t rn = {WT_CALL_path_rename, WT_EFAULT, "new_path", 6,
                           r_raw};
  static const char *const files[] = {"refused.db", "refused.jsonl"};
  (void)state;
  for (int i = 0; i < 2; i++) {
    tt_t t;
    tt_open(&t, files[i], i == 1, WT_CAPTURE_REPLAY);
    assert_non_null(t.api->refused);
    assert_ok(t.api->sched_yield(t.tr));
    /* The core's table has no refused entry: the errno is the ABI's. */
    assert_errno(t.api->refused(t.tr, &w), WT_EFAULT);
    assert_errno(t.api->refused(t.tr, &sk), WT_EINVAL);
    assert_errno(t.api->refused(t.tr, &rn), WT_EFAULT);
    assert_int_equal(wt_tracer_calls(t.tr), 4);
    tt_finish(&t, NULL);
    check_refusal_read_back(t.trace);
    if (i == 0) {
      assert_string_equal(tt_query(t.trace, "SELECT group_concat(source || "
                                            "' ' || seq) FROM denials"),
                          "abi 2,abi 3,abi 4");
      assert_string_equal(tt_query(t.trace, "SELECT fd || ' ' || fd2 FROM "
                                            "calls WHERE seq = 4"),
                          "3 4");
      assert_int_equal(tt_query_int(t.trace, "SELECT fd FROM calls WHERE "
                                             "seq = 2"),
                       1);
      assert_int_equal(tt_query_int(t.trace,
                                    "SELECT results IS NULL FROM calls "
                                    "WHERE seq = 2"),
                       1);
    }
    tt_close(&t);
  }
}

/* ---- capture modes
 * ------------------------------------------------------------- */

static uint8_t *pattern(size_t n) {
  uint8_t *p = malloc(n);
  assert_non_null(p);
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(i * 7 + i / 251);
  return p;
}

/* Writes `len` pattern bytes to fd and checks the payload row. */
static void check_write(tt_t *t, wt_fd_t fd, size_t len, const char *capture,
                        bool digest) {
  uint8_t *p = pattern(len);
  wt_ciovec_t iov[2] = {{p, (uint32_t)(len / 3)},
                        {p + len / 3, (uint32_t)(len - len / 3)}};
  uint32_t n;
  char sql[300], want[64];
  uint64_t seq = wt_tracer_calls(t->tr) + 1;
  assert_ok(t->api->fd_write(t->tr, fd, iov, 2, &n));
  assert_int_equal(n, len);
  wt_tracer_finish(t->tr, NULL);
  t->tr = NULL;
  snprintf(sql, sizeof sql,
           "SELECT capture || ' ' || size || ' ' || ifnull(length(data), -1) "
           "|| ' ' || ifnull(digest, '-') FROM payloads WHERE seq = %llu",
           (unsigned long long)seq);
  if (digest)
    snprintf(want, sizeof want, "%s %zu %d %016llx", capture, len,
             WT_TRACE_PREFIX, (unsigned long long)wt_trace_digest(p, len));
  else if (strcmp(capture, "none") == 0)
    snprintf(want, sizeof want, "none %zu -1 -", len);
  else
    snprintf(want, sizeof want, "%s %zu %zu -", capture, len, len);
  assert_string_equal(tt_query(t->trace, sql), want);
  free(p);
}

static void test_capture_modes(void **state) {
  tt_t t;
  wt_fd_t fd;
  (void)state;
  /* REPLAY: a mid-sized write (digested by the writer thread). */
  tt_open(&t, "c1.db", false, WT_CAPTURE_REPLAY);
  fd = wt_test_open_file(t.env.w, "o", WT_O_CREAT, WT_RIGHTS_REGULAR_FILE);
  check_write(&t, fd, 1000, "digest", true);
  tt_close(&t);
  /* REPLAY: a large write (digested on the guest's thread). */
  tt_open(&t, "c2.db", false, WT_CAPTURE_REPLAY);
  fd = wt_test_open_file(t.env.w, "o", WT_O_CREAT, WT_RIGHTS_REGULAR_FILE);
  check_write(&t, fd, 200000, "digest", true);
  tt_close(&t);
  /* REPLAY keeps stdout whole; small writes are whole anyway. */
  tt_open(&t, "c3.db", false, WT_CAPTURE_REPLAY);
  check_write(&t, 1, 1000, "full", false);
  tt_close(&t);
  tt_open(&t, "c4.db", false, WT_CAPTURE_REPLAY);
  fd = wt_test_open_file(t.env.w, "o", WT_O_CREAT, WT_RIGHTS_REGULAR_FILE);
  check_write(&t, fd, 64, "full", false);
  tt_close(&t);
  /* FULL keeps everything, META nothing but sizes. */
  tt_open(&t, "c5.db", false, WT_CAPTURE_FULL);
  fd = wt_test_open_file(t.env.w, "o", WT_O_CREAT, WT_RIGHTS_REGULAR_FILE);
  check_write(&t, fd, 1000, "full", false);
  tt_close(&t);
  tt_open(&t, "c6.db", false, WT_CAPTURE_META);
  fd = wt_test_open_file(t.env.w, "o", WT_O_CREAT, WT_RIGHTS_REGULAR_FILE);
  check_write(&t, fd, 1000, "none", false);
  tt_close(&t);
}

/* Records several times larger than the (1 MiB) ring go through whole. */
static void test_larger_than_ring(void **state) {
  tt_t t;
  size_t len = 3u << 20;
  uint8_t *p = pattern(len), *back = calloc(1, len);
  wt_ciovec_t in = {p, (uint32_t)len};
  wt_iovec_t out = {back, (uint32_t)len};
  wt_fd_t fd;
  uint32_t n;
  uint64_t off;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  int got = 0;
  (void)state;
  tt_open(&t, "big.db", false, WT_CAPTURE_FULL);
  fd = wt_test_open_file(t.env.w, "big", WT_O_CREAT, WT_RIGHTS_REGULAR_FILE);
  assert_ok(t.api->fd_write(t.tr, fd, &in, 1, &n));
  assert_ok(t.api->fd_seek(t.tr, fd, 0, WT_WHENCE_SET, &off));
  assert_ok(t.api->fd_read(t.tr, fd, &out, 1, &n));
  assert_int_equal(n, len);
  tt_finish(&t, NULL);
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("%s", wt_trace_error());
  while (wt_trace_next(tr, &c) == 1) {
    if (c->call != WT_CALL_fd_write && c->call != WT_CALL_fd_read)
      continue;
    assert_int_equal(c->npayloads, 1);
    assert_int_equal(c->payloads[0].len, len);
    assert_memory_equal(c->payloads[0].data, p, len);
    got++;
  }
  assert_int_equal(got, 2);
  wt_trace_close(tr);
  tt_close(&t);
  free(p);
  free(back);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_call),
      cmocka_unit_test(test_contents),
      cmocka_unit_test(test_proc_exit),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_capture_modes),
      cmocka_unit_test(test_larger_than_ring),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
