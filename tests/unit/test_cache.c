/*
 * The compile cache's bookkeeping (runtime/cache.c): sizes, listing by
 * last use, eviction down to a cap, and which files `clear` may remove.
 * Entries here are stand-in files; tests/e2e/tiers builds real ones.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_internal.h"
#include "testutil.h"

static char dir[] = "/tmp/wt-cache-XXXXXX";

static int setup(void **state) {
  (void)state;
  return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state) {
  (void)state;
  wt_test_rmtree(dir);
  return 0;
}

static void test_parse_size(void **state) {
  uint64_t n = 0;
  (void)state;
  assert_true(wt_rt_parse_size("4096", &n));
  assert_int_equal(n, 4096);
  assert_true(wt_rt_parse_size("512K", &n));
  assert_int_equal(n, 512u << 10);
  assert_true(wt_rt_parse_size("500m", &n));
  assert_int_equal(n, 500ull << 20);
  assert_true(wt_rt_parse_size("2G", &n));
  assert_int_equal(n, 2ull << 30);
  assert_false(wt_rt_parse_size("", &n));
  assert_false(wt_rt_parse_size(NULL, &n));
  assert_false(wt_rt_parse_size("-1", &n));
  assert_false(wt_rt_parse_size("1X", &n));
  assert_false(wt_rt_parse_size("1GB", &n));
  assert_false(wt_rt_parse_size("G", &n));
  assert_false(wt_rt_parse_size("99999999999999999999G", &n));
}

/* A stand-in entry of `bytes` bytes, last used at `used`, with a note. */
static void make_entry(char c, size_t bytes, time_t used, const char *tier) {
  char path[256], key[65];
  struct timespec t[2] = {{used, 0}, {used, 0}};
  FILE *f;
  memset(key, c, 64);
  key[64] = '\0';
  snprintf(path, sizeof path, "%s/%s.so", dir, key);
  f = fopen(path, "w");
  assert_non_null(f);
  for (size_t i = 0; i < bytes; i++)
    fputc(0, f);
  fclose(f);
  assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
  snprintf(path, sizeof path, "%s/%s.info", dir, key);
  f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "tier %s\nmodule %s\n", tier, key);
  fclose(f);
}

static bool exists(char c, const char *suffix) {
  char path[256], key[65];
  memset(key, c, 64);
  key[64] = '\0';
  snprintf(path, sizeof path, "%s/%s%s", dir, key, suffix);
  return access(path, F_OK) == 0;
}

static void test_list_and_gc(void **state) {
  wt_rt_config_t cfg = {.cache_dir = dir};
  wt_rt_cache_entry_t *e;
  size_t n;
  unsigned removed;
  uint64_t freed;
  char err[256], other[256];
  FILE *f;
  (void)state;
  make_entry('a', 300, 3000, "fast");
  make_entry('b', 200, 1000, "optimized");
  make_entry('c', 100, 2000, "optimized");
  /* Files that are not entries are neither listed nor removed. */
  snprintf(other, sizeof other, "%s/unrelated.so", dir);
  f = fopen(other, "w");
  assert_non_null(f);
  fputs("not an entry", f);
  fclose(f);
  assert_int_equal(wt_rt_cache_list(&cfg, &e, &n, err, sizeof err), WT_RT_OK);
  assert_int_equal(n, 3);
  assert_int_equal(e[0].key[0], 'b'); /* least recently used first */
  assert_int_equal(e[1].key[0], 'c');
  assert_int_equal(e[2].key[0], 'a');
  assert_string_equal(e[2].tier, "fast");
  assert_int_equal(e[2].bytes, 300);
  assert_int_equal(e[0].used, 1000);
  free(e);
  /* 600 bytes, cap 350: b then c go (300 left), a stays. */
  assert_int_equal(
      wt_rt_cache_gc(&cfg, 350, &removed, &freed, err, sizeof err), WT_RT_OK);
  assert_int_equal(removed, 2);
  assert_int_equal(freed, 300);
  assert_false(exists('b', ".so"));
  assert_false(exists('b', ".info"));
  assert_false(exists('c', ".so"));
  assert_true(exists('a', ".so"));
  assert_true(exists('a', ".info"));
  assert_int_equal(access(other, F_OK), 0);
  unlink(other);
}

static void test_clear_keeps_strangers(void **state) {
  wt_rt_config_t cfg = {.cache_dir = dir};
  char path[256], err[256];
  unsigned removed;
  FILE *f;
  (void)state;
  make_entry('d', 10, 1000, "fast");
  snprintf(path, sizeof path, "%s/notes.txt", dir);
  f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(wt_rt_cache_clear(&cfg, &removed, err, sizeof err),
                   WT_RT_OK);
  assert_false(exists('d', ".so"));
  assert_false(exists('d', ".info"));
  assert_int_equal(access(path, F_OK), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_size),
      cmocka_unit_test(test_list_and_gc),
      cmocka_unit_test(test_clear_keeps_strangers),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
