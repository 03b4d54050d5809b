/*
 * wasitrace record: `wasitrace run` with the tracer between the guest and
 * the core, writing a trace (SQLite or JSON Lines).
 *
 * The stack is core -> tracer -> runtime: the tracer's table is what the
 * guest calls, and it observes the core instance's state transitions.
 *
 * SIGINT, SIGTERM and SIGHUP sent to wasitrace while the guest runs are
 * taken by a thread of our own (sigwait), not by the guest's thread: it
 * has the writer store every call completed so far, close the trace with
 * its end "incomplete" and "interrupted" set, and then ends wasitrace with
 * the same signal, so the shell sees 128+N as it would without a trace. A
 * second signal while that happens ends wasitrace at once; the trace then
 * still opens (SQLite's journal, whole JSON lines), with the calls committed
 * so far.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "policy_opts.h"
#include "strace.h"
#include "wt/sha256.h"
#include "wt/tracer.h"

enum {
  OPT_FORMAT = WT_CLI_OPT_LAYER,
  OPT_CAPTURE,
  OPT_FORCE,
  OPT_NO_MODULE,
  OPT_ON_RECORD_ERROR
};

static const struct option record_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"capture", required_argument, NULL, OPT_CAPTURE},
    {"force", no_argument, NULL, OPT_FORCE},
    {"no-module", no_argument, NULL, OPT_NO_MODULE},
    {"on-record-error", required_argument, NULL, OPT_ON_RECORD_ERROR},
    WT_CLI_STRACE_OPTIONS,
    WT_CLI_POLICY_OPTIONS,
    {NULL, 0, NULL, 0}};

typedef struct record_s {
  const char *output; /* -o, or NULL for a name of our own */
  char path[4096];    /* the trace being written */
  int format;         /* wt_trace_format_t, or -1: from the name */
  wt_capture_t capture;
  wt_on_record_error_t on_error;
  bool force, no_module, default_name, verbose;
  int argc; /* wasitrace's command line from `record` on (meta tool_argv) */
  char **argv;
  uint8_t *module;
  size_t module_len;
  wt_tracer_t *tracer;
  /* Stopping signals (see the top of the file). */
  sigset_t stop_signals, old_mask;
  pthread_t sig_thread;
  bool sig_started;
  pthread_mutex_t end_mu; /* held by whoever ends the trace */
  bool ended;
  _Atomic int pending; /* a signal the main thread must raise */
  wt_cli_strace_t strace; /* --strace: the calls printed as well */
  wt_cli_policy_t pol;    /* --policy: enforced under the tracer */
} record_t;

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace record [-o TRACE] [--format sqlite|jsonl] "
          "[--capture MODE]\n"
          "                        [RUN OPTIONS] MODULE.wasm [--] "
          "[ARGS...]\n"
          "\n"
          "Runs the guest as 'wasitrace run' does (same options, same exit "
          "status) and\nrecords every host call it makes, with its inputs, "
          "outputs and timing, into a\ntrace (docs/trace-format.md).\n"
          "\n"
          "Record options:\n"
          "  -o, --output TRACE      Write the trace to TRACE. An existing "
          "trace or empty\n"
          "                          file is replaced; another existing "
          "file needs --force.\n"
          "                          Default: "
          "wasitrace-MODULE-YYYYmmdd-HHMMSS.db in the\n"
          "                          working directory (never replacing "
          "a file), named on\n"
          "                          stderr at the end\n"
          "  --format FORMAT         sqlite or jsonl (default: jsonl if "
          "TRACE ends in .jsonl\n"
          "                          or .ndjson, else sqlite)\n"
          "  --capture MODE          What payload bytes to keep: replay "
          "(default: all bytes\n"
          "                          read, all of stdout/stderr, a digest "
          "and the first 64\n"
          "                          bytes of other writes), full (every "
          "byte), meta (sizes\n"
          "                          only)\n"
          "  --no-module             Do not store the module's bytes in the "
          "trace (its\n"
          "                          SHA-256 and size still are)\n"
          "  --force                 Replace TRACE even if it is not a "
          "trace\n"
          "  --on-record-error WHAT  When a call cannot be stored (disk "
          "full, ...): stop\n"
          "                          (default: the guest is halted before "
          "its next call\n"
          "                          takes effect) or continue (it runs "
          "on unrecorded);\n"
          "                          either way the reason is on stderr at "
          "once, the trace\n"
          "                          says it is incomplete and why, and "
          "the exit status is 125\n"
          "%s"
          "\n"
          "Run options:\n"
          "%s"
          "\n"
          "Policy (denials go into the trace):\n"
          "%s"
          "\n"
          "SIGINT, SIGTERM or SIGHUP stop the recording: the trace keeps "
          "every call\ncompleted so far and says it is incomplete; "
          "wasitrace then ends by the same\nsignal. If the trace cannot be "
          "written, wasitrace exits with 125.\n"
          "\n%s",
          WT_CLI_STRACE_HELP, wt_cli_run_options_help, WT_CLI_POLICY_HELP,
          wt_cli_exit_help);
}

