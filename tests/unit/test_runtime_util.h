/*
 * Helpers shared by the runtime tests (test_runtime*.c).
 */
#ifndef WT_TEST_RUNTIME_UTIL_H
#define WT_TEST_RUNTIME_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"
#include "wt/runtime.h"

/*
 * Runs `m` on a fresh core instance with every runtime hook (exit, raise,
 * signals), through `api` (NULL: the core's), with argv and stdout to a
 * file under `tmp` whose text goes to out (may be NULL). `dir` is preopened
 * as /data when not NULL.
 */
static inline wt_rt_result_t wt_test_run_module(wt_module_t *m,
                                                const wt_api_t *api,
                                                const char *tmp,
                                                const char *dir, int argc,
                                                const char **argv, char *out,
                                                size_t out_size) {
  char path[400], err[512];
  wt_preopen_t pre = {"/data", dir};
  wt_rt_result_t res;
  wt_options_t o;
  wt_t *w;
  int fd;
  snprintf(path, sizeof path, "%.380s/stdout.XXXXXX", tmp);
  fd = mkstemp(path);
  assert_true(fd >= 0);
  wt_options_init(&o);
  o.argc = (uint32_t)argc;
  o.argv = argv;
  o.out = fd;
  o.in = -1;
  o.preopenc = dir != NULL;
  o.preopens = &pre;
  o.proc_exit = wt_rt_proc_exit;
  o.proc_exit_ud = m;
  o.proc_raise = wt_rt_proc_raise;
  o.proc_raise_ud = m;
  o.signal_register = wt_rt_signal_register;
  o.signal_handler = wt_rt_signal_handler;
  o.signal_ud = m;
  assert_ok(wt_init(&o, &w));
  if (wt_module_run(m, api ? api : wt_core_api(), w, &res, err, sizeof err) !=
      WT_RT_OK)
    fail_msg("run: %s", err);
  wt_destroy(w);
  close(fd);
  if (out != NULL && wt_test_read_file(path, out, out_size) < 0)
    fail_msg("cannot read guest output");
  unlink(path);
  return res;
}

#endif
