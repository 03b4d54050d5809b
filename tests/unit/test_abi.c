/*
 * The guest ABI layer (runtime/abi.c), called directly: its import
 * functions are plain C functions. A fake linear memory sits between two
 * canary zones; a recording fake wt_api_t, expanded from calls.def, checks
 * the host values each call decodes.
 *
 * The matrix test runs every call of calls.def with all pointers valid,
 * then with each pointer argument in turn out of bounds (EFAULT, the layer
 * below not called, nothing written outside memory). The other tests cover
 * edges: exactly at the end, 32-bit wrap, iovec limits, copy-out rules,
 * strtab rebasing, arrays, memory growth, no memory, narrow scalars and
 * the exit/raise unwinding.
 */
#include <stdio.h>
#include <string.h>

#include "abi.h"
#include "testutil.h"

#define MEM_SIZE 65536u
#define CANARY 0xA5

/* Guest addresses used by the matrix for valid arguments. */
#define P_STR 0x100u /* "abc" */
#define P_IOV 0x200u /* two iovecs: {P_B0, 5}, {P_B1, 7} */
#define P_B0 0x300u
#define P_B1 0x400u
#define P_BUF 0x500u    /* 16 bytes */
#define P_SCAL 0x601u   /* out-params: deliberately unaligned */
#define P_ARR 0x703u    /* in/out arrays: unaligned too */
#define P_TAB 0x800u    /* strtab pointers */
#define P_TABBUF 0x900u /* strtab strings */
#define P_OPT 0xA05u

static uint8_t arena[3 * MEM_SIZE];
static wasm_rt_memory_t mem;
static struct Z_wasi_snapshot_preview1_instance_t inst;
static struct Z_wasix_32v1_instance_t xinst;

/* ---- the recording fake API ------------------------------------------- */

#define M_VOID()
#define M_FD(name, right) wt_fd_t name;
#define M_IN(type, name, fmt) type name;
#define M_IN_STR(name)                                                         \
  const char *name;                                                            \
  uint32_t name##_len;
#define M_IN_IOVS(name)                                                        \
  const wt_ciovec_t *name;                                                     \
  uint32_t name##_len;
#define M_OUT_IOVS(name, used)                                                 \
  const wt_iovec_t *name;                                                      \
  uint32_t name##_len;
#define M_OUT_BUF(name, used)                                                  \
  uint8_t *name;                                                               \
  uint32_t name##_len;
#define M_OUT_BYTES(name)                                                      \
  uint8_t *name;                                                               \
  uint32_t name##_len;
#define M_OUT(type, name, fmt) type *name;
#define M_IN_ARRAY(type, name, count, fmt) const type *name;
#define M_OUT_ARRAY(type, name, count, used, fmt) type *name;
#define M_IN_OPT(type, name, fmt) const type *name;
#define M_OUT_STRTAB(name) wt_strtab_t *name;

#define WT_CALL(name, set, fam, ret, ...)                                      \
  struct args_##name {                                                         \
    int unused_;                                                               \
    WT_ARGS(M, __VA_ARGS__)                                                    \
  };
#include "wt/calls.def"
#undef WT_CALL

typedef struct rec_s {
  int calls;
  wt_call_id_t id;
  wt_errno_t result;
  /* Check the matrix's valid arguments inside the call (while temporaries
   * are alive); mismatches are counted in bad, the last one named in why. */
  bool verify;
  int bad;
  char why[160];
  /* Called inside the fake, to play the callee (store outputs). */
  void (*hook)(struct rec_s *r);
  /* Refusals reported to the layer below; the last one's copy. */
  int refusals;
  wt_refusal_t refusal;
  uint64_t raw[16];
  bool refuse_ok; /* the layer answers a refusal with SUCCESS */
  union {
#define WT_CALL(name, set, fam, ret, ...) struct args_##name name;
#include "wt/calls.def"
#undef WT_CALL
  } u;
} rec_t;

static rec_t rec;

/* S: save each host argument into the record. */
#define S_VOID()
#define S_FD(name, right) a_->name = name;
#define S_IN(type, name, fmt) a_->name = name;
#define S_IN_STR(name)                                                         \
  a_->name = name;                                                             \
  a_->name##_len = name##_len;
#define S_IN_IOVS(name)                                                        \
  a_->name = name;                                                             \
  a_->name##_len = name##_len;
#define S_OUT_IOVS(name, used)                                                 \
  a_->name = name;                                                             \
  a_->name##_len = name##_len;
