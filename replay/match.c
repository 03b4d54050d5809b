/*
 * The steps every replayed call goes through (calls.c expands them per
 * call): running the signal handlers the recording ran during it
 * (signal.c), matching it with its record, resynchronizing after a
 * divergence in REPORT mode, and finishing (stdout and stderr, hooks,
 * consuming the record).
 */
#include <errno.h>
#include <unistd.h>

#include "internal.h"

/* REPORT mode gives up after this many calls in a row without a record. */
#define MAX_UNMATCHED_RUN 1000

bool wt__rp_enter(wt_replay_t *r) {
  if (r->front_next == NULL)
    return true;
  if (r->front_pending == 0)
    return false;
  r->front_pending--;
  return true;
}

wt__rp_act_t *wt__rp_act_start(wt_replay_t *r, uint16_t id) {
  r->act.call = id;
  r->act.refused = false;
  r->act.args.len = 0;
  r->act.nin = 0;
  return &r->act;
}

void wt__rp_act_in(wt__rp_act_t *a, uint32_t arg, const wt_ciovec_t *v,
                   uint32_t n) {
  uint64_t size = 0;
  if (a->nin == WT__RP_MAX_IN)
    return;
  for (uint32_t i = 0; i < n; i++)
    size += v[i].buf_len;
  a->in[a->nin].arg = arg;
  a->in[a->nin].v = v;
  a->in[a->nin].n = n;
  a->in[a->nin].size = size;
  a->nin++;
}

/* ---- divergences --------------------------------------------------------- */

static void report_call(wt_replay_t *r, const wt_trace_call_t *rec,
                        const wt__rp_act_t *a) {
  wt__rp_printf(&r->report, "  recorded: ");
  wt__rp_render(&r->report, rec);
  wt__rp_printf(&r->report, "\n  actual:   ");
  wt__rp_render_act(&r->report, &r->scratch, a);
  wt__rp_printf(&r->report, "\n  differences:\n");
  wt__rp_diff(&r->report, &r->scratch, rec, a);
  wt__rp_report_history(r);
}

/*
 * A write that recorded writing all its bytes tells the guest it wrote all
 * of its own (so that it does not retry the rest): a copy of rec with the
 * guest's count.
 */
static const wt_trace_call_t *
modified(wt_replay_t *r, const wt_trace_call_t *rec, const wt__rp_act_t *a) {
  const wt_trace_payload_t *pl;
  uint32_t n;
  if (a->nin == 0 || rec->err != WT_ESUCCESS || rec->results_len != 4 ||
      (pl = wt__rp_payload(rec, a->in[0].arg, WT_PAYLOAD_IN)) == NULL ||
      wt__ld32(rec->results) != pl->size ||
      wt__rp_rec_copy(&r->synth, rec, UINT32_MAX) < 0)
    return rec;
  n = a->in[0].size < UINT32_MAX ? (uint32_t)a->in[0].size : UINT32_MAX;
  memcpy(r->synth.mem + rec->args_len, &n, 4);
  return &r->synth.c;
}

/* REPORT mode: where to go on after a call that did not match. */
static const wt_trace_call_t *resync(wt_replay_t *r, const wt__rp_act_t *a,
                                     bool write) {
  const wt_trace_call_t *c;
  for (uint32_t k = 1; k <= r->o.window; k++) {
    /* Not past the records of a running signal handler. */
    if ((c = wt__rp_peek(&r->s, k)) == NULL || !wt__rp_in_handler(r, c))
      break;
    if (wt__rp_equal(c, a, &r->scratch)) {
      uint64_t first = wt__rp_peek(&r->s, 0)->seq;
      if (write)
        wt__rp_printf(&r->report,
                      "  continuing: skipped %u recorded calls the guest "
                      "did not make (seq %llu to %llu)\n",
                      k, (unsigned long long)first,
                      (unsigned long long)first + k - 1);
      while (k-- > 0)
        wt__rp_take_head(r);
      r->extra_run = 0;
      r->matched++;
      return wt__rp_peek(&r->s, 0);
    }
  }
  if (r->s.failed) {
    wt__rp_fail(r, "cannot read the trace: %s", r->s.error);
    return NULL;
  }
  c = wt__rp_peek(&r->s, 0);
  if (c != NULL && c->call == a->call) {
    if (write)
      wt__rp_printf(&r->report,
                    "  continuing: the guest gets the recorded outputs\n");
    r->extra_run = 0;
    return modified(r, c, a);
  }
  if (write)
    wt__rp_printf(&r->report,
                  "  continuing: the call fails with NOTSUP; the recording "
                  "stays at seq %llu\n",
                  (unsigned long long)(c != NULL ? c->seq : r->s.last_seq + 1));
  if (++r->extra_run == MAX_UNMATCHED_RUN) {
    wt__rp_printf(&r->report,
                  "\ngiving up: %d calls in a row have no counterpart in the "
                  "recording\n",
                  MAX_UNMATCHED_RUN);
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
  }
  return NULL;
}

