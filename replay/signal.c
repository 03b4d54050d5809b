/*
 * Signal handlers during a replay.
 *
 * The core runs a guest's signal handler synchronously inside a host call
 * (at its boundary, inside proc_raise, or inside a blocking call that then
 * returns EINTR). The tracer gives every call its seq when it starts, so
 * the record of the call a handler ran in comes first, with
 * SIGNAL_DELIVERED transitions, and the records of the handler's own calls
 * follow it, all starting before it ended. The replayer does the same:
 * it sets the call's record aside, runs the handler (the runtime's
 * signal_handler hook) for each delivered signal, which replays the
 * records that follow, and then matches the guest's call with the record
 * set aside. A handler that makes fewer or more calls than recorded is a
 * divergence.
 *
 * A handler that ends the run (proc_exit, a trap) leaves the call it ran in
 * without a record: a gap in the seqs, or the end of the trace. When the
 * guest has a handler and the signal can be told (proc_raise's own, or the
 * one armed proc_raise_interval timer's), the handler runs there too and
 * replays the records after the gap.
 */
#include "internal.h"

static bool has_delivery(const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ntransitions; i++)
    if (c->transitions[i].kind == WT_TR_SIGNAL_DELIVERED)
      return true;
  return false;
}

bool wt__rp_in_handler(const wt_replay_t *r, const wt_trace_call_t *h) {
  const struct wt__rp_frame_s *f;
  if (r->sigdepth == 0)
    return true;
  f = &r->frames[r->sigdepth - 1];
  return f->missing || h->start_ns < f->end_ns;
}

/* The signal of a call whose record is missing: see the top of the file. */
static uint8_t inferred_signal(const wt_replay_t *r, const wt__rp_act_t *a) {
  uint32_t t = r->timers;
  if (a->call == WT_CALL_proc_raise)
    return (uint8_t)wt__ld64(a->args.p);
  return t != 0 && (t & (t - 1)) == 0 ? (uint8_t)__builtin_ctz(t) : 0;
}

void wt__rp_follow_timer(wt_replay_t *r, const wt__rp_act_t *a) {
  uint64_t sig = wt__ld64(a->args.p), interval = wt__ld64(a->args.p + 8);
  uint64_t repeat = wt__ld64(a->args.p + 16);
  uint32_t bit = sig < 32 ? 1u << sig : 0;
  r->timers = interval != 0 ? r->timers | bit : r->timers & ~bit;
  r->timers_repeat =
      repeat != 0 ? r->timers_repeat | bit : r->timers_repeat & ~bit;
}

static bool run_handler(wt_replay_t *r, uint8_t sig, uint16_t call) {
  if (r->o.signal_handler == NULL) {
    wt__rp_fail(r,
                "the recording ran the guest's handler for signal %s during "
                "a call to %s, but this replay has no signal handler hook",
                wt__rp_signal_name(sig), wt_call_name(call));
    return false;
  }
  /* A timer that does not repeat is spent once its signal arrived. */
  if (sig < 32 && !(r->timers_repeat & (1u << sig)))
    r->timers &= ~(1u << sig);
  r->o.signal_handler(r->o.signal_ud, sig);
  return !r->stopped;
}

static struct wt__rp_frame_s *push_frame(wt_replay_t *r, wt__rp_try_t *t) {
  if (r->sigdepth == WT__RP_SIG_DEPTH) {
    wt__rp_fail(r, "signal handlers nested more than %d deep",
                WT__RP_SIG_DEPTH);
    return NULL;
  }
  t->handled = true;
  t->frame = r->sigdepth;
  return &r->frames[r->sigdepth];
}

/* The head is the guest's call and delivered signals: see the top. */
static bool hold_and_deliver(wt_replay_t *r, const wt__rp_act_t *a,
                             wt__rp_try_t *t) {
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0);
  struct wt__rp_frame_s *f = push_frame(r, t);
  if (f == NULL)
    return true;
  if (wt__rp_rec_copy(&f->rec, h, UINT32_MAX) < 0) {
    wt__rp_fail(r, "out of memory");
    return true;
  }
  f->end_ns = h->start_ns + h->dur_ns;
  f->missing = false;
  t->held = true;
  wt__rp_pop(&r->s); /* into the history when the call is done */
  r->sigdepth++;
  for (uint32_t i = 0; i < f->rec.c.ntransitions; i++)
    if (f->rec.c.transitions[i].kind == WT_TR_SIGNAL_DELIVERED &&
        !run_handler(r, (uint8_t)f->rec.c.transitions[i].a, a->call))
      break;
  r->sigdepth--;
  return true;
}

/* The guest's call has no record: a handler ended the run inside it. */
static bool deliver_missing(wt_replay_t *r, const wt__rp_act_t *a,
                            wt__rp_try_t *t, uint8_t sig) {
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0);
  struct wt__rp_frame_s *f = push_frame(r, t);
  if (f == NULL)
    return true;
  f->missing = true;
  t->missing = true;
  if (h != NULL)
    r->s.last_seq = h->seq - 1; /* the gap is this call */
  r->sigdepth++;
  run_handler(r, sig, a->call);
  r->sigdepth--;
  return true;
}

bool wt__rp_signals(wt_replay_t *r, const wt__rp_act_t *a, wt__rp_try_t *t) {
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0);
  bool gap = h != NULL && h->seq > r->s.last_seq + 1;
  bool ended = h == NULL && r->s.at_end && !r->s.failed && !r->trace_incomplete;
  uint8_t sig;
  if (h != NULL && !gap && h->call == a->call && has_delivery(h) &&
      wt__rp_in_handler(r, h))
    return hold_and_deliver(r, a, t);
  /* One handler that ended the run at a time. */
  if (!(gap || ended) || !r->handler_registered ||
      (r->sigdepth > 0 && r->frames[r->sigdepth - 1].missing) ||
      (sig = inferred_signal(r, a)) == 0)
    return false;
  return deliver_missing(r, a, t, sig);
}

bool wt__rp_after_handlers(wt_replay_t *r, const wt__rp_try_t *t) {
  const struct wt__rp_frame_s *f = &r->frames[t->frame];
  const wt_trace_call_t *h = wt__rp_peek(&r->s, 0);
  if (t->missing || h == NULL || h->start_ns >= f->end_ns)
    return true;
  if (wt__rp_diverged(r)) {
    wt__rp_headline(r, f->rec.c.seq,
                    "the guest's signal handler made fewer calls than the "
                    "recording has (the call it ran in is seq %llu)",
                    (unsigned long long)f->rec.c.seq);
    wt__rp_printf(&r->report, "  the handler's next recorded call: ");
    wt__rp_render(&r->report, h);
    wt__rp_printf(&r->report, "\n");
    wt__rp_report_history(r);
  }
  if (r->o.on_divergence == WT_REPLAY_STOP) {
    wt__rp_stop(r, WT_REPLAY_DIVERGED);
    return false;
  }
  while ((h = wt__rp_peek(&r->s, 0)) != NULL && h->start_ns < f->end_ns)
    wt__rp_take_head(r);
  return true;
}