#define S_OUT_BUF(name, used)                                                  \
  a_->name = name;                                                             \
  a_->name##_len = name##_len;
#define S_OUT_BYTES(name)                                                      \
  a_->name = name;                                                             \
  a_->name##_len = name##_len;
#define S_OUT(type, name, fmt) a_->name = name;
#define S_IN_ARRAY(type, name, count, fmt) a_->name = name;
#define S_OUT_ARRAY(type, name, count, used, fmt) a_->name = name;
#define S_IN_OPT(type, name, fmt) a_->name = name;
#define S_OUT_STRTAB(name) a_->name = name;

static bool in_guest(const void *p) {
  return (const uint8_t *)p >= mem.data &&
         (const uint8_t *)p < mem.data + MEM_SIZE;
}

static bool all_zero(const void *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (((const uint8_t *)p)[i] != 0)
      return false;
  return true;
}

static void mismatch(rec_t *r, const char *arg) {
  r->bad++;
  snprintf(r->why, sizeof r->why, "decoded argument '%s' is wrong", arg);
}

/* V: the matrix's valid arguments, as the host must see them. */
#define V_VOID()
#define V_FD(name, right)                                                      \
  if (name != 3)                                                               \
    mismatch(r, #name);
#define V_IN(type, name, fmt)                                                  \
  if (name != (type)1)                                                         \
    mismatch(r, #name);
#define V_IN_STR(name)                                                         \
  if ((const uint8_t *)name != mem.data + P_STR || name##_len != 3 ||          \
      memcmp(name, "abc", 3) != 0)                                             \
    mismatch(r, #name);
#define V_IOVS(name)                                                           \
  if (name##_len != 2 || name[0].buf != mem.data + P_B0 ||                     \
      name[0].buf_len != 5 || name[1].buf != mem.data + P_B1 ||                \
      name[1].buf_len != 7 || in_guest(name))                                  \
    mismatch(r, #name);
#define V_IN_IOVS(name) V_IOVS(name)
#define V_OUT_IOVS(name, used) V_IOVS(name)
#define V_OUT_BUF(name, used)                                                  \
  if (name != mem.data + P_BUF || name##_len != 16)                            \
    mismatch(r, #name);
#define V_OUT_BYTES(name) V_OUT_BUF(name, )
#define V_OUT(type, name, fmt)                                                 \
  if (name == NULL || in_guest(name) ||                                        \
      (uintptr_t)name % _Alignof(type) != 0 || !all_zero(name, sizeof(type)))  \
    mismatch(r, #name);
#define V_IN_ARRAY(type, name, count, fmt)                                     \
  if (name == NULL || in_guest(name) ||                                        \
      (uintptr_t)name % _Alignof(type) != 0 ||                                 \
      memcmp(name, mem.data + P_ARR, sizeof(type)) != 0)                       \
    mismatch(r, #name);
#define V_OUT_ARRAY(type, name, count, used, fmt)                              \
  if (name == NULL || in_guest(name) || (uintptr_t)name % _Alignof(type) != 0) \
    mismatch(r, #name);
#define V_IN_OPT(type, name, fmt)                                              \
  if (name == NULL || in_guest(name) ||                                        \
      (uintptr_t)name % _Alignof(type) != 0 ||                                 \
      memcmp(name, mem.data + P_OPT, sizeof(type)) != 0)                       \
    mismatch(r, #name);
#define V_OUT_STRTAB(name)                                                     \
  if (name->offsets != mem.data + P_TAB || name->buf != mem.data + P_TABBUF || \
      name->offsets_cap != (MEM_SIZE - P_TAB) / 4 ||                           \
      name->buf_cap != MEM_SIZE - P_TABBUF)                                    \
    mismatch(r, #name);

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static wt_errno_t fake_##name(void *ctx WT_ARGS(WT_HP, __VA_ARGS__)) {       \
    rec_t *r = ctx;                                                            \
    struct args_##name *a_ = &r->u.name;                                       \
    r->calls++;                                                                \
    r->id = WT_CALL_##name;                                                    \
    WT_ARGS(S, __VA_ARGS__)                                                    \
    (void)a_;                                                                  \
    if (r->verify) {                                                           \
      WT_ARGS(V, __VA_ARGS__)                                                  \
    }                                                                          \
    if (r->hook != NULL)                                                       \
      r->hook(r);                                                              \
    return r->result;                                                          \
  }
#include "wt/calls.def"
#undef WT_CALL

static wt_errno_t fake_refused(void *ctx, const wt_refusal_t *g) {
  rec_t *r = ctx;
  r->refusals++;
  r->refusal = *g;
  memset(r->raw, 0, sizeof r->raw);
  memcpy(r->raw, g->raw, (g->nraw < 16 ? g->nraw : 16) * sizeof *g->raw);
  r->refusal.raw = r->raw;
  return r->refuse_ok ? WT_ESUCCESS : g->err;
}

static const wt_api_t fake_api = {
#define WT_CALL(name, set, fam, ret, ...) .name = fake_##name,
#include "wt/calls.def"
#undef WT_CALL
    .refused = fake_refused,
};

/* ---- fixture ----------------------------------------------------------- */

static void put_u32(uint32_t addr, uint32_t v) {
  memcpy(mem.data + addr, &v, 4);
}
static uint32_t get_u32(uint32_t addr) {
  uint32_t v;
  memcpy(&v, mem.data + addr, 4);
  return v;
}
static void put_iov(uint32_t addr, uint32_t buf, uint32_t len) {
  put_u32(addr, buf);
  put_u32(addr + 4, len);
}

/* Guest memory with the matrix's valid arguments in place. */
static void fill_memory(void) {
  memset(arena, CANARY, sizeof arena);
  memset(mem.data, 0, MEM_SIZE);
  memcpy(mem.data + P_STR, "abc", 3);
  put_iov(P_IOV, P_B0, 5);
  put_iov(P_IOV + 8, P_B1, 7);
  for (uint32_t i = 0; i < 256; i++) {
    mem.data[P_ARR + i] = (uint8_t)(i * 7 + 1);
    mem.data[P_OPT + i] = (uint8_t)(i * 5 + 3);
  }
}

static int reset(void **state) {
  (void)state;
  mem.data = arena + MEM_SIZE;
  mem.size = MEM_SIZE;
  mem.pages = MEM_SIZE / 65536;
  mem.max_pages = 65536;
  fill_memory();
  memset(&rec, 0, sizeof rec);
  wt_abi_init(&inst.abi, &fake_api, &rec, &mem, NULL);
  wt_abi_init(&xinst.abi, &fake_api, &rec, &mem, NULL);
  return 0;
}

/* True when nothing outside guest memory was written. */
static bool canaries_intact(void) {
  for (size_t i = 0; i < MEM_SIZE; i++)
    if (arena[i] != CANARY || arena[2 * MEM_SIZE + i] != CANARY)
      return false;
  return true;
}

/* ---- the matrix -------------------------------------------------------- */

/*
 * GV: each guest argument, valid unless it is pointer argument number
 * `bad` (counting pointer arguments from 0 with k).
 */
#define BAD(name) (k++ == bad ? (badname = #name, 1) : 0)
#define GV_VOID()
#define GV_FD(name, right) uint32_t g_##name = 3;
#define GV_IN(type, name, fmt) WT_ABI_GT(type) g_##name = 1;
#define GV_IN_STR(name)                                                        \
  uint32_t g_##name = BAD(name) ? MEM_SIZE - 2 : P_STR, g_##name##_len = 3;
#define GV_IN_IOVS(name)                                                       \
  uint32_t g_##name = BAD(name) ? MEM_SIZE - 12 : P_IOV, g_##name##_len = 2;
#define GV_OUT_IOVS(name, used) GV_IN_IOVS(name)
/* 0xffffffff + 2 wraps to 1 in 32 bits: the check must not. */
#define GV_OUT_BUF(name, used)                                                 \
  uint32_t g_##name = BAD(name) ? 0xffffffffu : P_BUF, g_##name##_len = 16;
#define GV_OUT_BYTES(name) GV_OUT_BUF(name, )
#define GV_OUT(type, name, fmt)                                                \
  uint32_t g_##name =                                                          \
      BAD(name) ? MEM_SIZE - (uint32_t)sizeof(type) + 1 : P_SCAL;
#define GV_IN_ARRAY(type, name, count, fmt)                                    \
  uint32_t g_##name = BAD(name) ? MEM_SIZE - (uint32_t)sizeof(type) + 1 : P_ARR;
#define GV_OUT_ARRAY(type, name, count, used, fmt)                             \
  GV_IN_ARRAY(type, name, count, fmt)
#define GV_IN_OPT(type, name, fmt)                                             \
  uint32_t g_##name = BAD(name) ? MEM_SIZE - (uint32_t)sizeof(type) + 1 : P_OPT;
#define GV_OUT_STRTAB(name)                                                    \
  uint32_t g_##name = BAD(name) ? MEM_SIZE + 1 : P_TAB,                        \
           g_##name##_buf = P_TABBUF;

/* The import's result: its errno, or for calls without one, whether the
 * layer below was reached. */
#define RESULT_ERRNO(call) e = call
#define RESULT_VOID(call) call, e = rec.calls ? rec.result : WT_EFAULT
#define RESULT_NORETURN(call) RESULT_VOID(call)

/* A P1 call through wasi_snapshot_preview1, a WASIX one through its module. */
#define IMPORT_P1(name) Z_wasi_snapshot_preview1Z_##name
#define IMPORT_WASIX(name) Z_wasix_32v1Z_##name
#define INST_P1 &inst
#define INST_WASIX &xinst

/*
 * The layer below was told of exactly one refusal: of this call, for the
 * argument made bad, with the guest's parameters as passed, as many as
 * wt_call_guest_params names.
 */
static bool refusal_is(wt_call_id_t id, const char *arg, const uint64_t *raw,
                       uint32_t nraw) {
  uint32_t n = 0;
  const wt_refusal_t *g = &rec.refusal;
  if (rec.refusals != 1 || g->call != id || g->err != WT_EFAULT ||
      g->arg == NULL || arg == NULL || strcmp(g->arg, arg) != 0 ||
      wt_call_guest_params(id, &n) == NULL || n != nraw || g->nraw != nraw ||
      nraw > 16)
    return false;
  return memcmp(rec.raw, raw, nraw * sizeof *raw) == 0;
}

/* Runs variant `bad` (-1: all valid) of a call; returns false on failure. */
#define WT_CALL(name, set, fam, ret, ...)                                      \
  static bool variant_##name(int bad, int *npointers) {                        \
    int k = 0;                                                                 \
    const char *badname = NULL;                                                \
    wt_errno_t e;                                                              \
    WT_ARGS(GV, __VA_ARGS__)                                                   \
    const uint64_t raw_[] = {0 WT_ARGS(WT_GN, __VA_ARGS__)};                   \
    reset(NULL);                                                               \
    rec.verify = bad < 0;                                                      \
    RESULT_##ret(IMPORT_##set(name)(INST_##set WT_ARGS(WT_GN, __VA_ARGS__)));  \
    *npointers = k;                                                            \
    if (!canaries_intact())                                                    \
      print_error(#name " variant %d wrote outside memory\n", bad);            \
    else if (bad < 0 && (e != WT_ESUCCESS || rec.calls != 1 || rec.bad ||      \
                         rec.refusals != 0))                                   \
      print_error(#name ": %s (errno %s, %d calls)\n", rec.why,                \
                  wt_errno_name(e), rec.calls);                                \
    else if (bad >= 0 && bad < k && (e != WT_EFAULT || rec.calls != 0))        \
      print_error(#name ": pointer argument %d out of bounds gave %s "         \
                        "after %d calls\n",                                    \
                  bad, wt_errno_name(e), rec.calls);                           \
    else if (bad >= 0 && bad < k &&                                            \
             !refusal_is(WT_CALL_##name, badname, raw_ + 1,                    \
                         sizeof raw_ / sizeof raw_[0] - 1))                    \
      print_error(#name ": pointer argument %d (%s) out of bounds was not "    \
                        "reported as its refusal\n",                           \
                  bad, badname);                                               \
    else                                                                       \
      return true;                                                             \
    return false;                                                              \
  }                                                                            \
  static int matrix_##name(void) {                                             \
    int failures = 0, n = 0;                                                   \
    failures += !variant_##name(-1, &n);                                       \
    for (int bad = 0; bad < n; bad++)                                          \
      failures += !variant_##name(bad, &n);                                    \
    return failures;                                                           \
  }
#include "wt/calls.def"
#undef WT_CALL

static void test_matrix(void **state) {
  int failures = 0;
  (void)state;
#define WT_CALL(name, set, fam, ret, ...) failures += matrix_##name();
#include "wt/calls.def"
#undef WT_CALL
  assert_int_equal(failures, 0);
}

/* ---- fd_write / fd_read: iovecs and copy-out --------------------------- */

static void store_nwritten(rec_t *r) {
  *r->u.fd_write.nwritten = 0x11223344;
}

static void test_copy_out_unaligned(void **state) {
  (void)state;
  rec.hook = store_nwritten;
  put_iov(0x1000, 0x2000, 3);
  assert_ok(Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 0x1000, 1, 0x3003));
  assert_int_equal(rec.u.fd_write.fd, 1);
  assert_int_equal(get_u32(0x3003), 0x11223344);
  assert_true(canaries_intact());
}

static void test_no_copy_out_on_error(void **state) {
  (void)state;
  rec.hook = store_nwritten;
  rec.result = WT_EBADF;
  put_u32(0x3000, 0xdeadbeef);
  assert_errno(Z_wasi_snapshot_preview1Z_fd_write(&inst, 9, 0x1000, 0, 0x3000),
               WT_EBADF);
  assert_int_equal(get_u32(0x3000), 0xdeadbeef);
}

/* The same decoder behind the wasix_32v1 module's copy of a P1 call. */
static void test_wasix_module(void **state) {
  (void)state;
  rec.hook = store_nwritten;
  assert_ok(Z_wasix_32v1Z_fd_write(&xinst, 1, 0x1000, 0, 0x3000));
  assert_int_equal(rec.id, WT_CALL_fd_write);
  assert_int_equal(get_u32(0x3000), 0x11223344);
}

static void test_iovec_limits(void **state) {
  (void)state;
  /* 1024 empty iovecs at 0 are fine; 1025 is EINVAL like IOV_MAX. */
  memset(mem.data, 0, 1025 * 8);
  assert_ok(Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 0, 1024, 0x3000));
  assert_int_equal(rec.u.fd_write.iovs_len, 1024);
  rec.calls = 0;
  assert_errno(Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 0, 1025, 0x3000),
               WT_EINVAL);
  assert_int_equal(rec.calls, 0);
}

/* Host iovec arrays are the ABI's temporaries: look at them in the call. */
static const uint8_t *seen_buf0;
static void see_read_iovs(rec_t *r) {
  seen_buf0 = r->u.fd_read.iovs[0].buf;
}

static void test_iovec_entry_bounds(void **state) {
  (void)state;
  rec.hook = see_read_iovs;
  put_iov(0x1000, MEM_SIZE - 4, 4); /* exactly at the end: fine */
  put_iov(0x1008, MEM_SIZE, 0);     /* empty at the end: fine */
  assert_ok(Z_wasi_snapshot_preview1Z_fd_read(&inst, 0, 0x1000, 2, 0x3000));
  assert_ptr_equal(seen_buf0, mem.data + MEM_SIZE - 4);
  put_iov(0x1008, MEM_SIZE - 4, 5); /* one past */
  assert_errno(Z_wasi_snapshot_preview1Z_fd_read(&inst, 0, 0x1000, 2, 0x3000),
               WT_EFAULT);
  put_iov(0x1008, 8, 0xffffffffu); /* length wraps in 32 bits */
  assert_errno(Z_wasi_snapshot_preview1Z_fd_read(&inst, 0, 0x1000, 2, 0x3000),
               WT_EFAULT);
  put_iov(0x1008, MEM_SIZE + 1, 0); /* empty, but past the end */
  assert_errno(Z_wasi_snapshot_preview1Z_fd_read(&inst, 0, 0x1000, 2, 0x3000),
               WT_EFAULT);
  assert_int_equal(rec.calls, 1);
  assert_true(canaries_intact());
}

/* More iovecs than the stack temporaries hold go through the heap. */
static void check_many(rec_t *r) {
  for (uint32_t i = 0; i < 40; i++)
    if (r->u.fd_write.iovs[i].buf != mem.data + 0x4000 + i ||
        r->u.fd_write.iovs[i].buf_len != i)
      mismatch(r, "iovs");
}

static void test_many_iovecs(void **state) {
  (void)state;
  for (uint32_t i = 0; i < 40; i++)
    put_iov(0x1000 + 8 * i, 0x4000 + i, i);
  rec.hook = check_many;
  assert_ok(Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 0x1000, 40, 0x3000));
  assert_int_equal(rec.bad, 0);
}

static void test_array_of_iovecs_at_end(void **state) {
  (void)state;
  assert_ok(
      Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, MEM_SIZE - 16, 2, 0x3000));
  assert_errno(
      Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, MEM_SIZE - 15, 2, 0x3000),
      WT_EFAULT);
  /* A count whose byte size wraps 32 bits: refused before any arithmetic
   * by the IOV_MAX rule (the matrix covers the 64-bit end check). */
  assert_errno(
      Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 8, 0x20000001u, 0x3000),
      WT_EINVAL);
}

/* ---- buffers and scalars at the edge ----------------------------------- */

static void test_buffer_edges(void **state) {
  (void)state;
  assert_ok(Z_wasi_snapshot_preview1Z_random_get(&inst, MEM_SIZE - 16, 16));
  assert_ptr_equal(rec.u.random_get.buf, mem.data + MEM_SIZE - 16);
  assert_ok(Z_wasi_snapshot_preview1Z_random_get(&inst, MEM_SIZE, 0));
  assert_errno(Z_wasi_snapshot_preview1Z_random_get(&inst, MEM_SIZE - 16, 17),
               WT_EFAULT);
  assert_errno(Z_wasi_snapshot_preview1Z_random_get(&inst, MEM_SIZE + 1, 0),
               WT_EFAULT);
  assert_errno(Z_wasi_snapshot_preview1Z_random_get(&inst, 1, 0xffffffffu),
               WT_EFAULT);
  assert_int_equal(rec.calls, 2);
}

static void store_offset(rec_t *r) {
  *r->u.fd_seek.newoffset = UINT64_MAX - 1;
}

static void test_out_scalar_edges(void **state) {
  (void)state;
  rec.hook = store_offset;
  assert_ok(Z_wasi_snapshot_preview1Z_fd_seek(&inst, 3, 0, 0, MEM_SIZE - 8));
  assert_memory_equal(mem.data + MEM_SIZE - 8,
                      "\xfe\xff\xff\xff\xff\xff\xff\xff", 8);
  assert_errno(Z_wasi_snapshot_preview1Z_fd_seek(&inst, 3, 0, 0, MEM_SIZE - 7),
               WT_EFAULT);
  assert_true(canaries_intact());
}

static void test_path_string(void **state) {
  (void)state;
  memcpy(mem.data + MEM_SIZE - 5, "a\0b/c", 5);
  assert_ok(Z_wasi_snapshot_preview1Z_path_create_directory(&inst, 3,
                                                            MEM_SIZE - 5, 5));
  /* Passed as is, NUL included: refusing it is the core's job. */
  assert_ptr_equal(rec.u.path_create_directory.path, mem.data + MEM_SIZE - 5);
  assert_int_equal(rec.u.path_create_directory.path_len, 5);
  assert_errno(Z_wasi_snapshot_preview1Z_path_create_directory(&inst, 3,
                                                               MEM_SIZE - 5, 6),
               WT_EFAULT);
}

/* ---- scalars ----------------------------------------------------------- */

static void test_i64_and_narrow_scalars(void **state) {
  (void)state;
  assert_ok(
      Z_wasi_snapshot_preview1Z_fd_seek(&inst, 3, (uint64_t)-5, 2, 0x3000));
  assert_true(rec.u.fd_seek.offset == -5);
  assert_int_equal(rec.u.fd_seek.whence, 2);
  /* whence is a u8: an i32 with higher bits set is refused. */
  rec.calls = 0;
  assert_errno(Z_wasi_snapshot_preview1Z_fd_seek(&inst, 3, 0, 0x102, 0x3000),
               WT_EINVAL);
  assert_int_equal(rec.refusals, 1);
  assert_int_equal(rec.refusal.call, WT_CALL_fd_seek);
  assert_int_equal(rec.refusal.err, WT_EINVAL);
  assert_string_equal(rec.refusal.arg, "whence");
  assert_int_equal(rec.refusal.nraw, 4);
  assert_int_equal(rec.raw[2], 0x102);
  assert_errno(Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(&inst, 3, 0x10004),
               WT_EINVAL);
  assert_int_equal(rec.calls, 0);
  assert_int_equal(rec.refusals, 2);
  assert_ok(Z_wasi_snapshot_preview1Z_fd_filestat_set_times(
      &inst, 3, UINT64_MAX, 1, 0xf));
  assert_true(rec.u.fd_filestat_set_times.atim == UINT64_MAX);
  assert_int_equal(rec.u.fd_filestat_set_times.fst_flags, 0xf);
}

/* A layer that answers a refusal with SUCCESS (a corrupt trace under
   replay) must not make the ABI copy outputs to the refused pointers. */
static void test_refusal_never_succeeds(void **state) {
  (void)state;
  rec.refuse_ok = true;
  put_iov(0x1000, 0x2000, 3);
  assert_errno(
      Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 0x1000, 1, MEM_SIZE - 2),
      WT_EFAULT);
  assert_int_equal(rec.refusals, 1);
  assert_string_equal(rec.refusal.arg, "nwritten");
  assert_int_equal(rec.calls, 0);
  assert_true(canaries_intact());
}

/* ---- strtab: args_get / environ_get ------------------------------------ */

static uint32_t seen_offsets_cap, seen_buf_cap;

static void store_args(rec_t *r) {
  wt_strtab_t *t = r->u.args_get.argv;
  static const uint32_t off[2] = {0, 3};
  seen_offsets_cap = t->offsets_cap;
  seen_buf_cap = t->buf_cap;
  memcpy(t->offsets, off, sizeof off);
  memcpy(t->buf, "ab\0cd\0", 6);
  t->count = 2;
  t->buf_used = 6;
}

static void test_strtab_rebased(void **state) {
  (void)state;
  rec.hook = store_args;
  assert_ok(Z_wasi_snapshot_preview1Z_args_get(&inst, 0x1002, 0x2001));
  assert_int_equal(get_u32(0x1002), 0x2001);
  assert_int_equal(get_u32(0x1006), 0x2004);
  assert_string_equal((char *)mem.data + 0x2004, "cd");
  /* Room runs to the end of memory from each pointer. */
  assert_int_equal(seen_offsets_cap, (MEM_SIZE - 0x1002) / 4);
  assert_int_equal(seen_buf_cap, MEM_SIZE - 0x2001);
  rec.hook = NULL;
  assert_ok(Z_wasi_snapshot_preview1Z_environ_get(&inst, MEM_SIZE, MEM_SIZE));
  assert_errno(Z_wasi_snapshot_preview1Z_environ_get(&inst, 0x10, MEM_SIZE + 1),
               WT_EFAULT);
  assert_true(canaries_intact());
}

static void test_strtab_failure_untouched(void **state) {
  (void)state;
  rec.hook = store_args;
  rec.result = WT_EFAULT; /* the callee found the room too small */
  assert_errno(Z_wasi_snapshot_preview1Z_args_get(&inst, 0x1000, 0x2000),
               WT_EFAULT);
  /* The callee wrote offsets but the ABI did not rebase them. */
  assert_int_equal(get_u32(0x1004), 3);
}

/* ---- arrays: poll_oneoff ----------------------------------------------- */

static void play_poll(rec_t *r) {
  struct args_poll_oneoff *a = &r->u.poll_oneoff;
  if (a->in[0].userdata != 0x1122334455667788ull || a->in[1].u.tag != 2)
    mismatch(r, "in");
  a->out[0].userdata = 77;
  a->out[0].type = WT_EVENTTYPE_FD_WRITE;
  a->out[1].userdata = 88; /* not reported: nevents is 1 */
  *a->nevents = 1;
}

static void test_poll_arrays(void **state) {
  uint64_t ud = 0x1122334455667788ull, got;
  (void)state;
  memcpy(mem.data + 0x1001, &ud, 8);   /* subscription 0, unaligned */
  mem.data[0x1001 + 48 + 8] = 2;       /* subscription 1: tag */
  memset(mem.data + 0x2003, 0xEE, 64); /* room for two events */
  rec.hook = play_poll;
  assert_ok(
      Z_wasi_snapshot_preview1Z_poll_oneoff(&inst, 0x1001, 0x2003, 2, 0x3000));
  assert_int_equal(rec.bad, 0);
  assert_int_equal(get_u32(0x3000), 1);
  memcpy(&got, mem.data + 0x2003, 8);
  assert_true(got == 77);
  assert_int_equal(mem.data[0x2003 + 10], WT_EVENTTYPE_FD_WRITE);
  assert_int_equal(mem.data[0x2003 + 32], 0xEE); /* event 1 untouched */
  assert_errno(Z_wasi_snapshot_preview1Z_poll_oneoff(&inst, MEM_SIZE - 95,
                                                     0x2000, 2, 0x3000),
               WT_EFAULT);
  assert_errno(Z_wasi_snapshot_preview1Z_poll_oneoff(&inst, 0x1000,
                                                     MEM_SIZE - 63, 2, 0x3000),
               WT_EFAULT);
}

/* nevents beyond the room the guest gave: only the room is copied. */
static void overreport(rec_t *r) {
  *r->u.poll_oneoff.nevents = 1000;
}

static void test_poll_overreport(void **state) {
  (void)state;
  rec.hook = overreport;
  assert_ok(Z_wasi_snapshot_preview1Z_poll_oneoff(&inst, 0x1000, MEM_SIZE - 32,
                                                  1, 0x3000));
  assert_true(canaries_intact());
}

/* ---- memory: growth and absence ---------------------------------------- */

static uint8_t grown[2 * MEM_SIZE];

static void test_memory_moves(void **state) {
  (void)state;
  assert_errno(Z_wasi_snapshot_preview1Z_random_get(&inst, MEM_SIZE + 8, 8),
               WT_EFAULT);
  /* memory.grow: new base, new size; the next call sees both. */
  mem.data = grown;
  mem.size = sizeof grown;
  assert_ok(Z_wasi_snapshot_preview1Z_random_get(&inst, MEM_SIZE + 8, 8));
  assert_ptr_equal(rec.u.random_get.buf, grown + MEM_SIZE + 8);
}

static void test_no_memory(void **state) {
  (void)state;
  inst.abi.mem = NULL;
  assert_ok(Z_wasi_snapshot_preview1Z_fd_close(&inst, 4));
  assert_int_equal(rec.u.fd_close.fd, 4);
  assert_errno(Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 8, 1, 0),
               WT_EFAULT);
  /* Empty iovec array at 0, but the nwritten pointer has nowhere to go. */
  assert_errno(Z_wasi_snapshot_preview1Z_fd_write(&inst, 1, 0, 0, 0),
               WT_EFAULT);
  assert_ok(Z_wasi_snapshot_preview1Z_random_get(&inst, 0, 0));
  assert_int_equal(rec.calls, 2);
}

