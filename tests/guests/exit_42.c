/*
 * exit(42) from a nested call: proc_exit(42) ends the guest at once (the
 * line after it never prints) and libc flushes stdout first.
 *
 * wt-exit: 42
 */
#include <stdio.h>
#include <stdlib.h>

static void leave(int code) {
  printf("calling exit(%d)\n", code);
  exit(code);
}

int main(void) {
  printf("before\n");
  leave(42);
  printf("not reached\n");
  return 0;
}
