/*
 * The tracer's lifetime (open, finish, close, interrupt), the run metadata,
 * and the sink wrapper. The writer thread is in writer.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "wt/sha256.h"

/*
 * The default ring's bounds (wt_tracer_ring_default). A small call takes
 * ~70-100 bytes of ring. When the SQLite writer (~0.75 us per call) trails
 * a guest making a call every ~0.3 us, the backlog grows by ~45 bytes per
 * call: 64 MiB absorb a burst of ~1.5 million calls, 16 MiB ~370,000. A
 * long recording laps the ring and so touches all of it: the cap bounds
 * what the recorder adds to the process's memory.
 */
#define RING_DEFAULT_MIN ((size_t)16 << 20)
#define RING_DEFAULT_MAX ((size_t)64 << 20)
#define MIN_RING (64u << 10)

/* WASITRACE_RING: bytes, or with a K, M or G suffix; 0 if unset or bad. */
static size_t ring_from_env(void) {
  const char *v = getenv("WASITRACE_RING");
  char *end;
  unsigned long long n;
  int shift = 0;
  if (v == NULL || *v < '0' || *v > '9')
    return 0;
  n = strtoull(v, &end, 10);
  if (*end == 'K' || *end == 'k')
    shift = 10, end++;
  else if (*end == 'M' || *end == 'm')
    shift = 20, end++;
  else if (*end == 'G' || *end == 'g')
    shift = 30, end++;
  if (*end != '\0' || n == 0 || n > (SIZE_MAX >> 30))
    return 0;
  return (size_t)n << shift;
}

size_t wt_tracer_ring_default(void) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  size_t want = ring_from_env(), ring = MIN_RING;
  /* From the environment: the largest power of two it allows. */
  if (want >= MIN_RING) {
    while (ring * 2 <= want && ring * 2 != 0)
      ring *= 2;
    return ring;
  }
  ring = RING_DEFAULT_MIN;
  if (pages <= 0 || page <= 0)
    return ring;
  want = (size_t)pages / 128 * (size_t)page;
  while (ring < RING_DEFAULT_MAX && ring * 2 <= want)
    ring *= 2;
  return ring;
}

/* ---- sinks ----------------------------------------------------------------
 */

wt_sink_t *wt_sink_new(const wt_sink_ops_t *ops, void *impl) {
  wt_sink_t *s = malloc(sizeof *s);
  if (s == NULL) {
    wt_trace_set_error("out of memory");
    return NULL;
  }
  s->ops = ops;
  s->impl = impl;
  return s;
}

int wt_sink_meta(wt_sink_t *s, const wt_trace_meta_t *m) {
  return s->ops->meta(s->impl, m);
}

int wt_sink_call(wt_sink_t *s, const wt_trace_call_t *c) {
  return s->ops->call(s->impl, c);
}

int wt_sink_commit(wt_sink_t *s) {
  return s->ops->commit(s->impl);
}

int wt_sink_close(wt_sink_t *s) {
  int rc = s->ops->close(s->impl);
  free(s);
  return rc;
}

/* ---- metadata
 * ------------------------------------------------------------------ */

static int meta_text(wt_sink_t *s, const char *key, uint8_t type,
                     const char *text) {
  wt_trace_meta_t m = {key, type, 0, text, NULL, 0};
  return wt_sink_meta(s, &m);
}

static int meta_int(wt_sink_t *s, const char *key, int64_t v) {
  wt_trace_meta_t m = {key, WT_META_INT, v, NULL, NULL, 0};
  return wt_sink_meta(s, &m);
}

/* argv / env as JSON arrays of strings. */
static void json_strings(wt__sb_t *b, const char *const *v, size_t n) {
  wt__sb_putc(b, '[');
  for (size_t i = 0; v != NULL && i < n && v[i] != NULL; i++) {
    if (i > 0)
      wt__sb_putc(b, ',');
    wt__sb_json_str(b, v[i], strlen(v[i]));
  }
  wt__sb_putc(b, ']');
}

