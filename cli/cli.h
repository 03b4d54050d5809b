/*
 * The wasitrace command: shared declarations of the subcommands.
 */
#ifndef WT_CLI_H
#define WT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "wt/runtime.h"
#include "wt/tracer.h"

/* Exit statuses of the tool itself (the guest's own codes pass through). */
#define WT_EXIT_TOOL 125   /* wasitrace failed: usage, files, compiler */
#define WT_EXIT_MODULE 126 /* the module cannot run */
#define WT_EXIT_TRAP 134   /* the guest trapped */
/* replay (docs/replay.md): below 125, clear of the codes shells and
 * timeout(1) (124) give a meaning to. */
#define WT_EXIT_DIVERGED 120   /* the guest diverged from the trace */
#define WT_EXIT_INCOMPLETE 121 /* it went on past an incomplete trace */

/*
 * A subcommand: argv[0] is the subcommand's name; returns the exit status
 * (or does not return, for a guest that raised a signal).
 */
typedef int (*wt_cli_main_t)(int argc, char **argv);

int wt_cli_run(int argc, char **argv);
int wt_cli_record(int argc, char **argv);
int wt_cli_export(int argc, char **argv);
int wt_cli_replay(int argc, char **argv);
int wt_cli_cache(int argc, char **argv);
int wt_cli_view(int argc, char **argv);
int wt_cli_stats(int argc, char **argv);
int wt_cli_compile(int argc, char **argv);
int wt_cli_audit(int argc, char **argv);

/* "wasitrace: <message>" on stderr. */
void wt_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * After getopt_long returned '?' or ':' (with opterr = 0): says what is
 * wrong with argv[optind - 1], naming a missing value as the command's
 * --help does ("option --dir needs HOST[::GUEST]"). `usage` prints that
 * help; `shortopts` and `longopts` are what getopt_long was given.
 */
void wt_cli_bad_option(char **argv, const char *shortopts,
                       const struct option *longopts, void (*usage)(FILE *f),
                       const char *command);

/* The exit-status table printed by --help. */
extern const char wt_cli_exit_help[];
/* The options of `wasitrace run`, as --help prints them (record too). */
extern const char wt_cli_run_options_help[];

/*
 * How the guest is compiled: options every command that runs a guest
 * takes (run, record, replay). Their getopt entries go into the command's
 * table with WT_CLI_COMPILE_OPTIONS, their help text is
 * WT_CLI_COMPILE_HELP. Their codes sit between the commands' own (from
 * 256) and layers' (WT_CLI_OPT_LAYER).
 */
enum {
  WT_CLI_OPT_BOUNDS = 512,
  WT_CLI_OPT_GUARD,
  WT_CLI_OPT_NO_CACHE,
  WT_CLI_OPT_COMPILE_TIMEOUT,
  WT_CLI_OPT_TIER,
  WT_CLI_OPT_CALL_DEPTH
};
/* clang-format off */
#define WT_CLI_COMPILE_OPTIONS                                                 \
  {"opt-level", required_argument, NULL, 'O'},                                 \
  {"bounds-checks", no_argument, NULL, WT_CLI_OPT_BOUNDS},                     \
  {"guard-pages", no_argument, NULL, WT_CLI_OPT_GUARD},                        \
  {"no-cache", no_argument, NULL, WT_CLI_OPT_NO_CACHE},                        \
  {"compile-timeout", required_argument, NULL, WT_CLI_OPT_COMPILE_TIMEOUT},    \
  {"tier", required_argument, NULL, WT_CLI_OPT_TIER},                          \
  {"max-call-depth", required_argument, NULL, WT_CLI_OPT_CALL_DEPTH}
/* clang-format on */
#define WT_CLI_COMPILE_HELP                                                    \
  "  --tier auto|fast|optimized\n"                                             \
  "                          How to compile the guest: fast (TinyCC: starts\n" \
  "                          at once, runs slower), optimized (the C\n"        \
  "                          compiler: waits, runs near native speed), or\n"  \
  "                          auto (default: optimized if cached, else fast\n" \
  "                          now and optimized in the background)\n"         \
  "  -O, --opt-level LEVEL   C optimisation of the optimized tier: 0, 1, 2,\n" \
  "                          3 or s (default 1)\n"                             \
  "  --bounds-checks         Check every guest memory access explicitly "      \
  "instead of\n"                                                               \
  "                          using guard pages (the default on 64-bit "        \
  "hosts)\n"                                                                   \
  "  --guard-pages           Use guard pages even where bounds checks are "    \
  "the\n"                                                                      \
  "                          default (sanitizer builds)\n"                     \
  "  --no-cache              Compile into a temporary directory, removed "     \
  "afterwards\n"                                                               \
  "  --max-call-depth N      Let wasm calls nest N deep before the guest\n"   \
  "                          traps (default 100000)\n"                        \
  "  --compile-timeout SECONDS\n"                                               \
  "                          Give up building a module whose translation or\n" \
  "                          compilation takes longer (default 600; 0: no\n"   \
  "                          limit); exit 126\n"
