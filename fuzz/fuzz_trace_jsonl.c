/*
 * libFuzzer target: the JSON Lines trace reader (both its general path and
 * the fast path for call lines). Input: the bytes of a .jsonl trace.
 */
#include <string.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char magic[16] = "SQLite format 3";
  const char *path;
  /* The SQLite reader has its own target. */
  if (size >= sizeof magic && memcmp(data, magic, sizeof magic) == 0)
    return 0;
  if ((path = wt_fuzz_file(data, size)) != NULL)
    wt_fuzz_read_trace(path);
  wt_fuzz_file_remove();
  return 0;
}
