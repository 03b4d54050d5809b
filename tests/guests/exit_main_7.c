/*
 * main returns 7: the exit code is what main returned.
 *
 * wt-exit: 7
 */
#include <stdio.h>

int main(void) {
  printf("returning 7 from main\n");
  return 7;
}
