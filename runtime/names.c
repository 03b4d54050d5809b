/*
 * The names of a trap's backtrace. The module's bytes are gone once it is
 * loaded, so the function names of its name section (and its function
 * exports) are copied here, into one block. wasm2c is given the module
 * without its name section (wasm_rewrite.c): every function is then
 * `w2c_f<index>` in C, whatever its name, and a name wasm2c would have
 * mangled or made unique still maps back to its function.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* A name as shown: printable ASCII, anything else '?' (a terminal must
 * not be driven by a guest's names). */
static void put_name(char *dst, const wt__wasm_name_t *n) {
  for (uint32_t i = 0; i < n->len; i++)
    dst[i] = n->p[i] >= 0x20 && n->p[i] < 0x7f ? (char)n->p[i] : '?';
  dst[n->len] = '\0';
}

bool wt__names_init(wt__names_t *names, const wt__wasm_info_t *info) {
  size_t total = 0;
  uint32_t k = 0, nex = 0;
  memset(names, 0, sizeof *names);
  for (uint32_t i = 0; i < info->nfnames; i++)
    total += (size_t)info->fnames[i].name.len + 1;
  for (uint32_t i = 0; i < info->nexports; i++)
    if (info->exports[i].kind == WT__WASM_EXTERN_FUNC) {
      total += (size_t)info->exports[i].name.len + 1;
      nex++;
    }
  if (total > UINT32_MAX)
    return false;
  names->index = malloc(((size_t)info->nfnames + nex + 1) * sizeof(uint32_t));
  names->offset = malloc(((size_t)info->nfnames + nex + 1) * sizeof(uint32_t));
  names->text = malloc(total + 1);
  if (names->index == NULL || names->offset == NULL || names->text == NULL) {
    wt__names_free(names);
    return false;
  }
  total = 0;
  for (uint32_t i = 0; i < info->nfnames + info->nexports; i++) {
    const wt__wasm_export_t *ex = NULL;
    const wt__wasm_name_t *n;
    if (i >= info->nfnames &&
        (ex = &info->exports[i - info->nfnames])->kind != WT__WASM_EXTERN_FUNC)
      continue;
    n = ex != NULL ? &ex->name : &info->fnames[i].name;
    names->index[k] = ex != NULL ? ex->index : info->fnames[i].index;
    names->offset[k++] = (uint32_t)total;
    put_name(names->text + total, n);
    total += (size_t)n->len + 1;
  }
  names->n = info->nfnames;
  names->nexports = nex;
  return true;
}

void wt__names_free(wt__names_t *names) {
  free(names->index);
  free(names->offset);
  free(names->text);
  memset(names, 0, sizeof *names);
}

/* Digits only, no leading zero, within 32 bits. */
static bool decimal(const char *s, uint32_t *out) {
  uint64_t v = 0;
  if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
    return false;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) > UINT32_MAX)
      return false;
  }
  *out = (uint32_t)v;
  return true;
}

bool wt__names_function(const wt__names_t *names, const char *sym,
                        uint32_t *index) {
  char base[WT__SYM_SIZE];
  /* Compiler clones and split parts (f3.cold, f3.part.0) belong to their
   * function; wasm2c never puts '.' in a name. */
  snprintf(base, sizeof base, "%.*s", (int)strcspn(sym, "."), sym);
  if (strncmp(base, "w2c_f", 5) == 0)
    return decimal(base + 5, index);
  if (strncmp(base, "Z_guestZ_", 9) != 0)
    return false;
  /* An export's entry point. Exports renamed for C (wt_export_<i>: see
   * wasm_rewrite.c) are not among the names; they name no frame. */
  for (uint32_t i = names->n; i < names->n + names->nexports; i++)
    if (strcmp(names->text + names->offset[i], base + 9) == 0) {
      *index = names->index[i];
      return true;
    }
  return false;
}

void wt__names_name(const wt__names_t *names, uint32_t index, char *buf,
                    size_t size) {
  uint32_t lo = 0, hi = names->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (names->index[mid] == index) {
      snprintf(buf, size, "%s", names->text + names->offset[mid]);
      return;
    }
    if (names->index[mid] < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  /* Unnamed, but exported: the export's name says which it is. */
  for (uint32_t i = names->n; i < names->n + names->nexports; i++)
    if (names->index[i] == index) {
      snprintf(buf, size, "%s", names->text + names->offset[i]);
      return;
    }
  snprintf(buf, size, "func[%u]", index);
}
