/*
 * Replay round trips: a scenario runs on the core under the tracer, the
 * sandbox is deleted, and the same scenario runs against the replay of its
 * trace. Everything the scenario observes (errnos, out-params, bytes read,
 * structs, string tables, poll and epoll events, eventfd values, fd
 * numbers) must come back identical, from SQLite and JSON Lines traces,
 * with no record left over. Also: stdout and stderr re-emission (following
 * fds through dup and renumber), the proc_exit / proc_raise hooks, and
 * recording a replay through the front table (--verify).
 */
#include "test_replay_util.h"

typedef void (*scenario_fn)(const wt_api_t *api, void *ctx, rlog_t *l);

static const wt_ciovec_t *civ(const char *s, wt_ciovec_t *v) {
  v->buf = (const uint8_t *)s;
  v->buf_len = (uint32_t)strlen(s);
  return v;
}

/* ---- scenarios ----------------------------------------------------------- */

static void files(const wt_api_t *api, void *ctx, rlog_t *l) {
  wt_fd_t fd = 0, dir = WT_TEST_DIRFD;
  uint32_t n = 0;
  uint64_t off = 0;
  wt_ciovec_t cv[2] = {{(const uint8_t *)"hello ", 6},
                       {(const uint8_t *)"world\n", 6}};
  uint8_t a[5], b[32], dents[512];
  wt_iovec_t iv[2] = {{a, sizeof a}, {b, sizeof b}};
  wt_filestat_t st;
  wt_fdstat_t fst;
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  rlog_err(l, api->path_open(ctx, dir, 0, "f.txt", 5, WT_O_CREAT,
                             WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  RLOG(l, fd);
  rlog_err(l, api->fd_write(ctx, fd, cv, 2, &n));
  RLOG(l, n);
  rlog_err(l, api->fd_seek(ctx, fd, 0, WT_WHENCE_SET, &off));
  RLOG(l, off);
  rlog_err(l, api->fd_read(ctx, fd, iv, 2, &n));
  RLOG(l, n);
  RLOG(l, a);
  RLOG(l, b);
  memset(b, 0, sizeof b);
  rlog_err(l, api->fd_pread(ctx, fd, iv + 1, 1, 6, &n));
  RLOG(l, n);
  RLOG(l, b);
  rlog_err(l, api->fd_filestat_get(ctx, fd, &st));
  RLOG(l, st);
  rlog_err(l, api->fd_fdstat_get(ctx, fd, &fst));
  RLOG(l, fst);
  rlog_err(l, api->fd_tell(ctx, fd, &off));
  RLOG(l, off);
  rlog_err(l, api->path_create_directory(ctx, dir, "d", 1));
  rlog_err(l, api->path_rename(ctx, dir, "f.txt", 5, dir, "d/g.txt", 7));
  rlog_err(l, api->path_filestat_get(ctx, dir, 0, "d/g.txt", 7, &st));
  RLOG(l, st.size);
  RLOG(l, st.filetype);
  memset(dents, 0, sizeof dents);
  rlog_err(l, api->fd_readdir(ctx, dir, dents, sizeof dents, 0, &n));
  RLOG(l, n);
  RLOG(l, dents);
  /* Failures come back too. */
  rlog_err(l, api->path_open(ctx, dir, 0, "missing", 7, 0,
                             WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  rlog_err(l, api->fd_close(ctx, 77));
  rlog_err(l, api->fd_write(ctx, dir, cv, 1, &n)); /* a directory */
  rlog_err(l, api->path_unlink_file(ctx, dir, "d/g.txt", 7));
  rlog_err(l, api->path_remove_directory(ctx, dir, "d", 1));
}

static void environment(const wt_api_t *api, void *ctx, rlog_t *l) {
  uint32_t argc = 0, argsz = 0, envc = 0, envsz = 0;
  uint8_t offs[64], buf[256], rnd[32], name[16];
  wt_strtab_t tab = {offs, 16, buf, sizeof buf, 0, 0};
  uint64_t t1 = 0, t2 = 0, res = 0;
  wt_prestat_t pre;
  memset(offs, 0, sizeof offs);
  memset(buf, 0, sizeof buf);
  memset(name, 0, sizeof name);
  rlog_err(l, api->args_sizes_get(ctx, &argc, &argsz));
  RLOG(l, argc);
  RLOG(l, argsz);
  rlog_err(l, api->args_get(ctx, &tab));
  RLOG(l, tab.count);
  RLOG(l, tab.buf_used);
  RLOG(l, offs);
  RLOG(l, buf);
  rlog_err(l, api->environ_sizes_get(ctx, &envc, &envsz));
  RLOG(l, envc);
  rlog_err(l, api->environ_get(ctx, &tab));
  RLOG(l, tab.count);
  rlog_err(l, api->clock_res_get(ctx, WT_CLOCK_MONOTONIC, &res));
  RLOG(l, res);
  rlog_err(l, api->clock_time_get(ctx, WT_CLOCK_REALTIME, 1, &t1));
  rlog_err(l, api->clock_time_get(ctx, WT_CLOCK_MONOTONIC, 1, &t2));
  RLOG(l, t1);
  RLOG(l, t2);
  rlog_err(l, api->random_get(ctx, rnd, sizeof rnd));
  RLOG(l, rnd);
  rlog_err(l, api->sched_yield(ctx));
  rlog_err(l, api->fd_prestat_get(ctx, WT_TEST_DIRFD, &pre));
  RLOG(l, pre.pr_name_len);
  rlog_err(l, api->fd_prestat_dir_name(ctx, WT_TEST_DIRFD, name, 8));
  RLOG(l, name);
  rlog_err(l, api->clock_time_get(ctx, 99, 1, &t1)); /* EINVAL */
}

static void events(const wt_api_t *api, void *ctx, rlog_t *l) {
  wt_subscription_t sub[2];
  wt_event_t ev[2];
  wt_epoll_event_t in, out[4];
  wt_fd_t efd = 0, ep = 0, pr = 0, pw = 0;
  uint64_t one = 1, got = 0;
  uint32_t n = 0;
  wt_ciovec_t cv = {(const uint8_t *)&one, 8};
  wt_iovec_t iv = {(uint8_t *)&got, 8};
  char pipebuf[8] = {0};
  wt_iovec_t piv = {(uint8_t *)pipebuf, sizeof pipebuf};
  memset(sub, 0, sizeof sub);
  memset(ev, 0, sizeof ev);
  memset(out, 0, sizeof out);
  /* Padding included: the guest's bytes are compared as they are. */
  memset(&in, 0, sizeof in);
  in.events = WT_EPOLLIN;
  in.data.data2 = 0x1234567890ull;
  sub[0].userdata = 7;
  sub[0].u.tag = WT_EVENTTYPE_CLOCK;
  sub[0].u.u.clock.id = WT_CLOCK_MONOTONIC;
  sub[0].u.u.clock.timeout = 1000000;
  sub[1].userdata = 8;
  sub[1].u.tag = WT_EVENTTYPE_FD_WRITE;
  sub[1].u.u.fd_readwrite.fd = 1;
  rlog_err(l, api->poll_oneoff(ctx, sub, ev, 2, &n));
  RLOG(l, n);
  RLOG(l, ev);
  rlog_err(l, api->fd_event(ctx, 0, 0, &efd));
  rlog_err(l, api->epoll_create(ctx, &ep));
  RLOG(l, efd);
  RLOG(l, ep);
  rlog_err(l, api->epoll_ctl(ctx, ep, WT_EPOLL_CTL_ADD, efd, &in));
  rlog_err(l, api->fd_write(ctx, efd, &cv, 1, &n));
  rlog_err(l, api->epoll_wait(ctx, ep, out, 4, 0, &n));
  RLOG(l, n);
  RLOG(l, out);
  rlog_err(l, api->fd_read(ctx, efd, &iv, 1, &n));
  RLOG(l, got);
  rlog_err(l, api->epoll_wait(ctx, ep, out, 4, 0, &n));
  RLOG(l, n);
  rlog_err(l, api->fd_pipe(ctx, &pr, &pw));
  RLOG(l, pr);
  RLOG(l, pw);
  rlog_err(l, api->fd_write(ctx, pw, civ("piped", &cv), 1, &n));
  rlog_err(l, api->fd_read(ctx, pr, &piv, 1, &n));
  RLOG(l, n);
  RLOG(l, pipebuf);
  rlog_err(l, api->fd_dup(ctx, pr, &pw));
  RLOG(l, pw);
}

/* ---- the round trip ------------------------------------------------------ */

static void round_trip(scenario_fn fn, bool jsonl) {
  rec_t t;
  rp_t p;
  rlog_t *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
  rec_open(&t, jsonl ? "t.jsonl" : "t.db", jsonl);
  fn(wt_tracer_api(), t.tr, a);
  rec_finish(&t, 0);
  rp_open(&p, t.trace, NULL);
  fn(wt_replay_api(), p.r, b);
  rlog_same(a, b);
  rp_finish(&p, 0, WT_REPLAY_OK);
  assert_true(wt_replay_calls(p.r) > 5);
  assert_int_equal(p.stops, 0);
  assert_string_equal(wt_replay_report(p.r), "");
  rp_close(&p);
  rec_close(&t);
  free(a);
  free(b);
}

static void test_files_sqlite(void **state) {
  (void)state;
  round_trip(files, false);
}
static void test_files_jsonl(void **state) {
  (void)state;
  round_trip(files, true);
}
static void test_environment_sqlite(void **state) {
  (void)state;
  round_trip(environment, false);
}
static void test_environment_jsonl(void **state) {
  (void)state;
  round_trip(environment, true);
}
static void test_events_sqlite(void **state) {
  (void)state;
  round_trip(events, false);
}
static void test_events_jsonl(void **state) {
  (void)state;
  round_trip(events, true);
}

/* The recorded run really observed what the scenario checks. */
static void test_recorded_values(void **state) {
  rec_t t;
  rp_t p;
  uint8_t buf[16] = {0};
  wt_iovec_t iv = {buf, sizeof buf};
  wt_fd_t fd = 0;
  uint32_t n = 0;
  (void)state;
  rec_open(&t, "t.db", false);
  wt_test_write_file(&t.env, "in.txt", "recorded bytes");
  assert_ok(wt_tracer_api()->path_open(t.tr, WT_TEST_DIRFD, 0, "in.txt", 6, 0,
                                       WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  assert_ok(wt_tracer_api()->fd_read(t.tr, fd, &iv, 1, &n));
  rec_finish(&t, 0);
  memset(buf, 0, sizeof buf);
  rp_open(&p, t.trace, NULL);
  assert_ok(wt_replay_api()->path_open(p.r, WT_TEST_DIRFD, 0, "in.txt", 6, 0,
                                       WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  n = 0;
  assert_ok(wt_replay_api()->fd_read(p.r, fd, &iv, 1, &n));
  assert_int_equal(n, 14);
  assert_memory_equal(buf, "recorded bytes", 14);
  rp_finish(&p, 0, WT_REPLAY_OK);
  rp_close(&p);
  rec_close(&t);
}

/* ---- stdout and stderr --------------------------------------------------- */

static void writes(const wt_api_t *api, void *ctx, rlog_t *l) {
  wt_ciovec_t cv;
  wt_fd_t d = 0, fd = 0;
  uint32_t n = 0;
  rlog_err(l, api->fd_write(ctx, 1, civ("out1 ", &cv), 1, &n));
  rlog_err(l, api->fd_write(ctx, 2, civ("err1 ", &cv), 1, &n));
  rlog_err(l, api->fd_dup(ctx, 1, &d));
  rlog_err(l, api->fd_write(ctx, d, civ("out-dup ", &cv), 1, &n));
  rlog_err(l, api->path_open(ctx, WT_TEST_DIRFD, 0, "file", 4, WT_O_CREAT,
                             WT_RIGHTS_REGULAR_FILE, 0, 0, &fd));
  rlog_err(l, api->fd_renumber(ctx, fd, 2));
  rlog_err(l, api->fd_write(ctx, 2, civ("to the file ", &cv), 1, &n));
  rlog_err(l, api->fd_write(ctx, 1, civ("out2", &cv), 1, &n));
}

/* Reads a whole host file into buf (NUL-terminated). */
static void slurp(const char *path, char *buf, size_t size) {
  assert_true(wt_test_read_file(path, buf, size) >= 0);
}

static void test_stdio_reemitted(void **state) {
  rec_t t;
  rp_t p;
  rlog_t *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
  wt_replay_options_t o;
  char out_path[400], err_path[400], text[256];
  (void)state;
  rec_open(&t, "t.db", false);
  writes(wt_tracer_api(), t.tr, a);
  rec_finish(&t, 0);
  snprintf(out_path, sizeof out_path, "%s/out", t.env.outside);
  snprintf(err_path, sizeof err_path, "%s/err", t.env.outside);
  wt_replay_options_init(&o);
  o.out_fd = open(out_path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  o.err_fd = open(err_path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  assert_true(o.out_fd >= 0 && o.err_fd >= 0);
  rp_open(&p, t.trace, &o);
  writes(wt_replay_api(), p.r, b);
  rlog_same(a, b);
  rp_finish(&p, 0, WT_REPLAY_OK);
  rp_close(&p);
  close(o.out_fd);
  close(o.err_fd);
  slurp(out_path, text, sizeof text);
  assert_string_equal(text, "out1 out-dup out2");
  slurp(err_path, text, sizeof text); /* fd 2 became a file */
  assert_string_equal(text, "err1 ");
  rec_close(&t);
  free(a);
  free(b);
}

/* --quiet: the bytes are dropped (and the replay still matches). */
static void test_stdio_quiet(void **state) {
  rec_t t;
  rp_t p;
  rlog_t *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
  (void)state;
  rec_open(&t, "t.jsonl", true);
  writes(wt_tracer_api(), t.tr, a);
  rec_finish(&t, 0);
  rp_open(&p, t.trace, NULL); /* out_fd = err_fd = -1 */
  writes(wt_replay_api(), p.r, b);
  rlog_same(a, b);
  rp_finish(&p, 0, WT_REPLAY_OK);
  rp_close(&p);
  rec_close(&t);
  free(a);
  free(b);
}

/* ---- hooks --------------------------------------------------------------- */

typedef struct hooks_s {
  int exits, raises;
  uint32_t code;
  uint8_t sig;
} hooks_t;

static void on_exit_hook(void *ud, uint32_t code) {
  ((hooks_t *)ud)->exits++;
  ((hooks_t *)ud)->code = code;
}

static void on_raise_hook(void *ud, uint8_t sig) {
  ((hooks_t *)ud)->raises++;
  ((hooks_t *)ud)->sig = sig;
}

static void test_proc_exit_hook(void **state) {
  rec_t t;
  rp_t p;
  hooks_t h = {0, 0, 0, 0};
  wt_replay_options_t o;
  (void)state;
  rec_open(&t, "t.db", false);
  assert_ok(wt_tracer_api()->sched_yield(t.tr));
  wt_tracer_api()->proc_exit(t.tr, 42);
  rec_finish(&t, 42);
  wt_replay_options_init(&o);
  o.proc_exit = on_exit_hook;
  o.proc_exit_ud = &h;
  rp_open(&p, t.trace, &o);
  assert_ok(wt_replay_api()->sched_yield(p.r));
  assert_int_equal(h.exits, 0);
  wt_replay_api()->proc_exit(p.r, 42);
  assert_int_equal(h.exits, 1);
  assert_int_equal(h.code, 42);
  rp_finish(&p, 42, WT_REPLAY_OK);
  rp_close(&p);
  rec_close(&t);
}

/* A signal whose default action terminates: the proc_raise hook. */
static void test_proc_raise_hook(void **state) {
  rec_t t;
  rp_t p;
  hooks_t h = {0, 0, 0, 0};
  wt_replay_options_t o;
  wt_trace_end_t end = {WT_END_SIGNAL, 0, NULL, WT_SIGTERM, NULL};
  (void)state;
  rec_open(&t, "t.db", false);
  assert_ok(wt_tracer_api()->proc_raise(t.tr, WT_SIGCHLD)); /* ignored */
  assert_ok(wt_tracer_api()->proc_raise(t.tr, WT_SIGTERM));
  assert_int_equal(wt_tracer_finish(t.tr, &end), 0);
  t.tr = NULL;
  wt_replay_options_init(&o);
  o.proc_raise = on_raise_hook;
  o.proc_raise_ud = &h;
  rp_open(&p, t.trace, &o);
  assert_ok(wt_replay_api()->proc_raise(p.r, WT_SIGCHLD));
  assert_int_equal(h.raises, 0);
  assert_ok(wt_replay_api()->proc_raise(p.r, WT_SIGTERM));
  assert_int_equal(h.raises, 1);
  assert_int_equal(h.sig, WT_SIGTERM);
  assert_int_equal(wt_replay_finish(p.r, &end), WT_REPLAY_OK);
  rp_close(&p);
  rec_close(&t);
}

/* ---- recording a replay (--verify) --------------------------------------- */

static void verify(bool jsonl) {
  rec_t t;
  rp_t p;
  rlog_t *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
  wt_tracer_options_t to;
  wt_tracer_t *tr;
  wt_sink_t *sink;
  wt_trace_end_t end = {WT_END_EXIT, 0, NULL, 0, NULL};
  char again[400], *report = NULL;
  rec_open(&t, jsonl ? "t.jsonl" : "t.db", jsonl);
  files(wt_tracer_api(), t.tr, a);
  events(wt_tracer_api(), t.tr, a);
  rec_finish(&t, 0);
  /* guest -> front -> tracer -> replay */
  snprintf(again, sizeof again, "%s/again.db", t.env.outside);
  rp_open(&p, t.trace, NULL);
  assert_int_equal(wt_sink_sqlite_open(again, &sink), 0);
  wt_tracer_options_init(&to);
  to.ring_size = 1 << 20;
  assert_int_equal(wt_tracer_open(wt_replay_api(), p.r, sink, &to, &tr), 0);
  wt_replay_set_front(p.r, wt_tracer_api(), tr);
  files(wt_replay_front_api(), p.r, b);
  events(wt_replay_front_api(), p.r, b);
  rlog_same(a, b);
  assert_int_equal(wt_tracer_finish(tr, &end), 0);
  rp_finish(&p, 0, WT_REPLAY_OK);
  rp_close(&p);
  /* The second trace holds the same calls (the tracer's own query for the
   * directory's NOTCAPABLE write consumed no record). */
  assert_int_equal(wt_replay_compare(t.trace, again, &report), 0);
  assert_null(report);
  rec_close(&t);
  free(a);
  free(b);
}

static void test_verify_sqlite(void **state) {
  (void)state;
  verify(false);
}
static void test_verify_jsonl(void **state) {
  (void)state;
  verify(true);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_files_sqlite),
      cmocka_unit_test(test_files_jsonl),
      cmocka_unit_test(test_environment_sqlite),
      cmocka_unit_test(test_environment_jsonl),
      cmocka_unit_test(test_events_sqlite),
      cmocka_unit_test(test_events_jsonl),
      cmocka_unit_test(test_recorded_values),
      cmocka_unit_test(test_stdio_reemitted),
      cmocka_unit_test(test_stdio_quiet),
      cmocka_unit_test(test_proc_exit_hook),
      cmocka_unit_test(test_proc_raise_hook),
      cmocka_unit_test(test_verify_sqlite),
      cmocka_unit_test(test_verify_jsonl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