static const wt_trace_call_t *
diverge(wt_replay_t *r, const wt_trace_call_t *rec, const wt__rp_act_t *a) {
  bool write = wt__rp_diverged(r);
  if (write) {
    if (rec->call != a->call)
      wt__rp_headline(r, rec->seq,
                      "the guest called %s where the recording has %s",
                      wt_call_name(a->call), wt_call_name(rec->call));
    else if (a->refused != wt_trace_call_refused(rec))
      wt__rp_headline(r, rec->seq,
                      "the guest ABI %s the guest's %s, which the recording "
                      "%s",
                      a->refused ? "refused" : "accepted",
                      wt_call_name(a->call),
                      a->refused ? "has run" : "has refused");
    else
      wt__rp_headline(r, rec->seq, "the guest called %s with other inputs",
                      wt_call_name(a->call));
    report_call(r, rec, a);
  }
  if (r->o.on_divergence == WT_REPLAY_STOP) {
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
    return NULL;
  }
  return resync(r, a, write);
}

/* The guest made a call and the recording has none left. */
static const wt_trace_call_t *past_end(wt_replay_t *r, const wt__rp_act_t *a) {
  bool write;
  if (r->s.failed) {
    wt__rp_fail(r, "cannot read the trace: %s", r->s.error);
    return NULL;
  }
  if (r->trace_incomplete) {
    if (r->report.len > 0)
      wt__rp_printf(&r->report, "\n");
    wt__rp_printf(&r->report,
                  "the trace ends after %llu calls: its recorder stopped "
                  "before the guest ended (it was killed or closed early). "
                  "The replay reproduced the run up to there; the guest's "
                  "next call was\n  ",
                  (unsigned long long)r->s.consumed);
    wt__rp_render_act(&r->report, &r->scratch, a);
    wt__rp_printf(&r->report, "\n");
    wt__rp_stop(r, WT_REPLAY_INCOMPLETE);
    return NULL;
  }
  if ((write = wt__rp_diverged(r))) {
    wt__rp_headline(r, 0, "the guest called %s after the last recorded call",
                    wt_call_name(a->call));
    wt__rp_printf(&r->report, "  actual:   ");
    wt__rp_render_act(&r->report, &r->scratch, a);
    wt__rp_printf(&r->report, "\n");
    wt__rp_report_history(r);
  }
  if (r->o.on_divergence == WT_REPLAY_STOP)
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
  else if (++r->extra_run == MAX_UNMATCHED_RUN)
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
  return NULL;
}

/* REPORT mode after a divergence: the call gets no record. */
static const wt_trace_call_t *unmatched_call(wt_replay_t *r) {
  if (r->o.on_divergence == WT_REPLAY_STOP ||
      ++r->extra_run == MAX_UNMATCHED_RUN)
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
  return NULL;
}

/* The guest's call and the record set aside for it do not match. */
static const wt_trace_call_t *diverge_held(wt_replay_t *r,
                                           const wt_trace_call_t *rec,
                                           const wt__rp_act_t *a) {
  if (wt__rp_diverged(r)) {
    wt__rp_headline(r, rec->seq, "the guest called %s %s",
                    wt_call_name(a->call),
                    rec->call != a->call ? "where the recording has another "
                                           "call"
                                         : "with other inputs");
    report_call(r, rec, a);
  }
  if (r->o.on_divergence == WT_REPLAY_REPORT && rec->call == a->call)
    return modified(r, rec, a);
  return unmatched_call(r);
}

/* A call the recording has no record of, or no more records for. */
static const wt_trace_call_t *no_record(wt_replay_t *r, const wt__rp_act_t *a,
                                        const char *why) {
  if (wt__rp_diverged(r)) {
    wt__rp_headline(r, 0, "the guest called %s, and %s", wt_call_name(a->call),
                    why);
    wt__rp_printf(&r->report, "  actual:   ");
    wt__rp_render_act(&r->report, &r->scratch, a);
    wt__rp_printf(&r->report, "\n");
    wt__rp_report_history(r);
  }
  return unmatched_call(r);
}

const wt_trace_call_t wt__rp_retry;

