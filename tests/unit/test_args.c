/*
 * args_* and environ_*: sizes, contents, offsets and short room.
 */
#include <string.h>

#include "testutil.h"

typedef struct args_env_s {
  wt_t *w;
} args_env_t;

static const char *const argv_in[] = {"prog", "", "two words", "ünïcode"};
static const char *const envp_in[] = {"A=1", "EMPTY=", "PATH=/bin", NULL};

static int setup(void **state) {
  wt_options_t o;
  wt_t *w;
  wt_options_init(&o);
  o.in = o.out = o.err = -1;
  o.argc = 4;
  o.argv = argv_in;
  o.envp = envp_in;
  assert_ok(wt_init(&o, &w));
  *state = w;
  return 0;
}

static int teardown(void **state) {
  wt_destroy(*state);
  return 0;
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* Checks a filled strtab against the expected strings. */
static void check_strtab(const wt_strtab_t *t, const char *const *want,
                         uint32_t n) {
  assert_int_equal(t->count, n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t off = le32(t->offsets + 4 * i);
    assert_true(off < t->buf_used);
    assert_string_equal((const char *)t->buf + off, want[i]);
  }
}

static void test_args_sizes(void **state) {
  uint32_t argc, size, want = 0;
  assert_ok(wt_args_sizes_get(*state, &argc, &size));
  for (int i = 0; i < 4; i++)
    want += (uint32_t)strlen(argv_in[i]) + 1;
  assert_int_equal(argc, 4);
  assert_int_equal(size, want);
}

static void test_args_get(void **state) {
  uint8_t offs[16], buf[64];
  wt_strtab_t t = {offs, 4, buf, sizeof buf, 0, 0};
  assert_ok(wt_args_get(*state, &t));
  check_strtab(&t, argv_in, 4);
}

static void test_args_get_short_room(void **state) {
  uint8_t offs[16], buf[64];
  wt_strtab_t t = {offs, 3, buf, sizeof buf, 0, 0};
  assert_errno(wt_args_get(*state, &t), WT_EFAULT);
  t.offsets_cap = 4;
  t.buf_cap = 5;
  assert_errno(wt_args_get(*state, &t), WT_EFAULT);
}

static void test_environ(void **state) {
  uint8_t offs[12], buf[64];
  uint32_t n, size;
  wt_strtab_t t = {offs, 3, buf, sizeof buf, 0, 0};
  assert_ok(wt_environ_sizes_get(*state, &n, &size));
  assert_int_equal(n, 3);
  assert_int_equal(size, strlen("A=1 EMPTY= PATH=/bin") + 1);
  assert_ok(wt_environ_get(*state, &t));
  check_strtab(&t, envp_in, 3);
  assert_int_equal(t.buf_used, size);
}

static void test_empty(void **state) {
  wt_options_t o;
  wt_t *w;
  uint32_t n = 99, size = 99;
  (void)state;
  wt_options_init(&o);
  o.in = o.out = o.err = -1;
  assert_ok(wt_init(&o, &w));
  assert_ok(wt_args_sizes_get(w, &n, &size));
  assert_int_equal(n, 0);
  assert_int_equal(size, 0);
  assert_ok(wt_environ_sizes_get(w, &n, &size));
  assert_int_equal(n, 0);
  assert_int_equal(size, 0);
  wt_destroy(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_args_sizes),
      cmocka_unit_test(test_args_get),
      cmocka_unit_test(test_args_get_short_room),
      cmocka_unit_test(test_environ),
      cmocka_unit_test(test_empty),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
