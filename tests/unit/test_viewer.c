/*
 * The viewer's renderer, filters and fd annotations on records built by
 * hand (the binary encodings of docs/trace-format.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wt/bytes.h"
#include "wt/viewer.h"

static wt_viewer_t *viewer(bool annotate) {
  wt_view_options_t o;
  wt_viewer_t *v = NULL;
  wt_view_options_init(&o);
  o.show_times = false;
  o.annotate_fds = annotate;
  assert_int_equal(wt_viewer_new(&o, &v), 0);
  return v;
}

static const char *line(wt_viewer_t *v, const wt_trace_call_t *c, int want) {
  const char *text = NULL;
  size_t len = 0;
  assert_int_equal(wt_viewer_format(v, c, &text, &len), want);
  assert_non_null(text);
  assert_int_equal(strlen(text), len);
  return text;
}

/* fd_write(fd, iovs) = nwritten: args fd, iovcnt 1, len; results u32. */
static void write_call(wt_trace_call_t *c, uint8_t *args, uint8_t *res,
                       wt_trace_payload_t *pl, const char *data) {
  uint32_t n = (uint32_t)strlen(data);
  memset(c, 0, sizeof *c);
  wt__st32(args, 1);
  wt__st32(args + 4, 1);
  wt__st32(args + 8, n);
  wt__st32(res, n);
  *pl = (wt_trace_payload_t){1, WT_PAYLOAD_IN, WT_PAYLOAD_FULL, n, 0, n,
                             (const uint8_t *)data};
  c->seq = 7;
  c->call = WT_CALL_fd_write;
  c->args = args;
  c->args_len = 12;
  c->results = res;
  c->results_len = 4;
  c->npayloads = 1;
  c->payloads = pl;
}

static void test_write_line(void **state) {
  uint8_t args[12], res[4];
  wt_trace_payload_t pl;
  wt_trace_call_t c;
  wt_viewer_t *v = viewer(true);
  (void)state;
  write_call(&c, args, res, &pl, "hi\n\x01\"");
  assert_string_equal(line(v, &c, 0), "[7] fd_write(fd=1<stdout>, "
                                       "iovs=\"hi\\n\\x01\\\"\") = 0 "
                                       "(nwritten=5)\n");
  wt_viewer_free(v);
}

static void test_abbreviated_and_failed(void **state) {
  uint8_t args[12], res[4];
  wt_trace_payload_t pl;
  wt_trace_call_t c;
  wt_view_options_t o;
  wt_viewer_t *v;
  (void)state;
  wt_view_options_init(&o);
  o.show_seq = false;
  o.show_times = false;
  o.strsize = 4;
  assert_int_equal(wt_viewer_new(&o, &v), 0);
  write_call(&c, args, res, &pl, "abcdefgh");
  assert_string_equal(line(v, &c, 0),
                      "fd_write(fd=1, iovs=\"abcd\"...) = 0 (nwritten=8)\n");
  c.err = WT_EBADF;
  c.results_len = 0;
  assert_string_equal(line(v, &c, 0), "fd_write(fd=1, iovs=\"abcd\"...) = "
                                      "BADF (bad file descriptor)\n");
  wt_viewer_free(v);
}

/* path_open(3, flags, "a.txt", CREAT, rights, rights, fdflags) = 4, and
 * the FD_OPENED it caused: -y shows fd 4 as the path from then on. */
