/*
 * The compile cache directory: location, program identities for the key,
 * and clearing. Entries are `<key>.so` files, published by rename() from a
 * private `tmp.XXXXXX` build directory beside them, so a reader never sees
 * a partial file and two runs building the same key both succeed.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rt_internal.h"

wt_rt_status_t wt__rt_fail(wt_rt_status_t st, char *err, size_t size,
                           const char *fmt, ...) {
  va_list ap;
  if (err != NULL && size > 0) {
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
  }
  return st;
}

bool wt__strf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < size)
    return true;
  if (size > 0)
    buf[0] = '\0';
  return false;
}

void wt__buf_put(wt__buf_t *b, const void *data, size_t n) {
  if (b->oom)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    char *p;
    while (cap < b->len + n + 1)
      cap *= 2;
    if ((p = realloc(b->p, cap)) == NULL) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  if (n > 0)
    memcpy(b->p + b->len, data, n);
  b->len += n;
  b->p[b->len] = '\0';
}

double wt__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

bool wt_rt_cache_dir(const wt_rt_config_t *cfg, char *buf, size_t size) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  int n;
  if (cfg != NULL && cfg->cache_dir != NULL)
    n = snprintf(buf, size, "%s", cfg->cache_dir);
  /* The XDG spec says to ignore relative paths. */
  else if (xdg != NULL && xdg[0] == '/')
    n = snprintf(buf, size, "%s/wasitrace", xdg);
  else if (home != NULL && home[0] != '\0')
    n = snprintf(buf, size, "%s/.cache/wasitrace", home);
  else
    n = -1;
  if (n < 0 || (size_t)n >= size) {
    if (size > 0)
      buf[0] = '\0';
    return false;
  }
  return true;
}

/* `prog` resolved through PATH the way posix_spawnp will find it. */
static bool find_program(const char *prog, char *out, size_t size) {
  const char *path = getenv("PATH"), *p, *end;
  if (strchr(prog, '/') != NULL)
    return snprintf(out, size, "%s", prog) < (int)size &&
           access(out, X_OK) == 0;
  for (p = path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
    end = strchr(p, ':');
    if (end == NULL)
      end = p + strlen(p);
    if (snprintf(out, size, "%.*s/%s", (int)(end - p), end == p ? "." : p,
                 prog) < (int)size &&
        access(out, X_OK) == 0)
      return true;
  }
  return false;
}

bool wt__program_id(const char *prog, char *buf, size_t size) {
  char found[PATH_MAX], real[PATH_MAX];
  struct stat st;
  if (!find_program(prog, found, sizeof found) ||
      realpath(found, real) == NULL || stat(real, &st) != 0) {
    snprintf(buf, size, "%s:missing", prog);
    return false;
  }
  snprintf(buf, size, "%s:%lld:%lld.%09ld", real, (long long)st.st_size,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  return true;
}

/* Whether one path of the cache is safe to trust (see the header). */
static wt_rt_status_t trusted(const char *path, bool ancestor, char *err,
                              size_t size) {
  struct stat st;
  uid_t me = geteuid();
  if (lstat(path, &st) != 0)
    return errno == ENOENT && !ancestor
               ? WT_RT_OK
               : wt__rt_fail(WT_RT_ETOOL, err, size, "cannot check %s: %s",
                             path, strerror(errno));
  if (S_ISLNK(st.st_mode) && stat(path, &st) != 0)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot check %s: %s", path,
                       strerror(errno));
  if (st.st_uid != me && st.st_uid != 0)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "refusing the compile cache: %s belongs to uid %u, "
                       "not to you (uid %u), and the cache holds code "
                       "wasitrace loads; use a cache of your own "
                       "(XDG_CACHE_HOME) or --no-cache",
                       path, (unsigned)st.st_uid, (unsigned)me);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
      !(ancestor && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)))
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "refusing the compile cache: %s is writable by "
                       "others (mode %03o), and the cache holds code "
                       "wasitrace loads; chmod go-w it, or use --no-cache",
                       path, (unsigned)(st.st_mode & 0777));
  if (!ancestor && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "refusing the compile cache: %s is not a regular file",
                       path);
  return WT_RT_OK;
}

wt_rt_status_t wt__cache_trusted(const char *dir, const char *so, char *err,
                                 size_t size) {
  char real[PATH_MAX];
  wt_rt_status_t st;
  if (realpath(dir, real) == NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot open %s: %s", dir,
                       strerror(errno));
  if ((st = trusted(real, false, err, size)) != WT_RT_OK)
    return st;
  /* Every ancestor, from the parent up to "/". */
  for (char *slash = strrchr(real, '/'); slash != NULL;
       slash = strrchr(real, '/')) {
    *slash = '\0';
    if ((st = trusted(real[0] ? real : "/", true, err, size)) != WT_RT_OK)
      return st;
    if (real[0] == '\0')
      break;
  }
  return so != NULL ? trusted(so, false, err, size) : WT_RT_OK;
}

