/*
 * fd_readdir: packing, truncation, cookies, inode numbers and types.
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define HDR ((uint32_t)sizeof(wt_dirent_t))

typedef struct ent_s {
  char name[256];
  wt_dirent_t h;
} ent_t;

typedef struct list_s {
  ent_t *v;
  size_t n, cap;
  int calls;
} list_t;

static void list_free(list_t *l) {
  free(l->v);
  memset(l, 0, sizeof *l);
}

static void push(list_t *l, const wt_dirent_t *h, const uint8_t *name) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 16;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    assert_non_null(l->v);
  }
  assert_true(h->d_namlen < sizeof l->v[0].name);
  l->v[l->n].h = *h;
  memcpy(l->v[l->n].name, name, h->d_namlen);
  l->v[l->n].name[h->d_namlen] = '\0';
  l->n++;
}

/*
 * Lists fd from `cookie` with buf_len-byte calls, the way wasi-libc does:
 * complete entries are taken, a cut one is asked for again from the
 * cookie before it, and a buffer that comes back less than full is the end.
 */
static void list_from(wt_t *w, wt_fd_t fd, uint64_t cookie, uint32_t buf_len,
                      list_t *out) {
  uint8_t *buf = malloc(buf_len);
  assert_non_null(buf);
  for (;;) {
    uint32_t used = UINT32_MAX, pos = 0;
    size_t complete = 0;
    wt_dirent_t h;
    assert_ok(wt_fd_readdir(w, fd, buf, buf_len, cookie, &used));
    out->calls++;
    assert_true(used <= buf_len);
    while (pos + HDR <= used) {
      memcpy(&h, buf + pos, HDR);
      if (pos + HDR + h.d_namlen > used)
        break;
      push(out, &h, buf + pos + HDR);
      cookie = h.d_next;
      pos += HDR + h.d_namlen;
      complete++;
    }
    if (used < buf_len) {
      /* Not full: everything in it is whole, and this is the end. */
      assert_int_equal(pos, used);
      break;
    }
    /* Full: the buffer must have had room for at least one entry. */
    assert_true(complete > 0);
  }
  free(buf);
}

static void list_all(wt_t *w, wt_fd_t fd, uint32_t buf_len, list_t *out) {
  list_from(w, fd, 0, buf_len, out);
}

static const ent_t *find(const list_t *l, const char *name) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i].name, name) == 0)
      return &l->v[i];
  return NULL;
}

static void assert_same(const list_t *a, size_t from, const list_t *b) {
  assert_int_equal(a->n - from, b->n);
  for (size_t i = 0; i < b->n; i++) {
    assert_string_equal(a->v[from + i].name, b->v[i].name);
    assert_memory_equal(&a->v[from + i].h, &b->v[i].h, HDR);
  }
}

/* A directory under the sandbox opened on the host and put in the table. */
static wt_fd_t inject_dir(wt_test_env_t *env, const char *rel) {
  char p[512];
  wt__desc_t *d;
  wt_fd_t fd = 0;
  int host;
  snprintf(p, sizeof p, "%s/%s", env->root, rel);
  host = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(host >= 0);
  d = wt__desc_new(env->w, WT_DESC_HOST, WT_FILETYPE_DIRECTORY, host);
  assert_non_null(d);
  assert_ok(wt__fd_insert(env->w, d, WT_RIGHTS_DIRECTORY, 0, 3, &fd));
  return fd;
}

static void make_files(wt_test_env_t *env, const char *dir, int n) {
  char rel[300];
  for (int i = 0; i < n; i++) {
    /* Names of varying length, so entries straddle buffer ends anywhere. */
    snprintf(rel, sizeof rel, "%s/f%d-%.*s", dir, i, i % 37,
             "abcdefghijklmnopqrstuvwxyz0123456789_");
    wt_test_write_file(env, rel, "");
  }
}

static void test_dot_entries(void **state) {
  wt_test_env_t *env = *state;
  list_t l = {0};
  wt_test_write_file(env, "f", "x");
  list_all(env->w, WT_TEST_DIRFD, 4096, &l);
  assert_int_equal(l.n, 3);
  assert_non_null(find(&l, "."));
  assert_non_null(find(&l, ".."));
  assert_non_null(find(&l, "f"));
  assert_int_equal(find(&l, ".")->h.d_type, WT_FILETYPE_DIRECTORY);
  assert_int_equal(find(&l, "..")->h.d_type, WT_FILETYPE_DIRECTORY);
  assert_int_equal(find(&l, "f")->h.d_namlen, 1);
  /* One call was enough, and cookies are 1-based positions. */
  assert_int_equal(l.calls, 1);
  for (size_t i = 0; i < l.n; i++)
    assert_int_equal(l.v[i].h.d_next, i + 1);
  list_free(&l);
}

