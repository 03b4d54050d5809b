/*
 * The runtime end to end: load (translate, compile, cache), run through the
 * core, and every way a guest ends. Test guests are written in WAT below
 * and assembled with wat2wasm (wabt, which the runtime needs anyway); the
 * README example, hello.wasm, comes from the build.
 *
 * Guests run in bounds-check mode (cmocka and the sanitizers own SIGSEGV),
 * except one guard-page test in ordinary builds. Everything compiles at
 * -O0 into a private cache directory.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_internal.h"
#include "test_runtime_util.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define WT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WT_TEST_ASAN 1
#endif
#endif

static char tmp[256];   /* scratch: .wat/.wasm files, guest output */
static char cache[300]; /* the compile cache of these tests */

static int setup(void **state) {
  (void)state;
  snprintf(tmp, sizeof tmp, "/tmp/wt_test_runtime.XXXXXX");
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

static void config(wt_rt_config_t *cfg) {
  wt_rt_config_init(cfg);
  cfg->opt_level = '0';
  cfg->memcheck = WT_RT_MEMCHECK_BOUNDS;
  cfg->cache_dir = cache;
}

/* Assembles `wat` into <tmp>/<name>.wasm; returns its path (static). */
static const char *wasm(const char *name, const char *wat) {
  return wt_test_wat(tmp, name, wat);
}

static wt_module_t *load(const char *path) {
  wt_rt_config_t cfg;
  wt_module_t *m = NULL;
  char err[2048];
  config(&cfg);
  if (wt_module_load(path, &cfg, &m, err, sizeof err) != WT_RT_OK)
    fail_msg("loading %s: %s", path, err);
  return m;
}

/* Loads expecting failure; returns the message (static). */
static const char *load_fails(const char *path, wt_rt_status_t want,
                              const wt_rt_config_t *cfg_in) {
  static char err[4096];
  wt_rt_config_t cfg;
  wt_module_t *m = NULL;
  wt_rt_status_t st;
  config(&cfg);
  if (cfg_in != NULL)
    cfg = *cfg_in;
  st = wt_module_load(path, &cfg, &m, err, sizeof err);
  assert_null(m);
  if (st != want)
    fail_msg("status %d, want %d: %s", st, want, err);
  return err;
}

/* Runs `m` with stdout captured; `dir` preopened as /data unless NULL. */
static wt_rt_result_t run(wt_module_t *m, int argc, const char **argv,
                          const char *dir, char *out, size_t out_size) {
  return wt_test_run_module(m, NULL, tmp, dir, argc, argv, out, out_size);
}

/* ---- guests ------------------------------------------------------------ */

/* Exits with 7 each run: a fresh instance starts from the initial global. */
static const char counter_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "    (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $n (mut i32) (i32.const 6))\n"
    "  (func $main (export \"_start\")\n"
    "    (global.set $n (i32.add (global.get $n) (i32.const 1)))\n"
    "    (call $exit (global.get $n))\n"
    "    unreachable))\n";

/* argc picks the trap: 1 unreachable, 2 divide, 3 store, 4 recursion. */
static const char trapper_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\"\n"
    "    (func $sizes (param i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func $boom unreachable)\n"
    "  (func $divide (param i32) (result i32)\n"
    "    (i32.div_u (i32.const 1) (local.get 0)))\n"
    "  (func $poke (param i32) (i32.store (local.get 0) (i32.const 1)))\n"
    "  (func $recurse (param i32) (result i32)\n"
    "    (i32.add (call $recurse (local.get 0)) (i32.const 1)))\n"
    "  (func $main (export \"_start\")\n"
    "    (drop (call $sizes (i32.const 0) (i32.const 4)))\n"
    "    (block $b4 (block $b3 (block $b2 (block $b1\n"
    "      (br_table $b1 $b2 $b3 $b4\n"
    "        (i32.sub (i32.load (i32.const 0)) (i32.const 1))))\n"
    "      (call $boom) return)\n"
    "      (drop (call $divide (i32.const 0))) return)\n"
    "      (call $poke (i32.const 65535)) return)\n"
    "    (drop (call $recurse (i32.const 0)))))\n";

static const char raise_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_raise\"\n"
    "    (func $raise (param i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "    (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"_start\")\n"
    "    (drop (call $raise (i32.const 15)))\n"
    "    (call $exit (i32.const 99))))\n";

/* Grows memory, then writes text that lives in the new pages. */
static const char grow_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "    (func $write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "    (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"_start\")\n"
    "    (drop (memory.grow (i32.const 3)))\n"
    "    (i64.store (i32.const 200000) (i64.const 0x0a6e776f7267))\n"
    "    (i32.store (i32.const 8) (i32.const 200000))\n"
    "    (i32.store (i32.const 12) (i32.const 6))\n"
    "    (call $exit (call $write (i32.const 1) (i32.const 8) (i32.const 1)\n"
    "                             (i32.const 16)))))\n";

/* A pointer past the end of memory: the guest gets EFAULT (21). */
static const char efault_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "    (func $write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "    (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"_start\")\n"
    "    (call $exit (call $write (i32.const 1) (i32.const 0xfffffff0)\n"
    "                             (i32.const 1) (i32.const 16)))))\n";

/* No memory at all: calls without pointers still work (EBADF = 8). */
static const char nomem_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_close\"\n"
    "    (func $close (param i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "    (func $exit (param i32)))\n"
    "  (func (export \"_start\") (call $exit (call $close (i32.const 99)))))\n";

/* A data segment past the end of memory traps while instantiating. */
static const char inittrap_wat[] = "(module\n"
                                   "  (memory (export \"memory\") 1)\n"
                                   "  (data (i32.const 65535) \"ab\")\n"
                                   "  (func (export \"_start\")))\n";

/* The start function exits before _start runs. */
static const char startexit_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "    (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func $init (call $exit (i32.const 3)))\n"
    "  (start $init)\n"
    "  (func (export \"_start\") unreachable))\n";

/* ---- tests ------------------------------------------------------------- */

static void test_hello(void **state) {
  const char *argv[] = {"hello.wasm", "/data"};
  char out[4096];
  wt_module_info_t info;
  wt_rt_result_t res;
  wt_module_t *m;
  wt_test_env_t env;
  (void)state;
  if (access(WT_TEST_HELLO_WASM, R_OK) != 0)
    skip();
  wt_test_open(&env); /* a temporary directory with files to list */
  wt_test_write_file(&env, "b.txt", "b");
  wt_test_write_file(&env, "a.txt", "a");
  m = load(WT_TEST_HELLO_WASM);
  wt_module_info(m, &info);
  assert_false(info.cache_hit);
  res = run(m, 2, argv, env.root, out, sizeof out);
  assert_int_equal(res.end, WT_RT_END_EXIT);
  assert_int_equal(res.exit_code, 0);
  assert_non_null(strstr(out, "Hello, world!"));
  assert_non_null(strstr(out, "argv[1] = /data"));
  assert_non_null(strstr(out, "/data holds 2 entries:\n  a.txt\n  b.txt\n"));
  wt_module_close(m);
  /* Second load: from the cache, well under 100 ms. */
  m = load(WT_TEST_HELLO_WASM);
  wt_module_info(m, &info);
  assert_true(info.cache_hit);
  assert_true(info.load_ms < 100);
  wt_module_close(m);
  wt_test_close(&env);
}

static void test_exit_code_and_fresh_instances(void **state) {
  wt_module_t *m;
  wt_rt_result_t res;
  (void)state;
  m = load(wasm("counter", counter_wat));
  for (int i = 0; i < 3; i++) {
    res = run(m, 0, NULL, NULL, NULL, 0);
    assert_int_equal(res.end, WT_RT_END_EXIT);
    assert_int_equal(res.exit_code, 7);
  }
  wt_module_close(m);
}

static void test_return_from_start(void **state) {
  wt_module_t *m = load(wasm("empty", "(module (func (export \"_start\")))"));
  wt_rt_result_t res = run(m, 0, NULL, NULL, NULL, 0);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_EXIT);
  assert_int_equal(res.exit_code, 0);
  wt_module_close(m);
}

static void expect_trap(wt_module_t *m, int argc, wt_trap_t trap,
                        const char *function) {
  const char *argv[] = {"t", "t", "t", "t"};
  wt_rt_result_t res = run(m, argc, argv, NULL, NULL, 0);
  assert_int_equal(res.end, WT_RT_END_TRAP);
  if (res.trap != trap)
    fail_msg("trap %s, want %s", wt_trap_string(res.trap),
             wt_trap_string(trap));
  assert_string_equal(res.function, function);
  assert_false(res.trap_in_init);
}

static void test_traps(void **state) {
  wt_module_t *m = load(wasm("trapper", trapper_wat));
  (void)state;
  expect_trap(m, 1, WT_TRAP_UNREACHABLE, "boom");
  expect_trap(m, 2, WT_TRAP_DIV_BY_ZERO, "divide");
  expect_trap(m, 3, WT_TRAP_OOB, "poke");
  expect_trap(m, 4, WT_TRAP_EXHAUSTION, "recurse");
  /* After all that, the module still runs normally. */
  expect_trap(m, 1, WT_TRAP_UNREACHABLE, "boom");
  wt_module_close(m);
}

/* Guard pages: the OOB store is caught by the SIGSEGV handler. */
static void test_guard_page_trap(void **state) {
  wt_rt_config_t cfg;
  wt_module_t *m;
  char err[1024];
  (void)state;
#ifdef WT_TEST_ASAN
  skip();
#endif
  config(&cfg);
  cfg.memcheck = WT_RT_MEMCHECK_GUARD;
  if (wt_module_load(wasm("trapper", trapper_wat), &cfg, &m, err, sizeof err) !=
      WT_RT_OK)
    fail_msg("%s", err);
  expect_trap(m, 3, WT_TRAP_OOB, "poke");
  expect_trap(m, 1, WT_TRAP_UNREACHABLE, "boom");
  wt_module_close(m);
  /* The host's SIGSEGV handling is back (cmocka's, here). */
  {
    struct sigaction sa;
    sigaction(SIGSEGV, NULL, &sa);
    assert_true(sa.sa_handler != SIG_DFL || (sa.sa_flags & SA_SIGINFO));
  }
}

static void test_trap_while_instantiating(void **state) {
  wt_module_t *m = load(wasm("inittrap", inittrap_wat));
  wt_rt_result_t res = run(m, 0, NULL, NULL, NULL, 0);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_TRAP);
  assert_int_equal(res.trap, WT_TRAP_OOB);
  assert_true(res.trap_in_init);
  wt_module_close(m);
}

static void test_exit_from_start_function(void **state) {
  wt_module_t *m = load(wasm("startexit", startexit_wat));
  wt_rt_result_t res = run(m, 0, NULL, NULL, NULL, 0);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_EXIT);
  assert_int_equal(res.exit_code, 3);
  wt_module_close(m);
}

