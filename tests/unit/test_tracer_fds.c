/*
 * Trace format 5: the fds a run used (the `fds` table, JSON Lines `fd`
 * records), the names of the numbers transitions store (`names`,
 * `transitions_named`), u64 values above 2^63 in both encodings, the
 * provenance metadata, older formats still read, and hostile versions of
 * each new record.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "test_tracer_util.h"

/* A file written and closed, then read, an eventfd whose
 * counter goes to 0xfffffffffffffffe, then renumbered onto the file read:
 * 10 calls. */
static void record(tt_t *t, const char *file, bool jsonl) {
  wt_ciovec_t v = {(const uint8_t *)"hello", 5};
  uint8_t buf[16];
  wt_iovec_t r = {buf, sizeof buf};
  wt_fd_t fd, fd2, ev;
  uint32_t n;
  uint64_t big = 0xfffffffffffffffeull;
  wt_ciovec_t bv = {(const uint8_t *)&big, 8};
  tt_open(t, file, jsonl, WT_CAPTURE_FULL);
  assert_ok(t->api->path_create_directory(t->tr, WT_TEST_DIRFD, "d", 1));
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "./d/../out.txt", 14,
                              WT_O_CREAT, WT_RIGHT_FD_WRITE, 0, 0, &fd));
  assert_ok(t->api->fd_write(t->tr, fd, &v, 1, &n));
  assert_ok(t->api->fd_write(t->tr, fd, &v, 1, &n));
  assert_ok(t->api->fd_close(t->tr, fd));
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "out.txt", 7, 0,
                              WT_RIGHT_FD_READ, 0, 0, &fd2));
  assert_ok(t->api->fd_read(t->tr, fd2, &r, 1, &n));
  assert_int_equal(n, 10);
  assert_ok(t->api->fd_event(t->tr, 0, 0, &ev));
  assert_ok(t->api->fd_write(t->tr, ev, &bv, 1, &n));
  assert_ok(t->api->fd_renumber(t->tr, ev, fd2));
  tt_finish(t, NULL);
}

static void test_fds_sqlite(void **state) {
  tt_t t;
  (void)state;
  record(&t, "t.db", false);
  assert_string_equal(
      tt_query(t.trace, "SELECT path || ' ' || kind || ' ' || rights || ' ' ||"
                        " oflags || ' ' || opened_seq || ' ' || closed_seq ||"
                        " ' ' || writes || ' ' || bytes_written FROM fds"
                        " WHERE opened_seq = 2"),
      "/sandbox/out.txt REGULAR_FILE FD_WRITE CREAT 2 5 2 10");
  assert_string_equal(
      tt_query(t.trace, "SELECT path || ' ' || reads || ' ' || bytes_read ||"
                        " ' ' || coalesce(closed_seq, 'open') FROM fds"
                        " WHERE opened_seq = 6"),
      "/sandbox/out.txt 1 10 10");
  /* The eventfd: moved onto the file's fd (closing it), never closed. */
  assert_string_equal(
      tt_query(t.trace, "SELECT group_concat(fd || ':' || kind || ':' ||"
                        " opened_by || ':' || coalesce(closed_seq, '-'), ' ')"
                        " FROM fds WHERE kind = 'eventfd'"),
      "5:eventfd:fd_event:10 4:eventfd:fd_renumber:-");
  assert_string_equal(
      tt_query(t.trace, "SELECT path || ' ' || kind || ' ' || opened_by FROM "
                        "fds WHERE fd = 3"),
      "/sandbox DIRECTORY preopen");
  /* The calls made on the file through each of its fds, closes included;
   * the eventfd's write (9) and the renumber onto fd2 (10, whose `fd` is
   * the eventfd) are not the file's. */
  assert_string_equal(
      tt_query(t.trace, "SELECT group_concat(seq || ' ' || call, ',') FROM"
                        " (SELECT seq, call FROM file_calls WHERE file ="
                        " '/sandbox/out.txt' ORDER BY seq)"),
      "3 fd_write,4 fd_write,5 fd_close,7 fd_read");
  /* Stdio, there before the first call, from the start. */
  assert_int_equal(tt_query_int(t.trace, "SELECT count(*) FROM file_calls"
                                         " WHERE file = '<stdout>'"),
                   0);
  /* Names: the filetype, the cause, the readiness mask. */
  assert_string_equal(
      tt_query(t.trace, "SELECT a_name FROM transitions_named WHERE seq = 2"
                        " AND kind = 'FD_OPENED'"),
      "REGULAR_FILE");
  assert_string_equal(
      tt_query(t.trace, "SELECT data_name || ' ' || b FROM transitions_named"
                        " WHERE kind = 'EVENTFD_COUNTER' AND data = 1"),
      "WRITE 18446744073709551614");
  assert_string_equal(
      tt_query(t.trace, "SELECT name FROM names WHERE field = 'rights' AND"
                        " value = 64"),
      "FD_WRITE");
  /* A small run's trace is small: rewritten with 4 KiB pages at close. */
  {
    struct stat st;
    assert_int_equal(tt_query_int(t.trace, "PRAGMA page_size"), 4096);
    assert_int_equal(stat(t.trace, &st), 0);
    if (st.st_size > 200 * 1024)
      fail_msg("a 10-call trace takes %lld bytes", (long long)st.st_size);
  }
  tt_close(&t);
}

