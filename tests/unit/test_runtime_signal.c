/*
 * The runtime side of WASIX signals: the export table the glue compiles
 * into each guest (lookup of a callback by name and type), the signal
 * numbering of each import module in the ABI (wasix_32v1 speaks Linux's,
 * wasi_snapshot_preview1 preview1's), and callbacks that run guest code
 * inside a host call: making host calls of their own, trapping, exiting,
 * growing memory while the interrupted call holds pointers into it.
 *
 * Guests are WAT, assembled with wat2wasm, compiled at -O0 in bounds-check
 * mode (cmocka owns SIGSEGV) into a private cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi.h"
#include "rt_internal.h"
#include "test_runtime_util.h"
#include "testutil.h"

static char tmp[256];
static char cache[300];

static int setup(void **state) {
  (void)state;
  snprintf(tmp, sizeof tmp, "/tmp/wt_test_rtsig.XXXXXX");
  if (mkdtemp(tmp) == NULL)
    return -1;
  snprintf(cache, sizeof cache, "%s/cache", tmp);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  wt_test_rmtree(tmp);
  return 0;
}

/* Assembles `wat` into <tmp>/<name>.wasm; returns its path (static). */
static const char *wasm(const char *name, const char *wat) {
  return wt_test_wat(tmp, name, wat);
}

static wt_module_t *load(const char *path) {
  wt_rt_config_t cfg;
  wt_module_t *m = NULL;
  char err[2048];
  wt_rt_config_init(&cfg);
  cfg.opt_level = '0';
  cfg.memcheck = WT_RT_MEMCHECK_BOUNDS;
  cfg.cache_dir = cache;
  if (wt_module_load(path, &cfg, &m, err, sizeof err) != WT_RT_OK)
    fail_msg("loading %s: %s", path, err);
  return m;
}

/* Runs `m` through `api` (NULL: the core's) with stdout captured. */
static wt_rt_result_t run(wt_module_t *m, const wt_api_t *api, int argc,
                          const char **argv, char *out, size_t out_size) {
  return wt_test_run_module(m, api, tmp, NULL, argc, argv, out, out_size);
}

/* ---- guests ------------------------------------------------------------ */

/*
 * Registers the callback named by argv[1] (callback_signal), then raises
 * WINCH through wasix_32v1 (28) and URG through wasi_snapshot_preview1
 * (22), and exits with which * 1000 + calls * 100 + last signal seen.
 * Exports: on_sig (which 1; writes "handled\n"; with argc 3 it then traps,
 * with argc 4 it calls proc_exit(33)), a strangely named one (which 2), a
 * re-exported import of the right type (proc_exit: the callback exits
 * with the signal number), and two of the wrong type.
 */
