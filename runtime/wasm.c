/*
 * A reader for the parts of a WebAssembly binary the runtime needs before
 * anything is compiled: the type, import, function and export sections
 * (the exports also shape the glue: see glue.c), and the function names
 * of the name section (a trap's backtrace: names.c).
 * Every read is checked against the end of its section, so truncated or
 * garbage input produces a message, never an out-of-bounds read. Full
 * validation is wasm2c's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* A cursor over [p, end); `base` gives file offsets for messages. */
typedef struct reader_s {
  const uint8_t *base;
  const uint8_t *p;
  const uint8_t *end;
  char *err;
  size_t err_size;
  bool failed;
} reader_t;

static const char *section_names[] = {
    "custom", "type",  "import",  "function", "table", "memory",    "global",
    "export", "start", "element", "code",     "data",  "datacount", "tag"};
#define NSECTIONS (sizeof section_names / sizeof *section_names)

static bool fail(reader_t *r, const char *what) {
  if (!r->failed)
    snprintf(r->err, r->err_size, "malformed module: %s at offset 0x%zx", what,
             (size_t)(r->p - r->base));
  r->failed = true;
  return false;
}

/* A well-formed module that uses what the runtime cannot give. */
static bool unsupported(reader_t *r, const char *what) {
  if (!r->failed)
    snprintf(r->err, r->err_size, "%s", what);
  r->failed = true;
  return false;
}

static bool byte(reader_t *r, uint8_t *out) {
  if (r->p >= r->end)
    return fail(r, "unexpected end");
  *out = *r->p++;
  return true;
}

