/*
 * Loading a module: read, check, find in the cache or build, dlopen.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_internal.h"

#define ERR_MAX 256

void wt_rt_config_init(wt_rt_config_t *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->opt_level = WT_RT_DEFAULT_OPT_LEVEL;
}

/* Guard pages need a 64-bit address space and no AddressSanitizer. */
static bool default_guard_pages(void) {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return false;
#endif
#endif
  return UINTPTR_MAX > 0xffffffffu;
}

static char *dup_or_null(const char *s) {
  return s != NULL ? strdup(s) : NULL;
}

static wt_rt_status_t configure(wt_module_t *m, const wt_rt_config_t *cfg,
                                char *err, size_t size) {
  wt_rt_config_t defaults;
  if (cfg == NULL) {
    wt_rt_config_init(&defaults);
    cfg = &defaults;
  }
  m->opt_level = cfg->opt_level ? cfg->opt_level : WT_RT_DEFAULT_OPT_LEVEL;
  if (strchr("0123s", m->opt_level) == NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "bad optimisation level '%c' (use 0, 1, 2, 3 or s)",
                       m->opt_level);
  m->guard_pages = cfg->memcheck == WT_RT_MEMCHECK_DEFAULT
                       ? default_guard_pages()
                       : cfg->memcheck == WT_RT_MEMCHECK_GUARD;
  m->no_cache = cfg->no_cache;
  m->call_depth =
      cfg->max_call_depth ? cfg->max_call_depth : WT_RT_DEFAULT_CALL_DEPTH;
  m->cache_dir = dup_or_null(cfg->cache_dir);
  m->tier = cfg->tier;
  if (m->tier != WT_RT_TIER_OPTIMIZED && m->tier != WT_RT_TIER_FAST &&
      m->tier != WT_RT_TIER_AUTO)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "bad compile tier %d",
                       (int)m->tier);
  m->cc = strdup(cfg->cc ? cfg->cc : "cc");
  m->tcc = strdup(cfg->tcc ? cfg->tcc : "tcc");
  m->wasm2c = strdup(cfg->wasm2c ? cfg->wasm2c : "wasm2c");
  m->compile_timeout_s = cfg->compile_timeout_s == 0 ? WT_RT_DEFAULT_COMPILE_TIMEOUT
                         : cfg->compile_timeout_s == WT_RT_NO_TIMEOUT
                             ? 0
                             : cfg->compile_timeout_s;
  m->progress = cfg->progress;
  m->progress_ud = cfg->progress_ud;
  if ((cfg->cache_dir && !m->cache_dir) || !m->cc || !m->tcc || !m->wasm2c)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "out of memory");
  return WT_RT_OK;
}

static wt_rt_status_t read_file(const char *path, uint8_t **out, size_t *len,
                                char *err, size_t size) {
  struct stat st;
  uint8_t *buf;
  size_t got = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot open %s: %s", path,
                       strerror(errno));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return wt__rt_fail(WT_RT_ETOOL, err, size, "%s is not a regular file",
                       path);
  }
  buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
  while (buf != NULL && got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  if (buf == NULL || got != (size_t)st.st_size) {
    free(buf);
    return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot read %s", path);
  }
  *out = buf;
  *len = got;
  return WT_RT_OK;
}

static wt_rt_status_t check(const uint8_t *bytes, size_t len,
                            wt__wasm_info_t *info, char *err, size_t size) {
  if (!wt__wasm_parse(bytes, len, info, err, size))
    return WT_RT_EMODULE;
  if (!info->has_start) {
    wt__wasm_info_free(info);
    return wt__rt_fail(WT_RT_EMODULE, err, size,
                       "the module exports no _start function: it is not a "
                       "WASI command (a reactor or library module?)");
  }
  if (!wt__imports_check(info, err, size)) {
    wt__wasm_info_free(info);
    return WT_RT_EMODULE;
  }
  return WT_RT_OK;
}

