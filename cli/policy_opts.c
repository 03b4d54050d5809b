/*
 * --policy, --allow-read, --allow-write, --deny-call, --policy-mode and
 * --denials: the policy layer for run and record. Denials go into the
 * trace when recording; otherwise to --denials FILE as JSON Lines, or to
 * stderr one line each, the first LINES_MAX of them, with a count of the
 * rest at the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy_opts.h"

#define LINES_MAX 20

void wt_cli_policy_init(wt_cli_policy_t *s) {
  memset(s, 0, sizeof *s);
  s->mode = -1;
}

static int need_policy(wt_cli_policy_t *s) {
  if (s->p == NULL && wt_policy_new(&s->p) < 0) {
    wt_cli_error("out of memory");
    return -1;
  }
  s->any = true;
  return 0;
}

/* --allow-read=PATH: PATH and everything below it. */
static int allow(wt_cli_policy_t *s, const char *opt, const char *path,
                 unsigned ops) {
  char glob[4200], text[4300], err[4600];
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  if (path[0] != '/' || n > 4000) {
    wt_cli_error("%s wants an absolute guest path, not '%s'", opt, path);
    return -1;
  }
  snprintf(glob, sizeof glob, "%.*s/**", n == 1 ? 0 : (int)n, path);
  snprintf(text, sizeof text, "%s=%s", opt, path);
  if (wt_policy_add_path_rule(s->p, false, glob, ops, -1, text, err,
                              sizeof err) < 0) {
    wt_cli_error("%s", err);
    return -1;
  }
  return 1;
}

int wt_cli_policy_option(wt_cli_policy_t *s, int c, const char *arg) {
  char err[512], text[256];
  if (c < WT_CLI_OPT_POLICY || c > WT_CLI_OPT_DENIALS)
    return 0;
  if (c == WT_CLI_OPT_DENIALS) {
    s->denials_path = arg;
    return 1;
  }
  if (need_policy(s) < 0)
    return -1;
  switch (c) {
  case WT_CLI_OPT_POLICY:
    if (s->file != NULL) {
      wt_cli_error("--policy is given once");
      return -1;
    }
    s->file = arg;
    return 1;
  case WT_CLI_OPT_ALLOW_READ:
    return allow(s, "--allow-read", arg, WT_POLICY_READ_OPS);
  case WT_CLI_OPT_ALLOW_WRITE:
    return allow(s, "--allow-write", arg, WT_POLICY_WRITE_OPS);
  case WT_CLI_OPT_DENY_CALL:
    snprintf(text, sizeof text, "--deny-call=%s", arg);
    if (wt_policy_deny_call(s->p, arg, text, err, sizeof err) < 0) {
      wt_cli_error("%s", err);
      return -1;
    }
    return 1;
  default: /* WT_CLI_OPT_POLICY_MODE */
    if (strcmp(arg, "enforce") == 0)
      s->mode = WT_POLICY_ENFORCE;
    else if (strcmp(arg, "complain") == 0)
      s->mode = WT_POLICY_COMPLAIN;
    else {
      wt_cli_error("--policy-mode wants enforce or complain, not '%s'", arg);
      return -1;
    }
    return 1;
  }
}

int wt_cli_policy_check(wt_cli_policy_t *s) {
  char err[2048];
  if (!s->any) {
    if (s->denials_path != NULL) {
      wt_cli_error("--denials goes with a policy (--policy, --allow-*, "
                   "--deny-call)");
      return WT_EXIT_TOOL;
    }
    return 0;
  }
  /* The file first, so that the command line's rules come after it. */
  if (s->file != NULL &&
      wt_policy_load_file(s->p, s->file, err, sizeof err) < 0) {
    wt_cli_error("policy refused: %s", err);
    return WT_EXIT_TOOL;
  }
  if (s->mode >= 0)
    wt_policy_set_mode(s->p, s->mode);
  if (wt_policy_finish(s->p, err, sizeof err) < 0) {
    wt_cli_error("policy refused: %s%s%s", s->file ? s->file : "",
                 s->file ? ": " : "", err);
    return WT_EXIT_TOOL;
  }
  return 0;
}

/* ---- where denials go ------------------------------------------------------ */

static void json_denial(FILE *f, uint64_t n, const wt_denial_t *d) {
  json_t *o = json_object();
  json_object_set_new(o, "n", json_integer((json_int_t)n));
  json_object_set_new(o, "call", json_string(wt_call_name(d->call)));
  json_object_set_new(o, "source", json_string(wt_deny_source_name(d->source)));
  json_object_set_new(o, "would", json_boolean(d->would));
  json_object_set_new(o, "errno", json_string(wt_errno_name(d->err)));
  if (d->rule >= 0)
    json_object_set_new(o, "rule", json_integer(d->rule));
  if (d->text != NULL)
    json_object_set_new(o, "text", json_string(d->text));
  if (d->reason != NULL)
    json_object_set_new(o, "reason", json_string(d->reason));
  if (d->fd != UINT32_MAX)
    json_object_set_new(o, "fd", json_integer(d->fd));
  if (d->preopen != NULL)
    json_object_set_new(o, "preopen", json_string(d->preopen));
  if (d->given != NULL)
    json_object_set_new(o, "path", json_stringn(d->given, d->given_len));
  if (d->resolved != NULL)
    json_object_set_new(o, "resolved", json_string(d->resolved));
  if (d->link != NULL)
    json_object_set_new(o, "link", json_string(d->link));
  if (d->target != NULL)
    json_object_set_new(o, "target", json_string(d->target));
  json_dumpf(o, f, JSON_COMPACT | JSON_ENSURE_ASCII);
  fputc('\n', f);
  json_decref(o);
}

