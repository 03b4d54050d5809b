/*
 * The error matrix, expanded from core/calls.def: for every call,
 *   - each FD argument in turn replaced by a closed fd    -> EBADF
 *   - each FD argument in turn missing its required right -> ENOTCAPABLE
 *   - each enum/flags argument in turn given a value outside its domain
 *     (with every other argument valid)                   -> EINVAL
 * Adding a call to the table adds its rows here.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

#define MAX_FDS 4
#define BAD_FD 9999u

/* What the generated callers read their arguments from. */
typedef struct matrix_s {
  wt_test_env_t env;
  const char *family; /* fd type to hand out: dir, file or socket */
  wt_fd_t fds[MAX_FDS];
  int bad_fd_pos;       /* FD argument replaced by BAD_FD, or -1 */
  int invalid_pos;      /* IN argument given its invalid value, or -1 */
  _Alignas(8) uint8_t scratch[4096];
  wt_strtab_t strtab;
} matrix_t;

/*
 * Per value format: (has an invalid value?, the invalid value, a valid
 * value). Formats without one (the domain is the whole type) map to
 * DOM_DEFAULT through the DOM_<fmt>_T list below, which must name every
 * format calls.def uses: a new format fails to compile until it is listed.
 */
#define DOM_whence (1, 3, WT_WHENCE_SET)
#define DOM_advice (1, 6, WT_ADVICE_NORMAL)
#define DOM_clockid (1, 99, WT_CLOCK_MONOTONIC)
#define DOM_fstflags (1, WT_FSTFLAG_ATIM | WT_FSTFLAG_ATIM_NOW, 0)
#define DOM_oflags (1, 0x10, 0)
#define DOM_fdflags (1, 0x20, 0)
#define DOM_riflags (1, 0x4, 0)
#define DOM_siflags (1, 0x1, 0)
#define DOM_sdflags (1, 0, WT_SHUT_WR)
#define DOM_signal (1, 200, WT_SIGNONE)
#define DOM_epoll_op (1, 7, WT_EPOLL_CTL_ADD)
#define DOM_eventfdflags (1, 0x8, 0)
#define DOM_fdflagsext (1, 0x2, 0)
#define DOM_DEFAULT (0, 0, 0)
#define DOM_HAS(t) WT__DOM_0 t
#define DOM_INVALID(t) WT__DOM_1 t
#define DOM_VALID(t) WT__DOM_2 t
#define WT__DOM_0(a, b, c) a
#define WT__DOM_1(a, b, c) b
#define WT__DOM_2(a, b, c) c

static wt_fd_t fd_arg(matrix_t *m, int pos) {
  return pos == m->bad_fd_pos ? BAD_FD : m->fds[pos];
}

