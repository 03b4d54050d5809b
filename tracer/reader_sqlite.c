/*
 * Reading a SQLite trace. Calls are read in seq order; payloads,
 * transitions and denials are read alongside in insertion (rowid) order,
 * which is seq order, and merged in: no index is needed, so the trace of a
 * killed recorder (which has none) reads in one pass too.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

enum { A_PAYLOADS, A_TRANSITIONS, A_DENIALS, A_COUNT };

typedef struct aux_s {
  sqlite3_stmt *st;
  bool row; /* st holds a row not yet used */
} aux_t;

typedef struct reader_s {
  sqlite3 *db;
  sqlite3_stmt *calls;
  aux_t aux[A_COUNT];
  wt__callbuf_t cb;
  char *path;
} reader_t;

static int db_error(reader_t *r, const char *what) {
  wt_trace_set_error("%s: %s: %s", r->path, what, sqlite3_errmsg(r->db));
  return -1;
}

static int step_aux(reader_t *r, aux_t *a) {
  int rc = sqlite3_step(a->st);
  a->row = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(r, "read");
}

/* Copies a column's bytes to the arena; the offset, or -1. */
static int64_t copy_col(reader_t *r, sqlite3_stmt *st, int col) {
  const void *p = sqlite3_column_blob(st, col);
  int n = sqlite3_column_bytes(st, col);
  return wt__callbuf_copy(&r->cb, p, (size_t)n);
}

static uint64_t col_u64(sqlite3_stmt *st, int col) {
  return (uint64_t)sqlite3_column_int64(st, col);
}

static const char *col_text(sqlite3_stmt *st, int col) {
  const unsigned char *s = sqlite3_column_text(st, col);
  return s != NULL ? (const char *)s : "";
}

static int bad_row(reader_t *r, uint64_t seq, const char *what) {
  wt_trace_set_error("%s: record %llu: bad %s", r->path,
                     (unsigned long long)seq, what);
  return -1;
}

/* Payload i from columns arg, dir, capture, size, digest, data at k.. */
static int payload_at(reader_t *r, sqlite3_stmt *st, int k, uint64_t seq,
                      uint32_t i) {
  wt_trace_payload_t *pl;
  int dir = wt__name_index(wt__dir_names, 2, col_text(st, k + 1));
  int cap = wt__name_index(wt__capture_names, 3, col_text(st, k + 2));
  int64_t off;
  if (dir < 0 || cap < 0)
    return bad_row(r, seq, "payload");
  if (wt__callbuf_reserve(&r->cb, i + 1, 0, 0) < 0)
    return -1;
  pl = &r->cb.payloads[i];
  pl->arg = (uint16_t)sqlite3_column_int(st, k);
  pl->dir = (uint8_t)dir;
  pl->capture = (uint8_t)cap;
  pl->size = col_u64(st, k + 3);
  pl->digest = 0;
  if (cap == WT_PAYLOAD_DIGEST &&
      wt__hex64_parse(col_text(st, k + 4), &pl->digest) < 0)
    return bad_row(r, seq, "payload digest");
  pl->len = (uint32_t)sqlite3_column_bytes(st, k + 5);
  if ((off = copy_col(r, st, k + 5)) < 0)
    return -1;
  pl->data = (const uint8_t *)(uintptr_t)off;
  return 0;
}

static int read_payload(reader_t *r, uint64_t seq, uint32_t i) {
  return payload_at(r, r->aux[A_PAYLOADS].st, 1, seq, i);
}

static int read_transition(reader_t *r, uint64_t seq, uint32_t i) {
  sqlite3_stmt *st = r->aux[A_TRANSITIONS].st;
  int kind = wt__transition_lookup(col_text(st, 2));
  if (kind < 0)
    return bad_row(r, seq, "transition kind");
  if (wt__callbuf_reserve(&r->cb, 0, i + 1, 0) < 0)
    return -1;
  /* NULL (a field the kind does not use) reads as 0. */
  r->cb.transitions[i] = (wt_transition_t){
      (uint16_t)kind, (uint32_t)col_u64(st, 3), (uint32_t)col_u64(st, 4),
      col_u64(st, 5), col_u64(st, 6),           col_u64(st, 7)};
  return 0;
}

