/*
 * export --format perfetto: the trace as Chrome trace-event JSON (the
 * "JSON Object Format" that ui.perfetto.dev and chrome://tracing read).
 *
 * Everything is one process and one thread (the guest): calls are complete
 * events on it, nested as export_state.c lays them out, with the record as
 * wt_viewer_json renders it in their args (so Perfetto's detail panel shows
 * what `view --json -y` shows); the state counters are counter events; and
 * denials, signals and the run's end are instant events. Times are
 * microseconds with three decimals: the trace's nanoseconds, exactly.
 *
 * Written as it is read, through a buffer flushed every 64 KiB.
 */
#include <stdio.h>
#include <stdlib.h>

#include "viewer_internal.h"

#define FLUSH_AT (64 * 1024)
#define PROGRESS_EVERY 4096

typedef struct pf_s {
  FILE *f;
  wt__sb_t b;
  wt_viewer_t *v;
  wt__xstate_t x;
  bool first, werr;
  char module[256];
} pf_t;

static void flush(pf_t *p, bool force) {
  if (p->b.len == 0 || (!force && p->b.len < FLUSH_AT))
    return;
  if (!p->b.oom && fwrite(p->b.s, 1, p->b.len, p->f) != p->b.len)
    p->werr = true;
  wt__sb_reset(&p->b);
}

/* Microseconds with nanosecond decimals. */
static void put_us(wt__sb_t *b, uint64_t ns) {
  char tmp[8];
  wt__sb_u64(b, ns / 1000);
  snprintf(tmp, sizeof tmp, ".%03u", (unsigned)(ns % 1000));
  wt__sb_puts(b, tmp);
}

static void put_str(wt__sb_t *b, const char *s) {
  wt__sb_json_str(b, s, strlen(s));
}

/* Starts an event: {"name":NAME,"ph":PH,"pid":1,"tid":1,"ts":TS */
static void event(pf_t *p, const char *name, const char *ph, uint64_t ts) {
  wt__sb_puts(&p->b, p->first ? "\n{\"name\":" : ",\n{\"name\":");
  p->first = false;
  put_str(&p->b, name);
  wt__sb_puts(&p->b, ",\"ph\":\"");
  wt__sb_puts(&p->b, ph);
  wt__sb_puts(&p->b, "\",\"pid\":1,\"tid\":1,\"ts\":");
  put_us(&p->b, ts);
}

