/*
 * wasitrace diff A B: where two traces of the same program part ways
 * (viewer/diff.c does the comparing). Exit status as diff(1): 0 alike, 1
 * different, 2 trouble -- not the tool's usual 125, so scripts can use it
 * as they use diff.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "view_opts.h"
#include "wt/viewer_diff.h"

#define EXIT_SAME 0
#define EXIT_DIFFER 1
#define EXIT_TROUBLE 2

enum { OPT_TIMING = 256, OPT_WINDOW, OPT_BRIEF };

static const struct option diff_options[] = {
    {"timing", no_argument, NULL, OPT_TIMING},
    {"context", required_argument, NULL, 'U'},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"brief", no_argument, NULL, 'q'},
    {"color", required_argument, NULL, WT_CLI_VOPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace diff [OPTIONS] A B\n"
          "\n"
          "Compares two traces (SQLite or JSON Lines) of the same program "
          "call by call,\naligning them so that a call one run made and "
          "the other did not is one\ndifference, and reports where they "
          "first differ (call, argument, result,\nerrno, bytes) with "
          "context, then where they re-align and how many calls\ndiffer. "
          "Times, clock values, random bytes, inode numbers and file times\n"
          "differ in every run and are ignored unless --timing is given.\n"
          "\n"
          "Options:\n"
          "  --timing                Compare those too (times, clock values, "
          "random bytes,\n"
          "                          inodes, file times) and show times\n"
          "  -U, --context N         Alike calls shown around the first "
          "difference\n"
          "                          (default 3)\n"
          "  --window N              Calls read ahead to re-align after a "
          "difference\n"
          "                          (default %u, at most %u)\n"
          "  -q, --brief             Only say whether the traces differ\n"
          "  -s N                    Show N bytes of strings and buffers "
          "(default 32)\n"
          "  -y                      Annotate fds with what they stand for\n"
          "  --color WHEN            auto (default), always or never\n"
          "  -h, --help              Print this help\n"
          "\n"
          "Exit status (as diff(1), not the 125 of other commands): 0 the "
          "traces are\nalike, 1 they differ, 2 trouble (a trace cannot be "
          "read, is damaged or\nforeign; usage).\n",
          WT_DIFF_WINDOW, WT_DIFF_WINDOW_MAX);
}

typedef struct in_s {
  const char *path;
  wt_trace_t *t;
  bool failed;
  uint64_t last_seq;
} in_t;

typedef struct cmd_s {
  wt_cli_view_opts_t vo;
  wt_diff_options_t o;
  bool brief;
  in_t a, b;
  /* progress */
  bool tty, drawn;
  struct timespec start;
  uint64_t total;
} cmd_t;

static int next(void *ud, const wt_trace_call_t **out) {
  in_t *in = ud;
  int rc = wt_trace_next(in->t, out);
  if (rc > 0)
    in->last_seq = (*out)->seq;
  if (rc < 0)
    in->failed = true;
  return rc;
}

/* ---- progress ------------------------------------------------------------
 */

static double since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A bar on stderr once the comparison has taken a second (a terminal
 * only). */
static void progress(void *ud, uint64_t a, uint64_t b) {
  cmd_t *c = ud;
  uint64_t done = a > b ? a : b;
  char bar[31];
  if (!c->tty || since(&c->start) < 1.0)
    return;
  c->drawn = true;
  if (c->total == 0 || done > c->total) {
    fprintf(stderr, "\rwasitrace diff: %llu calls", (unsigned long long)done);
    return;
  }
  for (int i = 0; i < 30; i++)
    bar[i] = (uint64_t)i * c->total < done * 30 ? '#' : '-';
  bar[30] = 0;
  fprintf(stderr, "\rwasitrace diff: [%s] %3u%% (%llu of %llu calls)", bar,
          (unsigned)(done * 100 / c->total), (unsigned long long)done,
          (unsigned long long)c->total);
}

static void progress_end(cmd_t *c) {
  if (c->drawn)
    fputs("\r\033[K", stderr);
  c->drawn = false;
}

/* ---- the traces ------------------------------------------------------------
 */