/* ---- options ------------------------------------------------------------ */

static bool format_option(record_t *r, const char *arg) {
  if (strcmp(arg, "sqlite") == 0)
    r->format = WT_TRACE_SQLITE;
  else if (strcmp(arg, "jsonl") == 0)
    r->format = WT_TRACE_JSONL;
  else {
    wt_cli_error("--format wants sqlite or jsonl, not '%s'", arg);
    return false;
  }
  return true;
}

static bool capture_option(record_t *r, const char *arg) {
  if (wt_capture_parse(arg, &r->capture) == 0)
    return true;
  wt_cli_error("--capture wants replay, full or meta, not '%s'", arg);
  return false;
}

static bool record_option(void *ud, int c, const char *arg) {
  record_t *r = ud;
  switch (c) {
  case 'o':
    if (arg[0] == '\0') {
      wt_cli_error("-o wants a file name");
      return false;
    }
    r->output = arg;
    return true;
  case OPT_FORMAT:
    return format_option(r, arg);
  case OPT_CAPTURE:
    return capture_option(r, arg);
  case OPT_FORCE:
    r->force = true;
    return true;
  case OPT_NO_MODULE:
    r->no_module = true;
    return true;
  case OPT_ON_RECORD_ERROR:
    if (strcmp(arg, "stop") == 0 || strcmp(arg, "continue") == 0) {
      r->on_error = arg[0] == 's' ? WT_ON_RECORD_ERROR_STOP
                                  : WT_ON_RECORD_ERROR_CONTINUE;
      return true;
    }
    wt_cli_error("--on-record-error wants stop or continue, not '%s'", arg);
    return false;
  default: {
    int pr = wt_cli_policy_option(&r->pol, c, arg);
    if (pr != 0)
      return pr > 0;
    return wt_cli_strace_option(&r->strace, c, arg) > 0;
  }
  }
}

static int record_check(void *ud, const char *module_path) {
  record_t *r = ud;
  int st = wt_cli_policy_check(&r->pol);
  if (st != 0 || (st = wt_cli_strace_check(&r->strace)) != 0)
    return st;
  if (r->output == NULL)
    return 0;
  if (strcmp(r->output, "-") == 0) {
    wt_cli_error("-o -: the guest's stdout is its own; write the trace to a "
                 "file");
    return WT_EXIT_TOOL;
  }
  if (r->format < 0)
    r->format = wt_cli_format_of(r->output);
  if (!wt_cli_may_replace(r->output, module_path, r->force))
    return WT_EXIT_TOOL;
  snprintf(r->path, sizeof r->path, "%s", r->output);
  return 0;
}

/* ---- the default name --------------------------------------------------- */

/* MODULE's file name without directories and without .wasm. */
static void module_stem(const char *path, char *out, size_t size) {
  const char *base = strrchr(path, '/');
  size_t n;
  base = base != NULL ? base + 1 : path;
  n = strlen(base);
  if (n > 5 && strcmp(base + n - 5, ".wasm") == 0)
    n -= 5;
  if (n == 0) {
    base = "guest";
    n = 5;
  }
  snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), base);
}

/*
 * wasitrace-STEM-YYYYmmdd-HHMMSS.EXT in the working directory, with -2,
 * -3, ... added until the name is free. The file is created (O_EXCL) so a
 * second recording started in the same second cannot take it too.
 */
static int default_name(record_t *r, const char *module_path) {
  char stem[200], stamp[32];
  const char *ext = r->format == WT_TRACE_JSONL ? "jsonl" : "db";
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  module_stem(module_path, stem, sizeof stem);
  for (int k = 1; k < 1000; k++) {
    int fd;
    if (k == 1)
      snprintf(r->path, sizeof r->path, "wasitrace-%s-%s.%s", stem, stamp, ext);
    else
      snprintf(r->path, sizeof r->path, "wasitrace-%s-%s-%d.%s", stem, stamp, k,
               ext);
    fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      close(fd);
      r->default_name = true;
      return 0;
    }
    if (errno != EEXIST) {
      wt_cli_error("cannot create %s: %s", r->path, strerror(errno));
      return WT_EXIT_TOOL;
    }
  }
  wt_cli_error("no free trace name like %s in the working directory", r->path);
  return WT_EXIT_TOOL;
}

/* ---- stopping signals --------------------------------------------------- */

static const char *signal_name(int sig) {
  switch (sig) {
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  case SIGHUP:
    return "SIGHUP";
  default:
    return "signal";
  }
}