bool wt__mkdirs(const char *path) {
  char tmp[PATH_MAX];
  size_t len = strlen(path);
  if (len == 0 || len >= sizeof tmp)
    return false;
  memcpy(tmp, path, len + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
      return false;
    *p = '/';
  }
  return mkdir(tmp, 0700) == 0 || errno == EEXIST;
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (type == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0;
}

void wt__rmtree(const char *path) {
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The suffixes of the files the cache keeps for one key. */
static const char *const entry_suffixes[] = {".so", ".info", ".lock",
                                             ".failed"};

/* Names the cache writes: "<64 hex>" + a suffix, and "tmp.XXXXXX". */
static bool is_cache_entry(const char *name) {
  if (strncmp(name, "tmp.", 4) == 0)
    return true;
  if (strspn(name, "0123456789abcdef") != 64)
    return false;
  for (size_t i = 0; i < sizeof entry_suffixes / sizeof *entry_suffixes; i++)
    if (strcmp(name + 64, entry_suffixes[i]) == 0)
      return true;
  return false;
}

/* DIR/KEY.so's sibling DIR/KEY<suffix>; false if it does not fit. */
static bool sibling(const char *so, const char *suffix, char *out,
                    size_t size) {
  size_t n = strlen(so);
  if (n < 3 || strcmp(so + n - 3, ".so") != 0)
    return false;
  return wt__strf(out, size, "%.*s%s", (int)(n - 3), so, suffix);
}

/* Writes `text` to `path` through a temporary name (readers see all or
 * nothing). */
static void write_note(const char *path, const char *text) {
  char tmp[PATH_MAX + 16];
  FILE *f;
  if (!wt__strf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid()) ||
      (f = fopen(tmp, "w")) == NULL)
    return;
  fputs(text, f);
  if (fclose(f) != 0 || rename(tmp, path) != 0)
    unlink(tmp);
}

void wt__cache_note(const char *so, const char *tier, const uint8_t sha[32]) {
  char path[PATH_MAX], hex[65], text[160];
  if (!sibling(so, ".info", path, sizeof path))
    return;
  wt_sha256_hex(sha, hex);
  snprintf(text, sizeof text, "tier %s\nmodule %s\n", tier, hex);
  write_note(path, text);
  if (sibling(so, ".failed", path, sizeof path))
    unlink(path);
}

void wt__cache_failed(const char *so, const char *why) {
  char path[PATH_MAX];
  if (sibling(so, ".failed", path, sizeof path))
    write_note(path, why[0] ? why : "the build failed");
}

bool wt__cache_has_failed(const char *so) {
  char path[PATH_MAX];
  return sibling(so, ".failed", path, sizeof path) && access(path, F_OK) == 0;
}

wt_rt_status_t wt_rt_cache_clear(const wt_rt_config_t *cfg, unsigned *removed,
                                 char *err, size_t err_size) {
  char dir[PATH_MAX], path[PATH_MAX + 256];
  struct dirent *de;
  DIR *d;
  unsigned n = 0;
  if (removed != NULL)
    *removed = 0;
  if (!wt_rt_cache_dir(cfg, dir, sizeof dir))
    return wt__rt_fail(WT_RT_ETOOL, err, err_size,
                       "no cache directory: set XDG_CACHE_HOME or HOME");
  d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT
               ? WT_RT_OK
               : wt__rt_fail(WT_RT_ETOOL, err, err_size, "cannot open %s: %s",
                             dir, strerror(errno));
  /* Only the cache's own entries: the directory may be shared by mistake. */
  while ((de = readdir(d)) != NULL) {
    if (!is_cache_entry(de->d_name))
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    wt__rmtree(path);
    n++;
  }
  closedir(d);
  rmdir(dir); /* fails harmlessly if something else lives there */
  if (removed != NULL)
    *removed = n;
  return WT_RT_OK;
}

static int by_use(const void *a, const void *b) {
  const wt_rt_cache_entry_t *x = a, *y = b;
  return x->used < y->used ? -1 : x->used > y->used;
}

/* Reads KEY.info's "tier" and "module" lines into e. */
static void read_note(const char *dir, wt_rt_cache_entry_t *e) {
  char path[PATH_MAX + 80], line[128];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s.info", dir, e->key);
  if ((f = fopen(path, "r")) == NULL)
    return;
  while (fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "tier ", 5) == 0)
      snprintf(e->tier, sizeof e->tier, "%.15s", line + 5);
    else if (strncmp(line, "module ", 7) == 0)
      snprintf(e->module, sizeof e->module, "%.64s", line + 7);
  }
  fclose(f);
}

