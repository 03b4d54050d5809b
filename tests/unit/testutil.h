/*
 * Helpers shared by the cmocka unit tests.
 */
#ifndef WT_TESTUTIL_H
#define WT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wt/core.h"

/* Asserts a WASI errno, printing both sides by name. */
#define assert_errno(expr, want)                                             \
  do {                                                                       \
    wt_errno_t got_ = (expr);                                                \
    wt_errno_t want_ = (want);                                               \
    if (got_ != want_)                                                       \
      fail_msg("%s\n  got  %s (%u)\n  want %s (%u)", #expr,                  \
               wt_errno_name(got_), (unsigned)got_, wt_errno_name(want_),    \
               (unsigned)want_);                                             \
  } while (0)

#define assert_ok(expr) assert_errno(expr, WT_ESUCCESS)

/* The guest fd of the first preopen made by wt_test_open. */
#define WT_TEST_DIRFD 3

/*
 * A fresh temporary directory and an instance with it preopened as "/sandbox"
 * (fd 3), stdio on /dev/null. Release with wt_test_close.
 */
typedef struct wt_test_env_s {
  char root[256]; /* host path of the preopened directory */
  char outside[256]; /* a sibling directory the guest must never reach */
  wt_t *w;
} wt_test_env_t;

void wt_test_open(wt_test_env_t *env);
void wt_test_close(wt_test_env_t *env);

/* cmocka setup/teardown wrappers around wt_test_open/close (state: env). */
int wt_test_setup(void **state);
int wt_test_teardown(void **state);

/* Host-side helpers, paths relative to env->root. Fail the test on error. */
void wt_test_write_file(const wt_test_env_t *env, const char *rel,
                        const char *content);
void wt_test_mkdir(const wt_test_env_t *env, const char *rel);
void wt_test_symlink(const wt_test_env_t *env, const char *target,
                     const char *rel);
/* Reads a host file into buf (NUL-terminated); returns length or -1. */
long wt_test_read_file(const char *path, char *buf, size_t size);

/* Guest-side helpers over the core API. */
wt_fd_t wt_test_open_file(wt_t *w, const char *path, uint16_t oflags,
                          uint64_t rights);
wt_errno_t wt_test_write_str(wt_t *w, wt_fd_t fd, const char *s);

/*
 * A recording observer for state-transition tests: install it with
 * wt_set_observer(w, wt_test_record, &rec), then assert the exact sequence
 * with WT_EXPECT(&rec, WT_TRN(KIND, fd, fd2, a, b, data), ...) or
 * WT_EXPECT_NONE(&rec); both print the two sequences on a mismatch and
 * clear the record.
 */
#define WT_TEST_MAX_TRANSITIONS 256
typedef struct wt_test_rec_s {
  uint32_t n;
  uint32_t lost; /* transitions past the capacity */
  wt_transition_t t[WT_TEST_MAX_TRANSITIONS];
} wt_test_rec_t;

void wt_test_record(void *ud, const wt_transition_t *t);
void wt_test_expect(wt_test_rec_t *rec, const wt_transition_t *want,
                    uint32_t n, const char *where, int line);

#define WT_TRN(kind, fd, fd2, a, b, data)                                    \
  { WT_TR_##kind, (fd), (fd2), (a), (b), (data) }
#define WT_EXPECT(rec, ...)                                                  \
  do {                                                                       \
    const wt_transition_t want_[] = {__VA_ARGS__};                           \
    wt_test_expect((rec), want_, sizeof want_ / sizeof want_[0], __FILE__,  \
                   __LINE__);                                                \
  } while (0)
#define WT_EXPECT_NONE(rec) wt_test_expect((rec), NULL, 0, __FILE__, __LINE__)

/*
 * Assembles WAT text with wat2wasm into DIR/NAME.wasm (with debug names, so
 * traps name functions) and returns that path: a static buffer, valid until
 * the next call. Fails the test if wat2wasm does.
 */
const char *wt_test_wat(const char *dir, const char *name, const char *wat);

/* Removes a directory tree (best effort). */
void wt_test_rmtree(const char *path);

/*
 * A sandbox instance whose transitions are recorded into `rec` (cmocka
 * setup/teardown; state: wt_test_observed_t).
 */
typedef struct wt_test_observed_s {
  wt_test_env_t env;
  wt_test_rec_t rec;
  wt_t *w;
} wt_test_observed_t;

int wt_test_observed_setup(void **state);
int wt_test_observed_teardown(void **state);

#endif
