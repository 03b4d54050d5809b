/*
 * The SQLite sink: the schema of docs/trace-format.md.
 *
 * What recording costs here, and what was done about it (measured with
 * bench/run.sh and instruction counts, see bench/README.md):
 *
 * - SQLite's cost is per column more than per byte: every column of a row
 *   is bound, copied into a register and encoded. Rows are buffered per
 *   table and inserted ROWS at a time with one prepared multi-row INSERT
 *   (a single-row statement takes the remainder at commit), a parameter is
 *   bound again only when its value changed (loops of similar calls repeat
 *   most columns), and `seq` is left to SQLite's own numbering when it is
 *   the next one (an explicit key costs a uniqueness search).
 * - A payload of more than INLINE_MAX bytes is not a row of its own: its
 *   bytes are appended to a chunk of the `blobs` table and the call's row
 *   refers to them (p_ref), so a 4 KiB read costs one row and no B-tree
 *   page split, and the bytes sit in overflow pages, densely.
 * - A rollback journal with synchronous=OFF and an exclusive lock instead
 *   of WAL: new pages are written once (WAL writes them twice, log then
 *   checkpoint), and only the few pages a transaction changes in place are
 *   journaled. A killed recorder leaves a hot journal that the next opener
 *   rolls back, so the trace still opens at its last commit; what this
 *   gives up is durability against power loss or an OS crash, and reading
 *   the trace while it is being recorded (it is locked).
 *
 * Text and blobs of buffered rows are copied into a slot of their own (row,
 * column), or the table's arena when longer than a slot, and bound without
 * another copy (SQLITE_STATIC): SQLite reads them when the statement runs.
 * A value that fits its slot and has the length bound there last time is
 * not bound again, its new bytes are simply there.
 *
 * A failure (wt_sink_ops_t): a call that cannot be a row (larger than
 * SQLite's limit for one) is refused before anything is buffered, and the
 * next commit stores the calls before it; any other failure rolls the
 * transaction back and drops the buffered rows, so the trace is what the
 * last commit left, and the next commit fails to say so.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fds.h"
#include "internal.h"

#define ROWS 64

/*
 * Payloads keeping at most INLINE_MAX bytes are stored in their row
 * (p_data, data); larger ones in `blobs` chunks of about CHUNK bytes. A
 * chunk is the unit SQL reads to show one payload (substr), so it is kept
 * small enough that reading every payload of a trace stays cheap. 72 KiB
 * with 64 KiB pages: such a blob is one full overflow page plus the part
 * SQLite keeps in the leaf (about 8 KiB), so little of the file is slack;
 * it is also 18 reads of 4 KiB.
 */
#define INLINE_MAX 256
#define CHUNK (72u * 1024u)

/*
 * The columns of the `payloads` view from a payload's stored columns: the
 * packed kind decoded, and the bytes taken from their chunk when kept by
 * reference.
 */
#define PAYLOAD_COLUMNS(kind, size, digest, data, ref)                         \
  kind " >> 4, CASE (" kind " >> 2) & 3 WHEN 0 THEN 'in' ELSE 'out' END,"      \
       " CASE " kind " & 3 WHEN 0 THEN 'full' WHEN 1 THEN 'digest'"            \
       " ELSE 'none' END, " size ", " digest ", CASE WHEN " ref " IS NULL"     \
       " THEN " data " ELSE substr((SELECT data FROM blobs WHERE id = " ref    \
       " >> 32), (" ref " & 0xffffffff) + 1, " size ") END"

/*
 * Created in a transaction left open: the first commit (the tracer's,
 * right after the run's metadata) makes schema and metadata durable
 * together, with one journal instead of one per statement.
 */
