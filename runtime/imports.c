/*
 * The imports the ABI layer provides, with their wasm signatures, expanded
 * from calls.def with the same per-kind rules as the decoders (abi.h), and
 * the check that refuses a module importing anything else.
 */
#include <stdio.h>
#include <string.h>

#include "abi.h"
#include "rt_internal.h"

#define IMPORT_ROW(mod, name, ret, ...)                                        \
  {#mod, #name, "" WT_ARGS(WT_GS, __VA_ARGS__), WT_ABI_RS_##ret},

static const wt_rt_import_t imports[] = {
#define WT_CALL(name, set, fam, ret, ...)                                      \
  WT_ABI_SET_##set(IMPORT_ROW, name, ret, __VA_ARGS__)
#include "wt/calls.def"
#undef WT_CALL
};

#define NIMPORTS (sizeof imports / sizeof *imports)

const wt_rt_import_t *wt_rt_import(size_t i) {
  return i < NIMPORTS ? &imports[i] : NULL;
}

static bool name_eq(const wt__wasm_name_t *n, const char *s) {
  return n->len == strlen(s) && memcmp(n->p, s, n->len) == 0;
}

const wt_rt_import_t *wt__import_find(const wt__wasm_name_t *module,
                                      const wt__wasm_name_t *name) {
  for (size_t i = 0; i < NIMPORTS; i++)
    if (name_eq(module, imports[i].module) && name_eq(name, imports[i].name))
      return &imports[i];
  return NULL;
}

static const struct {
  const char *module;
  int dialect;
} dialects[] = {
#define DIALECT_ROW(mod, unused) {#mod, WT_ABI_DIALECT(mod)},
    WT_ABI_SET_P1(DIALECT_ROW, ~)
#undef DIALECT_ROW
};

int wt__import_dialect(const wt__wasm_info_t *info, const char *name) {
  for (uint32_t i = 0; i < info->nimports; i++) {
    const wt__wasm_import_t *im = &info->imports[i];
    if (im->kind != WT__WASM_EXTERN_FUNC || !name_eq(&im->name, name))
      continue;
    for (size_t d = 0; d < sizeof dialects / sizeof *dialects; d++)
      if (name_eq(&im->module, dialects[d].module))
        return dialects[d].dialect;
  }
  return WT_ABI_PREVIEW1;
}

bool wt__imports_use(const wt__wasm_info_t *info, const char *module) {
  for (uint32_t i = 0; i < info->nimports; i++)
    if (name_eq(&info->imports[i].module, module))
      return true;
  return false;
}

/* A value-type vector as signature characters ('?' for other types). */
static bool sig_matches(const wt__wasm_name_t *types, const char *want) {
  if (types->len != strlen(want))
    return false;
  for (uint32_t i = 0; i < types->len; i++) {
    char c = types->p[i] == 0x7f ? 'i' : types->p[i] == 0x7e ? 'I' : '?';
    if (c != want[i])
      return false;
  }
  return true;
}

/* "(i32, i64) -> i32" for a row of the table. */
static void row_sig(const wt_rt_import_t *row, char *buf, size_t size) {
  uint8_t p[32], r[4];
  size_t np = strlen(row->params), nr = strlen(row->results), i;
  wt__wasm_functype_t t;
  for (i = 0; i < np && i < sizeof p; i++)
    p[i] = row->params[i] == 'I' ? 0x7e : 0x7f;
  for (i = 0; i < nr && i < sizeof r; i++)
    r[i] = row->results[i] == 'I' ? 0x7e : 0x7f;
  t.params.p = p;
  t.params.len = (uint32_t)(np < sizeof p ? np : sizeof p);
  t.results.p = r;
  t.results.len = (uint32_t)(nr < sizeof r ? nr : sizeof r);
  wt__wasm_sig_string(&t, buf, size);
}

/* A guest-supplied name, printable: other bytes become \xHH. */
static void print_name(char *buf, size_t size, const wt__wasm_name_t *n) {
  size_t used = 0;
  for (uint32_t i = 0; i < n->len && used + 5 < size; i++) {
    uint8_t c = n->p[i];
    if (c >= 0x20 && c < 0x7f && c != '\\')
      buf[used++] = (char)c;
    else
      used += (size_t)snprintf(buf + used, size - used, "\\x%02x", c);
  }
  buf[used] = '\0';
}

static const char *kind_name(uint8_t kind) {
  static const char *names[] = {"function", "table", "memory", "global", "tag"};
  return kind < 5 ? names[kind] : "?";
}

/* One line describing why import `im` is refused, or false if it is fine. */
static bool problem(const wt__wasm_info_t *info, const wt__wasm_import_t *im,
                    char *line, size_t size) {
  char mod[128], name[128], have[300], want[300];
  const wt_rt_import_t *row = wt__import_find(&im->module, &im->name);
  const wt__wasm_functype_t *t;
  print_name(mod, sizeof mod, &im->module);
  print_name(name, sizeof name, &im->name);
  if (im->kind != WT__WASM_EXTERN_FUNC || row == NULL) {
    snprintf(line, size, "  %s.%s (%s)%s", mod, name, kind_name(im->kind),
             im->kind == WT__WASM_EXTERN_FUNC
                 ? ": unknown function"
                 : ": only functions are provided");
    return true;
  }
  t = &info->types[im->type];
  if (sig_matches(&t->params, row->params) &&
      sig_matches(&t->results, row->results))
    return false;
  wt__wasm_sig_string(t, have, sizeof have);
  row_sig(row, want, sizeof want);
  snprintf(line, size, "  %s.%s: type %s, expected %s", mod, name, have, want);
  return true;
}

bool wt__imports_check(const wt__wasm_info_t *info, char *err, size_t size) {
  uint32_t bad = 0, i;
  size_t used;
  char line[1024];
  int n = snprintf(err, size,
                   "the module has imports wasitrace does not "
                   "provide (it provides wasi_snapshot_preview1 and "
                   "wasix_32v1):");
  used = n > 0 && (size_t)n < size ? (size_t)n : 0;
  for (i = 0; i < info->nimports; i++) {
    if (!problem(info, &info->imports[i], line, sizeof line))
      continue;
    bad++;
    if (used + strlen(line) + 16 < size) {
      used += (size_t)snprintf(err + used, size - used, "\n%s", line);
    } else if (used + 6 < size) {
      used += (size_t)snprintf(err + used, size - used, "\n  ...");
      used = size; /* nothing more fits */
    }
  }
  return bad == 0;
}