static void test_types_and_inodes(void **state) {
  wt_test_env_t *env = *state;
  char p[512];
  list_t l = {0};
  struct stat st;
  int root;
  wt_test_write_file(env, "file", "x");
  wt_test_mkdir(env, "dir");
  wt_test_symlink(env, "file", "link");
  wt_test_symlink(env, "dir", "dirlink");
  wt_test_symlink(env, "nowhere", "dangling");
  snprintf(p, sizeof p, "%s/fifo", env->root);
  assert_int_equal(mkfifo(p, 0644), 0);
  list_all(env->w, WT_TEST_DIRFD, 4096, &l);
  assert_int_equal(l.n, 8);
  assert_int_equal(find(&l, "file")->h.d_type, WT_FILETYPE_REGULAR_FILE);
  assert_int_equal(find(&l, "dir")->h.d_type, WT_FILETYPE_DIRECTORY);
  assert_int_equal(find(&l, "link")->h.d_type, WT_FILETYPE_SYMBOLIC_LINK);
  assert_int_equal(find(&l, "dirlink")->h.d_type, WT_FILETYPE_SYMBOLIC_LINK);
  assert_int_equal(find(&l, "dangling")->h.d_type, WT_FILETYPE_SYMBOLIC_LINK);
  assert_int_equal(find(&l, "fifo")->h.d_type, WT_FILETYPE_UNKNOWN);
  /* Every d_ino, `.` and `..` included, is what fstatat says. */
  root = open(env->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(root >= 0);
  for (size_t i = 0; i < l.n; i++) {
    assert_int_equal(fstatat(root, l.v[i].name, &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_int_equal(l.v[i].h.d_ino, st.st_ino);
    if (strcmp(l.v[i].name, "fifo") != 0)
      assert_int_equal(l.v[i].h.d_type, wt__filetype_from_mode(st.st_mode));
  }
  close(root);
  list_free(&l);
}

/* Header padding is zero: the buffer goes to the guest byte for byte. */
static void test_padding_zeroed(void **state) {
  wt_test_env_t *env = *state;
  uint8_t buf[256];
  wt_dirent_t h;
  uint32_t used;
  memset(buf, 0xa5, sizeof buf);
  assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, buf, sizeof buf, 0, &used));
  /* "." and "..", in the host's order. */
  assert_int_equal(used, 2 * HDR + 3);
  memcpy(&h, buf, HDR);
  assert_memory_equal(buf + 21, "\0\0\0", 3);
  assert_memory_equal(buf + HDR + h.d_namlen + 21, "\0\0\0", 3);
  assert_int_equal(buf[used], 0xa5);
}

/* Any buffer shorter than the listing gets exactly its prefix, cut anywhere. */
static void test_truncation(void **state) {
  wt_test_env_t *env = *state;
  uint8_t full[4096], part[4096];
  uint32_t used_full, used;
  make_files(env, ".", 6);
  assert_ok(
      wt_fd_readdir(env->w, WT_TEST_DIRFD, full, sizeof full, 0, &used_full));
  assert_true(used_full > 8 * HDR && used_full < sizeof full);
  for (uint32_t k = 1; k < used_full; k++) {
    memset(part, 0xa5, sizeof part);
    assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, part, k, 0, &used));
    assert_int_equal(used, k);
    assert_memory_equal(part, full, k);
    assert_int_equal(part[k], 0xa5);
  }
  /* Exactly the listing's size: full, and nothing is left after it. */
  assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, part, used_full, 0, &used));
  assert_int_equal(used, used_full);
  assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, NULL, 0, 0, &used));
  assert_int_equal(used, 0);
}