static void test_fd_annotations(void **state) {
  uint8_t args[4 + 8 + 4 + 5 + 8 * 4], res[4], close_args[4];
  wt_transition_t tr = {WT_TR_FD_OPENED, 4, 0, WT_FILETYPE_REGULAR_FILE, 0, 0};
  wt_transition_t trc = {WT_TR_FD_CLOSED, 4, 0, 0, 0, 0};
  wt_trace_meta_t m = {"preopens", WT_META_JSON, 0,
                       "[{\"guest\":\"/data\",\"host\":\"x\"}]", NULL, 0};
  wt_trace_call_t c = {0}, cl = {0};
  wt_viewer_t *v = viewer(true);
  uint8_t *p = args;
  (void)state;
  assert_int_equal(wt_viewer_meta(v, &m), 0);
  wt__st32(p, 3), p += 4;
  wt__st64(p, 0), p += 8;
  wt__st32(p, 5), p += 4;
  memcpy(p, "a.txt", 5), p += 5;
  wt__st64(p, WT_O_CREAT), p += 8;
  wt__st64(p, 0), p += 8;
  wt__st64(p, 0), p += 8;
  wt__st64(p, 0), p += 8;
  wt__st32(res, 4);
  c.seq = 1;
  c.call = WT_CALL_path_open;
  c.args = args;
  c.args_len = (uint32_t)(p - args);
  c.results = res;
  c.results_len = 4;
  c.ntransitions = 1;
  c.transitions = &tr;
  assert_string_equal(line(v, &c, 0),
                      "[1] path_open(fd=3</data>, dirflags=0, path=\"a.txt\", "
                      "oflags=CREAT, rights_base=0, rights_inheriting=0, "
                      "fdflags=0) = 0 (opened=4</data/a.txt>)\n");
  assert_string_equal(wt_viewer_fd_label(v, 4), "/data/a.txt");
  assert_int_equal(wt_viewer_filter(v, "path", "/data/*.txt"), 0);
  wt__st32(close_args, 4);
  cl.seq = 2;
  cl.call = WT_CALL_fd_close;
  cl.args = close_args;
  cl.args_len = 4;
  cl.ntransitions = 1;
  cl.transitions = &trc;
  assert_true(wt_viewer_match(v, &cl));
  assert_string_equal(line(v, &cl, 0), "[2] fd_close(fd=4</data/a.txt>) = 0\n");
  assert_null(wt_viewer_fd_label(v, 4));
  assert_false(wt_viewer_match(v, &cl));
  wt_viewer_free(v);
}

static void test_filters(void **state) {
  uint8_t args[12], res[4];
  wt_trace_payload_t pl;
  wt_trace_call_t c;
  wt_viewer_t *v = viewer(false);
  (void)state;
  write_call(&c, args, res, &pl, "x");
  assert_int_equal(wt_viewer_filter(v, "trace", "desc"), 0);
  assert_true(wt_viewer_match(v, &c));
  assert_int_equal(wt_viewer_filter(v, "fd", "1,2"), 0);
  assert_true(wt_viewer_match(v, &c));
  assert_int_equal(wt_viewer_filter(v, "seq", "5..7"), 0);
  assert_true(wt_viewer_match(v, &c));
  c.seq = 8;
  assert_false(wt_viewer_match(v, &c));
  c.seq = 7;
  assert_int_equal(wt_viewer_filter(v, "errno", "EBADF"), 0);
  assert_false(wt_viewer_match(v, &c));
  c.err = WT_EBADF;
  assert_true(wt_viewer_match(v, &c));
  assert_int_equal(wt_viewer_filter(v, "call", "fd_read"), 0);
  assert_false(wt_viewer_match(v, &c));
  assert_int_equal(wt_viewer_filter(v, "call", "no_such_call"), -1);
  assert_int_equal(wt_viewer_filter(v, "seq", "9..1"), -1);
  assert_int_equal(wt_viewer_filter(v, "time", "x"), -1);
  assert_int_equal(wt_viewer_filter(v, "bogus", "1"), -1);
  wt_viewer_free(v);
}

/* A record whose arguments are cut short, or name no call, is rendered as
 * far as it goes and marked; never read past its end. */
static void test_corrupt(void **state) {
  uint8_t args[12], res[4];
  wt_trace_payload_t pl;
  wt_trace_call_t c;
  wt_viewer_t *v = viewer(true);
  const char *text;
  size_t len;
  (void)state;
  write_call(&c, args, res, &pl, "x");
  c.args_len = 6;
  assert_non_null(strstr(line(v, &c, -1), "<corrupt record>"));
  c.call = 60000;
  assert_non_null(strstr(line(v, &c, -1), "<corrupt record>"));
  assert_int_equal(wt_viewer_json(v, &c, &text, &len), -1);
  assert_non_null(strstr(text, "\"corrupt\":true"));
  wt_viewer_free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_line),
      cmocka_unit_test(test_abbreviated_and_failed),
      cmocka_unit_test(test_fd_annotations),
      cmocka_unit_test(test_filters),
      cmocka_unit_test(test_corrupt),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
