/*
 * greet NAME: a greeting and a farewell, exit 3. The replay tests build it
 * three ways: as is; with -DWT_GREET_CLOCK, which also reads the clock
 * between the two lines (a call the recording of the plain build does not
 * have); and with -DWT_GREET_OTHER, other words (a modified module).
 */
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "nobody";
#ifdef WT_GREET_OTHER
  printf("hi there, %s\n", name);
#else
  printf("hello, %s\n", name);
#endif
  fflush(stdout);
#ifdef WT_GREET_CLOCK
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
  printf("bye, %s\n", name);
  return 3;
}
