/*
 * Helpers shared by the fuzz targets of fuzz/ (not part of the library).
 */
#ifndef WT_FUZZ_UTIL_H
#define WT_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Results are added here, so that the compiler keeps every read. */
extern volatile uint64_t wt_fuzz_sink;

/*
 * Writes the input to this process's scratch file (in /dev/shm when there
 * is one, else $TMPDIR or /tmp; named by pid, so parallel fuzzers do not
 * meet) and returns its path, or NULL when it cannot be written. The readers
 * take a path, not bytes.
 */
const char *wt_fuzz_file(const uint8_t *data, size_t size);

/* Removes the scratch file and what SQLite may have left beside it
 * (-journal, -wal, -shm), so that nothing outlives one input. */
void wt_fuzz_file_remove(void);

/*
 * Opens the trace at `path` and reads all of it the way the viewer and the
 * exporters do: every metadata entry, every record to the end, each field
 * of each record touched (under ASan a length that lies is a crash), and
 * each record summarized. Returns the number of records read.
 */
uint64_t wt_fuzz_read_trace(const char *path);

#endif /* WT_FUZZ_UTIL_H */
