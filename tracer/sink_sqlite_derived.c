/*
 * What the SQLite sink adds when a trace is closed (format 5), in the last
 * transaction with the indexes: the `fds` table (fds.h), the `names` table
 * of the numbers the trace stores, the `transitions_named` view that reads
 * transitions with both, the `file_calls` view of the calls made on each
 * fd, and the indexes a user's first queries need.
 * None of it is read back by wt_trace_open: it is derived from the calls,
 * and a conversion makes it again (docs/trace-format.md).
 */
#include <sqlite3.h>

#include "fds.h"

/* The kinds whose `a` is a WT_EPOLL* mask (WT_TRANSITION_MAP's "events",
 * and EVENTFD_READINESS's before/after). */
#define EVENT_KINDS                                                            \
  "('EVENTFD_READINESS','EPOLL_ADDED','EPOLL_MODIFIED','EPOLL_READY',"         \
  "'EPOLL_DELIVERED')"
#define MASK(col)                                                              \
  "coalesce((SELECT group_concat(name, '|') FROM names WHERE field ="          \
  " 'epoll_events' AND t." col " & value), '0')"
#define ONE(fieldname, col)                                                    \
  "(SELECT name FROM names WHERE field = '" fieldname "' AND value = t." col   \
  ")"
/* SQLite's INTEGER is signed: u64 values above 2^63 are stored as their
 * two's complement, and shown here as the unsigned number (as text). */
#define U64(col) "CASE WHEN " col " < 0 THEN printf('%u', " col ") ELSE " col " END"

static const char derived[] =
    "CREATE TABLE names(field TEXT NOT NULL, value INTEGER NOT NULL,"
    " name TEXT NOT NULL);"
    "CREATE TABLE fds(fd INTEGER NOT NULL, path TEXT, kind TEXT NOT NULL,"
    " rights TEXT, rights_base INTEGER, oflags TEXT, opened_seq INTEGER,"
    " closed_seq INTEGER, opened_by TEXT, reads INTEGER NOT NULL,"
    " bytes_read INTEGER NOT NULL, writes INTEGER NOT NULL,"
    " bytes_written INTEGER NOT NULL);"
    "CREATE VIEW transitions_named(seq, idx, kind, fd, fd2, a, b, data,"
    " a_name, b_name, data_name) AS SELECT seq, idx, kind, fd, fd2, " U64("a")
    ", " U64("b") ", " U64("data") ","
    " CASE WHEN kind = 'FD_OPENED' THEN " ONE("filetype", "a")
    " WHEN kind LIKE 'SIGNAL\\_%' ESCAPE '\\' THEN " ONE("signal", "a")
    " WHEN kind IN " EVENT_KINDS " THEN " MASK("a") " END,"
    " CASE WHEN kind = 'EVENTFD_READINESS' THEN " MASK("b") " END,"
    " CASE WHEN kind = 'EVENTFD_COUNTER' THEN " ONE("eventfd_cause", "data")
    " END FROM transitions t;"
    /* The calls made on each fd while it was open: the seq range comes
     * from `fds`, so a query for one file reads the rows of that range,
     * by key, without an index on calls(fd) (which cost every recording
     * ~0.2 s per million calls at close). */
    "CREATE VIEW file_calls AS SELECT f.path AS file, c.* FROM fds f"
    " JOIN calls c ON c.seq > coalesce(f.opened_seq, 0)"
    " AND c.seq <= coalesce(f.closed_seq, (SELECT max(seq) FROM calls))"
    " AND c.fd = f.fd;";

/* Indexes of the derived tables for the documented queries: fds by path
 * and fd. */
static const char indexes[] =
    "CREATE INDEX fds_fd ON fds(fd, opened_seq);"
    "CREATE INDEX fds_path ON fds(path);";

static int fail(sqlite3 *db, const char *what) {
  wt_trace_set_error("sqlite: %s: %s", what, sqlite3_errmsg(db));
  return -1;
}