/* Ends wasitrace by sig, as if it had never been caught. */
static void die_now(int sig) {
  sigset_t set;
  signal(sig, SIG_DFL);
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
  _exit(128 + sig);
}

/*
 * The thread that takes the stopping signals. The first one ends the trace
 * (unless the main thread is ending it: it raises the signal afterwards);
 * a second one ends wasitrace at once.
 */
static void *signal_main(void *arg) {
  record_t *r = arg;
  /* A table of its own, holding stdio only: the guest's thread then has
   * the process's to itself, which spares its fd calls a reference count
   * each (wt_tracer_options_t.own_fd_table). */
  if (unshare(CLONE_FILES) == 0)
    close_range(3, ~0u, 0);
  for (;;) {
    int sig;
    if (sigwait(&r->stop_signals, &sig) != 0)
      continue;
    if (atomic_exchange(&r->pending, sig) != 0)
      die_now(sig);
    if (pthread_mutex_trylock(&r->end_mu) != 0)
      continue;
    if (!r->ended) {
      if (wt_tracer_interrupt(r->tracer, signal_name(sig)) < 0)
        wt_cli_error("%s: %s", r->path, wt_trace_error());
      else
        wt_cli_error("%s: recording stopped by %s; the trace is incomplete",
                     r->path, signal_name(sig));
    }
    die_now(sig);
  }
  return NULL;
}

/* Blocks the stopping signals in this thread (and the threads it starts). */
static void block_signals(record_t *r) {
  sigemptyset(&r->stop_signals);
  sigaddset(&r->stop_signals, SIGINT);
  sigaddset(&r->stop_signals, SIGTERM);
  sigaddset(&r->stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &r->stop_signals, &r->old_mask);
}

/* After the trace is complete: signals act as they would without it. */
static void restore_signals(record_t *r) {
  if (r->sig_started) {
    pthread_cancel(r->sig_thread);
    pthread_join(r->sig_thread, NULL);
    r->sig_started = false;
  }
  pthread_sigmask(SIG_SETMASK, &r->old_mask, NULL);
}

/* ---- the layer ---------------------------------------------------------- */

/* The module's bytes, checked against what the runtime loaded. */
static int read_module(record_t *r, const wt_cli_guest_t *g) {
  wt_module_info_t info;
  uint8_t digest[32];
  char err[512];
  if (!wt_cli_read_file(g->module_path, &r->module, &r->module_len, err,
                        sizeof err)) {
    wt_cli_error("%s", err);
    return WT_EXIT_TOOL;
  }
  wt_module_info(g->module, &info);
  wt_sha256(r->module, r->module_len, digest);
  if (memcmp(digest, info.sha256, sizeof digest) != 0) {
    wt_cli_error("%s changed while it was being loaded", g->module_path);
    return WT_EXIT_TOOL;
  }
  return 0;
}

static int open_sink(record_t *r, wt_sink_t **sink) {
  int rc = r->format == WT_TRACE_JSONL ? wt_sink_jsonl_open(r->path, sink)
                                       : wt_sink_sqlite_open(r->path, sink);
  if (rc < 0) {
    wt_cli_error("%s", wt_trace_error());
    return WT_EXIT_TOOL;
  }
  return 0;
}

/* The writer thread's word that a call could not be stored: at once. */
static void report_error(void *ud, const char *message) {
  const record_t *r = ud;
  wt_cli_error("%s: %s", r->path, message);
}

static void tracer_options(record_t *r, const wt_cli_guest_t *g,
                           wt_tracer_options_t *o) {
  wt_module_info_t info;
  wt_module_info(g->module, &info);
  wt_cli_tracer_options(g, o);
  o->capture = r->capture;
  o->module = r->module;
  o->module_len = r->module_len;
  o->store_module = !r->no_module;
  o->tool_argc = (uint32_t)r->argc;
  o->tool_argv = (const char *const *)r->argv;
  o->memory_check = info.guard_pages ? "guard" : "bounds";
  o->compile_tier = info.tier == WT_RT_TIER_FAST ? "fast" : "optimized";
  o->on_record_error = r->on_error;
  o->halt = wt_rt_halt;
  o->halt_ud = g->module;
  o->report = report_error;
  o->report_ud = r;
}

