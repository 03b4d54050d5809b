/*
 * wasitrace run: options in the style of wasmtime's CLI, then load the
 * module, make a core instance, run, and turn the end into an exit status.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "escapes.h"
#include "wat.h"
#include "strace.h"
#include "wt/runtime.h"

extern char **environ;

enum { OPT_DIR = 256, OPT_ENV, OPT_INHERIT_ENV, OPT_TCPLISTEN };

static const struct option long_options[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"env", required_argument, NULL, OPT_ENV},
    {"inherit-env", no_argument, NULL, OPT_INHERIT_ENV},
    {"tcplisten", required_argument, NULL, OPT_TCPLISTEN},
    WT_CLI_COMPILE_OPTIONS,
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

const char wt_cli_run_options_help[] =
    "  --dir HOST[::GUEST]     Preopen host directory HOST as GUEST "
    "(default: HOST)\n"
    "                          for the guest; repeatable\n"
    "  --env NAME=VALUE        Set a guest environment variable; "
    "--env NAME copies\n"
    "                          the host's value; repeatable\n"
    "  --inherit-env           Start from the host's environment "
    "(--env options\n"
    "                          apply on top)\n"
    "  --tcplisten HOST:PORT   Preopen a listening TCP socket "
    "(port 0: any free\n"
    "                          port); repeatable\n" WT_CLI_COMPILE_HELP
    "  -v, --verbose           Report loading and compiling on "
    "stderr\n"
    "  -h, --help              Print this help\n";

_Static_assert(WT_CLI_OPT_CALL_DEPTH < WT_CLI_OPT_LAYER,
               "compile options must not be taken for a layer's");
_Static_assert(WT_RT_DEFAULT_OPT_LEVEL == '1',
               "WT_CLI_COMPILE_HELP names the default -O level");

int wt_cli_compile_option(wt_rt_config_t *cfg, int opt, const char *arg) {
  switch (opt) {
  case 'O':
    if (strlen(arg) != 1 || strchr("0123s", arg[0]) == NULL) {
      wt_cli_error("--opt-level wants 0, 1, 2, 3 or s, not '%s'", arg);
      return -1;
    }
    cfg->opt_level = arg[0];
    return 1;
  case WT_CLI_OPT_BOUNDS:
    cfg->memcheck = WT_RT_MEMCHECK_BOUNDS;
    return 1;
  case WT_CLI_OPT_GUARD:
    cfg->memcheck = WT_RT_MEMCHECK_GUARD;
    return 1;
  case WT_CLI_OPT_NO_CACHE:
    cfg->no_cache = true;
    return 1;
  case WT_CLI_OPT_COMPILE_TIMEOUT: {
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (end == arg || *end != '\0' || arg[0] == '-' || v >= WT_RT_NO_TIMEOUT) {
      wt_cli_error("--compile-timeout wants a number of seconds (0: no "
                   "limit), not '%s'",
                   arg);
      return -1;
    }
    cfg->compile_timeout_s = v == 0 ? WT_RT_NO_TIMEOUT : (unsigned)v;
    return 1;
  }
  case WT_CLI_OPT_CALL_DEPTH: {
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (end == arg || *end != '\0' || arg[0] == '-' || v == 0 ||
        v > 100000000) {
      wt_cli_error("--max-call-depth wants a number from 1 to 100000000, "
                   "not '%s'",
                   arg);
      return -1;
    }
    cfg->max_call_depth = (uint32_t)v;
    return 1;
  }
  case WT_CLI_OPT_TIER:
    if (strcmp(arg, "auto") == 0)
      cfg->tier = WT_RT_TIER_AUTO;
    else if (strcmp(arg, "fast") == 0)
      cfg->tier = WT_RT_TIER_FAST;
    else if (strcmp(arg, "optimized") == 0)
      cfg->tier = WT_RT_TIER_OPTIMIZED;
    else {
      wt_cli_error("--tier wants auto, fast or optimized, not '%s'", arg);
      return -1;
    }
    return 1;
  default:
    return 0;
  }
}

/*
 * A build step that runs long says so on stderr: on a terminal after a
 * second, one line kept up to date; elsewhere (logs, scripts that check
 * stderr) after ten seconds, one line then and one when it ends.
 */
