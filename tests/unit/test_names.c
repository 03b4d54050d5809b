/*
 * Names and mappings expanded from the tables.
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"

static void test_errno_names(void **state) {
  (void)state;
  assert_string_equal(wt_errno_name(WT_ESUCCESS), "SUCCESS");
  assert_string_equal(wt_errno_name(WT_E2BIG), "2BIG");
  assert_string_equal(wt_errno_name(WT_ENOTCAPABLE), "NOTCAPABLE");
  assert_int_equal(WT_ENOTCAPABLE, 76);
  assert_int_equal(WT_EFAULT, 21);
  assert_int_equal(WT_ERRNO_COUNT, 77);
  assert_string_equal(wt_errno_name(77), "unknown");
  assert_string_equal(wt_errno_string(WT_ENOENT), "no such file or directory");
  /* Every value has a distinct name. */
  for (int a = 0; a < WT_ERRNO_COUNT; a++)
    for (int b = a + 1; b < WT_ERRNO_COUNT; b++)
      assert_string_not_equal(wt_errno_name((wt_errno_t)a),
                              wt_errno_name((wt_errno_t)b));
}

static void test_host_mapping(void **state) {
  (void)state;
  assert_int_equal(wt_errno_from_host(0), WT_ESUCCESS);
  assert_int_equal(wt_errno_from_host(ENOENT), WT_ENOENT);
  assert_int_equal(wt_errno_from_host(EXDEV), WT_EXDEV);
  assert_int_equal(wt_errno_from_host(EWOULDBLOCK), WT_EAGAIN);
  assert_int_equal(wt_errno_from_host(EOPNOTSUPP), WT_ENOTSUP);
  assert_int_equal(wt_errno_from_host(ENOTBLK), WT_EIO);
  assert_int_equal(wt_errno_from_host(-5), WT_EIO);
}

static void test_rights_values(void **state) {
  (void)state;
  assert_int_equal(WT_RIGHT_FD_DATASYNC, 1);
  assert_int_equal(WT_RIGHT_PATH_OPEN, 1 << 13);
  assert_int_equal(WT_RIGHT_SOCK_ACCEPT, 1 << 29);
  assert_true((WT_RIGHTS_REGULAR_FILE & WT_RIGHT_PATH_OPEN) == 0);
  assert_true((WT_RIGHTS_DIRECTORY & WT_RIGHT_FD_READ) == 0);
}

static void test_call_names(void **state) {
  (void)state;
  assert_string_equal(wt_call_name(WT_CALL_fd_write), "fd_write");
  assert_int_equal(wt_call_lookup("path_open", 9), WT_CALL_path_open);
  assert_int_equal(wt_call_lookup("path_opem", 9), -1);
  assert_int_equal(wt_call_lookup("fd_write_x", 8), WT_CALL_fd_write);
  assert_string_equal(wt_call_name(WT_CALL_COUNT), "unknown");
  /* All 46 preview1 calls are in the table. */
  assert_true(WT_CALL_COUNT >= 46);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errno_names),
      cmocka_unit_test(test_host_mapping),
      cmocka_unit_test(test_rights_values),
      cmocka_unit_test(test_call_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
