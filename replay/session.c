/*
 * A replay session: opening the trace, the status, the report text, and
 * the end of the run (calls recorded but not made, a different end).
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define DEFAULT_HISTORY 5
#define DEFAULT_REPORTS 50
#define DEFAULT_WINDOW 64

void wt_replay_options_init(wt_replay_options_t *o) {
  memset(o, 0, sizeof *o);
  o->on_divergence = WT_REPLAY_STOP;
  o->out_fd = 1;
  o->err_fd = 2;
  o->history = DEFAULT_HISTORY;
  o->max_reports = DEFAULT_REPORTS;
  o->window = DEFAULT_WINDOW;
}

/* ---- metadata ------------------------------------------------------------ */

static const char *meta_text(wt_trace_t *t, const char *key) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, key);
  return m != NULL && (m->type == WT_META_TEXT || m->type == WT_META_JSON)
             ? m->text
             : NULL;
}

static int64_t meta_int(wt_trace_t *t, const char *key) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, key);
  return m != NULL && m->type == WT_META_INT ? m->i : 0;
}

/* How the recorded run ended; a trace that does not say is incomplete. */
static void read_end(wt_replay_t *r, wt_trace_t *t) {
  const char *end = meta_text(t, "end"), *trap = meta_text(t, "trap");
  r->rec_end.kind = WT_END_INCOMPLETE;
  if (end == NULL || wt_trace_truncated(t)) {
    r->trace_incomplete = true;
  } else if (strcmp(end, "exit") == 0) {
    r->rec_end.kind = WT_END_EXIT;
    r->rec_end.exit_code = (uint32_t)meta_int(t, "exit_code");
  } else if (strcmp(end, "trap") == 0) {
    r->rec_end.kind = WT_END_TRAP;
    snprintf(r->rec_trap, sizeof r->rec_trap, "%s", trap ? trap : "");
    r->rec_end.trap = r->rec_trap;
  } else if (strcmp(end, "signal") == 0) {
    r->rec_end.kind = WT_END_SIGNAL;
    r->rec_end.signal = (uint8_t)meta_int(t, "signal");
  } else {
    r->trace_incomplete = true;
  }
}

static void options_defaults(wt_replay_options_t *o) {
  if (o->history == 0)
    o->history = DEFAULT_HISTORY;
  if (o->max_reports == 0)
    o->max_reports = DEFAULT_REPORTS;
  if (o->window == 0)
    o->window = DEFAULT_WINDOW;
}

int wt_replay_open(const char *path, const wt_replay_options_t *o,
                   wt_replay_t **out) {
  const char *capture;
  wt_replay_t *r;
  wt_trace_t *t;
  if (wt_trace_open(path, &t) < 0)
    return -1;
  capture = meta_text(t, "capture");
  if (capture != NULL && strcmp(capture, "meta") == 0) {
    wt_trace_set_error("%s was recorded with --capture=meta, which keeps no "
                       "bytes read or written: it cannot be replayed",
                       path);
    wt_trace_close(t);
    return -1;
  }
  if ((r = calloc(1, sizeof *r)) == NULL) {
    wt_trace_set_error("out of memory");
    wt_trace_close(t);
    return -1;
  }
  if (o != NULL)
    r->o = *o;
  else
    wt_replay_options_init(&r->o);
  options_defaults(&r->o);
  if (wt__rp_stream_init(&r->s, t, r->o.history) < 0) {
    wt_trace_close(t);
    free(r);
    return -1;
  }
  read_end(r, t);
  r->stdio[1] = 1;
  r->stdio[2] = 2;
  *out = r;
  return 0;
}

void wt_replay_close(wt_replay_t *r) {
  if (r == NULL)
    return;
  wt_trace_close(r->s.trace);
  wt__rp_stream_free(&r->s);
  wt__rp_buf_free(&r->report);
  wt__rp_buf_free(&r->act.args);
  wt__rp_buf_free(&r->scratch);
  wt__rp_rec_free(&r->synth);
  for (uint32_t i = 0; i < WT__RP_SIG_DEPTH; i++)
    wt__rp_rec_free(&r->frames[i].rec);
  free(r);
}

wt_trace_t *wt_replay_trace(wt_replay_t *r) {
  return r->s.trace;
}

wt_replay_status_t wt_replay_status(const wt_replay_t *r) {
  return r->status;
}

uint64_t wt_replay_calls(const wt_replay_t *r) {
  return r->s.consumed;
}

uint64_t wt_replay_divergences(const wt_replay_t *r) {
  return r->ndiv;
}