/* Turns dlopen's "undefined symbol: Z_<module>Z_<name>" into advice. */
static wt_rt_status_t dlopen_failed(const char *so, char *err, size_t size) {
  const char *msg = dlerror(), *sym;
  if (msg == NULL)
    msg = "unknown error";
  sym = strstr(msg, "undefined symbol: Z_");
  if (sym != NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "cannot load the compiled guest: the import %s is not "
                       "exported by this program (an embedder must link "
                       "with -rdynamic)",
                       sym + strlen("undefined symbol: "));
  return wt__rt_fail(WT_RT_ETOOL, err, size,
                     "cannot load the compiled guest %s: %s", so, msg);
}

wt_rt_status_t wt__module_open(wt_module_t *m, char *err, size_t size) {
  const wt__glue_t *glue;
  Dl_info di;
  m->dl = dlopen(m->so_path, RTLD_NOW | RTLD_LOCAL);
  if (m->dl == NULL)
    return dlopen_failed(m->so_path, err, size);
  glue = dlsym(m->dl, "wt_glue");
  if (glue == NULL || glue->version != WT__GLUE_VERSION)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "%s was built by another wasitrace version; clear "
                       "the cache (wasitrace cache clear)",
                       m->so_path);
  if (dladdr(glue, &di) != 0)
    m->base = (uintptr_t)di.dli_fbase;
  m->glue = glue;
  m->glue->open();
  return WT_RT_OK;
}

wt_rt_status_t wt_module_load(const char *path, const wt_rt_config_t *cfg,
                              wt_module_t **out, char *err, size_t size) {
  double t0 = wt__now_ms();
  wt__wasm_info_t info;
  uint8_t *bytes = NULL;
  size_t len = 0;
  wt_rt_status_t st;
  wt_module_t *m = calloc(1, sizeof *m);
  *out = NULL;
  if (m == NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "out of memory");
  if ((st = configure(m, cfg, err, size)) != WT_RT_OK ||
      (st = read_file(path, &bytes, &len, err, size)) != WT_RT_OK)
    goto out;
  wt_sha256(bytes, len, m->sha256);
  if ((st = check(bytes, len, &info, err, size)) != WT_RT_OK)
    goto out;
  m->sig_dialect = wt__import_dialect(&info, "callback_signal");
  /* Without memory for them, a trap's frames are shown by index. */
  (void)wt__names_init(&m->names, &info);
  st = wt__module_obtain(m, &(wt__src_t){bytes, len, &info}, err, size);
  wt__wasm_info_free(&info);
out:
  free(bytes);
  if (st != WT_RT_OK) {
    int sig = m->interrupted;
    wt_module_close(m);
    /* Interrupted while building: the work files are gone; now die of
     * the signal as the user asked (its action is the default again). */
    if (sig != 0)
      raise(sig);
    return st;
  }
  m->load_ms = wt__now_ms() - t0;
  *out = m;
  return WT_RT_OK;
}

void wt_module_close(wt_module_t *m) {
  if (m == NULL)
    return;
  if (m->glue != NULL)
    m->glue->close();
  if (m->dl != NULL)
    dlclose(m->dl);
  if (m->tmp_dir[0] != '\0')
    wt__rmtree(m->tmp_dir);
  wt__names_free(&m->names);
  free(m->cache_dir);
  free(m->cc);
  free(m->tcc);
  free(m->wasm2c);
  free(m);
}

void wt_module_info(const wt_module_t *m, wt_module_info_t *info) {
  memcpy(info->sha256, m->sha256, sizeof info->sha256);
  info->cache_hit = m->cache_hit;
  info->tier = m->loaded_tier;
  info->background = m->background;
  info->translate_ms = m->translate_ms;
  info->compile_ms = m->compile_ms;
  info->load_ms = m->load_ms;
  info->so_path = m->so_path;
  info->guard_pages = m->guard_pages;
}
