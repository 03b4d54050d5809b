/*
 * Reading a JSON Lines trace with jansson. A first pass gathers the
 * metadata (the run's end is appended last) and finds a partial last line
 * left by a killed writer; the second pass hands out the calls.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* The longest line read: a payload's bytes (at most 1 GB, as in a SQLite
 * trace) in base64 fit, and lengths stay within 32 bits. */
#define LINE_MAX_BYTES ((size_t)INT32_MAX)
/* The most JSON values a line handed to jansson may hold: its tree costs
 * ~60 bytes a value, so a line of tiny values ("[[[]],[],...]") would
 * otherwise cost 20 times its size. Ours hold a few hundred. */
#define LINE_MAX_VALUES (1u << 22)

typedef struct reader_s {
  FILE *f;
  char *line;
  size_t line_cap;
  uint64_t lineno;
  /* Buffered reading, up to `limit` (the size when opened: a trace that
   * grows is read as it was). off is the offset of the next line. */
  char buf[1 << 16];
  size_t pos, len;
  uint64_t off, filled, limit;
  int64_t end; /* offset where a partial last line starts, or -1 */
  uint64_t last_seq;
  json_t *cur;
  wt__callbuf_t cb;
  char *path;
} reader_t;

static int line_error(reader_t *r, const char *what) {
  wt_trace_set_error("%s: line %llu: %s", r->path,
                     (unsigned long long)r->lineno, what);
  return -1;
}

static int grow_line(reader_t *r, size_t need) {
  size_t cap = r->line_cap ? r->line_cap : 4096;
  char *p;
  while (cap < need)
    cap *= 2;
  if (cap == r->line_cap)
    return 0;
  if ((p = realloc(r->line, cap)) == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  r->line = p;
  r->line_cap = cap;
  return 0;
}

/*
 * The next line into r->line (NUL-terminated, with its '\n' if it has
 * one): its length, 0 at the end, -1 on an error (a line too long, a read
 * error) with the message set.
 */
static int64_t next_line(reader_t *r) {
  size_t n = 0;
  for (;;) {
    char *nl;
    size_t take;
    if (r->pos == r->len) {
      size_t want = sizeof r->buf;
      if (r->filled >= r->limit)
        break;
      if (r->limit - r->filled < want)
        want = (size_t)(r->limit - r->filled);
      r->pos = 0;
      r->len = fread(r->buf, 1, want, r->f);
      if (r->len == 0) {
        if (ferror(r->f)) {
          r->lineno++;
          return line_error(r, "read error");
        }
        break; /* the file shrank: read it as far as it goes */
      }
      r->filled += r->len;
    }
    nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
    take = nl != NULL ? (size_t)(nl - (r->buf + r->pos)) + 1 : r->len - r->pos;
    if (n + take > LINE_MAX_BYTES) {
      r->lineno++;
      return line_error(r, "line longer than 2 GiB");
    }
    if (grow_line(r, n + take + 1) < 0)
      return -1;
    memcpy(r->line + n, r->buf + r->pos, take);
    n += take;
    r->pos += take;
    if (nl != NULL)
      break;
  }
  if (n > 0)
    r->line[n] = 0;
  r->off += n;
  return (int64_t)n;
}

static int rewind_lines(reader_t *r) {
  if (fseek(r->f, 0, SEEK_SET) != 0) {
    wt_trace_set_error("%s: cannot read it again", r->path);
    return -1;
  }
  r->pos = r->len = 0;
  r->off = r->filled = 0;
  r->lineno = 0;
  return 0;
}

/* Whether a line holds more JSON values than jansson may be given: counts
 * the characters that start or separate values, outside strings. */
static bool too_many_values(const char *s, size_t n) {
  size_t count = 0;
  bool in_str = false;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (in_str) {
      if (ch == '\\')
        i++;
      else if (ch == '"')
        in_str = false;
    } else if (ch == '"') {
      in_str = true;
    } else if ((ch == ',' || ch == '[' || ch == '{' || ch == ':') &&
               ++count > LINE_MAX_VALUES) {
      return true;
    }
  }
  return false;
}

/* The line parsed by jansson (NULL with err set, or a line_error). Repeated
 * keys are refused: our writer never repeats one, and which of two values
 * counts would be a guess. */
