/*
 * Traces the replay cannot trust: missing, not traces, recorded without
 * payloads, cut short, or with bytes changed anywhere. Each must give a
 * clear status or message and never a crash or an overflow of the guest's
 * buffers (run under the sanitizer build too). Also wt_replay_compare.
 */
#include <sys/stat.h>

#include "test_replay_util.h"

/* A guest's worth of calls; results are not checked, only survived. */
static void scenario(const wt_api_t *api, void *ctx) {
  wt_fd_t fd = 0;
  uint32_t n = 0, argc = 0, argsz = 0;
  uint8_t small[3], buf[64], offs[16], strbuf[32];
  wt_iovec_t iv[2] = {{small, sizeof small}, {buf, sizeof buf}};
  wt_ciovec_t cv = {(const uint8_t *)"some bytes to write", 19};
  wt_strtab_t tab = {offs, 4, strbuf, sizeof strbuf, 0, 0};
  wt_filestat_t st;
  wt_subscription_t sub;
  wt_event_t ev[1];
  uint64_t t = 0;
  memset(&sub, 0, sizeof sub);
  sub.u.tag = WT_EVENTTYPE_CLOCK;
  sub.u.u.clock.timeout = 1000;
  api->args_sizes_get(ctx, &argc, &argsz);
  api->args_get(ctx, &tab);
  api->path_open(ctx, WT_TEST_DIRFD, 0, "f", 1, WT_O_CREAT,
                 WT_RIGHTS_REGULAR_FILE, 0, 0, &fd);
  api->fd_write(ctx, fd, &cv, 1, &n);
  api->fd_seek(ctx, fd, 0, WT_WHENCE_SET, &t);
  api->fd_read(ctx, fd, iv, 2, &n);
  api->fd_filestat_get(ctx, fd, &st);
  api->fd_readdir(ctx, WT_TEST_DIRFD, buf, sizeof buf, 0, &n);
  api->random_get(ctx, buf, 16);
  api->clock_time_get(ctx, WT_CLOCK_MONOTONIC, 1, &t);
  api->poll_oneoff(ctx, &sub, ev, 1, &n);
  api->fd_write(ctx, 1, &cv, 1, &n);
  api->fd_close(ctx, fd);
}

static void record_scenario(rec_t *t, bool jsonl) {
  rec_open(t, jsonl ? "t.jsonl" : "t.db", jsonl);
  scenario(wt_tracer_api(), t->tr);
  rec_finish(t, 0);
}

/* Replays the scenario against whatever `path` holds: no crash allowed. */
static void survive(const char *path) {
  wt_replay_options_t o;
  wt_replay_t *r;
  wt_trace_end_t end = {WT_END_EXIT, 0, NULL, 0, NULL};
  wt_replay_options_init(&o);
  o.out_fd = o.err_fd = -1;
  if (wt_replay_open(path, &o, &r) < 0) {
    assert_true(strlen(wt_trace_error()) > 0);
    return;
  }
  scenario(wt_replay_api(), r);
  wt_replay_finish(r, &end);
  assert_non_null(wt_replay_report(r));
  wt_replay_close(r);
}

static long file_size(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return (long)st.st_size;
}

static void copy_file(const char *from, const char *to, long limit) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  int c;
  assert_non_null(in);
  assert_non_null(out);
  for (long i = 0; (limit < 0 || i < limit) && (c = fgetc(in)) != EOF; i++)
    fputc(c, out);
  fclose(in);
  fclose(out);
}

/* Overwrites `n` bytes at random offsets from `from` on (seeded). */
static void mutate(const char *path, long from, int n, unsigned *seed) {
  FILE *f = fopen(path, "r+b");
  long size = file_size(path);
  assert_non_null(f);
  for (int i = 0; i < n && size > from; i++) {
    fseek(f, from + (long)(rand_r(seed) % (unsigned)(size - from)), SEEK_SET);
    fputc(rand_r(seed) & 0xff, f);
  }
  fclose(f);
}

/* The offset of the first call record in a JSON Lines trace. */
static long first_call(const char *path) {
  char line[1 << 16];
  long at = 0;
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  while (fgets(line, sizeof line, f) != NULL &&
         strstr(line, "\"type\":\"call\"") == NULL)
    at = ftell(f);
  fclose(f);
  return at;
}

