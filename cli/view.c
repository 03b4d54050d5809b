/*
 * wasitrace view: a trace as one strace-style line per call, in seq order,
 * streamed (memory does not grow with the trace), with filters; --json for
 * JSON Lines; --follow for a JSON Lines trace still being recorded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "follow.h"
#include "view_opts.h"

enum { OPT_JSON = WT_CLI_OPT_LAYER, OPT_HEADER, OPT_FOLLOW };

static const struct option view_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"header", no_argument, NULL, OPT_HEADER},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {"help", no_argument, NULL, 'h'},
    WT_CLI_VIEW_OPTIONS,
    {NULL, 0, NULL, 0}};

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace view [OPTIONS] TRACE\n"
          "\n"
          "Prints the calls of a trace (SQLite or JSON Lines), one line "
          "each, in order:\n"
          "  [seq] +time name(arg=value, ...) = ERRNO (out=value, ...) "
          "<duration>\n"
          "Warnings go to stderr.\n"
          "\n"
          "Options:\n"
          "%s"
          "  --json                  The selected records as JSON Lines\n"
          "  --header                Start with the run's metadata, as "
          "'# key: value' lines\n"
          "  -f, --follow            Follow a JSON Lines trace being "
          "recorded (like tail -f),\n"
          "                          until its end record arrives\n"
          "  -h, --help              Print this help\n"
          "\n"
          "Exit status: 0, or 125 when the trace cannot be read or is "
          "damaged (the lines\nbefore the damage are printed, and stderr "
          "says the view is partial).\n",
          WT_CLI_VIEW_HELP);
}

typedef struct view_s {
  wt_cli_view_opts_t vo;
  bool json, header, follow;
  wt_viewer_t *v;
  uint64_t shown, corrupt, last_seq;
} view_t;

/* ---- one trace ------------------------------------------------------------
 */

static void print_header(const wt_trace_t *t) {
  for (uint32_t i = 0; i < wt_trace_meta_count(t); i++) {
    const wt_trace_meta_t *m = wt_trace_meta_at(t, i);
    switch (m->type) {
    case WT_META_INT:
      printf("# %s: %lld\n", m->key, (long long)m->i);
      break;
    case WT_META_BLOB:
      printf("# %s: <%zu bytes>\n", m->key, m->len);
      break;
    default:
      printf("# %s: %s\n", m->key, m->text != NULL ? m->text : "");
    }
  }
}

/* One record: shown or only applied to the fd state. */
static int one(view_t *w, const wt_trace_call_t *c) {
  const char *text;
  size_t len;
  int rc;
  w->last_seq = c->seq;
  if (!wt_viewer_match(w->v, c)) {
    wt_viewer_skip(w->v, c);
    return 0;
  }
  rc = w->json ? wt_viewer_json(w->v, c, &text, &len)
               : wt_viewer_format(w->v, c, &text, &len);
  if (text == NULL)
    return -1;
  if (rc < 0 && w->corrupt++ == 0)
    wt_cli_error("warning: %s", wt_trace_error());
  fwrite(text, 1, len, stdout);
  w->shown++;
  return 0;
}

/* Every record of t; -1 at a damaged one (reported). */
static int records(view_t *w, wt_trace_t *t, const char *path) {
  const wt_trace_call_t *c;
  int rc;
  while ((rc = wt_trace_next(t, &c)) > 0)
    if (one(w, c) < 0) {
      wt_cli_error("%s: %s", path, wt_trace_error());
      return -1;
    }
  if (rc < 0) {
    fflush(stdout);
    wt_cli_error("%s: %s", path, wt_trace_error());
    wt_cli_error("%s: the view is partial: it stops after call %llu", path,
                 (unsigned long long)w->last_seq);
    return -1;
  }
  return 0;
}

static void seed(view_t *w, const wt_trace_t *t) {
  for (uint32_t i = 0; i < wt_trace_meta_count(t); i++)
    wt_viewer_meta(w->v, wt_trace_meta_at(t, i));
}