static void json_preopens(wt__sb_t *b, const wt_tracer_options_t *o) {
  wt__sb_putc(b, '[');
  for (uint32_t i = 0; i < o->preopenc; i++) {
    const wt_preopen_t *p = &o->preopens[i];
    char *real = realpath(p->host_path, NULL);
    wt__sb_puts(b, i > 0 ? ",{\"guest\":" : "{\"guest\":");
    wt__sb_json_str(b, p->guest_path, strlen(p->guest_path));
    wt__sb_puts(b, ",\"host\":");
    wt__sb_json_str(b, p->host_path, strlen(p->host_path));
    /* Format 5: the host directory's absolute path (symlinks resolved),
     * which says where the run's files were whatever its cwd was. */
    wt__sb_puts(b, ",\"real\":");
    if (real != NULL)
      wt__sb_json_str(b, real, strlen(real));
    else
      wt__sb_puts(b, "null");
    free(real);
    wt__sb_putc(b, '}');
  }
  wt__sb_putc(b, ']');
}

static void json_sockets(wt__sb_t *b, const wt_tracer_options_t *o) {
  wt__sb_putc(b, '[');
  for (uint32_t i = 0; i < o->preopen_socketc; i++) {
    const wt_preopen_socket_t *p = &o->preopen_sockets[i];
    wt__sb_puts(b, i > 0 ? ",{\"address\":" : "{\"address\":");
    if (p->address != NULL)
      wt__sb_json_str(b, p->address, strlen(p->address));
    else
      wt__sb_puts(b, "null");
    wt__sb_puts(b, ",\"host_fd\":");
    wt__sb_i64(b, p->address != NULL ? -1 : p->host_fd);
    wt__sb_putc(b, '}');
  }
  wt__sb_putc(b, ']');
}

static size_t count_env(const char *const *envp) {
  size_t n = 0;
  while (envp != NULL && envp[n] != NULL)
    n++;
  return n;
}

