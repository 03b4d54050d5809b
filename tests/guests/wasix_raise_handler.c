/*
 * proc_raise with and without a registered callback, and the numbering of
 * each import module. Through wasix_32v1 signals are numbered as on Linux
 * (STKFLT 16, CHLD 17, URG 23, PROF 27, WINCH 28); through
 * wasi_snapshot_preview1 as in preview1 (URG 22, PROF 26, WINCH 27).
 *
 * Without a callback the default action applies: WINCH, URG and CHLD are
 * ignored (28 read as a preview1 number would be POLL, which terminates).
 * A callback name the guest does not export, or an export of the wrong
 * type, registers nothing (callback_signal has no result; a later raise
 * shows it) and keeps an earlier registration. With a callback, every
 * signal but KILL reaches it, numbered as the module that registered it
 * (wasix_32v1) numbers signals, whichever module raised it. KILL cannot
 * be caught: the last raise ends the guest (128 + 9).
 *
 * wt-exit: 137
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

/* Debian's wasi-libc no longer declares preview1's proc_raise. */
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("proc_raise"))) int32_t
p1_proc_raise(uint32_t sig);
#define P1_SIGURG 22
#define P1_SIGPROF 26
#define P1_SIGWINCH 27

static volatile int count;
static volatile int seen[8];

__attribute__((export_name("__wasm_signal"))) void on_signal(int sig) {
  if (count < 8)
    seen[count] = sig;
  count++;
}

/* Exported with a type a signal callback cannot have. */
__attribute__((export_name("wrong_type"))) int wrong_type(long long x) {
  return (int)x;
}

static void raise_wasix(const char *label, uint32_t sig) {
  int before = count;
  int32_t e = wasix_proc_raise(sig);
  printf("wasix proc_raise %s (%u): %s, ", label, sig, errname(e));
  if (count == before)
    printf("no handler call\n");
  else
    printf("handler got %d\n", seen[before]);
}

static void raise_p1(const char *label, uint32_t sig) {
  int before = count;
  int32_t e = p1_proc_raise(sig);
  printf("preview1 proc_raise %s (%u): %s, ", label, sig, errname(e));
  if (count == before)
    printf("no handler call\n");
  else
    printf("handler got %d\n", seen[before]);
}

int main(void) {
  puts("-- no callback");
  raise_wasix("WINCH", WASIX_SIGWINCH);
  raise_wasix("URG", WASIX_SIGURG);
  raise_wasix("CHLD", WASIX_SIGCHLD);
  raise_wasix("STKFLT", WASIX_SIGSTKFLT);
  raise_wasix("32", 32);
  raise_p1("WINCH", P1_SIGWINCH);
  raise_p1("URG", P1_SIGURG);

  puts("-- callbacks that do not exist");
  wasix_set_handler("no_such_export");
  raise_wasix("WINCH", WASIX_SIGWINCH);
  wasix_set_handler("wrong_type");
  raise_wasix("WINCH", WASIX_SIGWINCH);
  wasix_set_handler("memory");
  raise_wasix("WINCH", WASIX_SIGWINCH);

  puts("-- __wasm_signal registered");
  wasix_set_handler("__wasm_signal");
  raise_wasix("USR1", WASIX_SIGUSR1);
  raise_wasix("TERM", WASIX_SIGTERM);
  raise_wasix("CHLD", WASIX_SIGCHLD);
  raise_wasix("WINCH", WASIX_SIGWINCH);
  raise_wasix("PROF", WASIX_SIGPROF);
  raise_p1("PROF", P1_SIGPROF);
  raise_p1("WINCH", P1_SIGWINCH);
  raise_wasix("NONE", 0);
  raise_wasix("STKFLT", WASIX_SIGSTKFLT);

  puts("-- a failed registration keeps the callback");
  wasix_set_handler("wrong_type");
  raise_wasix("USR2", WASIX_SIGUSR2);
  printf("handler calls: %d\n", count);

  puts("-- KILL cannot be caught");
  fflush(stdout);
  wasix_proc_raise(9);
  puts("still running after KILL");
  return 0;
}