/* A cut entry is not lost: the next call from the last cookie returns it. */
static void test_truncated_entry_resumes(void **state) {
  wt_test_env_t *env = *state;
  list_t all = {0};
  uint8_t buf[64];
  wt_dirent_t h;
  uint32_t used, first;
  wt_test_write_file(env, "a-rather-long-file-name", "");
  list_all(env->w, WT_TEST_DIRFD, 4096, &all);
  assert_int_equal(all.n, 3);
  /* The first entry fits, the second is cut after 13 of its bytes. */
  first = HDR + all.v[0].h.d_namlen;
  assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, buf, first + 13, 0, &used));
  assert_int_equal(used, first + 13);
  memcpy(&h, buf, HDR);
  assert_memory_equal(&h, &all.v[0].h, HDR);
  memcpy(&h, buf + first, 13);
  assert_memory_equal(&h, &all.v[1].h, 13);
  /* The stream was put back before the cut entry: resuming is no rewind. */
  assert_int_equal(env->w->fds[WT_TEST_DIRFD].desc->dir_pos, 1);
  assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, buf, sizeof buf,
                          all.v[0].h.d_next, &used));
  memcpy(&h, buf, HDR);
  assert_memory_equal(&h, &all.v[1].h, HDR);
  assert_memory_equal(buf + HDR, all.v[1].name, h.d_namlen);
  list_free(&all);
}

static void test_resume_every_cookie(void **state) {
  wt_test_env_t *env = *state;
  list_t all = {0}, again = {0};
  make_files(env, ".", 25);
  list_all(env->w, WT_TEST_DIRFD, 8192, &all);
  assert_int_equal(all.n, 27);
  /* Forward, then backward (rewinds), then jumping around (skips). */
  for (size_t i = 0; i <= all.n; i++) {
    list_t rest = {0};
    list_from(env->w, WT_TEST_DIRFD, i ? all.v[i - 1].h.d_next : 0, 8192,
              &rest);
    assert_same(&all, i, &rest);
    list_free(&rest);
  }
  for (size_t i = all.n + 1; i-- > 0;) {
    list_t rest = {0};
    list_from(env->w, WT_TEST_DIRFD, i, 100, &rest);
    assert_same(&all, i, &rest);
    list_free(&rest);
  }
  for (size_t k = 0; k < 3 * all.n; k++) {
    size_t i = (k * 7) % (all.n + 1);
    list_t rest = {0};
    list_from(env->w, WT_TEST_DIRFD, i, 64, &rest);
    assert_same(&all, i, &rest);
    list_free(&rest);
  }
  /* The same cookies on a fresh listing. */
  list_all(env->w, WT_TEST_DIRFD, 8192, &again);
  assert_same(&all, 0, &again);
  list_free(&again);
  list_free(&all);
}

static void test_past_end(void **state) {
  wt_test_env_t *env = *state;
  uint8_t buf[256];
  uint32_t used = 99;
  assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, buf, sizeof buf, 2, &used));
  assert_int_equal(used, 0);
  assert_ok(
      wt_fd_readdir(env->w, WT_TEST_DIRFD, buf, sizeof buf, UINT64_MAX, &used));
  assert_int_equal(used, 0);
  assert_ok(wt_fd_readdir(env->w, WT_TEST_DIRFD, buf, sizeof buf, 0, &used));
  assert_int_equal(used, 2 * HDR + 3);
}

static void test_many_entries_small_buffer(void **state) {
  wt_test_env_t *env = *state;
  list_t l = {0}, big = {0};
  char name[64];
  wt_fd_t fd;
  wt_test_mkdir(env, "many");
  make_files(env, "many", 500);
  fd = inject_dir(env, "many");
  list_all(env->w, fd, 128, &l);
  assert_int_equal(l.n, 502);
  /* Many calls, each entry exactly once. */
  assert_true(l.calls > 100);
  for (int i = 0; i < 500; i++) {
    snprintf(name, sizeof name, "f%d-%.*s", i, i % 37,
             "abcdefghijklmnopqrstuvwxyz0123456789_");
    assert_non_null(find(&l, name));
  }
  for (size_t i = 0; i < l.n; i++)
    for (size_t j = i + 1; j < l.n; j++)
      assert_string_not_equal(l.v[i].name, l.v[j].name);
  list_all(env->w, fd, 65536, &big);
  assert_same(&big, 0, &l);
  list_free(&big);
  list_free(&l);
}

/* Starting again from 0 shows what changed since. */
static void test_rewind_sees_changes(void **state) {
  wt_test_env_t *env = *state;
  list_t l = {0};
  wt_test_write_file(env, "old", "");
  list_all(env->w, WT_TEST_DIRFD, 4096, &l);
  assert_int_equal(l.n, 3);
  list_free(&l);
  wt_test_write_file(env, "new", "");
  list_all(env->w, WT_TEST_DIRFD, 4096, &l);
  assert_int_equal(l.n, 4);
  assert_non_null(find(&l, "new"));
  list_free(&l);
}

