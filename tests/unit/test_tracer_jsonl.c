/*
 * The JSON Lines sink and reader: every line is a self-contained JSON
 * object (checked with jansson); the reader gives back the records; a last
 * line cut short by a kill is dropped and reported; corrupt lines are
 * errors naming the line.
 */
#include <jansson.h>
#include <unistd.h>

#include "test_tracer_util.h"

/* The base64 codec JSON Lines payloads go through (tracer/util.c). */
int wt__base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);

static void test_base64(void **state) {
  static const char *const bad[] = {
      "A",    "AB",      "ABC",  "A===", "=AAA",     "AA=A",
      "AB=C", "AB\x80=", "AB C", "AB-_", "ABCD=AAA", "ABCDA==="};
  static const struct {
    const char *in, *out;
  } good[] = {{"", ""},          {"YQ==", "a"},        {"YWI=", "ab"},
              {"YWJj", "abc"},   {"YWJjZA==", "abcd"}, {"+/+/", "\xfb\xff\xbf"},
              {"AAAA", "\0\0\0"}};
  uint8_t *o;
  size_t n;
  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (wt__base64_decode(bad[i], strlen(bad[i]), &o, &n) == 0)
      fail_msg("'%s' decoded", bad[i]);
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    size_t want = strlen(good[i].in) / 4 * 3 - (strstr(good[i].in, "==")  ? 2
                                                : strchr(good[i].in, '=') ? 1
                                                                          : 0);
    assert_int_equal(wt__base64_decode(good[i].in, strlen(good[i].in), &o, &n),
                     0);
    assert_int_equal(n, want);
    assert_memory_equal(o, good[i].out, n);
    free(o);
  }
}

static void record(tt_t *t, const char *name) {
  wt_fd_t fd;
  wt_ciovec_t out = {(const uint8_t *)"hello\n", 6};
  uint8_t buf[16];
  wt_iovec_t in = {buf, sizeof buf};
  uint32_t n;
  uint64_t off, now;
  wt_trace_end_t end = {WT_END_TRAP, 0, "unreachable", 0, NULL};
  tt_open(t, name, true, WT_CAPTURE_REPLAY);
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "a.txt", 5, WT_O_CREAT,
                              WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  assert_ok(t->api->fd_write(t->tr, fd, &out, 1, &n));
  assert_ok(t->api->fd_seek(t->tr, fd, 0, WT_WHENCE_SET, &off));
  assert_ok(t->api->fd_read(t->tr, fd, &in, 1, &n));
  assert_ok(t->api->clock_time_get(t->tr, WT_CLOCK_REALTIME, 1, &now));
  assert_errno(t->api->fd_close(t->tr, 77), WT_EBADF);
  tt_finish(t, &end);
}

static void test_lines(void **state) {
  tt_t t;
  size_t len;
  char *text, *line, *save = NULL;
  int calls = 0, metas = 0, fds = 0;
  json_t *write_line = NULL;
  (void)state;
  record(&t, "t.jsonl");
  text = tt_slurp(t.trace, &len);
  assert_int_equal(text[len - 1], '\n');
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    json_error_t err;
    json_t *o = json_loads(line, 0, &err);
    const char *type;
    if (o == NULL)
      fail_msg("line %d: %s: %s", calls + metas + 1, err.text, line);
    type = json_string_value(json_object_get(o, "type"));
    assert_non_null(type);
    if (strcmp(type, "call") == 0) {
      calls++;
      assert_int_equal(json_integer_value(json_object_get(o, "seq")), calls);
      if (strcmp(json_string_value(json_object_get(o, "call")), "fd_write") ==
          0)
        write_line = json_incref(o);
    } else if (strcmp(type, "fd") == 0) {
      /* Format 5: the fds, after the calls (stdio at least). */
      fds++;
      assert_true(json_is_integer(json_object_get(o, "fd")));
    } else {
      assert_string_equal(type, "meta");
      assert_int_equal(fds, 0);
      metas++;
    }
    json_decref(o);
  }
  assert_true(fds >= 3);
  assert_int_equal(calls, 6);
  assert_true(metas > 10);
  assert_non_null(write_line);
  assert_int_equal(json_integer_value(json_object_get(write_line, "nbytes")),
                   6);
  assert_string_equal(
      json_string_value(json_object_get(
          json_array_get(json_object_get(write_line, "payloads"), 0), "data")),
      "aGVsbG8K");
  assert_string_equal(
      json_string_value(json_object_get(
          json_object_get(json_object_get(write_line, "args"), "iovs"),
          "data")),
      "hello\n");
  json_decref(write_line);
  free(text);
  tt_close(&t);
}

