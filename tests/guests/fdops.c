/*
 * The rest of the fd family and the small process calls:
 * fd_prestat_get / fd_prestat_dir_name (the preopen table), fd_fdstat_get
 * (filetypes, rights), fd_fdstat_set_flags (APPEND changes where writes
 * go; fdflags.c checks the flag values), fd_fdstat_set_rights (narrowing
 * works, widening is NOTCAPABLE, a dropped right makes its call
 * NOTCAPABLE), fd_advise, fd_allocate, fd_sync, fd_datasync, fd_renumber,
 * fd_close, sched_yield.
 *
 * wt-dir: tree /sandbox
 * wt-dir: - /scratch
 */
#include <sys/stat.h>

#include "guest.h"

static void prestats(void) {
  for (int fd = 3;; fd++) {
    __wasi_prestat_t ps;
    char name[64];
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
    if (e != 0) {
      printf("fd_prestat_get %d: %s\n", fd, errname(e));
      break;
    }
    e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len);
    printf("preopen fd %d: tag %u name %.*s (%u bytes) %s\n", fd, ps.tag,
           (int)ps.u.dir.pr_name_len, name, (unsigned)ps.u.dir.pr_name_len,
           e ? errname(e) : "ok");
  }
}

static __wasi_fd_t open_file(const char *path, __wasi_rights_t rights,
                             __wasi_fdflags_t flags) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  char label[96];
  snprintf(label, sizeof label, "path_open %s", path);
  showw(label, __wasi_path_open(preopen_fd("/sandbox"), 0, path,
                                __WASI_OFLAGS_CREAT, rights, 0, flags, &fd));
  return fd;
}

static void fdstat(const char *label, __wasi_fd_t fd) {
  __wasi_fdstat_t st;
  if (showw(label, __wasi_fd_fdstat_get(fd, &st)) == 0)
    printf("  filetype %u can read %s write %s seek %s readdir %s\n",
           st.fs_filetype,
           yesno(st.fs_rights_base & __WASI_RIGHTS_FD_READ),
           yesno(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
           yesno(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK),
           yesno(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR));
}

static void put(__wasi_fd_t fd, const char *label, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  showw(label, __wasi_fd_write(fd, &iov, 1, &n));
}

static void rights(void) {
  const __wasi_rights_t RW = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                             __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL;
  __wasi_fd_t fd = open_file("r.txt", RW, 0);
  __wasi_filesize_t pos;
  fdstat("fdstat r.txt", fd);
  put(fd, "write", "abc");
  showw("set_rights without WRITE",
        __wasi_fd_fdstat_set_rights(fd, RW & ~__WASI_RIGHTS_FD_WRITE, 0));
  fdstat("fdstat r.txt", fd);
  put(fd, "write after dropping WRITE", "def");
  showw("tell still allowed", __wasi_fd_tell(fd, &pos));
  showw("set_rights adding WRITE back", __wasi_fd_fdstat_set_rights(fd, RW, 0));
  showw("set_rights without TELL",
        __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ, 0));
  showw("tell after dropping TELL", __wasi_fd_tell(fd, &pos));
  (void)__wasi_fd_close(fd);
}

static void flags(void) {
  const __wasi_rights_t RW = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                             __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS;
  __wasi_fd_t fd = open_file("f.txt", RW, 0);
  __wasi_filesize_t pos;
  char buf[32];
  put(fd, "write 0123456789", "0123456789");
  (void)__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
  showw("set_flags APPEND", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  fdstat("fdstat f.txt", fd);
  put(fd, "write XY at offset 0 with APPEND", "XY");
  showw("set_flags none", __wasi_fd_fdstat_set_flags(fd, 0));
  (void)__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
  put(fd, "write ab at offset 0", "ab");
  (void)__wasi_fd_close(fd);
  slurp("/sandbox/f.txt", buf, sizeof buf);
  printf("f.txt: %s\n", buf);
}

static void misc(void) {
  const __wasi_rights_t R = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                            __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |
                            __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |
                            __WASI_RIGHTS_FD_FILESTAT_GET;
  __wasi_fd_t fd = open_file("m.txt", R, 0), other = open_file("o.txt", R, 0);
  __wasi_filestat_t st;
  showw("fd_advise SEQUENTIAL", __wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_SEQUENTIAL));
  showw("fd_advise DONTNEED", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED));
  showw("fd_advise 9", __wasi_fd_advise(fd, 0, 0, 9));
  showw("fd_allocate 0+4096", __wasi_fd_allocate(fd, 0, 4096));
  (void)__wasi_fd_filestat_get(fd, &st);
  printf("  size %llu\n", (unsigned long long)st.size);
  showw("fd_allocate 100+10 (inside)", __wasi_fd_allocate(fd, 100, 10));
  (void)__wasi_fd_filestat_get(fd, &st);
  printf("  size %llu\n", (unsigned long long)st.size);
  showw("fd_sync", __wasi_fd_sync(fd));
  showw("fd_datasync", __wasi_fd_datasync(fd));
  showw("fd_renumber m.txt onto o.txt", __wasi_fd_renumber(fd, other));
  (void)__wasi_fd_filestat_get(other, &st);
  printf("  o.txt's fd now has size %llu\n", (unsigned long long)st.size);
  showw("fd_close old number", __wasi_fd_close(fd));
  showw("fd_renumber onto closed 90", __wasi_fd_renumber(other, 90));
  showw("fd_close", __wasi_fd_close(other));
  showw("fd_close again", __wasi_fd_close(other));
  fdstat("fdstat closed fd", other);
}

int main(void) {
  prestats();
  fdstat("fdstat /sandbox", preopen_fd("/sandbox"));
  rights();
  flags();
  misc();
  showw("sched_yield", __wasi_sched_yield());
  return 0;
}
