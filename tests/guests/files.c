/*
 * Files and directories through wasi-libc: path_open (CREAT, EXCL, TRUNC,
 * APPEND, DIRECTORY), fd_write, fd_read, fd_filestat_set_size (truncate
 * and extend), path_unlink_file, path_create_directory,
 * path_remove_directory, and the errors each one owes.
 *
 * wt-dir: - /sandbox
 * files.tree lists what must be left in the sandbox afterwards.
 */
#include <sys/stat.h>

#include "guest.h"

static void put(const char *path, int flags, const char *text) {
  char label[96];
  int fd = open(path, flags, 0644);
  snprintf(label, sizeof label, "open %s", path + 9);
  if (show(label, fd) < 0)
    return;
  printf("write %zu bytes: %zd\n", strlen(text), write(fd, text, strlen(text)));
  close(fd);
}

static void get(const char *path) {
  char buf[128];
  long n = slurp(path, buf, sizeof buf);
  if (n < 0) {
    printf("read %s: %s\n", path + 9, errname(errno));
    return;
  }
  printf("read %s: %ld bytes ", path + 9, n);
  print_bytes(buf, (size_t)n);
  putchar('\n');
}

static void create_and_read(void) {
  int fd;
  char c;
  put("/sandbox/a.txt", O_CREAT | O_WRONLY | O_EXCL, "hello world\n");
  show("open a.txt O_CREAT|O_EXCL again",
       open("/sandbox/a.txt", O_CREAT | O_WRONLY | O_EXCL, 0644));
  get("/sandbox/a.txt");
  fd = open("/sandbox/a.txt", O_RDONLY);
  show("write to a read-only fd (libc)", write(fd, "x", 1));
  {
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    showw("fd_write to a read-only fd", __wasi_fd_write(fd, &iov, 1, &n));
  }
  show("read from it", read(fd, &c, 1));
  close(fd);
  show("open missing.txt", open("/sandbox/missing.txt", O_RDONLY));
  show("open a.txt with O_DIRECTORY",
       open("/sandbox/a.txt", O_RDONLY | O_DIRECTORY));
}

static void truncate_extend(void) {
  struct stat st;
  int fd = open("/sandbox/a.txt", O_RDWR);
  show("ftruncate to 5", ftruncate(fd, 5));
  fstat(fd, &st);
  printf("size: %lld\n", (long long)st.st_size);
  show("ftruncate to 8", ftruncate(fd, 8));
  fstat(fd, &st);
  printf("size: %lld\n", (long long)st.st_size);
  close(fd);
  get("/sandbox/a.txt");
  put("/sandbox/a.txt", O_WRONLY | O_TRUNC, "");
  get("/sandbox/a.txt");
}

static void append(void) {
  put("/sandbox/log.txt", O_CREAT | O_WRONLY, "one\n");
  put("/sandbox/log.txt", O_WRONLY | O_APPEND, "two\n");
  put("/sandbox/log.txt", O_WRONLY | O_APPEND, "three\n");
  get("/sandbox/log.txt");
}

static void directories(void) {
  show("mkdir d", mkdir("/sandbox/d", 0755));
  show("mkdir d again", mkdir("/sandbox/d", 0755));
  show("mkdir d/e/f (no parent)", mkdir("/sandbox/d/e/f", 0755));
  put("/sandbox/d/inner.txt", O_CREAT | O_WRONLY, "inner\n");
  show("rmdir d (not empty)", rmdir("/sandbox/d"));
  show("rmdir d/inner.txt (a file)", rmdir("/sandbox/d/inner.txt"));
  show("unlink d (a directory)", unlink("/sandbox/d"));
  show("unlink d/inner.txt", unlink("/sandbox/d/inner.txt"));
  show("rmdir d", rmdir("/sandbox/d"));
  show("rmdir d again", rmdir("/sandbox/d"));
  show("mkdir kept", mkdir("/sandbox/kept", 0755));
  put("/sandbox/kept/file.txt", O_CREAT | O_WRONLY, "kept\n");
}

static void unlinking(void) {
  put("/sandbox/gone.txt", O_CREAT | O_WRONLY, "bye\n");
  show("unlink gone.txt", unlink("/sandbox/gone.txt"));
  show("unlink gone.txt again", unlink("/sandbox/gone.txt"));
  show("open gone.txt", open("/sandbox/gone.txt", O_RDONLY));
}

int main(void) {
  create_and_read();
  truncate_extend();
  append();
  directories();
  unlinking();
  return 0;
}
