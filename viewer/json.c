/*
 * --json: the selected records as JSON Lines, with the trace's own JSON
 * text for the arguments and results (wt_trace_summarize) and, with -y,
 * what each fd argument stands for.
 */
#include <stdio.h>
#include <stdlib.h>

#include "viewer_internal.h"

static void kv_u64(wt__sb_t *b, const char *k, uint64_t v) {
  wt__sb_puts(b, ",\"");
  wt__sb_puts(b, k);
  wt__sb_puts(b, "\":");
  wt__sb_json_u64(b, v);
}

static void kv_str(wt__sb_t *b, const char *k, const char *v) {
  wt__sb_puts(b, ",\"");
  wt__sb_puts(b, k);
  wt__sb_puts(b, "\":");
  wt__sb_json_str(b, v, strlen(v));
}

static void json_transitions(wt__sb_t *b, const wt_trace_call_t *c) {
  if (c->ntransitions == 0)
    return;
  wt__sb_puts(b, ",\"transitions\":[");
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *t = &c->transitions[i];
    wt__sb_puts(b, i ? ",{\"kind\":" : "{\"kind\":");
    wt__sb_json_str(b, wt_transition_name(t->kind),
                    strlen(wt_transition_name(t->kind)));
    kv_u64(b, "fd", t->fd);
    kv_u64(b, "fd2", t->fd2);
    kv_u64(b, "a", t->a);
    kv_u64(b, "b", t->b);
    kv_u64(b, "data", t->data);
    wt__sb_putc(b, '}');
  }
  wt__sb_putc(b, ']');
}

static void json_denials(wt__sb_t *b, const wt_trace_call_t *c) {
  static const char *const src[WT_DENIAL_COUNT] = {"rights", "policy", "abi",
                                                   "sandbox"};
  if (c->ndenials == 0)
    return;
  wt__sb_puts(b, ",\"denials\":[");
  for (uint32_t i = 0; i < c->ndenials; i++) {
    const wt_trace_denial_t *d = &c->denials[i];
    wt__sb_puts(b, i ? ",{\"source\":" : "{\"source\":");
    wt__sb_json_str(b, d->source < WT_DENIAL_COUNT ? src[d->source] : "?",
                    d->source < WT_DENIAL_COUNT ? strlen(src[d->source]) : 1);
    if (d->fd != UINT32_MAX)
      kv_u64(b, "fd", d->fd);
    if (d->right != 0)
      kv_str(b, "right", wt_right_name(d->right));
    if (d->rule != NULL)
      kv_str(b, "rule", d->rule);
    if (d->rule_index >= 0)
      kv_u64(b, "rule_index", (uint64_t)d->rule_index);
    if (d->would)
      wt__sb_puts(b, ",\"would\":true");
    if (d->reason != NULL)
      kv_str(b, "reason", d->reason);
    if (d->preopen != NULL)
      kv_str(b, "preopen", d->preopen);
    if (d->path != NULL)
      kv_str(b, "path", d->path);
    if (d->resolved != NULL)
      kv_str(b, "resolved", d->resolved);
    wt__sb_putc(b, '}');
  }
  wt__sb_putc(b, ']');
}

static void json_fds(wt_viewer_t *v, wt__sb_t *b, const wt__scan_t *s) {
  bool first = true;
  for (uint32_t i = 0; i < s->nfds; i++) {
    const char *l = wt_viewer_fd_label(v, s->fds[i]);
    char k[16];
    if (l == NULL)
      continue;
    wt__sb_puts(b, first ? ",\"fds\":{" : ",");
    first = false;
    snprintf(k, sizeof k, "\"%u\":", s->fds[i]);
    wt__sb_puts(b, k);
    wt__sb_json_str(b, l, strlen(l));
  }
  if (!first)
    wt__sb_putc(b, '}');
}

int wt_viewer_json(wt_viewer_t *v, const wt_trace_call_t *c,
                   const char **text, size_t *len) {
  wt__sb_t *b = &v->out;
  wt__scan_t s;
  int rc = wt_trace_summarize(c, &v->sum);
  wt__view_scan(c, &s);
  wt__sb_reset(b);
  wt__sb_puts(b, "{\"seq\":");
  wt__sb_json_u64(b, c->seq);
  kv_str(b, "call", wt_call_name(c->call));
  kv_str(b, "errno", wt_errno_name(c->err));
  kv_u64(b, "start_ns", c->start_ns);
  kv_u64(b, "dur_ns", c->dur_ns);
  if (rc == 0) {
    wt__sb_puts(b, ",\"args\":");
    wt__sb_puts(b, v->sum.args_json);
    wt__sb_puts(b, ",\"results\":");
    wt__sb_puts(b, v->sum.results_json);
  } else {
    wt__sb_puts(b, ",\"corrupt\":true");
  }
  json_transitions(b, c);
  json_denials(b, c);
  if (v->o.annotate_fds)
    json_fds(v, b, &s);
  wt__sb_puts(b, "}\n");
  wt__view_apply(v, c, &s);
  if (b->oom) {
    *text = NULL;
    *len = 0;
    wt_trace_set_error("out of memory");
    return -1;
  }
  *text = b->s;
  *len = b->len;
  return rc;
}
