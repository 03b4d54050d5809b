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

typedef struct seen_s {
  unsigned npath, nsandbox;
  uint16_t call, ops;
  char resolved[512], preopen[512], link[512], target[512];
  uint8_t reason;
  const char *deny; /* judged path refused, or NULL */
} seen_t;

static wt_errno_t on_path(void *ud, const wt_path_event_t *ev) {
  seen_t *s = ud;
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

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  wt_guard_t g = {on_path, on_sandbox, NULL};
  wt_test_open(&f->env);
  g.ud = &f->s;
  wt_set_guard(f->env.w, &g);
  wt_test_mkdir(&f->env, "sub");
  wt_test_write_file(&f->env, "sub/f.txt", "data");
  *state = f;
  return 0;
}

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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(resolved_path_is_canonical, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(relative_to_opened_directory, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(operations, setup, teardown),
      cmocka_unit_test_setup_teardown(refusal_does_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(sandbox_reasons, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
