/*
 * Reading a SQLite trace. Calls are read in seq order; payloads,
 * transitions and denials are read alongside in insertion (rowid) order,
 * which is seq order, and merged in: no index is needed, so the trace of a
 * killed recorder (which has none) reads in one pass too.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

enum { A_PAYLOADS, A_TRANSITIONS, A_DENIALS, A_COUNT };

static const char *const aux_tables[A_COUNT] = {"more_payloads",
                                                "transitions", "denials"};

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
  wt__sq_guard_t guard;
  uint64_t last_seq; /* of the last call handed out, 0 before the first */
  /* Payload bytes still allowed: an honest trace stores each byte it
   * hands out once, so all of them fit in the file; a hostile one could
   * otherwise point many rows at the same large chunk. */
  uint64_t bytes_left;
} reader_t;

/* The row being read, for messages: "TRACE: row seq=N of TABLE: ...". */
typedef struct row_s {
  reader_t *r;
  sqlite3_stmt *st;
  const char *table;
  uint64_t seq;
} row_t;

static int db_error(reader_t *r, const char *what) {
  return wt__sqlite_guard_error(r->db, &r->guard, r->path, what);
}

static int bad(const row_t *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bad(const row_t *w, const char *fmt, ...) {
  char why[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  wt_trace_set_error("%s: row seq=%llu of %s: %s", w->r->path,
                     (unsigned long long)w->seq, w->table, why);
  return -1;
}

static const char *type_name(int type) {
  static const char *const names[] = {"?", "INTEGER", "REAL", "TEXT", "BLOB",
                                      "NULL"};
  return type >= 1 && type <= 5 ? names[type] : names[0];
}

/*
 * Column col as an integer within [lo, hi]. NULL reads as `null_as` where
 * the column may be NULL (null_ok), and is an error elsewhere; so is any
 * other type: SQLite would quietly turn text into 0.
 */
static int get_int(const row_t *w, int col, const char *name, bool null_ok,
                   int64_t null_as, int64_t lo, int64_t hi, int64_t *v) {
  int type = sqlite3_column_type(w->st, col);
  *v = 0; /* set on every path: GCC at -O3 cannot see that failures
             are never read */
  if (type == SQLITE_NULL && null_ok) {
    *v = null_as;
    return 0;
  }
  if (type != SQLITE_INTEGER)
    return bad(w, "%s is %s, not an integer", name, type_name(type));
  *v = sqlite3_column_int64(w->st, col);
  if (*v < lo || *v > hi)
    return bad(w, "%s %lld is out of range", name, (long long)*v);
  return 0;
}

static int get_u64(const row_t *w, int col, const char *name, bool null_ok,
                   uint64_t *v) {
  int64_t x;
  /* u64 values are stored as their int64 bit pattern. */
  if (get_int(w, col, name, null_ok, 0, INT64_MIN, INT64_MAX, &x) < 0)
    return -1;
  *v = (uint64_t)x;
  return 0;
}

static int get_u32(const row_t *w, int col, const char *name, bool null_ok,
                   uint32_t *v) {
  int64_t x;
  if (get_int(w, col, name, null_ok, 0, 0, UINT32_MAX, &x) < 0)
    return -1;
  *v = (uint32_t)x;
  return 0;
}

/* A TEXT column (a name); NULL when null_ok and the column is NULL. */
static int get_text(const row_t *w, int col, const char *name, bool null_ok,
                    const char **s) {
  int type = sqlite3_column_type(w->st, col);
  *s = NULL;
  if (type == SQLITE_NULL && null_ok)
    return 0;
  if (type != SQLITE_TEXT)
    return bad(w, "%s is %s, not text", name, type_name(type));
  *s = (const char *)sqlite3_column_text(w->st, col);
  return *s != NULL ? 0 : bad(w, "%s: out of memory", name);
}

static int take_bytes(const row_t *w, uint64_t n) {
  if (n > w->r->bytes_left)
    return bad(w, "its bytes add up to more than the trace holds (%llu "
                  "bytes): rows refer to the same data again and again",
               (unsigned long long)w->r->guard.size);
  w->r->bytes_left -= n;
  return 0;
}

/* Copies a BLOB (or NULL: no bytes) column's bytes to the arena; the
 * offset, or -1. */
static int64_t copy_col(const row_t *w, int col, const char *name,
                        uint32_t *len) {
  int type = sqlite3_column_type(w->st, col);
  const void *p;
  int n;
  if (type != SQLITE_BLOB && type != SQLITE_NULL)
    return bad(w, "%s is %s, not a blob", name, type_name(type));
  p = sqlite3_column_blob(w->st, col);
  n = sqlite3_column_bytes(w->st, col);
  if (take_bytes(w, (uint64_t)n) < 0)
    return -1;
  *len = (uint32_t)n;
  return wt__callbuf_copy(&w->r->cb, p, (size_t)n);
}

/* Copies `len` bytes at offset `off` of blobs row `id` to the arena. */
static int64_t copy_ref(const row_t *w, int64_t ref, uint64_t len) {
  reader_t *r = w->r;
  int64_t at, id = ref >> 32, off = ref & 0xffffffff;
  int rc;
  if (ref < 0 || len > INT32_MAX)
    return bad(w, "payload reference %lld (%llu bytes) is out of range",
               (long long)ref, (unsigned long long)len);
  rc = r->blob == NULL ? sqlite3_blob_open(r->db, "main", "blobs", "data", id,
                                           0, &r->blob)
                       : sqlite3_blob_reopen(r->blob, id);
  if (rc != SQLITE_OK)
    return bad(w, "payload reference to blobs row %lld: %s", (long long)id,
               sqlite3_errmsg(r->db));
  if ((uint64_t)off + len > (uint64_t)sqlite3_blob_bytes(r->blob))
    return bad(w, "payload reference past the end of blobs row %lld",
               (long long)id);
  if (take_bytes(w, len) < 0 ||
      (at = wt__callbuf_copy(&r->cb, NULL, (size_t)len)) < 0)
    return -1;
  if (sqlite3_blob_read(r->blob, r->cb.arena + at, (int)len, (int)off) !=
      SQLITE_OK)
    return bad(w, "reading blobs row %lld: %s", (long long)id,
               sqlite3_errmsg(r->db));
  return at;
}

/*
 * Payload i from columns kind, size, digest, data, ref at k.. (kind packs
 * arg << 4 | dir << 2 | capture; ref is chunk id << 32 | offset).
 */
static int payload_at(const row_t *w, int k, uint32_t i) {
  reader_t *r = w->r;
  wt_trace_payload_t *pl;
  const char *hex = NULL, *why;
  int64_t kind, off, ref;
  if (i >= UINT16_MAX)
    return bad(w, "more than %u payloads for one call", UINT16_MAX);
  if (get_int(w, k, "payload kind", false, 0, 0, (int64_t)UINT16_MAX << 4 | 15,
              &kind) < 0)
    return -1;
  if (((kind >> 2) & 3) > 1 || (kind & 3) > WT_PAYLOAD_NONE)
    return bad(w, "payload kind %lld is not one a trace has", (long long)kind);
  if (wt__callbuf_reserve(&r->cb, i + 1, 0, 0) < 0)
    return -1;
  pl = &r->cb.payloads[i];
  pl->arg = (uint16_t)(kind >> 4);
  pl->dir = (uint8_t)((kind >> 2) & 3);
  pl->capture = (uint8_t)(kind & 3);
  pl->digest = 0;
  if (get_int(w, k + 1, "payload size", false, 0, 0, INT64_MAX, &off) < 0)
    return -1;
  pl->size = (uint64_t)off;
  if (pl->capture == WT_PAYLOAD_DIGEST &&
      (get_text(w, k + 2, "payload digest", false, &hex) < 0 ||
       wt__hex64_parse(hex, &pl->digest) < 0))
    return hex != NULL ? bad(w, "payload digest is not 16 hex digits") : -1;
  if (get_int(w, k + 4, "payload reference", true, -1, INT64_MIN, INT64_MAX,
              &ref) < 0)
    return -1;
  if (sqlite3_column_type(w->st, k + 4) != SQLITE_NULL) {
    pl->len = (uint32_t)pl->size;
    off = copy_ref(w, ref, pl->size);
  } else {
    off = copy_col(w, k + 3, "payload data", &pl->len);
  }
  if (off < 0)
    return -1;
  if ((why = wt__payload_check(pl)) != NULL)
    return bad(w, "payload of argument %u: %s", pl->arg, why);
  pl->data = (const uint8_t *)(uintptr_t)off;
  return 0;
}

static int read_payload(const row_t *w, uint32_t i) {
  return payload_at(w, 1, i);
}

static int read_transition(const row_t *w, uint32_t i) {
  const char *name;
  wt_transition_t tr = {0, 0, 0, 0, 0, 0};
  int kind;
  if (i >= UINT16_MAX)
    return bad(w, "more than %u transitions for one call", UINT16_MAX);
  if (get_text(w, 2, "kind", false, &name) < 0)
    return -1;
  if ((kind = wt__transition_lookup(name)) < 0)
    return bad(w, "unknown transition kind");
  /* NULL (a field the kind does not use) reads as 0. */
  if (get_u32(w, 3, "fd", true, &tr.fd) < 0 ||
      get_u32(w, 4, "fd2", true, &tr.fd2) < 0 ||
      get_u64(w, 5, "a", true, &tr.a) < 0 ||
      get_u64(w, 6, "b", true, &tr.b) < 0 ||
      get_u64(w, 7, "data", true, &tr.data) < 0 ||
      wt__callbuf_reserve(&w->r->cb, 0, i + 1, 0) < 0)
    return -1;
  tr.kind = (uint16_t)kind;
  w->r->cb.transitions[i] = tr;
  return 0;
}

/* Text column col (NULL allowed) into the arena, as a callbuf reference. */
static int denial_text(const row_t *w, int col, const char *name,
                       const char **out) {
  const char *text;
  uint32_t len;
  int64_t off;
  *out = NULL;
  if (get_text(w, col, name, true, &text) < 0)
    return -1;
  if (text == NULL)
    return 0;
  len = (uint32_t)sqlite3_column_bytes(w->st, col);
  if (take_bytes(w, len) < 0 || (off = wt__callbuf_copy(&w->r->cb, text, len)) < 0)
    return -1;
  *out = wt__callbuf_rule_ref(off);
  return 0;
}

static int read_denial(const row_t *w, uint32_t i) {
  const char *source, *right;
  wt_trace_denial_t *d;
  int64_t fd, idx, would;
  int src;
  if (i >= UINT16_MAX)
    return bad(w, "more than %u denials for one call", UINT16_MAX);
  if (get_text(w, 1, "source", false, &source) < 0)
    return -1;
  if ((src = wt__name_index(wt__denial_names, WT_DENIAL_COUNT, source)) < 0)
    return bad(w, "unknown denial source");
  /* A NULL fd is "no fd argument", UINT32_MAX in the record. */
  if (get_int(w, 2, "fd", true, UINT32_MAX, 0, UINT32_MAX, &fd) < 0 ||
      get_text(w, 3, "right", true, &right) < 0 ||
      get_int(w, 5, "rule_index", true, -1, 0, INT32_MAX, &idx) < 0 ||
      get_int(w, 6, "would", true, 0, 0, 1, &would) < 0 ||
      wt__callbuf_reserve(&w->r->cb, 0, 0, i + 1) < 0)
    return -1;
  d = &w->r->cb.denials[i];
  d->source = (uint8_t)src;
  d->fd = (uint32_t)fd;
  d->right = right != NULL ? wt__right_lookup(right) : 0;
  d->rule_index = (int32_t)idx;
  d->would = would != 0;
  return denial_text(w, 4, "rule", &d->rule) < 0 ||
                 denial_text(w, 7, "reason", &d->reason) < 0 ||
                 denial_text(w, 8, "preopen", &d->preopen) < 0 ||
                 denial_text(w, 9, "path", &d->path) < 0 ||
                 denial_text(w, 10, "resolved", &d->resolved) < 0
             ? -1
             : 0;
}

static int step_aux(reader_t *r, int which) {
  aux_t *a = &r->aux[which];
  int rc = sqlite3_step(a->st);
  a->row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return 0;
  wt__sqlite_guard_error(r->db, &r->guard, r->path, aux_tables[which]);
  return -1;
}

/* Rows of one side table that belong to seq; *n counts them. */
static int gather(reader_t *r, int which, uint64_t seq, uint32_t *n) {
  static int (*const readers[A_COUNT])(const row_t *, uint32_t) = {
      read_payload, read_transition, read_denial};
  aux_t *a = &r->aux[which];
  row_t w = {r, a->st, aux_tables[which], seq};
  while (a->row) {
    uint64_t s;
    if (get_u64(&w, 0, "seq", false, &s) < 0)
      return -1;
    if (s < seq || s <= r->last_seq) {
      w.seq = s;
      return bad(&w, "no call has this seq, or the rows are out of order");
    }
    if (s > seq)
      break;
    if (readers[which](&w, (*n)++) < 0 || step_aux(r, which) < 0)
      return -1;
  }
  return 0;
}

/* The call's own columns (and first payload) into the record. */
static int call_row(reader_t *r, const row_t *w, int64_t *aoff,
                    int64_t *roff) {
  wt_trace_call_t *c = &r->cb.call;
  const char *name, *err;
  int call, e;
  if (get_text(w, 1, "call", false, &name) < 0 ||
      get_text(w, 2, "errno", false, &err) < 0)
    return -1;
  if ((call = wt_call_lookup(name, strlen(name))) < 0)
    return bad(w, "unknown call name");
  if ((e = wt__errno_lookup(err)) < 0)
    return bad(w, "unknown errno name");
  c->call = (uint16_t)call;
  c->err = (wt_errno_t)e;
  if (get_u64(w, 3, "start_ns", false, &c->start_ns) < 0 ||
      get_u64(w, 4, "dur_ns", false, &c->dur_ns) < 0 ||
      (*aoff = copy_col(w, 5, "args_bin", &c->args_len)) < 0 ||
      (*roff = copy_col(w, 6, "results_bin", &c->results_len)) < 0)
    return -1;
  c->npayloads = c->ntransitions = c->ndenials = 0;
  /* The first payload is in the call's own row. */
  if (sqlite3_column_type(w->st, 7) != SQLITE_NULL &&
      payload_at(w, 7, c->npayloads++) < 0)
    return -1;
  return 0;
}

/* After the last call: a side row no call took is damage, not a row to
 * drop quietly. 0, or -1. */
static int leftover_rows(reader_t *r) {
  for (int i = 0; i < A_COUNT; i++) {
    row_t w = {r, r->aux[i].st, aux_tables[i], 0};
    uint64_t s;
    if (!r->aux[i].row)
      continue;
    if (get_u64(&w, 0, "seq", false, &s) < 0)
      return -1;
    w.seq = s;
    return bad(&w, "no call has this seq, or the rows are out of order");
  }
  return 0;
}

static int sq_next(wt_trace_t *t, const wt_trace_call_t **out) {
  reader_t *r = t->impl;
  wt_trace_call_t *c = &r->cb.call;
  row_t w = {r, r->calls, "calls", r->last_seq};
  int64_t aoff = -1, roff = -1, seq;
  int rc = sqlite3_step(r->calls);
  if (rc == SQLITE_DONE)
    return leftover_rows(r);
  if (rc != SQLITE_ROW) {
    char what[64];
    snprintf(what, sizeof what, "reading calls after seq=%llu",
             (unsigned long long)r->last_seq);
    return db_error(r, what);
  }
  r->cb.arena_len = 0;
  if (get_int(&w, 0, "seq", false, 0, 1, INT64_MAX, &seq) < 0)
    return -1;
  w.seq = (uint64_t)seq;
  if (w.seq <= r->last_seq)
    return bad(&w, "seq does not follow the previous call's (%llu)",
               (unsigned long long)r->last_seq);
  c->seq = w.seq;
  if (call_row(r, &w, &aoff, &roff) < 0 ||
      gather(r, A_PAYLOADS, c->seq, &c->npayloads) < 0 ||
      gather(r, A_TRANSITIONS, c->seq, &c->ntransitions) < 0 ||
      gather(r, A_DENIALS, c->seq, &c->ndenials) < 0)
    return -1;
  r->last_seq = c->seq;
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

/* The value of meta row `key` as its `type` says, into m. */
static int meta_value(reader_t *r, sqlite3_stmt *st, wt_trace_meta_t *m) {
  static const int want[] = {SQLITE_INTEGER, SQLITE_TEXT, SQLITE_TEXT,
                             SQLITE_BLOB};
  int type = sqlite3_column_type(st, 2);
  json_t *j;
  if (type != want[m->type]) {
    wt_trace_set_error("%s: meta %s: the value is %s, not %s", r->path,
                       m->key, type_name(type), type_name(want[m->type]));
    return -1;
  }
  if (m->type == WT_META_INT) {
    m->i = sqlite3_column_int64(st, 2);
  } else if (m->type == WT_META_BLOB) {
    m->blob = sqlite3_column_blob(st, 2);
    m->len = (size_t)sqlite3_column_bytes(st, 2);
  } else if ((m->text = (const char *)sqlite3_column_text(st, 2)) == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  /* A json entry must be JSON, as it is in a JSON Lines trace. */
  if (m->type == WT_META_JSON) {
    if ((j = json_loads(m->text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
                        NULL)) == NULL) {
      wt_trace_set_error("%s: meta %s: the value is not JSON", r->path,
                         m->key);
      return -1;
    }
    json_decref(j);
  }
  return 0;
}

static int meta_row(wt_trace_t *t, reader_t *r, sqlite3_stmt *st) {
  static const char *const types[] = {"int", "text", "json", "blob"};
  /* The types first: reading a value as text may convert it. */
  int key_type = sqlite3_column_type(st, 0), type_type = sqlite3_column_type(st, 1);
  const char *key = (const char *)sqlite3_column_text(st, 0);
  const char *type = (const char *)sqlite3_column_text(st, 1);
  wt_trace_meta_t m = {key, 0, 0, NULL, NULL, 0};
  int k = -1;
  if (key_type != SQLITE_TEXT || key == NULL) {
    wt_trace_set_error("%s: a meta row's key is %s, not text", r->path,
                       type_name(key_type));
    return -1;
  }
  if (type_type == SQLITE_TEXT && type != NULL)
    k = wt__name_index(types, 4, type);
  if (k < 0) {
    wt_trace_set_error("%s: meta %s: the type is not int, text, json or "
                       "blob",
                       r->path, key);
    return -1;
  }
  m.type = (uint8_t)k;
  if (meta_value(r, st, &m) < 0)
    return -1;
  return wt__trace_meta_set(t, &m);
}

static int read_meta(wt_trace_t *t, reader_t *r) {
  sqlite3_stmt *st;
  int rc;
  if (sqlite3_prepare_v2(r->db, "SELECT key, type, value FROM meta", -1, &st,
                         NULL) != SQLITE_OK)
    return db_error(r, "not a wasitrace trace");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (meta_row(t, r, st) < 0) {
      sqlite3_finalize(st);
      return -1;
    }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_error(r, "reading meta");
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

static int prepare(reader_t *r, int v1, bool v4) {
  /* Format 4 gave denials six more columns; older traces read as NULLs. */
  const char *const sql[A_COUNT] = {
      NULL,
      "SELECT seq, idx, kind, fd, fd2, a, b, data FROM transitions "
      "ORDER BY rowid",
      v4 ? "SELECT seq, source, fd, right, rule, rule_index, would, reason, "
           "preopen, path, resolved FROM denials ORDER BY rowid"
         : "SELECT seq, source, fd, right, rule, NULL, NULL, NULL, NULL, "
           "NULL, NULL FROM denials ORDER BY rowid"};
  if (sqlite3_prepare_v2(r->db, calls_sql[v1], -1, &r->calls, NULL) !=
      SQLITE_OK)
    return db_error(r, "not a wasitrace trace");
  for (int i = 0; i < A_COUNT; i++) {
    if (sqlite3_prepare_v2(r->db, i == A_PAYLOADS ? payloads_sql[v1] : sql[i],
                           -1, &r->aux[i].st, NULL) != SQLITE_OK)
      return db_error(r, "not a wasitrace trace");
    if (step_aux(r, i) < 0)
      return -1;
  }
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
  r->guard.size = t->size;
  r->bytes_left = t->size + (1 << 16);
  if (wt__sqlite_open_guarded(path, &r->guard, &r->db) < 0 ||
      wt__sqlite_check_schema(r->db, &r->guard, path) < 0)
    return -1;
  if (read_meta(t, r) < 0)
    return -1;
  v = wt_trace_meta_get(t, "format_version");
  return prepare(r, v != NULL && v->type == WT_META_INT && v->i == 1,
                 v != NULL && v->type == WT_META_INT && v->i >= 4);
}