static void test_raise(void **state) {
  wt_module_t *m = load(wasm("raise", raise_wat));
  wt_rt_result_t res = run(m, 0, NULL, NULL, NULL, 0);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_SIGNAL);
  assert_int_equal(res.signal, WT_SIGTERM);
  assert_int_equal(wt_rt_host_signal(res.signal), SIGTERM);
  wt_module_close(m);
}

static void test_memory_growth(void **state) {
  char out[64];
  wt_module_t *m = load(wasm("grow", grow_wat));
  wt_rt_result_t res = run(m, 0, NULL, NULL, out, sizeof out);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_EXIT);
  assert_int_equal(res.exit_code, 0);
  assert_string_equal(out, "grown\n");
  wt_module_close(m);
}

static void test_guest_efault(void **state) {
  wt_module_t *m = load(wasm("efault", efault_wat));
  wt_rt_result_t res = run(m, 0, NULL, NULL, NULL, 0);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_EXIT);
  assert_int_equal(res.exit_code, WT_EFAULT);
  wt_module_close(m);
}

static void test_no_memory(void **state) {
  wt_module_t *m = load(wasm("nomem", nomem_wat));
  wt_rt_result_t res = run(m, 0, NULL, NULL, NULL, 0);
  (void)state;
  assert_int_equal(res.end, WT_RT_END_EXIT);
  assert_int_equal(res.exit_code, WT_EBADF);
  wt_module_close(m);
}

