/*
 * wasitrace diff: the alignment core (Myers), the canonical form of a
 * record (what is compared and what is ignored without --timing), the
 * words for a difference, and the streaming driver on records built by
 * hand (the binary encodings of docs/trace-format.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff_internal.h"
#include "wt/viewer_diff.h"

/* ---- the alignment core --------------------------------------------------
 */

typedef struct seqs_s {
  const int *a, *b;
} seqs_t;

static bool int_eq(void *ud, uint32_t i, uint32_t j) {
  seqs_t *s = ud;
  return s->a[i] == s->b[j];
}

static wt__hunk_t align(const int *a, uint32_t n, const int *b, uint32_t m,
                        uint32_t max_d, int want_rc) {
  seqs_t s = {a, b};
  wt__hunk_t h = {99, 99, 99};
  assert_int_equal(wt__diff_align(n, m, int_eq, &s, max_d, &h), want_rc);
  return h;
}

static void test_align_identical(void **state) {
  int a[] = {1, 2, 3, 4, 5};
  wt__hunk_t h = align(a, 5, a, 5, 10, 0);
  (void)state;
  assert_int_equal(h.same, 5);
  assert_int_equal(h.a_only, 0);
  assert_int_equal(h.b_only, 0);
}

/* One extra call in b: one region of one call, not "all later differ". */
static void test_align_insertion(void **state) {
  int a[1000], b[1001];
  wt__hunk_t h;
  (void)state;
  for (int i = 0; i < 1000; i++)
    a[i] = i;
  memcpy(b, a, 500 * sizeof *a);
  b[500] = -1;
  memcpy(b + 501, a + 500, 500 * sizeof *a);
  h = align(a, 1000, b, 1001, 10, 0);
  assert_int_equal(h.same, 500);
  assert_int_equal(h.a_only, 0);
  assert_int_equal(h.b_only, 1);
  h = align(b, 1001, a, 1000, 10, 0);
  assert_int_equal(h.same, 500);
  assert_int_equal(h.a_only, 1);
  assert_int_equal(h.b_only, 0);
}

/* A changed call is one call of each; a later region is not reported. */
static void test_align_substitution(void **state) {
  int a[] = {1, 2, 3, 4, 5, 6}, b[] = {1, 9, 3, 4, 8, 6};
  wt__hunk_t h = align(a, 6, b, 6, 10, 0);
  (void)state;
  assert_int_equal(h.same, 1);
  assert_int_equal(h.a_only, 1);
  assert_int_equal(h.b_only, 1);
}

static void test_align_ends(void **state) {
  int a[] = {1, 2, 3}, b[] = {7, 8};
  wt__hunk_t h;
  (void)state;
  h = align(a, 3, b, 2, 10, 0); /* nothing alike: all of both */
  assert_int_equal(h.same, 0);
  assert_int_equal(h.a_only, 3);
  assert_int_equal(h.b_only, 2);
  h = align(a, 3, b, 0, 10, 0); /* b empty */
  assert_int_equal(h.a_only, 3);
  assert_int_equal(h.b_only, 0);
  h = align(a, 0, b, 0, 10, 0);
  assert_int_equal(h.same + h.a_only + h.b_only, 0);
  h = align(a, 3, a, 2, 10, 0); /* b a prefix of a */
  assert_int_equal(h.same, 2);
  assert_int_equal(h.a_only, 1);
  assert_int_equal(h.b_only, 0);
}

static void test_align_max_edits(void **state) {
  int a[64], b[64];
  (void)state;
  for (int i = 0; i < 64; i++) {
    a[i] = i;
    b[i] = 100 + i;
  }
  align(a, 64, b, 64, 128, 0); /* 128 edits needed */
  align(a, 64, b, 64, 127, 1);
  align(a, 64, b, 64, 10, 1);
}

/* Edit distance (insertions and deletions only) by dynamic programming. */
static uint32_t distance(const int *a, uint32_t n, const int *b, uint32_t m) {
  uint32_t d[33][33];
  for (uint32_t i = 0; i <= n; i++)
    for (uint32_t j = 0; j <= m; j++)
      if (i == 0 || j == 0)
        d[i][j] = i + j;
      else if (a[i - 1] == b[j - 1])
        d[i][j] = d[i - 1][j - 1];
      else
        d[i][j] = 1 + (d[i - 1][j] < d[i][j - 1] ? d[i - 1][j] : d[i][j - 1]);
  return d[n][m];
}

