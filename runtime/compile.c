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
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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
 * Ctrl-C during a build: a build directory must not be left behind. While
 * a tool runs, SIGINT, SIGTERM and SIGHUP, where their action is the
 * default, only stop the build; the caller removes the work files and then
 * raises the signal again (module.c).
 */
static volatile sig_atomic_t caught;

static void on_signal(int sig) {
  caught = sig;
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (sizeof stop_signals / sizeof *stop_signals)

static void catch_stops(struct sigaction old[NSTOP]) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() must return */
  sigemptyset(&sa.sa_mask);
  caught = 0;
  for (size_t i = 0; i < NSTOP; i++) {
    sigaction(stop_signals[i], NULL, &old[i]);
    if (old[i].sa_handler == SIG_DFL)
      sigaction(stop_signals[i], &sa, NULL);
  }
}

static void restore_stops(const struct sigaction old[NSTOP]) {
  for (size_t i = 0; i < NSTOP; i++)
    if (old[i].sa_handler == SIG_DFL)
      sigaction(stop_signals[i], &old[i], NULL);
}

/* Why a tool did not finish, beyond its own exit status. */
enum { RUN_DONE, RUN_TIMEOUT, RUN_INTERRUPTED };

static void progress(wt__build_t *b, const char *step, const char *tool,
                     double ms, bool done) {
  wt_rt_progress_t p = {step, tool, ms / 1e3, done, b->info->nfuncs,
                        b->wasm_len};
  if (b->progress != NULL)
    b->progress(b->progress_ud, &p);
}

/*
 * Waits for `pid` (its own process group), reporting progress each second
 * after the first, within the build's time limit. The group is killed on
 * time-out or interruption, so no compiler process outlives the build.
 */
static int wait_tool(wt__build_t *b, pid_t pid, const char *step,
                     const char *tool, int *status) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), why = RUN_DONE;
  double t0 = wt__now_ms(), ms = 0;
  bool shown = false;
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR))
      break;
    ms = wt__now_ms() - t0;
    if (caught != 0 || (b->timeout_s != 0 && ms >= b->timeout_s * 1e3)) {
      why = caught != 0 ? RUN_INTERRUPTED : RUN_TIMEOUT;
      kill(-pid, SIGKILL);
      while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
      break;
    }
    if (ms >= 1000) {
      progress(b, step, tool, ms, false);
      shown = true;
    }
    if (pidfd >= 0)
      poll(&(struct pollfd){pidfd, POLLIN, 0}, 1, ms < 1000 ? 1000 - (int)ms % 1000 : 1000);
    else
      nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
  if (pidfd >= 0)
    close(pidfd);
  if (shown)
    progress(b, step, tool, wt__now_ms() - t0, true);
  return why;
}

/*
 * Runs argv with stdin from /dev/null and stdout/stderr to `log`, in a
 * process group of its own. Returns 0 and the wait status and *why, or the
 * errno of a failed spawn.
 */
static int run(wt__build_t *b, const char *step, const char *const argv[],
               const char *log, int *status, int *why) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  pid_t pid;
  int rc;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return rc;
  *why = wait_tool(b, pid, step, argv[0], status);
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

/* The message for a tool that was stopped (why != RUN_DONE). */
static wt_rt_status_t stopped(wt__build_t *b, int why, const char *step,
                              char *err, size_t size) {
  if (why == RUN_INTERRUPTED) {
    b->interrupted = caught;
    return wt__rt_fail(WT_RT_ETOOL, err, size, "interrupted while %s",
                       step);
  }
  return wt__rt_fail(WT_RT_EMODULE, err, size,
                     "%s the module (%u functions, %zu bytes) took longer "
                     "than %u s, so it was abandoned: the module is too "
                     "large for this runtime (wasm2c 1.0.32's time grows "
                     "faster than linearly with the number of functions). "
                     "--compile-timeout=SECONDS raises the limit (0: none)",
                     step, b->info->nfuncs, b->wasm_len, b->timeout_s);
}

static bool write_file(const char *path, const uint8_t *p, size_t len) {
  FILE *f = fopen(path, "wbx");
  bool ok = f != NULL && fwrite(p, 1, len, f) == len;
  if (f != NULL)
    ok = fclose(f) == 0 && ok;
  return ok;
}

/*
 * The module as wasm2c sees it: rewritten so that no byte of it can reach
 * the generated C except as an identifier (wasm_rewrite.c).
 */
static wt_rt_status_t write_input(wt__build_t *b, const char *path, char *err,
                                  size_t size) {
  uint8_t *safe;
  size_t len;
  wt_rt_status_t st =
      wt__wasm_rewrite(b->wasm, b->wasm_len, b->info, &safe, &len, err, size);
  if (st != WT_RT_OK)
    return st;
  if (!write_file(path, safe, len))
    st = wt__rt_fail(WT_RT_ETOOL, err, size, "cannot write %s: %s", path,
                     strerror(errno));
  free(safe);
  return st;
}

