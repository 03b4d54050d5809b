/*
 * fd_readdir, through wasi-libc's opendir/readdir and raw with a buffer too
 * small for more than an entry or two, so listing takes several calls that
 * resume from d_next cookies (and some entries arrive truncated and must be
 * read again with a bigger buffer).
 *
 * Listings are sorted: preview1 promises no order. "." and ".." are
 * dropped: preview1 does not say whether a host returns them.
 *
 * wt-dir: tree /sandbox
 */
#include <dirent.h>
#include <stdlib.h>

#include "guest.h"

#define MAX 64

static char *names[MAX];
static int types[MAX];

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dotdot(const char *s) {
  return strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

/* Lists a directory with libc, sorted; prints and returns the count. */
static int libc_list(const char *path, int print) {
  DIR *d = opendir(path);
  struct dirent *e;
  int n = 0;
  if (d == NULL) {
    printf("opendir %s: %s\n", path, errname(errno));
    return -1;
  }
  while ((e = readdir(d)) != NULL && n < MAX)
    if (!dotdot(e->d_name))
      names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp);
  for (int i = 0; i < n && print; i++)
    printf("  %s\n", names[i]);
  return n;
}

static const char *type_name(int t) {
  switch (t) {
  case __WASI_FILETYPE_DIRECTORY: return "dir";
  case __WASI_FILETYPE_REGULAR_FILE: return "file";
  case __WASI_FILETYPE_SYMBOLIC_LINK: return "symlink";
  default: return "other";
  }
}

/* Parses the complete entries in buf; returns how many, updates cookie. */
static int parse(const uint8_t *buf, size_t used, int *n,
                 __wasi_dircookie_t *cookie) {
  size_t off = 0;
  int got = 0;
  while (off + sizeof(__wasi_dirent_t) <= used) {
    __wasi_dirent_t d;
    memcpy(&d, buf + off, sizeof d);
    if (off + sizeof d + d.d_namlen > used)
      break; /* truncated: read again from this entry's cookie */
    char *s = strndup((const char *)buf + off + sizeof d, d.d_namlen);
    if (dotdot(s) || *n >= MAX) {
      free(s);
    } else {
      types[*n] = d.d_type;
      names[(*n)++] = s;
    }
    *cookie = d.d_next;
    off += sizeof d + d.d_namlen;
    got++;
  }
  return got;
}

static void raw_list(int dirfd) {
  __wasi_dircookie_t cookie = __WASI_DIRCOOKIE_START;
  size_t size = 32;
  int n = 0, calls = 0, grown = 0;
  uint8_t *buf = malloc(size);
  for (;;) {
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_fd_readdir(dirfd, buf, size, cookie, &used);
    calls++;
    if (e != 0) {
      printf("fd_readdir: %s\n", errname(e));
      break;
    }
    if (parse(buf, used, &n, &cookie) == 0 && used == size) {
      size *= 2; /* not even one whole entry fits */
      buf = realloc(buf, size);
      grown = 1;
      continue;
    }
    if (used < size)
      break;
  }
  free(buf);
  printf("raw fd_readdir: several calls: %s, buffer grown: %s\n",
         yesno(calls > 2), yesno(grown));
  /* Sort names and types together. */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *s = names[j]; names[j] = names[j - 1]; names[j - 1] = s;
      int t = types[j]; types[j] = types[j - 1]; types[j - 1] = t;
    }
  for (int i = 0; i < n; i++)
    printf("  %s %s\n", type_name(types[i]), names[i]);
}

int main(void) {
  int fd, n;
  printf("libc listing of /sandbox:\n");
  n = libc_list("/sandbox", 1);
  printf("entries: %d\n", n);
  printf("libc listing of /sandbox/sub:\n");
  libc_list("/sandbox/sub", 1);
  libc_list("/sandbox/a.txt", 1);
  libc_list("/sandbox/missing", 1);
  raw_list(preopen_fd("/sandbox"));
  fd = open("/sandbox/new.txt", O_CREAT | O_WRONLY, 0644);
  close(fd);
  printf("after creating new.txt, entries: %d\n", libc_list("/sandbox", 0));
  unlink("/sandbox/new.txt");
  printf("after unlinking it, entries: %d\n", libc_list("/sandbox", 0));
  return 0;
}