static void header(pf_t *p) {
  wt__sb_puts(&p->b, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
  p->first = true;
  event(p, "process_name", "M", 0);
  wt__sb_puts(&p->b, ",\"args\":{\"name\":");
  {
    char name[300];
    snprintf(name, sizeof name, "wasitrace: %s", p->module);
    put_str(&p->b, name);
  }
  wt__sb_puts(&p->b, "}}");
  event(p, "thread_name", "M", 0);
  wt__sb_puts(&p->b, ",\"args\":{\"name\":");
  put_str(&p->b, p->module);
  wt__sb_puts(&p->b, "}}");
}

static void counter(void *ud, uint64_t ts, int track, uint32_t fd,
                    uint64_t value) {
  pf_t *p = ud;
  char name[48];
  if (track == WT__XS_EVENTFD)
    snprintf(name, sizeof name, "eventfd %u counter", fd);
  else if (track == WT__XS_EPOLL)
    snprintf(name, sizeof name, "epoll %u ready list", fd);
  else
    snprintf(name, sizeof name, "open fds");
  event(p, name, "C", ts);
  /* A bare number even past 2^53 (an eventfd counter near its maximum):
   * a counter's value must be numeric, and approximate is fine there. */
  wt__sb_puts(&p->b, ",\"args\":{\"value\":");
  wt__sb_u64(&p->b, value);
  wt__sb_puts(&p->b, "}}");
}

static void denials(pf_t *p, const wt_trace_call_t *c, uint64_t ts) {
  static const char *const src[WT_DENIAL_COUNT] = {"rights", "policy", "abi",
                                                   "sandbox"};
  for (uint32_t i = 0; i < c->ndenials; i++) {
    const wt_trace_denial_t *d = &c->denials[i];
    char name[64];
    snprintf(name, sizeof name, "denied: %s", wt_call_name(c->call));
    event(p, name, "i", ts);
    wt__sb_puts(&p->b, ",\"s\":\"t\",\"cat\":\"denial\",\"args\":{\"seq\":");
    wt__sb_json_u64(&p->b, c->seq);
    wt__sb_puts(&p->b, ",\"source\":");
    put_str(&p->b, d->source < WT_DENIAL_COUNT ? src[d->source] : "?");
    if (d->fd != UINT32_MAX) {
      wt__sb_puts(&p->b, ",\"fd\":");
      wt__sb_u64(&p->b, d->fd);
    }
    if (d->right != 0) {
      wt__sb_puts(&p->b, ",\"right\":");
      put_str(&p->b, wt_right_name(d->right));
    }
    if (d->rule != NULL) {
      wt__sb_puts(&p->b, ",\"rule\":");
      put_str(&p->b, d->rule);
    }
    wt__sb_puts(&p->b, "}}");
  }
}

static void signals(pf_t *p, const wt_trace_call_t *c, uint64_t ts) {
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *t = &c->transitions[i];
    uint8_t sig = (uint8_t)t->a;
    if (t->kind != WT_TR_SIGNAL_RAISED && t->kind != WT_TR_SIGNAL_DELIVERED &&
        t->kind != WT_TR_SIGNAL_DEFAULT)
      continue;
    event(p, wt_transition_description(t->kind), "i", ts);
    wt__sb_puts(&p->b, ",\"s\":\"t\",\"cat\":\"signal\",\"args\":{\"seq\":");
    wt__sb_json_u64(&p->b, c->seq);
    wt__sb_puts(&p->b, ",\"signal\":");
    wt__pr_signal(&p->b, &sig, sizeof sig);
    wt__sb_puts(&p->b, "}}");
  }
}

/* The call's complete event; -1 when its record is corrupt. */
static int call_event(pf_t *p, const wt_trace_call_t *c) {
  wt__xspan_t s;
  const char *json;
  size_t n;
  char name[64];
  int rc;
  wt__xs_span(&p->x, c, &s);
  rc = wt_viewer_json(p->v, c, &json, &n);
  if (json == NULL)
    return -1;
  if (c->err != WT_ESUCCESS)
    snprintf(name, sizeof name, "%s = %s", wt_call_name(c->call),
             wt_errno_name(c->err));
  else
    snprintf(name, sizeof name, "%s", wt_call_name(c->call));
  event(p, name, "X", s.start);
  wt__sb_puts(&p->b, ",\"dur\":");
  put_us(&p->b, s.end - s.start);
  wt__sb_puts(&p->b, ",\"cat\":");
  put_str(&p->b, wt__call_family(c->call));
  if (c->ndenials > 0)
    wt__sb_puts(&p->b, ",\"cname\":\"terrible\"");
  else if (c->err != WT_ESUCCESS)
    wt__sb_puts(&p->b, ",\"cname\":\"bad\"");
  wt__sb_puts(&p->b, ",\"args\":");
  wt__sb_putn(&p->b, json, n > 0 && json[n - 1] == '\n' ? n - 1 : n);
  wt__sb_putc(&p->b, '}');
  denials(p, c, s.start);
  signals(p, c, s.start);
  wt__xs_apply(&p->x, c, &s, counter, p);
  return rc;
}

static const char *meta_text(wt_trace_t *t, const char *key) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, key);
  return m != NULL && m->type == WT_META_TEXT ? m->text : NULL;
}

static int64_t meta_int(wt_trace_t *t, const char *key, int64_t dflt) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, key);
  return m != NULL && m->type == WT_META_INT ? m->i : dflt;
}

