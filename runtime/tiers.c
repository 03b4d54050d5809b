/*
 * Where a module's shared object comes from: the compile cache, or a build
 * at one of two tiers (docs/cli.md, "Compile tiers").
 *
 * - optimised: wasm2c, then the C compiler at -O<level>. Seconds to
 *   minutes for a large module; the code runs near native speed.
 * - fast: wasm2c, then TinyCC. A fraction of a second even for megabytes
 *   of C; the code runs 6-10x slower.
 *
 * `auto` runs the optimised build when the cache has it; otherwise it
 * builds the fast one, runs that, and leaves a detached, low-priority
 * process compiling wasm2c's output of this very build with the C
 * compiler, for the next run. Publishing is by rename() as before, so no
 * reader sees a partial entry; a lock file per cache key makes processes
 * racing on one module share one build of each tier.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_internal.h"

static const char *tier_name(wt_rt_tier_t tier) {
  return tier == WT_RT_TIER_FAST ? "fast" : "optimized";
}

/* The cache key: everything that changes the shared object. */
static void cache_key(const wt_module_t *m, wt_rt_tier_t tier, char hex[65]) {
  char line[WT__PATH_SIZE + 64], id[WT__PATH_SIZE + 64];
  uint8_t digest[32];
  wt_sha256_t s;
  wt_sha256_init(&s);
#define KEY_LINE(...)                                                          \
  do {                                                                         \
    wt__strf(line, sizeof line, __VA_ARGS__);                                  \
    wt_sha256_update(&s, line, strlen(line));                                 \
  } while (0)
  wt_sha256_hex(m->sha256, hex);
  KEY_LINE("wasitrace-cache 2\nversion %s\nglue %u\nmodule %s\ntier %s\n",
           WT_VERSION_STRING, WT__GLUE_VERSION, hex, tier_name(tier));
  wt__program_id(tier == WT_RT_TIER_FAST ? m->tcc : m->cc, id, sizeof id);
  KEY_LINE("cc %s\n", id);
  wt__program_id(m->wasm2c, id, sizeof id);
  KEY_LINE("wasm2c %s\n", id);
  wt__program_id(wt__rt_impl_path(), id, sizeof id);
  KEY_LINE("runtime %s\n", id);
#undef KEY_LINE
  wt__build_flags(tier, m->opt_level, m->guard_pages, m->call_depth, &s);
  wt__glue_hash(&s);
  wt_sha256_final(&s, digest);
  wt_sha256_hex(digest, hex);
}

static void build_init(const wt_module_t *m, const wt__src_t *src,
                       wt_rt_tier_t tier, const char *dir, const char *so,
                       wt__build_t *b) {
  memset(b, 0, sizeof *b);
  b->wasm = src->bytes;
  b->wasm_len = src->len;
  b->info = src->info;
  b->dir = dir;
  b->out_so = so;
  b->cc = m->cc;
  b->tcc = m->tcc;
  b->wasm2c = m->wasm2c;
  b->tier = tier;
  b->opt_level = m->opt_level;
  b->guard_pages = m->guard_pages;
  b->call_depth = m->call_depth;
  b->timeout_s = m->compile_timeout_s;
  b->progress = m->progress;
  b->progress_ud = m->progress_ud;
}

/*
 * Builds at `tier` into a fresh private directory made from `tmpl` (a
 * mkdtemp template); *made tells whether the directory exists to be
 * removed. The shared object is tmpl/guest.so (m->so_path).
 */
static wt_rt_status_t build(wt_module_t *m, const wt__src_t *src,
                            wt_rt_tier_t tier, char *tmpl, bool *made,
                            char *err, size_t size) {
  char so[WT__PATH_SIZE + 16];
  wt__build_t b;
  wt_rt_status_t st;
  *made = mkdtemp(tmpl) != NULL;
  if (!*made)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot create %s: %s", tmpl,
                       strerror(errno));
  if (!wt__strf(so, sizeof so, "%s/guest.so", tmpl))
    return wt__rt_fail(WT_RT_ETOOL, err, size, "path too long: %s", tmpl);
  build_init(m, src, tier, tmpl, so, &b);
  st = wt__build(&b, err, size);
  m->interrupted = b.interrupted;
  m->translate_ms = b.translate_ms;
  m->compile_ms = b.compile_ms;
  if (st == WT_RT_OK && !wt__strf(m->so_path, sizeof m->so_path, "%s", so))
    st = wt__rt_fail(WT_RT_ETOOL, err, size, "path too long: %s", so);
  if (st == WT_RT_OK)
    m->loaded_tier = tier;
  return st;
}

/* --no-cache: build under $TMPDIR; the directory goes at close. */
static wt_rt_status_t build_uncached(wt_module_t *m, const wt__src_t *src,
                                     wt_rt_tier_t tier, char *err,
                                     size_t size) {
  const char *tmp = getenv("TMPDIR");
  bool made;
  wt_rt_status_t st;
  if (!wt__strf(m->tmp_dir, sizeof m->tmp_dir, "%s/wasitrace.XXXXXX",
                tmp && tmp[0] ? tmp : "/tmp"))
    return wt__rt_fail(WT_RT_ETOOL, err, size, "TMPDIR is too long");
  st = build(m, src, tier, m->tmp_dir, &made, err, size);
  if (!made)
    m->tmp_dir[0] = '\0';
  return st;
}