/* "2024-05-01T12:00:00.123456789Z" and the same in ns. */
static int meta_time(wt_sink_t *s, const char *key) {
  struct timespec ts;
  struct tm tm;
  char text[64], frac[16], name[64];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(text, sizeof text - 16, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(frac, sizeof frac, ".%09ldZ", ts.tv_nsec);
  strcat(text, frac);
  snprintf(name, sizeof name, "%s_ns", key);
  if (meta_text(s, key, WT_META_TEXT, text) < 0)
    return -1;
  return meta_int(s, name,
                  (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec);
}

static int meta_host(wt_sink_t *s) {
  struct utsname u;
  char text[400];
  if (uname(&u) != 0)
    return meta_text(s, "host_os", WT_META_TEXT, "unknown");
  snprintf(text, sizeof text, "%s %s %s", u.sysname, u.release, u.machine);
  return meta_text(s, "host_os", WT_META_TEXT, text);
}

/* Format 5's provenance: where and from where the run was recorded. An
 * entry the system cannot give is left out. */
static int meta_provenance(wt_sink_t *s, const wt_tracer_options_t *o) {
  char host[HOST_NAME_MAX + 1];
  char *cwd = getcwd(NULL, 0);
  wt__sb_t b = {0};
  int rc = 0;
  if (gethostname(host, sizeof host) == 0) {
    host[sizeof host - 1] = 0;
    rc = meta_text(s, "hostname", WT_META_TEXT, host);
  }
  if (rc == 0 && cwd != NULL)
    rc = meta_text(s, "cwd", WT_META_TEXT, cwd);
  free(cwd);
  if (rc == 0 && o->tool_argv != NULL) {
    json_strings(&b, o->tool_argv, o->tool_argc);
    rc = b.oom ? -1 : meta_text(s, "tool_argv", WT_META_JSON, b.s);
  }
  wt__sb_free(&b);
  return rc;
}

static int meta_module(wt_sink_t *s, const wt_tracer_options_t *o) {
  uint8_t digest[32];
  char sha[65];
  wt_trace_meta_t m = {"module", WT_META_BLOB, 0,
                       NULL,     o->module,    o->module_len};
  if (o->module_name != NULL &&
      meta_text(s, "module_name", WT_META_TEXT, o->module_name) < 0)
    return -1;
  if (o->module == NULL)
    return 0;
  wt_sha256(o->module, o->module_len, digest);
  wt_sha256_hex(digest, sha);
  if (meta_text(s, "module_sha256", WT_META_TEXT, sha) < 0 ||
      meta_int(s, "module_size", (int64_t)o->module_len) < 0)
    return -1;
  return o->store_module ? wt_sink_meta(s, &m) : 0;
}

int wt__meta_write(wt_sink_t *s, const wt_tracer_options_t *o) {
  wt__sb_t b = {0};
  int rc = -1;
  if (meta_text(s, "format", WT_META_TEXT, "wasitrace") < 0 ||
      meta_int(s, "format_version", WT_TRACE_FORMAT_VERSION) < 0 ||
      meta_text(s, "tool_version", WT_META_TEXT, wt_version_string()) < 0 ||
      meta_text(s, "capture", WT_META_TEXT, wt_capture_name(o->capture)) < 0 ||
      meta_text(s, "end", WT_META_TEXT, "incomplete") < 0 || meta_host(s) < 0 ||
      meta_provenance(s, o) < 0 ||
      meta_time(s, "start_time") < 0 || meta_module(s, o) < 0)
    goto out;
  if (o->memory_check != NULL &&
      meta_text(s, "memory_check", WT_META_TEXT, o->memory_check) < 0)
    goto out;
  if (o->compile_tier != NULL &&
      meta_text(s, "compile_tier", WT_META_TEXT, o->compile_tier) < 0)
    goto out;
  json_strings(&b, o->argv, o->argc);
  if (meta_text(s, "argv", WT_META_JSON, b.s) < 0)
    goto out;
  wt__sb_reset(&b);
  json_strings(&b, o->envp, count_env(o->envp));
  if (meta_text(s, "env", WT_META_JSON, b.s) < 0)
    goto out;
  wt__sb_reset(&b);
  json_preopens(&b, o);
  if (meta_text(s, "preopens", WT_META_JSON, b.s) < 0)
    goto out;
  wt__sb_reset(&b);
  json_sockets(&b, o);
  if (b.oom || meta_text(s, "socket_preopens", WT_META_JSON, b.s) < 0)
    goto out;
  rc = 0;
out:
  wt__sb_free(&b);
  return rc;
}

int wt__meta_write_end(wt_sink_t *s, const wt_trace_end_t *end,
                       uint64_t calls, const wt__ring_t *ring) {
  static const char *const kinds[] = {"incomplete", "exit", "trap", "signal"};
  /* Whether recording made the guest wait for the writer, and how long. */
  if (meta_int(s, "ring_size", (int64_t)ring->size) < 0 ||
      meta_int(s, "ring_waits", (int64_t)atomic_load(&ring->waits)) < 0 ||
      meta_int(s, "ring_wait_ns", (int64_t)atomic_load(&ring->wait_ns)) < 0)
    return -1;
  if (meta_int(s, "calls", (int64_t)calls) < 0 ||
      meta_time(s, "end_time") < 0 ||
      meta_text(s, "end", WT_META_TEXT, kinds[end->kind]) < 0)
    return -1;
  switch (end->kind) {
  case WT_END_EXIT:
    return meta_int(s, "exit_code", end->exit_code);
  case WT_END_TRAP:
    if (end->trap_backtrace != NULL &&
        meta_text(s, "trap_backtrace", WT_META_JSON, end->trap_backtrace) < 0)
      return -1;
    return meta_text(s, "trap", WT_META_TEXT,
                     end->trap != NULL ? end->trap : "unknown");
  case WT_END_SIGNAL:
    return meta_int(s, "signal", end->signal);
  default:
    return 0;
  }
}

/* ---- open and finish
 * ---------------------------------------------------------- */

static void *lib_malloc(size_t n, void *ud) {
  (void)ud;
  return malloc(n);
}
static void lib_free(void *p, void *ud) {
  (void)ud;
  free(p);
}

void *wt__tmalloc(wt_tracer_t *t, size_t n) {
  return t->mem.malloc(n, t->mem.ud);
}

void wt__tfree(wt_tracer_t *t, void *p) {
  if (p != NULL)
    t->mem.free(p, t->mem.ud);
}

void wt_tracer_options_init(wt_tracer_options_t *o) {
  memset(o, 0, sizeof *o);
  o->capture = WT_CAPTURE_REPLAY;
  o->store_module = true;
}

static int check_options(const wt_tracer_options_t *o, size_t *ring) {
  *ring = o->ring_size ? o->ring_size : wt_tracer_ring_default();
  if (*ring < MIN_RING || (*ring & (*ring - 1)) != 0) {
    wt_trace_set_error("ring size %zu is not a power of two >= %u", *ring,
                       MIN_RING);
    return -1;
  }
  if ((unsigned)o->capture > WT_CAPTURE_META) {
    wt_trace_set_error("unknown capture mode %d", (int)o->capture);
    return -1;
  }
  if (o->own_fd_table && o->core == NULL) {
    wt_trace_set_error("own_fd_table needs the core (options.core)");
    return -1;
  }
  if ((unsigned)o->on_record_error > WT_ON_RECORD_ERROR_CONTINUE) {
    wt_trace_set_error("unknown on_record_error %d", (int)o->on_record_error);
    return -1;
  }
  return 0;
}

/*
 * The writer runs with signals blocked: they are the guest thread's. With
 * own_fd_table, this waits until the writer has its copy of the fd table
 * (writer.c): the guest's fds must not change while it is taken.
 */
static int start_writer(wt_tracer_t *t) {
  sigset_t all, old;
  int rc;
  if (sem_init(&t->started, 0, 0) != 0) {
    wt_trace_set_error("cannot start the writer thread");
    return -1;
  }
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  rc = pthread_create(&t->writer, NULL, wt__writer_main, t);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc == 0)
    while (sem_wait(&t->started) != 0 && errno == EINTR)
      ;
  sem_destroy(&t->started);
  if (rc != 0) {
    wt_trace_set_error("cannot start the writer thread");
    return -1;
  }
  t->writer_started = true;
  return 0;
}

/*
 * The ring's memory: the embedder's allocator if it gave one, else a
 * mapping on huge pages (ring.c); under AddressSanitizer, libc's, whose
 * red zones catch a record written past the ring's end.
 */
#if defined(__SANITIZE_ADDRESS__)
#define RING_MAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RING_MAP 0
#endif
#endif
#ifndef RING_MAP
#define RING_MAP 1
#endif

static uint8_t *ring_alloc(const wt_allocator_t *a, const wt_allocator_t *mem,
                           size_t n, bool *mapped) {
  *mapped = a == NULL && RING_MAP;
  return *mapped ? wt__ring_map(n) : mem->malloc(n, mem->ud);
}

static void tracer_free(wt_tracer_t *t) {
  wt_allocator_t mem = t->mem;
  if (t->trs != t->trs_inline)
    wt__tfree(t, t->trs);
  wt__ring_destroy(&t->ring);
  if (t->ring_mapped)
    wt__ring_unmap(t->ring.buf, t->ring.size);
  else
    wt__tfree(t, t->ring.buf);
  mem.free(t->block, mem.ud);
}

/*
 * The tracer keeps each side of the ring on cache lines of its own, so it
 * needs 64-byte alignment, more than malloc (or an embedder's allocator)
 * promises: it sits 64-aligned inside a block 63 bytes larger.
 */
static wt_tracer_t *tracer_alloc(const wt_allocator_t *mem) {
  size_t align = _Alignof(wt_tracer_t);
  uint8_t *block = mem->malloc(sizeof(wt_tracer_t) + align - 1, mem->ud);
  wt_tracer_t *t;
  if (block == NULL)
    return NULL;
  t = (wt_tracer_t *)(((uintptr_t)block + align - 1) & ~(uintptr_t)(align - 1));
  memset(t, 0, sizeof *t);
  t->block = block;
  t->mem = *mem;
  return t;
}

static wt_tracer_t *tracer_new(const wt_tracer_options_t *o, size_t ring) {
  wt_allocator_t mem = {NULL, lib_malloc, lib_free, NULL, NULL};
  wt_tracer_t *t;
  uint8_t *buf;
  bool mapped;
  if (o->allocator != NULL)
    mem = *o->allocator;
  t = tracer_alloc(&mem);
  buf = ring_alloc(o->allocator, &mem, ring, &mapped);
  if (t == NULL || buf == NULL)
    goto fail;
  t->ring_mapped = mapped;
  if (wt__ring_init(&t->ring, buf, ring) < 0) {
    wt_trace_set_error("cannot initialize the ring's lock");
    goto fail_quiet;
  }
  return t;
fail:
  wt_trace_set_error("out of memory for a %zu-byte ring", ring);
fail_quiet:
  if (buf != NULL && mapped)
    wt__ring_unmap(buf, ring);
  else if (buf != NULL)
    mem.free(buf, mem.ud);
  if (t != NULL)
    mem.free(t->block, mem.ud);
  return NULL;
}

/* The core's sandbox refusals, as sandbox denials of the call in progress. */
static void on_sandbox(void *ud, const wt_sandbox_event_t *ev) {
  wt_trace_denial_t d;
  char given[WT__DENY_STR], rule[WT__DENY_STR];
  uint32_t n = ev->given_len < sizeof given ? ev->given_len : sizeof given - 1;
  memset(&d, 0, sizeof d);
  if (n > 0)
    memcpy(given, ev->given, n);
  given[n] = 0;
  if (ev->link != NULL)
    snprintf(rule, sizeof rule, "%s: %s -> %s",
             wt_sandbox_reason_description(ev->reason), ev->link,
             ev->target != NULL ? ev->target : "");
  else
    snprintf(rule, sizeof rule, "%s", wt_sandbox_reason_description(ev->reason));
  d.source = WT_DENIAL_SANDBOX;
  d.fd = ev->fd;
  d.rule_index = -1;
  d.rule = rule;
  d.reason = wt_sandbox_reason_name(ev->reason);
  d.preopen = ev->preopen;
  d.path = given;
  wt_tracer_deny_full(ud, &d);
}

int wt_tracer_open(const wt_api_t *inner, void *inner_ctx, wt_sink_t *sink,
                   const wt_tracer_options_t *o, wt_tracer_t **out) {
  wt_tracer_options_t defaults;
  wt_tracer_t *t;
  size_t ring;
  if (o == NULL) {
    wt_tracer_options_init(&defaults);
    o = &defaults;
  }
  if (check_options(o, &ring) < 0 || (t = tracer_new(o, ring)) == NULL)
    return -1;
  t->inner = inner;
  t->inner_ctx = inner_ctx;
  t->capture = o->capture;
  t->core = o->core;
  t->sink = sink;
  t->commit_ms = o->commit_ms ? o->commit_ms : 50;
  t->commit_calls = o->commit_calls ? o->commit_calls : 8192;
  t->trs = t->trs_inline;
  t->trs_cap = WT__MAX_TR_INLINE;
  t->on_error = o->on_record_error;
  t->halt = o->halt;
  t->halt_ud = o->halt_ud;
  t->report = o->report;
  t->report_ud = o->report_ud;
  t->own_fds_core = o->own_fd_table ? o->core : NULL;
  atomic_init(&t->stop, 0);
  atomic_init(&t->stop_at, UINT64_MAX);
  wt__clock_init(&t->clock);
  /* The metadata is durable before the first call: a killed recorder
   * still leaves a trace that says what ran and that it is incomplete. */
  if (wt__meta_write(sink, o) < 0 || wt_sink_commit(sink) < 0 ||
      start_writer(t) < 0) {
    tracer_free(t);
    return -1;
  }
  if (t->core != NULL) {
    /* Sandbox refusals with their reason, unless a layer below (a policy)
     * guards the core already: it reports them itself. */
    wt_guard_t g = {NULL, on_sandbox, t, false};
    wt_set_observer(t->core, wt_tracer_observe, t);
    if (!wt_has_guard(t->core)) {
      wt_set_guard(t->core, &g);
      t->guarding = true;
    }
  }
  *out = t;
  return 0;
}

/* Stops the writer once it has stored what precedes ring position `at`. */
static void stop_writer(wt_tracer_t *t, uint64_t at) {
  atomic_store(&t->stop_at, at);
  atomic_store(&t->stop, 1);
  wt__ring_wake(&t->ring);
  if (t->writer_started)
    pthread_join(t->writer, NULL);
  t->writer_started = false;
}

/*
 * After a failed recording, the trace's end is "incomplete" whatever the
 * guest did, with the reason and the number of calls it holds, where the
 * sink can still write them (it went back to a state it can commit, see
 * wt_sink_ops_t; if not, the "incomplete" written at open stands).
 */
static void write_failed_end(wt_tracer_t *t) {
  wt_trace_end_t e = {WT_END_INCOMPLETE, 0, NULL, 0, NULL};
  char why[512];
  wt_trace_meta_t m = {"record_error", WT_META_TEXT, 0, why, NULL, 0};
  snprintf(why, sizeof why, "call %llu: %s", (unsigned long long)t->fail_seq,
           t->sink_error);
  if (wt__meta_write_end(t->sink, &e, t->kept_n, &t->ring) == 0)
    wt_sink_meta(t->sink, &m);
}

/*
 * The trace's end, written by the writer thread as its last work (the sink
 * is the writer's once it runs: see wt_tracer_s.end), then the sink closed.
 */
void wt__tracer_end(wt_tracer_t *t) {
  wt_trace_meta_t m = {"interrupted", WT_META_TEXT, 0, t->end_why, NULL, 0};
  if (t->end == WT__END_NONE)
    return;
  if (t->end == WT__END_FINISH && t->fail_seq != 0)
    write_failed_end(t);
  else if (!t->sink_failed &&
           (wt__meta_write_end(t->sink, &t->end_info, t->written, &t->ring) <
                0 ||
            (t->end == WT__END_INTERRUPT && wt_sink_meta(t->sink, &m) < 0)))
    wt__sink_failed(t);
  if (wt_sink_close(t->sink) < 0)
    wt__sink_failed(t);
  t->sink = NULL;
}

/*
 * The error of a failed recording: the first failure, and the calls that
 * took effect without being stored (from the first the trace lacks to the
 * last the inner table ran).
 */
static void failed_error(const wt_tracer_t *t) {
  uint64_t last = t->refused > 0 ? t->last_effect : t->next_seq;
  char lost[160];
  if (last > t->kept_seq)
    snprintf(lost, sizeof lost, "calls %llu..%llu took effect but are not in it",
             (unsigned long long)t->kept_seq + 1, (unsigned long long)last);
  else
    snprintf(lost, sizeof lost, "no call is missing from it");
  wt_trace_set_error(
      "recording failed at call %llu%s%s%s: %s; the trace keeps calls 1..%llu "
      "and %s; %s",
      (unsigned long long)t->fail_seq, t->fail_call >= 0 ? " (" : "",
      t->fail_call >= 0 ? wt_call_name((wt_call_id_t)t->fail_call) : "",
      t->fail_call >= 0 ? ")" : "", t->sink_error,
      (unsigned long long)t->kept_seq, lost,
      t->on_error == WT_ON_RECORD_ERROR_CONTINUE
          ? "the guest went on unrecorded"
      : t->refused > 0 ? "the guest was halted before its next call"
                       : "the guest made no call after it");
}

int wt_tracer_finish(wt_tracer_t *t, const wt_trace_end_t *end) {
  wt_trace_end_t e = {WT_END_INCOMPLETE, 0, NULL, 0, NULL};
  int rc = 0;
  if (end != NULL)
    e = *end;
  else if (t->exited)
    e = (wt_trace_end_t){WT_END_EXIT, t->exit_code, NULL, 0, NULL};
  if (t->core != NULL) {
    wt_set_observer(t->core, NULL, NULL);
    if (t->guarding)
      wt_set_guard(t->core, NULL);
  }
  if (t->interrupted) {
    /* The trace was ended by wt_tracer_interrupt. */
    tracer_free(t);
    return 0;
  }
  t->end = WT__END_FINISH;
  t->end_info = e;
  stop_writer(t, UINT64_MAX);
  if (t->fail_seq != 0) {
    failed_error(t);
    rc = -1;
  } else if (t->sink_failed) {
    wt_trace_set_error("%s", t->sink_error);
    rc = -1;
  }
  tracer_free(t);
  return rc;
}

int wt_tracer_close(wt_tracer_t *t) {
  wt_trace_end_t e = {WT_END_INCOMPLETE, 0, NULL, 0, NULL};
  return wt_tracer_finish(t, &e);
}

int wt_tracer_interrupt(wt_tracer_t *t, const char *why) {
  wt_trace_end_t e = {WT_END_INCOMPLETE, 0, NULL, 0, NULL};
  if (t->interrupted)
    return 0;
  t->end = WT__END_INTERRUPT;
  t->end_info = e;
  t->end_why = why;
  stop_writer(t, atomic_load(&t->ring.head));
  /* The guest may go on calling: what it adds now is dropped. */
  atomic_store(&t->ring.closed, 1);
  t->interrupted = true;
  if (t->sink_failed) {
    wt_trace_set_error("%s", t->sink_error);
    return -1;
  }
  return 0;
}