static int name_row(void *ud, const char *field, uint64_t value,
                    const char *name) {
  sqlite3_stmt *st = ud;
  int rc;
  sqlite3_bind_text(st, 1, field, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, (int64_t)value);
  sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

static void bind_u64_or_null(sqlite3_stmt *st, int k, bool has, uint64_t v) {
  if (has)
    sqlite3_bind_int64(st, k, (int64_t)v);
  else
    sqlite3_bind_null(st, k);
}

static int fd_row(sqlite3_stmt *st, const wt__fd_row_t *r, wt__sb_t *b) {
  int rc;
  wt__sb_reset(b);
  sqlite3_bind_int64(st, 1, r->fd);
  if (r->path != NULL)
    sqlite3_bind_text(st, 2, r->path, (int)r->path_len, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 2);
  sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_STATIC);
  if (r->has_rights) {
    size_t at;
    wt__fds_rights(b, r->rights_base);
    at = b->len + 1;
    wt__sb_putc(b, 0);
    wt__fmt_value(b, "oflags", &r->oflags, sizeof r->oflags);
    if (b->oom)
      return -1;
    sqlite3_bind_text(st, 4, b->s, -1, SQLITE_STATIC);
    /* The oflags printer quotes its names. */
    sqlite3_bind_text(st, 6, b->s + at + 1, (int)(b->len - at - 2),
                      SQLITE_STATIC);
  } else {
    sqlite3_bind_null(st, 4);
    sqlite3_bind_null(st, 6);
  }
  bind_u64_or_null(st, 5, r->has_rights, r->rights_base);
  bind_u64_or_null(st, 7, r->opened_seq != 0, r->opened_seq);
  bind_u64_or_null(st, 8, r->closed_seq != 0, r->closed_seq);
  if (r->opened_by != NULL)
    sqlite3_bind_text(st, 9, r->opened_by, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 9);
  sqlite3_bind_int64(st, 10, (int64_t)r->reads);
  sqlite3_bind_int64(st, 11, (int64_t)r->bytes_read);
  sqlite3_bind_int64(st, 12, (int64_t)r->writes);
  sqlite3_bind_int64(st, 13, (int64_t)r->bytes_written);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int fill(sqlite3 *db, wt__fds_t *f, bool rows) {
  sqlite3_stmt *st = NULL;
  wt__sb_t b = {0};
  int rc = -1;
  if (sqlite3_prepare_v2(db, "INSERT INTO names VALUES (?, ?, ?)", -1, &st,
                         NULL) != SQLITE_OK ||
      wt__names_each(name_row, st) != 0)
    goto out;
  sqlite3_finalize(st);
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO fds VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         -1, &st, NULL) != SQLITE_OK)
    goto out;
  wt__fds_finish(f);
  for (size_t i = 0; rows && i < f->nrows; i++)
    if (fd_row(st, &f->rows[i], &b) < 0)
      goto out;
  rc = 0;
out:
  if (rc < 0)
    fail(db, "fds");
  sqlite3_finalize(st);
  wt__sb_free(&b);
  return rc;
}

int wt__sqlite_derived(struct sqlite3 *db, wt__fds_t *f, bool rows) {
  if (sqlite3_exec(db, derived, NULL, NULL, NULL) != SQLITE_OK)
    return fail(db, "derived tables");
  if (fill(db, f, rows) < 0)
    return -1;
  if (sqlite3_exec(db, indexes, NULL, NULL, NULL) != SQLITE_OK)
    return fail(db, "indexes");
  return 0;
}

/*
 * The trace is recorded with 64 KiB pages (fewer page writes per row: the
 * fastest for large traces, see sink_sqlite.c), so even an empty one
 * holds a page per table and index, over 1 MB. A trace of at most
 * SMALL_PAGES pages is rewritten at close with 4 KiB pages (VACUUM:
 * milliseconds at that size), to tens of KB; a larger one keeps its pages,
 * whose slack is then small beside its rows.
 */
#define SMALL_PAGES 48

int wt__sqlite_shrink(struct sqlite3 *db) {
  sqlite3_stmt *st;
  int64_t pages = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, NULL) != SQLITE_OK)
    return fail(db, "page_count");
  if (sqlite3_step(st) == SQLITE_ROW)
    pages = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (pages < 0 || pages > SMALL_PAGES)
    return 0;
  if (sqlite3_exec(db, "PRAGMA page_size=4096; VACUUM", NULL, NULL, NULL) !=
      SQLITE_OK)
    return fail(db, "vacuum");
  return 0;
}
