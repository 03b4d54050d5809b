/*
 * Policy layer benchmark (not a test): what the policy costs per call.
 * Three stacks over the core, in one process, each on its own instance
 * with the same scratch directory preopened as /sb:
 *   none   the core's table alone (a plain run: no layer, no guard)
 *   10     the policy layer over the core, a policy of 10 path rules
 *   1000   the same with 1,000 path rules
 * and the calls the targets name: the syscall storm's call (a
 * 16-byte fd_write to /dev/null; no rule is about it) and path_open +
 * fd_close of an allowed file (SYMLINK_FOLLOW, as wasi-libc's open asks),
 * which the core's guard shows to the policy, whose compiled globs judge it.
 *
 * Every round times one batch of each stack, the order rotating round by
 * round, so a slow spell of a shared machine hits all three alike. Times
 * are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID); each row shows the
 * medians over the rounds, the ratios of the medians, and the quartiles of
 * the per-round ratios. The last row is the machine's cost of a 16-byte
 * write(2) to /dev/null, measured in the same run, which every table of
 * bench/README.md states.
 *
 *   bench_policy_calls [--rounds N] [--ms MS] [--dir DIR]
 *                      [--calls N --stack none|10|1000]
 *
 * --rounds: rounds per call (default 21); --ms: CPU milliseconds per batch
 * (default 4); --dir: where the scratch directory goes (default /tmp).
 * --calls with --stack times nothing: it makes N calls of each row on that
 * stack alone, for valgrind --tool=callgrind or strace -c to count.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wt/core.h"
#include "wt/policy.h"

#define BENCH_NAME "bench_policy_calls"
#include "harness.h"

enum { MAX_ROUNDS = 201, STACKS = 3 };

typedef struct stack_s {
  const char *name;
  unsigned nrules; /* 0: no policy */
  wt_t *w;
  wt_policy_t *p;
  wt_policy_layer_t *l;
  const wt_api_t *api;
  void *ctx;
} stack_t;

static stack_t S[STACKS] = {{.name = "none", .nrules = 0},
                             {.name = "10 rules", .nrules = 10},
                             {.name = "1000 rules", .nrules = 1000}};
static int null_fd;
static const stack_t *cur; /* the stack a batch runs on */

/* ---- the calls ----------------------------------------------------------- */

static void call_write(void) {
  wt_ciovec_t iov = {(const uint8_t *)"0123456789abcdef", 16};
  uint32_t n;
  ok(cur->api->fd_write(cur->ctx, 1, &iov, 1, &n), "fd_write");
}

static void call_open(void) {
  wt_fd_t fd;
  ok(cur->api->path_open(cur->ctx, 3, WT_LOOKUP_SYMLINK_FOLLOW, "data/file",
                         9, 0, WT_RIGHT_FD_READ | WT_RIGHT_FD_SEEK, 0, 0, &fd),
     "path_open");
  ok(cur->api->fd_close(cur->ctx, fd), "fd_close");
}

static void libc_write(void) {
  if (write(null_fd, "0123456789abcdef", 16) != 16)
    die("write");
}

/* ---- the policies -------------------------------------------------------- */

/*
 * n path rules shaped like a large real policy: rule 0 lets /sb/data be
 * read; then literal files under /sb/data (as --suggest-policy writes
 * them), source trees allowed to read with a deny glob for keys inside
 * each, output directories writable for *.log, and two globs every path
 * under /sb meets (temporary files and .git, anywhere). None but rule 0
 * allows the file opened; the globs under /sb/data and at /sb are tried.
 */