/* A memory of 65536 pages (4 GiB) would read as size 0 in wasm2c 1.0.32:
 * refused when the module is read, before anything is built, in both
 * memory modes (growth to it is refused too: tests/guests/memory_4gib). */
static const char mem4g_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "    (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 65536)\n"
    "  (func (export \"_start\") (call $exit (i32.const 0))))\n";

static void test_memory_of_4gib_refused(void **state) {
  wt_rt_config_t cfg;
  wt_module_t *m = NULL;
  char err[1024];
  (void)state;
  for (int mode = 0; mode < 2; mode++) {
    config(&cfg);
    if (mode == 1)
      cfg.memcheck = WT_RT_MEMCHECK_GUARD;
    assert_int_equal(
        wt_module_load(wasm("mem4g", mem4g_wat), &cfg, &m, err, sizeof err),
        WT_RT_EMODULE);
    assert_null(m);
    assert_non_null(strstr(err, "65536 pages (4 GiB)"));
  }
}

/* ---- refusals ----------------------------------------------------------- */

static void test_refused_modules(void **state) {
  const char *msg;
  char path[400];
  FILE *f;
  (void)state;
  msg = load_fails(wasm("unknown",
                        "(module (import \"env\" \"foo\" (func))\n"
                        "  (import \"wasi_snapshot_preview1\" \"nope\"\n"
                        "    (func (param i32)))\n"
                        "  (func (export \"_start\")))"),
                   WT_RT_EMODULE, NULL);
  assert_non_null(strstr(msg, "env.foo"));
  assert_non_null(strstr(msg, "wasi_snapshot_preview1.nope"));
  msg = load_fails(wasm("reactor", "(module (func (export \"_initialize\")))"),
                   WT_RT_EMODULE, NULL);
  assert_non_null(strstr(msg, "no _start"));
  msg = load_fails(wasm("simd", "(module (func (export \"_start\")\n"
                                "  (drop (i32x4.splat (i32.const 1)))))"),
                   WT_RT_EMODULE, NULL);
  /* Named before wasm2c runs (it would abort on SIMD). */
  assert_non_null(strstr(msg, "the module uses the fixed-width SIMD "
                              "proposal (a v128 instruction at offset"));
  /* Valid structure, invalid code: wasm2c's validator says why. */
  snprintf(path, sizeof path, "%s/badcode.wasm", tmp);
  f = fopen(path, "wb");
  fwrite("\0asm\1\0\0\0\1\4\1\x60\0\0\3\2\1\0"
         "\7\x0a\1\6_start\0\0\n\5\1\3\0\x6a\x0b",
         1, 37, f);
  fclose(f);
  msg = load_fails(path, WT_RT_EMODULE, NULL);
  assert_non_null(strstr(msg, "invalid module (wasm2c:"));
  msg = load_fails(tmp, WT_RT_ETOOL, NULL);
  assert_non_null(strstr(msg, "not a regular file"));
  msg = load_fails("/nonexistent.wasm", WT_RT_ETOOL, NULL);
  assert_non_null(strstr(msg, "No such file"));
}

