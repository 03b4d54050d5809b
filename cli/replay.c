/*
 * wasitrace replay: re-executes a recorded guest from its trace.
 *
 * The stack is replay -> runtime: no core instance, so no file, clock,
 * random, socket or event operation happens; every result comes from the
 * trace. The module is the trace's own copy unless one is given (which
 * must have the recorded SHA-256 unless --force). With --verify the stack
 * is front -> tracer -> replay, recording the replay into a second trace
 * that is then compared with the first call for call.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "wt/replay.h"
#include "wt/sha256.h"

enum { OPT_FORCE = 256, OPT_ON_DIVERGENCE, OPT_VERIFY, OPT_HISTORY };

static const struct option long_options[] = {
    {"force", no_argument, NULL, OPT_FORCE},
    {"quiet", no_argument, NULL, 'q'},
    {"on-divergence", required_argument, NULL, OPT_ON_DIVERGENCE},
    {"verify", optional_argument, NULL, OPT_VERIFY},
    {"history", required_argument, NULL, OPT_HISTORY},
    WT_CLI_COMPILE_OPTIONS,
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace replay [OPTIONS] TRACE [MODULE.wasm]\n"
          "\n"
          "Re-executes the guest recorded in TRACE (SQLite or JSON Lines). "
          "Every host call\nthe guest makes is answered from the trace "
          "after checking that the guest asked\nfor the same thing: no "
          "file, clock, random, socket or event operation happens,\nso the "
          "original preopened directories and inputs are not needed. What "
          "the guest\nwrote to its stdout and stderr is written again to "
          "ours. The module is the\ntrace's own copy unless MODULE is "
          "given.\n"
          "\n"
          "Options:\n"
          "  --force                 Replay MODULE even though its SHA-256 "
          "is not the\n"
          "                          recorded one\n"
          "  -q, --quiet             Do not write the guest's stdout and "
          "stderr\n"
          "  --on-divergence=MODE    stop (default): end at the first call "
          "that does not\n"
          "                          match the trace; report: count them, "
          "go on where the\n"
          "                          guest's calls match again, summarize "
          "at the end\n"
          "  --verify[=TRACE2]       Record the replay into a second trace "
          "(kept at TRACE2\n"
          "                          if given) and check that it equals "
          "TRACE call for call\n"
          "  --history N             Calls shown before a divergence "
          "(default 5)\n" WT_CLI_COMPILE_HELP
          "  -v, --verbose           Report loading and the replay's "
          "outcome on stderr\n"
          "  -h, --help              Print this help\n"
          "\n"
          "A divergence is reported on stderr: where (the guest's call and "
          "the trace's\nseq), the recorded and the actual call, which "
          "arguments differ (for bytes:\nthe first differing offset and an "
          "excerpt of both) and the calls before it.\nSee docs/replay.md.\n"
          "\n"
          "Exit status of a replay: the recorded guest's own (exit code, "
          "trap 134, signal),\nreproduced; %d when it diverged from the "
          "trace (or --verify found a\ndifference); %d when the trace is "
          "incomplete and the guest went on past its\nend; 125 when "
          "wasitrace failed (a corrupt trace included) or refused the\n"
          "module; 126 when the module cannot run.\n",
          WT_EXIT_DIVERGED, WT_EXIT_INCOMPLETE);
}

typedef struct replay_cli_s {
  wt_rt_config_t cfg;
  wt_replay_options_t ro;
  bool force, quiet, verbose, verify;
  const char *verify_path; /* --verify=PATH, or NULL */
  const char *trace;
  const char *module_path; /* MODULE, or NULL: the trace's copy */
  char tmp_dir[4096];      /* temporary files; "" for none */
  char again[4200];        /* the --verify trace */
  wt_module_t *m;          /* for the hooks */
  wt_replay_t *r;
} replay_cli_t;

/* ---- options ------------------------------------------------------------ */

static bool option(replay_cli_t *c, int opt, const char *arg) {
  char *end;
  switch (opt) {
  case OPT_FORCE:
    c->force = true;
    return true;
  case 'q':
    c->quiet = true;
    return true;
  case OPT_ON_DIVERGENCE:
    if (strcmp(arg, "stop") == 0 || strcmp(arg, "report") == 0) {
      c->ro.on_divergence = arg[0] == 's' ? WT_REPLAY_STOP : WT_REPLAY_REPORT;
      return true;
    }
    wt_cli_error("--on-divergence wants stop or report, not '%s'", arg);
    return false;
  case OPT_VERIFY:
    c->verify = true;
    c->verify_path = arg;
    return true;
  case OPT_HISTORY:
    c->ro.history = (uint32_t)strtoul(arg, &end, 10);
    if (*arg != '\0' && *end == '\0' && c->ro.history > 0 &&
        c->ro.history <= 1000)
      return true;
    wt_cli_error("--history wants a number from 1 to 1000, not '%s'", arg);
    return false;
  case 'v':
    c->verbose = true;
    return true;
  default:
    return wt_cli_compile_option(&c->cfg, opt, arg) > 0;
  }
}

