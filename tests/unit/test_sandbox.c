/*
 * Sandbox escapes: hostile paths and symlink layouts, table-driven, each run
 * against every path operation. For each (case, operation) pair a fresh
 * sandbox is built, the exact errno is checked, and so is the directory
 * next to the sandbox (env->outside): its secret file must not have been
 * read (atime), changed, linked, renamed or removed, and no entry may
 * have appeared or gone there or beside it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

#define DIRFD WT_TEST_DIRFD
#define FOLLOW WT_LOOKUP_SYMLINK_FOLLOW
#define SECRET "TOP SECRET: must stay outside"

/* ---- the operations ----------------------------------------------------- */

typedef wt_errno_t (*op_fn)(wt_t *w, const char *path, uint32_t len,
                            uint32_t flags);

static wt_errno_t open_and_close(wt_t *w, const char *path, uint32_t len,
                                 uint32_t flags, uint16_t oflags,
                                 wt_rights_t rights) {
  wt_fd_t fd;
  wt_errno_t e =
      wt_path_open(w, DIRFD, flags, path, len, oflags, rights, 0, 0, &fd);
  if (e == WT_ESUCCESS)
    assert_ok(wt_fd_close(w, fd));
  return e;
}

static wt_errno_t op_open_read(wt_t *w, const char *p, uint32_t n,
                               uint32_t fl) {
  return open_and_close(w, p, n, fl, 0, WT_RIGHT_FD_READ);
}
static wt_errno_t op_open_creat(wt_t *w, const char *p, uint32_t n,
                                uint32_t fl) {
  return open_and_close(w, p, n, fl, WT_O_CREAT, WT_RIGHT_FD_WRITE);
}
static wt_errno_t op_open_trunc(wt_t *w, const char *p, uint32_t n,
                                uint32_t fl) {
  return open_and_close(w, p, n, fl, WT_O_TRUNC, WT_RIGHT_FD_WRITE);
}
static wt_errno_t op_stat(wt_t *w, const char *p, uint32_t n, uint32_t fl) {
  wt_filestat_t st;
  return wt_path_filestat_get(w, DIRFD, fl, p, n, &st);
}
static wt_errno_t op_set_times(wt_t *w, const char *p, uint32_t n,
                               uint32_t fl) {
  return wt_path_filestat_set_times(w, DIRFD, fl, p, n, 5, 5,
                                    WT_FSTFLAG_ATIM | WT_FSTFLAG_MTIM);
}
static wt_errno_t op_mkdir(wt_t *w, const char *p, uint32_t n, uint32_t fl) {
  (void)fl;
  return wt_path_create_directory(w, DIRFD, p, n);
}
static wt_errno_t op_unlink(wt_t *w, const char *p, uint32_t n, uint32_t fl) {
  (void)fl;
  return wt_path_unlink_file(w, DIRFD, p, n);
}
static wt_errno_t op_rmdir(wt_t *w, const char *p, uint32_t n, uint32_t fl) {
  (void)fl;
  return wt_path_remove_directory(w, DIRFD, p, n);
}
static wt_errno_t op_rename_from(wt_t *w, const char *p, uint32_t n,
                                 uint32_t fl) {
  (void)fl;
  return wt_path_rename(w, DIRFD, p, n, DIRFD, "renamed", 7);
}
static wt_errno_t op_rename_to(wt_t *w, const char *p, uint32_t n,
                               uint32_t fl) {
  (void)fl;
  return wt_path_rename(w, DIRFD, "victim", 6, DIRFD, p, n);
}
static wt_errno_t op_link_from(wt_t *w, const char *p, uint32_t n,
                               uint32_t fl) {
  return wt_path_link(w, DIRFD, fl, p, n, DIRFD, "linked", 6);
}
static wt_errno_t op_link_to(wt_t *w, const char *p, uint32_t n, uint32_t fl) {
  (void)fl;
  return wt_path_link(w, DIRFD, 0, "victim", 6, DIRFD, p, n);
}
static wt_errno_t op_symlink_at(wt_t *w, const char *p, uint32_t n,
                                uint32_t fl) {
  (void)fl;
  return wt_path_symlink(w, "victim", 6, DIRFD, p, n);
}
static wt_errno_t op_readlink(wt_t *w, const char *p, uint32_t n, uint32_t fl) {
  uint8_t buf[64];
  uint32_t used;
  (void)fl;
  return wt_path_readlink(w, DIRFD, p, n, buf, sizeof buf, &used);
}
/* The hostile path as the text of a link the guest makes, then follows. */
static wt_errno_t op_symlink_then_open(wt_t *w, const char *p, uint32_t n,
                                       uint32_t fl) {
  wt_errno_t e = wt_path_symlink(w, p, n, DIRFD, "made", 4);
  (void)fl;
  if (e != WT_ESUCCESS)
    return e;
  return open_and_close(w, "made", 4, FOLLOW, 0, WT_RIGHT_FD_READ);
}

