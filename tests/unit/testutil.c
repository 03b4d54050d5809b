/*
 * Shared cmocka helpers: temporary sandboxes and instances over them.
 */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

void wt_test_rmtree(const char *path) {
  nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void wt_test_open(wt_test_env_t *env) {
  char base[200];
  const char *tmp = getenv("TMPDIR");
  wt_options_t o;
  wt_preopen_t pre;
  int devnull;
  memset(env, 0, sizeof *env);
  snprintf(base, sizeof base, "%.150s/wt-test-XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp(base) == NULL)
    fail_msg("mkdtemp %s failed", base);
  snprintf(env->root, sizeof env->root, "%s/sandbox", base);
  snprintf(env->outside, sizeof env->outside, "%s/outside", base);
  if (mkdir(env->root, 0755) != 0 || mkdir(env->outside, 0755) != 0)
    fail_msg("mkdir in %s failed", base);
  devnull = open("/dev/null", O_RDWR);
  assert_true(devnull >= 0);
  wt_options_init(&o);
  o.in = o.out = o.err = devnull;
  pre.guest_path = "/sandbox";
  pre.host_path = env->root;
  o.preopenc = 1;
  o.preopens = &pre;
  if (wt_init(&o, &env->w) != WT_ESUCCESS)
    fail_msg("wt_init: %s", wt_init_error());
  close(devnull);
}

void wt_test_close(wt_test_env_t *env) {
  char base[256];
  size_t n = strlen(env->root) - strlen("/sandbox");
  wt_destroy(env->w);
  env->w = NULL;
  snprintf(base, sizeof base, "%.*s", (int)n, env->root);
  wt_test_rmtree(base);
}

int wt_test_setup(void **state) {
  wt_test_env_t *env = malloc(sizeof *env);
  assert_non_null(env);
  wt_test_open(env);
  *state = env;
  return 0;
}

int wt_test_teardown(void **state) {
  wt_test_close(*state);
  free(*state);
  return 0;
}

static void host_path(const wt_test_env_t *env, const char *rel, char *out,
                      size_t size) {
  snprintf(out, size, "%s/%s", env->root, rel);
}

void wt_test_write_file(const wt_test_env_t *env, const char *rel,
                        const char *content) {
  char p[512];
  FILE *f;
  host_path(env, rel, p, sizeof p);
  f = fopen(p, "wb");
  if (f == NULL)
    fail_msg("fopen %s failed", p);
  fputs(content, f);
  fclose(f);
}

void wt_test_mkdir(const wt_test_env_t *env, const char *rel) {
  char p[512];
  host_path(env, rel, p, sizeof p);
  if (mkdir(p, 0755) != 0)
    fail_msg("mkdir %s failed", p);
}

void wt_test_symlink(const wt_test_env_t *env, const char *target,
                     const char *rel) {
  char p[512];
  host_path(env, rel, p, sizeof p);
  if (symlink(target, p) != 0)
    fail_msg("symlink %s -> %s failed", p, target);
}

long wt_test_read_file(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "rb");
  size_t n;
  if (f == NULL)
    return -1;
  n = fread(buf, 1, size - 1, f);
  buf[n] = '\0';
  fclose(f);
  return (long)n;
}

wt_fd_t wt_test_open_file(wt_t *w, const char *path, uint16_t oflags,
                          uint64_t rights) {
  wt_fd_t fd = (wt_fd_t)-1;
  wt_errno_t e = wt_path_open(w, WT_TEST_DIRFD, WT_LOOKUP_SYMLINK_FOLLOW, path,
                              (uint32_t)strlen(path), oflags, rights, 0, 0,
                              &fd);
  if (e != WT_ESUCCESS)
    fail_msg("path_open %s: %s", path, wt_errno_name(e));
  return fd;
}

wt_errno_t wt_test_write_str(wt_t *w, wt_fd_t fd, const char *s) {
  wt_ciovec_t iov = {(const uint8_t *)s, (uint32_t)strlen(s)};
  uint32_t n = 0;
  return wt_fd_write(w, fd, &iov, 1, &n);
}

void wt_test_record(void *ud, const wt_transition_t *t) {
  wt_test_rec_t *rec = ud;
  if (rec->n < WT_TEST_MAX_TRANSITIONS)
    rec->t[rec->n++] = *t;
  else
    rec->lost++;
}

static bool same_transition(const wt_transition_t *a,
                            const wt_transition_t *b) {
  return a->kind == b->kind && a->fd == b->fd && a->fd2 == b->fd2 &&
         a->a == b->a && a->b == b->b && a->data == b->data;
}

static void print_transitions(const char *title, const wt_transition_t *t,
                              uint32_t n) {
  print_error("  %s (%u):\n", title, (unsigned)n);
  for (uint32_t i = 0; i < n; i++)
    print_error("    %-24s fd %u fd2 %u a %llu b %llu data %llu\n",
                wt_transition_name(t[i].kind), (unsigned)t[i].fd,
                (unsigned)t[i].fd2, (unsigned long long)t[i].a,
                (unsigned long long)t[i].b, (unsigned long long)t[i].data);
}

void wt_test_expect(wt_test_rec_t *rec, const wt_transition_t *want,
                    uint32_t n, const char *where, int line) {
  bool ok = rec->lost == 0 && rec->n == n;
  for (uint32_t i = 0; ok && i < n; i++)
    ok = same_transition(&rec->t[i], &want[i]);
  if (!ok) {
    print_error("%s:%d: transitions differ\n", where, line);
    print_transitions("got", rec->t, rec->n);
    print_transitions("want", want, n);
    rec->n = rec->lost = 0;
    fail_msg("unexpected transition sequence at %s:%d", where, line);
  }
  rec->n = rec->lost = 0;
}

int wt_test_observed_setup(void **state) {
  wt_test_observed_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  wt_test_open(&f->env);
  f->w = f->env.w;
  wt_set_observer(f->w, wt_test_record, &f->rec);
  *state = f;
  return 0;
}

int wt_test_observed_teardown(void **state) {
  wt_test_observed_t *f = *state;
  wt_test_close(&f->env);
  free(f);
  return 0;
}

const char *wt_test_wat(const char *dir, const char *name, const char *wat) {
  static char path[400];
  char src[400], cmd[1000];
  FILE *f;
  snprintf(src, sizeof src, "%.300s/%.60s.wat", dir, name);
  snprintf(path, sizeof path, "%.300s/%.60s.wasm", dir, name);
  f = fopen(src, "w");
  assert_non_null(f);
  fputs(wat, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "wat2wasm --debug-names %s -o %s", src, path);
  if (system(cmd) != 0)
    fail_msg("wat2wasm failed on %s", src);
  return path;
}
