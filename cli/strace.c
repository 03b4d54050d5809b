/*
 * --strace[=FILE]: the tracer over the core with a sink that prints
 * (run), or tees into the trace's sink (record). The lines come from the
 * tracer's writer thread, so the guest pays only the tracer's ring write
 * per call; they reach FILE within the tracer's commit interval (50 ms).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy_opts.h"
#include "strace.h"

void wt_cli_strace_init(wt_cli_strace_t *s) {
  memset(s, 0, sizeof *s);
  wt_cli_view_opts_init(&s->vo);
}

int wt_cli_strace_option(wt_cli_strace_t *s, int c, const char *arg) {
  int r;
  if (c == WT_CLI_OPT_STRACE) {
    s->on = true;
    s->file = arg != NULL && arg[0] != 0 ? arg : NULL;
    return 1;
  }
  r = wt_cli_view_option(&s->vo, c, arg);
  if (r > 0)
    s->used_view_options = true;
  return r;
}

int wt_cli_strace_check(wt_cli_strace_t *s) {
  if (!s->on) {
    if (s->used_view_options) {
      wt_cli_error("-s, -y, -e and the filters go with --strace");
      return WT_EXIT_TOOL;
    }
    return 0;
  }
  return 0;
}

/* The lines' destination, once the preopens are known: never a file the
 * guest could reach. */
static int open_file(wt_cli_strace_t *s, const wt_cli_guest_t *g) {
  int st;
  if (s->file == NULL) {
    s->f = stderr;
    return 0;
  }
  if ((st = wt_cli_refuse_inside(s->file, "--strace file", g)) != 0)
    return st;
  if ((s->f = fopen(s->file, "w")) == NULL) {
    wt_cli_error("--strace: cannot open %s: %s", s->file, strerror(errno));
    return WT_EXIT_TOOL;
  }
  return 0;
}

int wt_cli_strace_sink(wt_cli_strace_t *s, const wt_cli_guest_t *g,
                       wt_sink_t *tee, wt_sink_t **out) {
  wt_viewer_t *v;
  int st;
  if ((st = open_file(s, g)) != 0)
    return st;
  if (wt_cli_view_new(&s->vo, fileno(s->f), &v) < 0)
    return WT_EXIT_TOOL;
  if (wt_viewer_sink_open(v, s->f, tee, out) < 0) {
    wt_cli_error("%s", wt_trace_error());
    wt_viewer_free(v);
    return WT_EXIT_TOOL;
  }
  return 0;
}

void wt_cli_strace_close(wt_cli_strace_t *s) {
  if (s->f != NULL && s->f != stderr)
    fclose(s->f);
  s->f = NULL;
}

/* ---- run --strace ----------------------------------------------------------
 */

typedef struct run_strace_s {
  wt_cli_strace_t s;
  wt_tracer_t *tracer;
  wt_cli_policy_t pol; /* --policy and its shorthands (policy_opts.c) */
} run_strace_t;

static const struct option run_strace_options[] = {
    WT_CLI_STRACE_OPTIONS, WT_CLI_POLICY_OPTIONS, {NULL, 0, NULL, 0}};

static void run_usage(FILE *f) {
  wt_cli_run_usage(f);
  fprintf(f, "\nLive trace:\n%s", WT_CLI_STRACE_HELP);
  fprintf(f, "\nPolicy:\n%s", WT_CLI_POLICY_HELP);
}

static bool rs_option(void *ud, int c, const char *arg) {
  int r = wt_cli_policy_option(&((run_strace_t *)ud)->pol, c, arg);
  if (r != 0)
    return r > 0;
  return wt_cli_strace_option(&((run_strace_t *)ud)->s, c, arg) > 0;
}

static int rs_check(void *ud, const char *module_path) {
  int st = wt_cli_policy_check(&((run_strace_t *)ud)->pol);
  (void)module_path;
  return st != 0 ? st : wt_cli_strace_check(&((run_strace_t *)ud)->s);
}

static int rs_open(void *ud, const wt_cli_guest_t *g, const wt_api_t **api,
                   void **ctx) {
  run_strace_t *r = ud;
  wt_tracer_options_t o;
  wt_sink_t *sink;
  int st;
  /* abi -> [tracer ->] [policy ->] core; a plain run: the core's table. */
  if ((st = wt_cli_policy_open(&r->pol, g, api, ctx)) != 0 || !r->s.on)
    return st;
  if ((st = wt_cli_strace_sink(&r->s, g, NULL, &sink)) != 0)
    return st;
  wt_cli_tracer_options(g, &o);
  /* The lines never stop the guest (the sink does not fail on them). */
  o.on_record_error = WT_ON_RECORD_ERROR_CONTINUE;
  if (wt_tracer_open(*api, *ctx, sink, &o, &r->tracer) < 0) {
    wt_cli_error("--strace: %s", wt_trace_error());
    wt_sink_close(sink);
    return WT_EXIT_TOOL;
  }
  *api = wt_tracer_api();
  *ctx = r->tracer;
  return 0;
}

static int rs_close(void *ud, const wt_rt_result_t *res) {
  run_strace_t *r = ud;
  wt_trace_end_t end = wt_cli_trace_end(res);
  int rc = 0;
  if (r->tracer != NULL && wt_tracer_finish(r->tracer, &end) < 0) {
    wt_cli_error("--strace: %s", wt_trace_error());
    rc = WT_EXIT_TOOL;
  }
  r->tracer = NULL;
  wt_cli_strace_close(&r->s);
  wt_cli_policy_close(&r->pol);
  return rc;
}

int wt_cli_run_strace(int argc, char **argv) {
  run_strace_t r;
  wt_cli_layer_t layer = {"run",    run_strace_options,
                          WT_CLI_STRACE_SHORTOPTS,
                          run_usage, rs_option, rs_check, rs_open,
                          rs_close, &r};
  memset(&r, 0, sizeof r);
  wt_cli_strace_init(&r.s);
  wt_cli_policy_init(&r.pol);
  return wt_cli_run_guest(argc, argv, &layer);
}