/* ---- refusals ------------------------------------------------------------ */

static void test_missing_and_not_traces(void **state) {
  rec_t t;
  wt_replay_t *r;
  char path[400];
  FILE *f;
  (void)state;
  rec_open(&t, "t.db", false);
  rec_finish(&t, 0);
  snprintf(path, sizeof path, "%s/none.db", t.env.outside);
  assert_int_equal(wt_replay_open(path, NULL, &r), -1);
  assert_non_null(strstr(wt_trace_error(), "none.db does not exist"));
  snprintf(path, sizeof path, "%s/text.txt", t.env.outside);
  assert_non_null(f = fopen(path, "w"));
  fputs("hello, not a trace\n", f);
  fclose(f);
  assert_int_equal(wt_replay_open(path, NULL, &r), -1);
  assert_non_null(strstr(wt_trace_error(), "not a wasitrace trace"));
  /* Opening with '{' makes a file look like JSON Lines, nothing more. */
  static const char *const braces[] = {"{\xd4\x91 binary\n",
                                       "{\"type\":\"meta\"}\n",
                                       "{\"type\":\"call\",\"seq\":1}\n"};
  for (size_t i = 0; i < sizeof braces / sizeof *braces; i++) {
    assert_non_null(f = fopen(path, "w"));
    fputs(braces[i], f);
    fclose(f);
    assert_int_equal(wt_replay_open(path, NULL, &r), -1);
    assert_non_null(strstr(wt_trace_error(), "not a wasitrace trace"));
  }
  rec_close(&t);
}

static void test_meta_capture_refused(void **state) {
  rec_t t;
  wt_replay_t *r;
  (void)state;
  rec_open_opts(&t, "t.jsonl", true, WT_CAPTURE_META, NULL);
  scenario(wt_tracer_api(), t.tr);
  rec_finish(&t, 0);
  assert_int_equal(wt_replay_open(t.trace, NULL, &r), -1);
  assert_non_null(strstr(wt_trace_error(), "cannot be replayed"));
  rec_close(&t);
}

/* ---- cut short ----------------------------------------------------------- */

/* Every prefix of a JSON Lines trace from the first call on. */
static void test_jsonl_every_prefix(void **state) {
  rec_t t;
  char cut[400];
  long size, from;
  (void)state;
  record_scenario(&t, true);
  snprintf(cut, sizeof cut, "%s/cut.jsonl", t.env.outside);
  size = file_size(t.trace);
  from = first_call(t.trace);
  for (long n = from; n <= size; n += 7) {
    copy_file(t.trace, cut, n);
    survive(cut);
  }
  rec_close(&t);
}

/* A prefix cut inside the calls: replayed up to there, then INCOMPLETE. */
static void test_jsonl_cut_is_incomplete(void **state) {
  rec_t t;
  rp_t p;
  char cut[400];
  (void)state;
  record_scenario(&t, true);
  snprintf(cut, sizeof cut, "%s/cut.jsonl", t.env.outside);
  copy_file(t.trace, cut, first_call(t.trace) + 10);
  rp_open(&p, cut, NULL);
  scenario(wt_replay_api(), p.r);
  assert_int_equal(wt_replay_status(p.r), WT_REPLAY_INCOMPLETE);
  assert_int_equal(wt_replay_calls(p.r), 0);
  assert_report_has(&p, "the trace ends after 0 calls");
  rp_close(&p);
  rec_close(&t);
}

static void test_sqlite_prefixes(void **state) {
  rec_t t;
  char cut[400];
  long size;
  (void)state;
  record_scenario(&t, false);
  snprintf(cut, sizeof cut, "%s/cut.db", t.env.outside);
  size = file_size(t.trace);
  for (long n = 0; n <= size; n += 1024) {
    copy_file(t.trace, cut, n);
    survive(cut);
  }
  rec_close(&t);
}

/* ---- bytes changed ------------------------------------------------------- */