const char *wt_replay_report(const wt_replay_t *r) {
  return wt__rp_text(&r->report);
}

/* ---- status and reports -------------------------------------------------- */

static int rank(wt_replay_status_t s) {
  static const int ranks[] = {0, 2, 1, 3}; /* OK, DIVERGED, INCOMPLETE, ... */
  return ranks[s];
}

void wt__rp_status(wt_replay_t *r, wt_replay_status_t status) {
  if (rank(status) > rank(r->status))
    r->status = status;
}

void wt__rp_stop(wt_replay_t *r, wt_replay_status_t status) {
  wt__rp_status(r, status);
  if (r->stopped)
    return;
  r->stopped = true;
  if (r->o.stop != NULL)
    r->o.stop(r->o.stop_ud);
}

void wt__rp_fail(wt_replay_t *r, const char *fmt, ...) {
  va_list ap;
  if (r->report.len > 0)
    wt__rp_printf(&r->report, "\n");
  wt__rp_printf(&r->report, "replay failed at the guest's call %llu: ",
                (unsigned long long)r->ordinal);
  va_start(ap, fmt);
  wt__rp_vprintf(&r->report, fmt, ap);
  va_end(ap);
  wt__rp_printf(&r->report, "\n");
  wt__rp_stop(r, WT_REPLAY_FAILED);
}

bool wt__rp_diverged(wt_replay_t *r) {
  r->ndiv++;
  wt__rp_status(r, WT_REPLAY_DIVERGED);
  if (r->o.on_divergence == WT_REPLAY_REPORT &&
      r->nreported >= r->o.max_reports)
    return false;
  r->nreported++;
  return true;
}

const char *wt__rp_signal_name(unsigned sig) {
#define XX(v, name)                                                            \
  case v:                                                                      \
    return #name;
  switch (sig) { WT_SIGNAL_MAP(XX) }
#undef XX
  return "?";
}

void wt__rp_headline(wt_replay_t *r, uint64_t seq, const char *fmt, ...) {
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0);
  va_list ap;
  if (seq == 0)
    seq = h != NULL ? h->seq : r->s.last_seq + 1;
  if (r->report.len > 0)
    wt__rp_printf(&r->report, "\n");
  wt__rp_printf(&r->report,
                "divergence at the guest's call %llu (recording seq %llu): ",
                (unsigned long long)r->ordinal, (unsigned long long)seq);
  va_start(ap, fmt);
  wt__rp_vprintf(&r->report, fmt, ap);
  va_end(ap);
  wt__rp_printf(&r->report, "\n");
  if (r->sigdepth > 0 && r->frames[r->sigdepth - 1].missing)
    wt__rp_printf(&r->report,
                  "  (inside the guest's signal handler, run during a call "
                  "the recording has no record of)\n");
  else if (r->sigdepth > 0)
    wt__rp_printf(&r->report,
                  "  (inside the guest's signal handler, run during seq "
                  "%llu)\n",
                  (unsigned long long)r->frames[r->sigdepth - 1].rec.c.seq);
}

void wt__rp_report_history(wt_replay_t *r) {
  uint32_t n = 0;
  while (n < r->o.history && wt__rp_history(&r->s, n) != NULL)
    n++;
  if (n == 0) {
    wt__rp_printf(&r->report, "  (no calls before it)\n");
    return;
  }
  wt__rp_printf(&r->report, "  calls before it:\n");
  while (n-- > 0) {
    wt__rp_printf(&r->report, "    ");
    wt__rp_render(&r->report, wt__rp_history(&r->s, n));
    wt__rp_printf(&r->report, "\n");
  }
}

/* ---- the guest's fds 1 and 2 --------------------------------------------- */

static void follow_fds(wt_replay_t *r, const wt_transition_t *t) {
  uint8_t *m = r->stdio;
  bool a = t->fd < WT__RP_STDIO_FDS, b = t->fd2 < WT__RP_STDIO_FDS;
  switch (t->kind) {
  case WT_TR_FD_OPENED:
  case WT_TR_FD_CLOSED:
    if (a)
      m[t->fd] = 0;
    break;
  case WT_TR_FD_RENUMBERED:
    if (b && t->fd != t->fd2)
      m[t->fd2] = a ? m[t->fd] : 0;
    if (a && t->fd != t->fd2)
      m[t->fd] = 0;
    break;
  case WT_TR_FD_DUPLICATED:
    if (b)
      m[t->fd2] = a ? m[t->fd] : 0;
    break;
  default:
    break;
  }
}

