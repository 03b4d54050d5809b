/*
 * libFuzzer target: the check of wasm2c's generated C (runtime/csafe.c),
 * the last line before module-derived text reaches the C compiler.
 * Input: C text. Beyond not crashing, text the check accepts must hold
 * the two properties it promises that are easy to restate independently:
 * printable ASCII (tab and line ends aside) and no trigraph.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool printable(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') ||
        p[i] > 0x7e)
      return false;
  return true;
}

static bool has_trigraph(const uint8_t *p, size_t n) {
  for (size_t i = 0; i + 2 < n; i++)
    if (p[i] == '?' && p[i + 1] == '?' && p[i + 2] != '\0' &&
        strchr("=/'()!<>-", p[i + 2]) != NULL)
      return true;
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
  if (!wt__c_check((const char *)data, size, err, sizeof err))
    return 0;
  if (!printable(data, size) || has_trigraph(data, size)) {
    fprintf(stderr, "wt__c_check accepted text with a byte outside printable "
                    "ASCII or a trigraph\n");
    abort();
  }
  /* A tiny error buffer must be cut, not overrun. */
  (void)wt__c_check((const char *)data, size, err, 1);
  return 0;
}
