/*
 * Opening a SQLite trace as the hostile input it may be. A database file
 * carries its own schema, and a schema can make a plain SELECT run code of
 * the file's choosing: a view (a recursive one never ends), a trigger, a
 * generated column, a virtual table. So the reader
 *
 * - opens the file read-only, with defensive mode on, the schema untrusted,
 *   extension loading, views and triggers disabled, and no attached
 *   databases;
 * - refuses a schema with any trigger, any view but the documented
 *   `payloads`, `transitions_named` and `file_calls` (which the reader
 *   never reads, nor the derived tables `fds` and `names`), and a
 *   documented table that
 *   is a view, a virtual table or has generated columns;
 * - bounds SQLite's work: tight sqlite3_limit()s, and a progress handler
 *   that stops a query once it has taken more virtual-machine steps than a
 *   honest trace of the file's size can need (reading one costs steps
 *   roughly linear in its size).
 *
 * A recorder that was killed leaves a hot journal, which must be rolled
 * back before the trace can be read (docs/trace-format.md). Only then is
 * the file opened read-write, for the rollback alone, and read-only again
 * after it.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

uint64_t wt__sqlite_budget_override;
bool wt__sqlite_schema_unchecked;

/* Steps between two calls of the progress handler. */
#define GUARD_TICK 1000
/* Steps allowed per byte of the file, and on top: a legitimate trace
 * needs about 2 per byte (tests/unit/test_tracer_hostile.c measures it),
 * so this leaves a wide margin while still ending a runaway query. */
#define GUARD_STEPS_PER_BYTE 64
#define GUARD_STEPS_BASE 50000000ull

/* The tables the reader reads (format 1 too): each must be a plain table. */
static const char *const read_tables[] = {
    "meta", "calls", "more_payloads", "transitions", "denials", "blobs",
    "payloads_big"};

static int guard_progress(void *ud) {
  wt__sq_guard_t *g = ud;
  if (++g->ticks <= g->budget)
    return 0;
  g->exceeded = true;
  return 1;
}

static int set_flag(sqlite3 *db, int op, int on) {
  int got = -1;
  return sqlite3_db_config(db, op, on, &got) == SQLITE_OK && got == on ? 0
                                                                       : -1;
}

/* The limits: far above what our own queries and a legitimate schema
 * need, far below what a hostile one would use. A value may be as long as
 * the file (the module blob), never longer. */
static void set_limits(sqlite3 *db, uint64_t size) {
  static const int limits[][2] = {
      {SQLITE_LIMIT_SQL_LENGTH, 1 << 20},
      {SQLITE_LIMIT_COLUMN, 256},
      {SQLITE_LIMIT_EXPR_DEPTH, 64},
      {SQLITE_LIMIT_COMPOUND_SELECT, 4},
      {SQLITE_LIMIT_VDBE_OP, 10000},
      {SQLITE_LIMIT_FUNCTION_ARG, 8},
      {SQLITE_LIMIT_ATTACHED, 0},
      {SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 64},
      {SQLITE_LIMIT_VARIABLE_NUMBER, 8},
      {SQLITE_LIMIT_TRIGGER_DEPTH, 1},
      {SQLITE_LIMIT_WORKER_THREADS, 0}};
  uint64_t len = size + (1 << 16);
  for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
    sqlite3_limit(db, limits[i][0], limits[i][1]);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH,
                len < 1000000000u ? (int)len : 1000000000);
}

static int harden(sqlite3 *db, wt__sq_guard_t *g) {
  bool views = wt__sqlite_schema_unchecked; /* tests of the budget alone */
  if (set_flag(db, SQLITE_DBCONFIG_DEFENSIVE, 1) < 0 ||
      set_flag(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0) < 0 ||
      set_flag(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0) < 0 ||
      set_flag(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0) < 0 ||
      set_flag(db, SQLITE_DBCONFIG_ENABLE_VIEW, views) < 0 ||
      set_flag(db, SQLITE_DBCONFIG_DQS_DML, 0) < 0 ||
      set_flag(db, SQLITE_DBCONFIG_DQS_DDL, 0) < 0)
    return -1;
  set_limits(db, g->size);
  sqlite3_progress_handler(db, GUARD_TICK, guard_progress, g);
  /* No memory-mapped reads of a file whose pages may be corrupt, and no
   * write whatever a statement says. */
  return sqlite3_exec(db,
                      "PRAGMA mmap_size=0; PRAGMA query_only=1; "
                      "PRAGMA cell_size_check=1",
                      NULL, NULL, NULL) == SQLITE_OK
             ? 0
             : -1;
}

static int open_one(const char *path, int flags, wt__sq_guard_t *g,
                    sqlite3 **db) {
  *db = NULL;
  if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    wt_trace_set_error("%s: cannot open: %s", path,
                       *db != NULL ? sqlite3_errmsg(*db) : "out of memory");
    goto fail;
  }
  if (harden(*db, g) < 0) {
    wt_trace_set_error("%s: cannot set up a safe reader: %s", path,
                       sqlite3_errmsg(*db));
    goto fail;
  }
  return 0;
fail:
  sqlite3_close(*db);
  *db = NULL;
  return -1;
}

/* Reads page 1, which is when SQLite finds (and, read-write, rolls back)
 * a hot journal. */
static int touch(sqlite3 *db) {
  return sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL);
}