/* 1: opt was a compile option, applied to cfg; 0: it is not one; -1: a
   bad value (reported). */
int wt_cli_compile_option(wt_rt_config_t *cfg, int opt, const char *arg);

/*
 * The runtime configuration every command that runs a guest starts from:
 * the defaults, the auto tier, WASITRACE_CC and WASITRACE_TCC, and build
 * progress on stderr.
 */
void wt_cli_rt_config_init(wt_rt_config_t *cfg);

/* ---- running a guest, shared by run and record --------------------------- */

/* What a layer needs to know about the guest it is put over. */
typedef struct wt_cli_guest_s {
  const char *module_path; /* as given on the command line */
  wt_module_t *module;
  wt_t *core; /* the instance at the bottom of the stack */
  uint32_t argc;
  const char *const *argv;
  const char *const *envp; /* NULL-terminated */
  uint32_t preopenc;
  const wt_preopen_t *preopens;
  uint32_t preopen_socketc;
  const wt_preopen_socket_t *preopen_sockets;
  bool verbose; /* -v */
} wt_cli_guest_t;

/*
 * A command built on `wasitrace run` (record): its own options, parsed
 * together with run's, and a layer it puts between the guest and the core.
 * Every callback gets `ud`.
 */
/* Long options of a layer use codes from here (or short option letters). */
#define WT_CLI_OPT_LAYER 1024

typedef struct wt_cli_layer_s {
  const char *command;          /* "record", for messages */
  const struct option *options; /* extra long options, {0}-terminated */
  const char *shortopts;        /* extra short options ("o:") */
  void (*usage)(FILE *f);       /* the command's whole --help text */
  /* One extra option; false after printing why it is wrong. */
  bool (*option)(void *ud, int c, const char *arg);
  /*
   * Before the module loads: checks the options against MODULE and
   * returns 0 or an exit status (after printing why).
   */
  int (*check)(void *ud, const char *module_path);
  /*
   * Once the module is loaded and the core instance made: sets *api and
   * *ctx to the table the guest calls. Returns 0 or an exit status.
   */
  int (*open)(void *ud, const wt_cli_guest_t *g, const wt_api_t **api,
              void **ctx);
  /*
   * After the guest ended (res), or could not be started (res NULL),
   * before the end is turned into an exit status (a guest's signal is
   * raised on wasitrace after this). Returns 0 or an exit status that
   * replaces the guest's.
   */
  int (*close)(void *ud, const wt_rt_result_t *res);
  void *ud;
} wt_cli_layer_t;

/*
 * Parses run's options (and the layer's), loads MODULE, makes the core
 * instance, puts the layer (if any) over it, runs the guest and returns
 * its exit status as `wasitrace run` does.
 */
/*
 * Files wasitrace writes while a guest runs (the trace, --strace's, the
 * denials) must be out of the guest's reach: 0 when `path` is outside
 * every preopened directory, else WT_EXIT_TOOL after saying so (`what`
 * names the file: "trace", "--strace file").
 */
int wt_cli_refuse_inside(const char *path, const char *what,
                         const wt_cli_guest_t *g);

/* Tracer options initialised and filled with what `g` says of the guest
 * (its module name, argv, environment, preopens, the core under it). */
void wt_cli_tracer_options(const wt_cli_guest_t *g, wt_tracer_options_t *o);

int wt_cli_run_guest(int argc, char **argv, const wt_cli_layer_t *layer);

/*
 * The exit status for how a guest ended: its exit code, WT_EXIT_TRAP after
 * a one-line trap message on stderr, or (for a terminating signal) the tool
 * dies of the matching host signal. Shared by run, record and replay so a
 * replay ends exactly as the recorded run did.
 */
int wt_cli_guest_status(const wt_rt_result_t *res);

/*
 * When another process is still recording the trace at path: says so
 * ("PATH is still being recorded by process N: what") and returns true.
 */
bool wt_cli_still_recorded(const char *path, const char *what);

/* How a run ended, for wt_tracer_finish; res NULL: incomplete. */
wt_trace_end_t wt_cli_trace_end(const wt_rt_result_t *res);

/* ---- trace files, shared by record and export ---------------------------- */

/* The format a trace name asks for: JSON Lines for .jsonl / .ndjson. */
int wt_cli_format_of(const char *path);

/*
 * Whether `path` may be (re)created as a trace: yes if it does not exist,
 * is empty, is a trace already, is not a regular file (a pipe), or `force`;
 * never when it is `input` itself (the same file). Prints why not.
 */
bool wt_cli_may_replace(const char *path, const char *input, bool force);

/* Reads a whole file into *data (malloc'ed); false with a message in err. */
bool wt_cli_read_file(const char *path, uint8_t **data, size_t *len, char *err,
                      size_t err_size);

#endif /* WT_CLI_H */