enum {
  OP_OPEN_READ,
  OP_OPEN_CREAT,
  OP_OPEN_TRUNC,
  OP_STAT,
  OP_SET_TIMES,
  OP_LINK_FROM,
  OP_SYMLINK_THEN_OPEN,
  OP_MKDIR,
  OP_UNLINK,
  OP_RMDIR,
  OP_RENAME_FROM,
  OP_RENAME_TO,
  OP_LINK_TO,
  OP_SYMLINK_AT,
  OP_READLINK,
  OP_COUNT
};

static const struct {
  const char *name;
  op_fn fn;
} ops[OP_COUNT] = {
    [OP_OPEN_READ] = {"path_open(read)", op_open_read},
    [OP_OPEN_CREAT] = {"path_open(CREAT)", op_open_creat},
    [OP_OPEN_TRUNC] = {"path_open(TRUNC)", op_open_trunc},
    [OP_STAT] = {"path_filestat_get", op_stat},
    [OP_SET_TIMES] = {"path_filestat_set_times", op_set_times},
    [OP_LINK_FROM] = {"path_link(from path)", op_link_from},
    [OP_SYMLINK_THEN_OPEN] = {"path_symlink(path) + open",
                              op_symlink_then_open},
    [OP_MKDIR] = {"path_create_directory", op_mkdir},
    [OP_UNLINK] = {"path_unlink_file", op_unlink},
    [OP_RMDIR] = {"path_remove_directory", op_rmdir},
    [OP_RENAME_FROM] = {"path_rename(from path)", op_rename_from},
    [OP_RENAME_TO] = {"path_rename(to path)", op_rename_to},
    [OP_LINK_TO] = {"path_link(to path)", op_link_to},
    [OP_SYMLINK_AT] = {"path_symlink(at path)", op_symlink_at},
    [OP_READLINK] = {"path_readlink", op_readlink},
};

#define ALL_OPS ((1u << OP_COUNT) - 1)
/* The operations that honour SYMLINK_FOLLOW on the final component (or
 * follow the link they make): the others act on a final link itself. */
#define FOLLOW_OPS                                                             \
  ((1u << OP_OPEN_READ) | (1u << OP_OPEN_CREAT) | (1u << OP_OPEN_TRUNC) |      \
   (1u << OP_STAT) | (1u << OP_SET_TIMES) | (1u << OP_LINK_FROM) |             \
   (1u << OP_SYMLINK_THEN_OPEN))
#define BIT(op) (1u << (op))

/* ---- the cases ---------------------------------------------------------- */

/*
 * setup: space-separated entries made in the sandbox before the call:
 * "name/" a directory, "name>target" a symlink ("$OUT" in a target is the
 * outside directory's absolute host path), "name" a small file. Every case
 * also has a file "victim" and directories "x/" and "x/y/".
 * path: the guest path (len bytes if len > 0, for embedded NULs), or NULL
 * to build it with gen. ops: the operations the row applies to (0: all).
 */
typedef struct case_s {
  const char *desc;
  const char *setup;
  const char *path;
  uint32_t len;
  uint32_t flags;
  wt_errno_t want;
  unsigned ops;
  void (*gen)(char *buf, size_t size);
} case_t;

