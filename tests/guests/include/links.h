/*
 * Raw path helpers for the symlink guests: each call is printed with its
 * WASI errno name, relative to the preopened directory `root`.
 */
#ifndef WT_LINKS_H
#define WT_LINKS_H

#include "guest.h"

static int root;

static inline const char *ftype(__wasi_filetype_t t) {
  switch (t) {
  case __WASI_FILETYPE_SYMBOLIC_LINK: return "symlink";
  case __WASI_FILETYPE_DIRECTORY: return "dir";
  case __WASI_FILETYPE_REGULAR_FILE: return "file";
  default: return "other";
  }
}

/* path_open for reading; prints the outcome and the first line read. */
static inline void try_open(const char *path, __wasi_lookupflags_t follow) {
  __wasi_fd_t fd;
  char label[128];
  __wasi_errno_t e = __wasi_path_open(root, follow, path, 0,
                                      __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  snprintf(label, sizeof label, "open %s%s", path, follow ? "" : " (nofollow)");
  if (showw(label, e) == 0) {
    char buf[64] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n;
    if (__wasi_fd_read(fd, &iov, 1, &n) == 0) {
      buf[strcspn(buf, "\n")] = '\0';
      printf("  first line: %s\n", buf);
    }
    (void)__wasi_fd_close(fd);
  }
}

static inline void try_stat(const char *path, __wasi_lookupflags_t follow) {
  __wasi_filestat_t st;
  char label[128];
  __wasi_errno_t e = __wasi_path_filestat_get(root, follow, path, &st);
  snprintf(label, sizeof label, "stat %s%s", path, follow ? "" : " (nofollow)");
  if (showw(label, e) == 0)
    printf("  type %s\n", ftype(st.filetype));
}

static inline void link_to(const char *target, const char *name) {
  char label[128];
  snprintf(label, sizeof label, "symlink %s -> %s", name, target);
  showw(label, __wasi_path_symlink(target, root, name));
}

static inline void read_link(const char *name) {
  char buf[128], label[128];
  __wasi_size_t n = 0;
  snprintf(label, sizeof label, "readlink %s", name);
  if (showw(label, __wasi_path_readlink(root, name, (uint8_t *)buf,
                                        sizeof buf, &n)) == 0)
    printf("  -> %.*s (%u bytes)\n", (int)n, buf, (unsigned)n);
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

#endif /* WT_LINKS_H */
