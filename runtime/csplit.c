/*
 * wasm2c 1.0.32 writes a module as one translation unit. gcc keeps every
 * function of a unit in memory until the unit is done, so the memory of an
 * optimised compile grows with the module: 0.9-1.1 GB for a 1-2 MB module.
 * This file cuts that unit, as text, into a shared header and parts that
 * compile separately (and in parallel); each part's compile holds only its
 * own functions.
 *
 * The layout of wasm2c 1.0.32's output, which the cut relies on:
 *   prologue   includes, macros, static helpers, `static u32 func_types[N];`
 *   decls      `static T w2c_NAME(...);` for every function (may wrap)
 *   middle     globals, data and element segments, init_* functions
 *   bodies     `static T w2c_NAME(...) {` ... `}`, blank lines between
 *   trailer    exports, instantiate, free
 * The header is the prologue and the declarations, with the functions and
 * func_types made extern (hidden: never seen outside the shared object).
 * Part 0 is the middle, the trailer, and every body that names one of the
 * unit's static variables or middle definitions; the other bodies go in
 * order, in runs of about equal size, to parts 1..N. Anything unexpected
 * and the text is not cut: it is then compiled whole, as before.
 *
 * The text was checked by csafe.c before it gets here; the cut only moves
 * whole lines and removes or adds the keywords `static`/`extern`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static void puts_(wt__buf_t *b, const char *s) {
  wt__buf_put(b, s, strlen(s));
}

/* The text as lines: start offsets, line i is [at[i], at[i + 1] - 1). */
typedef struct lines_s {
  const char *text;
  size_t *at;
  size_t n;
} lines_t;

static const char *line(const lines_t *l, size_t i, size_t *len) {
  *len = l->at[i + 1] - l->at[i] - 1;
  return l->text + l->at[i];
}

static bool prefix(const char *s, size_t len, const char *p) {
  size_t n = strlen(p);
  return len >= n && memcmp(s, p, n) == 0;
}

static bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

/*
 * A file-scope `static` line: the name it defines or declares, and whether
 * that is a function (the name is followed by '('). False for other lines.
 */
static bool static_line(const char *s, size_t len, const char **name,
                        size_t *nlen, bool *func) {
  size_t i = 7;
  if (!prefix(s, len, "static "))
    return false;
  for (;;) {
    size_t t = i;
    while (i < len && (ident_char(s[i]) || s[i] == '*'))
      i++;
    if (i == t || i == len)
      return false;
    if (s[i] != ' ') {
      *name = s + t;
      *nlen = i - t;
      *func = s[i] == '(';
      while (*nlen > 0 && **name == '*') {
        (*name)++;
        (*nlen)--;
      }
      return *nlen > 0;
    }
    i++;
    if (i < len && s[i] == '=') { /* `static T name = ...` */
      *name = s + t;
      *nlen = i - 1 - t;
      *func = false;
      return true;
    }
  }
}

/* `static T w2c_NAME(` at the start of a line: a wasm function. */
static bool func_line(const char *s, size_t len) {
  const char *name;
  size_t nlen;
  bool func;
  return static_line(s, len, &name, &nlen, &func) && func &&
         nlen > 4 && memcmp(name, "w2c_", 4) == 0;
}

static bool func_at(const lines_t *l, size_t i) {
  size_t len;
  const char *s = line(l, i, &len);
  return func_line(s, len);
}

/*
 * The last line of the statement starting at line i (a declaration or a
 * definition's head may wrap); *def when it opens a body. False when the
 * text ends first.
 */
static bool statement_end(const lines_t *l, size_t i, size_t *end, bool *def) {
  for (; i < l->n; i++) {
    size_t len;
    const char *s = line(l, i, &len);
    if (len > 0 && (s[len - 1] == ';' || s[len - 1] == '{')) {
      *end = i;
      *def = s[len - 1] == '{';
      return true;
    }
  }
  return false;
}