/* 0 to go on, 1 after --help, or an exit status. */
static int parse(replay_cli_t *c, int argc, char **argv) {
  int opt, help = 0;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "qO:vh", long_options, NULL)) != -1) {
    if (opt == 'h') {
      help = 1;
    } else if (opt == '?' || opt == ':') {
      wt_cli_bad_option(argv, "qO:vh", long_options, usage, "replay");
      return WT_EXIT_TOOL;
    } else if (!option(c, opt, optarg)) {
      return WT_EXIT_TOOL;
    }
  }
  if (help) {
    usage(stdout);
    return 1;
  }
  if (optind >= argc || argc - optind > 2) {
    wt_cli_error(optind >= argc ? "no trace given (see 'wasitrace replay "
                                  "--help')"
                                : "too many arguments: TRACE [MODULE.wasm]");
    return WT_EXIT_TOOL;
  }
  c->trace = argv[optind];
  c->module_path = optind + 1 < argc ? argv[optind + 1] : NULL;
  return 0;
}

/* ---- the module --------------------------------------------------------- */

static const char *meta_text(wt_trace_t *t, const char *key) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, key);
  return m != NULL && m->type == WT_META_TEXT ? m->text : NULL;
}

static int tmp_dir(replay_cli_t *c) {
  const char *tmp = getenv("TMPDIR");
  snprintf(c->tmp_dir, sizeof c->tmp_dir, "%s/wasitrace-replay-XXXXXX",
           tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
  if (mkdtemp(c->tmp_dir) != NULL)
    return 0;
  wt_cli_error("cannot create a temporary directory %s: %s", c->tmp_dir,
               strerror(errno));
  c->tmp_dir[0] = '\0';
  return WT_EXIT_TOOL;
}

/* The trace's copy of the module, written to a temporary file. */
static int module_from_trace(replay_cli_t *c, char *path, size_t size) {
  const wt_trace_meta_t *blob =
      wt_trace_meta_get(wt_replay_trace(c->r), "module");
  FILE *f;
  int st;
  if (blob == NULL || blob->type != WT_META_BLOB) {
    wt_cli_error("%s does not hold the module (it was recorded with "
                 "--no-module): give MODULE.wasm",
                 c->trace);
    return WT_EXIT_TOOL;
  }
  if (c->tmp_dir[0] == '\0' && (st = tmp_dir(c)) != 0)
    return st;
  snprintf(path, size, "%s/module.wasm", c->tmp_dir);
  if ((f = fopen(path, "wb")) == NULL ||
      fwrite(blob->blob, 1, blob->len, f) != blob->len || fclose(f) != 0) {
    wt_cli_error("cannot write %s: %s", path, strerror(errno));
    return WT_EXIT_TOOL;
  }
  return 0;
}

/* The SHA-256 of the file at path, as hex. */
static int sha_of(const char *path, char hex[65]) {
  uint8_t *data, digest[32];
  size_t len;
  char err[512];
  if (!wt_cli_read_file(path, &data, &len, err, sizeof err)) {
    wt_cli_error("%s", err);
    return WT_EXIT_TOOL;
  }
  wt_sha256(data, len, digest);
  wt_sha256_hex(digest, hex);
  free(data);
  return 0;
}

/* Refuses a module that is not the recorded one, unless --force. */
static int check_module(replay_cli_t *c, const char *path) {
  const char *want = meta_text(wt_replay_trace(c->r), "module_sha256");
  char got[65];
  int st;
  if ((st = sha_of(path, got)) != 0)
    return st;
  if (want == NULL || strcmp(want, got) == 0)
    return 0;
  if (c->module_path == NULL) {
    wt_cli_error("%s is corrupt: its copy of the module has SHA-256 %s, "
                 "not the recorded %s",
                 c->trace, got, want);
    return WT_EXIT_TOOL;
  }
  if (!c->force) {
    wt_cli_error("%s is not the module %s recorded:\n"
                 "  recorded SHA-256 %s\n"
                 "  %s has SHA-256 %s\n"
                 "Use --force to replay it anyway (it will likely diverge).",
                 path, c->trace, want, path, got);
    return WT_EXIT_TOOL;
  }
  wt_cli_error("warning: %s is not the recorded module (SHA-256 %s, "
               "recorded %s); replaying it anyway (--force)",
               path, got, want);
  return 0;
}

static int load(replay_cli_t *c) {
  char path[4300], err[8192];
  const char *p = c->module_path;
  int st;
  if (p == NULL && (st = module_from_trace(c, path, sizeof path)) != 0)
    return st;
  if (p == NULL)
    p = path;
  if ((st = check_module(c, p)) != 0)
    return st;
  switch (wt_module_load(p, &c->cfg, &c->m, err, sizeof err)) {
  case WT_RT_OK:
    if (c->verbose)
      wt_cli_error("%s: module loaded",
                   c->module_path ? c->module_path : c->trace);
    return 0;
  case WT_RT_EMODULE:
    wt_cli_error("cannot run %s: %s", c->module_path ? p : "the module", err);
    return WT_EXIT_MODULE;
  default:
    wt_cli_error("%s", err);
    return WT_EXIT_TOOL;
  }
}

/* ---- hooks: the runtime's, with the module loaded after the trace ------ */

static void hook_exit(void *ud, uint32_t code) {
  wt_rt_proc_exit(((replay_cli_t *)ud)->m, code);
}
static void hook_raise(void *ud, uint8_t sig) {
  wt_rt_proc_raise(((replay_cli_t *)ud)->m, sig);
}
static wt_errno_t hook_register(void *ud, const char *name, uint32_t len) {
  return wt_rt_signal_register(((replay_cli_t *)ud)->m, name, len);
}
static void hook_signal(void *ud, uint8_t sig) {
  wt_rt_signal_handler(((replay_cli_t *)ud)->m, sig);
}
/* The replay cannot go on: end the guest as proc_exit would. */
static void hook_stop(void *ud) {
  wt_rt_proc_exit(((replay_cli_t *)ud)->m, 0);
}

static void set_hooks(replay_cli_t *c) {
  c->ro.proc_exit = hook_exit;
  c->ro.proc_exit_ud = c;
  c->ro.proc_raise = hook_raise;
  c->ro.proc_raise_ud = c;
  c->ro.signal_register = hook_register;
  c->ro.signal_handler = hook_signal;
  c->ro.signal_ud = c;
  c->ro.stop = hook_stop;
  c->ro.stop_ud = c;
  if (c->quiet)
    c->ro.out_fd = c->ro.err_fd = -1;
}

/* ---- --verify ----------------------------------------------------------- */

/* Puts a tracer over the replay, recording into c->again. */
static int verify_open(replay_cli_t *c, wt_tracer_t **tr) {
  wt_trace_t *t = wt_replay_trace(c->r);
  const char *cap = meta_text(t, "capture");
  wt_tracer_options_t o;
  wt_sink_t *sink;
  int st;
  if (c->verify_path != NULL) {
    if (!wt_cli_may_replace(c->verify_path, c->trace, false))
      return WT_EXIT_TOOL;
    snprintf(c->again, sizeof c->again, "%s", c->verify_path);
  } else {
    if (c->tmp_dir[0] == '\0' && (st = tmp_dir(c)) != 0)
      return st;
    snprintf(c->again, sizeof c->again, "%s/verify.db", c->tmp_dir);
  }
  if ((wt_cli_format_of(c->again) == WT_TRACE_JSONL
           ? wt_sink_jsonl_open(c->again, &sink)
           : wt_sink_sqlite_open(c->again, &sink)) < 0) {
    wt_cli_error("%s", wt_trace_error());
    return WT_EXIT_TOOL;
  }
  wt_tracer_options_init(&o);
  /* The same capture, so that payloads are kept the same way. */
  o.capture = cap == NULL || strcmp(cap, "replay") == 0 ? WT_CAPTURE_REPLAY
                                                        : WT_CAPTURE_FULL;
  o.module_name = meta_text(t, "module_name");
  if (wt_tracer_open(wt_replay_api(), c->r, sink, &o, tr) < 0) {
    wt_cli_error("%s: %s", c->again, wt_trace_error());
    wt_sink_close(sink);
    return WT_EXIT_TOOL;
  }
  wt_replay_set_front(c->r, wt_tracer_api(), *tr);
  return 0;
}

/* Compares the two traces; 0 when equal, else an exit status. */
static int verify_check(replay_cli_t *c) {
  char *report = NULL;
  int rc = wt_replay_compare(c->trace, c->again, &report);
  if (rc < 0) {
    wt_cli_error("--verify: %s", wt_trace_error());
    return WT_EXIT_TOOL;
  }
  if (rc == 1) {
    wt_cli_error("--verify: the replay's trace differs from %s:\n%s", c->trace,
                 report);
    free(report);
    return WT_EXIT_DIVERGED;
  }
  if (c->verbose)
    wt_cli_error("--verify: the replay's trace equals %s call for call",
                 c->trace);
  return 0;
}

/* ---- the end ------------------------------------------------------------ */

/* Prints what the replay has to say; the exit status for its outcome. */
static int outcome(replay_cli_t *c, wt_replay_status_t st) {
  const char *report = wt_replay_report(c->r);
  static const char *const what[] = {"", "diverged from",
                                     "ran past the end "
                                     "of",
                                     "failed on"};
  if (st != WT_REPLAY_OK)
    wt_cli_error("replay %s %s:\n%s", what[st], c->trace, report);
  else if (report[0] != '\0')
    wt_cli_error("%s", report);
  else if (c->verbose)
    wt_cli_error("replayed %llu calls from %s: every call matched",
                 (unsigned long long)wt_replay_calls(c->r), c->trace);
  switch (st) {
  case WT_REPLAY_DIVERGED:
    return WT_EXIT_DIVERGED;
  case WT_REPLAY_INCOMPLETE:
    return WT_EXIT_INCOMPLETE;
  case WT_REPLAY_FAILED:
    return WT_EXIT_TOOL;
  default:
    return 0;
  }
}

/* Runs the guest on the replay (and the tracer for --verify). */
static int run(replay_cli_t *c, wt_rt_result_t *res) {
  const wt_api_t *api = wt_replay_api();
  void *ctx = c->r;
  wt_tracer_t *tr = NULL;
  wt_trace_end_t end;
  char err[1024];
  int st;
  if (c->verify && (st = verify_open(c, &tr)) != 0)
    return st;
  if (tr != NULL) {
    api = wt_replay_front_api();
    ctx = c->r;
  }
  if (wt_module_run(c->m, api, ctx, res, err, sizeof err) != WT_RT_OK) {
    wt_cli_error("%s", err);
    if (tr != NULL)
      wt_tracer_close(tr);
    return WT_EXIT_TOOL;
  }
  end = wt_cli_trace_end(res);
  if (tr != NULL && wt_tracer_finish(tr, &end) < 0) {
    wt_cli_error("%s: %s", c->again, wt_trace_error());
    return WT_EXIT_TOOL;
  }
  st = outcome(c, wt_replay_finish(c->r, &end));
  if (st == 0 && c->verify)
    st = verify_check(c);
  return st;
}

static bool is_regular(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* 0 when the replay reproduced the run (*res: how), else an exit status. */
static int replay(replay_cli_t *c, wt_rt_result_t *res) {
  int st;
  set_hooks(c);
  if (wt_replay_open(c->trace, &c->ro, &c->r) < 0) {
    wt_cli_error("cannot replay: %s", wt_trace_error());
    /* Not a trace at all: say what replay wants instead. */
    if (access(c->trace, F_OK) != 0 || !is_regular(c->trace) ||
        strstr(wt_trace_error(), "not a trace") != NULL)
      fprintf(stderr, "wasitrace: replay expects TRACE, a trace file (.db or "
                      ".jsonl) written by 'wasitrace record -o TRACE "
                      "MODULE.wasm'\n");
    return WT_EXIT_TOOL;
  }
  /* A JSON Lines trace can be read while it is written, not replayed. */
  if (wt_trace_recorder_pid(c->trace) > 0) {
    wt_cli_still_recorded(c->trace, "replay it once the recording has ended");
    return WT_EXIT_TOOL;
  }
  if ((st = load(c)) != 0)
    return st;
  return run(c, res);
}

/* Removes the temporary directory and what is in it (no subdirectories). */
static void remove_tmp(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[4400];
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d != NULL)
    closedir(d);
  rmdir(dir);
}

static void cleanup(replay_cli_t *c) {
  if (c->m != NULL)
    wt_module_close(c->m);
  wt_replay_close(c->r);
  if (c->tmp_dir[0] != '\0')
    remove_tmp(c->tmp_dir);
}

int wt_cli_replay(int argc, char **argv) {
  replay_cli_t c;
  wt_rt_result_t res;
  int st;
  memset(&c, 0, sizeof c);
  wt_cli_rt_config_init(&c.cfg);
  wt_replay_options_init(&c.ro);
  if ((st = parse(&c, argc, argv)) != 0)
    return st == 1 ? 0 : st;
  st = replay(&c, &res);
  cleanup(&c);
  /* After the cleanup: a reproduced signal does not return. */
  return st != 0 ? st : wt_cli_guest_status(&res);
}