const wt_trace_call_t *wt__rp_match(wt_replay_t *r, const wt__rp_act_t *a,
                                    wt__rp_try_t *t) {
  const wt_trace_call_t *h;
  if (t->ordinal == 0)
    t->ordinal = ++r->guest_calls;
  r->ordinal = t->ordinal;
  if (r->stopped)
    return NULL;
  if (a->args.oom) {
    wt__rp_fail(r, "out of memory");
    return NULL;
  }
  if (!t->handled && wt__rp_signals(r, a, t))
    return r->stopped ? NULL : &wt__rp_retry;
  if (t->handled && !wt__rp_after_handlers(r, t))
    return NULL;
  if (t->held) {
    h = &r->frames[t->frame].rec.c;
    if (!wt__rp_equal(h, a, &r->scratch))
      return diverge_held(r, h, a);
    r->matched++;
    return h;
  }
  if (t->missing)
    return no_record(r, a,
                     "the recording has none: its signal handler ended the "
                     "recorded run during this call, and here it returned");
  h = wt__rp_peek(&r->s, 0);
  if (h != NULL && !wt__rp_in_handler(r, h))
    return no_record(r, a,
                     "the recording has none: the guest's signal handler "
                     "makes more calls than recorded");
  if (h != NULL && h->seq > r->s.last_seq + 1) {
    wt__rp_fail(r, "the trace is damaged: records %llu to %llu are missing",
                (unsigned long long)r->s.last_seq + 1,
                (unsigned long long)h->seq - 1);
    return NULL;
  }
  if (h == NULL)
    return past_end(r, a);
  if (wt__rp_equal(h, a, &r->scratch)) {
    r->extra_run = 0;
    r->matched++;
    return h;
  }
  return diverge(r, h, a);
}

wt_errno_t wt__rp_unmatched(wt_replay_t *r) {
  return r->stopped ? WT_ECANCELED : WT_ENOTSUP;
}

wt_errno_t wt__rp_corrupt(wt_replay_t *r, const wt_trace_call_t *rec,
                          const char *what) {
  wt__rp_fail(r,
              "the trace is corrupt: record %llu (%s) has %s that do not fit "
              "the call",
              (unsigned long long)rec->seq, wt_call_name(rec->call), what);
  return WT_ECANCELED;
}

/* ---- finishing a call ---------------------------------------------------- */

/* What the guest wrote to its stdout or stderr goes to ours. */
static void emit(wt_replay_t *r, const wt_trace_call_t *rec,
                 const wt__rp_act_t *a) {
  uint32_t fd;
  uint64_t n;
  int host;
  if ((a->call != WT_CALL_fd_write && a->call != WT_CALL_fd_pwrite) ||
      rec->err != WT_ESUCCESS || a->nin == 0 || rec->results_len < 4 ||
      (fd = wt__ld32(a->args.p)) >= WT__RP_STDIO_FDS || r->stdio[fd] == 0)
    return;
  host = r->stdio[fd] == 1 ? r->o.out_fd : r->o.err_fd;
  n = wt__ld32(rec->results) < a->in[0].size ? wt__ld32(rec->results)
                                             : a->in[0].size;
  for (uint32_t i = 0; i < a->in[0].n && n > 0 && host >= 0; i++) {
    const uint8_t *p = a->in[0].v[i].buf;
    size_t left = a->in[0].v[i].buf_len < n ? a->in[0].v[i].buf_len : n;
    n -= left;
    while (left > 0) {
      ssize_t w = write(host, p, left);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return; /* the terminal went away: the replay goes on regardless */
      p += w;
      left -= (size_t)w;
    }
  }
}

static void register_handler(wt_replay_t *r, const wt__rp_act_t *a) {
  wt__cur_t c = {a->args.p, a->args.p + a->args.len, false};
  uint32_t len = wt__cur_u32(&c);
  const uint8_t *name = wt__cur_take(&c, len);
  wt_errno_t e;
  r->handler_registered = true;
  if (r->o.signal_register == NULL || name == NULL)
    return;
  e = r->o.signal_register(r->o.signal_ud, (const char *)name, len);
  if (e != WT_ESUCCESS)
    wt__rp_fail(r,
                "the runtime could not register the guest's signal handler "
                "'%.*s' (%s), which the recording registered",
                (int)len, (const char *)name, wt_errno_name(e));
}

wt_errno_t wt__rp_done(wt_replay_t *r, const wt_trace_call_t *rec,
                       const wt__rp_act_t *a, const wt__rp_try_t *t,
                       wt_errno_t err) {
  uint8_t term = 0;
  emit(r, rec, a);
  for (uint32_t i = 0; i < rec->ntransitions; i++)
    if (rec->transitions[i].kind == WT_TR_SIGNAL_DEFAULT &&
        rec->transitions[i].b != 0)
      term = (uint8_t)rec->transitions[i].a;
  r->exited = a->call == WT_CALL_proc_exit && !a->refused;
  if (r->exited)
    r->exit_code = (uint32_t)wt__ld64(a->args.p);
  if (a->call == WT_CALL_callback_signal && rec->err == WT_ESUCCESS)
    register_handler(r, a);
  if (a->call == WT_CALL_proc_raise_interval && rec->err == WT_ESUCCESS)
    wt__rp_follow_timer(r, a);
  if (t->held) {
    wt__rp_follow_fds(r, rec);
    wt__rp_history_add(&r->s, rec);
  } else {
    wt__rp_take_head(r);
  }
  if (r->exited && r->o.proc_exit != NULL)
    r->o.proc_exit(r->o.proc_exit_ud, r->exit_code);
  if (term != 0 && r->o.proc_raise != NULL)
    r->o.proc_raise(r->o.proc_raise_ud, term);
  return err;
}