static int read_denial(reader_t *r, uint64_t seq, uint32_t i) {
  sqlite3_stmt *st = r->aux[A_DENIALS].st;
  int src = wt__name_index(wt__denial_names, 2, col_text(st, 1));
  wt_trace_denial_t *d;
  if (src < 0)
    return bad_row(r, seq, "denial source");
  if (wt__callbuf_reserve(&r->cb, 0, 0, i + 1) < 0)
    return -1;
  d = &r->cb.denials[i];
  d->source = (uint8_t)src;
  d->fd = sqlite3_column_type(st, 2) == SQLITE_NULL ? UINT32_MAX
                                                    : (uint32_t)col_u64(st, 2);
  d->right = sqlite3_column_type(st, 3) == SQLITE_NULL
                 ? 0
                 : wt__right_lookup(col_text(st, 3));
  d->rule = NULL;
  if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
    int64_t off = copy_col(r, st, 4);
    if (off < 0)
      return -1;
    d->rule = (const char *)(uintptr_t)(off + 1); /* +1: 0 means NULL */
  }
  return 0;
}

/* Rows of one side table that belong to seq; *n counts them. */
static int gather(reader_t *r, int which, uint64_t seq, uint32_t *n) {
  static int (*const readers[A_COUNT])(reader_t *, uint64_t, uint32_t) = {
      read_payload, read_transition, read_denial};
  aux_t *a = &r->aux[which];
  while (a->row) {
    uint64_t s = col_u64(a->st, 0);
    if (s < seq)
      return bad_row(r, s, "row order (a row with no call)");
    if (s > seq)
      break;
    if (readers[which](r, seq, (*n)++) < 0 || step_aux(r, a) < 0)
      return -1;
  }
  return 0;
}

/* Turns the arena offsets stored in pointers into pointers. */
static void fix_up(reader_t *r, int64_t args_off, int64_t res_off) {
  wt_trace_call_t *c = &r->cb.call;
  c->args = r->cb.arena + args_off;
  c->results = r->cb.arena + res_off;
  c->payloads = r->cb.payloads;
  c->transitions = r->cb.transitions;
  c->denials = r->cb.denials;
  for (uint32_t i = 0; i < c->npayloads; i++)
    r->cb.payloads[i].data = r->cb.arena + (uintptr_t)r->cb.payloads[i].data;
  for (uint32_t i = 0; i < c->ndenials; i++)
    if (r->cb.denials[i].rule != NULL)
      r->cb.denials[i].rule =
          (const char *)r->cb.arena + (uintptr_t)r->cb.denials[i].rule - 1;
}

static int sq_next(wt_trace_t *t, const wt_trace_call_t **out) {
  reader_t *r = t->impl;
  wt_trace_call_t *c = &r->cb.call;
  int64_t aoff, roff;
  int rc = sqlite3_step(r->calls), call, err;
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    return db_error(r, "read calls");
  r->cb.arena_len = 0;
  c->seq = col_u64(r->calls, 0);
  call = wt_call_lookup(col_text(r->calls, 1), strlen(col_text(r->calls, 1)));
  err = wt__errno_lookup(col_text(r->calls, 2));
  if (call < 0 || err < 0)
    return bad_row(r, c->seq, call < 0 ? "call name" : "errno name");
  c->call = (uint16_t)call;
  c->err = (wt_errno_t)err;
  c->start_ns = col_u64(r->calls, 3);
  c->dur_ns = col_u64(r->calls, 4);
  c->args_len = (uint32_t)sqlite3_column_bytes(r->calls, 5);
  c->results_len = (uint32_t)sqlite3_column_bytes(r->calls, 6);
  c->npayloads = c->ntransitions = c->ndenials = 0;
  if ((aoff = copy_col(r, r->calls, 5)) < 0 ||
      (roff = copy_col(r, r->calls, 6)) < 0)
    return -1;
  /* The first payload, when small, is in the call's own row. */
  if (sqlite3_column_type(r->calls, 7) != SQLITE_NULL &&
      payload_at(r, r->calls, 7, c->seq, c->npayloads++) < 0)
    return -1;
  if (gather(r, A_PAYLOADS, c->seq, &c->npayloads) < 0 ||
      gather(r, A_TRANSITIONS, c->seq, &c->ntransitions) < 0 ||
      gather(r, A_DENIALS, c->seq, &c->ndenials) < 0)
    return -1;
  fix_up(r, aoff, roff);
  *out = c;
  return 1;
}