/* ---- proc_exit / proc_raise -------------------------------------------- */

static void test_proc_exit_without_hook(void **state) {
  (void)state;
  Z_wasi_snapshot_preview1Z_proc_exit(&inst, 9);
  assert_int_equal(rec.calls, 1);
  assert_int_equal(rec.u.proc_exit.code, 9);
  assert_int_equal(inst.abi.stop, WT_ABI_EXITED);
  assert_int_equal(inst.abi.stop_value, 9);
}

/* A layer that ends the run its own way wins over the argument. */
static void stop_with_signal(rec_t *r) {
  (void)r;
  inst.abi.stop = WT_ABI_RAISED;
  inst.abi.stop_value = WT_SIGTERM;
}

static void test_stop_set_by_layer(void **state) {
  (void)state;
  rec.hook = stop_with_signal;
  assert_ok(Z_wasi_snapshot_preview1Z_proc_raise(&inst, WT_SIGTERM));
  assert_int_equal(inst.abi.stop, WT_ABI_RAISED);
  Z_wasi_snapshot_preview1Z_proc_exit(&inst, 3);
  assert_int_equal(inst.abi.stop_value, WT_SIGTERM);
}

static void test_unwind(void **state) {
  sigjmp_buf jb;
  volatile int unwound = 0;
  (void)state;
  inst.abi.unwind = &jb;
  if (sigsetjmp(jb, 0) == 0)
    Z_wasi_snapshot_preview1Z_proc_exit(&inst, 5);
  else
    unwound = 1;
  assert_int_equal(unwound, 1);
  assert_int_equal(inst.abi.stop_value, 5);
  /* An ordinary call does not unwind while the guest is running. */
  inst.abi.stop = WT_ABI_RUNNING;
  assert_ok(Z_wasi_snapshot_preview1Z_sched_yield(&inst));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_matrix, reset),
      cmocka_unit_test_setup(test_copy_out_unaligned, reset),
      cmocka_unit_test_setup(test_no_copy_out_on_error, reset),
      cmocka_unit_test_setup(test_wasix_module, reset),
      cmocka_unit_test_setup(test_iovec_limits, reset),
      cmocka_unit_test_setup(test_iovec_entry_bounds, reset),
      cmocka_unit_test_setup(test_many_iovecs, reset),
      cmocka_unit_test_setup(test_array_of_iovecs_at_end, reset),
      cmocka_unit_test_setup(test_buffer_edges, reset),
      cmocka_unit_test_setup(test_out_scalar_edges, reset),
      cmocka_unit_test_setup(test_path_string, reset),
      cmocka_unit_test_setup(test_i64_and_narrow_scalars, reset),
      cmocka_unit_test_setup(test_refusal_never_succeeds, reset),
      cmocka_unit_test_setup(test_strtab_rebased, reset),
      cmocka_unit_test_setup(test_strtab_failure_untouched, reset),
      cmocka_unit_test_setup(test_poll_arrays, reset),
      cmocka_unit_test_setup(test_poll_overreport, reset),
      cmocka_unit_test_setup(test_memory_moves, reset),
      cmocka_unit_test_setup(test_no_memory, reset),
      cmocka_unit_test_setup(test_proc_exit_without_hook, reset),
      cmocka_unit_test_setup(test_stop_set_by_layer, reset),
      cmocka_unit_test_setup(test_unwind, reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
