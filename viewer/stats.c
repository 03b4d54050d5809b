/*
 * wasitrace stats: strace -c for a trace. Everything is counted as the
 * records stream by; memory is bounded by the number of calls of calls.def,
 * errnos, transition kinds and at most WT_STATS_MAX_PATHS paths and fds.
 */
#include <stdio.h>
#include <stdlib.h>

#include "viewer_internal.h"

typedef struct entry_s {
  char *key;
  uint64_t count, read, written;
} entry_t;

/* A string-keyed table of at most WT_STATS_MAX_PATHS entries. */
typedef struct table_s {
  entry_t *slots; /* 2 * WT_STATS_MAX_PATHS, open addressing */
  uint32_t n;
  uint64_t other; /* uses of keys that did not fit */
} table_t;

#define SLOTS (2 * WT_STATS_MAX_PATHS)

struct wt_stats_s {
  wt_viewer_t *v; /* the fd state, for bytes per path */
  uint64_t count[WT_CALL_COUNT], errors[WT_CALL_COUNT];
  uint64_t total_ns[WT_CALL_COUNT], max_ns[WT_CALL_COUNT];
  uint64_t errnos[256];
  uint64_t transitions[WT_TR_COUNT + 1];
  uint64_t denials[WT_DENIAL_COUNT + 1];
  uint64_t calls, last_end_ns;
  table_t paths, fds;
  char *partial;
  /* The run, from the metadata. */
  char *module, *sha, *argv, *preopens, *end, *trap;
  int64_t exit_code, signal, start_ns, end_ns;
  bool has_exit, has_signal, has_start, has_end_ns;
};

static const char *const denial_names[WT_DENIAL_COUNT] = {
    "rights", "policy", "abi", "sandbox"};

int wt_stats_sort_parse(const char *name, wt_stats_sort_t *out) {
  static const char *const names[] = {"time", "calls", "errors", "name"};
  for (int i = 0; i < 4; i++)
    if (strcmp(names[i], name) == 0) {
      *out = (wt_stats_sort_t)i;
      return 0;
    }
  return -1;
}

int wt_stats_new(wt_stats_t **out) {
  wt_stats_t *s = calloc(1, sizeof *s);
  if (s == NULL || wt_viewer_new(NULL, &s->v) < 0 ||
      (s->paths.slots = calloc(SLOTS, sizeof(entry_t))) == NULL ||
      (s->fds.slots = calloc(SLOTS, sizeof(entry_t))) == NULL) {
    wt_stats_free(s);
    wt_trace_set_error("out of memory");
    return -1;
  }
  *out = s;
  return 0;
}

static void table_free(table_t *t) {
  for (uint32_t i = 0; t->slots != NULL && i < SLOTS; i++)
    free(t->slots[i].key);
  free(t->slots);
}

void wt_stats_free(wt_stats_t *s) {
  if (s == NULL)
    return;
  wt_viewer_free(s->v);
  table_free(&s->paths);
  table_free(&s->fds);
  free(s->partial);
  free(s->module);
  free(s->sha);
  free(s->argv);
  free(s->preopens);
  free(s->end);
  free(s->trap);
  free(s);
}

/* The entry for key (n bytes), or NULL when the table is full. */
static entry_t *table_get(table_t *t, const char *key, size_t n) {
  uint64_t h = wt_trace_digest(key, n);
  for (uint32_t i = 0; i < SLOTS; i++) {
    entry_t *e = &t->slots[(h + i) % SLOTS];
    if (e->key == NULL) {
      if (t->n == WT_STATS_MAX_PATHS || (e->key = malloc(n + 1)) == NULL)
        return NULL;
      memcpy(e->key, key, n);
      e->key[n] = 0;
      t->n++;
      return e;
    }
    if (strlen(e->key) == n && memcmp(e->key, key, n) == 0)
      return e;
  }
  return NULL;
}

static void set_text(char **dst, const char *src) {
  free(*dst);
  *dst = src != NULL ? strdup(src) : NULL;
}