/* Reads a generated file whole and checks it (csafe.c). */
static wt_rt_status_t check_output(const char *path, char *err, size_t size) {
  char why[256];
  struct stat st;
  char *text = NULL;
  bool ok = false;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size >= 0)
    text = malloc((size_t)st.st_size + 1);
  if (text != NULL) {
    size_t got = 0;
    ssize_t n = 1;
    while (got < (size_t)st.st_size &&
           ((n = read(fd, text + got, (size_t)st.st_size - got)) > 0 ||
            (n < 0 && errno == EINTR)))
      got += n > 0 ? (size_t)n : 0;
    ok = got == (size_t)st.st_size;
    snprintf(why, sizeof why, "cannot read it");
    ok = ok && wt__c_check(text, got, why, sizeof why);
  } else {
    snprintf(why, sizeof why, "cannot read it: %s", strerror(errno));
  }
  if (fd >= 0)
    close(fd);
  free(text);
  if (ok)
    return WT_RT_OK;
  return wt__rt_fail(WT_RT_EMODULE, err, size,
                     "refused: the C that wasm2c generated from this module "
                     "failed the safety check (%s: %s); it was not compiled",
                     strrchr(path, '/') + 1, why);
}

static wt_rt_status_t translate(wt__build_t *b, char *err, size_t size) {
  char in[4096], out[4096], hdr[4096], log[4096], msg[1024];
  const char *argv[] = {b->wasm2c, "-n", "guest", in, "-o", out, NULL};
  int status, rc, why;
  double t0 = wt__now_ms();
  wt_rt_status_t st;
  snprintf(in, sizeof in, "%s/guest.wasm", b->dir);
  snprintf(out, sizeof out, "%s/guest.c", b->dir);
  snprintf(hdr, sizeof hdr, "%s/guest.h", b->dir);
  snprintf(log, sizeof log, "%s/wasm2c.log", b->dir);
  if ((st = write_input(b, in, err, size)) != WT_RT_OK)
    return st;
  rc = run(b, "translating", argv, log, &status, &why);
  b->translate_ms = wt__now_ms() - t0;
  if (rc != 0)
    return spawn_failed("wasm2c", b->wasm2c, "'wabt'", rc, err, size);
  if (why != RUN_DONE)
    return stopped(b, why, "translating", err, size);
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
  if ((st = check_output(out, err, size)) != WT_RT_OK)
    return st;
  return check_output(hdr, err, size);
}

/*
 * A failed compile's log outlives the build directory: copied to
 * $TMPDIR/wasitrace-cc-XXXXXX.log, whose name goes into the message.
 * False when it cannot be kept.
 */
static bool keep_log(const char *log, char *kept, size_t size) {
  const char *tmp = getenv("TMPDIR");
  char buf[8192];
  ssize_t n;
  bool ok = true;
  int in, out;
  if (!wt__strf(kept, size, "%s/wasitrace-cc-XXXXXX.log",
                tmp && tmp[0] ? tmp : "/tmp"))
    return false;
  if ((out = mkstemps(kept, 4)) < 0)
    return false;
  if ((in = open(log, O_RDONLY | O_CLOEXEC)) < 0)
    ok = false;
  while (ok && (n = read(in, buf, sizeof buf)) > 0)
    ok = write(out, buf, (size_t)n) == n;
  if (in >= 0)
    close(in);
  ok = close(out) == 0 && ok;
  if (!ok)
    unlink(kept);
  return ok;
}

static wt_rt_status_t compile(wt__build_t *b, char *err, size_t size) {
  char glue[4096], guest[4096], inc[4096], log[4096], msg[1536], opt[4],
      kept[4096];
  const char *argv[MAX_FLAGS + 12];
  int n, status, rc, why;
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
  rc = run(b, "compiling", argv, log, &status, &why);
  b->compile_ms = wt__now_ms() - t0;
  if (rc != 0)
    return spawn_failed("C compiler", b->cc, "'gcc' (or 'build-essential')", rc,
                        err, size);
  if (why != RUN_DONE)
    return stopped(b, why, "compiling", err, size);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    read_log(log, msg, sizeof msg);
    if (!keep_log(log, kept, sizeof kept))
      snprintf(kept, sizeof kept, "not kept");
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "the C compiler '%s' failed on the translated module "
                       "(whole log: %s):\n%s",
                       b->cc, kept, msg);
  }
  return WT_RT_OK;
}

wt_rt_status_t wt__build(wt__build_t *b, char *err, size_t size) {
  struct sigaction old[NSTOP];
  char glue[4096];
  struct stat st;
  wt_rt_status_t rc;
  if (stat(wt__rt_impl_path(), &st) != 0)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "the wasm2c runtime source %s is missing; install "
                       "the Debian package 'wabt'",
                       wt__rt_impl_path());
  b->interrupted = 0;
  catch_stops(old);
  if ((rc = translate(b, err, size)) == WT_RT_OK) {
    snprintf(glue, sizeof glue, "%s/glue.c", b->dir);
    rc = wt__glue_write(glue, b->info, wt__rt_impl_path(), err, size)
             ? compile(b, err, size)
             : WT_RT_ETOOL;
  }
  restore_stops(old);
  return rc;
}
