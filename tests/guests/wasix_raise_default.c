/*
 * proc_raise through wasix_32v1 with no callback registered: the default
 * action of each signal, read in Linux numbering. CHLD (17), URG (23) and
 * WINCH (28) are ignored and the guest carries on; STKFLT (16) has no
 * preview1 counterpart (INVAL). PROF (27; preview1's 26) terminates:
 * wasitrace dies of the host's SIGPROF (128 + 27). Read as preview1
 * numbers, 28 would terminate (POLL) and 27 would be ignored (WINCH).
 *
 * wt-exit: 155
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

static void raise_wasix(const char *label, uint32_t sig) {
  printf("proc_raise %s (%u): %s\n", label, sig,
         errname(wasix_proc_raise(sig)));
}

int main(void) {
  raise_wasix("CHLD", WASIX_SIGCHLD);
  raise_wasix("URG", WASIX_SIGURG);
  raise_wasix("WINCH", WASIX_SIGWINCH);
  raise_wasix("STKFLT", WASIX_SIGSTKFLT);
  puts("proc_raise PROF (27): the default action ends the guest");
  fflush(stdout);
  raise_wasix("PROF", WASIX_SIGPROF);
  puts("still running after PROF");
  return 0;
}