/* A cache entry's paths: DIR/KEY.so and its lock DIR/KEY.lock. */
typedef struct entry_s {
  wt_rt_tier_t tier;
  char so[WT__PATH_SIZE + 80];
  char lock[WT__PATH_SIZE + 80];
} entry_t;

static wt_rt_status_t entry(const wt_module_t *m, const char *dir,
                            wt_rt_tier_t tier, entry_t *e, char *err,
                            size_t size) {
  char hex[65];
  cache_key(m, tier, hex);
  e->tier = tier;
  if (!wt__strf(e->so, sizeof e->so, "%s/%s.so", dir, hex) ||
      !wt__strf(e->lock, sizeof e->lock, "%s/%s.lock", dir, hex))
    return wt__rt_fail(WT_RT_ETOOL, err, size, "path too long: %s", dir);
  return WT_RT_OK;
}

/*
 * Opens the entry if the cache has it: true on a hit. Its use time is
 * updated, which is what `cache gc` evicts by.
 */
static bool open_cached(wt_module_t *m, const char *dir, const entry_t *e,
                        wt_rt_status_t *st, char *err, size_t size) {
  *st = wt__cache_trusted(dir, e->so, err, size);
  if (*st != WT_RT_OK || access(e->so, R_OK) != 0)
    return false;
  wt__strf(m->so_path, sizeof m->so_path, "%s", e->so);
  if (wt__module_open(m, NULL, 0) != WT_RT_OK) {
    if (m->dl != NULL) { /* unusable entry: rebuilt over */
      dlclose(m->dl);
      m->dl = NULL;
      m->glue = NULL;
    }
    return false;
  }
  utimensat(AT_FDCWD, e->so, NULL, 0);
  m->cache_hit = true;
  m->loaded_tier = e->tier;
  return true;
}

/* Takes the entry's lock (blocking unless `try`); -1 when not taken. */
static int lock_entry(const entry_t *e, bool try) {
  int fd = open(e->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return -1;
  while (flock(fd, LOCK_EX | (try ? LOCK_NB : 0)) != 0)
    if (errno != EINTR) {
      close(fd);
      return -1;
    }
  return fd;
}

/* Publishes a built shared object as the entry, atomically. */
static wt_rt_status_t publish(wt_module_t *m, const entry_t *e, char *err,
                              size_t size) {
  if (rename(m->so_path, e->so) != 0)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot store %s: %s", e->so,
                       strerror(errno));
  unsigned removed;
  uint64_t freed;
  wt__strf(m->so_path, sizeof m->so_path, "%s", e->so);
  wt__cache_note(e->so, tier_name(e->tier), m->sha256);
  /* Keep the cache within its cap; this entry was just used, so it is the
   * last one evicted. */
  wt_rt_cache_gc(&(wt_rt_config_t){.cache_dir = m->cache_dir},
                 wt_rt_cache_max(), &removed, &freed, NULL, 0);
  return WT_RT_OK;
}

/*
 * Builds the entry under its lock, unless the process that held the lock
 * before us built it. On success the build directory is left to the caller
 * in `tmpl` (its sources serve the background build) when keep is set.
 */
static wt_rt_status_t build_cached(wt_module_t *m, const wt__src_t *src,
                                   const char *dir, const entry_t *e,
                                   char *tmpl, bool keep, char *err,
                                   size_t size) {
  bool made = false;
  wt_rt_status_t st;
  int lock = lock_entry(e, false);
  tmpl[0] = '\0';
  if (open_cached(m, dir, e, &st, err, size)) {
    st = WT_RT_OK;
    goto out;
  }
  if (st != WT_RT_OK)
    goto out;
  if (!wt__strf(tmpl, WT__PATH_SIZE, "%s/tmp.XXXXXX", dir)) {
    st = wt__rt_fail(WT_RT_ETOOL, err, size, "path too long: %s", dir);
    goto out;
  }
  st = build(m, src, e->tier, tmpl, &made, err, size);
  if (st == WT_RT_OK)
    st = publish(m, e, err, size);
  if (st == WT_RT_OK)
    st = wt__module_open(m, err, size);
out:
  if (made && !(keep && st == WT_RT_OK))
    wt__rmtree(tmpl);
  if (!(made && keep && st == WT_RT_OK))
    tmpl[0] = '\0';
  if (lock >= 0)
    close(lock);
  return st;
}

/*
 * The detached process: the optimised build, from `sources` (a fast
 * build's directory holding wasm2c's output, which it then removes) or,
 * when NULL, from the module. A failure is noted in FAILED (the entry's
 * name with ".failed"), so later runs do not try again and again.
 */