static void repeat(char *buf, size_t size, const char *unit, int n,
                   const char *tail) {
  buf[0] = '\0';
  for (int i = 0; i < n; i++)
    strncat(buf, unit, size - strlen(buf) - 1);
  strncat(buf, tail, size - strlen(buf) - 1);
}
static void gen_100_out(char *b, size_t n) {
  repeat(b, n, "x/../", 100, "../outside/secret");
}
static void gen_100_dotdot(char *b, size_t n) {
  repeat(b, n, "x/../", 100, "..");
}
static void gen_100_deep_out(char *b, size_t n) {
  repeat(b, n, "x/y/../../", 100, "x/y/../../../outside");
}
static void gen_too_long(char *b, size_t n) {
  repeat(b, n, "x/../", PATH_MAX / 5 + 1, "../outside/secret");
}
static void gen_long_name(char *b, size_t n) {
  repeat(b, n, "n", NAME_MAX + 1, "/../../outside/secret");
}
static void gen_many_slashes_out(char *b, size_t n) {
  repeat(b, n, "x//.//..//", 200, "..//outside//secret");
}

#define ENOTCAP WT_ENOTCAPABLE

static const case_t cases[] = {
    /* Plain climbs. */
    {"parent of the root", "", "..", 0, 0, ENOTCAP, 0, NULL},
    {"parent with slash", "", "../", 0, 0, ENOTCAP, 0, NULL},
    {"sibling directory", "", "../outside", 0, 0, ENOTCAP, 0, NULL},
    {"file in sibling", "", "../outside/secret", 0, 0, ENOTCAP, 0, NULL},
    {"new name in sibling", "", "../outside/new", 0, 0, ENOTCAP, 0, NULL},
    {"back in through the parent", "", "../sandbox/victim", 0, 0, ENOTCAP, 0,
     NULL},
    {"dot then parent", "", "./../outside/secret", 0, 0, ENOTCAP, 0, NULL},
    {"dot parent", "", "./..", 0, 0, ENOTCAP, 0, NULL},
    {"descend then climb out", "a/", "a/../../outside/secret", 0, 0, ENOTCAP, 0,
     NULL},
    {"climb out from two levels", "", "x/y/../../..", 0, 0, ENOTCAP, 0, NULL},
    {"trailing /.. past the root", "", "x/../..", 0, 0, ENOTCAP, 0, NULL},
    {"dots mixed into descents", "", "x/./y/./../../../outside", 0, 0, ENOTCAP,
     0, NULL},
    {"out and back in", "", "x/../x/y/../../../sandbox/victim", 0, 0, ENOTCAP,
     0, NULL},
    {"deep ../ after legit descents", "d1/ d1/d2/ d1/d2/d3/ d1/d2/d3/d4/",
     "d1/d2/d3/d4/../../../../../outside/secret", 0, 0, ENOTCAP, 0, NULL},
    {"many parents", "", "../../../../../../../../etc/passwd", 0, 0, ENOTCAP, 0,
     NULL},
    {"100 levels of x/../ then out", "", NULL, 0, 0, ENOTCAP, 0, gen_100_out},
    {"100 levels of x/../ then ..", "", NULL, 0, 0, ENOTCAP, 0, gen_100_dotdot},
    {"100 levels of x/y/../../ then out", "", NULL, 0, 0, ENOTCAP, 0,
     gen_100_deep_out},
    {"doubled slashes and dots", "", NULL, 0, 0, ENOTCAP, 0,
     gen_many_slashes_out},
    {"through a file", "", "victim/../../outside/secret", 0, 0, WT_ENOTDIR, 0,
     NULL},
    {"trailing /.. on a file", "", "victim/..", 0, 0, WT_ENOTDIR, 0, NULL},
    {"sibling's name inside", "", "outside/secret", 0, 0, WT_ENOENT, 0, NULL},
    /* Absolute paths. */
    {"absolute path", "", "/etc/passwd", 0, 0, ENOTCAP, 0, NULL},
    {"double-slash absolute", "", "//etc", 0, 0, ENOTCAP, 0, NULL},
    {"the root itself", "", "/", 0, 0, ENOTCAP, 0, NULL},
    /* Malformed. */
    {"embedded NUL", "", "victim\0/../../outside/secret", 28, 0, WT_EINVAL, 0,
     NULL},
    {"NUL then absolute", "", "\0/etc/passwd", 12, 0, WT_EINVAL, 0, NULL},
    {"parent then NUL", "", "..\0", 3, 0, WT_EINVAL, 0, NULL},
    {"path of PATH_MAX bytes", "", NULL, 0, 0, WT_ENAMETOOLONG, 0,
     gen_too_long},
    {"component over NAME_MAX", "", NULL, 0, 0, WT_ENAMETOOLONG, 0,
     gen_long_name},
    /* Symlinked intermediate directories. */
    {"absolute link to outside dir", "ad>$OUT", "ad/secret", 0, 0, ENOTCAP, 0,
     NULL},
    {"absolute link to /", "r>/", "r/etc/passwd", 0, 0, ENOTCAP, 0, NULL},
    {"relative link climbing out", "o>../outside", "o/secret", 0, 0, ENOTCAP, 0,
     NULL},
    {"link to .. at the root", "up>..", "up/outside/secret", 0, 0, ENOTCAP, 0,
     NULL},
    {"link to ../.. in a subdirectory", "x/up>../..", "x/up/outside/secret", 0,
     0, ENOTCAP, 0, NULL},
    {"link deep down climbing out", "x/y/o>../../../outside", "x/y/o/secret", 0,
     0, ENOTCAP, 0, NULL},
    {"link mixing descents and climbs", "x/m>y/../../../outside", "x/m/secret",
     0, 0, ENOTCAP, 0, NULL},
    {"chain of links ending outside", "c1>c2 c2>x/c3 x/c3>../../outside",
     "c1/secret", 0, 0, ENOTCAP, 0, NULL},
    {"link to . repeated, then up", "dot>.", "dot/dot/dot/../outside/secret", 0,
     0, ENOTCAP, 0, NULL},
    {".. resolved from the link's target", "in>x/y",
     "in/../../../outside/secret", 0, 0, ENOTCAP, 0, NULL},
    {"link target with doubled slashes", "dd>x//..//..//outside", "dd/secret",
     0, 0, ENOTCAP, 0, NULL},
    {"link to a parent with a slash", "p>../", "p/outside", 0, 0, ENOTCAP, 0,
     NULL},
    /* Final symlinks, followed. */
    {"absolute link to the secret", "abs>$OUT/secret", "abs", 0, FOLLOW,
     ENOTCAP, FOLLOW_OPS, NULL},
    {"relative link to the secret", "rel>../outside/secret", "rel", 0, FOLLOW,
     ENOTCAP, FOLLOW_OPS, NULL},
    {"link to .. at the root, followed", "up>..", "up", 0, FOLLOW, ENOTCAP,
     FOLLOW_OPS, NULL},
    {"chain ending at the secret", "c1>c2 c2>x/c3 x/c3>../../outside/secret",
     "c1", 0, FOLLOW, ENOTCAP, FOLLOW_OPS, NULL},
    {"dangling relative link out", "dang>../outside/new", "dang", 0, FOLLOW,
     ENOTCAP, FOLLOW_OPS, NULL},
    {"dangling absolute link out", "dang>$OUT/new", "dang", 0, FOLLOW, ENOTCAP,
     FOLLOW_OPS, NULL},
    /* Trailing slashes follow a final link for every operation. */
    {"absolute link with slash", "ad>$OUT", "ad/", 0, 0, ENOTCAP, 0, NULL},
    {"relative link with slash", "o>../outside", "o/", 0, 0, ENOTCAP, 0, NULL},
    {"link to .. with slash", "up>..", "up/", 0, 0, ENOTCAP, 0, NULL},
    {"link to the secret with slash", "ls>../outside/secret", "ls/", 0, 0,
     ENOTCAP, 0, NULL},
    {"link to a file with slash", "lv>victim", "lv/", 0, 0, WT_ENOTDIR, 0,
     NULL},
    /* Loops. */
    {"two links in a loop", "a>b b>a", "a/secret", 0, 0, WT_ELOOP, 0, NULL},
    {"self link", "s>s", "s", 0, FOLLOW, WT_ELOOP, FOLLOW_OPS, NULL},
    {"self link with slash", "s>s", "s/", 0, 0, WT_ELOOP, 0, NULL},
    {"loop through ..", "x/l>../x/l", "x/l/z", 0, 0, WT_ELOOP, 0, NULL},
    {"loop back to the root", "x/r>../x/r/..", "x/r/victim", 0, 0, WT_ELOOP, 0,
     NULL},
    /* Final hostile links without SYMLINK_FOLLOW: the link itself is acted
     * on, never its target. */
    {"nofollow on link out: ok on the link", "rel>../outside/secret", "rel", 0,
     0, WT_ESUCCESS,
     BIT(OP_STAT) | BIT(OP_SET_TIMES) | BIT(OP_LINK_FROM) | BIT(OP_UNLINK) |
         BIT(OP_RENAME_FROM) | BIT(OP_RENAME_TO) | BIT(OP_READLINK),
     NULL},
    {"nofollow on link out: exists", "rel>../outside/secret", "rel", 0, 0,
     WT_EEXIST, BIT(OP_MKDIR) | BIT(OP_LINK_TO) | BIT(OP_SYMLINK_AT), NULL},
    {"nofollow on link out: not opened", "rel>../outside/secret", "rel", 0, 0,
     WT_ELOOP, BIT(OP_OPEN_READ) | BIT(OP_OPEN_CREAT) | BIT(OP_OPEN_TRUNC),
     NULL},
    {"nofollow on absolute link: ok on the link", "abs>$OUT/secret", "abs", 0,
     0, WT_ESUCCESS,
     BIT(OP_STAT) | BIT(OP_SET_TIMES) | BIT(OP_LINK_FROM) | BIT(OP_UNLINK) |
         BIT(OP_RENAME_FROM) | BIT(OP_RENAME_TO) | BIT(OP_READLINK),
     NULL},
    {"nofollow on absolute link: not opened", "abs>$OUT/secret", "abs", 0, 0,
     WT_ELOOP, BIT(OP_OPEN_READ) | BIT(OP_OPEN_CREAT) | BIT(OP_OPEN_TRUNC),
     NULL},
    {"nofollow on link to outside dir: rmdir", "o>../outside", "o", 0, 0,
     WT_ENOTDIR, BIT(OP_RMDIR), NULL},
    /* Controls: legitimate paths work, so the harness can see success. */
    {"control: legit climb", "", "x/y/../../victim", 0, 0, WT_ESUCCESS,
     BIT(OP_OPEN_READ) | BIT(OP_STAT) | BIT(OP_UNLINK) | BIT(OP_RENAME_FROM) |
         BIT(OP_SYMLINK_THEN_OPEN),
     NULL},
    {"control: link within", "in>x/../victim", "in", 0, FOLLOW, WT_ESUCCESS,
     FOLLOW_OPS, NULL},
};

