/*
 * The core's guard (core.h): every path is judged after the core's own
 * resolution, as the guest-visible absolute path, with the operations the
 * call is about to do; a refusal leaves the host untouched; a path leaving
 * the sandbox never reaches the judge and is reported with its exact
 * reason, naming the link and its target when a symlink led out.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define DIRFD WT_TEST_DIRFD
#define RD WT_RIGHT_FD_READ
#define WR WT_RIGHT_FD_WRITE

#define MAX_ASKED 8

typedef struct seen_s {
  unsigned npath, nsandbox;
  uint16_t call, ops;
  char resolved[512], preopen[512], link[512], target[512];
  uint8_t reason;
  const char *deny; /* judged path refused, or NULL */
  /* Every question in order: "T /path" (tentative) or "R /path". */
  char asked[MAX_ASKED][512];
} seen_t;

static wt_errno_t on_path(void *ud, const wt_path_event_t *ev) {
  seen_t *s = ud;
  if (s->npath < MAX_ASKED)
    snprintf(s->asked[s->npath], sizeof s->asked[0], "%c %s",
             ev->tentative ? 'T' : 'R', ev->resolved);
  s->npath++;
  s->call = ev->call;
  s->ops = ev->ops;
  snprintf(s->resolved, sizeof s->resolved, "%s", ev->resolved);
  snprintf(s->preopen, sizeof s->preopen, "%.*s", (int)ev->preopen_len,
           ev->resolved);
  return s->deny != NULL && strcmp(s->deny, ev->resolved) == 0
             ? WT_ENOTCAPABLE
             : WT_ESUCCESS;
}

static void on_sandbox(void *ud, const wt_sandbox_event_t *ev) {
  seen_t *s = ud;
  s->nsandbox++;
  s->call = ev->call;
  s->reason = ev->reason;
  snprintf(s->preopen, sizeof s->preopen, "%s", ev->preopen);
  snprintf(s->link, sizeof s->link, "%s", ev->link ? ev->link : "");
  snprintf(s->target, sizeof s->target, "%s", ev->target ? ev->target : "");
}

typedef struct fx_s {
  wt_test_env_t env;
  seen_t s;
} fx_t;

static int setup_guard(void **state, bool tentative) {
  fx_t *f = calloc(1, sizeof *f);
  wt_guard_t g = {on_path, on_sandbox, NULL, tentative};
  wt_test_open(&f->env);
  g.ud = &f->s;
  wt_set_guard(f->env.w, &g);
  wt_test_mkdir(&f->env, "sub");
  wt_test_write_file(&f->env, "sub/f.txt", "data");
  *state = f;
  return 0;
}

static int setup(void **state) { return setup_guard(state, false); }

/* A guard answering tentative questions (as the policy layer's does). */
static int setup_tentative(void **state) { return setup_guard(state, true); }

static int teardown(void **state) {
  fx_t *f = *state;
  wt_test_close(&f->env);
  free(f);
  return 0;
}

static wt_errno_t open_path(wt_t *w, wt_fd_t dir, const char *p,
                            uint16_t oflags, wt_rights_t r, wt_fd_t *fd) {
  return wt_path_open(w, dir, 0, p, (uint32_t)strlen(p), oflags, r, 0, 0, fd);
}

/* "a/../b", ".", trailing slashes and in-sandbox symlinks are judged as
 * the one absolute path they resolve to. */
static void resolved_path_is_canonical(void **state) {
  fx_t *f = *state;
  wt_fd_t fd;
  wt_test_symlink(&f->env, "sub", "lnk");
  const char *const given[] = {"sub/f.txt", "./sub/../sub/f.txt",
                               "sub//./f.txt", "lnk/f.txt"};
  for (size_t i = 0; i < sizeof given / sizeof *given; i++) {
    f->s.npath = 0;
    assert_ok(open_path(f->env.w, DIRFD, given[i], 0, RD, &fd));
    assert_int_equal(f->s.npath, 1);
    assert_string_equal(f->s.resolved, "/sandbox/sub/f.txt");
    assert_string_equal(f->s.preopen, "/sandbox");
    assert_int_equal(f->s.ops, WT_PATH_OP_READ);
    assert_int_equal(f->s.call, WT_CALL_path_open);
    assert_ok(wt_fd_close(f->env.w, fd));
  }
  assert_ok(open_path(f->env.w, DIRFD, "sub/", WT_O_DIRECTORY,
                      WT_RIGHT_FD_READDIR, &fd));
  assert_string_equal(f->s.resolved, "/sandbox/sub");
  assert_int_equal(f->s.ops, WT_PATH_OP_LIST);
  assert_ok(wt_fd_close(f->env.w, fd));
  assert_ok(open_path(f->env.w, DIRFD, ".", WT_O_DIRECTORY,
                      WT_RIGHT_FD_READDIR, &fd));
  assert_string_equal(f->s.resolved, "/sandbox");
  assert_ok(wt_fd_close(f->env.w, fd));
}

