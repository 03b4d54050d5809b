/*
 * exit(0): proc_exit(0) is called (main returning 0 would not call it:
 * wasi-libc's _start just returns then, see exit_start_returns.wat), the
 * exit code is 0 and libc flushes stdout first.
 *
 * wt-exit: 0
 */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("calling exit(0)\n");
  exit(0);
}