#define NCASES (sizeof cases / sizeof cases[0])

/* ---- sandbox setup and the outside snapshot --------------------------- */

static void make_entry(wt_test_env_t *env, const char *item) {
  const char *gt = strchr(item, '>');
  size_t n = strlen(item);
  char target[512];
  if (gt != NULL) {
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(gt - item), item);
    if (strncmp(gt + 1, "$OUT", 4) == 0)
      snprintf(target, sizeof target, "%s%s", env->outside, gt + 5);
    else
      snprintf(target, sizeof target, "%s", gt + 1);
    wt_test_symlink(env, target, name);
  } else if (item[n - 1] == '/') {
    snprintf(target, sizeof target, "%.*s", (int)(n - 1), item);
    wt_test_mkdir(env, target);
  } else {
    wt_test_write_file(env, item, "inside");
  }
}

static void make_sandbox(wt_test_env_t *env, const char *setup) {
  char copy[512], *save = NULL;
  char p[600];
  int fd;
  struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  wt_test_write_file(env, "victim", "v");
  wt_test_mkdir(env, "x");
  wt_test_mkdir(env, "x/y");
  snprintf(copy, sizeof copy, "%s", setup);
  for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
    make_entry(env, t);
  /* Outside: a secret whose atime shows any read (atime <= mtime is
   * updated by a read even under relatime), and a subdirectory. */
  snprintf(p, sizeof p, "%s/secret", env->outside);
  fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, SECRET, strlen(SECRET)), (ssize_t)strlen(SECRET));
  close(fd);
  assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
  snprintf(p, sizeof p, "%s/sub", env->outside);
  assert_int_equal(mkdir(p, 0755), 0);
}

