/*
 * The copy of a module that wasm2c is given. wasm2c 1.0.32 writes export
 * names into C comments without escaping them (`/ * export: 'NAME' * /`),
 * so an export named "* /" followed by C would be compiled into the guest's
 * shared object and run inside this process. No byte of the module may
 * reach the generated C except through wasm2c's own escaping, so before
 * translation:
 *
 * - every export whose name is not a plain C identifier ([A-Za-z0-9_]+) is
 *   renamed `wt_export_<index>` (plus '_' until unique); the glue still
 *   finds it by its real name (glue.c), so a guest naming its signal
 *   callback "on-signal" works as before;
 * - every custom section is dropped: wasm2c does not need them, and what
 *   it does not read it cannot echo. That includes the name section: every
 *   function is then `w2c_f<index>` in C, which maps a trap's frames back to
 *   their functions, and the names come from the module itself (names.c).
 *
 * Imports need nothing: a module importing anything but the ABI's own
 * functions, whose names are identifiers, is refused before this point
 * (imports.c). The generated C is then checked anyway (csafe.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static void put_leb(wt__buf_t *o, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v != 0)
      b |= 0x80;
    wt__buf_put(o, &b, 1);
  } while (v != 0);
}

/* Reads an unsigned LEB128 of at most 32 bits from [*p, end). */
static bool get_leb(const uint8_t **p, const uint8_t *end, uint32_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 35; shift += 7) {
    if (*p >= end)
      return false;
    v |= (uint64_t)(**p & 0x7f) << shift;
    if ((*(*p)++ & 0x80) == 0) {
      *out = (uint32_t)v;
      return v <= UINT32_MAX;
    }
  }
  return false;
}

bool wt__wasm_safe_name(const uint8_t *p, uint32_t len) {
  if (len == 0)
    return false;
  for (uint32_t i = 0; i < len; i++) {
    uint8_t c = p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

static bool name_taken(const wt__wasm_info_t *info, const char *s,
                       size_t len) {
  for (uint32_t i = 0; i < info->nexports; i++) {
    const wt__wasm_name_t *n = &info->exports[i].c_name;
    if (n->len == len && memcmp(n->p, s, len) == 0)
      return true;
  }
  return false;
}

/* Renamed exports try at most this many '_' suffixes before giving up. */
#define MAX_SUFFIX 8
#define SLOT (sizeof "wt_export_4294967295" + MAX_SUFFIX)

/*
 * Chooses the C-safe names into one malloc'd block (returned in *names) and
 * points every export's c_name at its name. Fails only on allocation
 * failure or a module whose own names are in the way of every choice.
 */
static wt_rt_status_t choose_names(wt__wasm_info_t *info, char **names,
                                   char *err, size_t err_size) {
  uint32_t unsafe = 0, k = 0;
  for (uint32_t i = 0; i < info->nexports; i++)
    unsafe += !wt__wasm_safe_name(info->exports[i].name.p,
                                  info->exports[i].name.len);
  *names = malloc(unsafe ? (size_t)unsafe * SLOT : 1);
  if (*names == NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, err_size, "out of memory");
  for (uint32_t i = 0; i < info->nexports; i++) {
    wt__wasm_export_t *ex = &info->exports[i];
    char *s = *names + SLOT * k;
    size_t len;
    if (wt__wasm_safe_name(ex->name.p, ex->name.len))
      continue;
    k++;
    len = (size_t)snprintf(s, SLOT, "wt_export_%u", i);
    while (name_taken(info, s, len) && len + 1 < SLOT) {
      s[len++] = '_';
      s[len] = '\0';
    }
    if (name_taken(info, s, len))
      return wt__rt_fail(WT_RT_EMODULE, err, err_size,
                         "export %u: its name is not a C identifier and "
                         "every replacement name is taken by another export",
                         i);
    ex->c_name.p = (const uint8_t *)s;
    ex->c_name.len = (uint32_t)len;
  }
  return WT_RT_OK;
}

static void put_exports(wt__buf_t *o, const wt__wasm_info_t *info) {
  wt__buf_t body = {0};
  put_leb(&body, info->nexports);
  for (uint32_t i = 0; i < info->nexports; i++) {
    const wt__wasm_export_t *ex = &info->exports[i];
    put_leb(&body, ex->c_name.len);
    wt__buf_put(&body, ex->c_name.p, ex->c_name.len);
    wt__buf_put(&body, &ex->kind, 1);
    put_leb(&body, ex->index);
  }
  o->oom |= body.oom;
  wt__buf_put(o, &(uint8_t){7}, 1);
  put_leb(o, body.len);
  wt__buf_put(o, body.p, body.len);
  free(body.p);
}

wt_rt_status_t wt__wasm_rewrite(const uint8_t *bytes, size_t len,
                                wt__wasm_info_t *info, uint8_t **out_bytes,
                                size_t *out_len, char *err, size_t err_size) {
  const uint8_t *p = bytes + 8, *end = bytes + len;
  wt__buf_t o = {0};
  *out_bytes = NULL;
  *out_len = 0;
  if (len < 8)
    return wt__rt_fail(WT_RT_EMODULE, err, err_size, "truncated module");
  wt_rt_status_t st;
  free(info->c_names);
  info->c_names = NULL;
  if ((st = choose_names(info, &info->c_names, err, err_size)) != WT_RT_OK)
    return st;
  wt__buf_put(&o, bytes, 8);
  while (p < end) {
    const uint8_t *start = p;
    uint8_t id = *p++;
    uint32_t size;
    if (!get_leb(&p, end, &size) || size > (size_t)(end - p)) {
      free(o.p);
      return wt__rt_fail(WT_RT_EMODULE, err, err_size,
                         "malformed module: bad section at offset 0x%zx",
                         (size_t)(start - bytes));
    }
    if (id == 7)
      put_exports(&o, info);
    else if (id != 0)
      wt__buf_put(&o, start, (size_t)(p - start) + size);
    p += size;
  }
  if (o.oom) {
    free(o.p);
    return wt__rt_fail(WT_RT_ETOOL, err, err_size, "out of memory");
  }
  *out_bytes = (uint8_t *)o.p;
  *out_len = o.len;
  return WT_RT_OK;
}