/* A directory opened by the guest carries its guest path. */
static void relative_to_opened_directory(void **state) {
  fx_t *f = *state;
  wt_fd_t dir, fd;
  assert_ok(open_path(f->env.w, DIRFD, "sub", WT_O_DIRECTORY,
                      WT_RIGHT_PATH_OPEN | WT_RIGHT_FD_READDIR, &dir));
  assert_ok(wt_path_open(f->env.w, dir, 0, "f.txt", 5, 0, 0, 0, 0, &fd));
  assert_string_equal(f->s.resolved, "/sandbox/sub/f.txt");
  assert_string_equal(f->s.preopen, "/sandbox");
  assert_int_equal(f->s.ops, WT_PATH_OP_STAT);
  assert_ok(wt_fd_close(f->env.w, fd));
  assert_ok(wt_fd_close(f->env.w, dir));
}

/* The operations each call is judged for. */
static void operations(void **state) {
  fx_t *f = *state;
  wt_t *w = f->env.w;
  wt_fd_t fd;
  wt_filestat_t st;
  assert_ok(open_path(w, DIRFD, "new.txt", WT_O_CREAT, WR, &fd));
  assert_int_equal(f->s.ops, WT_PATH_OP_WRITE | WT_PATH_OP_CREATE);
  assert_ok(wt_fd_close(w, fd));
  /* CREAT on a file that is there: no create. */
  assert_ok(open_path(w, DIRFD, "new.txt", WT_O_CREAT, WR, &fd));
  assert_int_equal(f->s.ops, WT_PATH_OP_WRITE);
  assert_ok(wt_fd_close(w, fd));
  assert_ok(wt_path_filestat_get(w, DIRFD, 0, "new.txt", 7, &st));
  assert_int_equal(f->s.ops, WT_PATH_OP_STAT);
  assert_ok(wt_path_create_directory(w, DIRFD, "d", 1));
  assert_int_equal(f->s.ops, WT_PATH_OP_CREATE);
  assert_ok(wt_path_rename(w, DIRFD, "d", 1, DIRFD, "e", 1));
  assert_int_equal(f->s.ops, WT_PATH_OP_RENAME);
  assert_string_equal(f->s.resolved, "/sandbox/e");
  assert_ok(wt_path_remove_directory(w, DIRFD, "e", 1));
  assert_int_equal(f->s.ops, WT_PATH_OP_DELETE);
  assert_ok(wt_path_symlink(w, "new.txt", 7, DIRFD, "sl", 2));
  assert_int_equal(f->s.ops, WT_PATH_OP_SYMLINK);
  assert_ok(wt_path_unlink_file(w, DIRFD, "sl", 2));
  assert_int_equal(f->s.ops, WT_PATH_OP_DELETE);
}

/* A refusal goes to the guest and nothing happens on the host. */
static void refusal_does_nothing(void **state) {
  fx_t *f = *state;
  wt_t *w = f->env.w;
  char host[600];
  struct stat st;
  wt_fd_t fd;
  f->s.deny = "/sandbox/sub/g.txt";
  assert_errno(open_path(w, DIRFD, "sub/../sub/g.txt", WT_O_CREAT, WR, &fd),
               WT_ENOTCAPABLE);
  snprintf(host, sizeof host, "%s/sub/g.txt", f->env.root);
  assert_int_equal(lstat(host, &st), -1);
  f->s.deny = "/sandbox/sub";
  assert_errno(wt_path_remove_directory(w, DIRFD, "sub", 3), WT_ENOTCAPABLE);
  snprintf(host, sizeof host, "%s/sub", f->env.root);
  assert_int_equal(lstat(host, &st), 0);
}

static void expect_sandbox(fx_t *f, const char *path, wt_errno_t err,
                           wt_sandbox_reason_t reason, const char *link,
                           const char *target) {
  wt_fd_t fd;
  f->s.npath = f->s.nsandbox = 0;
  assert_errno(open_path(f->env.w, DIRFD, path, 0, RD, &fd), err);
  assert_int_equal(f->s.nsandbox, 1);
  assert_int_equal(f->s.npath, 0);
  assert_string_equal(wt_sandbox_reason_name(f->s.reason),
                      wt_sandbox_reason_name(reason));
  assert_string_equal(f->s.preopen, "/sandbox");
  assert_string_equal(f->s.link, link);
  assert_string_equal(f->s.target, target);
}

