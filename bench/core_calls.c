/*
 * Core per-call benchmark (not a test): each call of the core (wt_*)
 * against the libc call a native program would make for the same work, in
 * the same process, interleaved: every round times a batch of the core's
 * calls and a batch of libc's, in alternating order, so a slow spell of a
 * shared machine hits both sides alike.
 *
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID: user + kernel
 * time of this thread only), so other processes on the machine shift them
 * far less than a wall clock; each row shows the medians over the rounds
 * and their ratio. The first row is also the machine's cost of a 16-byte
 * write to /dev/null, which every table of bench/README.md states so that
 * ratios can be compared across machines.
 *
 *   bench_core_calls [--rounds N] [--ms MS] [--dir DIR]
 *
 * --rounds: rounds per call (default 21); --ms: CPU milliseconds per batch
 * (default 4); --dir: where the scratch directory goes (default /tmp).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wt/core.h"

#define BENCH_NAME "bench_core_calls"
#include "harness.h"

enum { MAX_ROUNDS = 201, DIR_ENTRIES = 100 };

typedef struct ctx_s {
  wt_t *w;
  int null_fd;  /* libc's /dev/null (the core's is guest fd 1) */
  int root_fd;  /* the scratch directory, libc's side */
  int file_fd;  /* a 64 KiB file, libc's side */
  wt_fd_t file; /* the same file, the core's side */
  wt_fd_t dir;  /* the directory of 100 entries, the core's side */
  DIR *dirp;    /* the same directory, libc's side */
} ctx_t;

static ctx_t C;
static uint8_t buf[65536];

/* ---- the calls, core then libc ------------------------------------------ */

static void core_write(void) {
  wt_ciovec_t iov = {(const uint8_t *)"0123456789abcdef", 16};
  uint32_t n;
  ok(wt_fd_write(C.w, 1, &iov, 1, &n), "fd_write");
}
static void libc_write(void) {
  if (write(C.null_fd, "0123456789abcdef", 16) != 16)
    die("write");
}

static void core_clock(void) {
  uint64_t t;
  ok(wt_clock_time_get(C.w, WT_CLOCK_MONOTONIC, 1, &t), "clock_time_get");
}
static void libc_clock(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    die("clock_gettime");
}