static void add_rules(wt_policy_t *p, unsigned n) {
  char glob[128], err[512];
  int rc = 0;
  rc |= wt_policy_add_path_rule(p, false, "/sb/data/**", WT_POLICY_READ_OPS,
                                -1, "data", err, sizeof err);
  rc |= wt_policy_add_path_rule(p, true, "/sb/**/*.tmp", WT_POLICY_ALL_OPS,
                                -1, "tmp", err, sizeof err);
  rc |= wt_policy_add_path_rule(p, true, "/sb/**/.git/**", WT_POLICY_ALL_OPS,
                                -1, "git", err, sizeof err);
  for (unsigned i = 3; i < n && rc == 0; i++) {
    bool deny = false;
    unsigned ops = WT_POLICY_READ_OPS;
    switch (i % 4) {
    case 0:
      snprintf(glob, sizeof glob, "/sb/data/f%u.txt", i);
      break;
    case 1:
      snprintf(glob, sizeof glob, "/sb/src%u/**", i);
      break;
    case 2:
      snprintf(glob, sizeof glob, "/sb/src%u/**/*.key", i - 1);
      deny = true;
      ops = WT_POLICY_ALL_OPS;
      break;
    default:
      snprintf(glob, sizeof glob, "/sb/out%u/*.log", i);
      ops = WT_PATH_OP_WRITE | WT_PATH_OP_CREATE;
      break;
    }
    rc |= wt_policy_add_path_rule(p, deny, glob, ops, -1, glob, err,
                                  sizeof err);
  }
  if (rc != 0 || wt_policy_finish(p, err, sizeof err) != 0) {
    fprintf(stderr, "bench_policy_calls: policy: %s\n", err);
    exit(1);
  }
  if (wt_policy_rule_count(p) != n)
    die("counting the rules");
}

static void open_stack(stack_t *s, const char *root) {
  wt_options_t o;
  wt_preopen_t pre = {"/sb", root};
  wt_options_init(&o);
  o.in = o.out = o.err = null_fd;
  o.preopenc = 1;
  o.preopens = &pre;
  if (wt_init(&o, &s->w) != WT_ESUCCESS)
    die("wt_init");
  s->api = wt_core_api();
  s->ctx = s->w;
  if (s->nrules == 0)
    return;
  if (wt_policy_new(&s->p) != 0)
    die("wt_policy_new");
  add_rules(s->p, s->nrules);
  if (wt_policy_layer_open(s->p, wt_core_api(), s->w, s->w, NULL, NULL, NULL,
                           &s->l) != 0)
    die("wt_policy_layer_open");
  s->api = wt_policy_api();
  s->ctx = s->l;
}

static void close_stack(stack_t *s) {
  if (s->l != NULL) {
    if (wt_policy_layer_denials(s->l) != 0)
      die("the run (the policy denied a call)");
    wt_policy_layer_close(s->l);
    wt_policy_free(s->p);
  }
  wt_destroy(s->w);
}

/* ---- timing on one stack (harness.h) ------------------------------- */

static double batch_on(const stack_t *s, void (*fn)(void), long n) {
  cur = s;
  return batch(fn, n);
}

static long calibrate_on(const stack_t *s, void (*fn)(void), double ms) {
  cur = s;
  return calibrate(fn, ms);
}

static void row(const char *name, void (*fn)(void), int rounds, double ms) {
  static double ns[STACKS][MAX_ROUNDS], ratio[STACKS][MAX_ROUNDS];
  double m[STACKS];
  long n = calibrate_on(&S[0], fn, ms);
  /* One untimed batch on each: caches, the dentry, lazy binding. */
  for (int k = 0; k < STACKS; k++)
    batch_on(&S[k], fn, n / 8 + 1);
  for (int r = 0; r < rounds; r++) {
    for (int j = 0; j < STACKS; j++) {
      int k = (r + j) % STACKS;
      ns[k][r] = batch_on(&S[k], fn, n);
    }
    for (int k = 1; k < STACKS; k++)
      ratio[k][r] = ns[k][r] / ns[0][r];
  }
  for (int k = 0; k < STACKS; k++)
    m[k] = median(ns[k], rounds);
  printf("%-20s %8.0f", name, m[0]);
  for (int k = 1; k < STACKS; k++) {
    median(ratio[k], rounds); /* sorts: the quartiles of the rounds */
    printf("  %8.0f %5.2f %4.2f-%.2f", m[k], m[k] / m[0],
           ratio[k][rounds / 4], ratio[k][rounds - 1 - rounds / 4]);
  }
  printf("\n");
}