typedef struct snap_s {
  char listing[2048]; /* entries of outside/, outside/sub and their parent */
  char content[128];
  struct stat secret;
  struct stat dir;
} snap_t;

static int cmp_names(const void *a, const void *b) {
  return strcmp(a, b);
}

static void list_dir(const char *path, bool detail, char *out, size_t size) {
  char names[64][256];
  int n = 0;
  DIR *d = opendir(path);
  struct dirent *de;
  assert_non_null(d);
  while ((de = readdir(d)) != NULL && n < 64)
    snprintf(names[n++], sizeof names[0], "%s", de->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_names);
  for (int i = 0; i < n; i++) {
    char ent[600];
    struct stat st;
    snprintf(ent, sizeof ent, "%.300s/%.255s", path, names[i]);
    assert_int_equal(lstat(ent, &st), 0);
    if (!detail) /* the sandbox's own times change, legitimately */
      memset(&st, 0, sizeof st);
    snprintf(ent, sizeof ent, "%.255s:%o:%ld:%ld.%09ld;", names[i],
             (unsigned)st.st_mode, (long)st.st_size, (long)st.st_mtim.tv_sec,
             st.st_mtim.tv_nsec);
    strncat(out, ent, size - strlen(out) - 1);
  }
}

static void snapshot(const wt_test_env_t *env, snap_t *s) {
  char p[600], parent[256];
  int fd;
  ssize_t n;
  memset(s, 0, sizeof *s);
  snprintf(parent, sizeof parent, "%.*s",
           (int)(strlen(env->outside) - strlen("/outside")), env->outside);
  list_dir(parent, false, s->listing, sizeof s->listing);
  list_dir(env->outside, true, s->listing, sizeof s->listing);
  snprintf(p, sizeof p, "%s/sub", env->outside);
  list_dir(p, true, s->listing, sizeof s->listing);
  snprintf(p, sizeof p, "%s/secret", env->outside);
  assert_int_equal(lstat(p, &s->secret), 0);
  /* O_NOATIME: our own look must not hide a read by the guest. */
  fd = open(p, O_RDONLY | O_NOATIME | O_CLOEXEC);
  assert_true(fd >= 0);
  n = read(fd, s->content, sizeof s->content - 1);
  assert_true(n >= 0);
  close(fd);
  assert_int_equal(stat(env->outside, &s->dir), 0);
}

