/*
 * Compute-heavy benchmark guest with few host calls: a sieve of
 * Eratosthenes and a hash over the primes, repeated ROUNDS times
 * (default 24), then one line on stdout. Usage: compute.wasm [ROUNDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define LIMIT (1u << 22)

static uint8_t composite[LIMIT];

static uint64_t round_hash(uint64_t seed) {
  uint64_t h = seed;
  memset(composite, 0, sizeof composite);
  for (uint32_t i = 2; i < LIMIT; i++) {
    if (composite[i])
      continue;
    h = (h ^ i) * 0x100000001b3ull;
    for (uint64_t j = (uint64_t)i * i; j < LIMIT; j += i)
      composite[j] = 1;
  }
  return h;
}

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 24;
  uint64_t h = 0xcbf29ce484222325ull;
  int64_t t0 = bench_now(), t1;
  for (long r = 0; r < rounds; r++)
    h = round_hash(h);
  t1 = bench_now();
  printf("%016llx\n", (unsigned long long)h);
  bench_report(t0, t1, 0);
  return 0;
}
