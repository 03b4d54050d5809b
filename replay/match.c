/*
 * The steps every replayed call goes through (calls.c expands them per
 * call): finding its record, running the signal handlers the recording ran
 * during it, matching, resynchronizing after a divergence, and finishing
 * (stdout and stderr, hooks).
 *
 * Signal handlers. The core runs a guest's handler synchronously inside a
 * call (at its boundary, inside proc_raise, or inside a blocking call that
 * then returns EINTR), and the calls the handler makes are recorded before
 * the call they ran in, which finishes last. So the record of such a call
 * carries SIGNAL_DELIVERED transitions, and the records of the handler's
 * calls come just before it and started after it. When the guest's call
 * does not match the head record and a handler is registered, the
 * replayer looks ahead for the first record that started before the head:
 * if it is the guest's call and delivered signals, their handlers run now
 * (through the signal_handler hook), replaying the records before it, and
 * the guest's call then matches that record.
 */
#include <errno.h>
#include <unistd.h>

#include "internal.h"

/* REPORT mode gives up after this many calls in a row without a record. */
#define MAX_UNMATCHED_RUN 1000
/* Signals delivered during one call, at most. */
#define MAX_DELIVERIES 32

static uint32_t ld32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint64_t ld64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

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

/* ---- signals ------------------------------------------------------------- */

static bool has_delivery(const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ntransitions; i++)
    if (c->transitions[i].kind == WT_TR_SIGNAL_DELIVERED)
      return true;
  return false;
}

static bool delivering(const wt_replay_t *r, uint64_t seq) {
  for (uint32_t i = 0; i < r->sigdepth; i++)
    if (r->sigstack[i] == seq)
      return true;
  return false;
}

/*
 * The call the head's call ran inside: the first later record (within the
 * window) that started before it; *k gets its position. NULL when there is
 * none; then *end says whether the trace ended first.
 */
static const wt_trace_call_t *enclosing(wt_replay_t *r, uint32_t *k,
                                        bool *end) {
  uint64_t start = wt__rp_peek(&r->s, 0)->start_ns;
  for (uint32_t i = 1; i <= r->o.window; i++) {
    const wt_trace_call_t *c = wt__rp_peek(&r->s, i);
    if (c == NULL) {
      *end = !r->s.failed;
      return NULL;
    }
    if (c->start_ns < start) {
      *k = i;
      return c;
    }
  }
  return NULL;
}

/*
 * The signal a handler ran for during the guest's call when the trace does
 * not say: proc_raise's own, or the one armed timer's. 0 when unknown.
 */
static uint8_t inferred_signal(const wt_replay_t *r, const wt__rp_act_t *a) {
  uint32_t t = r->timers;
  if (a->call == WT_CALL_proc_raise)
    return (uint8_t)ld64(a->args.p);
  return t != 0 && (t & (t - 1)) == 0 ? (uint8_t)__builtin_ctz(t) : 0;
}

static bool run_handler(wt_replay_t *r, uint8_t sig, uint64_t seq,
                        uint16_t call) {
  if (r->o.signal_handler == NULL) {
    wt__rp_fail(r,
                "the recording ran the guest's handler for signal %s during "
                "seq %llu (%s), but this replay has no signal handler hook",
                wt__rp_signal_name(sig), (unsigned long long)seq,
                wt_call_name(call));
    return false;
  }
  /* A timer that does not repeat is spent once its signal arrived. */
  if (sig < 32 && !(r->timers_repeat & (1u << sig)))
    r->timers &= ~(1u << sig);
  r->o.signal_handler(r->o.signal_ud, sig);
  return !r->stopped;
}

/* Whether records made by a handler still come before record `seq`. */
static bool before(wt__rp_stream_t *s, uint64_t seq) {
  const wt_trace_call_t *h = wt__rp_peek(s, 0);
  return h != NULL && h->seq < seq;
}

/*
 * Runs the handlers the recording ran during o (at position k; NULL: its
 * record is missing because the handler ended the run): the signals its
 * SIGNAL_DELIVERED transitions name or, for a trace whose tracer dropped
 * them, the inferred one, as long as records made by a handler come before
 * o. False when nothing could be run.
 */