static wt_rt_status_t list_dir(const char *dir, wt_rt_cache_entry_t **out,
                               size_t *n, char *err, size_t err_size) {
  char path[PATH_MAX + 80];
  struct dirent *de;
  struct stat st;
  size_t cap = 0;
  DIR *d = opendir(dir);
  *out = NULL;
  *n = 0;
  if (d == NULL)
    return errno == ENOENT ? WT_RT_OK
                           : wt__rt_fail(WT_RT_ETOOL, err, err_size,
                                         "cannot open %s: %s", dir,
                                         strerror(errno));
  while ((de = readdir(d)) != NULL) {
    wt_rt_cache_entry_t *e;
    if (!is_cache_entry(de->d_name) || strlen(de->d_name) != 67 ||
        strcmp(de->d_name + 64, ".so") != 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (*n == cap) {
      wt_rt_cache_entry_t *grown =
          realloc(*out, (cap = cap ? 2 * cap : 16) * sizeof **out);
      if (grown == NULL) {
        closedir(d);
        free(*out);
        *out = NULL;
        return wt__rt_fail(WT_RT_ETOOL, err, err_size, "out of memory");
      }
      *out = grown;
    }
    e = &(*out)[(*n)++];
    memset(e, 0, sizeof *e);
    memcpy(e->key, de->d_name, 64);
    e->bytes = (uint64_t)st.st_size;
    e->used = (int64_t)st.st_mtim.tv_sec;
    read_note(dir, e);
  }
  closedir(d);
  if (*n > 1)
    qsort(*out, *n, sizeof **out, by_use);
  return WT_RT_OK;
}

wt_rt_status_t wt_rt_cache_list(const wt_rt_config_t *cfg,
                                wt_rt_cache_entry_t **entries, size_t *n,
                                char *err, size_t err_size) {
  char dir[PATH_MAX];
  if (!wt_rt_cache_dir(cfg, dir, sizeof dir))
    return wt__rt_fail(WT_RT_ETOOL, err, err_size,
                       "no cache directory: set XDG_CACHE_HOME or HOME");
  return list_dir(dir, entries, n, err, err_size);
}

/* Removes KEY.so and the notes and lock beside it. */
static void remove_entry_files(const char *dir, const char *key) {
  char path[PATH_MAX + 80];
  for (size_t i = 0; i < sizeof entry_suffixes / sizeof *entry_suffixes; i++) {
    snprintf(path, sizeof path, "%s/%s%s", dir, key, entry_suffixes[i]);
    unlink(path);
  }
}

wt_rt_status_t wt_rt_cache_gc(const wt_rt_config_t *cfg, uint64_t max_bytes,
                              unsigned *removed, uint64_t *freed, char *err,
                              size_t err_size) {
  char dir[PATH_MAX];
  wt_rt_cache_entry_t *e;
  uint64_t total = 0;
  size_t n;
  wt_rt_status_t st;
  *removed = 0;
  *freed = 0;
  if (!wt_rt_cache_dir(cfg, dir, sizeof dir))
    return wt__rt_fail(WT_RT_ETOOL, err, err_size,
                       "no cache directory: set XDG_CACHE_HOME or HOME");
  if ((st = list_dir(dir, &e, &n, err, err_size)) != WT_RT_OK)
    return st;
  for (size_t i = 0; i < n; i++)
    total += e[i].bytes;
  /* Least recently used first (the list is sorted by last use). */
  for (size_t i = 0; i < n && total > max_bytes; i++) {
    remove_entry_files(dir, e[i].key);
    total -= e[i].bytes;
    *freed += e[i].bytes;
    (*removed)++;
  }
  free(e);
  return WT_RT_OK;
}

bool wt_rt_parse_size(const char *s, uint64_t *out) {
  char *end;
  unsigned long long n;
  int shift;
  if (s == NULL || s[0] < '0' || s[0] > '9')
    return false;
  n = strtoull(s, &end, 10);
  switch (*end) {
  case '\0':
    shift = 0;
    break;
  case 'K':
  case 'k':
    shift = 10;
    break;
  case 'M':
  case 'm':
    shift = 20;
    break;
  case 'G':
  case 'g':
    shift = 30;
    break;
  default:
    return false;
  }
  if (shift != 0 && end[1] != '\0')
    return false;
  if (n > (UINT64_MAX >> shift))
    return false;
  *out = (uint64_t)n << shift;
  return true;
}

uint64_t wt_rt_cache_max(void) {
  uint64_t n;
  return wt_rt_parse_size(getenv("WASITRACE_CACHE_MAX"), &n)
             ? n
             : WT_RT_CACHE_DEFAULT_MAX;
}
