/*
 * wasitrace stats: a trace summarised as strace -c does, plus errnos,
 * paths, bytes per fd, transitions, denials and the run; --json for
 * machines. Streams: memory does not grow with the trace.
 */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "wt/viewer.h"

enum { OPT_JSON = WT_CLI_OPT_LAYER, OPT_SORT, OPT_NO_TIMES };

static const struct option stats_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"sort", required_argument, NULL, OPT_SORT},
    {"no-times", no_argument, NULL, OPT_NO_TIMES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace stats [--json] [--sort time|calls|errors|name] "
          "[--no-times] TRACE\n"
          "\n"
          "Summarises a trace as 'strace -c' does: per call its count, "
          "errors, total,\nmean and longest time and share of the time; "
          "then the errnos, the paths used\nmost, bytes read and written "
          "per fd (with what it stood for), transitions,\ndenials by source, "
          "and the run (module, SHA-256, argv, preopens, how it\nended, "
          "duration, complete or not).\n"
          "\n"
          "Options:\n"
          "  --json            One JSON object\n"
          "  --sort KEY        Order of the calls: time (default), calls, "
          "errors, name\n"
          "  --no-times        Leave out times and durations (output that "
          "compares\n"
          "                    across runs)\n"
          "  -h, --help        Print this help\n"
          "\n"
          "Exit status: 0, or 125 when the trace cannot be read; a damaged "
          "trace is\nsummarised up to the damage, marked partial, with "
          "exit status 125.\n");
}

typedef struct stats_opts_s {
  bool json, times;
  wt_stats_sort_t sort;
} stats_opts_t;

static int parse(stats_opts_t *o, int argc, char **argv) {
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "+h", stats_options, NULL)) != -1) {
    switch (c) {
    case OPT_JSON:
      o->json = true;
      break;
    case OPT_NO_TIMES:
      o->times = false;
      break;
    case OPT_SORT:
      if (wt_stats_sort_parse(optarg, &o->sort) < 0) {
        wt_cli_error("--sort wants time, calls, errors or name, not '%s'",
                     optarg);
        return -1;
      }
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      wt_cli_bad_option(argv, "+h", stats_options, usage, "stats");
      return -1;
    }
  }
  if (optind != argc - 1) {
    wt_cli_error("stats wants one TRACE (see 'wasitrace stats --help')");
    return -1;
  }
  return optind;
}

/* Every record into s; false at a damaged one (s marked partial). */
static bool gather(wt_trace_t *t, wt_stats_t *s, const char *path) {
  const wt_trace_call_t *c;
  bool ok = true;
  int rc;
  for (uint32_t i = 0; i < wt_trace_meta_count(t); i++)
    wt_stats_meta(s, wt_trace_meta_at(t, i));
  while ((rc = wt_trace_next(t, &c)) > 0)
    if (wt_stats_add(s, c) < 0 && ok) {
      wt_cli_error("%s: %s", path, wt_trace_error());
      wt_stats_partial(s, wt_trace_error());
      ok = false;
    }
  if (rc < 0) {
    wt_cli_error("%s: %s; the summary is partial", path, wt_trace_error());
    wt_stats_partial(s, wt_trace_error());
    return false;
  }
  /* The end entry may come after the calls (JSON Lines). */
  for (uint32_t i = 0; i < wt_trace_meta_count(t); i++)
    wt_stats_meta(s, wt_trace_meta_at(t, i));
  if (wt_trace_truncated(t))
    wt_cli_error("warning: %s ends in a partial line (its recorder was "
                 "killed)",
                 path);
  return ok;
}

int wt_cli_stats(int argc, char **argv) {
  stats_opts_t o = {false, true, WT_STATS_SORT_TIME};
  wt_trace_t *t;
  wt_stats_t *s;
  bool ok;
  int i = parse(&o, argc, argv), rc;
  if (i <= 0)
    return i == 0 ? 0 : WT_EXIT_TOOL;
  if (wt_trace_open(argv[i], &t) < 0) {
    wt_cli_error("%s", wt_trace_error());
    return WT_EXIT_TOOL;
  }
  if (wt_stats_new(&s) < 0) {
    wt_cli_error("%s", wt_trace_error());
    wt_trace_close(t);
    return WT_EXIT_TOOL;
  }
  ok = gather(t, s, argv[i]);
  rc = o.json ? wt_stats_print_json(s, o.sort, o.times, stdout)
              : wt_stats_print(s, o.sort, o.times, stdout);
  if (fflush(stdout) != 0)
    rc = -1;
  wt_stats_free(s);
  wt_trace_close(t);
  if (rc < 0)
    wt_cli_error("cannot write the summary");
  return ok && rc == 0 ? 0 : WT_EXIT_TOOL;
}