static void progress(void *ud, const wt_rt_progress_t *p) {
  static bool shown;
  bool tty = isatty(STDERR_FILENO);
  (void)ud;
  if (p->done) {
    if (shown)
      fprintf(stderr, "%swasitrace: %s took %.0f s\n", tty ? "\r\033[K" : "",
              p->step, p->seconds);
    shown = false;
    return;
  }
  if ((shown || p->seconds < 10) && !tty)
    return;
  fprintf(stderr,
          "%swasitrace: %s the module (%u functions, %.1f MB) with %s: "
          "%.0f s%s",
          tty ? "\r\033[K" : "", p->step, p->functions,
          (double)p->module_bytes / 1e6, p->tool, p->seconds,
          tty ? "" : " so far (large modules take minutes)\n");
  shown = true;
}

void wt_cli_rt_config_init(wt_rt_config_t *cfg) {
  wt_rt_config_init(cfg);
  cfg->tier = WT_RT_TIER_AUTO;
  cfg->cc = getenv("WASITRACE_CC");
  cfg->tcc = getenv("WASITRACE_TCC");
  cfg->progress = progress;
}

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace run [OPTIONS] MODULE.wasm [--] [ARGS...]\n"
          "\n"
          "Runs a WASI command module (its _start). ARGS go to the guest, "
          "whose argv[0]\nis MODULE as given. The guest shares wasitrace's "
          "stdin, stdout and stderr.\n"
          "\n"
          "Options:\n"
          "%s"
          "\n"
          "Compiled modules are cached in $XDG_CACHE_HOME/wasitrace "
          "(~/.cache/wasitrace);\nsee 'wasitrace cache --help'. "
          "WASITRACE_CC names the C compiler (default cc).\n"
          "\n%s",
          wt_cli_run_options_help, wt_cli_exit_help);
}

typedef struct run_opts_s {
  wt_rt_config_t cfg;
  wt_preopen_t dirs[64];
  uint32_t ndirs;
  wt_preopen_socket_t socks[16];
  uint32_t nsocks;
  /* Guest environment: "NAME=VALUE" strings, NULL-terminated. */
  char **env;
  size_t nenv;
  bool verbose;
} run_opts_t;

/* Sets NAME=VALUE in the guest environment, replacing an earlier NAME. */
static bool env_put(run_opts_t *o, const char *entry) {
  size_t name_len = strcspn(entry, "=");
  char **grown;
  for (size_t i = 0; i < o->nenv; i++)
    if (strncmp(o->env[i], entry, name_len) == 0 &&
        o->env[i][name_len] == '=') {
      o->env[i] = (char *)entry;
      return true;
    }
  grown = realloc(o->env, (o->nenv + 2) * sizeof *o->env);
  if (grown == NULL)
    return false;
  o->env = grown;
  o->env[o->nenv++] = (char *)entry;
  o->env[o->nenv] = NULL;
  return true;
}

/* --env NAME=VALUE, or --env NAME for the host's value (skipped if unset). */
static bool env_option(run_opts_t *o, const char *arg) {
  size_t len = strlen(arg);
  if (arg[0] == '=' || arg[0] == '\0') {
    wt_cli_error("--env wants NAME=VALUE or NAME, not '%s'", arg);
    return false;
  }
  if (strchr(arg, '=') != NULL)
    return env_put(o, arg);
  for (char **e = environ; *e != NULL; e++)
    if (strncmp(*e, arg, len) == 0 && (*e)[len] == '=')
      return env_put(o, *e);
  return true;
}

static bool dir_option(run_opts_t *o, char *arg) {
  char *sep = strstr(arg, "::");
  if (o->ndirs == sizeof o->dirs / sizeof *o->dirs) {
    wt_cli_error("too many --dir options");
    return false;
  }
  if (sep != NULL)
    *sep = '\0';
  if (arg[0] == '\0' || (sep != NULL && sep[2] == '\0')) {
    wt_cli_error("--dir wants HOST or HOST::GUEST");
    return false;
  }
  o->dirs[o->ndirs].host_path = arg;
  o->dirs[o->ndirs].guest_path = sep != NULL ? sep + 2 : arg;
  o->ndirs++;
  return true;
}