/* Every way out, with its reason; none reaches the judge. */
static void sandbox_reasons(void **state) {
  fx_t *f = *state;
  wt_test_symlink(&f->env, "../outside", "out");
  wt_test_symlink(&f->env, "/etc", "abs");
  wt_test_symlink(&f->env, "loop", "loop");
  wt_test_symlink(&f->env, "..", "sub/up");
  wt_test_symlink(&f->env, "../..", "sub/up2");
  expect_sandbox(f, "../outside/x", WT_ENOTCAPABLE, WT_SANDBOX_DOTDOT, "",
                 "");
  expect_sandbox(f, "sub/../../x", WT_ENOTCAPABLE, WT_SANDBOX_DOTDOT, "", "");
  expect_sandbox(f, "/etc/passwd", WT_ENOTCAPABLE, WT_SANDBOX_ABSOLUTE, "",
                 "");
  expect_sandbox(f, "out/x", WT_ENOTCAPABLE, WT_SANDBOX_SYMLINK_ESCAPE,
                 "/sandbox/out", "../outside");
  /* The link climbs to the root; the guest's own ".." goes above it. */
  expect_sandbox(f, "sub/up/../x", WT_ENOTCAPABLE, WT_SANDBOX_DOTDOT, "", "");
  expect_sandbox(f, "sub/up2/x", WT_ENOTCAPABLE, WT_SANDBOX_SYMLINK_ESCAPE,
                 "/sandbox/sub/up2", "../..");
  expect_sandbox(f, "abs/passwd", WT_ENOTCAPABLE, WT_SANDBOX_SYMLINK_ABSOLUTE,
                 "/sandbox/abs", "/etc");
  expect_sandbox(f, "loop/x", WT_ELOOP, WT_SANDBOX_LOOP, "/sandbox/loop",
                 "loop");
  f->s.nsandbox = 0;
  {
    wt_fd_t fd;
    assert_errno(open_path(f->env.w, DIRFD, "a\0b", 0, RD, &fd), WT_ENOENT);
    assert_errno(wt_path_open(f->env.w, DIRFD, 0, "a\0b", 3, 0, RD, 0, 0, &fd),
                 WT_EINVAL);
  }
  assert_int_equal(f->s.nsandbox, 1);
  assert_string_equal(wt_sandbox_reason_name(f->s.reason), "nul");
}

/* ---- tentative questions (SYMLINK_FOLLOW opens) -------------------------- */

static wt_errno_t open_follow(fx_t *f, const char *p, wt_fd_t *fd) {
  f->s.npath = 0;
  return wt_path_open(f->env.w, DIRFD, WT_LOOKUP_SYMLINK_FOLLOW, p,
                      (uint32_t)strlen(p), 0, RD, 0, 0, fd);
}

/* The fd reads the content of the file it should have opened. */
static void expect_content(fx_t *f, wt_fd_t fd, const char *want) {
  uint8_t buf[64];
  wt_iovec_t iov = {buf, sizeof buf - 1};
  uint32_t n = 0;
  assert_ok(wt_fd_read(f->env.w, fd, &iov, 1, &n));
  buf[n] = '\0';
  assert_string_equal((char *)buf, want);
  assert_ok(wt_fd_close(f->env.w, fd));
}

/* A guard that cannot answer tentatively hears only the followed path. */
static void followed_path_only(void **state) {
  fx_t *f = *state;
  wt_fd_t fd;
  wt_test_symlink(&f->env, "sub/f.txt", "lnk");
  assert_ok(open_follow(f, "lnk", &fd));
  assert_int_equal(f->s.npath, 1);
  assert_string_equal(f->s.asked[0], "R /sandbox/sub/f.txt");
  expect_content(f, fd, "data");
}

/* A name that is no link: one tentative question, whose yes stands (the
 * open that follows is O_NOFOLLOW on the very name judged). */
static void tentative_plain_name(void **state) {
  fx_t *f = *state;
  wt_fd_t fd;
  assert_ok(open_follow(f, "sub/f.txt", &fd));
  assert_int_equal(f->s.npath, 1);
  assert_string_equal(f->s.asked[0], "T /sandbox/sub/f.txt");
  expect_content(f, fd, "data");
  /* Not following: asked for real, as ever. */
  f->s.npath = 0;
  assert_ok(open_path(f->env.w, DIRFD, "sub/f.txt", 0, RD, &fd));
  assert_int_equal(f->s.npath, 1);
  assert_string_equal(f->s.asked[0], "R /sandbox/sub/f.txt");
  assert_ok(wt_fd_close(f->env.w, fd));
}