/* On many pseudo-random pairs, the first region lies on a shortest edit
 * script: what is left after it costs exactly the rest, and the next pair
 * is alike (or both ends are reached). */
static void test_align_optimal(void **state) {
  uint32_t x = 12345;
  (void)state;
  for (int round = 0; round < 2000; round++) {
    int a[32], b[32];
    uint32_t n, m, s, d;
    wt__hunk_t h;
    x = x * 1103515245u + 12345u;
    n = (x >> 16) % 33;
    x = x * 1103515245u + 12345u;
    m = (x >> 16) % 33;
    for (uint32_t i = 0; i < 32; i++) {
      x = x * 1103515245u + 12345u;
      a[i] = (int)((x >> 16) % 3);
      x = x * 1103515245u + 12345u;
      b[i] = (int)((x >> 16) % 3);
    }
    h = align(a, n, b, m, 64, 0);
    s = h.same;
    d = distance(a + s, n - s, b + s, m - s);
    assert_true(s <= n && s <= m);
    assert_true(s == n || s == m || a[s] != b[s]);
    assert_int_equal(d, h.a_only + h.b_only +
                            distance(a + s + h.a_only, n - s - h.a_only,
                                     b + s + h.b_only, m - s - h.b_only));
    if (s + h.a_only < n || s + h.b_only < m) {
      assert_true(s + h.a_only < n && s + h.b_only < m);
      assert_int_equal(a[s + h.a_only], b[s + h.b_only]);
    }
  }
}

/* ---- records -------------------------------------------------------------
 */

typedef struct rec_s {
  wt_trace_call_t c;
  uint8_t args[128], res[64];
  wt_trace_payload_t pl;
  uint8_t data[64];
} rec_t;

static void base(rec_t *r, uint64_t seq, uint16_t call) {
  memset(r, 0, sizeof *r);
  r->c.seq = seq;
  r->c.call = call;
  r->c.args = r->args;
  r->c.results = r->res;
  r->c.start_ns = seq * 1000;
  r->c.dur_ns = 10 + seq;
}

static void fd_write(rec_t *r, uint64_t seq, const char *text) {
  uint32_t n = (uint32_t)strlen(text);
  base(r, seq, WT_CALL_fd_write);
  wt__st32(r->args, 1);
  wt__st32(r->args + 4, 1);
  wt__st32(r->args + 8, n);
  r->c.args_len = 12;
  wt__st32(r->res, n);
  r->c.results_len = 4;
  memcpy(r->data, text, n);
  r->pl = (wt_trace_payload_t){1, WT_PAYLOAD_IN, WT_PAYLOAD_FULL, n, 0, n,
                               r->data};
  r->c.npayloads = 1;
  r->c.payloads = &r->pl;
}

static void clock_time(rec_t *r, uint64_t seq, uint64_t t) {
  base(r, seq, WT_CALL_clock_time_get);
  wt__st64(r->args, 1);
  wt__st64(r->args + 8, 1000);
  r->c.args_len = 16;
  wt__st64(r->res, t);
  r->c.results_len = 8;
}

static void random_bytes(rec_t *r, uint64_t seq, uint8_t fill, uint32_t n) {
  base(r, seq, WT_CALL_random_get);
  wt__st32(r->args, n);
  r->c.args_len = 4;
  memset(r->data, fill, n);
  r->pl = (wt_trace_payload_t){0, WT_PAYLOAD_OUT, WT_PAYLOAD_FULL, n, 0, n,
                               r->data};
  r->c.npayloads = 1;
  r->c.payloads = &r->pl;
}

static void filestat(rec_t *r, uint64_t seq, uint64_t ino, uint64_t size) {
  base(r, seq, WT_CALL_fd_filestat_get);
  wt__st32(r->args, 3);
  r->c.args_len = 4;
  wt__st64(r->res, 42);        /* dev */
  wt__st64(r->res + 8, ino);   /* ino */
  r->res[16] = 4;              /* regular file */
  wt__st64(r->res + 24, 1);    /* nlink */
  wt__st64(r->res + 32, size); /* size */
  wt__st64(r->res + 40, ino * 7);
  r->c.results_len = 64;
}