static void background_build(wt_module_t *m, const wt__src_t *src,
                             const char *cache, const entry_t *e,
                             const char *sources) {
  char dir[WT__PATH_SIZE], so[WT__PATH_SIZE + 16], why[1024] = "";
  wt__build_t b;
  int lock, devnull = open("/dev/null", O_RDWR);
  bool made = false;
  sigset_t none;
  setsid();
  setpriority(PRIO_PROCESS, 0, 10);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
  }
  close_range(3, ~0u, 0);
  lock = lock_entry(e, true);
  if (lock < 0 || access(e->so, R_OK) == 0)
    goto out;
  if (sources != NULL) {
    wt__strf(dir, sizeof dir, "%s", sources);
  } else {
    made = wt__strf(dir, sizeof dir, "%s/tmp.XXXXXX", cache) &&
           mkdtemp(dir) != NULL;
    if (!made)
      goto out;
  }
  if (!wt__strf(so, sizeof so, "%s/optimized.so", dir))
    goto out;
  build_init(m, src, WT_RT_TIER_OPTIMIZED, dir, so, &b);
  b.progress = NULL;
  b.reuse_c = sources != NULL;
  if (wt__build(&b, why, sizeof why) == WT_RT_OK &&
      wt__strf(m->so_path, sizeof m->so_path, "%s", so) &&
      publish(m, e, why, sizeof why) == WT_RT_OK)
    goto out;
  wt__cache_failed(e->so, why);
out:
  if (sources != NULL || made)
    wt__rmtree(sources != NULL ? sources : dir);
  _exit(0);
}

/*
 * Starts the optimised build of a module that now runs at the fast tier,
 * in a grandchild that outlives wasitrace: the child exits at once and is
 * reaped here, so no zombie is left; the grandchild finishes (or gives up
 * at the compile time limit) on its own, at low priority, and owns
 * `sources`. Not started while another process builds the entry, nor
 * after a build of it failed (the ".failed" note says why; `cache clear`
 * forgets it).
 */
static bool start_background(wt_module_t *m, const wt__src_t *src,
                             const char *cache, const entry_t *e,
                             const char *sources) {
  pid_t pid;
  int status, busy = lock_entry(e, true);
  if (busy < 0 || wt__cache_has_failed(e->so)) {
    if (busy >= 0)
      close(busy);
    return false;
  }
  close(busy);
  if ((pid = fork()) < 0)
    return false;
  if (pid == 0) {
    if (fork() == 0)
      background_build(m, src, cache, e, sources);
    _exit(0);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return true;
}

wt_rt_status_t wt__module_obtain(wt_module_t *m, const wt__src_t *src,
                                 char *err, size_t size) {
  char dir[WT__PATH_SIZE], sources[WT__PATH_SIZE], id[WT__PATH_SIZE];
  entry_t opt, fast;
  wt_rt_status_t st;
  if (m->no_cache) { /* nothing to keep for later: auto is fast */
    st = build_uncached(m, src,
                        m->tier == WT_RT_TIER_OPTIMIZED ? WT_RT_TIER_OPTIMIZED
                                                        : WT_RT_TIER_FAST,
                        err, size);
    return st == WT_RT_OK ? wt__module_open(m, err, size) : st;
  }
  if (!wt_rt_cache_dir(&(wt_rt_config_t){.cache_dir = m->cache_dir}, dir,
                       sizeof dir))
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "no cache directory (set XDG_CACHE_HOME or HOME, or "
                       "use --no-cache)");
  if (!wt__mkdirs(dir))
    return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot create %s: %s", dir,
                       strerror(errno));
  if ((st = entry(m, dir, WT_RT_TIER_OPTIMIZED, &opt, err, size)) != WT_RT_OK ||
      (st = entry(m, dir, WT_RT_TIER_FAST, &fast, err, size)) != WT_RT_OK)
    return st;
  if (m->tier != WT_RT_TIER_FAST && open_cached(m, dir, &opt, &st, err, size))
    return WT_RT_OK;
  if (st != WT_RT_OK)
    return st;
  /* auto without TinyCC installed: the optimised tier, as before tiers. */
  if (m->tier == WT_RT_TIER_OPTIMIZED ||
      (m->tier == WT_RT_TIER_AUTO && !wt__program_id(m->tcc, id, sizeof id)))
    return build_cached(m, src, dir, &opt, sources, false, err, size);
  if (open_cached(m, dir, &fast, &st, err, size)) {
    /* An earlier background build may have been cut short. */
    if (m->tier == WT_RT_TIER_AUTO)
      m->background = start_background(m, src, dir, &opt, NULL);
    return WT_RT_OK;
  }
  if (st != WT_RT_OK)
    return st;
  st = build_cached(m, src, dir, &fast, sources, m->tier == WT_RT_TIER_AUTO,
                    err, size);
  if (sources[0] != '\0') {
    m->background = start_background(m, src, dir, &opt, sources);
    if (!m->background)
      wt__rmtree(sources);
  }
  return st;
}