static bool socket_option(run_opts_t *o, const char *arg) {
  if (o->nsocks == sizeof o->socks / sizeof *o->socks) {
    wt_cli_error("too many --tcplisten options");
    return false;
  }
  o->socks[o->nsocks].address = arg;
  o->socks[o->nsocks].host_fd = -1;
  o->nsocks++;
  return true;
}

/* One option; false on a usage error. */
static bool option(run_opts_t *o, int c, char *arg, int *help) {
  switch (c) {
  case OPT_DIR:
    return dir_option(o, arg);
  case OPT_ENV:
    return env_option(o, arg);
  case OPT_TCPLISTEN:
    return socket_option(o, arg);
  case OPT_INHERIT_ENV:
    for (char **e = environ; *e != NULL; e++)
      if (strchr(*e, '=') != NULL && !env_put(o, *e))
        return false;
    return true;
  case 'v':
    o->verbose = true;
    return true;
  case 'h':
    *help = 1;
    return true;
  default:
    return wt_cli_compile_option(&o->cfg, c, arg) > 0;
  }
}

/* run's options followed by the layer's, for getopt_long. */
static bool merge_options(const wt_cli_layer_t *layer, struct option *all,
                          size_t cap, char *shortopts, size_t short_cap) {
  size_t n = 0;
  for (const struct option *o = long_options; o->name != NULL; o++)
    all[n++] = *o;
  for (const struct option *o = layer != NULL ? layer->options : NULL;
       o != NULL && o->name != NULL && n + 1 < cap; o++)
    all[n++] = *o;
  all[n] = (struct option){NULL, 0, NULL, 0};
  return snprintf(shortopts, short_cap, "+O:vh%s",
                  layer != NULL && layer->shortopts ? layer->shortopts : "") <
         (int)short_cap;
}

/* Layer options: its short options and codes from WT_CLI_OPT_LAYER. */
static bool is_layer_option(const wt_cli_layer_t *layer, int c) {
  if (layer == NULL || layer->option == NULL)
    return false;
  if (c >= WT_CLI_OPT_LAYER)
    return true;
  return c > 0 && c < 256 && layer->shortopts != NULL &&
         strchr(layer->shortopts, c) != NULL;
}

/*
 * Parses options up to the module. --inherit-env applies where it stands,
 * so later --env options override inherited values. Options unknown to run
 * go to the layer.
 */
static int parse(run_opts_t *o, const wt_cli_layer_t *layer, int argc,
                 char **argv, int *help) {
  struct option all[64];
  char shortopts[64];
  const char *command = layer != NULL ? layer->command : "run";
  int c;
  if (!merge_options(layer, all, sizeof all / sizeof *all, shortopts,
                     sizeof shortopts))
    return -1;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
    if (c == '?' || c == ':') {
      wt_cli_bad_option(argv, shortopts, all,
                        layer != NULL ? layer->usage : usage, command);
      return -1;
    }
    if (!(is_layer_option(layer, c) ? layer->option(layer->ud, c, optarg)
                                    : option(o, c, optarg, help)))
      return -1;
  }
  return optind;
}

static void report_load(const char *path, const wt_module_t *m,
                        const run_opts_t *o) {
  wt_module_info_t info;
  const char *tier;
  wt_module_info(m, &info);
  tier = info.tier == WT_RT_TIER_FAST ? "fast tier (tcc)" : "optimized tier";
  if (info.cache_hit)
    fprintf(stderr, "wasitrace: %s: %s, cached %s (loaded in %.1f ms)\n",
            path, tier, info.so_path, info.load_ms);
  else
    fprintf(stderr,
            "wasitrace: %s: %s: wasm2c %.0f ms, %s %.0f ms%s, loaded in "
            "%.0f ms\n",
            path, tier, info.translate_ms,
            info.tier == WT_RT_TIER_FAST ? "tcc" : "cc", info.compile_ms, o->cfg.no_cache ? " (not cached)" : "",
            info.load_ms);
  if (info.background)
    fprintf(stderr, "wasitrace: %s: the optimized build goes on in the "
                    "background, for the next run\n",
            path);
}