int wt_stats_meta(wt_stats_t *s, const wt_trace_meta_t *m) {
  const char *k = m->key;
  wt_viewer_meta(s->v, m);
  if (m->type == WT_META_INT) {
    if (strcmp(k, "exit_code") == 0)
      s->exit_code = m->i, s->has_exit = true;
    else if (strcmp(k, "signal") == 0)
      s->signal = m->i, s->has_signal = true;
    else if (strcmp(k, "start_time_ns") == 0)
      s->start_ns = m->i, s->has_start = true;
    else if (strcmp(k, "end_time_ns") == 0)
      s->end_ns = m->i, s->has_end_ns = true;
    return 0;
  }
  if (m->type == WT_META_BLOB)
    return 0;
  if (strcmp(k, "module_name") == 0)
    set_text(&s->module, m->text);
  else if (strcmp(k, "module_sha256") == 0)
    set_text(&s->sha, m->text);
  else if (strcmp(k, "argv") == 0)
    set_text(&s->argv, m->text);
  else if (strcmp(k, "preopens") == 0)
    set_text(&s->preopens, m->text);
  else if (strcmp(k, "end") == 0)
    set_text(&s->end, m->text);
  else if (strcmp(k, "trap") == 0)
    set_text(&s->trap, m->text);
  return 0;
}

/* Bytes moved by a call's payloads, on its first fd and what it is. */
static void bytes(wt_stats_t *s, const wt_trace_call_t *c,
                  const wt__scan_t *sc) {
  uint64_t rd = 0, wr = 0;
  char key[600];
  const char *l;
  entry_t *e;
  if (c->err != WT_ESUCCESS || sc->nfds == 0)
    return;
  for (uint32_t i = 0; i < c->npayloads; i++)
    if (c->payloads[i].dir == WT_PAYLOAD_IN)
      wr += c->payloads[i].size;
    else
      rd += c->payloads[i].size;
  if (rd == 0 && wr == 0)
    return;
  l = wt_viewer_fd_label(s->v, sc->fds[0]);
  snprintf(key, sizeof key, "%u<%s>", sc->fds[0], l != NULL ? l : "?");
  if ((e = table_get(&s->fds, key, strlen(key))) == NULL) {
    s->fds.other++;
    return;
  }
  e->read += rd;
  e->written += wr;
}

int wt_stats_add(wt_stats_t *s, const wt_trace_call_t *c) {
  wt__scan_t sc;
  unsigned id = c->call < WT_CALL_COUNT ? c->call : 0;
  wt__view_scan(c, &sc);
  s->calls++;
  s->count[id]++;
  s->errors[id] += c->err != WT_ESUCCESS;
  s->total_ns[id] += c->dur_ns;
  if (c->dur_ns > s->max_ns[id])
    s->max_ns[id] = c->dur_ns;
  s->errnos[c->err & 255]++;
  if (c->start_ns + c->dur_ns > s->last_end_ns)
    s->last_end_ns = c->start_ns + c->dur_ns;
  for (uint32_t i = 0; i < c->ntransitions; i++)
    s->transitions[c->transitions[i].kind < WT_TR_COUNT
                       ? c->transitions[i].kind
                       : WT_TR_COUNT]++;
  for (uint32_t i = 0; i < c->ndenials; i++)
    s->denials[c->denials[i].source < WT_DENIAL_COUNT
                   ? c->denials[i].source
                   : WT_DENIAL_COUNT]++;
  for (uint32_t i = 0; i < sc.nstrs; i++) {
    entry_t *e = table_get(&s->paths, (const char *)sc.strs[i],
                           sc.str_lens[i] < 512 ? sc.str_lens[i] : 512);
    if (e != NULL)
      e->count++;
    else
      s->paths.other++;
  }
  bytes(s, c, &sc);
  wt__view_apply(s->v, c, &sc);
  if (sc.bad) {
    wt_trace_set_error("record %llu (%s): arguments do not match the call",
                       (unsigned long long)c->seq, wt_call_name(c->call));
    return -1;
  }
  return 0;
}

void wt_stats_partial(wt_stats_t *s, const char *why) {
  set_text(&s->partial, why != NULL ? why : "damaged trace");
}

/* ---- output ----------------------------------------------------------------
 */

typedef struct order_s {
  const wt_stats_t *s;
  wt_stats_sort_t sort;
} order_t;

static order_t g_order; /* qsort has no context argument in C11 */

static int by_order(const void *pa, const void *pb) {
  unsigned a = *(const unsigned *)pa, b = *(const unsigned *)pb;
  const wt_stats_t *s = g_order.s;
  const uint64_t *k = g_order.sort == WT_STATS_SORT_CALLS    ? s->count
                      : g_order.sort == WT_STATS_SORT_ERRORS ? s->errors
                      : g_order.sort == WT_STATS_SORT_TIME   ? s->total_ns
                                                             : NULL;
  if (k != NULL && k[a] != k[b])
    return k[a] > k[b] ? -1 : 1;
  return strcmp(wt_call_name(a), wt_call_name(b));
}

