/*
 * libFuzzer target: the replayer, fed a hostile trace.
 *
 * There is no guest: this file plays one. It opens a replay of the trace
 * and, reading the same trace beside it, makes the recorded calls (the
 * first MAX_CALLS), in that order, through the replay's wt_api_t, with
 * arguments of a fixed shape (expanded from calls.def, so every call is
 * covered): fd 3, small scalars, a short path, two-buffer iovecs, and
 * every output a heap block of exactly its size, so that a recorded output
 * written past the guest's buffer is an ASan report. A record of a refused
 * call is answered with a refusal carrying the record's own parameters.
 *
 * The inputs rarely equal the recorded ones, so most runs are in REPORT
 * mode, where a call of the recorded kind still gets the recorded outputs
 * (clamped to the buffers): that is what exercises the output writers.
 * Inputs of odd size run in STOP mode instead.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "wt/replay.h"

#define MAX_CALLS 256
#define MAX_BLOCKS 64

/* The shape of the arguments of one pass over the calls. */
typedef struct shape_s {
  wt_fd_t fd;
  uint64_t scalar;  /* every IN scalar, hence also every array count */
  uint32_t buf_len; /* every output buffer, each iovec */
} shape_t;

/* Heap blocks of exact sizes, freed after each call. */
typedef struct arena_s {
  void *blocks[MAX_BLOCKS];
  int n;
} arena_t;

static void *take(arena_t *a, size_t size) {
  void *p = calloc(1, size ? size : 1);
  if (p == NULL || a->n == MAX_BLOCKS)
    abort(); /* the harness's own limit, not a finding */
  a->blocks[a->n++] = p;
  return p;
}

static void arena_free(arena_t *a) {
  while (a->n > 0)
    free(a->blocks[--a->n]);
}

static const uint8_t in_bytes[] = "hello, replay\n";

static const wt_ciovec_t *in_iovs(arena_t *a) {
  wt_ciovec_t *v = take(a, 2 * sizeof *v);
  v[0].buf = in_bytes;
  v[0].buf_len = 6;
  v[1].buf = in_bytes + 6;
  v[1].buf_len = sizeof in_bytes - 7;
  return v;
}

static const wt_iovec_t *out_iovs(arena_t *a, const shape_t *s) {
  wt_iovec_t *v = take(a, 2 * sizeof *v);
  for (int i = 0; i < 2; i++) {
    v[i].buf = take(a, s->buf_len);
    v[i].buf_len = s->buf_len;
  }
  return v;
}

static wt_strtab_t *strtab(arena_t *a, const shape_t *s) {
  wt_strtab_t *t = take(a, sizeof *t);
  t->offsets_cap = (uint32_t)s->scalar;
  t->offsets = take(a, 4 * s->scalar);
  t->buf_cap = s->buf_len;
  t->buf = take(a, s->buf_len);
  return t;
}

/* One argument of the fixed shape per calls.def argument kind. */
#define FZ_VOID()
#define FZ_FD(name, right) , s->fd
#define FZ_IN(type, name, fmt) , (type)s->scalar
#define FZ_IN_STR(name) , "dir/file.txt", 12
#define FZ_IN_IOVS(name) , in_iovs(a), 2
#define FZ_OUT_IOVS(name, used) , out_iovs(a, s), 2
#define FZ_OUT_BUF(name, used) , (uint8_t *)take(a, s->buf_len), s->buf_len
#define FZ_OUT_BYTES(name) , (uint8_t *)take(a, s->buf_len), s->buf_len
#define FZ_OUT(type, name, fmt) , (type *)take(a, sizeof(type))
#define FZ_IN_ARRAY(type, name, count, fmt)                                    \
  , (const type *)take(a, sizeof(type) * s->scalar)
#define FZ_OUT_ARRAY(type, name, count, used, fmt)                             \
  , (type *)take(a, sizeof(type) * s->scalar)
#define FZ_IN_OPT(type, name, fmt) , (const type *)take(a, sizeof(type))
#define FZ_OUT_STRTAB(name) , strtab(a, s)

