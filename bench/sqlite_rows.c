/*
 * SQLite's own cost of a trace row (not a test): inserts N rows into a
 * table of the given columns the way the SQLite sink does (its pragmas,
 * 64-row prepared INSERT OR FAIL statements with persistent bindings,
 * only the timestamps bound again per row, a commit every 65,536 rows),
 * with values shaped like a 16-byte fd_write's, so that a run under
 * callgrind counts SQLite's work per row without the sink's encoding.
 * bench/sqlite_floor.sh runs it for a few layouts; see bench/README.md.
 *
 *   bench_sqlite_rows N FILE COLUMNS
 *
 * COLUMNS is a comma-separated list of DECL:KIND after the implicit
 * `seq INTEGER PRIMARY KEY` (always NULL: SQLite numbers it). DECL is the
 * column's declaration (`call TEXT NOT NULL`, or a bare name); KIND the
 * value: n NULL, i a small integer, s the call's name, a the args JSON, r
 * the results JSON, b 12 bytes of args_bin, c 4 bytes of results_bin, d
 * the 16 bytes written, t a timestamp that changes every row.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ROWS = 64, MAXCOLS = 32, COMMIT_EVERY = 1024 };

static int fail(sqlite3 *db, const char *what) {
  fprintf(stderr, "bench_sqlite_rows: %s: %s\n", what,
          db != NULL ? sqlite3_errmsg(db) : "out of memory");
  return 1;
}

static int exec(sqlite3 *db, const char *sql) {
  return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Parses COLUMNS into the CREATE TABLE text and the kinds; -1 if bad. */
static int parse(char *spec, char *create, size_t size, char *kinds) {
  int n = 0;
  size_t len = (size_t)snprintf(create, size,
                                "CREATE TABLE calls(seq INTEGER PRIMARY KEY");
  for (char *col = strtok(spec, ","); col != NULL; col = strtok(NULL, ",")) {
    char *colon = strrchr(col, ':');
    if (colon == NULL || colon[1] == '\0' || n == MAXCOLS ||
        strchr("nisarbcdt", colon[1]) == NULL)
      return -1;
    *colon = '\0';
    kinds[n++] = colon[1];
    len += (size_t)snprintf(create + len, size - len, ", %s", col);
    if (len >= size)
      return -1;
  }
  if (len + 2 > size)
    return -1;
  strcat(create, ")");
  return n;
}

static int prepare(sqlite3 *db, int ncols, sqlite3_stmt **st) {
  size_t size = (size_t)ROWS * (size_t)(ncols * 2 + 3) + 64, len = 0;
  char *sql = malloc(size);
  int rc;
  if (sql == NULL)
    return -1;
  len += (size_t)snprintf(sql, size, "INSERT OR FAIL INTO calls VALUES ");
  for (int r = 0; r < ROWS; r++) {
    len += (size_t)snprintf(sql + len, size - len, r > 0 ? ",(" : "(");
    for (int c = 0; c < ncols; c++)
      len += (size_t)snprintf(sql + len, size - len, c > 0 ? ",?" : "?");
    len += (size_t)snprintf(sql + len, size - len, ")");
  }
  rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
  free(sql);
  return rc == SQLITE_OK ? 0 : -1;
}

/* Binds column c (0: seq) of row r; only timestamps when not `first`. */
static void bind(sqlite3_stmt *st, int r, int ncols, int c, char kind,
                 bool first, sqlite3_int64 ts) {
  static const char args[] = "{\"fd\":1,\"iovs\":{\"iovcnt\":1,\"size\":16,"
                             "\"data\":\"0123456789abcde\\n\"}}";
  static const unsigned char ab[12] = {1, 0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0};
  static const unsigned char rb[4] = {16, 0, 0, 0};
  int k = r * ncols + c + 1;
  if (kind == 't') {
    sqlite3_bind_int64(st, k, ts);
    return;
  }
  if (!first)
    return;
  switch (kind) {
  case 'i':
    sqlite3_bind_int(st, k, 16);
    break;
  case 's':
    sqlite3_bind_text(st, k, "fd_write", -1, SQLITE_STATIC);
    break;
  case 'a':
    sqlite3_bind_text(st, k, args, -1, SQLITE_STATIC);
    break;
  case 'r':
    sqlite3_bind_text(st, k, "{\"nwritten\":16}", -1, SQLITE_STATIC);
    break;
  case 'b':
    sqlite3_bind_blob(st, k, ab, sizeof ab, SQLITE_STATIC);
    break;
  case 'c':
    sqlite3_bind_blob(st, k, rb, sizeof rb, SQLITE_STATIC);
    break;
  case 'd':
    sqlite3_bind_blob(st, k, "0123456789abcde\n", 16, SQLITE_STATIC);
    break;
  default:
    break; /* NULL: never bound */
  }
}

static int insert(sqlite3 *db, sqlite3_stmt *st, long n, int ncols,
                  const char *kinds) {
  sqlite3_int64 ts = 1000000;
  for (long i = 0; i < n / ROWS; i++) {
    for (int r = 0; r < ROWS; r++) {
      ts += 300;
      for (int c = 1; c < ncols; c++)
        bind(st, r, ncols, c, kinds[c - 1], i == 0, ts + c);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
      return -1;
    sqlite3_reset(st);
    if (i % COMMIT_EVERY == COMMIT_EVERY - 1 &&
        (exec(db, "COMMIT") < 0 || exec(db, "BEGIN") < 0))
      return -1;
  }
  return exec(db, "COMMIT");
}

int main(int argc, char **argv) {
  char create[4096], kinds[MAXCOLS];
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  long n;
  int ncols, rc = 1;
  if (argc != 4 || (n = atol(argv[1])) < ROWS) {
    fprintf(stderr, "usage: bench_sqlite_rows N FILE COLUMNS (N >= %d)\n",
            ROWS);
    return 2;
  }
  if ((ncols = parse(argv[3], create, sizeof create, kinds)) < 0) {
    fprintf(stderr, "bench_sqlite_rows: bad COLUMNS (DECL:KIND,...)\n");
    return 2;
  }
  ncols++; /* seq */
  unlink(argv[2]);
  if (sqlite3_open(argv[2], &db) != SQLITE_OK)
    return fail(db, argv[2]);
  if (exec(db, "PRAGMA page_size=65536; PRAGMA journal_mode=DELETE;"
               "PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
               "PRAGMA cache_size=-1024") < 0 ||
      exec(db, create) < 0 || exec(db, "BEGIN") < 0)
    rc = fail(db, "schema");
  else if (prepare(db, ncols, &st) < 0)
    rc = fail(db, "prepare");
  else if (insert(db, st, n, ncols, kinds) < 0)
    rc = fail(db, "insert");
  else
    rc = 0;
  sqlite3_finalize(st);
  sqlite3_close(db);
  unlink(argv[2]);
  return rc;
}
