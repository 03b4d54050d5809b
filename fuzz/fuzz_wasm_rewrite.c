/*
 * libFuzzer target: the module rewrite that runs before wasm2c
 * (runtime/wasm_rewrite.c). Input: module bytes.
 *
 * For every module the parser accepts, the rewrite must either fail
 * cleanly or give a module that
 *  - the parser accepts again, with the same exports (kind, index) in the
 *    same order, each named as the rewrite's c_name said;
 *  - has only export names of [A-Za-z0-9_]+ (checked here, not with the
 *    runtime's own predicate), distinct when the original names were;
 *  - has no custom section but "name".
 * A broken property aborts, which libFuzzer reports as a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "wt__wasm_rewrite: %s\n", what);
  abort();
}

static bool ident(const wt__wasm_name_t *n) {
  if (n->len == 0)
    return false;
  for (uint32_t i = 0; i < n->len; i++) {
    uint8_t c = n->p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

static bool same(const wt__wasm_name_t *a, const wt__wasm_name_t *b) {
  return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static bool distinct(const wt__wasm_info_t *info) {
  for (uint32_t i = 0; i < info->nexports; i++)
    for (uint32_t j = i + 1; j < info->nexports; j++)
      if (same(&info->exports[i].name, &info->exports[j].name))
        return false;
  return true;
}

/* A LEB128 u32 at *p (the output was parsed already, so it is well formed
 * up to the checks the parser makes). */
static bool leb(const uint8_t **p, const uint8_t *end, uint32_t *v) {
  *v = 0;
  for (unsigned shift = 0; *p < end && shift < 35; shift += 7) {
    uint8_t b = *(*p)++;
    *v |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return true;
  }
  return false;
}

static void check_sections(const uint8_t *p, size_t len) {
  const uint8_t *end = p + len;
  for (p += 8; p < end;) {
    uint8_t id = *p++;
    uint32_t size, nlen;
    const uint8_t *body;
    if (!leb(&p, end, &size) || size > (size_t)(end - p))
      fail("the output's sections do not add up");
    body = p;
    if (id == 0 &&
        (!leb(&body, p + size, &nlen) || nlen != 4 ||
         (size_t)(p + size - body) < 4 || memcmp(body, "name", 4) != 0))
      fail("a custom section other than \"name\" is left");
    p += size;
  }
}

static void check(const wt__wasm_info_t *in, const uint8_t *out,
                  size_t out_len) {
  wt__wasm_info_t again;
  char err[512];
  if (!wt__wasm_parse(out, out_len, &again, err, sizeof err))
    fail("the output does not parse");
  if (again.nexports != in->nexports)
    fail("the output has another number of exports");
  for (uint32_t i = 0; i < again.nexports; i++) {
    const wt__wasm_export_t *a = &again.exports[i], *b = &in->exports[i];
    if (!ident(&a->name))
      fail("an export name of the output is not an identifier");
    if (!same(&a->name, &b->c_name))
      fail("an export of the output is not named as c_name says");
    if (a->kind != b->kind || a->index != b->index)
      fail("an export of the output points elsewhere");
  }
  if (distinct(in) && !distinct(&again))
    fail("two exports of the output have the same name");
  check_sections(out, out_len);
  wt__wasm_info_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wt__wasm_info_t info;
  uint8_t *out = NULL;
  size_t out_len = 0;
  char err[512];
  if (!wt__wasm_parse(data, size, &info, err, sizeof err))
    return 0;
  if (wt__wasm_rewrite(data, size, &info, &out, &out_len, err, sizeof err) ==
      WT_RT_OK)
    check(&info, out, out_len);
  free(out);
  wt__wasm_info_free(&info);
  return 0;
}