/* ---- the names that keep a body in part 0 ----------------------------- */

typedef struct names_s {
  const char **p;
  size_t *len;
  size_t n, cap; /* open addressing, cap a power of two */
} names_t;

static uint32_t hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static bool names_add(names_t *t, const char *s, size_t n) {
  if (2 * (t->n + 1) > t->cap) {
    names_t g = {NULL, NULL, 0, t->cap ? 2 * t->cap : 64};
    g.p = calloc(g.cap, sizeof *g.p);
    g.len = calloc(g.cap, sizeof *g.len);
    if (g.p == NULL || g.len == NULL) {
      free(g.p);
      free(g.len);
      return false;
    }
    for (size_t i = 0; i < t->cap; i++)
      if (t->p[i] != NULL)
        names_add(&g, t->p[i], t->len[i]);
    free(t->p);
    free(t->len);
    *t = g;
  }
  size_t i = hash(s, n) & (t->cap - 1);
  while (t->p[i] != NULL) {
    if (t->len[i] == n && memcmp(t->p[i], s, n) == 0)
      return true;
    i = (i + 1) & (t->cap - 1);
  }
  t->p[i] = s;
  t->len[i] = n;
  t->n++;
  return true;
}

static bool names_has(const names_t *t, const char *s, size_t n) {
  if (t->n == 0)
    return false;
  size_t i = hash(s, n) & (t->cap - 1);
  for (; t->p[i] != NULL; i = (i + 1) & (t->cap - 1))
    if (t->len[i] == n && memcmp(t->p[i], s, n) == 0)
      return true;
  return false;
}

/* True when [s, s + n) uses an identifier of the set. */
static bool mentions(const names_t *t, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (!ident_char(s[i])) {
      i++;
      continue;
    }
    size_t start = i;
    while (i < n && ident_char(s[i]))
      i++;
    if (names_has(t, s + start, i - start))
      return true;
  }
  return false;
}

/* ---- the cut ---------------------------------------------------------- */

/* One function body: lines [first, last]. */
typedef struct body_s {
  size_t first, last, bytes;
  bool pinned;
} body_t;

typedef struct layout_s {
  size_t decl0, decl1;   /* declarations: lines [decl0, decl1) */
  size_t body0, body1;   /* bodies: [body0, body1); trailer from body1 */
  size_t func_types;     /* its line in the prologue, or SIZE_MAX */
  body_t *bodies;
  size_t nbodies;
} layout_t;

static bool index_lines(const char *text, size_t len, lines_t *l) {
  size_t n = 0;
  if (len == 0 || text[len - 1] != '\n')
    return false;
  for (size_t i = 0; i < len; i++)
    n += text[i] == '\n';
  l->text = text;
  l->n = n;
  if ((l->at = malloc((n + 1) * sizeof *l->at)) == NULL)
    return false;
  l->at[0] = 0;
  for (size_t i = 0, k = 1; i < len; i++)
    if (text[i] == '\n')
      l->at[k++] = i + 1;
  return true;
}

/* Finds the regions; false when the text is not laid out as expected. */
static bool find_regions(const lines_t *l, layout_t *y) {
  size_t i = 0, len, end;
  const char *s;
  bool def;
  y->func_types = SIZE_MAX;
  for (; i < l->n; i++) {
    s = line(l, i, &len);
    if (func_line(s, len))
      break;
    if (prefix(s, len, "static u32 func_types[")) {
      if (y->func_types != SIZE_MAX || s[len - 1] != ';')
        return false;
      y->func_types = i;
    }
  }
  y->decl0 = i;
  while (i < l->n && func_at(l, i)) {
    if (!statement_end(l, i, &end, &def) || def)
      return false;
    i = end + 1;
  }
  y->decl1 = i;
  for (; i < l->n; i++) {
    s = line(l, i, &len);
    if (func_line(s, len))
      break;
  }
  y->body0 = i;
  return y->decl1 > y->decl0 && i < l->n;
}