/* The run's end as an instant event, and the object's closing. */
static void trailer(pf_t *p, wt_trace_t *t, uint64_t ncalls) {
  const char *end = meta_text(t, "end"), *trap = meta_text(t, "trap");
  char name[160];
  if (end != NULL && strcmp(end, "exit") == 0)
    snprintf(name, sizeof name, "run ended: exit %lld",
             (long long)meta_int(t, "exit_code", -1));
  else if (end != NULL && strcmp(end, "trap") == 0)
    snprintf(name, sizeof name, "run ended: trap %.100s", trap ? trap : "?");
  else if (end != NULL && strcmp(end, "signal") == 0)
    snprintf(name, sizeof name, "run ended: signal %lld",
             (long long)meta_int(t, "signal", -1));
  else
    snprintf(name, sizeof name, "run incomplete");
  event(p, name, "i", p->x.last_end);
  wt__sb_puts(&p->b, ",\"s\":\"g\",\"cat\":\"run\",\"args\":{\"calls\":");
  wt__sb_json_u64(&p->b, ncalls);
  wt__sb_puts(&p->b, "}}\n],\"otherData\":{");
  for (uint32_t i = 0, k = 0; i < wt_trace_meta_count(t); i++) {
    const wt_trace_meta_t *m = wt_trace_meta_at(t, i);
    if (m->type != WT_META_TEXT && m->type != WT_META_INT)
      continue;
    wt__sb_puts(&p->b, k++ ? "," : "");
    put_str(&p->b, m->key);
    wt__sb_putc(&p->b, ':');
    if (m->type == WT_META_TEXT)
      put_str(&p->b, m->text);
    else
      wt__sb_json_u64(&p->b, (uint64_t)m->i);
  }
  wt__sb_puts(&p->b, "}}\n");
}

static int setup(pf_t *p, wt_trace_t *t, FILE *f) {
  wt_view_options_t vo;
  const char *mod = meta_text(t, "module_name");
  memset(p, 0, sizeof *p);
  p->f = f;
  wt__xs_init(&p->x);
  wt_view_options_init(&vo);
  vo.annotate_fds = true;
  if (wt_viewer_new(&vo, &p->v) < 0)
    return -1;
  snprintf(p->module, sizeof p->module, "%s", mod ? mod : "guest");
  for (uint32_t i = 0; i < wt_trace_meta_count(t); i++) {
    wt_viewer_meta(p->v, wt_trace_meta_at(t, i));
    wt__xs_meta(&p->x, wt_trace_meta_at(t, i));
  }
  return 0;
}

int wt_export_perfetto(wt_trace_t *t, FILE *f, const wt_export_options_t *o) {
  pf_t p;
  const wt_trace_call_t *c;
  uint64_t n = 0, total = wt__xs_total(t);
  int rc;
  if (setup(&p, t, f) < 0)
    return -1;
  header(&p);
  counter(&p, 0, WT__XS_OPEN, 0, p.x.nopen);
  while ((rc = wt_trace_next(t, &c)) > 0) {
    if (call_event(&p, c) < 0) {
      wt_trace_set_error("call %llu (%s) is corrupt: its arguments do not "
                         "match the call",
                         (unsigned long long)c->seq, wt_call_name(c->call));
      rc = -1;
      break;
    }
    flush(&p, false);
    if (++n % PROGRESS_EVERY == 0 && o != NULL && o->progress != NULL)
      o->progress(o->progress_ud, n, total);
  }
  if (rc == 0) {
    trailer(&p, t, n);
    flush(&p, true);
    if (o != NULL && o->progress != NULL)
      o->progress(o->progress_ud, n, total);
  }
  if (rc == 0 && (p.b.oom || p.werr || fflush(f) != 0)) {
    wt_trace_set_error(p.b.oom ? "out of memory" : "cannot write the export");
    rc = -1;
  }
  wt__sb_free(&p.b);
  wt__xs_free(&p.x);
  wt_viewer_free(p.v);
  return rc;
}

void wt_export_options_init(wt_export_options_t *o) {
  memset(o, 0, sizeof *o);
}
