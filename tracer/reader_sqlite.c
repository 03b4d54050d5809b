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
  sqlite3_blob *blob; /* open on the last `blobs` row read */
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

/* Copies `len` bytes at offset `off` of blobs row `id` to the arena. */
static int64_t copy_ref(reader_t *r, uint64_t seq, int64_t id, int64_t off,
                        uint64_t len) {
  int64_t at;
  int rc = r->blob == NULL ? sqlite3_blob_open(r->db, "main", "blobs", "data",
                                               id, 0, &r->blob)
                           : sqlite3_blob_reopen(r->blob, id);
  if (rc != SQLITE_OK || len > INT32_MAX || off < 0 ||
      (uint64_t)off + len > (uint64_t)sqlite3_blob_bytes(r->blob))
    return bad_row(r, seq, "payload reference");
  if ((at = wt__callbuf_copy(&r->cb, NULL, (size_t)len)) < 0)
    return -1;
  if (sqlite3_blob_read(r->blob, r->cb.arena + at, (int)len, (int)off) !=
      SQLITE_OK)
    return db_error(r, "read blob");
  return at;
}

/*
 * Payload i from columns kind, size, digest, data, ref at k.. (kind packs
 * arg << 4 | dir << 2 | capture; ref is chunk id << 32 | offset).
 */
static int payload_at(reader_t *r, sqlite3_stmt *st, int k, uint64_t seq,
                      uint32_t i) {
  wt_trace_payload_t *pl;
  int64_t kind = sqlite3_column_int64(st, k), off;
  if (kind < 0 || kind >> 4 > UINT16_MAX || ((kind >> 2) & 3) > 1 ||
      (kind & 3) > WT_PAYLOAD_NONE)
    return bad_row(r, seq, "payload");
  if (wt__callbuf_reserve(&r->cb, i + 1, 0, 0) < 0)
    return -1;
  pl = &r->cb.payloads[i];
  pl->arg = (uint16_t)(kind >> 4);
  pl->dir = (uint8_t)((kind >> 2) & 3);
  pl->capture = (uint8_t)(kind & 3);
  pl->size = col_u64(st, k + 1);
  pl->digest = 0;
  if (pl->capture == WT_PAYLOAD_DIGEST &&
      wt__hex64_parse(col_text(st, k + 2), &pl->digest) < 0)
    return bad_row(r, seq, "payload digest");
  if (sqlite3_column_type(st, k + 4) != SQLITE_NULL) {
    int64_t ref = sqlite3_column_int64(st, k + 4);
    pl->len = (uint32_t)pl->size;
    off = copy_ref(r, seq, ref >> 32, ref & 0xffffffff, pl->size);
  } else {
    pl->len = (uint32_t)sqlite3_column_bytes(st, k + 3);
    off = copy_col(r, st, k + 3);
  }
  if (off < 0)
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
  int src = wt__name_index(wt__denial_names, WT_DENIAL_COUNT, col_text(st, 1));
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
    d->rule = wt__callbuf_rule_ref(off);
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
  /* The first payload is in the call's own row. */
  if (sqlite3_column_type(r->calls, 7) != SQLITE_NULL &&
      payload_at(r, r->calls, 7, c->seq, c->npayloads++) < 0)
    return -1;
  if (gather(r, A_PAYLOADS, c->seq, &c->npayloads) < 0 ||
      gather(r, A_TRANSITIONS, c->seq, &c->ntransitions) < 0 ||
      gather(r, A_DENIALS, c->seq, &c->ndenials) < 0)
    return -1;
  wt__callbuf_fix_up(&r->cb, aoff, roff);
  *out = c;
  return 1;
}

static void sq_close(wt_trace_t *t) {
  reader_t *r = t->impl;
  if (r == NULL)
    return;
  sqlite3_finalize(r->calls);
  sqlite3_blob_close(r->blob);
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

/*
 * The queries for format 2, and for format 1 (no chunks: payloads were
 * whole in their rows, named by text columns, the later ones in
 * payloads_big) translated to the same columns.
 */
#define V1_KIND(arg, dir, capture)                                             \
  arg " * 16 + CASE " dir " WHEN 'in' THEN 0 WHEN 'out' THEN 4 ELSE 12 END"    \
      " + CASE " capture " WHEN 'full' THEN 0 WHEN 'digest' THEN 1"            \
      " WHEN 'none' THEN 2 ELSE 3 END"
static const char *const calls_sql[2] = {
    "SELECT seq, call, errno, start_ns, dur_ns, args_bin, results_bin, "
    "p_kind, p_size, p_digest, p_data, p_ref FROM calls ORDER BY seq",
    "SELECT seq, call, errno, start_ns, dur_ns, args_bin, "
    "results_bin, " V1_KIND("p_arg", "p_dir",
                            "p_capture") ", p_size, p_digest, p_data, NULL "
                                         "FROM calls ORDER BY seq"};
static const char *const payloads_sql[2] = {
    "SELECT seq, kind, size, digest, data, ref FROM more_payloads "
    "ORDER BY rowid",
    "SELECT seq, " V1_KIND("arg", "dir", "capture") ", size, digest, data, "
                                                    "NULL FROM payloads_big "
                                                    "ORDER BY rowid"};
#undef V1_KIND

static int prepare(reader_t *r, int v1) {
  static const char *const sql[A_COUNT] = {
      NULL,
      "SELECT seq, idx, kind, fd, fd2, a, b, data FROM transitions "
      "ORDER BY rowid",
      "SELECT seq, source, fd, right, rule FROM denials ORDER BY rowid"};
  if (sqlite3_prepare_v2(r->db, calls_sql[v1], -1, &r->calls, NULL) !=
      SQLITE_OK)
    return db_error(r, "not a wasitrace trace");
  for (int i = 0; i < A_COUNT; i++)
    if (sqlite3_prepare_v2(r->db, i == A_PAYLOADS ? payloads_sql[v1] : sql[i],
                           -1, &r->aux[i].st, NULL) != SQLITE_OK ||
        step_aux(r, &r->aux[i]) < 0)
      return db_error(r, "not a wasitrace trace");
  return 0;
}

int wt__reader_sqlite_open(wt_trace_t *t, const char *path) {
  const wt_trace_meta_t *v;
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
  /* Read-write when possible, so that SQLite can roll back the journal a
   * killed recorder left; the trace's contents are not changed. */
  if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    sqlite3_close(r->db);
    r->db = NULL;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
      return db_error(r, "cannot open");
  }
  if (read_meta(t, r) < 0)
    return -1;
  v = wt_trace_meta_get(t, "format_version");
  return prepare(r, v != NULL && v->type == WT_META_INT && v->i == 1);
}
