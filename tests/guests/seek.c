/*
 * fd_seek (SET, CUR, END, negative results, past the end, bad whence),
 * fd_tell, holes, and fd_pread / fd_pwrite (scattered over two iovecs),
 * which use their own offset and leave the fd's position alone.
 *
 * wt-dir: - /sandbox
 */
#include "guest.h"

static __wasi_fd_t fd;

static void seek(__wasi_filedelta_t off, __wasi_whence_t whence) {
  static const char *const names[] = {"SET", "CUR", "END", "3"};
  __wasi_filesize_t pos = 0;
  char label[64];
  snprintf(label, sizeof label, "seek %lld %s", (long long)off, names[whence & 3]);
  if (showw(label, __wasi_fd_seek(fd, off, whence, &pos)) == 0)
    printf("  now at %llu\n", (unsigned long long)pos);
}

static void tell(void) {
  __wasi_filesize_t pos = 0;
  if (showw("tell", __wasi_fd_tell(fd, &pos)) == 0)
    printf("  at %llu\n", (unsigned long long)pos);
}

static void rd(size_t n) {
  char buf[32];
  __wasi_iovec_t iov = {(uint8_t *)buf, n};
  __wasi_size_t got = 0;
  if (showw("read", __wasi_fd_read(fd, &iov, 1, &got)) != 0)
    return;
  printf("  %u bytes ", (unsigned)got);
  print_bytes(buf, got);
  putchar('\n');
}

static void wr(const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  if (showw("write", __wasi_fd_write(fd, &iov, 1, &n)) == 0)
    printf("  %u bytes\n", (unsigned)n);
}

static void pread2(__wasi_filesize_t off) {
  char a[8] = {0}, b[2] = {0};
  __wasi_iovec_t iov[2] = {{(uint8_t *)a, 3}, {(uint8_t *)b, 2}};
  __wasi_size_t n = 0;
  char label[64];
  snprintf(label, sizeof label, "pread 3+2 bytes at %llu", (unsigned long long)off);
  if (showw(label, __wasi_fd_pread(fd, iov, 2, off, &n)) == 0) {
    memcpy(a + 3, b, 2);
    printf("  %u bytes ", (unsigned)n);
    print_bytes(a, n);
    putchar('\n');
  }
}

static void pwrite2(const char *x, const char *y, __wasi_filesize_t off) {
  __wasi_ciovec_t iov[2] = {{(const uint8_t *)x, strlen(x)},
                            {(const uint8_t *)y, strlen(y)}};
  __wasi_size_t n = 0;
  char label[64];
  snprintf(label, sizeof label, "pwrite [%s][%s] at %llu", x, y,
           (unsigned long long)off);
  if (showw(label, __wasi_fd_pwrite(fd, iov, 2, off, &n)) == 0)
    printf("  %u bytes\n", (unsigned)n);
}

int main(void) {
  int root = preopen_fd("/sandbox");
  const __wasi_rights_t R = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                            __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL;
  showw("create", __wasi_path_open(root, 0, "s.bin", __WASI_OFLAGS_CREAT, R, 0,
                                   0, &fd));
  wr("0123456789");
  tell();
  seek(2, __WASI_WHENCE_SET);
  rd(3);
  tell();
  seek(-1, __WASI_WHENCE_CUR);
  seek(-3, __WASI_WHENCE_END);
  rd(10);
  rd(10);
  seek(-100, __WASI_WHENCE_CUR);
  tell();
  seek(0, 3);
  seek(14, __WASI_WHENCE_SET);
  wr("X");
  pread2(8);
  pread2(13);
  tell();
  pwrite2("ab", "cd", 0);
  pwrite2("Z", "", 20);
  tell();
  seek(0, __WASI_WHENCE_SET);
  rd(30);
  seek(0, __WASI_WHENCE_END);
  return 0;
}
