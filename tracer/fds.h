/*
 * The fds a run used, derived from its calls (trace format 5): which guest
 * fd stood for which path, kind and rights, from which call to which, and
 * the bytes read and written through it. Both sinks keep one, fed with
 * every call they store, and write it out when the trace is closed (the
 * `fds` table, the `fd` records of JSON Lines): it is derived data, so a
 * conversion rebuilds it from the calls and the readers never read it.
 */
#ifndef WT_TRACER_FDS_H
#define WT_TRACER_FDS_H

#include "internal.h"

typedef struct wt__fd_row_s {
  uint32_t fd;
  char *path; /* the guest path as resolved (lexically), or NULL */
  uint32_t path_len;
  const char *kind;      /* static: "REGULAR_FILE", "eventfd", "stdio", ... */
  bool has_rights;       /* rights_base and oflags known (path_open) */
  uint64_t rights_base;  /* the rights the guest asked for */
  uint64_t oflags;       /* path_open's oflags */
  uint64_t opened_seq;   /* 0: there before the first call */
  uint64_t closed_seq;   /* 0: never closed */
  const char *opened_by; /* static call name, or NULL */
  uint64_t reads, bytes_read, writes, bytes_written;
} wt__fd_row_t;

typedef struct wt__fds_s {
  wt__fd_row_t *rows;
  size_t nrows, cap;
  uint32_t *open; /* fd -> row index + 1 (0: not open) */
  uint32_t nopen;
  /* Preopens as the metadata names them, placed at the first call. */
  char **dirs, **socks;
  uint32_t ndirs, nsocks;
  bool placed;
  bool oom;
} wt__fds_t;

/* The preopens and socket_preopens entries (others are ignored). */
void wt__fds_meta(wt__fds_t *f, const wt_trace_meta_t *m);
/* One stored call, with its summary (wt_trace_summarize). */
void wt__fds_call(wt__fds_t *f, const wt_trace_call_t *c,
                  const wt_trace_summary_t *m);
/* Places the preopens if no call did: call before reading rows. */
void wt__fds_finish(wt__fds_t *f);
void wt__fds_free(wt__fds_t *f);

/* The row as a JSON Lines `fd` record (without its newline). */
void wt__fds_jsonl(wt__sb_t *b, const wt__fd_row_t *r);

/* "FD_READ|FD_WRITE" for a rights mask ("ALL" for every right). */
void wt__fds_rights(wt__sb_t *b, uint64_t rights);

/*
 * The `names` table's rows: for each field the trace stores as a number
 * (filetype, epoll_events, signal, rights, oflags, fdflags, eventfd_cause),
 * each value or bit with its name. fn returns nonzero to stop.
 */
int wt__names_each(int (*fn)(void *ud, const char *field, uint64_t value,
                             const char *name),
                   void *ud);

/*
 * The SQLite sink's close: the names and fds tables (fds with no rows
 * unless `rows`: the sink lost calls, and fds would mention them), the
 * transitions_named view and the indexes of the documented queries.
 */
struct sqlite3;
int wt__sqlite_derived(struct sqlite3 *db, wt__fds_t *f, bool rows);
/* After the last commit: a small trace rewritten with small pages. */
int wt__sqlite_shrink(struct sqlite3 *db);

#endif