/* The counter above 2^63 reads back as itself from both encodings. */
static void check_counter(const char *path) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  bool seen = false;
  if (wt_trace_open(path, &tr) < 0)
    fail_msg("open %s: %s", path, wt_trace_error());
  while (wt_trace_next(tr, &c) == 1)
    for (uint32_t i = 0; i < c->ntransitions; i++)
      if (c->transitions[i].kind == WT_TR_EVENTFD_COUNTER &&
          c->transitions[i].data == WT_EVENTFD_CAUSE_WRITE) {
        assert_int_equal(c->transitions[i].b, 0xfffffffffffffffeull);
        seen = true;
      }
  wt_trace_close(tr);
  assert_true(seen);
}

static void test_fds_jsonl_and_u64(void **state) {
  tt_t t, u;
  char conv[400], *text;
  (void)state;
  record(&t, "t.jsonl", true);
  record(&u, "t.db", false);
  check_counter(t.trace);
  check_counter(u.trace);
  text = tt_slurp(t.trace, NULL);
  assert_non_null(strstr(text, "\"b\":\"18446744073709551614\""));
  assert_non_null(strstr(
      text, "{\"type\":\"fd\",\"fd\":4,\"path\":\"/sandbox/out.txt\","
            "\"kind\":\"REGULAR_FILE\",\"rights\":\"FD_WRITE\","
            "\"rights_base\":64,\"oflags\":\"CREAT\",\"opened_seq\":2,"
            "\"closed_seq\":5,\"opened_by\":\"path_open\",\"reads\":0,"
            "\"bytes_read\":0,\"writes\":2,\"bytes_written\":10}"));
  free(text);
  /* SQLite to JSON Lines: the same fd records, rebuilt from the calls. */
  snprintf(conv, sizeof conv, "%s.jsonl", u.trace);
  assert_int_equal(wt_trace_convert(u.trace, conv, WT_TRACE_JSONL), 0);
  text = tt_slurp(conv, NULL);
  assert_non_null(strstr(text, "\"opened_by\":\"fd_renumber\""));
  assert_non_null(strstr(text, "\"path\":\"/sandbox/out.txt\""));
  free(text);
  unlink(conv);
  tt_close(&u);
  tt_close(&t);
}

static void test_provenance(void **state) {
  tt_t t;
  char cwd[4096], want[4200];
  (void)state;
  record(&t, "t.db", false);
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_string_equal(tt_query(t.trace, "SELECT value FROM meta WHERE key ="
                                        " 'cwd'"),
                      cwd);
  assert_string_equal(tt_query(t.trace, "SELECT value FROM meta WHERE key ="
                                        " 'tool_argv'"),
                      "[\"wasitrace\",\"record\",\"guest.wasm\"]");
  assert_non_null(tt_query(t.trace, "SELECT value FROM meta WHERE key ="
                                    " 'hostname'"));
  {
    char *real = realpath(t.env.root, NULL);
    assert_non_null(real);
    snprintf(want, sizeof want, "%s", real);
    free(real);
  }
  assert_string_equal(
      tt_query(t.trace, "SELECT json_extract(value, '$[0].real') FROM meta"
                        " WHERE key = 'preopens'"),
      want);
  tt_close(&t);
}