/* A link: the tentative yes about the link's own name is not acted on;
 * the followed path is asked for real, and that answer decides. */
static void tentative_link_asked_again(void **state) {
  fx_t *f = *state;
  wt_fd_t fd;
  wt_test_write_file(&f->env, "other.txt", "other");
  wt_test_symlink(&f->env, "sub/f.txt", "lnk");
  assert_ok(open_follow(f, "lnk", &fd));
  assert_int_equal(f->s.npath, 2);
  assert_string_equal(f->s.asked[0], "T /sandbox/lnk");
  assert_string_equal(f->s.asked[1], "R /sandbox/sub/f.txt");
  expect_content(f, fd, "data");
  /* The target refused: the guest gets the real answer, nothing opens. */
  f->s.deny = "/sandbox/sub/f.txt";
  assert_errno(open_follow(f, "lnk", &fd), WT_ENOTCAPABLE);
  assert_int_equal(f->s.npath, 2);
  assert_string_equal(f->s.asked[1], "R /sandbox/sub/f.txt");
  /* The link's name refused but not its target: the real answer is yes. */
  f->s.deny = "/sandbox/lnk";
  assert_ok(open_follow(f, "lnk", &fd));
  assert_int_equal(f->s.npath, 2);
  assert_string_equal(f->s.asked[0], "T /sandbox/lnk");
  assert_string_equal(f->s.asked[1], "R /sandbox/sub/f.txt");
  expect_content(f, fd, "data");
  /* A link into the sandbox's other file, that file refused. */
  wt_test_symlink(&f->env, "../other.txt", "sub/up");
  f->s.deny = "/sandbox/other.txt";
  assert_errno(open_follow(f, "sub/up", &fd), WT_ENOTCAPABLE);
  assert_string_equal(f->s.asked[0], "T /sandbox/sub/up");
  assert_string_equal(f->s.asked[1], "R /sandbox/other.txt");
}

/* A tentative no is asked again for real before the guest hears it; an
 * escape still reaches only the sandbox listener, once. */
static void tentative_refusal_asked_again(void **state) {
  fx_t *f = *state;
  wt_fd_t fd;
  f->s.deny = "/sandbox/sub/f.txt";
  assert_errno(open_follow(f, "sub/f.txt", &fd), WT_ENOTCAPABLE);
  assert_int_equal(f->s.npath, 2);
  assert_string_equal(f->s.asked[0], "T /sandbox/sub/f.txt");
  assert_string_equal(f->s.asked[1], "R /sandbox/sub/f.txt");
  /* O_DIRECTORY on a file: ENOTDIR, after the real question. */
  f->s.deny = NULL;
  f->s.npath = 0;
  assert_errno(wt_path_open(f->env.w, DIRFD, WT_LOOKUP_SYMLINK_FOLLOW,
                            "sub/f.txt", 9, WT_O_DIRECTORY,
                            WT_RIGHT_FD_READDIR, 0, 0, &fd),
               WT_ENOTDIR);
  assert_string_equal(f->s.asked[f->s.npath - 1], "R /sandbox/sub/f.txt");
  wt_test_symlink(&f->env, "../outside", "out");
  f->s.nsandbox = 0;
  assert_errno(open_follow(f, "out", &fd), WT_ENOTCAPABLE);
  assert_int_equal(f->s.nsandbox, 1);
  assert_int_equal(f->s.reason, WT_SANDBOX_SYMLINK_ESCAPE);
  assert_int_equal(f->s.npath, 1);
  assert_string_equal(f->s.asked[0], "T /sandbox/out");
  f->s.nsandbox = 0;
  assert_errno(open_follow(f, "../x", &fd), WT_ENOTCAPABLE);
  assert_int_equal(f->s.nsandbox, 1);
  assert_int_equal(f->s.npath, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(resolved_path_is_canonical, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(relative_to_opened_directory, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(operations, setup, teardown),
      cmocka_unit_test_setup_teardown(refusal_does_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(sandbox_reasons, setup, teardown),
      cmocka_unit_test_setup_teardown(followed_path_only, setup, teardown),
      cmocka_unit_test_setup_teardown(tentative_plain_name, setup_tentative,
                                      teardown),
      cmocka_unit_test_setup_teardown(tentative_link_asked_again,
                                      setup_tentative, teardown),
      cmocka_unit_test_setup_teardown(tentative_refusal_asked_again,
                                      setup_tentative, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