static bool deliver(wt_replay_t *r, const wt_trace_call_t *o, uint32_t k,
                    const wt__rp_act_t *a, wt__rp_try_t *t) {
  uint8_t sigs[MAX_DELIVERIES];
  uint32_t n = 0;
  uint64_t seq = UINT64_MAX;
  if (o != NULL && k == 0 && (o = wt__rp_pin(&r->s)) == NULL)
    return false;
  if (o != NULL)
    seq = o->seq;
  for (uint32_t i = 0; o != NULL && i < o->ntransitions; i++)
    if (o->transitions[i].kind == WT_TR_SIGNAL_DELIVERED && n < MAX_DELIVERIES)
      sigs[n++] = (uint8_t)o->transitions[i].a;
  if (n == 0 && (sigs[0] = inferred_signal(r, a)) == 0)
    return false;
  if (r->sigdepth == WT__RP_SIG_DEPTH) {
    wt__rp_fail(r, "signal handlers nested more than %d deep",
                WT__RP_SIG_DEPTH);
    return true;
  }
  t->expect = seq;
  r->sigstack[r->sigdepth++] = seq;
  if (n > 0) {
    for (uint32_t i = 0; i < n && run_handler(r, sigs[i], seq, a->call); i++)
      ;
  } else {
    for (uint32_t i = 0; i < MAX_DELIVERIES &&
                         run_handler(r, sigs[0], seq, a->call) &&
                         seq != UINT64_MAX && before(&r->s, seq);
         i++)
      ;
  }
  r->sigdepth--;
  return true;
}

/*
 * Before matching: did the recording run signal handlers during this
 * call? Said by the trace (the head is the guest's call and has
 * SIGNAL_DELIVERED), or seen from the records: the head does not match,
 * and a later record that started before it is the guest's call (the
 * head's call ran inside it), or the trace ends first (the handler ended
 * the run inside the guest's call, whose record was never written). True
 * when handlers ran.
 */
static bool signals(wt_replay_t *r, const wt__rp_act_t *a,
                    wt__rp_try_t *t) {
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0), *o = NULL;
  uint32_t k = 0;
  bool end = h == NULL && !r->s.failed;
  if (h != NULL && delivering(r, h->seq))
    return false; /* a handler made more calls than recorded */
  if (h != NULL && h->call == a->call && has_delivery(h))
    return deliver(r, h, 0, a, t);
  if (!r->handler_registered ||
      (h != NULL && wt__rp_equal(h, a, &r->scratch)))
    return false;
  if (h != NULL && (o = enclosing(r, &k, &end)) != NULL &&
      (o->call != a->call || delivering(r, o->seq)))
    return false;
  /* One handler that ends the run at a time. */
  if (o == NULL && (!end || delivering(r, UINT64_MAX)))
    return false;
  return deliver(r, o, k, a, t);
}

/* The handlers made another number of calls than the recording has. */
static bool handler_mismatch(wt_replay_t *r, uint64_t seq) {
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0);
  bool fewer = h != NULL && h->seq < seq;
  if (h == NULL && r->s.failed) {
    wt__rp_fail(r, "cannot read the trace: %s", r->s.error);
    return false;
  }
  if (wt__rp_diverged(r)) {
    wt__rp_headline(r,
                    "the guest's signal handler made %s calls than the "
                    "recording has (the call it ran in is seq %llu)",
                    fewer ? "fewer" : "more", (unsigned long long)seq);
    if (h != NULL) {
      wt__rp_printf(&r->report, "  the recording goes on with: ");
      wt__rp_render(&r->report, h);
      wt__rp_printf(&r->report, "\n");
    }
    wt__rp_report_history(r);
  }
  if (r->o.on_divergence == WT_REPLAY_STOP) {
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
    return false;
  }
  while (before(&r->s, seq))
    wt__rp_take_head(r);
  return true;
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
static const wt_trace_call_t *modified(wt_replay_t *r,
                                       const wt_trace_call_t *rec,
                                       const wt__rp_act_t *a) {
  const wt_trace_payload_t *pl;
  uint32_t n;
  if (a->nin == 0 || rec->err != WT_ESUCCESS || rec->results_len != 4 ||
      (pl = wt__rp_payload(rec, a->in[0].arg, WT_PAYLOAD_IN)) == NULL ||
      ld32(rec->results) != pl->size ||
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
    if ((c = wt__rp_peek(&r->s, k)) == NULL || delivering(r, c->seq))
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
                  (unsigned long long)r->s.consumed + 1);
  if (++r->extra_run == MAX_UNMATCHED_RUN) {
    wt__rp_printf(&r->report,
                  "\ngiving up: %d calls in a row have no counterpart in the "
                  "recording\n",
                  MAX_UNMATCHED_RUN);
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
  }
  return NULL;
}