/* Ends wasitrace with the host counterpart of a guest's signal. */
static int die_by_signal(uint8_t wasi_sig) {
  int sig = wt_rt_host_signal(wasi_sig);
  struct rlimit rl;
  sigset_t set;
  if (sig <= 0)
    return 128 + wasi_sig;
  fflush(stdout);
  fflush(stderr);
  /* A core dump would show wasitrace's state, not the guest's. */
  if (getrlimit(RLIMIT_CORE, &rl) == 0) {
    rl.rlim_cur = 0;
    setrlimit(RLIMIT_CORE, &rl);
  }
  signal(sig, SIG_DFL);
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
  return 128 + sig;
}

/* A trap's wasm frames, innermost first, numbered as wasmtime numbers
 * them. The names are printable ASCII (runtime/names.c). */
static void print_backtrace(const wt_rt_result_t *res) {
  if (res->frames_unavailable) {
    fprintf(stderr, "wasm backtrace: (backtrace unavailable at the fast "
                    "tier)\n");
    return;
  }
  if (res->nframes == 0)
    return;
  fprintf(stderr, "wasm backtrace:\n");
  for (uint32_t i = 0, run; i < res->nframes; i += run) {
    /* A recursion's frames once, with their count. */
    for (run = 1; i + run < res->nframes &&
                  res->frames[i + run].func == res->frames[i].func;
         run++)
      ;
    fprintf(stderr, "  %4u: %s\n", i, res->frames[i].name);
    if (run > 1)
      fprintf(stderr, "        ... %u more frames of %s\n", run - 1,
              res->frames[i].name);
  }
  if (res->frames_more)
    fprintf(stderr, "        ... (older frames not shown)\n");
}

int wt_cli_guest_status(const wt_rt_result_t *res) {
  switch (res->end) {
  case WT_RT_END_EXIT:
    return (int)(res->exit_code & 0xff);
  case WT_RT_END_TRAP:
    fflush(stdout);
    fprintf(stderr, "wasitrace: guest trapped: %s%s%s%s%s\n",
            wt_trap_string(res->trap), res->function[0] ? " in function '" : "",
            res->function, res->function[0] ? "'" : "",
            res->trap_in_init ? " (while instantiating)" : "");
    print_backtrace(res);
    return WT_EXIT_TRAP;
  case WT_RT_END_SIGNAL:
    return die_by_signal(res->signal);
  case WT_RT_END_HALTED: /* the layer that halted it said why */
    return WT_EXIT_TOOL;
  }
  return WT_EXIT_TOOL;
}

/* The guest's view of the options, for the layer. */
static void describe_guest(const run_opts_t *o, const char *path,
                           wt_module_t *m, int argc, char **argv,
                           wt_cli_guest_t *g) {
  memset(g, 0, sizeof *g);
  g->module_path = path;
  g->module = m;
  g->argc = (uint32_t)argc;
  g->argv = (const char *const *)argv;
  g->envp = (const char *const *)o->env;
  g->preopenc = o->ndirs;
  g->preopens = o->dirs;
  g->preopen_socketc = o->nsocks;
  g->preopen_sockets = o->socks;
  g->verbose = o->verbose;
}

/*
 * Makes the core instance, puts the layer over it and runs the guest.
 * Returns 0 when the guest ran (*res says how it ended) or an exit status.
 */
