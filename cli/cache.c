/*
 * wasitrace cache: where compiled modules live; listing, trimming and
 * clearing them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "wt/runtime.h"

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace cache <dir|ls|gc [MAX-SIZE]|clear>\n"
          "\n"
          "wasitrace translates a module with wasm2c and compiles it into a "
          "shared\nobject, cached by the module's SHA-256, the wasitrace "
          "version, the compile\ntier and settings, so later runs start at "
          "once.\n"
          "\n"
          "Commands:\n"
          "  dir     Print the cache directory ($XDG_CACHE_HOME/wasitrace, "
          "else\n"
          "          ~/.cache/wasitrace)\n"
          "  ls      List the compiled modules, least recently used first\n"
          "  gc      Evict least recently used modules until the cache holds "
          "at most\n"
          "          MAX-SIZE bytes (K, M, G suffixes; default "
          "$WASITRACE_CACHE_MAX,\n"
          "          else 2G). Every new entry does this with the default.\n"
          "  clear   Remove every compiled module from it\n");
}

static void human(uint64_t n, char *buf, size_t size) {
  static const char unit[] = "BKMGT";
  double v = (double)n;
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    u++;
  }
  snprintf(buf, size, u == 0 ? "%.0f%c" : "%.1f%c", v, unit[u]);
}

static int list(void) {
  char err[1024], size[16], when[32];
  wt_rt_cache_entry_t *e;
  uint64_t total = 0;
  size_t n;
  if (wt_rt_cache_list(NULL, &e, &n, err, sizeof err) != WT_RT_OK) {
    wt_cli_error("%s", err);
    return WT_EXIT_TOOL;
  }
  if (n > 0)
    printf("%-12s  %-9s  %8s  %-16s  %s\n", "KEY", "TIER", "SIZE",
           "LAST USED", "MODULE SHA-256");
  for (size_t i = 0; i < n; i++) {
    time_t t = (time_t)e[i].used;
    struct tm tm;
    human(e[i].bytes, size, sizeof size);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
    printf("%.12s  %-9s  %8s  %-16s  %s\n", e[i].key,
           e[i].tier[0] ? e[i].tier : "?", size, when,
           e[i].module[0] ? e[i].module : "?");
    total += e[i].bytes;
  }
  human(total, size, sizeof size);
  printf("%zu compiled module%s, %s\n", n, n == 1 ? "" : "s", size);
  free(e);
  return 0;
}

static int gc(const char *max_arg) {
  char err[1024], freed_h[16];
  uint64_t max = wt_rt_cache_max(), freed;
  unsigned removed;
  if (max_arg != NULL && !wt_rt_parse_size(max_arg, &max)) {
    wt_cli_error("cache gc wants a size such as 500M or 2G, not '%s'",
                 max_arg);
    return WT_EXIT_TOOL;
  }
  if (wt_rt_cache_gc(NULL, max, &removed, &freed, err, sizeof err) !=
      WT_RT_OK) {
    wt_cli_error("%s", err);
    return WT_EXIT_TOOL;
  }
  human(freed, freed_h, sizeof freed_h);
  printf("evicted %u compiled module%s (%s)\n", removed,
         removed == 1 ? "" : "s", freed_h);
  return 0;
}

int wt_cli_cache(int argc, char **argv) {
  char dir[4096], err[1024];
  unsigned removed;
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (sub != NULL && (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)) {
    usage(stdout);
    return 0;
  }
  if (sub != NULL && strcmp(sub, "gc") == 0 && argc <= 3)
    return gc(argc == 3 ? argv[2] : NULL);
  if (sub == NULL || argc > 2 ||
      (strcmp(sub, "dir") != 0 && strcmp(sub, "clear") != 0 &&
       strcmp(sub, "ls") != 0)) {
    usage(stderr);
    return WT_EXIT_TOOL;
  }
  if (strcmp(sub, "ls") == 0)
    return list();
  if (!wt_rt_cache_dir(NULL, dir, sizeof dir)) {
    wt_cli_error("no cache directory: set XDG_CACHE_HOME or HOME");
    return WT_EXIT_TOOL;
  }
  if (strcmp(sub, "dir") == 0) {
    printf("%s\n", dir);
    return 0;
  }
  if (wt_rt_cache_clear(NULL, &removed, err, sizeof err) != WT_RT_OK) {
    wt_cli_error("%s", err);
    return WT_EXIT_TOOL;
  }
  printf("removed %u entr%s from %s\n", removed, removed == 1 ? "y" : "ies",
         dir);
  return 0;
}
