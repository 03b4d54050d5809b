/*
 * The real large program of bench/startup.sh: the SQLite amalgamation
 * (fetched at bench time, never kept in the repository) driven by this
 * workload over an in-memory database: N rows inserted in one
 * transaction, an index built, then an aggregate and a join-free range
 * query. Prints one checksum line; the same line natively and at every
 * tier. Usage: sqlite_work.wasm [N] (default 20000).
 */
#include <stdio.h>
#include <stdlib.h>

#include "sqlite3.h"
#include "../guests/bench.h"

static int exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "sqlite_work: %s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

static long long query_sum(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  long long sum = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    sum = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return sum;
}

static int fill(sqlite3 *db, long n) {
  sqlite3_stmt *st = NULL;
  unsigned x = 12345;
  char text[32];
  if (sqlite3_prepare_v2(db, "INSERT INTO t(a, b, c) VALUES (?, ?, ?)", -1,
                         &st, NULL) != SQLITE_OK)
    return -1;
  for (long i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    snprintf(text, sizeof text, "row-%08x", x);
    sqlite3_bind_int64(st, 1, i);
    sqlite3_bind_int64(st, 2, (long long)(x >> 8) % 100000);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
      sqlite3_finalize(st);
      return -1;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return 0;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  sqlite3 *db = NULL;
  int64_t t0 = bench_now(), t1;
  long long a, b;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
      exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)") ||
      exec(db, "BEGIN") || fill(db, n) || exec(db, "COMMIT") ||
      exec(db, "CREATE INDEX tb ON t(b)"))
    return 1;
  a = query_sum(db, "SELECT sum(b) + count(DISTINCT substr(c, 5, 2)) FROM t");
  b = query_sum(db, "SELECT count(*) FROM t WHERE b BETWEEN 1000 AND 50000 "
                    "AND c LIKE '%a%'");
  t1 = bench_now();
  printf("%lld %lld\n", a, b);
  sqlite3_close(db);
  bench_report(t0, t1, 0);
  return 0;
}