/* The listing state belongs to the description and moves with it. */
static void test_renumber_and_close(void **state) {
  wt_test_env_t *env = *state;
  list_t first = {0}, rest = {0};
  wt_fd_t fd, other;
  uint8_t buf[HDR + 1];
  uint32_t used;
  wt_test_mkdir(env, "d");
  make_files(env, "d", 5);
  wt_test_mkdir(env, "e");
  fd = inject_dir(env, "d");
  other = inject_dir(env, "e");
  list_all(env->w, fd, 4096, &first);
  /* Position the stream mid-listing, then move the fd. */
  assert_ok(wt_fd_readdir(env->w, fd, buf, sizeof buf, 0, &used));
  assert_ok(wt_fd_renumber(env->w, fd, other));
  list_from(env->w, other, first.v[2].h.d_next, 4096, &rest);
  assert_same(&first, 3, &rest);
  assert_errno(wt_fd_readdir(env->w, fd, buf, sizeof buf, 0, &used), WT_EBADF);
  assert_ok(wt_fd_close(env->w, other));
  assert_errno(wt_fd_readdir(env->w, other, buf, sizeof buf, 0, &used),
               WT_EBADF);
  list_free(&first);
  list_free(&rest);
}

/* Through path_open, as a guest does; d_ino as path_filestat_get says. */
static void test_path_open_dir(void **state) {
  wt_test_env_t *env = *state;
  list_t l = {0};
  wt_filestat_t fs;
  wt_fd_t fd;
  wt_test_mkdir(env, "sub");
  wt_test_mkdir(env, "sub/inner");
  wt_test_write_file(env, "sub/file", "x");
  wt_test_symlink(env, "file", "sub/link");
  fd = wt_test_open_file(env->w, "sub", WT_O_DIRECTORY, WT_RIGHTS_DIRECTORY);
  list_all(env->w, fd, 4096, &l);
  assert_int_equal(l.n, 5);
  for (size_t i = 0; i < l.n; i++) {
    const ent_t *e = &l.v[i];
    /* ".." leaves the fd, which the sandbox refuses: ask its preopen. */
    if (strcmp(e->name, "..") == 0)
      assert_ok(wt_path_filestat_get(env->w, WT_TEST_DIRFD, 0, ".", 1, &fs));
    else
      assert_ok(
          wt_path_filestat_get(env->w, fd, 0, e->name, e->h.d_namlen, &fs));
    assert_int_equal(e->h.d_ino, fs.ino);
    assert_int_equal(e->h.d_type, fs.filetype);
  }
  assert_int_equal(find(&l, "inner")->h.d_type, WT_FILETYPE_DIRECTORY);
  assert_int_equal(find(&l, "link")->h.d_type, WT_FILETYPE_SYMBOLIC_LINK);
  assert_ok(wt_fd_close(env->w, fd));
  list_free(&l);
}

static void test_errors(void **state) {
  wt_test_env_t *env = *state;
  uint8_t buf[64];
  uint32_t used;
  wt_fd_t fd = inject_dir(env, ".");
  /* Without FD_READDIR. */
  assert_ok(wt_fd_fdstat_set_rights(env->w, fd, WT_RIGHT_PATH_OPEN, 0));
  assert_errno(wt_fd_readdir(env->w, fd, buf, sizeof buf, 0, &used),
               WT_ENOTCAPABLE);
  /* stdio is not a directory and holds no FD_READDIR. */
  assert_errno(wt_fd_readdir(env->w, 0, buf, sizeof buf, 0, &used),
               WT_ENOTCAPABLE);
  assert_errno(wt_fd_readdir(env->w, 77, buf, sizeof buf, 0, &used), WT_EBADF);
}

#define T(name)                                                                \
  cmocka_unit_test_setup_teardown(name, wt_test_setup, wt_test_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_dot_entries),
      T(test_types_and_inodes),
      T(test_padding_zeroed),
      T(test_truncation),
      T(test_truncated_entry_resumes),
      T(test_resume_every_cookie),
      T(test_past_end),
      T(test_many_entries_small_buffer),
      T(test_rewind_sees_changes),
      T(test_renumber_and_close),
      T(test_path_open_dir),
      T(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
