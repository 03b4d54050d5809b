/*
 * wasitrace export: a trace converted to the other format (or copied to
 * the same one), losslessly, through wt_trace_convert.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "export_view.h"
#include "wt/tracer.h"

enum { OPT_FORMAT = 256, OPT_FORCE, OPT_MAX_CALLS };

static const struct option export_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"force", no_argument, NULL, OPT_FORCE},
    {"max-calls", required_argument, NULL, OPT_MAX_CALLS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct export_s {
  const char *output;
  int format; /* wt_trace_format_t, or -1 */
  bool force, help;
  uint64_t max_calls; /* html: calls kept (0: the default) */
} export_t;

static void usage(FILE *f) {
  fputs("Usage: wasitrace export [--format sqlite|jsonl|perfetto|html] [-o OUT] "
        "[--force] TRACE\n"
        "\n"
        "Converts TRACE (SQLite or JSON Lines, recognized by its contents) "
        "to the\nother format, or copies it to the same one. Nothing is "
        "lost: every metadata\nentry, call, payload, transition and denial "
        "is carried over.\n"
        "\n"
        "Options:\n"
        "  -o, --output OUT   Write to OUT ('-': JSON Lines on stdout). "
        "Default: TRACE\n"
        "                     with its extension changed to the format's "
        "(.db, .jsonl).\n"
        "                     An existing trace or empty file is replaced; "
        "another\n"
        "                     existing file needs --force. TRACE itself is "
        "never\n"
        "                     replaced.\n"
        "  --format FORMAT    sqlite or jsonl (default: from OUT's "
        "extension, .jsonl or\n"
        "                     .ndjson for JSON Lines; without -o, the "
        "format TRACE is\n"
        "                     not in)\n"
        "  --force            Replace OUT even if it is not a trace\n"
        "\n"
        "Pictures of the run (not traces: nothing reads them back):\n"
        "  --format perfetto  Chrome trace-event JSON for ui.perfetto.dev "
        "and\n"
        "                     chrome://tracing (default OUT: "
        "TRACE.perfetto.json;\n"
        "                     -o X.json implies it)\n"
        "  --format html      One self-contained HTML page: summary, "
        "timeline, call\n"
        "                     table, details, state over time (default OUT: "
        "TRACE.html;\n"
        "                     -o X.html implies it)\n"
        "  --max-calls N      html: calls kept in the page (default 100000; "
        "later\n"
        "                     failed or denied calls are kept too, up to "
        "10000)\n"
        "  -h, --help         Print this help\n"
        "\n"
        "OUT is written under a temporary name beside it and renamed when "
        "complete:\non any failure (a damaged trace included) OUT is left "
        "as it was.\n"
        "\n"
        "Exit status: 0 on success, 125 on any failure.\n",
        f);
}

static bool parse_format(const char *arg, int *format) {
  if (strcmp(arg, "sqlite") == 0)
    *format = WT_TRACE_SQLITE;
  else if (strcmp(arg, "jsonl") == 0)
    *format = WT_TRACE_JSONL;
  else if (!wt_cli_export_view_format(arg, format)) {
    wt_cli_error("--format wants sqlite, jsonl, perfetto or html, not '%s'",
                 arg);
    return false;
  }
  return true;
}

static int parse(export_t *e, int argc, char **argv) {
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "+o:h", export_options, NULL)) != -1) {
    switch (c) {
    case 'o':
      e->output = optarg;
      break;
    case OPT_FORMAT:
      if (!parse_format(optarg, &e->format))
        return -1;
      break;
    case OPT_FORCE:
      e->force = true;
      break;
    case OPT_MAX_CALLS: {
      char *end;
      errno = 0;
      e->max_calls = strtoull(optarg, &end, 10);
      if (errno || *end || end == optarg || e->max_calls == 0 ||
          optarg[0] == '-') {
        wt_cli_error("--max-calls wants a positive number, not '%s'", optarg);
        return -1;
      }
      break;
    }
    case 'h':
      e->help = true;
      break;
    default:
      wt_cli_bad_option(argv, "+o:h", export_options, usage, "export");
      return -1;
    }
  }
  return optind;
}

/* TRACE's name with the extension of `format` instead of its own. */
static void default_output(const char *in, int format, char *out, size_t size) {
  static const char *const exts[] = {".db", ".sqlite3", ".sqlite", ".jsonl",
                                     ".ndjson"};
  size_t n = strlen(in);
  for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
    size_t k = strlen(exts[i]);
    if (n > k && strcmp(in + n - k, exts[i]) == 0 && in[n - k - 1] != '/') {
      n -= k;
      break;
    }
  }
  snprintf(out, size, "%.*s%s", (int)n, in,
           format == WT_TRACE_JSONL ? ".jsonl" : ".db");
}

