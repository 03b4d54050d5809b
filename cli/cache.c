/*
 * wasitrace cache: where compiled modules live, and clearing them.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "wt/runtime.h"

static void usage(FILE *f) {
  fputs("Usage: wasitrace cache <dir|clear>\n"
        "\n"
        "wasitrace run translates a module with wasm2c and compiles it into "
        "a shared\nobject, cached by the module's SHA-256, the wasitrace "
        "version and the compile\nsettings, so later runs start at once.\n"
        "\n"
        "Commands:\n"
        "  dir     Print the cache directory ($XDG_CACHE_HOME/wasitrace, "
        "else\n"
        "          ~/.cache/wasitrace)\n"
        "  clear   Remove every compiled module from it\n",
        f);
}

int wt_cli_cache(int argc, char **argv) {
  char dir[4096], err[1024];
  unsigned removed;
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (sub != NULL && (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)) {
    usage(stdout);
    return 0;
  }
  if (sub == NULL || argc > 2 ||
      (strcmp(sub, "dir") != 0 && strcmp(sub, "clear") != 0)) {
    usage(stderr);
    return WT_EXIT_TOOL;
  }
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