static const wt_trace_call_t *diverge(wt_replay_t *r,
                                      const wt_trace_call_t *rec,
                                      const wt__rp_act_t *a) {
  bool write = wt__rp_diverged(r);
  if (write) {
    if (rec->call != a->call)
      wt__rp_headline(r, "the guest called %s where the recording has %s",
                      wt_call_name(a->call), wt_call_name(rec->call));
    else
      wt__rp_headline(r, "the guest called %s with other inputs",
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
    wt__rp_headline(r, "the guest called %s after the last recorded call",
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
  if (t->expect == 0) {
    h = wt__rp_peek(&r->s, 0);
    if ((r->handler_registered || (h != NULL && h->ntransitions > 0)) &&
        signals(r, a, t))
      return r->stopped ? NULL : &wt__rp_retry;
  } else if (t->expect != UINT64_MAX &&
             ((h = wt__rp_peek(&r->s, 0)) == NULL || h->seq != t->expect) &&
             !handler_mismatch(r, t->expect)) {
    return NULL;
  }
  if (r->stopped)
    return NULL;
  if ((h = wt__rp_peek(&r->s, 0)) == NULL)
    return past_end(r, a);
  if (wt__rp_equal(h, a, &r->scratch)) {
    r->extra_run = 0;
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
  uint32_t fd = ld32(a->args.p);
  uint64_t n;
  int host;
  if ((a->call != WT_CALL_fd_write && a->call != WT_CALL_fd_pwrite) ||
      rec->err != WT_ESUCCESS || a->nin == 0 || rec->results_len < 4 ||
      fd >= WT__RP_STDIO_FDS || r->stdio[fd] == 0)
    return;
  host = r->stdio[fd] == 1 ? r->o.out_fd : r->o.err_fd;
  n = ld32(rec->results) < a->in[0].size ? ld32(rec->results) : a->in[0].size;
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
  wt__rp_cur_t c = {a->args.p, a->args.p + a->args.len, false};
  uint32_t len = wt__rp_u32(&c);
  const uint8_t *name = wt__rp_take(&c, len);
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

/* proc_raise_interval(sig, interval, repeat): which timers are armed. */
static void follow_timer(wt_replay_t *r, const wt__rp_act_t *a) {
  uint64_t sig = ld64(a->args.p), interval = ld64(a->args.p + 8);
  uint64_t repeat = ld64(a->args.p + 16);
  uint32_t bit = sig < 32 ? 1u << sig : 0;
  r->timers = interval != 0 ? r->timers | bit : r->timers & ~bit;
  r->timers_repeat =
      repeat != 0 ? r->timers_repeat | bit : r->timers_repeat & ~bit;
}

wt_errno_t wt__rp_done(wt_replay_t *r, const wt_trace_call_t *rec,
                       const wt__rp_act_t *a, wt_errno_t err) {
  uint8_t term = 0;
  emit(r, rec, a);
  for (uint32_t i = 0; i < rec->ntransitions; i++)
    if (rec->transitions[i].kind == WT_TR_SIGNAL_DEFAULT &&
        rec->transitions[i].b != 0)
      term = (uint8_t)rec->transitions[i].a;
  r->exited = a->call == WT_CALL_proc_exit;
  if (r->exited)
    r->exit_code = (uint32_t)ld64(a->args.p);
  if (a->call == WT_CALL_callback_signal && rec->err == WT_ESUCCESS)
    register_handler(r, a);
  if (a->call == WT_CALL_proc_raise_interval && rec->err == WT_ESUCCESS)
    follow_timer(r, a);
  wt__rp_take_head(r);
  if (r->exited && r->o.proc_exit != NULL)
    r->o.proc_exit(r->o.proc_exit_ud, r->exit_code);
  if (term != 0 && r->o.proc_raise != NULL)
    r->o.proc_raise(r->o.proc_raise_ud, term);
  return err;
}