/* The bodies, each from its head to the first `}` line after it. */
static bool find_bodies(const lines_t *l, layout_t *y) {
  size_t i = y->body0, cap = 0, len, end;
  const char *s;
  bool def;
  while (i < l->n && func_at(l, i)) {
    body_t b = {i, 0, 0, false};
    if (!statement_end(l, i, &end, &def) || !def)
      return false;
    for (i = end + 1; i < l->n; i++) {
      s = line(l, i, &len);
      if (len == 1 && s[0] == '}')
        break;
    }
    if (i == l->n)
      return false;
    b.last = i;
    b.bytes = l->at[i + 1] - l->at[b.first];
    if (y->nbodies == cap) {
      body_t *p = realloc(y->bodies, (cap = cap ? 2 * cap : 256) * sizeof *p);
      if (p == NULL)
        return false;
      y->bodies = p;
    }
    y->bodies[y->nbodies++] = b;
    for (i++; i < l->n && l->at[i + 1] - l->at[i] == 1; i++)
      ;
  }
  y->body1 = i;
  return y->nbodies > 0;
}

/*
 * The names a body must not use outside part 0: static variables of the
 * prologue (each part would have its own copy; func_types is shared
 * instead) and everything the middle and the trailer define.
 */
static bool pin_names(const lines_t *l, const layout_t *y, names_t *t) {
  for (size_t i = 0; i < l->n; i++) {
    const char *s, *name;
    size_t len, nlen;
    bool func;
    if (i == y->decl0)
      i = y->decl1;
    if (i == y->body0)
      i = y->body1;
    if (i >= l->n)
      break;
    s = line(l, i, &len);
    if (i == y->func_types || !static_line(s, len, &name, &nlen, &func))
      continue;
    if ((i > y->decl0 || !func) && !names_add(t, name, nlen))
      return false;
  }
  return true;
}

/* A line with a leading `static ` dropped, or as is. */
static void put_line(wt__buf_t *b, const lines_t *l, size_t i, bool unstatic) {
  size_t len;
  const char *s = line(l, i, &len);
  if (unstatic && func_line(s, len)) {
    s += 7;
    len -= 7;
  }
  wt__buf_put(b, s, len);
  wt__buf_put(b, "\n", 1);
}

static void put_lines(wt__buf_t *b, const lines_t *l, size_t from, size_t to) {
  for (size_t i = from; i < to; i++)
    put_line(b, l, i, true);
}

static void put_body(wt__buf_t *b, const lines_t *l, const body_t *f) {
  put_lines(b, l, f->first, f->last + 1);
  wt__buf_put(b, "\n", 1);
}

/* split.h: the prologue, then func_types and the functions, extern. */
static void write_header(wt__buf_t *h, const lines_t *l, const layout_t *y) {
  size_t len;
  puts_(h, "/* Generated by wasitrace from wasm2c's output: the declarations "
           "shared by the parts. */\n");
  for (size_t i = 0; i < y->decl0; i++) {
    if (i != y->func_types) {
      put_line(h, l, i, false);
      continue;
    }
    /* In its place: init_func_types, below it, uses it. */
    const char *s = line(l, i, &len);
    puts_(h, "extern __attribute__((visibility(\"hidden\"))) ");
    wt__buf_put(h, s + 7, len - 7);
    wt__buf_put(h, "\n", 1);
  }
  puts_(h, "#pragma GCC visibility push(hidden)\n");
  put_lines(h, l, y->decl0, y->decl1);
  puts_(h, "#pragma GCC visibility pop\n");
}

/* Part 0: the middle, the pinned bodies, the trailer. */
static void write_part0(wt__buf_t *p, const lines_t *l, const layout_t *y) {
  puts_(p, "#include \"split.h\"\n");
  if (y->func_types != SIZE_MAX) {
    size_t len;
    const char *s = line(l, y->func_types, &len);
    wt__buf_put(p, s + 7, len - 7);
    wt__buf_put(p, "\n", 1);
  }
  put_lines(p, l, y->decl1, y->body0);
  for (size_t k = 0; k < y->nbodies; k++)
    if (y->bodies[k].pinned)
      put_body(p, l, &y->bodies[k]);
  put_lines(p, l, y->body1, l->n);
}