static const char schema[] =
    "BEGIN;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, type TEXT NOT NULL, value);"
    "CREATE TABLE calls(seq INTEGER PRIMARY KEY, call TEXT NOT NULL,"
    " errno TEXT NOT NULL, fd INTEGER, fd2 INTEGER, path TEXT,"
    " nbytes INTEGER, newfd INTEGER, start_ns INTEGER NOT NULL,"
    " dur_ns INTEGER NOT NULL, args TEXT NOT NULL, results TEXT,"
    " args_bin BLOB NOT NULL, results_bin BLOB NOT NULL,"
    " p_kind INTEGER, p_size INTEGER, p_digest TEXT, p_data BLOB,"
    " p_ref INTEGER);"
    "CREATE TABLE more_payloads(seq INTEGER NOT NULL, kind INTEGER NOT NULL,"
    " size INTEGER NOT NULL, digest TEXT, data BLOB, ref INTEGER);"
    "CREATE TABLE blobs(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE transitions(seq INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " kind TEXT NOT NULL, fd INTEGER, fd2 INTEGER, a INTEGER, b INTEGER,"
    " data INTEGER);"
    "CREATE TABLE denials(seq INTEGER NOT NULL, source TEXT NOT NULL,"
    " fd INTEGER, right TEXT, rule TEXT, rule_index INTEGER,"
    " would INTEGER, reason TEXT, preopen TEXT, path TEXT, resolved TEXT);"
    /* clang-format off */
    "CREATE VIEW payloads(seq, arg, dir, capture, size, digest, data) AS"
    " SELECT seq, "
    PAYLOAD_COLUMNS("p_kind", "p_size", "p_digest", "p_data", "p_ref")
    " FROM calls WHERE p_kind IS NOT NULL"
    " UNION ALL SELECT seq, "
    PAYLOAD_COLUMNS("kind", "size", "digest", "data", "ref")
    " FROM more_payloads;";
/* clang-format on */
#undef PAYLOAD_COLUMNS

/*
 * Made when the recording is closed (inserts run faster without them; a
 * killed recorder's trace reads in order without them). The side tables
 * are indexed by seq for joins; `calls` is keyed by seq already, and an
 * index on its other columns would cost about 0.4 s per million calls to
 * build, more than a scan of it costs an occasional query.
 */
static const char indexes[] =
    "CREATE INDEX IF NOT EXISTS more_payloads_seq ON more_payloads(seq);"
    "CREATE INDEX IF NOT EXISTS transitions_seq ON transitions(seq);"
    "CREATE INDEX IF NOT EXISTS transitions_fd ON transitions(fd, fd2);"
    "CREATE INDEX IF NOT EXISTS denials_seq ON denials(seq);";

enum { V_NULL, V_INT, V_STATIC, V_TEXT, V_BLOB, V_UNKNOWN };

/* Bytes of a text or blob value kept in its (row, column) slot. */
#define SLOT 96

typedef struct val_s {
  uint8_t type;
  int64_t i;     /* INT value, or arena offset for TEXT/BLOB in the arena */
  const char *s; /* STATIC text, or the slot holding TEXT/BLOB (else NULL) */
  size_t n;      /* TEXT/BLOB length */
} val_t;

typedef struct table_s {
  const char *name;
  int ncols;
  sqlite3_stmt *multi, *single; /* prepared when first needed */
  val_t *vals;                  /* ROWS * ncols */
  /* What each statement's parameters hold now (bindings survive a reset):
   * ROWS * ncols for multi, then ncols for single. */
  val_t *bound;
  int nrows;
  uint8_t *slots; /* ROWS * ncols * SLOT bytes */
  uint8_t *arena;
  size_t arena_len, arena_cap;
} table_t;

enum { T_CALLS, T_PAYLOADS, T_TRANSITIONS, T_DENIALS, T_COUNT };

/* The `blobs` row being filled: id, and the bytes so far. */
typedef struct chunk_s {
  int64_t id;
  uint8_t *buf;
  size_t len;
  sqlite3_stmt *insert;
} chunk_t;

typedef struct sqlite_sink_s {
  sqlite3 *db;
  char *path;
  bool lost;           /* rolled back: the next commit fails once */
  uint64_t fail_after; /* test hook (wt__sink_fail_after) */
  uint64_t bytes;      /* of values inserted, for the test hook */
  table_t t[T_COUNT];
  chunk_t chunk;
  sqlite3_stmt *meta;
  bool in_txn;
  uint64_t last_seq; /* of the last call row */
  wt_trace_summary_t sum;
  wt__fds_t fds;  /* what each fd was, for the `fds` table at close */
  bool lost_any; /* calls were lost: `fds` would mention some */
} sqlite_sink_t;

int wt__sqlite_max_length;