static void path_open(rec_t *r, uint64_t seq, const char *path,
                      wt_errno_t err) {
  uint32_t n = (uint32_t)strlen(path), o = 0;
  base(r, seq, WT_CALL_path_open);
  wt__st32(r->args, 3);
  wt__st64(r->args + 4, 1);
  wt__st32(r->args + 12, n);
  memcpy(r->args + 16, path, n);
  o = 16 + n;
  for (int i = 0; i < 4; i++, o += 8)
    wt__st64(r->args + o, i == 1 || i == 2 ? ~0ull : 0);
  r->c.args_len = o;
  r->c.err = err;
  if (err == WT_ESUCCESS) {
    wt__st32(r->res, 4);
    r->c.results_len = 4;
  }
}

static uint64_t key(const rec_t *r, bool timing, wt__canon_t *k) {
  return wt__diff_canon(k, &r->c, timing);
}

static bool same_key(const rec_t *x, const rec_t *y, bool timing) {
  wt__canon_t k = {0};
  uint64_t a = key(x, timing, &k), b = key(y, timing, &k);
  wt__diff_canon_free(&k);
  return a == b;
}

/* ---- the canonical form ---------------------------------------------------
 */

static void test_canon_clock_ignored(void **state) {
  rec_t x, y;
  (void)state;
  clock_time(&x, 1, 1700000000000000000ull);
  clock_time(&y, 9, 1700000000123456789ull); /* other seq, time, duration */
  assert_true(same_key(&x, &y, false));
  assert_false(same_key(&x, &y, true));
  wt__st64(y.args, 0); /* another clock id: an argument */
  assert_false(same_key(&x, &y, false));
}

static void test_canon_filestat(void **state) {
  rec_t x, y;
  (void)state;
  filestat(&x, 1, 1000, 5);
  filestat(&y, 1, 2000, 5); /* inode and times differ */
  assert_true(same_key(&x, &y, false));
  assert_false(same_key(&x, &y, true));
  filestat(&y, 1, 1000, 6); /* size differs */
  assert_false(same_key(&x, &y, false));
}

static void test_canon_random(void **state) {
  rec_t x, y;
  (void)state;
  random_bytes(&x, 1, 0xaa, 8);
  random_bytes(&y, 1, 0x55, 8);
  assert_true(same_key(&x, &y, false));
  assert_false(same_key(&x, &y, true));
  random_bytes(&y, 1, 0x55, 16);
  assert_false(same_key(&x, &y, false));
}

/* A payload kept whole and the same bytes kept as a digest are alike. */
static void test_canon_capture(void **state) {
  rec_t x, y;
  (void)state;
  fd_write(&x, 1, "hello, world\n");
  fd_write(&y, 1, "hello, world\n");
  y.pl.capture = WT_PAYLOAD_DIGEST;
  y.pl.digest = wt_trace_digest(y.data, y.pl.size);
  y.pl.len = 4;
  assert_true(same_key(&x, &y, false));
  fd_write(&y, 1, "hello, World\n");
  assert_false(same_key(&x, &y, false));
}

static void explain(const rec_t *x, const rec_t *y, const char *want) {
  wt__canon_t ka = {0}, kb = {0};
  wt__sb_t out = {0};
  key(x, false, &ka);
  key(y, false, &kb);
  wt__diff_explain(&out, &x->c, &ka, &y->c, &kb);
  assert_non_null(out.s);
  assert_string_equal(out.s, want);
  wt__sb_free(&out);
  wt__diff_canon_free(&ka);
  wt__diff_canon_free(&kb);
}