/* Argument declarations for the generated callers. */
#define MD_VOID()
#define MD_FD(name, right) wt_fd_t name = fd_arg(m, fdpos++);
#define MD_IN(type, name, fmt)                                               \
  type name = (type)(inpos++ == m->invalid_pos                               \
                         ? DOM_INVALID(DOM_##fmt##_T(fmt))                   \
                         : DOM_VALID(DOM_##fmt##_T(fmt)));
#define MD_IN_STR(name)                                                      \
  const char *name = "x";                                                    \
  uint32_t name##_len = 1;
#define MD_IN_IOVS(name)                                                     \
  const wt_ciovec_t *name = NULL;                                            \
  uint32_t name##_len = 0;
#define MD_OUT_IOVS(name, used)                                              \
  const wt_iovec_t *name = NULL;                                             \
  uint32_t name##_len = 0;
#define MD_OUT_BUF(name, used)                                               \
  uint8_t *name = m->scratch;                                                \
  uint32_t name##_len = 16;
#define MD_OUT_BYTES(name) MD_OUT_BUF(name, 0)
#define MD_OUT(type, name, fmt) type *name = (type *)(void *)m->scratch;
#define MD_IN_ARRAY(type, name, count, fmt) const type *name = NULL;
#define MD_OUT_ARRAY(type, name, count, used, fmt)                           \
  type *name = (type *)(void *)m->scratch;
#define MD_IN_OPT(type, name, fmt) const type *name = NULL;
#define MD_OUT_STRTAB(name) wt_strtab_t *name = &m->strtab;

/* Counting FD and checkable IN arguments; the rights FD arguments need. */
#define MC_VOID()
#define MC_FD(name, right) +1
#define MC_IN(type, name, fmt)
#define MC_IN_STR(name)
#define MC_IN_IOVS(name)
#define MC_OUT_IOVS(name, used)
#define MC_OUT_BUF(name, used)
#define MC_OUT_BYTES(name)
#define MC_OUT(type, name, fmt)
#define MC_IN_ARRAY(type, name, count, fmt)
#define MC_OUT_ARRAY(type, name, count, used, fmt)
#define MC_IN_OPT(type, name, fmt)
#define MC_OUT_STRTAB(name)
#define MR_VOID()
#define MR_FD(name, right) WT_FD_RIGHT(right),
#define MR_IN(type, name, fmt)
#define MR_IN_STR(name)
#define MR_IN_IOVS(name)
#define MR_OUT_IOVS(name, used)
#define MR_OUT_BUF(name, used)
#define MR_OUT_BYTES(name)
#define MR_OUT(type, name, fmt)
#define MR_IN_ARRAY(type, name, count, fmt)
#define MR_OUT_ARRAY(type, name, count, used, fmt)
#define MR_IN_OPT(type, name, fmt)
#define MR_OUT_STRTAB(name)
/* 1 for each IN argument whose format has an invalid value, else 0. */
#define MV_VOID()
#define MV_FD(name, right)
#define MV_IN(type, name, fmt) DOM_HAS(DOM_##fmt##_T(fmt)),
#define MV_IN_STR(name)
#define MV_IN_IOVS(name)
#define MV_OUT_IOVS(name, used)
#define MV_OUT_BUF(name, used)
#define MV_OUT_BYTES(name)
#define MV_OUT(type, name, fmt)
#define MV_IN_ARRAY(type, name, count, fmt)
#define MV_OUT_ARRAY(type, name, count, used, fmt)
#define MV_IN_OPT(type, name, fmt)
#define MV_OUT_STRTAB(name)

/*
 * DOM_<fmt>_T(fmt): the domain triple of a format. Listed formats map to
 * their DOM_ row; every other format used in calls.def maps to DEFAULT.
 */
#define DOM_whence_T(f) DOM_whence
#define DOM_advice_T(f) DOM_advice
#define DOM_clockid_T(f) DOM_clockid
#define DOM_fstflags_T(f) DOM_fstflags
#define DOM_oflags_T(f) DOM_oflags
#define DOM_fdflags_T(f) DOM_fdflags
#define DOM_riflags_T(f) DOM_riflags
#define DOM_siflags_T(f) DOM_siflags
#define DOM_sdflags_T(f) DOM_sdflags
#define DOM_signal_T(f) DOM_signal
#define DOM_size_T(f) DOM_DEFAULT
#define DOM_timestamp_T(f) DOM_DEFAULT
#define DOM_filesize_T(f) DOM_DEFAULT
#define DOM_filedelta_T(f) DOM_DEFAULT
#define DOM_dircookie_T(f) DOM_DEFAULT
#define DOM_rights_T(f) DOM_DEFAULT
#define DOM_lookupflags_T(f) DOM_DEFAULT
#define DOM_exitcode_T(f) DOM_DEFAULT
#define DOM_fd_T(f) DOM_DEFAULT
#define DOM_u64_T(f) DOM_DEFAULT
#define DOM_boolean_T(f) DOM_DEFAULT
#define DOM_timeout_ns_T(f) DOM_DEFAULT
#define DOM_eventfdflags_T(f) DOM_eventfdflags
#define DOM_epoll_op_T(f) DOM_epoll_op
#define DOM_fdflagsext_T(f) DOM_fdflagsext

typedef wt_errno_t (*caller_fn)(matrix_t *m);

typedef struct row_s {
  const char *name;
  const char *family;
  caller_fn call;
  int nfds;
  wt_rights_t rights[MAX_FDS];
  int ninvalid; /* number of IN arguments in total */
  int invalid[12];
} row_t;

#define WT_CALL(name, set, fam, ret, ...)                                    \
  static wt_errno_t call_##name(matrix_t *m) {                               \
    int fdpos = 0, inpos = 0;                                                \
    (void)fdpos;                                                             \
    (void)inpos;                                                             \
    WT_ARGS(MD, __VA_ARGS__)                                                 \
    return wt_##name(m->env.w WT_ARGS(WT_HN, __VA_ARGS__));                  \
  }
#include "wt/calls.def"
#undef WT_CALL

static const row_t rows[] = {
#define WT_CALL(name, set, fam, ret, ...)                                    \
  {#name,                                                                    \
   #fam,                                                                     \
   call_##name,                                                              \
   0 WT_ARGS(MC, __VA_ARGS__),                                               \
   {WT_ARGS(MR, __VA_ARGS__) 0},                                             \
   sizeof((int[]){WT_ARGS(MV, __VA_ARGS__) 0}) / sizeof(int) - 1,            \
   {WT_ARGS(MV, __VA_ARGS__) 0}},
#include "wt/calls.def"
#undef WT_CALL
};

/* A fresh fd of the kind the family works on, with every right. */
static wt_fd_t make_fd(matrix_t *m, const char *name) {
  wt__desc_t *d;
  wt_filetype_t type;
  wt_fd_t fd;
  uint8_t kind = WT_DESC_HOST;
  int host;
  /* The epoll calls check their fds' kind right after the lookup: give
   * them epoll fds, so that the checks after it (the op) are reached. */
  if (strcmp(m->family, "epoll") == 0) {
    assert_ok(wt_epoll_create(m->env.w, &fd));
    m->env.w->fds[fd].base = WT_RIGHTS_ALL;
    m->env.w->fds[fd].inheriting = WT_RIGHTS_ALL;
    return fd;
  }
  if (strcmp(m->family, "sock") == 0) {
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    close(sv[1]);
    host = sv[0];
    kind = WT_DESC_SOCKET;
    type = WT_FILETYPE_SOCKET_STREAM;
  } else if (strcmp(m->family, "path") == 0 ||
             strcmp(name, "fd_readdir") == 0) {
    host = open(m->env.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    type = WT_FILETYPE_DIRECTORY;
  } else {
    char p[512];
    snprintf(p, sizeof p, "%s/matrix.txt", m->env.root);
    host = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    type = WT_FILETYPE_REGULAR_FILE;
  }
  assert_true(host >= 0);
  d = wt__desc_new(m->env.w, kind, type, host);
  assert_non_null(d);
  assert_ok(wt__fd_insert(m->env.w, d, WT_RIGHTS_ALL, WT_RIGHTS_ALL, 3, &fd));
  /* Every right, whatever applies to the type: only the one under test
   * will be missing. */
  m->env.w->fds[fd].base = WT_RIGHTS_ALL;
  m->env.w->fds[fd].inheriting = WT_RIGHTS_ALL;
  return fd;
}

static void setup_row(matrix_t *m, const row_t *r) {
  m->family = r->family;
  m->bad_fd_pos = -1;
  m->invalid_pos = -1;
  for (int i = 0; i < r->nfds; i++)
    m->fds[i] = make_fd(m, r->name);
  memset(&m->strtab, 0, sizeof m->strtab);
}

static void close_row(matrix_t *m, const row_t *r) {
  for (int i = 0; i < r->nfds; i++)
    if (m->env.w->fds[m->fds[i]].desc != NULL)
      wt__fd_release(m->env.w, m->fds[i]);
}

static void check(matrix_t *m, const row_t *r, wt_errno_t want,
                  const char *what, int pos) {
  wt_errno_t got = r->call(m);
  if (got != want)
    fail_msg("%s with %s at argument position %d: got %s, want %s", r->name,
             what, pos, wt_errno_name(got), wt_errno_name(want));
}

static void test_ebadf(void **state) {
  matrix_t *m = *state;
  int checked = 0;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const row_t *r = &rows[i];
    for (int p = 0; p < r->nfds; p++) {
      setup_row(m, r);
      m->bad_fd_pos = p;
      check(m, r, WT_EBADF, "a closed fd", p);
      close_row(m, r);
      checked++;
    }
  }
  print_message("EBADF: %d fd arguments checked\n", checked);
  assert_true(checked >= 30);
}

static void test_enotcapable(void **state) {
  matrix_t *m = *state;
  int checked = 0;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const row_t *r = &rows[i];
    for (int p = 0; p < r->nfds; p++) {
      if (r->rights[p] == 0)
        continue;
      setup_row(m, r);
      m->env.w->fds[m->fds[p]].base &= ~r->rights[p];
      check(m, r, WT_ENOTCAPABLE, "the required right removed", p);
      close_row(m, r);
      checked++;
    }
  }
  print_message("ENOTCAPABLE: %d rights checked\n", checked);
  assert_true(checked >= 30);
}

static void test_einval(void **state) {
  matrix_t *m = *state;
  int checked = 0;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const row_t *r = &rows[i];
    for (int p = 0; p < r->ninvalid; p++) {
      if (!r->invalid[p])
        continue;
      setup_row(m, r);
      m->invalid_pos = p;
      check(m, r, WT_EINVAL, "an out-of-domain value", p);
      close_row(m, r);
      checked++;
    }
  }
  print_message("EINVAL: %d enum/flags arguments checked\n", checked);
  assert_true(checked >= 12);
}

static int setup(void **state) {
  matrix_t *m = calloc(1, sizeof *m);
  assert_non_null(m);
  wt_test_open(&m->env);
  *state = m;
  return 0;
}

static int teardown(void **state) {
  matrix_t *m = *state;
  wt_test_close(&m->env);
  free(m);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_ebadf, setup, teardown),
      cmocka_unit_test_setup_teardown(test_enotcapable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_einval, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