/* A full disk and an I/O error say so, with the file and the errno. */
static int db_error(sqlite_sink_t *s, const char *what) {
  int code = sqlite3_extended_errcode(s->db), err = sqlite3_system_errno(s->db);
  if ((code & 0xff) == SQLITE_FULL)
    wt_trace_set_error("sqlite: disk full (ENOSPC) writing %s", s->path);
  else if ((code & 0xff) == SQLITE_IOERR)
    wt_trace_set_error("sqlite: I/O error writing %s: %s%s%s", s->path,
                       sqlite3_errmsg(s->db), err != 0 ? ": " : "",
                       err != 0 ? strerror(err) : "");
  else
    wt_trace_set_error("sqlite: %s: %s", what, sqlite3_errmsg(s->db));
  return -1;
}

static int exec(sqlite_sink_t *s, const char *sql) {
  return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK
             ? 0
             : db_error(s, sql);
}

/*
 * INSERT OR FAIL INTO name VALUES (?,...),(?,...) with `rows` rows. OR FAIL
 * (no row here can break a constraint) spares SQLite a statement journal:
 * with the default ABORT it copies every page a multi-row statement
 * changes into a temporary file first, to undo a half-done statement.
 */
static int prepare_insert(sqlite_sink_t *s, table_t *t, int rows,
                          sqlite3_stmt **out) {
  wt__sb_t b = {0};
  int rc;
  wt__sb_puts(&b, "INSERT OR FAIL INTO ");
  wt__sb_puts(&b, t->name);
  wt__sb_puts(&b, " VALUES ");
  for (int r = 0; r < rows; r++) {
    wt__sb_puts(&b, r > 0 ? ",(" : "(");
    for (int c = 0; c < t->ncols; c++)
      wt__sb_puts(&b, c > 0 ? ",?" : "?");
    wt__sb_putc(&b, ')');
  }
  if (b.oom) {
    wt__sb_free(&b);
    wt_trace_set_error("out of memory");
    return -1;
  }
  rc = sqlite3_prepare_v3(s->db, b.s, (int)b.len, SQLITE_PREPARE_PERSISTENT,
                          out, NULL);
  wt__sb_free(&b);
  return rc == SQLITE_OK ? 0 : db_error(s, "prepare insert");
}

