/*
 * --strace[=FILE] on run and record (strace.c): the calls printed while the
 * guest runs, from the tracer's stream, with view's -s, -y and filters.
 */
#ifndef WT_CLI_STRACE_H
#define WT_CLI_STRACE_H

#include "view_opts.h"

#define WT_CLI_OPT_STRACE (WT_CLI_OPT_LAYER + 600)
#define WT_CLI_STRACE_OPTIONS                                                  \
  {"strace", optional_argument, NULL, WT_CLI_OPT_STRACE}, WT_CLI_VIEW_OPTIONS
#define WT_CLI_STRACE_SHORTOPTS WT_CLI_VIEW_SHORTOPTS
#define WT_CLI_STRACE_HELP                                                     \
  "  --strace[=FILE]         Print every call as it happens, as 'wasitrace "   \
  "view'\n"                                                                    \
  "                          does, on stderr or into FILE (no trace is "       \
  "written\n"                                                                  \
  "                          for it); with it, view's options:\n"             \
  WT_CLI_VIEW_HELP

typedef struct wt_cli_strace_s {
  wt_cli_view_opts_t vo;
  bool on, used_view_options;
  const char *file; /* NULL: stderr */
  FILE *f;
} wt_cli_strace_t;

void wt_cli_strace_init(wt_cli_strace_t *s);
/* 1: c was --strace or a view option; 0: not one; -1: bad (reported). */
int wt_cli_strace_option(wt_cli_strace_t *s, int c, const char *arg);
/* Before the guest loads: the options make sense. 0 or an exit status. */
int wt_cli_strace_check(wt_cli_strace_t *s);
/* The live sink, over tee (NULL: none), printing to FILE, which must be
   outside the guest's preopens (g). 0 or an exit status; on failure tee is
   still the caller's. */
int wt_cli_strace_sink(wt_cli_strace_t *s, const wt_cli_guest_t *g,
                       wt_sink_t *tee, wt_sink_t **out);
/* Closes FILE. */
void wt_cli_strace_close(wt_cli_strace_t *s);

/* `wasitrace run`, with --strace. */
int wt_cli_run_strace(int argc, char **argv);
/* run's --help text (run.c). */
void wt_cli_run_usage(FILE *f);

#endif /* WT_CLI_STRACE_H */
