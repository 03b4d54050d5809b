/*
 * libFuzzer target: the module reader and the import checks, everything
 * the runtime does with a module's bytes before wasm2c sees them, and the
 * function names it keeps for a trap's backtrace (the name section).
 * Input: the bytes of a .wasm file.
 */
#include <stddef.h>
#include <stdint.h>

#include "rt_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks what the parser returned the way the runtime does, so that an
 * index or a length it let through wrong is read here, under ASan. */
static void walk(const wt__wasm_info_t *info) {
  char sig[512];
  uint32_t nfuncs = info->nimported_funcs + info->nfuncs;
  for (uint32_t f = 0; f < nfuncs; f++) {
    const wt__wasm_functype_t *t = wt__wasm_func_type(info, f);
    if (t != NULL)
      wt__wasm_sig_string(t, sig, sizeof sig);
  }
  for (uint32_t i = 0; i < info->nexports; i++) {
    const wt__wasm_export_t *ex = &info->exports[i];
    if (ex->kind == WT__WASM_EXTERN_FUNC &&
        wt__wasm_func_type(info, ex->index) != NULL)
      wt__wasm_sig_string(wt__wasm_func_type(info, ex->index), sig, sizeof sig);
  }
  /* The names a trap's backtrace would show, for every function and for
   * the symbols that name them. */
  wt__names_t names;
  if (wt__names_init(&names, info)) {
    char name[96];
    uint32_t index;
    for (uint32_t f = 0; f < nfuncs + 2; f++)
      wt__names_name(&names, f, name, sizeof name);
    for (uint32_t i = 0; i < info->nfnames; i++)
      (void)wt__wasm_func_name(info, info->fnames[i].index);
    (void)wt__names_function(&names, "w2c_f4294967295", &index);
    (void)wt__names_function(&names, "w2c_f4294967296", &index);
    (void)wt__names_function(&names, "Z_guestZ__start.cold", &index);
    wt__names_free(&names);
  }
  (void)wt__import_dialect(info, "callback_signal");
  (void)wt__imports_use(info, "wasix_32v1");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wt__wasm_info_t info;
  char err[4096];
  /* libFuzzer hands over a heap copy of exactly `size` bytes: a read past
   * the end is caught by ASan. */
  if (wt__wasm_parse(data, size, &info, err, sizeof err)) {
    walk(&info);
    (void)wt__imports_check(&info, err, sizeof err);
    /* A small error buffer: the check must cut its list, not overflow. */
    (void)wt__imports_check(&info, err, 40);
    wt__wasm_info_free(&info);
  }
  return 0;
}
