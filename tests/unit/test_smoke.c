#include "testutil.h"
static void t(void **s) { (void)s; assert_string_equal(wt_errno_name(WT_EBADF), "BADF"); }
int main(void) { const struct CMUnitTest tests[] = {cmocka_unit_test(t)}; return cmocka_run_group_tests(tests, NULL, NULL); }
