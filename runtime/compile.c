/*
 * Building a guest: wasm2c, the glue, the system C compiler. Both tools run
 * with posix_spawnp (no shell), with their output captured in a log file
 * inside the build directory so a failure can be explained.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_internal.h"

#ifndef WT_WASM2C_RT_IMPL
#define WT_WASM2C_RT_IMPL "/usr/share/wabt/wasm2c/wasm-rt-impl.c"
#endif
#ifndef WT_WASM_RT_INCLUDE_DIR
#define WT_WASM_RT_INCLUDE_DIR "/usr/include"
#endif

extern char **environ;

const char *wt__rt_impl_path(void) {
  return WT_WASM2C_RT_IMPL;
}

#define MAX_FLAGS 12

/*
 * The compiler flags. Generated code is warning-heavy and compiled with
 * -w; only the glue's wt_glue table is exported.
 */
static int flags(char opt, bool guard, char opt_buf[4], const char *flag[]) {
  int n = 0;
  snprintf(opt_buf, 4, "-O%c", opt);
  flag[n++] = "-shared";
  flag[n++] = "-fPIC";
  flag[n++] = opt_buf;
  flag[n++] = "-w";
  flag[n++] = "-fvisibility=hidden";
  flag[n++] = "-D_GNU_SOURCE";
  flag[n++] = guard ? "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1"
                    : "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0";
  return n;
}

void wt__build_flags(char opt_level, bool guard_pages, char *buf, size_t size) {
  const char *flag[MAX_FLAGS];
  char opt[4];
  size_t used = 0;
  int n = flags(opt_level, guard_pages, opt, flag);
  buf[0] = '\0';
  for (int i = 0; i < n && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "",
                             flag[i]);
}

/*
 * Runs argv with stdin from /dev/null and stdout/stderr to `log`. Returns 0
 * and the wait status, or the errno of a failed spawn.
 */
static int run(const char *const argv[], const char *log, int *status) {
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int rc;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return rc;
  while (waitpid(pid, status, 0) < 0)
    if (errno != EINTR)
      return errno;
  return 0;
}

/* The first `max` bytes of a log, trailing newlines trimmed. */
static void read_log(const char *path, char *buf, size_t max) {
  FILE *f = fopen(path, "r");
  size_t n = 0;
  if (f != NULL) {
    n = fread(buf, 1, max - 1, f);
    fclose(f);
  }
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    n--;
  buf[n] = '\0';
}

static wt_rt_status_t spawn_failed(const char *what, const char *prog,
                                   const char *pkg, int rc, char *err,
                                   size_t size) {
  if (rc == ENOENT)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "%s '%s' not found in PATH; install the Debian "
                       "package %s",
                       what, prog, pkg);
  return wt__rt_fail(WT_RT_ETOOL, err, size, "cannot run %s '%s': %s", what,
                     prog, strerror(rc));
}

static wt_rt_status_t translate(wt__build_t *b, char *err, size_t size) {
  char out[4096], log[4096], msg[1024];
  const char *argv[] = {b->wasm2c, "-n", "guest", b->wasm_path,
                        "-o",      out,  NULL};
  int status, rc;
  double t0 = wt__now_ms();
  snprintf(out, sizeof out, "%s/guest.c", b->dir);
  snprintf(log, sizeof log, "%s/wasm2c.log", b->dir);
  rc = run(argv, log, &status);
  b->translate_ms = wt__now_ms() - t0;
  if (rc != 0)
    return spawn_failed("wasm2c", b->wasm2c, "'wabt'", rc, err, size);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)
    return wt__rt_fail(WT_RT_EMODULE, err, size,
                       "unsupported WebAssembly feature (wasm2c 1.0.32 "
                       "cannot translate this module; SIMD is the usual "
                       "cause)");
  if (WIFSIGNALED(status))
    return wt__rt_fail(WT_RT_ETOOL, err, size, "wasm2c died with signal %d",
                       WTERMSIG(status));
  if (WEXITSTATUS(status) != 0) {
    read_log(log, msg, sizeof msg);
    return wt__rt_fail(WT_RT_EMODULE, err, size, "invalid module (wasm2c: %s)",
                       msg);
  }
  return WT_RT_OK;
}

static wt_rt_status_t compile(wt__build_t *b, char *err, size_t size) {
  char glue[4096], guest[4096], inc[4096], log[4096], msg[1536], opt[4];
  const char *argv[MAX_FLAGS + 12];
  int n, status, rc;
  double t0 = wt__now_ms();
  snprintf(glue, sizeof glue, "%s/glue.c", b->dir);
  snprintf(guest, sizeof guest, "%s/guest.c", b->dir);
  snprintf(inc, sizeof inc, "-I%s", WT_WASM_RT_INCLUDE_DIR);
  snprintf(log, sizeof log, "%s/cc.log", b->dir);
  argv[0] = b->cc;
  n = 1 + flags(b->opt_level, b->guard_pages, opt, argv + 1);
  /* -I/usr/include would reorder the system include directories. */
  if (strcmp(WT_WASM_RT_INCLUDE_DIR, "/usr/include") != 0)
    argv[n++] = inc;
  argv[n++] = glue;
  argv[n++] = guest;
  argv[n++] = "-o";
  argv[n++] = b->out_so;
  argv[n++] = "-lm";
  argv[n] = NULL;
  rc = run(argv, log, &status);
  b->compile_ms = wt__now_ms() - t0;
  if (rc != 0)
    return spawn_failed("C compiler", b->cc, "'gcc' (or 'build-essential')", rc,
                        err, size);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    read_log(log, msg, sizeof msg);
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "the C compiler '%s' failed on the translated module "
                       "(log: %s):\n%s",
                       b->cc, log, msg);
  }
  return WT_RT_OK;
}

wt_rt_status_t wt__build(wt__build_t *b, char *err, size_t size) {
  char glue[4096];
  struct stat st;
  wt_rt_status_t st_rc;
  if (stat(wt__rt_impl_path(), &st) != 0)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "the wasm2c runtime source %s is missing; install "
                       "the Debian package 'wabt'",
                       wt__rt_impl_path());
  if ((st_rc = translate(b, err, size)) != WT_RT_OK)
    return st_rc;
  snprintf(glue, sizeof glue, "%s/glue.c", b->dir);
  if (!wt__glue_write(glue, b->info, wt__rt_impl_path(), err, size))
    return WT_RT_ETOOL;
  return compile(b, err, size);
}
