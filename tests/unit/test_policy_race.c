/*
 * The policy against a swapping host: while a host thread exchanges an
 * allowed name for a symlink to a denied one (and back), continuously, the
 * guest opens files through that name via the policy layer stacked on the
 * core. Nothing denied is ever reached: every open that succeeds reads the
 * allowed file, every refusal is reported once, with the denied path, and
 * an inotify watch on the canary (the denied file) sees no open and no
 * access at all. inotify is exact where atime is not (relatime, noatime).
 *
 * Why there is no time-of-check/time-of-use gap to find: the core resolves
 * a guest path one component at a time, each opened with O_NOFOLLOW
 * relative to a directory fd it already holds (core/resolve.c); a symlink
 * is never followed by the kernel but read and spliced into the path by the
 * resolver, so the guest path it builds names exactly the directories whose
 * fds it holds. The guard judges that resolved guest path, and the final
 * operation then acts on the same (directory fd, name), again with
 * O_NOFOLLOW. Swapping a directory for a symlink after the walk opened it
 * changes nothing: the fd still refers to the directory that was judged,
 * wherever it now lives. Swapping it before makes the walk read the link,
 * and the judged path is the denied one. Swapping the final name for a
 * link between the resolver's look and the open makes the open fail
 * (ELOOP); it is never followed unjudged. The outcomes a swap can cause
 * besides allowed and denied (ENOTDIR, EINVAL, ELOOP: the name changed
 * kind under the resolver) all leave the host untouched.
 *
 * Bounded: RACE_OPENS opens or RACE_SECONDS, whichever comes first, but
 * never stopping before both an allowed and a denied open were seen (the
 * swap did happen under the guest), within the time bound. The pass
 * criteria are the invariants above, not timings.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "wt/policy.h"

#define DIRFD WT_TEST_DIRFD
#define RACE_OPENS 20000
#define RACE_SECONDS 10
#define ALLOWED "public allowed\n"
#define CANARY "SECRET canary!\n"

/* One scenario: in host directory `where` (relative to the sandbox root),
 * names a and b are exchanged; the guest opens `open`. */
typedef struct race_s {
  const char *where;
  const char *a, *b;
  const char *open;
  const char *canary;   /* host path of the denied file, under base */
  uint8_t source;       /* who must refuse */
  const char *resolved; /* policy denials: the path judged */
  const char *reason;   /* sandbox denials: the reason */
} race_t;

typedef struct swapper_s {
  int dfd;
  const char *a, *b;
  bool exchange; /* renameat2 RENAME_EXCHANGE works here */
  atomic_bool stop;
  atomic_ulong swaps;
  int err; /* errno of a failed swap, 0 */
} swapper_t;

typedef struct tally_s {
  const race_t *r;
  unsigned long logged, bad;
  char first_bad[512];
} tally_t;

/* Three renames through a third name when the file system cannot exchange:
 * the name is briefly absent (ENOENT), never anything else. */
static int swap_once(swapper_t *s) {
  if (s->exchange)
    return renameat2(s->dfd, s->a, s->dfd, s->b, RENAME_EXCHANGE);
  if (renameat(s->dfd, s->a, s->dfd, ".race-hold") != 0 ||
      renameat(s->dfd, s->b, s->dfd, s->a) != 0)
    return -1;
  return renameat(s->dfd, ".race-hold", s->dfd, s->b);
}

static void *swapper(void *arg) {
  swapper_t *s = arg;
  while (!atomic_load(&s->stop)) {
    if (swap_once(s) != 0) {
      s->err = errno;
      break;
    }
    atomic_fetch_add(&s->swaps, 1);
  }
  return NULL;
}