/* Formats 3 and 4 (no fds, names or view) still read, whole. */
static void test_older_formats(void **state) {
  tt_t t;
  uint64_t n;
  (void)state;
  record(&t, "t.db", false);
  n = tt_read_all(t.trace);
  assert_int_equal(n, 10);
  tt_exec(t.trace, "DROP VIEW transitions_named; DROP TABLE fds;"
                  " DROP TABLE names;"
                  " UPDATE meta SET value = 4 WHERE key = 'format_version'");
  assert_int_equal(tt_read_all(t.trace), n);
  tt_exec(t.trace, "UPDATE meta SET value = 3 WHERE key = 'format_version'");
  assert_int_equal(tt_read_all(t.trace), n);
  tt_close(&t);
}

/* SQLite: the derived objects are never read, so they cannot be used to
 * run code: a view in place of a table is refused, a damaged `fds` row is
 * harmless; a view under any other name still refused. */
static void test_hostile_sqlite(void **state) {
  tt_t t;
  (void)state;
  record(&t, "t.db", false);
  tt_exec(t.trace, "UPDATE fds SET path = x'00ff', fd = 'x';"
                  " DELETE FROM names;");
  assert_int_equal(tt_read_all(t.trace), 10);
  tt_exec(t.trace, "DROP TABLE fds; CREATE VIEW fds AS WITH RECURSIVE r(x) AS"
                  " (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r");
  tt_refused_at_open(t.trace, "is a view (a trace has none but `payloads`, "
                              "`transitions_named` and `file_calls`)");
  tt_close(&t);
}

/* JSON Lines: each member of an fd record is checked. */
static void test_hostile_jsonl(void **state) {
  static const struct {
    const char *from, *to, *want;
  } cases[] = {
      {"\"type\":\"fd\",\"fd\":4,", "\"type\":\"fd\",\"fd\":-4,",
       "fd record: fd is not a u32"},
      {"\"type\":\"fd\",\"fd\":4,", "\"type\":\"fd\",\"fd\":4294967296,",
       "fd record: fd is not a u32"},
      {"\"kind\":\"REGULAR_FILE\"", "\"kind\":7", "kind is not a string"},
      {"\"closed_seq\":5", "\"closed_seq\":\"soon\"",
       "fd record: closed_seq is not an unsigned integer"},
      {"\"writes\":2", "\"writes\":null",
       "fd record: writes is not an unsigned integer"},
      {"\"path\":\"/sandbox/out.txt\"", "\"path\":[1]",
       "fd record: path is not a string"},
      {"\"bytes_written\":10}", "\"bytes_written\":10,\"x\":1}",
       "fd record: unknown member \"x\""},
      {"\"type\":\"fd\",\"fd\":4,\"path\"", "\"type\":\"fd\",\"path\"",
       "fd record without fd or kind"},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tt_t t;
    char *text, *at, *out;
    size_t nf, nt;
    record(&t, "t.jsonl", true);
    text = tt_slurp(t.trace, NULL);
    /* The first fd record of fd 4 (the file written). */
    at = strstr(text, "{\"type\":\"fd\",\"fd\":4,");
    assert_non_null(at);
    at = strstr(at, cases[i].from);
    if (at == NULL)
      fail_msg("case %zu: no %s", i, cases[i].from);
    nf = strlen(cases[i].from);
    nt = strlen(cases[i].to);
    out = calloc(1, strlen(text) + nt + 1);
    assert_non_null(out);
    memcpy(out, text, (size_t)(at - text));
    strcat(out, cases[i].to);
    strcat(out, at + nf);
    tt_spit(t.trace, out, strlen(out));
    tt_refused_at_open(t.trace, cases[i].want);
    free(out);
    free(text);
    tt_close(&t);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fds_sqlite),
      cmocka_unit_test(test_fds_jsonl_and_u64),
      cmocka_unit_test(test_provenance),
      cmocka_unit_test(test_older_formats),
      cmocka_unit_test(test_hostile_sqlite),
      cmocka_unit_test(test_hostile_jsonl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