static int64_t meta_int(const wt_trace_t *t, const char *key) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, key);
  return m != NULL && m->type == WT_META_INT ? m->i : -1;
}

static const char *meta_text(const wt_trace_t *t, const char *key) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, key);
  return m != NULL && m->type == WT_META_TEXT && m->text != NULL ? m->text
                                                                   : "";
}

/* How a run ended, in words: "exit 3", "trap unreachable", "signal 9". */
static void ending(const wt_trace_t *t, char *buf, size_t n) {
  const char *end = meta_text(t, "end");
  if (strcmp(end, "exit") == 0)
    snprintf(buf, n, "exit %lld", (long long)meta_int(t, "exit_code"));
  else if (strcmp(end, "trap") == 0)
    snprintf(buf, n, "trap %s", meta_text(t, "trap"));
  else if (strcmp(end, "signal") == 0)
    snprintf(buf, n, "signal %lld", (long long)meta_int(t, "signal"));
  else
    snprintf(buf, n, "%s", end[0] ? end : "unknown");
}

static int open_one(in_t *in) {
  if (wt_trace_open(in->path, &in->t) < 0) {
    wt_cli_error("%s", wt_trace_error());
    return -1;
  }
  return 0;
}

static void warn_module(const cmd_t *c) {
  const char *ma = meta_text(c->a.t, "module_sha256");
  const char *mb = meta_text(c->b.t, "module_sha256");
  if (ma[0] && mb[0] && strcmp(ma, mb) != 0)
    wt_cli_error("warning: the traces are of different modules (SHA-256 "
                 "%.12s... and %.12s...)",
                 ma, mb);
}

static void warn_partial(const in_t *in) {
  if (wt_trace_truncated(in->t))
    wt_cli_error("warning: %s ends in a partial line (its recorder was "
                 "killed): compared up to it",
                 in->path);
  else if (strcmp(meta_text(in->t, "end"), "incomplete") == 0)
    wt_cli_error("warning: %s is incomplete (the recorder stopped before "
                 "the guest ended)",
                 in->path);
}

static int viewer_for(cmd_t *c, const in_t *in, wt_viewer_t **v) {
  if (wt_cli_view_new(&c->vo, c->brief ? -1 : STDOUT_FILENO, v) < 0)
    return -1;
  for (uint32_t i = 0; i < wt_trace_meta_count(in->t); i++)
    wt_viewer_meta(*v, wt_trace_meta_at(in->t, i));
  return 0;
}

/* ---- the command ---------------------------------------------------------
 */

static bool number(const char *arg, uint32_t max, uint32_t *out,
                   const char *opt) {
  char *end;
  unsigned long n = strtoul(arg, &end, 10);
  if (end == arg || *end != 0 || arg[0] == '-' || n > max) {
    wt_cli_error("%s wants a number from 0 to %u, not '%s'", opt, max, arg);
    return false;
  }
  *out = (uint32_t)n;
  return true;
}

static int parse(cmd_t *c, int argc, char **argv) {
  int o;
  opterr = 0;
  optind = 1;
  while ((o = getopt_long(argc, argv, "+hqU:s:y", diff_options, NULL)) !=
         -1) {
    switch (o) {
    case OPT_TIMING:
      c->o.timing = true;
      break;
    case 'U':
      if (!number(optarg, 1000, &c->o.context, "--context"))
        return -1;
      break;
    case OPT_WINDOW:
      if (!number(optarg, WT_DIFF_WINDOW_MAX, &c->o.window, "--window") ||
          c->o.window == 0) {
        if (c->o.window == 0)
          wt_cli_error("--window wants at least 1 call");
        return -1;
      }
      break;
    case 'q':
      c->brief = true;
      break;
    case 's':
    case 'y':
    case WT_CLI_VOPT_COLOR:
      if (wt_cli_view_option(&c->vo, o, optarg) < 0)
        return -1;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      wt_cli_error("unknown or incomplete option '%s' (see 'wasitrace diff "
                   "--help')",
                   argv[optind - 1]);
      return -1;
    }
  }
  if (optind != argc - 2) {
    wt_cli_error("diff wants two traces, A and B (see 'wasitrace diff "
                 "--help')");
    return -1;
  }
  return optind;
}

