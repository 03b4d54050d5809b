/*
 * random_get: two buffers differ, neither is all zero, a large buffer uses
 * (nearly) every byte value, a zero-length request succeeds, and libc's
 * getentropy is served by it.
 */
#include <stdlib.h>
#include <unistd.h>

#include "guest.h"

static uint8_t big[65536];

static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return 0;
  return 1;
}

int main(void) {
  uint8_t a[64] = {0}, b[64] = {0}, c[300];
  int seen[256] = {0}, distinct = 0;
  showw("random_get 64", __wasi_random_get(a, sizeof a));
  showw("random_get 64 again", __wasi_random_get(b, sizeof b));
  printf("buffers differ: %s\n", yesno(memcmp(a, b, sizeof a) != 0));
  printf("first all zero: %s\n", yesno(all_zero(a, sizeof a)));
  printf("second all zero: %s\n", yesno(all_zero(b, sizeof b)));
  showw("random_get 0", __wasi_random_get(a, 0));
  showw("random_get 65536", __wasi_random_get(big, sizeof big));
  for (size_t i = 0; i < sizeof big; i++)
    seen[big[i]]++;
  for (int v = 0; v < 256; v++)
    distinct += seen[v] > 0;
  printf("distinct byte values >= 250: %s\n", yesno(distinct >= 250));
  printf("last 16 bytes all zero: %s\n", yesno(all_zero(big + sizeof big - 16, 16)));
  show("getentropy 256", getentropy(c, 256));
  printf("all zero: %s\n", yesno(all_zero(c, 256)));
  return 0;
}