static void libc_row(int rounds, double ms) {
  static double ns[MAX_ROUNDS];
  long n = calibrate_on(&S[0], libc_write, ms);
  batch_on(&S[0], libc_write, n / 8 + 1);
  for (int r = 0; r < rounds; r++)
    ns[r] = batch_on(&S[0], libc_write, n);
  printf("%-20s %8.0f   (16-byte write(2) to /dev/null, libc)\n",
         "write 16 B (libc)", median(ns, rounds));
}

/* ---- setup --------------------------------------------------------------- */

static void make_tree(const char *root) {
  char p[600];
  int fd;
  snprintf(p, sizeof p, "%s/data", root);
  if (mkdir(p, 0755) != 0)
    die("mkdir data");
  snprintf(p, sizeof p, "%s/data/file", root);
  fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, "data\n", 5) != 5)
    die("creating the file");
  close(fd);
}

static void remove_tree(const char *root) {
  char p[600];
  snprintf(p, sizeof p, "%s/data/file", root);
  unlink(p);
  snprintf(p, sizeof p, "%s/data", root);
  rmdir(p);
  rmdir(root);
}

static void load_average(void) {
  double l[3];
  if (getloadavg(l, 3) == 3)
    printf("load average: %.2f %.2f %.2f\n", l[0], l[1], l[2]);
}

/* --calls: N calls of each row on stack k, untimed. */
static void count_only(int k, long n) {
  batch_on(&S[k], call_write, n);
  batch_on(&S[k], call_open, n);
  printf("%ld calls of each row on %s\n", n, S[k].name);
}

int main(int argc, char **argv) {
  int rounds = 21, stack = -1;
  long calls = 0;
  double ms = 4;
  const char *dir = "/tmp";
  char root[512];
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--rounds") == 0)
      rounds = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--ms") == 0)
      ms = atof(argv[i + 1]);
    else if (strcmp(argv[i], "--dir") == 0)
      dir = argv[i + 1];
    else if (strcmp(argv[i], "--calls") == 0)
      calls = atol(argv[i + 1]);
    else if (strcmp(argv[i], "--stack") == 0)
      for (int k = 0; k < STACKS; k++)
        if ((k == 0 && strcmp(argv[i + 1], "none") == 0) ||
            (k > 0 && (unsigned)atoi(argv[i + 1]) == S[k].nrules))
          stack = k;
  }
  if (rounds < 1 || rounds > MAX_ROUNDS || ms <= 0 || (calls > 0) != (stack >= 0)) {
    fprintf(stderr, "usage: bench_policy_calls [--rounds 1..%d] [--ms MS] "
                    "[--dir DIR] [--calls N --stack none|10|1000]\n",
            MAX_ROUNDS);
    return 2;
  }
  snprintf(root, sizeof root, "%s/wt-policy-calls.%d", dir, (int)getpid());
  if (mkdir(root, 0700) != 0)
    die("mkdir of the scratch directory");
  make_tree(root);
  if ((null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
    die("opening /dev/null");
  for (int k = 0; k < STACKS; k++)
    open_stack(&S[k], root);
  if (calls > 0) {
    count_only(stack, calls);
    goto done;
  }
  printf("policy layer vs none: thread CPU ns per call, medians of %d rounds "
         "of ~%.0f ms each, interleaved\n",
         rounds, ms);
  load_average();
  printf("%-20s %8s  %8s %5s %9s  %8s %5s %9s\n", "call", "none", "10 rules",
         "x", "(quart.)", "1000 r.", "x", "(quart.)");
  row("fd_write 16 B", call_write, rounds, ms);
  row("path_open+fd_close", call_open, rounds, ms);
  libc_row(rounds, ms);
  load_average();
done:
  for (int k = 0; k < STACKS; k++)
    close_stack(&S[k]);
  close(null_fd);
  remove_tree(root);
  return 0;
}