/* Unsigned LEB128 of at most `bits` bits. */
static bool leb(reader_t *r, unsigned bits, uint64_t *out) {
  uint64_t v = 0;
  unsigned shift = 0;
  uint8_t b;
  do {
    if (!byte(r, &b))
      return false;
    if (shift >= bits || (shift + 7 > bits && (b & 0x7f) >> (bits - shift)))
      return fail(r, "integer too large");
    v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  *out = v;
  return true;
}

static bool u32(reader_t *r, uint32_t *out) {
  uint64_t v;
  if (!leb(r, 32, &v))
    return false;
  *out = (uint32_t)v;
  return true;
}

/* A byte vector (name or value types): length, then bytes in bounds. */
static bool bytes(reader_t *r, wt__wasm_name_t *out) {
  if (!u32(r, &out->len))
    return false;
  if (out->len > (size_t)(r->end - r->p))
    return fail(r, "length extends past the end of its section");
  out->p = r->p;
  r->p += out->len;
  return true;
}

/*
 * A vector count, checked against the bytes left (every element takes at
 * least one byte), so a huge count cannot make us allocate wildly.
 */
static bool count(reader_t *r, uint32_t *n) {
  if (!u32(r, n))
    return false;
  if (*n > (size_t)(r->end - r->p))
    return fail(r, "vector count larger than its section");
  return true;
}

/* Limits; *initial gets the minimum, *is64 whether it is memory64's. */
static bool limits(reader_t *r, uint64_t *initial, bool *is64) {
  uint8_t flags;
  uint64_t v;
  if (!byte(r, &flags))
    return false;
  if (flags > 7)
    return fail(r, "bad limits flags");
  /* Bit 2: 64-bit memory. Bit 0: a maximum follows. */
  *is64 = (flags & 4) != 0;
  if (!leb(r, flags & 4 ? 64 : 32, initial))
    return false;
  return (flags & 1) == 0 || leb(r, flags & 4 ? 64 : 32, &v);
}

/*
 * A memory's limits, checked against what the runtime can give: wasm2c
 * 1.0.32 has no memory64 and keeps a memory's size in 32 bits, so 65536
 * pages (4 GiB) would read as size 0 (runtime/glue.c caps growth below).
 */
static bool memory_limits(reader_t *r) {
  uint64_t initial;
  bool is64;
  if (!limits(r, &initial, &is64))
    return false;
  if (is64)
    return unsupported(r, "the module uses the memory64 proposal, which "
                          "this runtime does not support");
  if (initial >= 65536)
    return unsupported(r, "the module's memory starts at 65536 pages "
                          "(4 GiB); this runtime's memories hold at most "
                          "65535");
  return true;
}

static bool read_types(reader_t *r, wt__wasm_info_t *info) {
  uint32_t n, i;
  if (!count(r, &n))
    return false;
  info->types = calloc(n ? n : 1, sizeof *info->types);
  if (info->types == NULL)
    return fail(r, "out of memory");
  info->ntypes = n;
  for (i = 0; i < n; i++) {
    uint8_t form;
    if (!byte(r, &form))
      return false;
    if (form != 0x60)
      return fail(r, "unsupported type form (only function types)");
    if (!bytes(r, &info->types[i].params) || !bytes(r, &info->types[i].results))
      return false;
  }
  return true;
}

static bool import_desc(reader_t *r, wt__wasm_info_t *info,
                        wt__wasm_import_t *im) {
  uint8_t b;
  uint64_t v;
  if (!byte(r, &im->kind))
    return false;
  switch (im->kind) {
  case WT__WASM_EXTERN_FUNC:
    if (!u32(r, &im->type))
      return false;
    if (im->type >= info->ntypes)
      return fail(r, "function import has an unknown type index");
    info->nimported_funcs++;
    return true;
  case WT__WASM_EXTERN_TABLE:
    return byte(r, &b) && limits(r, &v, &(bool){false});
  case WT__WASM_EXTERN_MEMORY:
    return memory_limits(r);
  case WT__WASM_EXTERN_GLOBAL:
    return byte(r, &b) && byte(r, &b);
  case WT__WASM_EXTERN_TAG:
    return byte(r, &b) && leb(r, 32, &v);
  default:
    return fail(r, "unknown import kind");
  }
}

static bool read_imports(reader_t *r, wt__wasm_info_t *info) {
  uint32_t n, i;
  if (!count(r, &n))
    return false;
  info->imports = calloc(n ? n : 1, sizeof *info->imports);
  if (info->imports == NULL)
    return fail(r, "out of memory");
  info->nimports = n;
  for (i = 0; i < n; i++) {
    wt__wasm_import_t *im = &info->imports[i];
    if (!bytes(r, &im->module) || !bytes(r, &im->name) ||
        !import_desc(r, info, im))
      return false;
  }
  return true;
}

static bool read_functions(reader_t *r, wt__wasm_info_t *info) {
  uint32_t n, i;
  if (!count(r, &n))
    return false;
  info->func_types = calloc(n ? n : 1, sizeof *info->func_types);
  if (info->func_types == NULL)
    return fail(r, "out of memory");
  info->nfuncs = n;
  for (i = 0; i < n; i++) {
    if (!u32(r, &info->func_types[i]))
      return false;
    if (info->func_types[i] >= info->ntypes)
      return fail(r, "function has an unknown type index");
  }
  return true;
}

static bool read_memories(reader_t *r) {
  uint32_t n;
  if (!count(r, &n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!memory_limits(r))
      return false;
  return true;
}

static bool name_is(const wt__wasm_name_t *n, const char *s) {
  return n->len == strlen(s) && memcmp(n->p, s, n->len) == 0;
}

static bool read_exports(reader_t *r, wt__wasm_info_t *info) {
  uint32_t n, i;
  if (!count(r, &n))
    return false;
  info->exports = calloc(n ? n : 1, sizeof *info->exports);
  if (info->exports == NULL)
    return fail(r, "out of memory");
  info->nexports = n;
  for (i = 0; i < n; i++) {
    wt__wasm_export_t *ex = &info->exports[i];
    if (!bytes(r, &ex->name) || !byte(r, &ex->kind) || !u32(r, &ex->index))
      return false;
    ex->c_name = ex->name;
    if (ex->kind == WT__WASM_EXTERN_FUNC && name_is(&ex->name, "_start")) {
      info->has_start = true;
      info->start_func = ex->index;
    }
    if (ex->kind == WT__WASM_EXTERN_MEMORY && name_is(&ex->name, "memory"))
      info->has_memory = true;
  }
  return true;
}

/* Subsection 1 of the name section: (index, name) by increasing index,
 * as the spec orders them (which lets a lookup be a binary search). */
static bool read_func_names(reader_t *r, wt__wasm_info_t *info) {
  uint32_t n;
  if (!count(r, &n))
    return false;
  info->fnames = calloc(n ? n : 1, sizeof *info->fnames);
  if (info->fnames == NULL)
    return false;
  for (uint32_t i = 0; i < n; i++) {
    wt__wasm_fname_t *f = &info->fnames[i];
    if (!u32(r, &f->index) || !bytes(r, &f->name) ||
        (i > 0 && f->index <= f[-1].index))
      return false;
  }
  info->nfnames = n;
  return true;
}

/*
 * The custom section "name", for the names of a trap's backtrace. A custom
 * section cannot make a module invalid, so a malformed one (or a second
 * one) loses the names and nothing else; its errors go to a scratch buffer.
 */
static void read_names(const reader_t *r, wt__wasm_info_t *info) {
  char scratch[128];
  reader_t s = *r;
  wt__wasm_name_t id;
  s.err = scratch;
  s.err_size = sizeof scratch;
  s.failed = false;
  if (info->fnames != NULL || !bytes(&s, &id) || !name_is(&id, "name"))
    return;
  while (s.p < s.end) {
    uint8_t sub;
    uint32_t size;
    reader_t sec;
    if (!byte(&s, &sub) || !u32(&s, &size) || size > (size_t)(s.end - s.p))
      return;
    sec = s;
    sec.end = s.p + size;
    if (sub == 1) {
      if (!read_func_names(&sec, info)) {
        free(info->fnames);
        info->fnames = NULL;
        info->nfnames = 0;
      }
      return;
    }
    s.p += size;
  }
}

const wt__wasm_name_t *wt__wasm_func_name(const wt__wasm_info_t *info,
                                          uint32_t index) {
  uint32_t lo = 0, hi = info->nfnames;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (info->fnames[mid].index == index)
      return &info->fnames[mid].name;
    if (info->fnames[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static bool read_section(reader_t *r, uint8_t id, wt__wasm_info_t *info) {
  bool ok;
  switch (id) {
  case 0:
    read_names(r, info);
    return true;
  case 1:
    ok = read_types(r, info);
    break;
  case 2:
    ok = read_imports(r, info);
    break;
  case 3:
    ok = read_functions(r, info);
    break;
  case 5:
    ok = read_memories(r);
    break;
  case 7:
    ok = read_exports(r, info);
    break;
  default:
    return true; /* not needed before compiling */
  }
  if (ok && r->p != r->end)
    return fail(r, "section size does not match its contents");
  return ok;
}

/* The checks that need more than one section. */
static bool check_start(const wt__wasm_info_t *info, char *err, size_t size) {
  uint32_t f = info->start_func, type;
  if (!info->has_start)
    return true;
  if (f < info->nimported_funcs) {
    snprintf(err, size, "malformed module: _start is an imported function");
    return false;
  }
  if (f - info->nimported_funcs >= info->nfuncs) {
    snprintf(err, size, "malformed module: _start names no function");
    return false;
  }
  type = info->func_types[f - info->nimported_funcs];
  if (info->types[type].params.len != 0 || info->types[type].results.len) {
    char sig[128];
    wt__wasm_sig_string(&info->types[type], sig, sizeof sig);
    snprintf(err, size,
             "_start has type %s; a command's _start takes and "
             "returns nothing",
             sig);
    return false;
  }
  return true;
}

static bool read_sections(reader_t *r, wt__wasm_info_t *info) {
  uint32_t seen = 0;
  while (r->p < r->end) {
    uint8_t id;
    uint32_t size;
    reader_t sec;
    if (!byte(r, &id) || !u32(r, &size))
      return false;
    if (id >= NSECTIONS)
      return fail(r, "unknown section id");
    if (size > (size_t)(r->end - r->p)) {
      char what[96];
      snprintf(what, sizeof what,
               "%s section extends past the end of file "
               "(truncated?)",
               section_names[id]);
      return fail(r, what);
    }
    if (id != 0 && (seen & (1u << id)))
      return fail(r, "duplicate section");
    seen |= 1u << id;
    sec = *r;
    sec.end = r->p + size;
    if (!read_section(&sec, id, info)) {
      r->failed = true;
      return false;
    }
    r->p += size;
  }
  return true;
}

bool wt__wasm_parse(const uint8_t *p, size_t len, wt__wasm_info_t *info,
                    char *err, size_t err_size) {
  static const uint8_t magic[4] = {0, 'a', 's', 'm'};
  reader_t r = {p, p, p + len, err, err_size, false};
  memset(info, 0, sizeof *info);
  if (len < 4 || memcmp(p, magic, 4) != 0) {
    snprintf(err, err_size, "not a WebAssembly module (bad magic number)");
    return false;
  }
  if (len < 8 || p[4] != 1 || p[5] || p[6] || p[7]) {
    snprintf(err, err_size,
             len < 8 ? "truncated module (no version)"
                     : "unsupported WebAssembly binary version (a component? "
                       "wasitrace runs core modules, version 1)");
    return false;
  }
  r.p += 8;
  if (!read_sections(&r, info) ||
      !wt__wasm_features_check(p, len, err, err_size) ||
      !check_start(info, err, err_size)) {
    wt__wasm_info_free(info);
    return false;
  }
  return true;
}

const wt__wasm_functype_t *wt__wasm_func_type(const wt__wasm_info_t *info,
                                              uint32_t func) {
  uint32_t seen = 0, type;
  if (func >= info->nimported_funcs) {
    func -= info->nimported_funcs;
    if (func >= info->nfuncs)
      return NULL;
    type = info->func_types[func];
    return type < info->ntypes ? &info->types[type] : NULL;
  }
  for (uint32_t i = 0; i < info->nimports; i++) {
    const wt__wasm_import_t *im = &info->imports[i];
    if (im->kind != WT__WASM_EXTERN_FUNC)
      continue;
    if (seen++ == func)
      return im->type < info->ntypes ? &info->types[im->type] : NULL;
  }
  return NULL;
}

void wt__wasm_info_free(wt__wasm_info_t *info) {
  free(info->types);
  free(info->imports);
  free(info->func_types);
  free(info->exports);
  free(info->c_names);
  free(info->fnames);
  memset(info, 0, sizeof *info);
}

static const char *valtype_name(uint8_t t) {
  switch (t) {
  case 0x7f:
    return "i32";
  case 0x7e:
    return "i64";
  case 0x7d:
    return "f32";
  case 0x7c:
    return "f64";
  case 0x7b:
    return "v128";
  case 0x70:
    return "funcref";
  case 0x6f:
    return "externref";
  default:
    return "?";
  }
}

static size_t types_string(const wt__wasm_name_t *v, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < v->len && used < size; i++) {
    int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                     valtype_name(v->p[i]));
    used += n > 0 ? (size_t)n : 0;
  }
  return used < size ? used : size - 1;
}

void wt__wasm_sig_string(const wt__wasm_functype_t *t, char *buf, size_t size) {
  char params[256], results[64];
  types_string(&t->params, params, sizeof params);
  types_string(&t->results, results, sizeof results);
  snprintf(buf, size, "(%s) -> %s%s%s", params, t->results.len > 1 ? "(" : "",
           t->results.len ? results : "()", t->results.len > 1 ? ")" : "");
}