static void test_jsonl_mutations(void **state) {
  rec_t t;
  char bad[400];
  unsigned seed = 12345;
  long from;
  (void)state;
  record_scenario(&t, true);
  snprintf(bad, sizeof bad, "%s/bad.jsonl", t.env.outside);
  from = first_call(t.trace);
  for (int i = 0; i < 300; i++) {
    copy_file(t.trace, bad, -1);
    mutate(bad, from, 1 + i % 4, &seed);
    survive(bad);
  }
  rec_close(&t);
}

static void test_sqlite_mutations(void **state) {
  rec_t t;
  char bad[400];
  unsigned seed = 777;
  (void)state;
  record_scenario(&t, false);
  snprintf(bad, sizeof bad, "%s/bad.db", t.env.outside);
  for (int i = 0; i < 150; i++) {
    copy_file(t.trace, bad, -1);
    mutate(bad, 100, 1 + i % 8, &seed);
    survive(bad);
  }
  rec_close(&t);
}

/*
 * Results that claim more than the guest's buffers hold: clamped to them
 * (the poisoned bytes beyond stay untouched), or refused as corrupt.
 */
static void test_outputs_never_overflow(void **state) {
  rec_t t;
  rp_t p;
  uint8_t buf[8];
  wt_iovec_t iv = {buf, 4}; /* buf[4..7] must stay untouched */
  uint32_t n = 0;
  (void)state;
  rec_open(&t, "t.db", false);
  wt_test_write_file(&t.env, "in", "0123456789");
  {
    wt_fd_t fd = 0;
    uint8_t big[16];
    wt_iovec_t biv = {big, sizeof big};
    assert_ok(wt_tracer_api()->path_open(t.tr, WT_TEST_DIRFD, 0, "in", 2, 0,
                                         WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
    assert_ok(wt_tracer_api()->fd_read(t.tr, fd, &biv, 1, &n));
    assert_int_equal(n, 10);
  }
  rec_finish(&t, 0);
  /* REPORT mode hands a differently-sized read the recorded bytes. */
  {
    wt_replay_options_t o;
    wt_fd_t fd = 0;
    wt_replay_options_init(&o);
    o.on_divergence = WT_REPLAY_REPORT;
    o.out_fd = o.err_fd = -1;
    rp_open(&p, t.trace, &o);
    memset(buf, 0, sizeof buf);
    assert_ok(wt_replay_api()->path_open(p.r, WT_TEST_DIRFD, 0, "in", 2, 0,
                                         WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
    assert_ok(wt_replay_api()->fd_read(p.r, fd, &iv, 1, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "0123\0\0\0\0", 8);
    assert_int_equal(wt_replay_divergences(p.r), 1);
    rp_close(&p);
  }
  rec_close(&t);
}

/* ---- comparing traces ---------------------------------------------------- */

static void test_compare(void **state) {
  rec_t t;
  char copy[400], other[400], *report = NULL;
  (void)state;
  record_scenario(&t, true);
  snprintf(copy, sizeof copy, "%s/copy.db", t.env.outside);
  assert_int_equal(wt_trace_convert(t.trace, copy, WT_TRACE_SQLITE), 0);
  assert_int_equal(wt_replay_compare(t.trace, copy, &report), 0);
  assert_null(report);
  /* Another run: its random bytes and clock values differ. */
  {
    rec_t u;
    record_scenario(&u, false);
    snprintf(other, sizeof other, "%s/other.db", t.env.outside);
    copy_file(u.trace, other, -1);
    rec_close(&u);
  }
  assert_int_equal(wt_replay_compare(t.trace, other, &report), 1);
  assert_non_null(report);
  assert_non_null(strstr(report, "the traces differ at seq"));
  free(report);
  assert_int_equal(wt_replay_compare(t.trace, "/nonexistent", &report), -1);
  rec_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_missing_and_not_traces),
      cmocka_unit_test(test_meta_capture_refused),
      cmocka_unit_test(test_jsonl_every_prefix),
      cmocka_unit_test(test_jsonl_cut_is_incomplete),
      cmocka_unit_test(test_sqlite_prefixes),
      cmocka_unit_test(test_jsonl_mutations),
      cmocka_unit_test(test_sqlite_mutations),
      cmocka_unit_test(test_outputs_never_overflow),
      cmocka_unit_test(test_compare),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