static int table_init(table_t *t, const char *name, int ncols) {
  t->name = name;
  t->ncols = ncols;
  t->vals = calloc((size_t)ROWS * ncols, sizeof *t->vals);
  t->bound = calloc((size_t)(ROWS + 1) * ncols, sizeof *t->bound);
  t->slots = malloc((size_t)ROWS * ncols * SLOT);
  if (t->vals == NULL || t->bound == NULL || t->slots == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  for (int i = 0; i < (ROWS + 1) * ncols; i++)
    t->bound[i].type = V_UNKNOWN;
  return 0;
}

static void table_free(table_t *t) {
  sqlite3_finalize(t->multi);
  sqlite3_finalize(t->single);
  free(t->vals);
  free(t->bound);
  free(t->slots);
  free(t->arena);
}

static int64_t arena_copy(table_t *t, const void *p, size_t n) {
  size_t off = t->arena_len;
  if (t->arena_cap - t->arena_len < n) {
    size_t cap = t->arena_cap ? t->arena_cap : 65536;
    uint8_t *a;
    while (cap - t->arena_len < n)
      cap *= 2;
    if ((a = realloc(t->arena, cap)) == NULL)
      return -1;
    t->arena = a;
    t->arena_cap = cap;
  }
  if (n > 0)
    memcpy(t->arena + off, p, n);
  t->arena_len += n;
  return (int64_t)off;
}

/*
 * Whether a parameter already holds v: NULLs, integers and static strings
 * compared, text and blobs in the same slot with the same length (arena
 * values move between flushes). Most columns of a loop of similar calls
 * repeat (the call's name, its errno, NULL fds, the payload's kind, the
 * length of its JSON), and a bind costs as much as storing a column.
 */
static bool bound_same(const val_t *was, const val_t *v) {
  if (was->type != v->type)
    return false;
  switch (v->type) {
  case V_NULL:
    return true;
  case V_INT:
    return was->i == v->i;
  case V_STATIC:
    return was->s == v->s;
  case V_TEXT:
  case V_BLOB:
    return v->s != NULL && was->s == v->s && was->n == v->n;
  default:
    return false;
  }
}

static int bind_val(table_t *t, sqlite3_stmt *st, int k, const val_t *v) {
  switch (v->type) {
  case V_INT:
    return sqlite3_bind_int64(st, k, v->i);
  case V_STATIC:
    return sqlite3_bind_text(st, k, v->s, -1, SQLITE_STATIC);
  case V_TEXT:
    return sqlite3_bind_text(
        st, k, v->s != NULL ? v->s : (const char *)t->arena + v->i, (int)v->n,
        SQLITE_STATIC);
  case V_BLOB:
    return sqlite3_bind_blob(
        st, k, v->s != NULL ? (const uint8_t *)v->s : t->arena + v->i,
        (int)v->n, SQLITE_STATIC);
  default:
    return sqlite3_bind_null(st, k);
  }
}

/*
 * Binds row r of the buffer to statement st starting at parameter base;
 * `bound` is what st's parameters from base hold.
 */
static int bind_row(table_t *t, sqlite3_stmt *st, int r, int base,
                    val_t *bound) {
  for (int c = 0; c < t->ncols; c++) {
    const val_t *v = &t->vals[r * t->ncols + c];
    if (bound_same(&bound[c], v))
      continue;
    if (bind_val(t, st, base + c + 1, v) != SQLITE_OK) {
      bound[c].type = V_UNKNOWN;
      return -1;
    }
    bound[c] = *v;
  }
  return 0;
}

/* The test hook's full disk, once past its byte count. */
static bool injected_full(sqlite_sink_t *s) {
  if (s->fail_after == 0 || s->bytes <= s->fail_after)
    return false;
  s->fail_after = 0;
  wt_trace_set_error("sqlite: disk full (ENOSPC) writing %s", s->path);
  return true;
}

static int run(sqlite_sink_t *s, sqlite3_stmt *st) {
  int rc;
  if (injected_full(s))
    return -1;
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_error(s, "insert");
}

/* Inserts every buffered row of t: all at once if full, else one by one. */
static int table_flush(sqlite_sink_t *s, table_t *t) {
  val_t *single = t->bound + (size_t)ROWS * t->ncols;
  int rc = 0;
  for (int i = 0; s->fail_after != 0 && i < t->nrows * t->ncols; i++)
    s->bytes += 8 + t->vals[i].n;
  if (t->nrows == ROWS) {
    if (t->multi == NULL && prepare_insert(s, t, ROWS, &t->multi) < 0)
      return -1;
    for (int r = 0; r < ROWS && rc == 0; r++)
      rc = bind_row(t, t->multi, r, r * t->ncols, t->bound + r * t->ncols);
    rc = rc < 0 ? db_error(s, "bind") : run(s, t->multi);
  } else if (t->nrows > 0) {
    if (t->single == NULL && prepare_insert(s, t, 1, &t->single) < 0)
      return -1;
    for (int r = 0; r < t->nrows && rc == 0; r++)
      rc = bind_row(t, t->single, r, 0, single) < 0 ? db_error(s, "bind")
                                                    : run(s, t->single);
  }
  t->nrows = 0;
  t->arena_len = 0;
  return rc;
}

/* The next row's values, flushing a full buffer first. */
static val_t *table_row(sqlite_sink_t *s, table_t *t) {
  if (t->nrows == ROWS && table_flush(s, t) < 0)
    return NULL;
  return &t->vals[t->nrows++ * t->ncols];
}

static void v_int(val_t *v, int64_t i) {
  *v = (val_t){V_INT, i, NULL, 0};
}
static void v_null(val_t *v) {
  *v = (val_t){V_NULL, 0, NULL, 0};
}
static void v_static(val_t *v, const char *s) {
  *v = (val_t){V_STATIC, 0, s, 0};
}
/* v (one of t->vals) = a copy of p as TEXT or BLOB, in v's slot if it fits. */
static int v_copy(table_t *t, val_t *v, uint8_t type, const void *p, size_t n) {
  int64_t off;
  if (n <= SLOT) {
    char *slot = (char *)t->slots + (size_t)(v - t->vals) * SLOT;
    if (n > 0)
      memcpy(slot, p, n);
    *v = (val_t){type, 0, slot, n};
    return 0;
  }
  if ((off = arena_copy(t, p, n)) < 0) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  *v = (val_t){type, off, NULL, n};
  return 0;
}

static int begin(sqlite_sink_t *s) {
  if (s->in_txn)
    return 0;
  if (exec(s, "BEGIN") < 0)
    return -1;
  s->in_txn = true;
  return 0;
}

/* ---- blob chunks ------------------------------------------------------- */

/* Inserts `blobs` row (id, data). */
static int blob_insert(sqlite_sink_t *s, int64_t id, const uint8_t *data,
                       size_t len) {
  sqlite3_stmt *st = s->chunk.insert;
  s->bytes += len;
  if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
      sqlite3_bind_blob64(st, 2, data, len, SQLITE_STATIC) != SQLITE_OK)
    return db_error(s, "bind blob");
  return run(s, st);
}