static void test_reader(void **state) {
  tt_t t;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  uint64_t seq = 0;
  (void)state;
  record(&t, "r.jsonl");
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("%s", wt_trace_error());
  assert_int_equal(wt_trace_format(tr), WT_TRACE_JSONL);
  assert_false(wt_trace_truncated(tr));
  assert_string_equal(wt_trace_meta_get(tr, "end")->text, "trap");
  assert_string_equal(wt_trace_meta_get(tr, "trap")->text, "unreachable");
  assert_int_equal(wt_trace_meta_get(tr, "module")->len, 8);
  assert_string_equal(wt_trace_meta_get(tr, "argv")->text,
                      "[\"guest.wasm\",\"--flag\"]");
  while (wt_trace_next(tr, &c) == 1) {
    wt_trace_summary_t s = {0};
    assert_int_equal(c->seq, ++seq);
    assert_int_equal(wt_trace_summarize(c, &s), 0);
    wt_trace_summary_free(&s);
    if (c->call == WT_CALL_fd_read) {
      assert_int_equal(c->payloads[0].len, 6);
      assert_memory_equal(c->payloads[0].data, "hello\n", 6);
    }
    if (c->call == WT_CALL_fd_close)
      assert_int_equal(c->err, WT_EBADF);
  }
  assert_int_equal(seq, 6);
  wt_trace_close(tr);
  tt_close(&t);
}

/* Cuts the file inside its last call line, as a kill mid-write would. */
static void test_truncated(void **state) {
  tt_t t;
  size_t len;
  char *text, *last;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  int n = 0, rc;
  (void)state;
  record(&t, "cut.jsonl");
  text = tt_slurp(t.trace, &len);
  last = text;
  for (char *p = strstr(text, "{\"type\":\"call\""); p != NULL;
       p = strstr(p + 1, "{\"type\":\"call\""))
    last = p;
  assert_int_equal(truncate(t.trace, (last - text) + 40), 0);
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("%s", wt_trace_error());
  assert_true(wt_trace_truncated(tr));
  /* The end was never written: the run is incomplete. */
  assert_string_equal(wt_trace_meta_get(tr, "end")->text, "incomplete");
  while ((rc = wt_trace_next(tr, &c)) == 1)
    n++;
  assert_int_equal(rc, 0);
  assert_int_equal(n, 5);
  wt_trace_close(tr);
  free(text);
  tt_close(&t);
}

static void test_corrupt_lines(void **state) {
  tt_t t;
  size_t len;
  char *text, *p;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  FILE *f;
  (void)state;
  record(&t, "bad.jsonl");
  text = tt_slurp(t.trace, &len);
  /* A call line whose base64 is damaged: an error at that record. */
  p = strstr(text, "\"args_bin\":\"");
  assert_non_null(p);
  p[12] = '!';
  f = fopen(t.trace, "wb");
  fwrite(text, 1, (size_t)len, f);
  fclose(f);
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("%s", wt_trace_error());
  assert_int_equal(wt_trace_next(tr, &c), -1);
  assert_non_null(strstr(wt_trace_error(), "line"));
  wt_trace_close(tr);
  /* A metadata line that is not JSON: the trace does not open. */
  p = strstr(text, "{\"type\":\"meta\"");
  p[1] = 'x';
  f = fopen(t.trace, "wb");
  fwrite(text, 1, (size_t)len, f);
  fclose(f);
  assert_int_equal(wt_trace_open(t.trace, &tr), -1);
  assert_non_null(strstr(wt_trace_error(), "line 1"));
  free(text);
  tt_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_base64),        cmocka_unit_test(test_lines),
      cmocka_unit_test(test_reader),        cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_corrupt_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