static void invoke(void *ctx, unsigned call, const shape_t *s, arena_t *a) {
  const wt_api_t *api = wt_replay_api();
  switch (call) {
#define WT_CALL(name, set, fam, ret, ...)                                      \
  case WT_CALL_##name:                                                         \
    (void)api->name(ctx WT_ARGS(FZ, __VA_ARGS__));                             \
    break;
#include "wt/calls.def"
#undef WT_CALL
  default:
    break;
  }
}

/* The guest's side of a refusal: the recorded raw parameters. */
static void refuse(void *ctx, const wt_trace_call_t *rec, arena_t *a) {
  uint32_t n = rec->args_len / 8;
  uint64_t *raw = take(a, n * sizeof *raw);
  wt_refusal_t r = {rec->call, WT_EFAULT, "fuzz", n, raw};
  if (n > 0)
    memcpy(raw, rec->args, n * sizeof *raw);
  (void)wt_replay_api()->refused(ctx, &r);
}

/* ---- hooks: what the runtime would do ------------------------------------ */

typedef struct guest_s {
  bool exited, stopped;
} guest_t;

static void hook_exit(void *ud, uint32_t code) {
  (void)code;
  ((guest_t *)ud)->exited = true;
}
static void on_raise(void *ud, uint8_t sig) {
  (void)sig;
  ((guest_t *)ud)->exited = true;
}
static wt_errno_t on_register(void *ud, const char *name, uint32_t len) {
  (void)ud;
  (void)name;
  (void)len;
  return WT_ESUCCESS;
}
static void on_handler(void *ud, uint8_t sig) {
  (void)ud;
  (void)sig;
}
static void on_stop(void *ud) {
  ((guest_t *)ud)->stopped = true;
}

/* Makes the calls a second reader of the same trace lists, until the
 * guest has exited or the replay has stopped it. */
static void drive(wt_replay_t *r, const char *path, guest_t *g) {
  wt_trace_t *t;
  const wt_trace_call_t *rec;
  arena_t a = {{0}, 0};
  if (wt_trace_open(path, &t) < 0)
    return;
  for (uint32_t i = 0; i < MAX_CALLS && !g->exited && !g->stopped; i++) {
    /* Shapes in turn: roomy buffers, then cramped ones; fd 3 or stdout. */
    shape_t s = {i % 3 == 2 ? 1 : 3, 1 + i % 2, i % 2 ? 3 : 64};
    if (wt_trace_next(t, &rec) != 1)
      break;
    if (wt_trace_call_refused(rec))
      refuse(r, rec, &a);
    else
      invoke(r, rec->call, &s, &a);
    arena_free(&a);
  }
  wt_trace_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wt_replay_options_t o;
  wt_replay_t *r;
  guest_t g = {false, false};
  wt_trace_end_t end = {WT_END_EXIT, 0, NULL, 0, NULL};
  const char *path = wt_fuzz_file(data, size);
  if (path == NULL)
    goto out;
  wt_replay_options_init(&o);
  o.on_divergence = size % 2 ? WT_REPLAY_STOP : WT_REPLAY_REPORT;
  o.out_fd = o.err_fd = -1;
  o.proc_exit = hook_exit;
  o.proc_exit_ud = &g;
  o.proc_raise = on_raise;
  o.proc_raise_ud = &g;
  o.signal_register = on_register;
  o.signal_handler = on_handler;
  o.signal_ud = &g;
  o.stop = on_stop;
  o.stop_ud = &g;
  if (wt_replay_open(path, &o, &r) < 0)
    goto out;
  drive(r, path, &g);
  (void)wt_replay_finish(r, &end);
  wt_fuzz_sink += strlen(wt_replay_report(r)) + wt_replay_calls(r) +
                  wt_replay_divergences(r) + wt_replay_status(r);
  wt_replay_close(r);
out:
  wt_fuzz_file_remove();
  return 0;
}