/* Returns NULL when the outside is as it was, else what changed. */
static const char *outside_changed(const snap_t *a, const snap_t *b) {
  if (strcmp(a->listing, b->listing) != 0)
    return "directory listing";
  if (strcmp(b->content, SECRET) != 0)
    return "secret content";
  if (a->secret.st_ino != b->secret.st_ino ||
      a->secret.st_nlink != b->secret.st_nlink)
    return "secret inode or link count";
  if (a->secret.st_atim.tv_sec != b->secret.st_atim.tv_sec ||
      a->secret.st_atim.tv_nsec != b->secret.st_atim.tv_nsec)
    return "secret atime (it was read)";
  if (a->secret.st_mtim.tv_sec != b->secret.st_mtim.tv_sec ||
      a->secret.st_ctim.tv_sec != b->secret.st_ctim.tv_sec ||
      a->secret.st_ctim.tv_nsec != b->secret.st_ctim.tv_nsec)
    return "secret mtime or ctime";
  if (a->dir.st_mtim.tv_sec != b->dir.st_mtim.tv_sec ||
      a->dir.st_mtim.tv_nsec != b->dir.st_mtim.tv_nsec ||
      a->dir.st_ctim.tv_nsec != b->dir.st_ctim.tv_nsec)
    return "outside directory mtime or ctime";
  return NULL;
}

/* ---- the runner -----------------------------------------------------------
 */