static void test_missing_tools(void **state) {
  wt_rt_config_t cfg;
  const char *msg, *path = wasm("counter", counter_wat);
  (void)state;
  config(&cfg);
  cfg.cc = "wt-no-such-cc";
  msg = load_fails(path, WT_RT_ETOOL, &cfg);
  assert_non_null(strstr(msg, "'wt-no-such-cc' not found in PATH; install "
                              "the Debian package 'gcc'"));
  config(&cfg);
  cfg.wasm2c = "wt-no-such-wasm2c";
  msg = load_fails(path, WT_RT_ETOOL, &cfg);
  assert_non_null(strstr(msg, "install the Debian package 'wabt'"));
  config(&cfg);
  cfg.opt_level = '9';
  msg = load_fails(path, WT_RT_ETOOL, &cfg);
  assert_non_null(strstr(msg, "optimisation level"));
}

/* ---- the cache ---------------------------------------------------------- */

static int count_entries(const char *dir, const char *suffix) {
  char cmd[600], line[64];
  FILE *p;
  int n = 0;
  snprintf(cmd, sizeof cmd, "ls %s 2>/dev/null", dir);
  p = popen(cmd, "r");
  while (p != NULL && fgets(line, sizeof line, p) != NULL)
    if (strstr(line, suffix) != NULL)
      n++;
  if (p != NULL)
    pclose(p);
  return n;
}