void wt__rp_follow_fds(wt_replay_t *r, const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ntransitions; i++)
    follow_fds(r, &c->transitions[i]);
}

void wt__rp_take_head(wt_replay_t *r) {
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0);
  if (h == NULL)
    return;
  wt__rp_follow_fds(r, h);
  wt__rp_consume(&r->s);
}

/* ---- the end of the run -------------------------------------------------- */

static void describe_end(const wt_trace_end_t *e, char *buf, size_t size) {
  switch (e->kind) {
  case WT_END_EXIT:
    snprintf(buf, size, "exit %u", e->exit_code);
    break;
  case WT_END_TRAP:
    snprintf(buf, size, "trap: %s", e->trap ? e->trap : "?");
    break;
  case WT_END_SIGNAL:
    snprintf(buf, size, "signal %s", wt__rp_signal_name(e->signal));
    break;
  default:
    snprintf(buf, size, "incomplete");
  }
}

static bool same_end(const wt_trace_end_t *a, const wt_trace_end_t *b) {
  if (a->kind != b->kind)
    return false;
  switch (a->kind) {
  case WT_END_EXIT:
    return a->exit_code == b->exit_code;
  case WT_END_TRAP:
    return strcmp(a->trap ? a->trap : "", b->trap ? b->trap : "") == 0;
  case WT_END_SIGNAL:
    return a->signal == b->signal;
  default:
    return true;
  }
}

/* The guest ended with records left: they are the divergence. */
static void leftover(wt_replay_t *r, const char *ended) {
  bool write = wt__rp_diverged(r);
  uint64_t n = 0;
  if (write) {
    wt__rp_headline(r, 0, "the guest ended (%s) but the recording goes on",
                    ended);
    wt__rp_printf(&r->report, "  next recorded calls:\n");
  }
  for (const wt_trace_call_t *h; (h = wt__rp_peek(&r->s, 0)) != NULL; n++) {
    if (write && n < 3) {
      wt__rp_printf(&r->report, "    ");
      wt__rp_render(&r->report, h);
      wt__rp_printf(&r->report, "\n");
    }
    wt__rp_consume(&r->s);
  }
  if (write)
    wt__rp_printf(&r->report, "  %llu recorded calls were not made%s\n",
                  (unsigned long long)n,
                  r->s.failed ? " (then the trace could not be read)" : "");
}

static void incomplete_end(wt_replay_t *r, const wt_trace_end_t *end,
                           const char *ended) {
  /* The recorder stopped after the guest's proc_exit: the end is known. */
  if (r->exited && end->kind == WT_END_EXIT && end->exit_code == r->exit_code)
    return;
  if (r->report.len > 0)
    wt__rp_printf(&r->report, "\n");
  wt__rp_printf(&r->report,
                "the trace is incomplete (its recorder stopped before the "
                "guest ended): all %llu recorded calls were replayed, then "
                "the guest ended (%s); the recording does not say how the "
                "original run ended\n",
                (unsigned long long)r->s.consumed, ended);
  wt__rp_status(r, WT_REPLAY_INCOMPLETE);
}

wt_replay_status_t wt_replay_finish(wt_replay_t *r, const wt_trace_end_t *end) {
  char ended[160], recorded[160];
  if (r->finished)
    return r->status;
  r->finished = true;
  r->ordinal = r->guest_calls;
  describe_end(end, ended, sizeof ended);
  if (r->stopped) {
    /* Nothing to check: the replay ended the guest itself. */
  } else if (wt__rp_peek(&r->s, 0) != NULL) {
    leftover(r, ended);
  } else if (r->s.failed) {
    wt__rp_fail(r, "cannot read the trace: %s", r->s.error);
  } else if (r->trace_incomplete) {
    incomplete_end(r, end, ended);
  } else if (!same_end(&r->rec_end, end) && wt__rp_diverged(r)) {
    describe_end(&r->rec_end, recorded, sizeof recorded);
    wt__rp_headline(r, 0, "the run ended differently: recorded %s, replay %s",
                    recorded, ended);
    wt__rp_report_history(r);
  }
  if (r->o.on_divergence == WT_REPLAY_REPORT && r->ndiv > 0)
    wt__rp_printf(&r->report,
                  "\n%llu divergence%s (%u reported); %llu of the guest's "
                  "%llu calls matched the recording\n",
                  (unsigned long long)r->ndiv, r->ndiv == 1 ? "" : "s",
                  r->nreported, (unsigned long long)r->matched,
                  (unsigned long long)r->guest_calls);
  return r->status;
}