static void test_explain(void **state) {
  rec_t x, y;
  (void)state;
  path_open(&x, 1, "config.txt", WT_ESUCCESS);
  path_open(&y, 1, "config.txt", WT_ENOENT);
  explain(&x, &y, "path_open: errno SUCCESS in A, NOENT in B");
  path_open(&y, 1, "other.txt", WT_ESUCCESS);
  explain(&x, &y, "path_open: argument path");
  fd_write(&x, 1, "one\n");
  fd_write(&y, 1, "two\n");
  explain(&x, &y, "fd_write: bytes of iovs");
  fd_write(&y, 1, "three\n");
  explain(&x, &y, "fd_write: argument iovs, result nwritten, bytes of iovs");
  clock_time(&y, 1, 5);
  explain(&x, &y, "A calls fd_write, B calls clock_time_get");
}

static void test_canon_corrupt(void **state) {
  rec_t x, y;
  wt__canon_t k = {0};
  (void)state;
  path_open(&x, 1, "config.txt", WT_ESUCCESS);
  x.c.args_len = 10; /* cut inside the path */
  key(&x, false, &k);
  assert_true(k.bad);
  path_open(&y, 1, "config.txt", WT_ESUCCESS);
  assert_false(same_key(&x, &y, false));
  key(&y, false, &k);
  assert_false(k.bad);
  wt__diff_canon_free(&k);
}

/* ---- the driver ------------------------------------------------------------
 */

typedef struct stream_s {
  rec_t *recs;
  uint32_t n, i;
  int fail_at; /* -1: never */
} stream_t;

static int stream_next(void *ud, const wt_trace_call_t **out) {
  stream_t *s = ud;
  if ((int)s->i == s->fail_at) {
    wt_trace_set_error("damaged record");
    return -1;
  }
  if (s->i == s->n)
    return 0;
  *out = &s->recs[s->i++].c;
  return 1;
}

/* n writes "line i", with an extra sched_yield before index `extra` (-1:
 * none), and "LINE i" from index `changed` (-1: none). */
static rec_t *writes(uint32_t n, int extra, int changed, uint32_t *count) {
  rec_t *r = calloc(n + 1, sizeof *r);
  uint32_t k = 0;
  char text[32];
  assert_non_null(r);
  for (uint32_t i = 0; i < n; i++) {
    if ((int)i == extra) {
      base(&r[k], k + 1, WT_CALL_sched_yield);
      k++;
    }
    snprintf(text, sizeof text, "%s %u\n",
             changed >= 0 && (int)i >= changed ? "LINE" : "line", i);
    fd_write(&r[k], k + 1, text);
    r[k].pl.data = r[k].data; /* rec_t moved: point at its own bytes */
    r[k].c.payloads = &r[k].pl;
    k++;
  }
  *count = k;
  return r;
}

typedef struct run_s {
  wt_diff_result_t res;
  char *out;
  size_t len;
  int rc;
} run_t;

static void diff(rec_t *a, uint32_t na, rec_t *b, uint32_t nb, uint32_t window,
                 int fail_b, run_t *r) {
  stream_t sa = {a, na, 0, -1}, sb = {b, nb, 0, fail_b};
  wt_diff_side_t da = {"A", "a", stream_next, &sa};
  wt_diff_side_t db = {"B", "b", stream_next, &sb};
  wt_diff_options_t o;
  wt_view_options_t vo;
  wt_viewer_t *va, *vb;
  FILE *f;
  wt_view_options_init(&vo);
  vo.show_seq = false;
  vo.show_times = false;
  assert_int_equal(wt_viewer_new(&vo, &va), 0);
  assert_int_equal(wt_viewer_new(&vo, &vb), 0);
  wt_diff_options_init(&o);
  o.window = window;
  f = open_memstream(&r->out, &r->len);
  assert_non_null(f);
  r->rc = wt_diff_run(&o, &da, va, &db, vb, f, &r->res);
  fclose(f);
  wt_viewer_free(va);
  wt_viewer_free(vb);
}

static void test_run_same(void **state) {
  uint32_t na, nb;
  rec_t *a = writes(100, -1, -1, &na), *b = writes(100, -1, -1, &nb);
  run_t r;
  (void)state;
  for (uint32_t i = 0; i < nb; i++) /* other times: ignored */
    b[i].c.dur_ns += 1000;
  diff(a, na, b, nb, 16, -1, &r);
  assert_int_equal(r.rc, 0);
  assert_false(r.res.differ);
  assert_int_equal(r.res.alike, 100);
  assert_int_equal(r.len, 0);
  free(r.out);
  free(a);
  free(b);
}