static int record_open(void *ud, const wt_cli_guest_t *g, const wt_api_t **api,
                       void **ctx) {
  record_t *r = ud;
  wt_tracer_options_t o;
  wt_sink_t *sink;
  int st;
  if (r->format < 0)
    r->format = WT_TRACE_SQLITE;
  if ((st = read_module(r, g)) != 0 ||
      (r->output == NULL && (st = default_name(r, g->module_path)) != 0))
    return st;
  /* The audit trail out of the audited program's reach. */
  if ((st = wt_cli_refuse_inside(r->path, "trace", g)) != 0) {
    if (r->default_name)
      unlink(r->path);
    return st;
  }
  /* Blocked before the trace exists, so a signal can only find it whole;
   * the writer thread inherits the mask. */
  block_signals(r);
  if ((st = open_sink(r, &sink)) != 0)
    goto fail;
  if (r->strace.on &&
      (st = wt_cli_strace_sink(&r->strace, g, sink, &sink)) != 0) {
    wt_sink_close(sink);
    goto fail;
  }
  tracer_options(r, g, &o);
  r->verbose = g->verbose;
  /* abi -> tracer -> policy -> core: the trace holds the denials. */
  *api = wt_core_api();
  *ctx = g->core;
  if ((st = wt_cli_policy_open(&r->pol, g, api, ctx)) != 0) {
    wt_sink_close(sink);
    goto fail;
  }
  if (wt_tracer_open(*api, *ctx, sink, &o, &r->tracer) < 0) {
    wt_cli_error("%s: %s", r->path, wt_trace_error());
    wt_sink_close(sink);
    st = WT_EXIT_TOOL;
    goto fail;
  }
  /* Without the thread, the signals must not stay blocked: they then end
   * wasitrace as they would without a trace. */
  if (pthread_create(&r->sig_thread, NULL, signal_main, r) == 0)
    r->sig_started = true;
  else
    pthread_sigmask(SIG_SETMASK, &r->old_mask, NULL);
  r->pol.tracer = r->tracer;
  *api = wt_tracer_api();
  *ctx = r->tracer;
  return 0;
fail:
  if (r->default_name)
    unlink(r->path);
  restore_signals(r);
  return st;
}

static int record_close(void *ud, const wt_rt_result_t *res) {
  record_t *r = ud;
  wt_trace_end_t end = wt_cli_trace_end(res);
  uint64_t calls = wt_tracer_calls(r->tracer);
  wt_tracer_ring_stats_t ring;
  int rc, sig;
  wt_tracer_ring_stats(r->tracer, &ring);
  pthread_mutex_lock(&r->end_mu);
  rc = wt_tracer_finish(r->tracer, &end);
  r->tracer = NULL;
  r->ended = true;
  pthread_mutex_unlock(&r->end_mu);
  wt_cli_strace_close(&r->strace);
  wt_cli_policy_close(&r->pol);
  if (rc < 0)
    wt_cli_error("%s: %s", r->path, wt_trace_error());
  else if (r->default_name || r->verbose)
    wt_cli_error("recorded %llu call%s to %s", (unsigned long long)calls,
                 calls == 1 ? "" : "s", r->path);
  /* A user must know when recording slowed the guest down. */
  if (rc >= 0 && r->verbose)
    wt_cli_error("the guest waited for the trace writer %llu time%s "
                 "(%.1f ms in all; ring of %llu MiB)",
                 (unsigned long long)ring.waits, ring.waits == 1 ? "" : "s",
                 (double)ring.wait_ns / 1e6,
                 (unsigned long long)(ring.size >> 20));
  /* A signal that came while the trace was being finished. */
  if ((sig = atomic_load(&r->pending)) != 0)
    die_now(sig);
  restore_signals(r);
  return rc < 0 ? WT_EXIT_TOOL : 0;
}

/* The command line as given, "wasitrace" first: the option parser writes
 * into argv's strings (HOST::GUEST is split in place). Without memory the
 * trace simply has no tool_argv. */
static void keep_argv(record_t *r, int argc, char **argv) {
  if ((r->argv = calloc((size_t)argc + 2, sizeof *r->argv)) == NULL)
    return;
  r->argv[0] = "wasitrace";
  for (r->argc = 1; r->argc <= argc; r->argc++)
    if ((r->argv[r->argc] = strdup(argv[r->argc - 1])) == NULL)
      break;
}

int wt_cli_record(int argc, char **argv) {
  record_t r;
  wt_cli_layer_t layer = {
      "record",     record_options, "o:" WT_CLI_STRACE_SHORTOPTS, usage,
      record_option,
      record_check, record_open,    record_close, &r};
  int status;
  memset(&r, 0, sizeof r);
  keep_argv(&r, argc, argv);
  r.format = -1;
  r.capture = WT_CAPTURE_REPLAY;
  wt_cli_strace_init(&r.strace);
  wt_cli_policy_init(&r.pol);
  pthread_mutex_init(&r.end_mu, NULL);
  atomic_init(&r.pending, 0);
  status = wt_cli_run_guest(argc, argv, &layer);
  for (int i = 1; r.argv != NULL && i < r.argc; i++)
    free(r.argv[i]);
  free(r.argv);
  free(r.module);
  pthread_mutex_destroy(&r.end_mu);
  return status;
}