static const char sig_wat[] =
    "(module\n"
    "  (import \"wasix_32v1\" \"callback_signal\"\n"
    "    (func $callback (param i32 i32)))\n"
    "  (import \"wasix_32v1\" \"proc_raise\" (func $xraise (param i32) "
    "(result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_raise\"\n"
    "    (func $raise (param i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "    (func $write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param "
    "i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\"\n"
    "    (func $sizes (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"args_get\"\n"
    "    (func $args (param i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $which (mut i32) (i32.const 0))\n"
    "  (global $calls (mut i32) (i32.const 0))\n"
    "  (global $last (mut i32) (i32.const 0))\n"
    "  (global $argc (mut i32) (i32.const 0))\n"
    "  (data (i32.const 16) \"handled\\n\")\n"
    "  (func $seen (param $which i32) (param $sig i32)\n"
    "    (global.set $which (local.get $which))\n"
    "    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))\n"
    "    (global.set $last (local.get $sig)))\n"
    "  (func $on_sig (export \"on_sig\") (param $sig i32)\n"
    "    (call $seen (i32.const 1) (local.get $sig))\n"
    "    (i32.store (i32.const 0) (i32.const 16))\n"
    "    (i32.store (i32.const 4) (i32.const 8))\n"
    "    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1)\n"
    "                       (i32.const 8)))\n"
    "    (if (i32.eq (global.get $argc) (i32.const 3)) (then unreachable))\n"
    "    (if (i32.eq (global.get $argc) (i32.const 4))\n"
    "      (then (call $exit (i32.const 33)))))\n"
    "  (func (export \"Zed.h-\\c3\\a9\\\"q\") (param $sig i32)\n"
    "    (call $seen (i32.const 2) (local.get $sig)))\n"
    "  (func (export \"a\\00b\") (param i32))\n"
    "  (export \"reexp\" (func $exit))\n"
    "  (func (export \"wrong\") (param i64))\n"
    "  (func (export \"ret\") (param i32) (result i32) (local.get 0))\n"
    "  (func $strlen (param $p i32) (result i32) (local $n i32)\n"
    "    (block $end (loop $next\n"
    "      (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p)\n"
    "                                                 (local.get $n)))))\n"
    "      (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
    "      (br $next)))\n"
    "    (local.get $n))\n"
    "  (func (export \"_start\") (local $name i32)\n"
    "    (drop (call $sizes (i32.const 64) (i32.const 68)))\n"
    "    (global.set $argc (i32.load (i32.const 64)))\n"
    "    (drop (call $args (i32.const 128) (i32.const 256)))\n"
    "    (local.set $name (i32.load (i32.const 132)))\n"
    "    (call $callback (local.get $name) (call $strlen (local.get "
    "$name)))\n"
    "    (drop (call $xraise (i32.const 28)))\n"
    "    (drop (call $raise (i32.const 22)))\n"
    "    (call $exit (i32.add (i32.add\n"
    "      (i32.mul (global.get $which) (i32.const 1000))\n"
    "      (i32.mul (global.get $calls) (i32.const 100)))\n"
    "      (global.get $last)))))\n";

/*
 * No callback_signal import. A layer of the test's, standing in for a
 * replayer, registers "h" when the guest calls sched_yield and delivers
 * the signal of proc_raise(27, WINCH) itself; exits with what h saw.
 */
static const char p1_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"sched_yield\" (func $yield "
    "(result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_raise\"\n"
    "    (func $raise (param i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param "
    "i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $last (mut i32) (i32.const 0))\n"
    "  (func (export \"h\") (param i32) (global.set $last (local.get 0)))\n"
    "  (func (export \"_start\")\n"
    "    (drop (call $yield))\n"
    "    (drop (call $raise (i32.const 27)))\n"
    "    (call $exit (global.get $last))))\n";

/*
 * A callback that grows memory and rewrites a buffer at a call boundary:
 * a 1 ns timer is due by the next call, fd_write, whose iovec (decoded
 * before the core delivers the signal) points at "hello\n". The callback
 * grows memory by 16 pages and writes "HELLO" over it; fd_write runs after
 * the callback, so "HELLO\n" is printed, read from memory that must not
 * have moved. Exits with pages * 10 + calls.
 */
static const char grow_wat[] =
    "(module\n"
    "  (import \"wasix_32v1\" \"callback_signal\"\n"
    "    (func $callback (param i32 i32)))\n"
    "  (import \"wasix_32v1\" \"proc_raise_interval\"\n"
    "    (func $interval (param i32 i64 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "    (func $write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param "
    "i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $calls (mut i32) (i32.const 0))\n"
    "  (data (i32.const 50) \"h\")\n"
    "  (data (i32.const 100) \"hello\\n\")\n"
    "  (func (export \"h\") (param i32)\n"
    "    (drop (memory.grow (i32.const 16)))\n"
    "    (i32.store (i32.const 100) (i32.const 0x4c4c4548))\n"
    "    (i32.store8 (i32.const 104) (i32.const 0x4f))\n"
    "    (global.set $calls (i32.add (global.get $calls) (i32.const 1))))\n"
    "  (func (export \"_start\")\n"
    "    (call $callback (i32.const 50) (i32.const 1))\n"
    "    (drop (call $interval (i32.const 14) (i64.const 1) (i32.const 0)))\n"
    "    (i32.store (i32.const 0) (i32.const 100))\n"
    "    (i32.store (i32.const 4) (i32.const 6))\n"
    "    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1)\n"
    "                       (i32.const 8)))\n"
    "    (call $exit (i32.add (i32.mul (memory.size) (i32.const 10))\n"
    "                         (global.get $calls)))))\n";

/*
 * A callback that raises its own signal (through wasix_32v1) until it has
 * run 3 times, noting whether it was ever entered while running. Exits
 * with nested * 100 + calls * 10 + (last signal seen == 28).
 */
static const char nest_wat[] =
    "(module\n"
    "  (import \"wasix_32v1\" \"callback_signal\"\n"
    "    (func $callback (param i32 i32)))\n"
    "  (import \"wasix_32v1\" \"proc_raise\" (func $raise (param i32) "
    "(result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param "
    "i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 0) \"h\")\n"
    "  (global $in (mut i32) (i32.const 0))\n"
    "  (global $nested (mut i32) (i32.const 0))\n"
    "  (global $calls (mut i32) (i32.const 0))\n"
    "  (global $last (mut i32) (i32.const 0))\n"
    "  (func (export \"h\") (param $sig i32)\n"
    "    (if (global.get $in) (then (global.set $nested (i32.const 1))))\n"
    "    (global.set $in (i32.const 1))\n"
    "    (global.set $last (local.get $sig))\n"
    "    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))\n"
    "    (if (i32.lt_u (global.get $calls) (i32.const 3))\n"
    "      (then (drop (call $raise (local.get $sig)))))\n"
    "    (global.set $in (i32.const 0)))\n"
    "  (func (export \"_start\")\n"
    "    (call $callback (i32.const 0) (i32.const 1))\n"
    "    (drop (call $raise (i32.const 28)))\n"
    "    (call $exit (i32.add (i32.add\n"
    "      (i32.mul (global.get $nested) (i32.const 100))\n"
    "      (i32.mul (global.get $calls) (i32.const 10)))\n"
    "      (i32.eq (global.get $last) (i32.const 28))))))\n";

/* ---- the module reader and the glue's export table ---------------------- */

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = malloc(1 << 16);
  assert_non_null(f);
  assert_non_null(buf);
  *len = fread(buf, 1, 1 << 16, f);
  fclose(f);
  return buf;
}

static const wt__wasm_export_t *find_export(const wt__wasm_info_t *info,
                                            const char *name, size_t len) {
  for (uint32_t i = 0; i < info->nexports; i++)
    if (info->exports[i].name.len == len &&
        memcmp(info->exports[i].name.p, name, len) == 0)
      return &info->exports[i];
  return NULL;
}

static void test_exports_parsed(void **state) {
  wt__wasm_info_t info;
  const wt__wasm_export_t *ex;
  const wt__wasm_functype_t *t;
  char err[256], sig[64];
  size_t len;
  uint8_t *bytes = slurp(wasm("sig", sig_wat), &len);
  (void)state;
  assert_true(wt__wasm_parse(bytes, len, &info, err, sizeof err));
  assert_int_equal(info.nexports, 8);
  ex = find_export(&info, "memory", 6);
  assert_non_null(ex);
  assert_int_equal(ex->kind, WT__WASM_EXTERN_MEMORY);
  /* A re-exported import: the type comes from the import section. */
  ex = find_export(&info, "reexp", 5);
  assert_non_null(ex);
  assert_int_equal(ex->kind, WT__WASM_EXTERN_FUNC);
  assert_true(ex->index < info.nimported_funcs);
  t = wt__wasm_func_type(&info, ex->index);
  assert_non_null(t);
  wt__wasm_sig_string(t, sig, sizeof sig);
  assert_string_equal(sig, "(i32) -> ()");
  ex = find_export(&info, "a\0b", 3);
  assert_non_null(ex);
  wt__wasm_sig_string(wt__wasm_func_type(&info, ex->index), sig, sizeof sig);
  assert_string_equal(sig, "(i32) -> ()");
  ex = find_export(&info, "wrong", 5);
  wt__wasm_sig_string(wt__wasm_func_type(&info, ex->index), sig, sizeof sig);
  assert_string_equal(sig, "(i64) -> ()");
  assert_null(wt__wasm_func_type(&info, info.nimported_funcs + info.nfuncs));
  wt__wasm_info_free(&info);
  free(bytes);
}

static void test_register_by_name_and_type(void **state) {
  wt_module_t *m = load(wasm("sig", sig_wat));
  (void)state;
  assert_ok(wt_rt_signal_register(m, "on_sig", 6));
  assert_ok(wt_rt_signal_register(m, "Zed.h-\xc3\xa9\"q", 10));
  assert_ok(wt_rt_signal_register(m, "a\0b", 3));
  assert_ok(wt_rt_signal_register(m, "reexp", 5));
  assert_errno(wt_rt_signal_register(m, "wrong", 5), WT_EINVAL);
  assert_errno(wt_rt_signal_register(m, "ret", 3), WT_EINVAL);
  assert_errno(wt_rt_signal_register(m, "memory", 6), WT_ENOENT);
  assert_errno(wt_rt_signal_register(m, "on_si", 5), WT_ENOENT);
  assert_errno(wt_rt_signal_register(m, "on_sig\0", 7), WT_ENOENT);
  assert_errno(wt_rt_signal_register(m, "a", 1), WT_ENOENT);
  assert_errno(wt_rt_signal_register(m, NULL, 0), WT_ENOENT);
  assert_errno(wt_rt_signal_register(m, NULL, 4), WT_EINVAL);
  assert_errno(wt_rt_signal_register(NULL, "on_sig", 6), WT_EINVAL);
  /* Outside a run there is no instance: nothing is called. */
  wt_rt_signal_handler(m, WT_SIGUSR1);
  wt_rt_signal_handler(NULL, WT_SIGUSR1);
  wt_module_close(m);
}

/* ---- callbacks during a run -------------------------------------------- */

static wt_rt_result_t run_sig(wt_module_t *m, const char *name, int argc,
                              char *out, size_t size) {
  const char *argv[] = {"sig", name, "x", "x"};
  return run(m, NULL, argc, argv, out, size);
}

static void expect_exit(wt_rt_result_t res, uint32_t code) {
  assert_int_equal(res.end, WT_RT_END_EXIT);
  assert_int_equal(res.exit_code, code);
}

static void test_callback_found_by_name(void **state) {
  wt_module_t *m = load(wasm("sig", sig_wat));
  char out[256];
  (void)state;
  /* WINCH as 28 both times: the callback came through wasix_32v1, so it
   * gets WASIX numbers even for preview1's proc_raise(22) (URG, 23). The
   * callback's own fd_write runs inside proc_raise. */
  expect_exit(run_sig(m, "on_sig", 2, out, sizeof out), 1000 + 200 + 23);
  assert_string_equal(out, "handled\nhandled\n");
  expect_exit(run_sig(m, "Zed.h-\xc3\xa9\"q", 2, out, sizeof out),
              2000 + 200 + 23);
  assert_string_equal(out, "");
  /* Unknown or mistyped: no callback, WINCH and URG ignored. */
  expect_exit(run_sig(m, "nope", 2, NULL, 0), 0);
  expect_exit(run_sig(m, "wrong", 2, NULL, 0), 0);
  expect_exit(run_sig(m, "memory", 2, NULL, 0), 0);
  /* The re-exported proc_exit, called with the signal number. */
  expect_exit(run_sig(m, "reexp", 2, NULL, 0), 28);
  /* Each run starts without a callback. */
  expect_exit(run_sig(m, "nope", 2, NULL, 0), 0);
  wt_module_close(m);
}

static void test_callback_traps(void **state) {
  wt_module_t *m = load(wasm("sig", sig_wat));
  char out[256];
  wt_rt_result_t res = run_sig(m, "on_sig", 3, out, sizeof out);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_TRAP);
  assert_int_equal(res.trap, WT_TRAP_UNREACHABLE);
  assert_false(res.trap_in_init);
  assert_string_equal(res.function, "on_sig");
  assert_string_equal(out, "handled\n");
  /* The module runs normally afterwards. */
  expect_exit(run_sig(m, "on_sig", 2, out, sizeof out), 1223);
  wt_module_close(m);
}