/* Stores the chunk being filled, if any; the next one gets a new id. */
static int chunk_flush(sqlite_sink_t *s) {
  chunk_t *ch = &s->chunk;
  if (ch->len == 0)
    return 0;
  if (blob_insert(s, ch->id, ch->buf, ch->len) < 0)
    return -1;
  ch->id++;
  ch->len = 0;
  return 0;
}

/*
 * Appends a payload's bytes to the chunk and returns its reference (chunk
 * id << 32 | offset), or -1. A payload that fills a chunk by itself is
 * stored at once, without a copy.
 */
static int64_t chunk_add(sqlite_sink_t *s, const uint8_t *p, size_t n) {
  chunk_t *ch = &s->chunk;
  int64_t ref;
  if (ch->len > 0 && ch->len + n > CHUNK && chunk_flush(s) < 0)
    return -1;
  ref = ch->id << 32 | (int64_t)ch->len;
  if (ch->len == 0 && n >= CHUNK) {
    if (blob_insert(s, ch->id, p, n) < 0)
      return -1;
    ch->id++;
    return ref;
  }
  memcpy(ch->buf + ch->len, p, n);
  ch->len += n;
  if (ch->len >= CHUNK && chunk_flush(s) < 0)
    return -1;
  return ref;
}

/* ---- rows
 * -------------------------------------------------------------------- */

static void hex16(char out[16], uint64_t v) {
  static const char hex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; i--, v >>= 4)
    out[i] = hex[v & 15];
}

/*
 * kind, size, digest, data, ref of a payload into v[0..4]. kind packs the
 * argument index, the direction and the capture (docs/trace-format.md).
 */
static int payload_values(sqlite_sink_t *s, table_t *t, val_t *v,
                          const wt_trace_payload_t *pl) {
  char hex[16];
  v_int(&v[0], (int64_t)pl->arg << 4 | pl->dir << 2 | pl->capture);
  v_int(&v[1], (int64_t)pl->size);
  v_null(&v[2]);
  v_null(&v[3]);
  v_null(&v[4]);
  if (pl->capture == WT_PAYLOAD_DIGEST) {
    hex16(hex, pl->digest);
    if (v_copy(t, &v[2], V_TEXT, hex, 16) < 0)
      return -1;
  }
  if (pl->capture == WT_PAYLOAD_NONE)
    return 0;
  if (pl->len <= INLINE_MAX)
    return v_copy(t, &v[3], V_BLOB, pl->data, pl->len);
  /* Kept whole (len == size): the reference and the size say where. */
  int64_t ref = chunk_add(s, pl->data, pl->len);
  if (ref < 0)
    return -1;
  v_int(&v[4], ref);
  return 0;
}

static int call_row(sqlite_sink_t *s, const wt_trace_call_t *c,
                    const wt_trace_summary_t *m) {
  table_t *t = &s->t[T_CALLS];
  val_t *v = table_row(s, t);
  if (v == NULL)
    return -1;
  /* NULL lets SQLite number the row itself (the last rowid plus one),
   * which skips the uniqueness check an explicit key costs. */
  if (c->seq == s->last_seq + 1 && c->seq <= INT64_MAX)
    v_null(&v[0]);
  else
    v_int(&v[0], (int64_t)c->seq);
  s->last_seq = c->seq;
  v_static(&v[1], wt_call_name(c->call));
  v_static(&v[2], wt_errno_name(c->err));
  m->has_fd ? v_int(&v[3], m->fd) : v_null(&v[3]);
  m->has_fd2 ? v_int(&v[4], m->fd2) : v_null(&v[4]);
  if (!m->has_path)
    v_null(&v[5]);
  else if (v_copy(t, &v[5], V_TEXT, m->path, m->path_len) < 0)
    return -1;
  m->has_nbytes ? v_int(&v[6], (int64_t)m->nbytes) : v_null(&v[6]);
  m->has_newfd ? v_int(&v[7], m->newfd) : v_null(&v[7]);
  v_int(&v[8], (int64_t)c->start_ns);
  v_int(&v[9], (int64_t)c->dur_ns);
  if (v_copy(t, &v[10], V_TEXT, m->args_json, strlen(m->args_json)) < 0)
    return -1;
  if (c->err != WT_ESUCCESS)
    v_null(&v[11]);
  else if (v_copy(t, &v[11], V_TEXT, m->results_json, strlen(m->results_json)) <
           0)
    return -1;
  if (v_copy(t, &v[12], V_BLOB, c->args, c->args_len) < 0 ||
      v_copy(t, &v[13], V_BLOB, c->results, c->results_len) < 0)
    return -1;
  if (c->npayloads > 0)
    return payload_values(s, t, &v[14], &c->payloads[0]);
  for (int k = 14; k < 19; k++)
    v_null(&v[k]);
  return 0;
}