/* Warnings about how the trace ends (the view itself is whole). */
static void ending(const wt_trace_t *t, const char *path) {
  const wt_trace_meta_t *end = wt_trace_meta_get(t, "end");
  bool open_end = wt_trace_truncated(t) ||
                  (end != NULL && end->text != NULL &&
                   strcmp(end->text, "incomplete") == 0);
  if (open_end && wt_cli_still_recorded(path, "the view shows the calls so "
                                              "far (--follow follows it)"))
    return;
  if (wt_trace_truncated(t))
    wt_cli_error("warning: %s ends in a partial line (its recorder was "
                 "killed): the view stops before it",
                 path);
  else if (end != NULL && end->text != NULL &&
           strcmp(end->text, "incomplete") == 0)
    wt_cli_error("warning: %s is incomplete (the recorder stopped before "
                 "the guest ended)",
                 path);
}

static int view_file(view_t *w, const char *path) {
  wt_trace_t *t;
  int rc;
  if (wt_trace_open(path, &t) < 0) {
    wt_cli_error("%s", wt_trace_error());
    return WT_EXIT_TOOL;
  }
  seed(w, t);
  if (w->header)
    print_header(t);
  rc = records(w, t, path);
  if (rc == 0)
    ending(t, path);
  wt_trace_close(t);
  if (fflush(stdout) != 0 && errno != EPIPE) {
    wt_cli_error("cannot write the view: %s", strerror(errno));
    return WT_EXIT_TOOL;
  }
  if (rc == 0 && w->corrupt > 0) {
    wt_cli_error("%s: %llu damaged record%s (marked <corrupt record>)", path,
                 (unsigned long long)w->corrupt, w->corrupt == 1 ? "" : "s");
    return WT_EXIT_TOOL;
  }
  return rc < 0 ? WT_EXIT_TOOL : 0;
}

/* ---- the command ---------------------------------------------------------
 */

/* A piece of a trace being followed. */
static int follow_piece(void *ud, wt_trace_t *t, bool first) {
  view_t *w = ud;
  int rc;
  if (first) {
    seed(w, t);
    if (w->header)
      print_header(t);
  }
  rc = records(w, t, "trace");
  fflush(stdout);
  return rc;
}

static int parse(view_t *w, int argc, char **argv) {
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "+hf" WT_CLI_VIEW_SHORTOPTS,
                          view_options, NULL)) != -1) {
    int r = wt_cli_view_option(&w->vo, c, optarg);
    if (r < 0)
      return -1;
    if (r > 0)
      continue;
    switch (c) {
    case OPT_JSON:
      w->json = true;
      break;
    case OPT_HEADER:
      w->header = true;
      break;
    case 'f':
    case OPT_FOLLOW:
      w->follow = true;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      wt_cli_bad_option(argv, "+hf" WT_CLI_VIEW_SHORTOPTS, view_options,
                        usage, "view");
      return -1;
    }
  }
  if (optind != argc - 1) {
    wt_cli_error("view wants one TRACE (see 'wasitrace view --help')");
    return -1;
  }
  return optind;
}

int wt_cli_view(int argc, char **argv) {
  view_t w;
  static char buf[1 << 16];
  int i, status;
  memset(&w, 0, sizeof w);
  wt_cli_view_opts_init(&w.vo);
  if ((i = parse(&w, argc, argv)) <= 0)
    return i == 0 ? 0 : WT_EXIT_TOOL;
  if (wt_cli_view_new(&w.vo, STDOUT_FILENO, &w.v) < 0)
    return WT_EXIT_TOOL;
  /* Lines go out in blocks: a terminal sees them at once, a pipe per 64
   * KiB (a few hundred calls), as with cat. */
  if (!w.follow && !isatty(STDOUT_FILENO))
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
  if (w.follow)
    status = wt_cli_follow(argv[i], follow_piece, &w);
  else
    status = view_file(&w, argv[i]);
  wt_viewer_free(w.v);
  return status;
}