static void test_callback_exits(void **state) {
  wt_module_t *m = load(wasm("sig", sig_wat));
  char out[256];
  (void)state;
  expect_exit(run_sig(m, "on_sig", 4, out, sizeof out), 33);
  assert_string_equal(out, "handled\n");
  wt_module_close(m);
}

/*
 * A layer that uses the hooks the way a replayer does, with no core
 * instance involved: registers on sched_yield, delivers on proc_raise.
 */
static wt_module_t *replaying;

static wt_errno_t replay_yield(void *ctx) {
  (void)ctx;
  return wt_rt_signal_register(replaying, "h", 1);
}

static wt_errno_t replay_raise(void *ctx, uint8_t sig) {
  (void)ctx;
  wt_rt_signal_handler(replaying, sig);
  return WT_ESUCCESS;
}

static void test_hooks_without_core(void **state) {
  wt_module_t *m = load(wasm("p1", p1_wat));
  wt_api_t api = *wt_core_api();
  (void)state;
  api.sched_yield = replay_yield;
  api.proc_raise = replay_raise;
  replaying = m;
  /* No callback_signal import: preview1 numbers, 27 is WINCH. */
  expect_exit(run(m, &api, 0, NULL, NULL, 0), 27);
  /* Through the core, nothing registered: WINCH is ignored. */
  expect_exit(run(m, NULL, 0, NULL, NULL, 0), 0);
  wt_module_close(m);
}