static int payload_row(sqlite_sink_t *s, const wt_trace_call_t *c,
                       const wt_trace_payload_t *pl) {
  table_t *t = &s->t[T_PAYLOADS];
  val_t *v = table_row(s, t);
  if (v == NULL)
    return -1;
  v_int(&v[0], (int64_t)c->seq);
  return payload_values(s, t, &v[1], pl);
}

/* Which fields each transition kind uses (the map's "" means unused). */
static const bool tr_uses[WT_TR_COUNT][5] = {
#define XX(name, desc, f1, f2, a, b, d)                                        \
  {sizeof(f1) > 1, sizeof(f2) > 1, sizeof(a) > 1, sizeof(b) > 1, sizeof(d) > 1},
    WT_TRANSITION_MAP(XX)
#undef XX
};

/* A field the kind does not use is NULL, unless it is (oddly) non-zero:
 * the trace must give back exactly what was recorded. */
static void tr_field(val_t *v, unsigned kind, int field, uint64_t x) {
  if (x == 0 && kind < WT_TR_COUNT && !tr_uses[kind][field])
    v_null(v);
  else
    v_int(v, (int64_t)x);
}

static int transition_row(sqlite_sink_t *s, const wt_trace_call_t *c,
                          uint32_t idx, const wt_transition_t *tr) {
  val_t *v = table_row(s, &s->t[T_TRANSITIONS]);
  if (v == NULL)
    return -1;
  v_int(&v[0], (int64_t)c->seq);
  v_int(&v[1], idx);
  v_static(&v[2], wt_transition_name(tr->kind));
  tr_field(&v[3], tr->kind, 0, tr->fd);
  tr_field(&v[4], tr->kind, 1, tr->fd2);
  tr_field(&v[5], tr->kind, 2, tr->a);
  tr_field(&v[6], tr->kind, 3, tr->b);
  tr_field(&v[7], tr->kind, 4, tr->data);
  return 0;
}

static int denial_row(sqlite_sink_t *s, const wt_trace_call_t *c,
                      const wt_trace_denial_t *d) {
  table_t *t = &s->t[T_DENIALS];
  val_t *v = table_row(s, t);
  if (v == NULL)
    return -1;
  v_int(&v[0], (int64_t)c->seq);
  v_static(&v[1], wt__denial_names[d->source]);
  d->fd == UINT32_MAX ? v_null(&v[2]) : v_int(&v[2], d->fd);
  d->right == 0 ? v_null(&v[3]) : v_static(&v[3], wt_right_name(d->right));
  d->rule_index < 0 ? v_null(&v[5]) : v_int(&v[5], d->rule_index);
  v_int(&v[6], d->would);
  {
    const char *strs[] = {d->rule, d->reason, d->preopen, d->path,
                          d->resolved};
    static const int cols[] = {4, 7, 8, 9, 10};
    for (int i = 0; i < 5; i++)
      if (strs[i] == NULL)
        v_null(&v[cols[i]]);
      else if (v_copy(t, &v[cols[i]], V_TEXT, strs[i], strlen(strs[i])) < 0)
        return -1;
  }
  return 0;
}

/*
 * Back to the last commit after a failure (see the top of the file): the
 * transaction rolled back (SQLite may have done it already), the buffered
 * rows dropped. Returns -1, keeping the failure's message.
 */