/* One extra call in the middle: one region, one call, re-aligned after. */
static void test_run_inserted(void **state) {
  uint32_t na, nb;
  rec_t *a = writes(50, -1, -1, &na), *b = writes(50, 20, -1, &nb);
  run_t r;
  (void)state;
  diff(a, na, b, nb, 16, -1, &r);
  assert_int_equal(r.rc, 0);
  assert_true(r.res.differ);
  assert_int_equal(r.res.regions, 1);
  assert_int_equal(r.res.a_only, 0);
  assert_int_equal(r.res.b_only, 1);
  assert_int_equal(r.res.alike, 50);
  assert_int_equal(r.res.first_a, 21);
  assert_int_equal(r.res.first_b, 21);
  assert_int_equal(r.res.realign_a, 21);
  assert_int_equal(r.res.realign_b, 22);
  assert_non_null(strstr(r.out, "+ [21] sched_yield()"));
  assert_non_null(strstr(r.out, "  [21|22] fd_write("));
  assert_non_null(strstr(r.out, "  [20] fd_write("));
  assert_non_null(strstr(r.out, "B has 1 call A has not (sched_yield)"));
  free(r.out);
  free(a);
  free(b);
}

/* Runs that part for good: no re-alignment within the window. */
static void test_run_gave_up(void **state) {
  uint32_t na, nb;
  rec_t *a = writes(100, -1, -1, &na), *b = writes(100, -1, 10, &nb);
  run_t r;
  (void)state;
  diff(a, na, b, nb, 8, -1, &r);
  assert_int_equal(r.rc, 0);
  assert_true(r.res.differ);
  assert_true(r.res.gave_up);
  assert_int_equal(r.res.alike, 10);
  assert_int_equal(r.res.a_only + r.res.rest_a, 90);
  assert_int_equal(r.res.b_only + r.res.rest_b, 90);
  assert_non_null(strstr(r.out, "re-aligned: no, not within 8 calls"));
  free(r.out);
  free(a);
  free(b);
}

/* A trace that ends early: the rest of the other is one region. */
static void test_run_prefix(void **state) {
  uint32_t na, nb;
  rec_t *a = writes(40, -1, -1, &na), *b = writes(40, -1, -1, &nb);
  run_t r;
  (void)state;
  diff(a, na, b, 12, 4, -1, &r);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.res.regions, 1);
  assert_int_equal(r.res.a_only, 28);
  assert_int_equal(r.res.b_only, 0);
  assert_false(r.res.gave_up);
  assert_non_null(strstr(r.out, "re-aligned: no, the difference runs to "
                                "the end"));
  /* 20 lines shown, the rest counted. */
  assert_non_null(strstr(r.out, "- [32] fd_write("));
  assert_null(strstr(r.out, "- [33] fd_write("));
  assert_non_null(strstr(r.out, "- ... 8 more calls of A"));
  free(r.out);
  free(a);
  free(b);
}

static void test_run_damaged(void **state) {
  uint32_t na, nb;
  rec_t *a = writes(30, -1, -1, &na), *b = writes(30, -1, -1, &nb);
  run_t r;
  (void)state;
  diff(a, na, b, nb, 4, 7, &r);
  assert_int_equal(r.rc, -1);
  assert_string_equal(wt_trace_error(), "damaged record");
  free(r.out);
  free(a);
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_align_identical),
      cmocka_unit_test(test_align_insertion),
      cmocka_unit_test(test_align_substitution),
      cmocka_unit_test(test_align_ends),
      cmocka_unit_test(test_align_max_edits),
      cmocka_unit_test(test_align_optimal),
      cmocka_unit_test(test_canon_clock_ignored),
      cmocka_unit_test(test_canon_filestat),
      cmocka_unit_test(test_canon_random),
      cmocka_unit_test(test_canon_capture),
      cmocka_unit_test(test_explain),
      cmocka_unit_test(test_canon_corrupt),
      cmocka_unit_test(test_run_same),
      cmocka_unit_test(test_run_inserted),
      cmocka_unit_test(test_run_gave_up),
      cmocka_unit_test(test_run_prefix),
      cmocka_unit_test(test_run_damaged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