/* The format of the trace at path, or -1 (with a message). */
static int format_of_trace(const char *path) {
  wt_trace_t *t;
  int format;
  if (wt_trace_open(path, &t) < 0) {
    wt_cli_error("%s", wt_trace_error());
    return -1;
  }
  format = (int)wt_trace_format(t);
  if (wt_cli_still_recorded(path, "exporting the calls so far"))
    ;
  else if (wt_trace_truncated(t))
    wt_cli_error("%s: its last line was cut short (a killed recorder): "
                 "exporting the calls before it",
                 path);
  wt_trace_close(t);
  return format;
}

static void remove_partial(const char *path) {
  char journal[4200];
  unlink(path);
  snprintf(journal, sizeof journal, "%s-journal", path);
  unlink(journal);
}

/*
 * Converts into a new file beside out, renamed over it once complete: a
 * failure (a damaged trace is found out only when its bad row is read)
 * leaves out as it was, and no partial trace behind. 0, or -1 with a
 * message printed.
 */
static int convert_to_file(const char *in, const char *out, int format) {
  char tmp[4200];
  mode_t mask;
  int fd;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out) >= sizeof tmp) {
    wt_cli_error("%s: name too long", out);
    return -1;
  }
  if ((fd = mkstemp(tmp)) < 0) {
    wt_cli_error("cannot create a file beside %s: %s", out, strerror(errno));
    return -1;
  }
  /* mkstemp's 0600: the trace gets the mode any new file would. */
  mask = umask(0);
  umask(mask);
  (void)fchmod(fd, 0666 & ~mask);
  close(fd);
  if (wt_trace_convert(in, tmp, (wt_trace_format_t)format) < 0) {
    wt_cli_error("%s", wt_trace_error());
    remove_partial(tmp);
    return -1;
  }
  if (rename(tmp, out) != 0) {
    wt_cli_error("cannot rename %s to %s: %s", tmp, out, strerror(errno));
    remove_partial(tmp);
    return -1;
  }
  return 0;
}

int wt_cli_export(int argc, char **argv) {
  export_t e = {NULL, -1, false, false, 0};
  char out[4096];
  const char *in;
  int first = parse(&e, argc, argv), in_format;
  if (first < 0 || e.help) {
    e.help ? usage(stdout) : (void)0;
    return first < 0 ? WT_EXIT_TOOL : 0;
  }
  if (first + 1 != argc) {
    wt_cli_error(first >= argc ? "no trace given (see 'wasitrace export "
                                 "--help')"
                               : "export takes one trace");
    return WT_EXIT_TOOL;
  }
  in = argv[first];
  if (wt_cli_export_view_wants(&e.format, e.output))
    return wt_cli_export_view(in, e.output, e.format, e.force, e.max_calls);
  if ((in_format = format_of_trace(in)) < 0)
    return WT_EXIT_TOOL;
  if (e.output == NULL) {
    if (e.format < 0)
      e.format = in_format == WT_TRACE_JSONL ? WT_TRACE_SQLITE : WT_TRACE_JSONL;
    default_output(in, e.format, out, sizeof out);
  } else {
    snprintf(out, sizeof out, "%s", e.output);
    if (e.format < 0)
      e.format = strcmp(out, "-") == 0 ? WT_TRACE_JSONL : wt_cli_format_of(out);
  }
  if (strcmp(out, "-") == 0 && e.format != WT_TRACE_JSONL) {
    wt_cli_error("-o -: only JSON Lines can be written to stdout");
    return WT_EXIT_TOOL;
  }
  /* A file the user did not name is never replaced without --force. */
  if (e.output == NULL && !e.force && access(out, F_OK) == 0) {
    wt_cli_error("%s exists; export replaces only a file named with -o "
                 "(-o %s), or any with --force",
                 out, out);
    return WT_EXIT_TOOL;
  }
  if (strcmp(out, "-") != 0 && !wt_cli_may_replace(out, in, e.force))
    return WT_EXIT_TOOL;
  if (strcmp(out, "-") != 0) {
    if (convert_to_file(in, out, e.format) < 0)
      return WT_EXIT_TOOL;
  } else if (wt_trace_convert(in, out, WT_TRACE_JSONL) < 0) {
    /* What was written cannot be taken back: say it is incomplete. */
    wt_cli_error("%s (the JSON Lines written to stdout are incomplete)",
                 wt_trace_error());
    return WT_EXIT_TOOL;
  }
  if (e.output == NULL)
    wt_cli_error("wrote %s", out);
  return 0;
}