static void run_case(const case_t *c, int op) {
  static char gen[PATH_MAX * 2];
  wt_test_env_t env;
  snap_t before, after;
  const char *path = c->path, *what;
  uint32_t len;
  wt_errno_t got;
  if (path == NULL) {
    c->gen(gen, sizeof gen);
    path = gen;
  }
  len = c->len ? c->len : (uint32_t)strlen(path);
  wt_test_open(&env);
  make_sandbox(&env, c->setup);
  snapshot(&env, &before);
  got = ops[op].fn(env.w, path, len, c->flags);
  snapshot(&env, &after);
  what = outside_changed(&before, &after);
  wt_test_close(&env);
  if (got != c->want)
    fail_msg("%s: %s(\"%.60s\"): got %s, want %s", c->desc, ops[op].name, path,
             wt_errno_name(got), wt_errno_name(c->want));
  if (what != NULL)
    fail_msg("%s: %s(\"%.60s\") changed the outside: %s", c->desc, ops[op].name,
             path, what);
}

static void run_op(int op) {
  int ran = 0;
  for (size_t i = 0; i < NCASES; i++) {
    unsigned mask = cases[i].ops ? cases[i].ops : ALL_OPS;
    if (mask & (1u << op)) {
      run_case(&cases[i], op);
      ran++;
    }
  }
  print_message("%s: %d hostile cases\n", ops[op].name, ran);
  assert_true(ran >= 20);
}

#define OP_TEST(id)                                                            \
  static void test_##id(void **state) {                                        \
    (void)state;                                                               \
    run_op(OP_##id);                                                           \
  }
OP_TEST(OPEN_READ)
OP_TEST(OPEN_CREAT)
OP_TEST(OPEN_TRUNC)
OP_TEST(STAT)
OP_TEST(SET_TIMES)
OP_TEST(LINK_FROM)
OP_TEST(SYMLINK_THEN_OPEN)
OP_TEST(MKDIR)
OP_TEST(UNLINK)
OP_TEST(RMDIR)
OP_TEST(RENAME_FROM)
OP_TEST(RENAME_TO)
OP_TEST(LINK_TO)
OP_TEST(SYMLINK_AT)
OP_TEST(READLINK)

/* The table is big enough, and the snapshot sees what it must. */
static void test_harness(void **state) {
  wt_test_env_t env;
  snap_t before, after;
  char p[600];
  int fd;
  (void)state;
  assert_true(NCASES >= 40);
  wt_test_open(&env);
  make_sandbox(&env, "");
  snapshot(&env, &before);
  snapshot(&env, &after);
  assert_null(outside_changed(&before, &after));
  /* A read of the secret shows in its atime. */
  snprintf(p, sizeof p, "%s/secret", env.outside);
  fd = open(p, O_RDONLY | O_CLOEXEC);
  assert_true(fd >= 0);
  assert_true(read(fd, p, 4) == 4);
  close(fd);
  snapshot(&env, &after);
  assert_non_null(outside_changed(&before, &after));
  /* A new entry shows in the listing. */
  snapshot(&env, &before);
  snprintf(p, sizeof p, "%s/sub/new", env.outside);
  assert_int_equal(mkdir(p, 0755), 0);
  snapshot(&env, &after);
  assert_non_null(outside_changed(&before, &after));
  wt_test_close(&env);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_harness),
      cmocka_unit_test(test_OPEN_READ),
      cmocka_unit_test(test_OPEN_CREAT),
      cmocka_unit_test(test_OPEN_TRUNC),
      cmocka_unit_test(test_STAT),
      cmocka_unit_test(test_SET_TIMES),
      cmocka_unit_test(test_LINK_FROM),
      cmocka_unit_test(test_SYMLINK_THEN_OPEN),
      cmocka_unit_test(test_MKDIR),
      cmocka_unit_test(test_UNLINK),
      cmocka_unit_test(test_RMDIR),
      cmocka_unit_test(test_RENAME_FROM),
      cmocka_unit_test(test_RENAME_TO),
      cmocka_unit_test(test_LINK_TO),
      cmocka_unit_test(test_SYMLINK_AT),
      cmocka_unit_test(test_READLINK),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
