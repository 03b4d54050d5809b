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

/* Names the cache writes: "<64 hex>.so" and "tmp.XXXXXX". */
static bool is_cache_entry(const char *name) {
  size_t len = strlen(name);
  if (strncmp(name, "tmp.", 4) == 0)
    return true;
  return len == 67 && strcmp(name + 64, ".so") == 0 &&
         strspn(name, "0123456789abcdef") == 64;
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