static int lose(sqlite_sink_t *s) {
  if (!sqlite3_get_autocommit(s->db))
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  for (int i = 0; i < T_COUNT; i++) {
    s->t[i].nrows = 0;
    s->t[i].arena_len = 0;
  }
  s->chunk.len = 0;
  s->in_txn = false;
  s->lost = true;
  s->lost_any = true;
  return -1;
}

/*
 * The bytes of the call's own row, which SQLite caps (SQLITE_LIMIT_LENGTH,
 * 1e9 by default), and of its largest payload, which is one `blobs` value
 * when it fills chunks: either past the cap refuses the call up front,
 * before SQLite refuses a batch of rows at some later flush. The JSON text
 * is bounded (WT__JSON_ARRAY_MAX); args_bin and results_bin are whole.
 */
static int check_size(sqlite_sink_t *s, const wt_trace_call_t *c,
                      const wt_trace_summary_t *m) {
  uint64_t limit = (uint64_t)sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, -1);
  uint64_t row = 1024 + strlen(m->args_json) + strlen(m->results_json) +
                 c->args_len + c->results_len + m->path_len + INLINE_MAX;
  for (uint32_t i = 0; i < c->npayloads; i++)
    if (c->payloads[i].len > row)
      row = c->payloads[i].len;
  if (row <= limit)
    return 0;
  wt_trace_set_error("sqlite: row too large: call %llu (%s) needs about %llu "
                     "bytes, SQLite's limit for a value is %llu",
                     (unsigned long long)c->seq, wt_call_name(c->call),
                     (unsigned long long)row, (unsigned long long)limit);
  return -1;
}

static int sq_call(void *impl, const wt_trace_call_t *c) {
  sqlite_sink_t *s = impl;
  if (wt__check_denials(c) < 0 || wt_trace_summarize(c, &s->sum) < 0 ||
      check_size(s, c, &s->sum) < 0)
    return -1;
  if (begin(s) < 0 || call_row(s, c, &s->sum) < 0)
    return lose(s);
  for (uint32_t i = 1; i < c->npayloads; i++)
    if (payload_row(s, c, &c->payloads[i]) < 0)
      return lose(s);
  for (uint32_t i = 0; i < c->ntransitions; i++)
    if (transition_row(s, c, i, &c->transitions[i]) < 0)
      return lose(s);
  for (uint32_t i = 0; i < c->ndenials; i++)
    if (denial_row(s, c, &c->denials[i]) < 0)
      return lose(s);
  wt__fds_call(&s->fds, c, &s->sum);
  return 0;
}

/* ---- meta, commit, open, close ---------------------------------------------
 */

static int sq_meta(void *impl, const wt_trace_meta_t *m) {
  static const char *const types[] = {"int", "text", "json", "blob"};
  sqlite_sink_t *s = impl;
  sqlite3_stmt *st = s->meta;
  int rc;
  if (m->type > WT_META_BLOB) {
    wt_trace_set_error("meta %s: unknown type %u", m->key, m->type);
    return -1;
  }
  wt__fds_meta(&s->fds, m);
  if (begin(s) < 0)
    return lose(s);
  sqlite3_bind_text(st, 1, m->key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, types[m->type], -1, SQLITE_STATIC);
  if (m->type == WT_META_INT)
    rc = sqlite3_bind_int64(st, 3, m->i);
  else if (m->type == WT_META_BLOB)
    rc = sqlite3_bind_blob64(st, 3, m->blob, m->len, SQLITE_STATIC);
  else
    rc = sqlite3_bind_text(st, 3, m->text, -1, SQLITE_STATIC);
  if (rc != SQLITE_OK)
    return db_error(s, "bind meta");
  return run(s, st) < 0 ? lose(s) : 0;
}

/* A chunk never spans a commit: the rows that refer to it are committed
 * with it. */
static int sq_commit(void *impl) {
  sqlite_sink_t *s = impl;
  if (s->lost) {
    s->lost = false;
    wt_trace_set_error("sqlite: %s was rolled back to its last commit",
                       s->path);
    return -1;
  }
  if (!s->in_txn)
    return 0;
  for (int i = 0; i < T_COUNT; i++)
    if (table_flush(s, &s->t[i]) < 0)
      return lose(s);
  if (chunk_flush(s) < 0 || exec(s, "COMMIT") < 0)
    return lose(s);
  s->in_txn = false;
  return 0;
}