/* Parts 1..n: the other bodies in order, in runs of about equal size. */
static bool write_parts(wt__c_split_t *out, const lines_t *l,
                        const layout_t *y, size_t total, unsigned n) {
  size_t k = 0, done = 0;
  for (unsigned p = 1; p <= n; p++) {
    wt__buf_t b = {0};
    /* what is left shared by the parts left: one huge body does not
     * leave the parts after it empty */
    size_t goal = done + (total - done) / (n - p + 1);
    puts_(&b, "#include \"split.h\"\n");
    for (; k < y->nbodies && (done < goal || p == n); k++) {
      if (y->bodies[k].pinned)
        continue;
      put_body(&b, l, &y->bodies[k]);
      done += y->bodies[k].bytes;
    }
    out->parts[p] = b.p;
    out->part_lens[p] = b.len;
    if (b.oom || b.p == NULL)
      return false;
  }
  return true;
}

/*
 * How many parts of bodies: about total / part_bytes, two from a quarter
 * (the second core then shares the work), never more than the bodies.
 */
static unsigned part_count(size_t total, size_t part_bytes, size_t bodies) {
  size_t n = (total + part_bytes / 2) / part_bytes;
  if (n < 2)
    n = total >= part_bytes / 4 ? 2 : 0;
  if (n > bodies)
    n = bodies < 2 ? 0 : bodies;
  return n > WT__C_SPLIT_MAX_PARTS - 1 ? WT__C_SPLIT_MAX_PARTS - 1
                                       : (unsigned)n;
}

static bool cut(const lines_t *l, layout_t *y, size_t part_bytes,
                wt__c_split_t *out) {
  names_t pins = {0};
  size_t total = 0, movable = 0;
  unsigned n;
  wt__buf_t h = {0}, p0 = {0};
  bool ok = pin_names(l, y, &pins);
  for (size_t k = 0; ok && k < y->nbodies; k++) {
    body_t *f = &y->bodies[k];
    f->pinned = mentions(&pins, l->text + l->at[f->first], f->bytes);
    total += f->pinned ? 0 : f->bytes;
    movable += !f->pinned;
  }
  free(pins.p);
  free(pins.len);
  if (!ok || (n = part_count(total, part_bytes, movable)) == 0)
    return false;
  out->nparts = n + 1;
  out->parts = calloc(n + 1, sizeof *out->parts);
  out->part_lens = calloc(n + 1, sizeof *out->part_lens);
  if (out->parts == NULL || out->part_lens == NULL)
    return false;
  write_header(&h, l, y);
  write_part0(&p0, l, y);
  out->header = h.p;
  out->header_len = h.len;
  out->parts[0] = p0.p;
  out->part_lens[0] = p0.len;
  if (h.oom || p0.oom)
    return false;
  return write_parts(out, l, y, total, n);
}

bool wt__c_split(const char *text, size_t len, size_t part_bytes,
                 wt__c_split_t *out) {
  lines_t l = {0};
  layout_t y = {0};
  bool ok;
  memset(out, 0, sizeof *out);
  ok = part_bytes > 0 && index_lines(text, len, &l) && find_regions(&l, &y) &&
       find_bodies(&l, &y) && cut(&l, &y, part_bytes, out);
  free(l.at);
  free(y.bodies);
  if (!ok)
    wt__c_split_free(out);
  return ok;
}

void wt__c_split_free(wt__c_split_t *s) {
  if (s->parts != NULL)
    for (unsigned i = 0; i < s->nparts; i++)
      free(s->parts[i]);
  free(s->parts);
  free(s->part_lens);
  free(s->header);
  memset(s, 0, sizeof *s);
}