static void test_callback_grows_memory_at_boundary(void **state) {
  wt_module_t *m = load(wasm("grow", grow_wat));
  char out[64];
  wt_rt_result_t res = run(m, NULL, 0, NULL, out, sizeof out);
  (void)state;
  expect_exit(res, 17 * 10 + 1);
  assert_string_equal(out, "HELLO\n");
  wt_module_close(m);
}

/* A signal raised inside the callback waits until the callback returns. */
static void test_no_nested_callbacks(void **state) {
  wt_module_t *m = load(wasm("nest", nest_wat));
  (void)state;
  expect_exit(run(m, NULL, 0, NULL, NULL, 0), 3 * 10 + 1);
  wt_module_close(m);
}

/* ---- numbering in the ABI ---------------------------------------------- */

typedef struct seen_s {
  int calls;
  uint8_t sig;
  uint64_t interval;
  uint32_t repeat;
} seen_t;

static wt_errno_t fake_raise(void *ctx, uint8_t sig) {
  seen_t *s = ctx;
  s->calls++;
  s->sig = sig;
  return WT_ESUCCESS;
}

static wt_errno_t fake_interval(void *ctx, uint8_t sig, uint64_t interval,
                                uint32_t repeat) {
  seen_t *s = ctx;
  s->calls++;
  s->sig = sig;
  s->interval = interval;
  s->repeat = repeat;
  return WT_ESUCCESS;
}