static int run_module(wt_cli_guest_t *g, const wt_cli_layer_t *layer,
                      wt_rt_result_t *res) {
  wt_options_t opts;
  const wt_api_t *api = wt_core_api();
  void *ctx;
  char err[1024];
  wt_rt_status_t rst;
  wt_cli_escapes_t *escapes = NULL;
  int status = 0;
  wt_options_init(&opts);
  opts.argc = g->argc;
  opts.argv = g->argv;
  opts.envp = g->envp;
  opts.preopenc = g->preopenc;
  opts.preopens = g->preopens;
  opts.preopen_socketc = g->preopen_socketc;
  opts.preopen_sockets = g->preopen_sockets;
  opts.proc_exit = wt_rt_proc_exit;
  opts.proc_exit_ud = g->module;
  opts.proc_raise = wt_rt_proc_raise;
  opts.proc_raise_ud = g->module;
  opts.signal_register = wt_rt_signal_register;
  opts.signal_handler = wt_rt_signal_handler;
  opts.signal_ud = g->module;
  if (wt_init(&opts, &g->core) != WT_ESUCCESS) {
    wt_cli_error("%s", wt_init_error());
    return WT_EXIT_TOOL;
  }
  ctx = g->core;
  if (layer != NULL && (status = layer->open(layer->ud, g, &api, &ctx)) != 0)
    goto out;
  /* Installed after the layer's guard (policy, tracer), which it chains
   * to, so that they still hear every refusal. */
  if (g->verbose)
    escapes = wt_cli_escapes_start(g->core);
  rst = wt_module_run(g->module, api, ctx, res, err, sizeof err);
  if (rst != WT_RT_OK) {
    wt_cli_error("%s", err);
    status = rst == WT_RT_EMODULE ? WT_EXIT_MODULE : WT_EXIT_TOOL;
  }
  if (layer != NULL) {
    int st = layer->close(layer->ud, status == 0 ? res : NULL);
    status = status != 0 ? status : st;
  }
  wt_cli_escapes_stop(escapes);
out:
  wt_destroy(g->core);
  g->core = NULL;
  return status;
}

/* Loads MODULE (shown as `shown`): 0, or the exit status after a
 * message. */
static int load(const char *path, const char *shown, const run_opts_t *o,
                wt_module_t **m) {
  char err[8192];
  switch (wt_module_load(path, &o->cfg, m, err, sizeof err)) {
  case WT_RT_OK:
    if (o->verbose)
      report_load(shown, *m, o);
    return 0;
  case WT_RT_EMODULE:
    wt_cli_error("cannot run %s: %s", shown, err);
    return WT_EXIT_MODULE;
  default:
    wt_cli_error("%s", err);
    return WT_EXIT_TOOL;
  }
}

int wt_cli_run_guest(int argc, char **argv, const wt_cli_layer_t *layer) {
  const char *command = layer != NULL ? layer->command : "run";
  run_opts_t o;
  wt_rt_result_t res;
  wt_cli_guest_t g;
  wt_module_t *m = NULL;
  static wt_cli_wat_t wat; /* large; one guest runs at a time */
  const char *path;
  int help = 0, first, status;
  memset(&wat, 0, sizeof wat);
  memset(&o, 0, sizeof o);
  wt_cli_rt_config_init(&o.cfg);
  first = parse(&o, layer, argc, argv, &help);
  if (first < 0 || help || first >= argc) {
    if (first >= 0 && !help)
      wt_cli_error("no module given (see 'wasitrace %s --help')", command);
    if (help)
      layer != NULL ? layer->usage(stdout) : usage(stdout);
    free(o.env);
    return help && first >= 0 ? 0 : WT_EXIT_TOOL;
  }
  /* WebAssembly text runs as the binary wat2wasm makes of it, which is
   * also what a recording embeds; the guest still sees the name given. */
  if ((layer != NULL && (status = layer->check(layer->ud, argv[first])) != 0) ||
      (wt_cli_is_wat(argv[first]) &&
       (status = wt_cli_wat_translate(argv[first], &wat)) != 0) ||
      (status = load(wat.wasm[0] ? wat.wasm : argv[first], argv[first], &o,
                     &m)) != 0) {
    wt_cli_wat_remove(&wat);
    free(o.env);
    return status;
  }
  path = wat.wasm[0] ? wat.wasm : argv[first];
  /* The guest's argv: MODULE then ARGS, without a separating "--". */
  describe_guest(&o, path, m, argc - first, argv + first, &g);
  if (first + 1 < argc && strcmp(argv[first + 1], "--") == 0) {
    argv[first + 1] = argv[first];
    describe_guest(&o, path, m, argc - first - 1, argv + first + 1, &g);
  }
  status = run_module(&g, layer, &res);
  wt_module_close(m);
  wt_cli_wat_remove(&wat);
  free(o.env);
  return status != 0 ? status : wt_cli_guest_status(&res);
}

void wt_cli_run_usage(FILE *f) {
  usage(f);
}

/* run is run_guest with the --strace layer (strace.c), idle without it. */
int wt_cli_run(int argc, char **argv) {
  return wt_cli_run_strace(argc, argv);
}