int wt__sqlite_open_guarded(const char *path, wt__sq_guard_t *g,
                            sqlite3 **db) {
  int rc;
  g->budget = wt__sqlite_budget_override
                  ? wt__sqlite_budget_override
                  : (GUARD_STEPS_BASE + GUARD_STEPS_PER_BYTE * g->size) /
                        GUARD_TICK;
  if (open_one(path, SQLITE_OPEN_READONLY, g, db) < 0)
    return -1;
  if ((rc = touch(*db)) == SQLITE_OK)
    return 0;
  /* Locked: a recorder holds it for the whole run (sink_sqlite.c). */
  if ((rc & 0xff) == SQLITE_BUSY) {
    long pid = wt_trace_recorder_pid(path);
    char who[64] = "another process";
    if (pid > 0)
      snprintf(who, sizeof who, "process %ld", pid);
    wt_trace_set_error("%s: being recorded by %s; record to JSON Lines to "
                       "follow a run live",
                       path, who);
    return -1;
  }
  if (sqlite3_extended_errcode(*db) != SQLITE_READONLY_ROLLBACK)
    return wt__sqlite_guard_error(*db, g, path, "cannot read");
  /* A killed recorder's journal: roll it back, then read-only again. */
  sqlite3_close(*db);
  if (open_one(path, SQLITE_OPEN_READWRITE, g, db) < 0)
    return -1;
  rc = touch(*db);
  sqlite3_close(*db);
  *db = NULL;
  if (rc != SQLITE_OK) {
    wt_trace_set_error("%s: cannot roll back the journal a killed "
                       "recorder left",
                       path);
    return -1;
  }
  if (open_one(path, SQLITE_OPEN_READONLY, g, db) < 0)
    return -1;
  if (touch(*db) != SQLITE_OK)
    return wt__sqlite_guard_error(*db, g, path, "cannot read");
  return 0;
}

int wt__sqlite_guard_error(sqlite3 *db, const wt__sq_guard_t *g,
                           const char *path, const char *what) {
  if (g->exceeded)
    wt_trace_set_error("%s: %s: reading it took more work than a trace of "
                       "%llu bytes can need (over %llu SQLite steps); a "
                       "hostile or damaged trace",
                       path, what, (unsigned long long)g->size,
                       (unsigned long long)g->budget * GUARD_TICK);
  else
    wt_trace_set_error("%s: %s: %s", path, what, sqlite3_errmsg(db));
  return -1;
}

static bool is_read_table(const char *name) {
  for (size_t i = 0; i < sizeof read_tables / sizeof *read_tables; i++)
    if (sqlite3_stricmp(name, read_tables[i]) == 0)
      return true;
  return false;
}

/* What is wrong with one schema entry, or NULL. */
static const char *bad_entry(const char *type, const char *name,
                             const char *sql) {
  if (strcmp(type, "trigger") == 0)
    return "is a trigger (a trace has none)";
  if (strcmp(type, "view") == 0)
    return (sqlite3_stricmp(name, "payloads") == 0 ||
            sqlite3_stricmp(name, "transitions_named") == 0 ||
            sqlite3_stricmp(name, "file_calls") == 0)
               ? NULL
               : "is a view (a trace has none but `payloads`, "
                 "`transitions_named` and `file_calls`)";
  if (!is_read_table(name))
    return NULL;
  if (strcmp(type, "table") != 0)
    return "is not a table";
  if (sqlite3_strnicmp(sql, "CREATE VIRTUAL", 14) == 0)
    return "is a virtual table";
  return NULL;
}

/* Generated columns run an expression on every row read. */
static int generated_columns(sqlite3 *db, wt__sq_guard_t *g,
                             const char *path, const char *table) {
  sqlite3_stmt *st;
  int rc, n = 0;
  if (sqlite3_prepare_v2(db,
                         "SELECT count(*) FROM pragma_table_xinfo(?1) "
                         "WHERE hidden <> 0",
                         -1, &st, NULL) != SQLITE_OK)
    return wt__sqlite_guard_error(db, g, path, "cannot check the schema");
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW)
    n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW)
    return wt__sqlite_guard_error(db, g, path, "cannot check the schema");
  if (n > 0) {
    wt_trace_set_error("%s: table %s has generated columns (a trace has "
                       "none); refused",
                       path, table);
    return -1;
  }
  return 0;
}

int wt__sqlite_check_schema(sqlite3 *db, wt__sq_guard_t *g,
                            const char *path) {
  sqlite3_stmt *st;
  int rc;
  if (wt__sqlite_schema_unchecked)
    return 0;
  if (sqlite3_prepare_v2(db, "SELECT type, name, sql FROM sqlite_schema", -1,
                         &st, NULL) != SQLITE_OK)
    return wt__sqlite_guard_error(db, g, path, "not a wasitrace trace");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *type = (const char *)sqlite3_column_text(st, 0);
    const char *name = (const char *)sqlite3_column_text(st, 1);
    const char *sql = (const char *)sqlite3_column_text(st, 2);
    const char *why = bad_entry(type ? type : "", name ? name : "",
                                sql ? sql : "");
    if (why != NULL) {
      wt_trace_set_error("%s: schema entry `%s` %s; refused as hostile", path,
                         name ? name : "", why);
      sqlite3_finalize(st);
      return -1;
    }
    if (name != NULL && is_read_table(name) &&
        generated_columns(db, g, path, name) < 0) {
      sqlite3_finalize(st);
      return -1;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0
                           : wt__sqlite_guard_error(db, g, path,
                                                    "cannot read the schema");
}
