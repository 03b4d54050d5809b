/*
 * libFuzzer target: the SQLite trace reader.
 *
 * An input is one of two things:
 *  - a SQLite database file (it starts with "SQLite format 3\0"): written
 *    as is and read. Mutations of such a file mostly exercise SQLite's own
 *    checks of its b-trees;
 *  - otherwise SQL text, run statement by statement in an in-memory
 *    database whose image is then written out and read. This is what
 *    reaches the reader's own logic: tables with missing or extra columns,
 *    values of the wrong type, negative or huge sizes, blobs shorter than
 *    they say, views and triggers in place of tables. The seeds are dumps
 *    of real traces (`sqlite3 trace.db .dump`).
 *
 * The SQL runs with no way out of memory: no ATTACH (so no VACUUM INTO
 * either), a bound on value sizes and on the work done.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

/* Virtual-machine steps allowed to the SQL, in units of 1,000. */
#define WORK_LIMIT 200

static int progress(void *ud) {
  int *left = ud;
  return --*left < 0; /* nonzero interrupts the statement */
}

static void run_sql(sqlite3 *db, const char *sql) {
  while (*sql != '\0') {
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
      /* Go on at the next line: one broken statement keeps the rest. */
      const char *nl = strchr(sql, '\n');
      sqlite3_finalize(st);
      if (nl == NULL)
        return;
      sql = nl + 1;
      continue;
    }
    if (st != NULL) {
      while (sqlite3_step(st) == SQLITE_ROW)
        ;
      sqlite3_finalize(st);
    }
    if (tail == NULL || tail == sql)
      return;
    sql = tail;
  }
}

/* The database image the SQL builds, malloc'ed by SQLite; NULL if none. */
static unsigned char *build_image(const uint8_t *data, size_t size,
                                  sqlite3_int64 *len) {
  sqlite3 *db = NULL;
  unsigned char *image = NULL;
  int work = WORK_LIMIT;
  char *sql = malloc(size + 1);
  if (sql == NULL)
    return NULL;
  memcpy(sql, data, size);
  sql[size] = '\0';
  if (sqlite3_open_v2(":memory:", &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                          SQLITE_OPEN_MEMORY,
                      NULL) != SQLITE_OK)
    goto out;
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
  sqlite3_progress_handler(db, 1000, progress, &work);
  run_sql(db, sql);
  sqlite3_progress_handler(db, 0, NULL, NULL);
  image = sqlite3_serialize(db, "main", len, 0);
out:
  sqlite3_close(db);
  free(sql);
  return image;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char magic[16] = "SQLite format 3";
  const char *path;
  if (size >= sizeof magic && memcmp(data, magic, sizeof magic) == 0) {
    path = wt_fuzz_file(data, size);
  } else {
    sqlite3_int64 len = 0;
    unsigned char *image = build_image(data, size, &len);
    if (image == NULL)
      return 0;
    path = wt_fuzz_file(image, (size_t)len);
    sqlite3_free(image);
  }
  if (path != NULL)
    wt_fuzz_read_trace(path);
  wt_fuzz_file_remove();
  return 0;
}
