/*
 * The view options shared by view, run --strace and record --strace:
 * -s, -y, the filters and --color.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view_opts.h"

void wt_cli_view_opts_init(wt_cli_view_opts_t *o) {
  memset(o, 0, sizeof *o);
  wt_view_options_init(&o->view);
  o->color = WT_CLI_COLOR_AUTO;
}

static bool add_filter(wt_cli_view_opts_t *o, const char *what,
                       const char *value) {
  if (o->nfilters == sizeof o->filters / sizeof o->filters[0]) {
    wt_cli_error("too many filters");
    return false;
  }
  o->filters[o->nfilters].what = what;
  o->filters[o->nfilters].value = value;
  o->nfilters++;
  return true;
}

int wt_cli_view_option(wt_cli_view_opts_t *o, int c, const char *arg) {
  char *end;
  unsigned long n;
  switch (c) {
  case 's':
    n = strtoul(arg, &end, 10);
    if (end == arg || *end != 0 || arg[0] == '-' || n > 1u << 20) {
      wt_cli_error("-s wants a number of bytes, not '%s'", arg);
      return -1;
    }
    o->view.strsize = (uint32_t)n;
    return 1;
  case 'y':
    o->view.annotate_fds = true;
    return 1;
  case 'e':
    if (strncmp(arg, "trace=", 6) != 0) {
      wt_cli_error("-e wants trace=CLASS,..., not '%s'", arg);
      return -1;
    }
    return add_filter(o, "trace", arg + 6) ? 1 : -1;
  case WT_CLI_VOPT_CALL:
    return add_filter(o, "call", arg) ? 1 : -1;
  case WT_CLI_VOPT_FD:
    return add_filter(o, "fd", arg) ? 1 : -1;
  case WT_CLI_VOPT_PATH:
    return add_filter(o, "path", arg) ? 1 : -1;
  case WT_CLI_VOPT_FAILED:
    return add_filter(o, "failed", NULL) ? 1 : -1;
  case WT_CLI_VOPT_ERRNO:
    return add_filter(o, "errno", arg) ? 1 : -1;
  case WT_CLI_VOPT_DENIED:
    return add_filter(o, "denied", NULL) ? 1 : -1;
  case WT_CLI_VOPT_SEQ:
    return add_filter(o, "seq", arg) ? 1 : -1;
  case WT_CLI_VOPT_TIME:
    return add_filter(o, "time", arg) ? 1 : -1;
  case WT_CLI_VOPT_TRANSITIONS:
    o->view.transitions = true;
    return 1;
  case WT_CLI_VOPT_NO_TIMES:
    o->view.show_times = false;
    return 1;
  case WT_CLI_VOPT_COLOR:
    if (strcmp(arg, "auto") == 0)
      o->color = WT_CLI_COLOR_AUTO;
    else if (strcmp(arg, "always") == 0)
      o->color = WT_CLI_COLOR_ALWAYS;
    else if (strcmp(arg, "never") == 0)
      o->color = WT_CLI_COLOR_NEVER;
    else {
      wt_cli_error("--color wants auto, always or never, not '%s'", arg);
      return -1;
    }
    return 1;
  default:
    return 0;
  }
}

int wt_cli_view_new(wt_cli_view_opts_t *o, int out_fd, wt_viewer_t **out) {
  const char *nc = getenv("NO_COLOR");
  wt_viewer_t *v;
  o->view.color = o->color == WT_CLI_COLOR_ALWAYS ||
                  (o->color == WT_CLI_COLOR_AUTO && out_fd >= 0 &&
                   isatty(out_fd) && (nc == NULL || nc[0] == 0));
  if (wt_viewer_new(&o->view, &v) < 0) {
    wt_cli_error("%s", wt_trace_error());
    return -1;
  }
  for (uint32_t i = 0; i < o->nfilters; i++)
    if (wt_viewer_filter(v, o->filters[i].what, o->filters[i].value) < 0) {
      wt_cli_error("%s", wt_trace_error());
      wt_viewer_free(v);
      return -1;
    }
  *out = v;
  return 0;
}