static void test_cache_key_and_clear(void **state) {
  wt_rt_config_t cfg;
  wt_module_t *m;
  wt_module_info_t info;
  unsigned removed;
  char err[1024];
  const char *path = wasm("counter", counter_wat);
  (void)state;
  wt_module_close(load(path));
  m = load(path);
  wt_module_info(m, &info);
  assert_true(info.cache_hit);
  assert_int_equal(info.compile_ms, 0);
  wt_module_close(m);
  /* Another optimisation level is another entry. */
  config(&cfg);
  cfg.opt_level = '1';
  assert_int_equal(wt_module_load(path, &cfg, &m, err, sizeof err), WT_RT_OK);
  wt_module_info(m, &info);
  assert_false(info.cache_hit);
  wt_module_close(m);
  assert_int_equal(wt_rt_cache_clear(&cfg, &removed, err, sizeof err),
                   WT_RT_OK);
  assert_true(removed >= 2);
  assert_int_equal(count_entries(cache, ".so"), 0);
}

static void test_no_cache(void **state) {
  wt_rt_config_t cfg;
  wt_module_t *m;
  wt_module_info_t info;
  char err[1024], so[4096];
  struct stat st;
  (void)state;
  config(&cfg);
  cfg.cache_dir = NULL; /* must not matter */
  cfg.no_cache = true;
  assert_int_equal(
      wt_module_load(wasm("counter", counter_wat), &cfg, &m, err, sizeof err),
      WT_RT_OK);
  wt_module_info(m, &info);
  assert_false(info.cache_hit);
  assert_true(info.compile_ms > 0);
  snprintf(so, sizeof so, "%s", info.so_path);
  assert_int_equal(stat(so, &st), 0);
  assert_int_equal(run(m, 0, NULL, NULL, NULL, 0).exit_code, 7);
  wt_module_close(m);
  assert_int_not_equal(stat(so, &st), 0); /* gone with its directory */
}

/* Two processes compiling the same module into an empty cache. */
static void test_cache_race(void **state) {
  const char *path = wasm("counter", counter_wat);
  pid_t pids[2];
  int status;
  (void)state;
  wt_test_rmtree(cache);
  for (int i = 0; i < 2; i++) {
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if (pids[i] == 0) {
      wt_rt_config_t cfg;
      wt_module_t *m;
      char err[1024];
      config(&cfg);
      _exit(wt_module_load(path, &cfg, &m, err, sizeof err) == WT_RT_OK ? 0
                                                                        : 1);
    }
  }
  for (int i = 0; i < 2; i++) {
    assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  assert_int_equal(count_entries(cache, ".so"), 1);
  assert_int_equal(count_entries(cache, "tmp."), 0);
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(wt_trap_string(WT_TRAP_OOB),
                      "out of bounds memory access");
  assert_string_equal(wt_trap_string((wt_trap_t)99), "unknown trap");
  assert_int_equal(wt_rt_host_signal(WT_SIGKILL), SIGKILL);
  assert_int_equal(wt_rt_host_signal(WT_SIGSYS), SIGSYS);
  assert_int_equal(wt_rt_host_signal(WT_SIGNONE), 0);
  assert_int_equal(wt_rt_host_signal(200), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hello),
      cmocka_unit_test(test_exit_code_and_fresh_instances),
      cmocka_unit_test(test_return_from_start),
      cmocka_unit_test(test_traps),
      cmocka_unit_test(test_guard_page_trap),
      cmocka_unit_test(test_trap_while_instantiating),
      cmocka_unit_test(test_exit_from_start_function),
      cmocka_unit_test(test_raise),
      cmocka_unit_test(test_memory_growth),
      cmocka_unit_test(test_guest_efault),
      cmocka_unit_test(test_no_memory),
      cmocka_unit_test(test_memory_of_4gib_refused),
      cmocka_unit_test(test_refused_modules),
      cmocka_unit_test(test_missing_tools),
      cmocka_unit_test(test_cache_key_and_clear),
      cmocka_unit_test(test_no_cache),
      cmocka_unit_test(test_cache_race),
      cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