static void core_open(void) {
  wt_fd_t fd;
  ok(wt_path_open(C.w, 3, WT_LOOKUP_SYMLINK_FOLLOW, "file", 4, 0,
                  WT_RIGHT_FD_READ | WT_RIGHT_FD_SEEK, 0, 0, &fd),
     "path_open");
  ok(wt_fd_close(C.w, fd), "fd_close");
}
static void libc_open(void) {
  int fd = openat(C.root_fd, "file", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    die("openat");
  close(fd);
}

static void core_pread(void) {
  wt_iovec_t iov = {buf, 4096};
  uint32_t n;
  ok(wt_fd_pread(C.w, C.file, &iov, 1, 8192, &n), "fd_pread");
}
static void libc_pread(void) {
  if (pread(C.file_fd, buf, 4096, 8192) != 4096)
    die("pread");
}

static void core_fstat(void) {
  wt_filestat_t st;
  ok(wt_fd_filestat_get(C.w, C.file, &st), "fd_filestat_get");
}
static void libc_fstat(void) {
  struct stat st;
  if (fstat(C.file_fd, &st) != 0)
    die("fstat");
}

static void core_pstat(void) {
  wt_filestat_t st;
  ok(wt_path_filestat_get(C.w, 3, WT_LOOKUP_SYMLINK_FOLLOW, "file", 4, &st),
     "path_filestat_get");
}
static void libc_pstat(void) {
  struct stat st;
  if (fstatat(C.root_fd, "file", &st, 0) != 0)
    die("fstatat");
}

/* All 100 entries (and "." and ".."), from the start, as a listing does. */
static void core_readdir(void) {
  uint32_t used;
  ok(wt_fd_readdir(C.w, C.dir, buf, sizeof buf, 0, &used), "fd_readdir");
  if (used == 0 || used == sizeof buf)
    die("fd_readdir (one buffer for the whole listing)");
}
static void libc_readdir(void) {
  int n = 0;
  rewinddir(C.dirp);
  while (readdir(C.dirp) != NULL)
    n++;
  if (n != DIR_ENTRIES + 2)
    die("readdir");
}

static void core_random(void) {
  ok(wt_random_get(C.w, buf, 32), "random_get");
}
static void libc_random(void) {
  if (getrandom(buf, 32, 0) != 32)
    die("getrandom");
}

typedef struct case_s {
  const char *name;
  void (*core)(void);
  void (*libc)(void);
  const char *libc_name;
} case_t;

static const case_t cases[] = {
    {"fd_write 16 B", core_write, libc_write, "write /dev/null"},
    {"clock_time_get", core_clock, libc_clock, "clock_gettime"},
    {"path_open+fd_close", core_open, libc_open, "openat+close"},
    {"fd_pread 4 KiB", core_pread, libc_pread, "pread"},
    {"fd_filestat_get", core_fstat, libc_fstat, "fstat"},
    {"path_filestat_get", core_pstat, libc_pstat, "fstatat"},
    {"fd_readdir 100", core_readdir, libc_readdir, "rewinddir+readdir"},
    {"random_get 32 B", core_random, libc_random, "getrandom"},
};

/* ---- timing -------------------------------------------------------------- */

static void row(const case_t *c, int rounds, double ms) {
  static double core_ns[MAX_ROUNDS], libc_ns[MAX_ROUNDS], ratio[MAX_ROUNDS];
  long n = calibrate(c->libc, ms);
  double mc, ml;
  /* One round of each, untimed: caches, the dentry, lazy binding. */
  batch(c->core, n / 8 + 1);
  batch(c->libc, n / 8 + 1);
  for (int r = 0; r < rounds; r++) {
    if (r % 2 == 0) {
      core_ns[r] = batch(c->core, n);
      libc_ns[r] = batch(c->libc, n);
    } else {
      libc_ns[r] = batch(c->libc, n);
      core_ns[r] = batch(c->core, n);
    }
    ratio[r] = core_ns[r] / libc_ns[r];
  }
  mc = median(core_ns, rounds);
  ml = median(libc_ns, rounds);
  median(ratio, rounds); /* sorts: the quartiles of the rounds' ratios */
  printf("%-20s %-18s %10.0f %10.0f %7.2f %7.2f-%.2f\n", c->name, c->libc_name,
         mc, ml, mc / ml, ratio[rounds / 4], ratio[rounds - 1 - rounds / 4]);
}

/* ---- setup --------------------------------------------------------------- */

static void make_tree(const char *root) {
  char p[600];
  int fd;
  snprintf(p, sizeof p, "%s/file", root);
  fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
    die("creating the file");
  close(fd);
  snprintf(p, sizeof p, "%s/dir", root);
  if (mkdir(p, 0755) != 0)
    die("mkdir");
  for (int i = 0; i < DIR_ENTRIES; i++) {
    snprintf(p, sizeof p, "%s/dir/entry-%03d", root, i);
    if ((fd = open(p, O_WRONLY | O_CREAT, 0644)) < 0)
      die("creating the directory's entries");
    close(fd);
  }
}

static void remove_tree(const char *root) {
  char p[600];
  for (int i = 0; i < DIR_ENTRIES; i++) {
    snprintf(p, sizeof p, "%s/dir/entry-%03d", root, i);
    unlink(p);
  }
  snprintf(p, sizeof p, "%s/dir", root);
  rmdir(p);
  snprintf(p, sizeof p, "%s/file", root);
  unlink(p);
  rmdir(root);
}

static void setup(const char *root) {
  wt_options_t o;
  wt_preopen_t pre = {"/", root};
  char p[600];
  make_tree(root);
  C.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  wt_options_init(&o);
  o.in = o.out = o.err = C.null_fd;
  o.preopenc = 1;
  o.preopens = &pre;
  if (C.null_fd < 0 || wt_init(&o, &C.w) != WT_ESUCCESS)
    die("wt_init");
  C.root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  snprintf(p, sizeof p, "%s/file", root);
  C.file_fd = open(p, O_RDONLY | O_CLOEXEC);
  snprintf(p, sizeof p, "%s/dir", root);
  C.dirp = opendir(p);
  if (C.root_fd < 0 || C.file_fd < 0 || C.dirp == NULL)
    die("opening the scratch files");
  ok(wt_path_open(C.w, 3, 0, "file", 4, 0,
                  WT_RIGHT_FD_READ | WT_RIGHT_FD_FILESTAT_GET, 0, 0, &C.file),
     "path_open file");
  ok(wt_path_open(C.w, 3, 0, "dir", 3, WT_O_DIRECTORY, WT_RIGHT_FD_READDIR, 0,
                  0, &C.dir),
     "path_open dir");
}

int main(int argc, char **argv) {
  int rounds = 21;
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
  }
  if (rounds < 1 || rounds > MAX_ROUNDS || ms <= 0) {
    fprintf(stderr, "usage: bench_core_calls [--rounds 1..%d] [--ms MS] "
                    "[--dir DIR]\n",
            MAX_ROUNDS);
    return 2;
  }
  snprintf(root, sizeof root, "%s/wt-core-calls.%d", dir, (int)getpid());
  if (mkdir(root, 0700) != 0)
    die("mkdir of the scratch directory");
  setup(root);
  printf("core calls vs libc: thread CPU ns per call, medians of %d rounds "
         "of ~%.0f ms each, interleaved\n",
         rounds, ms);
  printf("%-20s %-18s %10s %10s %7s %s\n", "call", "libc", "core ns",
         "libc ns", "x", "x (quartiles)");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    row(&cases[i], rounds, ms);
  printf("16-byte write to /dev/null on this machine: the first row's libc "
         "column\n");
  closedir(C.dirp);
  close(C.file_fd);
  close(C.root_fd);
  wt_destroy(C.w);
  close(C.null_fd);
  remove_tree(root);
  return 0;
}