static void sq_close(wt_trace_t *t) {
  reader_t *r = t->impl;
  if (r == NULL)
    return;
  sqlite3_finalize(r->calls);
  for (int i = 0; i < A_COUNT; i++)
    sqlite3_finalize(r->aux[i].st);
  sqlite3_close(r->db);
  wt__callbuf_free(&r->cb);
  free(r->path);
  free(r);
}

static const wt__reader_ops_t sqlite_reader_ops = {sq_next, sq_close};

static int read_meta(wt_trace_t *t, reader_t *r) {
  sqlite3_stmt *st;
  int rc;
  if (sqlite3_prepare_v2(r->db, "SELECT key, type, value FROM meta", -1, &st,
                         NULL) != SQLITE_OK)
    return db_error(r, "not a wasitrace trace");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    static const char *const types[] = {"int", "text", "json", "blob"};
    int type = wt__name_index(types, 4, col_text(st, 1));
    wt_trace_meta_t m = {col_text(st, 0), (uint8_t)type, 0, NULL, NULL, 0};
    if (type < 0) {
      sqlite3_finalize(st);
      wt_trace_set_error("%s: bad meta type", r->path);
      return -1;
    }
    if (type == WT_META_INT)
      m.i = sqlite3_column_int64(st, 2);
    else if (type == WT_META_BLOB) {
      m.blob = sqlite3_column_blob(st, 2);
      m.len = (size_t)sqlite3_column_bytes(st, 2);
    } else
      m.text = col_text(st, 2);
    if (wt__trace_meta_set(t, &m) < 0) {
      sqlite3_finalize(st);
      return -1;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_error(r, "read meta");
}

static int prepare(reader_t *r) {
  static const char *const sql[A_COUNT] = {
      "SELECT seq, arg, dir, capture, size, digest, data FROM payloads_big "
      "ORDER BY rowid",
      "SELECT seq, idx, kind, fd, fd2, a, b, data FROM transitions "
      "ORDER BY rowid",
      "SELECT seq, source, fd, right, rule FROM denials ORDER BY rowid"};
  if (sqlite3_prepare_v2(r->db,
                         "SELECT seq, call, errno, start_ns, dur_ns, "
                         "args_bin, results_bin, p_arg, p_dir, p_capture, "
                         "p_size, p_digest, p_data FROM calls ORDER BY seq",
                         -1, &r->calls, NULL) != SQLITE_OK)
    return db_error(r, "not a wasitrace trace");
  for (int i = 0; i < A_COUNT; i++)
    if (sqlite3_prepare_v2(r->db, sql[i], -1, &r->aux[i].st, NULL) !=
            SQLITE_OK ||
        step_aux(r, &r->aux[i]) < 0)
      return db_error(r, "not a wasitrace trace");
  return 0;
}

int wt__reader_sqlite_open(wt_trace_t *t, const char *path) {
  reader_t *r = calloc(1, sizeof *r);
  if (r == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  t->impl = r;
  t->ops = &sqlite_reader_ops;
  if ((r->path = strdup(path)) == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  /* Read-write when possible, so that SQLite can recover the WAL a killed
   * recorder left; the trace's contents are not changed. */
  if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    sqlite3_close(r->db);
    r->db = NULL;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
      return db_error(r, "cannot open");
  }
  return read_meta(t, r) < 0 || prepare(r) < 0 ? -1 : 0;
}