static void test_abi_numbering(void **state) {
  struct Z_wasi_snapshot_preview1_instance_t p1;
  struct Z_wasix_32v1_instance_t wx;
  wt_api_t api;
  seen_t s = {0};
  (void)state;
  memset(&api, 0, sizeof api);
  api.proc_raise = fake_raise;
  api.proc_raise_interval = fake_interval;
  wt_abi_init(&p1.abi, &api, &s, NULL, NULL);
  wt_abi_init(&wx.abi, &api, &s, NULL, NULL);
  /* wasix_32v1: Linux numbers in, preview1 numbers to the layer below. */
  assert_ok(Z_wasix_32v1Z_proc_raise(&wx, 17));
  assert_int_equal(s.sig, WT_SIGCHLD);
  assert_ok(Z_wasix_32v1Z_proc_raise(&wx, 15));
  assert_int_equal(s.sig, WT_SIGTERM);
  assert_ok(Z_wasix_32v1Z_proc_raise(&wx, 31));
  assert_int_equal(s.sig, WT_SIGSYS);
  assert_ok(Z_wasix_32v1Z_proc_raise(&wx, 0));
  assert_int_equal(s.sig, WT_SIGNONE);
  assert_int_equal(s.calls, 4);
  /* STKFLT and numbers past SYS have no counterpart: not passed on. */
  assert_errno(Z_wasix_32v1Z_proc_raise(&wx, 16), WT_EINVAL);
  assert_errno(Z_wasix_32v1Z_proc_raise(&wx, 32), WT_EINVAL);
  assert_errno(Z_wasix_32v1Z_proc_raise(&wx, 0x111), WT_EINVAL);
  assert_int_equal(s.calls, 4);
  assert_ok(Z_wasix_32v1Z_proc_raise_interval(&wx, 28, 5, 1));
  assert_int_equal(s.sig, WT_SIGWINCH);
  assert_int_equal(s.interval, 5);
  assert_int_equal(s.repeat, 1);
  assert_errno(Z_wasix_32v1Z_proc_raise_interval(&wx, 16, 5, 0), WT_EINVAL);
  assert_int_equal(s.calls, 5);
  /* wasi_snapshot_preview1: unchanged, out-of-range values included (the
   * core answers those). */
  assert_ok(Z_wasi_snapshot_preview1Z_proc_raise(&p1, 17));
  assert_int_equal(s.sig, 17);
  assert_ok(Z_wasi_snapshot_preview1Z_proc_raise(&p1, 200));
  assert_int_equal(s.sig, 200);
  assert_int_equal(s.calls, 7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exports_parsed),
      cmocka_unit_test(test_register_by_name_and_type),
      cmocka_unit_test(test_callback_found_by_name),
      cmocka_unit_test(test_callback_traps),
      cmocka_unit_test(test_callback_exits),
      cmocka_unit_test(test_hooks_without_core),
      cmocka_unit_test(test_callback_grows_memory_at_boundary),
      cmocka_unit_test(test_no_nested_callbacks),
      cmocka_unit_test(test_abi_numbering),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
