/*
 * args_* and environ_*: the strings copied at wt_init.
 */
#include <string.h>

#include "internal.h"

static wt_errno_t fill_strtab(wt_strtab_t *t, uint32_t n, const uint32_t *off,
                              const char *buf, uint32_t buf_size) {
  /* Too little room is what writing past the end of memory would be. */
  if (t->offsets_cap < n || t->buf_cap < buf_size)
    return WT_EFAULT;
  /* Host and guest are both little-endian (types.h checks). */
  memcpy(t->offsets, off, (size_t)n * sizeof *off);
  memcpy(t->buf, buf, buf_size);
  t->count = n;
  t->buf_used = buf_size;
  return WT_ESUCCESS;
}

wt_errno_t wt_args_get(wt_t *w, wt_strtab_t *argv) {
  return fill_strtab(argv, w->argc, w->argv_off, w->argv_buf,
                     w->argv_buf_size);
}

wt_errno_t wt_args_sizes_get(wt_t *w, uint32_t *argc,
                             uint32_t *argv_buf_size) {
  *argc = w->argc;
  *argv_buf_size = w->argv_buf_size;
  return WT_ESUCCESS;
}

wt_errno_t wt_environ_get(wt_t *w, wt_strtab_t *environ) {
  return fill_strtab(environ, w->envc, w->env_off, w->env_buf,
                     w->env_buf_size);
}

wt_errno_t wt_environ_sizes_get(wt_t *w, uint32_t *environc,
                                uint32_t *environ_buf_size) {
  *environc = w->envc;
  *environ_buf_size = w->env_buf_size;
  return WT_ESUCCESS;
}