/* After the calls: how the runs ended. 1 when that differs. */
static int compare_ends(cmd_t *c, FILE *f, bool header) {
  char ea[128], eb[128];
  ending(c->a.t, ea, sizeof ea);
  ending(c->b.t, eb, sizeof eb);
  if (strcmp(ea, eb) == 0)
    return 0;
  if (header)
    fprintf(f, "--- A: %s\n+++ B: %s\n", c->a.path, c->b.path);
  fprintf(f, "ends: %s in A, %s in B\n", ea, eb);
  return 1;
}

static int run(cmd_t *c, FILE *f) {
  wt_viewer_t *va = NULL, *vb = NULL;
  wt_diff_side_t sa = {"A", c->a.path, next, &c->a};
  wt_diff_side_t sb = {"B", c->b.path, next, &c->b};
  wt_diff_result_t r;
  int rc, status = EXIT_TROUBLE, ends;
  if (viewer_for(c, &c->a, &va) < 0 || viewer_for(c, &c->b, &vb) < 0)
    goto done;
  warn_module(c);
  c->o.progress = progress;
  c->o.progress_ud = c;
  c->o.strsize = c->vo.view.strsize;
  c->tty = isatty(STDERR_FILENO);
  clock_gettime(CLOCK_MONOTONIC, &c->start);
  c->total = (uint64_t)(meta_int(c->a.t, "calls") > meta_int(c->b.t, "calls")
                            ? meta_int(c->a.t, "calls")
                            : meta_int(c->b.t, "calls"));
  rc = wt_diff_run(&c->o, &sa, va, &sb, vb, f, &r);
  progress_end(c);
  if (rc < 0) {
    in_t *bad = c->a.failed ? &c->a : c->b.failed ? &c->b : NULL;
    fflush(f);
    if (bad != NULL)
      wt_cli_error("%s: %s: compared up to call %llu", bad->path,
                   wt_trace_error(), (unsigned long long)bad->last_seq);
    else
      wt_cli_error("%s", wt_trace_error());
    goto done;
  }
  ends = compare_ends(c, f, !r.differ);
  if (fflush(f) != 0) {
    wt_cli_error("cannot write the report");
    goto done;
  }
  warn_partial(&c->a);
  warn_partial(&c->b);
  if (r.corrupt > 0) {
    wt_cli_error("%llu damaged record%s (compared by their raw bytes)",
                 (unsigned long long)r.corrupt, r.corrupt == 1 ? "" : "s");
    goto done;
  }
  status = r.differ || ends ? EXIT_DIFFER : EXIT_SAME;
  if (c->brief && status == EXIT_DIFFER)
    printf("traces %s and %s differ\n", c->a.path, c->b.path);
done:
  wt_viewer_free(va);
  wt_viewer_free(vb);
  return status;
}

int wt_cli_diff(int argc, char **argv) {
  cmd_t c;
  FILE *f = stdout;
  int i, status;
  memset(&c, 0, sizeof c);
  wt_cli_view_opts_init(&c.vo);
  wt_diff_options_init(&c.o);
  if ((i = parse(&c, argc, argv)) <= 0)
    return i == 0 ? EXIT_SAME : EXIT_TROUBLE;
  /* diff prints its own [seq] column; times only when they are compared. */
  c.vo.view.show_seq = false;
  c.vo.view.show_times = c.o.timing;
  c.a.path = argv[i];
  c.b.path = argv[i + 1];
  if (open_one(&c.a) < 0 || open_one(&c.b) < 0) {
    status = EXIT_TROUBLE;
    goto done;
  }
  if (c.brief && (f = fopen("/dev/null", "w")) == NULL) {
    wt_cli_error("cannot open /dev/null");
    status = EXIT_TROUBLE;
    goto done;
  }
  status = run(&c, f);
done:
  if (f != stdout && f != NULL)
    fclose(f);
  if (c.a.t != NULL)
    wt_trace_close(c.a.t);
  if (c.b.t != NULL)
    wt_trace_close(c.b.t);
  return status;
}