static json_t *parse_line(reader_t *r, size_t n, json_error_t *err) {
  if (too_many_values(r->line, n)) {
    snprintf(err->text, sizeof err->text,
             "more than %u JSON values on one line", LINE_MAX_VALUES);
    return NULL;
  }
  return json_loadb(r->line, n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, err);
}

static bool is_call_line(const char *s) {
  return strncmp(s, "{\"type\":\"call\"", 14) == 0;
}

/* A u64 written as a number, or as a decimal string when above 2^53. */
static int get_u64(json_t *o, const char *k, uint64_t *out) {
  json_t *v = json_object_get(o, k);
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *out = (uint64_t)json_integer_value(v);
    return 0;
  }
  if (json_is_string(v)) {
    char *end;
    const char *s = json_string_value(v);
    /* Decimal digits alone (strtoull would take a sign or spaces), and
     * no more than fit. */
    if (*s < '0' || *s > '9')
      return -1;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return *end == 0 && errno == 0 ? 0 : -1;
  }
  return -1;
}

static const char *get_str(json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

/* Base64 field k into the arena; its offset, or -1. */
static int64_t get_b64(reader_t *r, json_t *o, const char *k, uint32_t *len) {
  json_t *v = json_object_get(o, k);
  uint8_t *bytes;
  size_t n;
  int64_t off;
  if (!json_is_string(v) ||
      wt__base64_decode(json_string_value(v), json_string_length(v), &bytes,
                        &n) < 0)
    return -1;
  off = wt__callbuf_copy(&r->cb, bytes, n);
  free(bytes);
  *len = (uint32_t)n;
  return off;
}

/* ---- metadata (first pass) -------------------------------------------------
 */

static int meta_line(wt_trace_t *t, reader_t *r, json_t *o) {
  static const char *const types[] = {"int", "text", "json", "blob"};
  const char *key = get_str(o, "key"), *vt = get_str(o, "vtype");
  json_t *v = json_object_get(o, "value");
  int type = vt != NULL ? wt__name_index(types, 4, vt) : -1;
  wt_trace_meta_t m = {key, (uint8_t)type, 0, NULL, NULL, 0};
  uint8_t *blob = NULL;
  int rc;
  if (key == NULL || type < 0 || v == NULL)
    return line_error(r, "bad meta record");
  if (type == WT_META_INT) {
    if (!json_is_integer(v))
      return line_error(r, "bad meta integer");
    m.i = json_integer_value(v);
  } else if (type == WT_META_JSON) {
    if ((m.text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
      return line_error(r, "bad meta value");
  } else if (!json_is_string(v)) {
    return line_error(r, "bad meta value");
  } else if (type == WT_META_TEXT) {
    m.text = json_string_value(v);
  } else if (wt__base64_decode(json_string_value(v), json_string_length(v),
                               &blob, &m.len) < 0) {
    return line_error(r, "bad base64 in meta blob");
  } else {
    m.blob = blob;
  }
  rc = wt__trace_meta_set(t, &m);
  if (type == WT_META_JSON)
    free((char *)m.text);
  free(blob);
  return rc;
}

/* Every trace's writer puts {"type":"meta","key":"format",...} first. */
static bool is_format_line(json_t *o) {
  const char *type = get_str(o, "type"), *key = get_str(o, "key");
  return type != NULL && key != NULL && strcmp(type, "meta") == 0 &&
         strcmp(key, "format") == 0;
}

static bool is_meta_line(const char *s) {
  return strncmp(s, "{\"type\":\"meta\"", 14) == 0;
}

/*
 * An `fd` record (format 5): derived from the calls, so it is not read,
 * only checked to be what the writer makes (docs/trace-format.md): the
 * members named there and no other, each of its type.
 */
static int fd_line(reader_t *r, json_t *o) {
  static const char *const texts[] = {"path", "rights", "oflags",
                                      "opened_by"};
  static const char *const nums[] = {"rights_base", "opened_seq",
                                     "closed_seq", "reads", "bytes_read",
                                     "writes", "bytes_written"};
  const char *k;
  json_t *v;
  uint64_t u;
  char what[96];
  json_object_foreach(o, k, v) {
    bool text = false, num = false;
    for (size_t i = 0; i < 4; i++)
      text = text || strcmp(k, texts[i]) == 0;
    for (size_t i = 0; i < 7; i++)
      num = num || strcmp(k, nums[i]) == 0;
    if (strcmp(k, "type") == 0)
      continue;
    if (strcmp(k, "fd") == 0) {
      if (!json_is_integer(v) || json_integer_value(v) < 0 ||
          json_integer_value(v) > UINT32_MAX)
        return line_error(r, "fd record: fd is not a u32");
    } else if (strcmp(k, "kind") == 0) {
      if (!json_is_string(v))
        return line_error(r, "fd record: kind is not a string");
    } else if (text || num) {
      /* Only the counts are never null. */
      bool nullable = num ? strncmp(k, "bytes_", 6) != 0 &&
                                strcmp(k, "reads") != 0 &&
                                strcmp(k, "writes") != 0
                          : true;
      if (json_is_null(v) && nullable)
        continue;
      if (text ? json_is_string(v) : get_u64(o, k, &u) == 0)
        continue;
      snprintf(what, sizeof what, "fd record: %s is not %s", k,
               text ? "a string" : "an unsigned integer");
      return line_error(r, what);
    } else {
      snprintf(what, sizeof what, "fd record: unknown member \"%.40s\"", k);
      return line_error(r, what);
    }
  }
  if (json_object_get(o, "fd") == NULL || json_object_get(o, "kind") == NULL)
    return line_error(r, "fd record without fd or kind");
  return 0;
}

/* A complete line of the first pass: the metadata gathered, every other
 * line checked to be a record of a known type. */
static int first_pass_line(wt_trace_t *t, reader_t *r, json_t *o,
                           const char *why) {
  const char *type = json_is_object(o) ? get_str(o, "type") : NULL;
  if (r->lineno == 1 && !is_format_line(o)) {
    /* Anything can start with '{'; only our own first record makes it
       a trace, so say what the file is not rather than why it failed
       to parse. */
    wt_trace_set_error("%s: not a wasitrace trace (line 1 is not its "
                       "format record)",
                       r->path);
    return -1;
  }
  if (!json_is_object(o))
    return line_error(r, o == NULL ? why : "not a JSON object");
  if (type != NULL && strcmp(type, "fd") == 0)
    return fd_line(r, o);
  if (type == NULL || (strcmp(type, "meta") != 0 && strcmp(type, "call")))
    return line_error(r, "not a meta, call or fd record");
  return strcmp(type, "meta") == 0 ? meta_line(t, r, o) : 0;
}

static int first_pass(wt_trace_t *t, reader_t *r) {
  int64_t n;
  uint64_t start = 0;
  while ((n = next_line(r)) > 0) {
    json_error_t err;
    json_t *o;
    bool last = r->line[n - 1] != '\n';
    int rc;
    r->lineno++;
    if (is_call_line(r->line) && !last) {
      start = r->off;
      continue;
    }
    o = parse_line(r, (size_t)n, &err);
    if (o == NULL && last) {
      /* A line cut short by a kill: the trace ends before it. */
      t->truncated = true;
      r->end = (int64_t)start;
      return 0;
    }
    rc = first_pass_line(t, r, o, err.text);
    json_decref(o);
    if (rc < 0)
      return -1;
    start = r->off;
  }
  return n < 0 ? -1 : 0;
}

/* ---- calls (second pass)
 * ----------------------------------------------------- */

static int payload_item(reader_t *r, json_t *o, uint32_t i) {
  wt_trace_payload_t *pl = &r->cb.payloads[i];
  const char *dir = get_str(o, "dir"), *cap = get_str(o, "capture");
  const char *digest = get_str(o, "digest");
  uint64_t arg;
  int d = dir ? wt__name_index(wt__dir_names, 2, dir) : -1;
  int c = cap ? wt__name_index(wt__capture_names, 3, cap) : -1;
  if (d < 0 || c < 0 || get_u64(o, "arg", &arg) < 0 ||
      get_u64(o, "size", &pl->size) < 0)
    return -1;
  pl->arg = (uint16_t)arg;
  pl->dir = (uint8_t)d;
  pl->capture = (uint8_t)c;
  pl->digest = 0;
  pl->len = 0;
  pl->data = (const uint8_t *)(uintptr_t)wt__callbuf_copy(&r->cb, "", 0);
  if (c == WT_PAYLOAD_DIGEST &&
      (digest == NULL || wt__hex64_parse(digest, &pl->digest) < 0))
    return -1;
  if (c != WT_PAYLOAD_NONE) {
    int64_t off = get_b64(r, o, "data", &pl->len);
    if (off < 0)
      return -1;
    pl->data = (const uint8_t *)(uintptr_t)off;
  }
  return 0;
}

static int transition_item(reader_t *r, json_t *o, uint32_t i) {
  const char *kind = get_str(o, "kind");
  int k = kind ? wt__transition_lookup(kind) : -1;
  uint64_t fd, fd2;
  wt_transition_t *tr = &r->cb.transitions[i];
  if (k < 0 || get_u64(o, "fd", &fd) < 0 || get_u64(o, "fd2", &fd2) < 0 ||
      get_u64(o, "a", &tr->a) < 0 || get_u64(o, "b", &tr->b) < 0 ||
      get_u64(o, "data", &tr->data) < 0)
    return -1;
  tr->kind = (uint16_t)k;
  tr->fd = (uint32_t)fd;
  tr->fd2 = (uint32_t)fd2;
  return 0;
}

/* Optional string member k of a denial into the arena: absent or null is
 * NULL, anything but a string is refused. */
static int denial_str(reader_t *r, json_t *o, const char *k, const char **out) {
  json_t *v = json_object_get(o, k);
  int64_t off;
  *out = NULL;
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_string(v) ||
      (off = wt__callbuf_copy(&r->cb, json_string_value(v),
                              json_string_length(v))) < 0)
    return -1;
  *out = wt__callbuf_rule_ref(off);
  return 0;
}

static int denial_item(reader_t *r, json_t *o, uint32_t i) {
  wt_trace_denial_t *d = &r->cb.denials[i];
  const char *src = get_str(o, "source"), *right = get_str(o, "right");
  json_t *idx = json_object_get(o, "rule_index"), *would;
  int s = src ? wt__name_index(wt__denial_names, WT_DENIAL_COUNT, src) : -1;
  uint64_t fd = UINT32_MAX;
  if (s < 0 ||
      (!json_is_null(json_object_get(o, "fd")) && get_u64(o, "fd", &fd) < 0) ||
      fd > UINT32_MAX)
    return -1;
  d->source = (uint8_t)s;
  d->fd = (uint32_t)fd;
  d->right = right != NULL ? wt__right_lookup(right) : 0;
  /* Format 4: absent in older traces. */
  d->rule_index = -1;
  if (idx != NULL && !json_is_null(idx)) {
    if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
        json_integer_value(idx) > INT32_MAX)
      return -1;
    d->rule_index = (int32_t)json_integer_value(idx);
  }
  would = json_object_get(o, "would");
  if (would != NULL && !json_is_boolean(would) && !json_is_null(would))
    return -1;
  d->would = json_is_true(would);
  if (denial_str(r, o, "rule", &d->rule) < 0 ||
      denial_str(r, o, "reason", &d->reason) < 0 ||
      denial_str(r, o, "preopen", &d->preopen) < 0 ||
      denial_str(r, o, "path", &d->path) < 0 ||
      denial_str(r, o, "resolved", &d->resolved) < 0)
    return -1;
  return 0;
}

/* Reads the array field k with item(); *n gets its length. */
static int items(reader_t *r, json_t *o, const char *k, uint32_t *n, int which,
                 int (*item)(reader_t *, json_t *, uint32_t)) {
  json_t *a = json_object_get(o, k);
  size_t len = json_is_array(a) ? json_array_size(a) : 0;
  uint32_t want[3] = {0, 0, 0};
  *n = 0;
  if (a != NULL && !json_is_array(a))
    return -1;
  want[which] = (uint32_t)len;
  if (len > UINT16_MAX ||
      wt__callbuf_reserve(&r->cb, want[0], want[1], want[2]) < 0)
    return -1;
  for (size_t i = 0; i < len; i++)
    if (!json_is_object(json_array_get(a, i)) ||
        item(r, json_array_get(a, i), (uint32_t)i) < 0)
      return -1;
  *n = (uint32_t)len;
  return 0;
}

static int call_record(reader_t *r, json_t *o) {
  wt_trace_call_t *c = &r->cb.call;
  const char *name = get_str(o, "call"), *err = get_str(o, "errno");
  int id = name ? wt_call_lookup(name, strlen(name)) : -1;
  int e = err ? wt__errno_lookup(err) : -1;
  int64_t aoff, roff;
  r->cb.arena_len = 0;
  if (id < 0 || e < 0 || get_u64(o, "seq", &c->seq) < 0 ||
      get_u64(o, "start_ns", &c->start_ns) < 0 ||
      get_u64(o, "dur_ns", &c->dur_ns) < 0)
    return line_error(r, "bad call record");
  c->call = (uint16_t)id;
  c->err = (wt_errno_t)e;
  if ((aoff = get_b64(r, o, "args_bin", &c->args_len)) < 0 ||
      (roff = get_b64(r, o, "results_bin", &c->results_len)) < 0)
    return line_error(r, "bad args_bin or results_bin");
  if (items(r, o, "payloads", &c->npayloads, 0, payload_item) < 0 ||
      items(r, o, "transitions", &c->ntransitions, 1, transition_item) < 0 ||
      items(r, o, "denials", &c->ndenials, 2, denial_item) < 0)
    return line_error(r, "bad payloads, transitions or denials");
  wt__callbuf_fix_up(&r->cb, aoff, roff);
  return 0;
}

/* What every call must be, whichever path read it. */
static int check_call(reader_t *r) {
  const wt_trace_call_t *c = &r->cb.call;
  char msg[160];
  if (c->seq == 0 || c->seq <= r->last_seq) {
    snprintf(msg, sizeof msg,
             "call seq=%llu does not follow the previous call's (%llu)",
             (unsigned long long)c->seq, (unsigned long long)r->last_seq);
    return line_error(r, msg);
  }
  for (uint32_t i = 0; i < c->npayloads; i++) {
    const char *why = wt__payload_check(&c->payloads[i]);
    if (why != NULL) {
      snprintf(msg, sizeof msg, "call seq=%llu: payload of argument %u: %s",
               (unsigned long long)c->seq, c->payloads[i].arg, why);
      return line_error(r, msg);
    }
  }
  r->last_seq = c->seq;
  return 0;
}

/* A call line by jansson: 1, or -1. The first pass saw every line parse,
 * so one that does not now is a file that changed under us. */
static int slow_call(reader_t *r, size_t n) {
  json_error_t err;
  const char *type;
  json_decref(r->cur);
  r->cur = parse_line(r, n, &err);
  if (!json_is_object(r->cur))
    return line_error(r, r->cur == NULL ? err.text : "not an object");
  type = get_str(r->cur, "type");
  if (type == NULL || strcmp(type, "call") != 0)
    return 0;
  return call_record(r, r->cur) < 0 ? -1 : 1;
}

static int jl_next(wt_trace_t *t, const wt_trace_call_t **out) {
  reader_t *r = t->impl;
  int64_t n;
  for (;;) {
    int rc = 0;
    if (r->end >= 0 && r->off >= (uint64_t)r->end)
      return 0;
    if ((n = next_line(r)) <= 0)
      return n < 0 ? -1 : 0;
    r->lineno++;
    /* Meta lines were read in the first pass; a call written with its
       keys in another order is still a call. */
    if (is_meta_line(r->line))
      continue;
    if (!wt__jsonl_slow && is_call_line(r->line)) {
      int64_t aoff, roff;
      if (wt__jsonl_fast_call(r->line, (size_t)n, &r->cb, &aoff, &roff)) {
        wt__jsonl_fast_lines++;
        wt__callbuf_fix_up(&r->cb, aoff, roff);
        rc = 1;
      }
    }
    if (rc == 0 && (rc = slow_call(r, (size_t)n)) == 0)
      continue;
    if (rc < 0 || check_call(r) < 0)
      return -1;
    *out = &r->cb.call;
    return 1;
  }
}

static void jl_close(wt_trace_t *t) {
  reader_t *r = t->impl;
  if (r == NULL)
    return;
  if (r->f != NULL)
    fclose(r->f);
  json_decref(r->cur);
  wt__callbuf_free(&r->cb);
  free(r->line);
  free(r->path);
  free(r);
}

bool wt__jsonl_slow;
uint64_t wt__jsonl_fast_lines;

static const wt__reader_ops_t jsonl_reader_ops = {jl_next, jl_close};

int wt__reader_jsonl_open(wt_trace_t *t, const char *path) {
  reader_t *r = calloc(1, sizeof *r);
  if (r == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  t->impl = r;
  t->ops = &jsonl_reader_ops;
  r->end = -1;
  if ((r->path = strdup(path)) == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  if ((r->f = fopen(path, "rb")) == NULL) {
    wt_trace_set_error("cannot open %s", path);
    return -1;
  }
  r->limit = t->size;
  if (first_pass(t, r) < 0)
    return -1;
  return rewind_lines(r);
}