/* The calls made, in the order asked for; returns their number. */
static unsigned ordered(const wt_stats_t *s, wt_stats_sort_t sort,
                        unsigned *ids) {
  unsigned n = 0;
  for (unsigned i = 0; i < WT_CALL_COUNT; i++)
    if (s->count[i] > 0)
      ids[n++] = i;
  g_order = (order_t){s, sort};
  qsort(ids, n, sizeof *ids, by_order);
  return n;
}

static int by_count(const void *pa, const void *pb) {
  const entry_t *a = *(const entry_t *const *)pa,
                *b = *(const entry_t *const *)pb;
  uint64_t ka = a->count + a->read + a->written,
           kb = b->count + b->read + b->written;
  if (ka != kb)
    return ka > kb ? -1 : 1;
  return strcmp(a->key, b->key);
}

/* The table's entries, most used first (caller frees). */
static entry_t **entries(const table_t *t, uint32_t *n) {
  entry_t **v = malloc((t->n + 1) * sizeof *v);
  *n = 0;
  if (v == NULL)
    return NULL;
  for (uint32_t i = 0; i < SLOTS; i++)
    if (t->slots[i].key != NULL)
      v[(*n)++] = &t->slots[i];
  qsort(v, *n, sizeof *v, by_count);
  return v;
}

static uint64_t total_ns(const wt_stats_t *s) {
  uint64_t t = 0;
  for (unsigned i = 0; i < WT_CALL_COUNT; i++)
    t += s->total_ns[i];
  return t;
}


static void run_text(const wt_stats_t *s, bool times, FILE *f) {
  fprintf(f, "\nrun:\n  module:   %s\n  sha256:   %s\n  argv:     %s\n"
             "  preopens: %s\n",
          s->module ? s->module : "?", s->sha ? s->sha : "?",
          s->argv ? s->argv : "?", s->preopens ? s->preopens : "[]");
  fprintf(f, "  end:      %s", s->end ? s->end : "?");
  if (s->has_exit && s->end && strcmp(s->end, "exit") == 0)
    fprintf(f, " %lld", (long long)s->exit_code);
  if (s->trap && s->end && strcmp(s->end, "trap") == 0)
    fprintf(f, " (%s)", s->trap);
  if (s->has_signal && s->end && strcmp(s->end, "signal") == 0)
    fprintf(f, " %lld", (long long)s->signal);
  if (times && s->has_start && s->has_end_ns && s->end_ns >= s->start_ns)
    fprintf(f, "\n  duration: %.6f s",
            (double)(s->end_ns - s->start_ns) / 1e9);
  fprintf(f, "\n  calls:    %llu\n  complete: %s\n",
          (unsigned long long)s->calls,
          s->partial ? "no (damaged trace)"
          : s->end && strcmp(s->end, "incomplete") != 0
              ? "yes"
              : "no (the recorder stopped before the guest ended)");
  if (s->partial)
    fprintf(f, "  partial:  %s\n", s->partial);
}

static void calls_text(const wt_stats_t *s, wt_stats_sort_t sort, bool times,
                       FILE *f) {
  unsigned ids[WT_CALL_COUNT], n = ordered(s, sort, ids);
  uint64_t total = total_ns(s), errs = 0;
  if (times)
    fprintf(f, "%% time     seconds  usecs/call   max usecs      calls    "
               "errors call\n------ ----------- ----------- ----------- "
               "---------- --------- --------------------\n");
  else
    fprintf(f, "     calls    errors call\n---------- --------- "
               "--------------------\n");
  for (unsigned k = 0; k < n; k++) {
    unsigned i = ids[k];
    errs += s->errors[i];
    if (times)
      fprintf(f, "%6.2f %11.6f %11llu %11llu %10llu %9llu %s\n",
              total ? 100.0 * (double)s->total_ns[i] / (double)total : 0.0,
              (double)s->total_ns[i] / 1e9,
              (unsigned long long)(s->total_ns[i] / s->count[i] / 1000),
              (unsigned long long)(s->max_ns[i] / 1000),
              (unsigned long long)s->count[i],
              (unsigned long long)s->errors[i], wt_call_name(i));
    else
      fprintf(f, "%10llu %9llu %s\n", (unsigned long long)s->count[i],
              (unsigned long long)s->errors[i], wt_call_name(i));
  }
  if (times)
    fprintf(f, "------ ----------- ----------- ----------- ---------- "
               "--------- --------------------\n100.00 %11.6f %35llu %9llu "
               "total\n",
            (double)total / 1e9, (unsigned long long)s->calls,
            (unsigned long long)errs);
  else
    fprintf(f, "---------- --------- --------------------\n%10llu %9llu "
               "total\n",
            (unsigned long long)s->calls, (unsigned long long)errs);
}