static void on_denial(void *ud, const wt_denial_t *d) {
  tally_t *t = ud;
  const race_t *r = t->r;
  bool ok = d->source == r->source && !d->would;
  if (ok && r->resolved != NULL)
    ok = d->resolved != NULL && strcmp(d->resolved, r->resolved) == 0;
  if (ok && r->reason != NULL)
    ok = d->reason != NULL && strcmp(d->reason, r->reason) == 0;
  t->logged++;
  if (!ok && t->bad++ == 0)
    snprintf(t->first_bad, sizeof t->first_bad,
             "source %s, resolved %s, reason %s, text %s",
             wt_deny_source_name(d->source),
             d->resolved ? d->resolved : "-", d->reason ? d->reason : "-",
             d->text ? d->text : "-");
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void host_path(char *buf, size_t n, const wt_test_env_t *env,
                      const char *rel) {
  snprintf(buf, n, "%s/%s", env->root, rel);
}

/* Every event the watch has queued: 0 when nothing touched the canary. */
static unsigned drain(int ifd, uint32_t *mask) {
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  unsigned n = 0;
  ssize_t len;
  *mask = 0;
  while ((len = read(ifd, buf, sizeof buf)) > 0)
    for (char *p = buf; p < buf + len;) {
      const struct inotify_event *ev = (const struct inotify_event *)p;
      *mask |= ev->mask;
      n++;
      p += sizeof *ev + ev->len;
    }
  return n;
}

typedef struct counts_s {
  unsigned long opens, allowed, denied, raced, wrong;
  char wrong_msg[256];
} counts_t;

/* One guest open through the layer, sorted by outcome. */
static void one_open(const wt_api_t *api, wt_policy_layer_t *l,
                     const race_t *r, unsigned long i, bool enoent_ok,
                     counts_t *c) {
  uint32_t dirflags = (i & 1) ? WT_LOOKUP_SYMLINK_FOLLOW : 0;
  wt_fd_t fd;
  wt_errno_t e = api->path_open(l, DIRFD, dirflags, r->open,
                                (uint32_t)strlen(r->open), 0,
                                WT_RIGHT_FD_READ, 0, 0, &fd);
  c->opens++;
  if (e == WT_ESUCCESS) {
    char got[64];
    wt_iovec_t iov = {(uint8_t *)got, sizeof got - 1};
    uint32_t n = 0;
    wt_errno_t re = api->fd_read(l, fd, &iov, 1, &n);
    got[re == WT_ESUCCESS ? n : 0] = '\0';
    api->fd_close(l, fd);
    c->allowed++;
    if (strcmp(got, ALLOWED) != 0 && c->wrong++ == 0)
      snprintf(c->wrong_msg, sizeof c->wrong_msg,
               "open %lu read \"%s\" (%s), want \"%s\"", i, got,
               wt_errno_name(re), ALLOWED);
  } else if (e == WT_ENOTCAPABLE) {
    c->denied++;
  } else if (e == WT_ENOTDIR || e == WT_EINVAL || e == WT_ELOOP ||
             (enoent_ok && e == WT_ENOENT)) {
    c->raced++;
  } else if (c->wrong++ == 0) {
    snprintf(c->wrong_msg, sizeof c->wrong_msg, "open %lu: unexpected %s", i,
             wt_errno_name(e));
  }
}

static void run_race(const race_t *r, wt_test_env_t *env) {
  wt_policy_t *p;
  wt_policy_layer_t *l;
  const wt_api_t *api = wt_policy_api();
  char err[512], path[700], canary_path[700];
  swapper_t s;
  tally_t t;
  counts_t c;
  pthread_t th;
  struct stat before, after;
  uint32_t mask;
  int ifd;
  double deadline;
  memset(&t, 0, sizeof t);
  memset(&c, 0, sizeof c);
  t.r = r;
  assert_int_equal(wt_policy_new(&p), 0);
  if (wt_policy_add_path_rule(p, false, "/sandbox/pub/**", WT_POLICY_READ_OPS,
                              -1, "--allow-read=/sandbox/pub", err,
                              sizeof err) < 0 ||
      wt_policy_finish(p, err, sizeof err) < 0)
    fail_msg("policy refused: %s", err);
  assert_int_equal(wt_policy_layer_open(p, wt_core_api(), env->w, env->w,
                                        NULL, on_denial, &t, &l),
                   0);

  /* The canary: its state before, and a watch that hears any open. */
  snprintf(canary_path, sizeof canary_path, "%s", r->canary);
  assert_int_equal(stat(canary_path, &before), 0);
  ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  assert_true(ifd >= 0);
  assert_true(inotify_add_watch(ifd, canary_path,
                                IN_OPEN | IN_ACCESS | IN_MODIFY | IN_ATTRIB |
                                    IN_CLOSE) >= 0);

  memset(&s, 0, sizeof s);
  host_path(path, sizeof path, env, r->where);
  s.dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(s.dfd >= 0);
  s.a = r->a;
  s.b = r->b;
  /* Can this file system exchange atomically? Try once, and back. */
  s.exchange = renameat2(s.dfd, s.a, s.dfd, s.b, RENAME_EXCHANGE) == 0;
  if (s.exchange)
    assert_int_equal(renameat2(s.dfd, s.a, s.dfd, s.b, RENAME_EXCHANGE), 0);
  atomic_init(&s.stop, false);
  atomic_init(&s.swaps, 0);
  assert_int_equal(pthread_create(&th, NULL, swapper, &s), 0);

  deadline = now_s() + RACE_SECONDS;
  for (unsigned long i = 0;; i++) {
    one_open(api, l, r, i, !s.exchange, &c);
    if ((i & 63) == 0 && now_s() > deadline)
      break;
    if (c.opens >= RACE_OPENS && c.allowed > 0 && c.denied > 0)
      break;
  }
  atomic_store(&s.stop, true);
  assert_int_equal(pthread_join(th, NULL), 0);
  close(s.dfd);

  printf("# %s: %lu opens (%lu allowed, %lu denied, %lu raced), %lu swaps%s\n",
         r->open, c.opens, c.allowed, c.denied, c.raced,
         (unsigned long)atomic_load(&s.swaps),
         s.exchange ? "" : " (three renames: no RENAME_EXCHANGE here)");
  if (s.err != 0)
    fail_msg("the swapper failed: %s", strerror(s.err));
  if (c.wrong != 0)
    fail_msg("%lu wrong outcomes; first: %s", c.wrong, c.wrong_msg);
  if (t.bad != 0)
    fail_msg("%lu denials not as expected; first: %s", t.bad, t.first_bad);
  /* Each refusal reported exactly once. */
  assert_int_equal(t.logged, c.denied);
  assert_int_equal(wt_policy_layer_denials(l), c.denied);
  /* The race did happen: both states seen by the guest. */
  if (c.allowed == 0 || c.denied == 0)
    fail_msg("the swap never met the guest in %d s: %lu allowed, %lu denied",
             RACE_SECONDS, c.allowed, c.denied);

  /* Nothing reached the canary: no event, same inode, size and times. */
  {
    unsigned n = drain(ifd, &mask);
    if (n != 0)
      fail_msg("the canary %s was touched: %u inotify events (mask 0x%x)",
               canary_path, n, (unsigned)mask);
  }
  assert_int_equal(stat(canary_path, &after), 0);
  assert_int_equal(after.st_ino, before.st_ino);
  assert_int_equal(after.st_size, before.st_size);
  assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  assert_int_equal(after.st_ctim.tv_nsec, before.st_ctim.tv_nsec);
  {
    char got[64];
    assert_int_equal(wt_test_read_file(canary_path, got, sizeof got),
                     (long)strlen(CANARY));
    assert_string_equal(got, CANARY);
  }
  /* The watch is live: the reading just above is heard. */
  assert_true(drain(ifd, &mask) > 0);
  assert_true((mask & IN_OPEN) != 0);
  close(ifd);

  wt_policy_layer_close(l);
  wt_policy_free(p);
}

/* pub/ (allowed, holds f) and priv/ (denied, holds the canary f); "swap"
 * is a symlink to priv (or to ../outside), exchanged with pub. */
static void make_tree(wt_test_env_t *env, const char *swap_target) {
  char path[700];
  wt_test_mkdir(env, "pub");
  wt_test_mkdir(env, "priv");
  wt_test_write_file(env, "pub/f", ALLOWED);
  wt_test_write_file(env, "priv/f", CANARY);
  wt_test_symlink(env, swap_target, "swap");
  snprintf(path, sizeof path, "%s/f", env->outside);
  {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(CANARY, f);
    fclose(f);
  }
}

/* The allowed directory exchanged with a symlink to the denied one. */
static void directory_swap(void **state) {
  wt_test_env_t env;
  char canary[700];
  race_t r = {"", "pub", "swap", "pub/f", canary, WT_DENY_POLICY,
              "/sandbox/priv/f", NULL};
  (void)state;
  wt_test_open(&env);
  make_tree(&env, "priv");
  host_path(canary, sizeof canary, &env, "priv/f");
  run_race(&r, &env);
  wt_test_close(&env);
}

/* The allowed file exchanged with a symlink to the denied file. */
static void file_swap(void **state) {
  wt_test_env_t env;
  char canary[700];
  race_t r = {"pub", "f", "g", "pub/f", canary, WT_DENY_POLICY,
              "/sandbox/priv/f", NULL};
  (void)state;
  wt_test_open(&env);
  make_tree(&env, "priv");
  wt_test_symlink(&env, "../priv/f", "pub/g");
  host_path(canary, sizeof canary, &env, "priv/f");
  run_race(&r, &env);
  wt_test_close(&env);
}

/* The allowed directory exchanged with a symlink leaving the sandbox: the
 * sandbox refuses it (source sandbox), before any policy. */
static void escape_swap(void **state) {
  wt_test_env_t env;
  char canary[700];
  race_t r = {"", "pub", "swap", "pub/f", canary, WT_DENY_SANDBOX, NULL,
              "symlink_escape"};
  (void)state;
  wt_test_open(&env);
  make_tree(&env, "../outside");
  snprintf(canary, sizeof canary, "%s/f", env.outside);
  run_race(&r, &env);
  wt_test_close(&env);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(directory_swap),
      cmocka_unit_test(file_swap),
      cmocka_unit_test(escape_swap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