static void sink_free(sqlite_sink_t *s) {
  for (int i = 0; i < T_COUNT; i++)
    table_free(&s->t[i]);
  sqlite3_finalize(s->chunk.insert);
  free(s->chunk.buf);
  sqlite3_finalize(s->meta);
  sqlite3_close(s->db);
  wt_trace_summary_free(&s->sum);
  wt__fds_free(&s->fds);
  free(s->path);
  free(s);
}

/* The indexes and the derived tables go in with the last rows: one
 * transaction, one journal. */
static int sq_close(void *impl) {
  sqlite_sink_t *s = impl;
  int rc = begin(s);
  if (rc == 0)
    rc = exec(s, indexes);
  if (rc == 0 && !s->lost)
    rc = wt__sqlite_derived(s->db, &s->fds, !s->lost_any && !s->fds.oom);
  if (rc == 0)
    rc = sq_commit(s);
  if (rc == 0)
    rc = wt__sqlite_shrink(s->db);
  sink_free(s);
  return rc;
}

static const wt_sink_ops_t sqlite_ops = {sq_meta, sq_call, sq_commit, sq_close};

/* Removes path and its journal companions: the trace starts empty. */
static void remove_old(const char *path) {
  static const char *const suffixes[] = {"-journal", "-wal", "-shm"};
  char p[4096];
  unlink(path);
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
    unlink(p);
  }
}

static int setup(sqlite_sink_t *s) {
  static const char *const names[T_COUNT] = {"calls", "more_payloads",
                                             "transitions", "denials"};
  static const int ncols[T_COUNT] = {19, 6, 8, 11};
  /* 64 KiB pages: fewer B-tree splits and page writes per row than 16 KiB
   * (measured: 5% fewer instructions per small call, and lower totals on
   * bench/run.sh), at the price of a larger empty trace (about 0.8 MB, a
   * page per table and index). The journal settings are explained at the
   * top of the file. A small page cache (1 MiB, 16 pages): a transaction
   * of large payloads spills its new pages to the file and reuses their
   * memory, which stays in the CPU's caches and TLB, where a 16 MiB cache
   * of pages touched once each cost the writer more than the copies
   * themselves (bench/run.sh copy: 179 -> 145 ms). */
  if (exec(s, "PRAGMA page_size=65536") < 0 ||
      exec(s, "PRAGMA journal_mode=DELETE") < 0 ||
      exec(s, "PRAGMA synchronous=OFF") < 0 ||
      exec(s, "PRAGMA locking_mode=EXCLUSIVE") < 0 ||
      exec(s, "PRAGMA cache_size=-1024") < 0 || exec(s, schema) < 0)
    return -1;
  s->in_txn = true;
  for (int i = 0; i < T_COUNT; i++)
    if (table_init(&s->t[i], names[i], ncols[i]) < 0)
      return -1;
  s->chunk.id = 1;
  if ((s->chunk.buf = malloc(CHUNK)) == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  if (sqlite3_prepare_v3(s->db, "INSERT INTO blobs VALUES (?, ?)", -1,
                         SQLITE_PREPARE_PERSISTENT, &s->chunk.insert,
                         NULL) != SQLITE_OK ||
      sqlite3_prepare_v3(s->db, "INSERT OR REPLACE INTO meta VALUES (?, ?, ?)",
                         -1, SQLITE_PREPARE_PERSISTENT, &s->meta,
                         NULL) != SQLITE_OK)
    return db_error(s, "prepare");
  return 0;
}

int wt_sink_sqlite_open(const char *path, wt_sink_t **out) {
  sqlite_sink_t *s = calloc(1, sizeof *s);
  if (s == NULL || (s->path = strdup(path)) == NULL) {
    free(s);
    wt_trace_set_error("out of memory");
    return -1;
  }
  s->fail_after = wt__sink_fail_after;
  remove_old(path);
  if (sqlite3_open_v2(path, &s->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                          SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    wt_trace_set_error("sqlite: cannot create %s: %s", path,
                       s->db ? sqlite3_errmsg(s->db) : "out of memory");
    sink_free(s);
    return -1;
  }
  if (wt__sqlite_max_length > 0)
    sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, wt__sqlite_max_length);
  if (setup(s) < 0 || (*out = wt_sink_new(&sqlite_ops, s)) == NULL) {
    sink_free(s);
    return -1;
  }
  return 0;
}