static void tables_text(const wt_stats_t *s, FILE *f) {
  wt__sb_t q = {0};
  uint32_t n;
  entry_t **v;
  fprintf(f, "\nerrors:\n");
  for (int e = 1; e < 256; e++)
    if (s->errnos[e] > 0)
      fprintf(f, "  %10llu  %s (%s)\n", (unsigned long long)s->errnos[e],
              wt_errno_name((wt_errno_t)e), wt_errno_string((wt_errno_t)e));
  fprintf(f, "\npaths (most used first):\n");
  if ((v = entries(&s->paths, &n)) != NULL) {
    for (uint32_t i = 0; i < n && i < 20; i++) {
      wt__sb_reset(&q);
      wt__view_quote(&q, (const uint8_t *)v[i]->key, strlen(v[i]->key), 200,
                     false);
      fprintf(f, "  %10llu  %s\n", (unsigned long long)v[i]->count, q.s);
    }
    free(v);
  }
  fprintf(f, "\nbytes by fd:\n  %12s %12s  fd\n", "read", "written");
  if ((v = entries(&s->fds, &n)) != NULL) {
    for (uint32_t i = 0; i < n && i < 20; i++)
      fprintf(f, "  %12llu %12llu  %s\n", (unsigned long long)v[i]->read,
              (unsigned long long)v[i]->written, v[i]->key);
    free(v);
  }
  fprintf(f, "\ntransitions:\n");
  for (unsigned k = 0; k <= WT_TR_COUNT; k++)
    if (s->transitions[k] > 0)
      fprintf(f, "  %10llu  %s\n", (unsigned long long)s->transitions[k],
              wt_transition_name(k));
  fprintf(f, "\ndenials:\n");
  for (unsigned k = 0; k <= WT_DENIAL_COUNT; k++)
    if (s->denials[k] > 0)
      fprintf(f, "  %10llu  %s\n", (unsigned long long)s->denials[k],
              k < WT_DENIAL_COUNT ? denial_names[k] : "unknown");
  wt__sb_free(&q);
}