/* One line, for stderr and the trace's rule text. */
static void describe(const wt_denial_t *d, char *buf, size_t size) {
  int n = snprintf(buf, size, "%s%s", d->would ? "would deny: " : "",
                   d->text ? d->text : "");
  if (n < 0 || (size_t)n >= size)
    return;
  if (d->reason != NULL)
    n += snprintf(buf + n, size - (size_t)n, " [%s]", d->reason);
  if (d->given != NULL && (size_t)n < size)
    n += snprintf(buf + n, size - (size_t)n, "; path \"%.*s\"",
                  (int)(d->given_len > 1024 ? 1024 : d->given_len), d->given);
  if (d->resolved != NULL && (size_t)n < size)
    n += snprintf(buf + n, size - (size_t)n, " = %s", d->resolved);
  if (d->link != NULL && (size_t)n < size)
    n += snprintf(buf + n, size - (size_t)n, "; link %s -> %s", d->link,
                  d->target ? d->target : "");
  if (d->preopen != NULL && d->resolved == NULL && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n, "; under %s", d->preopen);
}

/* A policy or sandbox denial as the trace's columns (format 4). */
static void trace_denial(wt_tracer_t *t, const wt_denial_t *d) {
  wt_trace_denial_t r;
  char given[1024], rule[1200];
  uint32_t n = d->given_len < sizeof given ? d->given_len : sizeof given - 1;
  memset(&r, 0, sizeof r);
  r.source = d->source == WT_DENY_SANDBOX ? WT_DENIAL_SANDBOX
                                          : WT_DENIAL_POLICY;
  r.fd = d->fd;
  r.rule_index = d->rule;
  r.would = d->would;
  r.reason = d->reason;
  r.preopen = d->preopen;
  if (d->given != NULL) {
    memcpy(given, d->given, n);
    given[n] = 0;
    r.path = given;
  }
  r.resolved = d->resolved;
  r.rule = d->text;
  if (d->link != NULL) {
    snprintf(rule, sizeof rule, "%s: %s -> %s", d->text ? d->text : "",
             d->link, d->target ? d->target : "");
    r.rule = rule;
  }
  wt_tracer_deny_full(t, &r);
}

static void on_denial(void *ud, const wt_denial_t *d) {
  wt_cli_policy_t *s = ud;
  char line[2600];
  s->lines++;
  if (s->tracer != NULL) {
    /* The tracer records rights and ABI denials itself. */
    if (d->source == WT_DENY_POLICY || d->source == WT_DENY_SANDBOX)
      trace_denial(s->tracer, d);
    return;
  }
  if (s->denials != NULL) {
    json_denial(s->denials, s->lines, d);
    return;
  }
  if (s->lines > LINES_MAX) {
    s->quiet++;
    return;
  }
  describe(d, line, sizeof line);
  fprintf(stderr, "wasitrace: denied %s (%s): %s\n", wt_call_name(d->call),
          wt_deny_source_name(d->source), line);
}

int wt_cli_policy_open(wt_cli_policy_t *s, const wt_cli_guest_t *g,
                       const wt_api_t **api, void **ctx) {
  int st;
  if (!s->any)
    return 0;
  if (s->denials_path != NULL) {
    if ((st = wt_cli_refuse_inside(s->denials_path, "denials file", g)) != 0)
      return st;
    if ((s->denials = fopen(s->denials_path, "w")) == NULL) {
      wt_cli_error("--denials: cannot open %s: %s", s->denials_path,
                   strerror(errno));
      return WT_EXIT_TOOL;
    }
  }
  if (wt_policy_layer_open(s->p, *api, *ctx, g->core, g->envp, on_denial, s,
                           &s->layer) < 0) {
    wt_cli_error("out of memory");
    return WT_EXIT_TOOL;
  }
  *api = wt_policy_api();
  *ctx = s->layer;
  return 0;
}

void wt_cli_policy_close(wt_cli_policy_t *s) {
  if (s->quiet > 0)
    wt_cli_error("%llu more denial%s not shown (--denials FILE keeps every "
                 "one)",
                 (unsigned long long)s->quiet, s->quiet == 1 ? "" : "s");
  wt_policy_layer_close(s->layer);
  s->layer = NULL;
  if (s->denials != NULL)
    fclose(s->denials);
  s->denials = NULL;
  wt_policy_free(s->p);
  s->p = NULL;
}
