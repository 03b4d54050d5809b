/*
 * A trap inside a signal callback ends the run like any trap (exit 134),
 * even though the callback runs inside a host call (proc_raise): the
 * guest prints, registers its callback, raises USR2, and the callback
 * prints and then executes `unreachable`. Nothing after the raise runs.
 *
 * wt-exit: 134
 * wt-stderr-contains: guest trapped: unreachable instruction executed
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

__attribute__((export_name("__wasm_signal"), noinline)) void
on_signal(int sig) {
  printf("handler: signal %d, trapping\n", sig);
  fflush(stdout);
  __builtin_trap();
}

int main(void) {
  wasix_set_handler("__wasm_signal");
  puts("raising USR2");
  fflush(stdout);
  printf("proc_raise returned %s: not expected\n",
         errname(wasix_proc_raise(WASIX_SIGUSR2)));
  return 1;
}