int wt_stats_print(const wt_stats_t *s, wt_stats_sort_t sort, bool times,
                   FILE *f) {
  calls_text(s, sort, times, f);
  tables_text(s, f);
  run_text(s, times, f);
  return ferror(f) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------
 */

static void jstr(wt__sb_t *b, const char *k, const char *v) {
  wt__sb_putc(b, '"');
  wt__sb_puts(b, k);
  wt__sb_puts(b, "\":");
  if (v == NULL)
    wt__sb_puts(b, "null");
  else
    wt__sb_json_str(b, v, strlen(v));
}

static void jnum(wt__sb_t *b, const char *k, uint64_t v) {
  wt__sb_putc(b, '"');
  wt__sb_puts(b, k);
  wt__sb_puts(b, "\":");
  wt__sb_json_u64(b, v);
}

static void calls_json(const wt_stats_t *s, wt_stats_sort_t sort, bool times,
                       wt__sb_t *b) {
  unsigned ids[WT_CALL_COUNT], n = ordered(s, sort, ids);
  uint64_t total = total_ns(s);
  wt__sb_puts(b, "\"calls\":[");
  for (unsigned k = 0; k < n; k++) {
    unsigned i = ids[k];
    char share[32];
    wt__sb_puts(b, k ? ",{" : "{");
    jstr(b, "call", wt_call_name(i));
    wt__sb_putc(b, ',');
    jnum(b, "count", s->count[i]);
    wt__sb_putc(b, ',');
    jnum(b, "errors", s->errors[i]);
    if (times) {
      wt__sb_putc(b, ',');
      jnum(b, "total_ns", s->total_ns[i]);
      wt__sb_putc(b, ',');
      jnum(b, "mean_ns", s->total_ns[i] / s->count[i]);
      wt__sb_putc(b, ',');
      jnum(b, "max_ns", s->max_ns[i]);
      snprintf(share, sizeof share, ",\"share\":%.4f",
               total ? (double)s->total_ns[i] / (double)total : 0.0);
      wt__sb_puts(b, share);
    }
    wt__sb_putc(b, '}');
  }
  wt__sb_puts(b, "],");
}

static void entries_json(const table_t *t, bool paths, wt__sb_t *b) {
  uint32_t n;
  entry_t **v = entries(t, &n);
  wt__sb_puts(b, paths ? "\"paths\":[" : "\"bytes\":[");
  for (uint32_t i = 0; v != NULL && i < n && i < 100; i++) {
    wt__sb_puts(b, i ? ",{" : "{");
    jstr(b, paths ? "path" : "fd", v[i]->key);
    wt__sb_putc(b, ',');
    if (paths) {
      jnum(b, "count", v[i]->count);
    } else {
      jnum(b, "read", v[i]->read);
      wt__sb_putc(b, ',');
      jnum(b, "written", v[i]->written);
    }
    wt__sb_putc(b, '}');
  }
  free(v);
  wt__sb_puts(b, "],");
}

static void counts_json(wt__sb_t *b, const char *name, const uint64_t *v,
                        unsigned n, const char *(*nm)(unsigned)) {
  bool first = true;
  wt__sb_putc(b, '"');
  wt__sb_puts(b, name);
  wt__sb_puts(b, "\":{");
  for (unsigned k = 0; k < n; k++)
    if (v[k] > 0) {
      if (!first)
        wt__sb_putc(b, ',');
      first = false;
      jnum(b, nm(k), v[k]);
    }
  wt__sb_puts(b, "},");
}

/* From errno 1: SUCCESS is not an error. */
static const char *errno_nm(unsigned e) {
  return wt_errno_name((wt_errno_t)(e + 1));
}
static const char *denial_nm(unsigned k) {
  return k < WT_DENIAL_COUNT ? denial_names[k] : "unknown";
}

static void run_json(const wt_stats_t *s, bool times, wt__sb_t *b) {
  wt__sb_puts(b, "\"run\":{");
  jstr(b, "module", s->module);
  wt__sb_putc(b, ',');
  jstr(b, "sha256", s->sha);
  wt__sb_puts(b, ",\"argv\":");
  wt__sb_puts(b, s->argv ? s->argv : "null");
  wt__sb_puts(b, ",\"preopens\":");
  wt__sb_puts(b, s->preopens ? s->preopens : "[]");
  wt__sb_putc(b, ',');
  jstr(b, "end", s->end);
  if (s->has_exit) {
    wt__sb_putc(b, ',');
    jnum(b, "exit_code", (uint64_t)s->exit_code);
  }
  if (s->trap) {
    wt__sb_putc(b, ',');
    jstr(b, "trap", s->trap);
  }
  if (times && s->has_start && s->has_end_ns && s->end_ns >= s->start_ns) {
    wt__sb_putc(b, ',');
    jnum(b, "duration_ns", (uint64_t)(s->end_ns - s->start_ns));
  }
  wt__sb_putc(b, ',');
  jnum(b, "calls", s->calls);
  wt__sb_puts(b, s->partial == NULL && s->end &&
                         strcmp(s->end, "incomplete") != 0
                     ? ",\"complete\":true,"
                     : ",\"complete\":false,");
  jstr(b, "partial", s->partial);
  wt__sb_puts(b, "}}\n");
}

int wt_stats_print_json(const wt_stats_t *s, wt_stats_sort_t sort, bool times,
                        FILE *f) {
  wt__sb_t b = {0};
  int rc;
  wt__sb_putc(&b, '{');
  calls_json(s, sort, times, &b);
  counts_json(&b, "errors", s->errnos + 1, 255, errno_nm);
  entries_json(&s->paths, true, &b);
  entries_json(&s->fds, false, &b);
  counts_json(&b, "transitions", s->transitions, WT_TR_COUNT + 1,
              wt_transition_name);
  counts_json(&b, "denials", s->denials, WT_DENIAL_COUNT + 1, denial_nm);
  run_json(s, times, &b);
  rc = b.oom || fwrite(b.s, 1, b.len, f) != b.len ? -1 : 0;
  wt__sb_free(&b);
  return rc;
}
