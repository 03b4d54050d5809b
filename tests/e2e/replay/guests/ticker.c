/*
 * ticker N: prints "tick 1" to "tick N", one every 10 ms, then exits. The
 * replay tests stop its recorder half-way to get an incomplete trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100;
  struct timespec pause = {0, 10 * 1000 * 1000};
  for (int i = 1; i <= n; i++) {
    printf("tick %d\n", i);
    fflush(stdout);
    nanosleep(&pause, NULL);
  }
  return 0;
}
