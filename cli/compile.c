/*
 * wasitrace compile: builds modules into the compile cache ahead of time
 * (as `wasmtime compile` does), so that their first run starts at once at
 * the optimized tier. Modules are built in parallel, one process each, at
 * most -j at a time.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "wt/runtime.h"

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace compile [OPTIONS] MODULE.wasm...\n"
          "\n"
          "Builds each module at the optimized tier (or the one --tier "
          "names) into the\ncompile cache, so that its first run, record "
          "or replay starts at once. Modules\nare built in parallel.\n"
          "\n"
          "Options:\n"
          "  -j, --jobs N            Build at most N modules at a time "
          "(default: the\n"
          "                          number of processors)\n"
          "%s"
          "  -h, --help              Print this help\n"
          "\n"
          "Exit status: 0 all built; 126 a module cannot run (not "
          "WebAssembly, ...);\n125 anything else failed (the messages "
          "say which module and why).\n",
          WT_CLI_COMPILE_HELP);
}

/* Builds one module in a child process; its exit status says how it went. */
static int build_one(const char *path, const wt_rt_config_t *cfg) {
  char err[8192];
  wt_module_t *m;
  wt_module_info_t info;
  switch (wt_module_load(path, cfg, &m, err, sizeof err)) {
  case WT_RT_OK:
    wt_module_info(m, &info);
    printf("%s: %s (%s)\n", path,
           info.cache_hit ? "already cached" : "compiled",
           info.tier == WT_RT_TIER_FAST ? "fast tier" : "optimized tier");
    fflush(stdout);
    wt_module_close(m);
    return 0;
  case WT_RT_EMODULE:
    wt_cli_error("cannot compile %s: %s", path, err);
    return WT_EXIT_MODULE;
  default:
    wt_cli_error("%s: %s", path, err);
    return WT_EXIT_TOOL;
  }
}

/* Waits for one child; folds its status into *worst. */
static void reap(int *worst) {
  int status, code;
  while (wait(&status) < 0)
    if (errno != EINTR)
      return;
  code = WIFEXITED(status) ? WEXITSTATUS(status) : WT_EXIT_TOOL;
  /* 125 (tool) outranks 126 (module): it may hide a broken setup. */
  if (code == WT_EXIT_TOOL || (code != 0 && *worst == 0))
    *worst = code;
}

static int parse(int argc, char **argv, wt_rt_config_t *cfg, long *jobs) {
  static const struct option options[] = {
      {"jobs", required_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      WT_CLI_COMPILE_OPTIONS,
      {0}};
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "+j:O:h", options, NULL)) != -1) {
    char *end;
    int r;
    if (c == 'h') {
      usage(stdout);
      return 1;
    }
    if (c == 'j') {
      *jobs = strtol(optarg, &end, 10);
      if (end == optarg || *end != '\0' || *jobs < 1) {
        wt_cli_error("--jobs wants a number of at least 1, not '%s'", optarg);
        return -1;
      }
      continue;
    }
    if ((r = wt_cli_compile_option(cfg, c, optarg)) > 0)
      continue;
    if (r == 0)
      wt_cli_bad_option(argv, "+j:O:h", options, usage, "compile");
    return -1;
  }
  if (optind >= argc) {
    wt_cli_error("no module given (see 'wasitrace compile --help')");
    return -1;
  }
  return 0;
}

int wt_cli_compile(int argc, char **argv) {
  wt_rt_config_t cfg;
  long jobs = sysconf(_SC_NPROCESSORS_ONLN), running = 0;
  int worst = 0, st;
  wt_cli_rt_config_init(&cfg);
  cfg.tier = WT_RT_TIER_OPTIMIZED;
  if ((st = parse(argc, argv, &cfg, &jobs)) != 0)
    return st > 0 ? 0 : WT_EXIT_TOOL;
  if (cfg.tier == WT_RT_TIER_AUTO) /* nothing runs: build what lasts */
    cfg.tier = WT_RT_TIER_OPTIMIZED;
  if (cfg.no_cache) {
    wt_cli_error("--no-cache makes no sense here: compile fills the cache");
    return WT_EXIT_TOOL;
  }
  cfg.progress = NULL; /* parallel builds: one line per module instead */
  fflush(NULL);
  for (int i = optind; i < argc; i++) {
    pid_t pid;
    if (running >= (jobs > 0 ? jobs : 1)) {
      reap(&worst);
      running--;
    }
    if ((pid = fork()) < 0) {
      wt_cli_error("cannot start a build: %s", strerror(errno));
      worst = WT_EXIT_TOOL;
      break;
    }
    if (pid == 0)
      _exit(build_one(argv[i], &cfg));
    running++;
  }
  while (running-- > 0)
    reap(&worst);
  return worst;
}
