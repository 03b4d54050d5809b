/*
 * hello: the example guest of the README. It greets (HELLO_NAME, if set),
 * prints its arguments, and lists each directory the host preopened:
 *
 *   wasitrace run --dir examples::/examples hello.wasm -- hello world
 *   wasitrace run --env HELLO_NAME=you --dir . hello.wasm
 *
 * The preopens are found the way wasi-libc finds them: fd_prestat_get on
 * fds 3, 4, ... until EBADF.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the entries of `path`, sorted; returns 0 or an exit status. */
static int list(const char *path) {
  char *names[256];
  size_t n = 0;
  struct dirent *e;
  DIR *d = opendir(path);
  if (d == NULL) {
    fprintf(stderr, "hello: cannot open %s: %s\n", path, strerror(errno));
    return 1;
  }
  while ((e = readdir(d)) != NULL && n < sizeof names / sizeof *names)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  printf("%s holds %zu entr%s:\n", path, n, n == 1 ? "y" : "ies");
  for (size_t i = 0; i < n; i++) {
    printf("  %s\n", names[i]);
    free(names[i]);
  }
  return 0;
}

/* Lists every preopened directory; returns 0 or an exit status. */
static int list_preopens(void) {
  __wasi_prestat_t pre;
  char name[256];
  int status = 0, found = 0;
  for (__wasi_fd_t fd = 3; __wasi_fd_prestat_get(fd, &pre) == 0; fd++) {
    size_t len = pre.u.dir.pr_name_len;
    if (pre.tag != __WASI_PREOPENTYPE_DIR || len >= sizeof name ||
        __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0)
      continue;
    name[len] = '\0';
    found = 1;
    status |= list(name);
  }
  if (!found)
    printf("No directory was preopened (try --dir .).\n");
  return status;
}

int main(int argc, char **argv) {
  const char *who = getenv("HELLO_NAME");
  printf("Hello, %s! This is a WebAssembly guest.\n", who ? who : "world");
  printf("I was given %d argument%s:\n", argc, argc == 1 ? "" : "s");
  for (int i = 0; i < argc; i++)
    printf("  argv[%d] = %s\n", i, argv[i]);
  return list_preopens();
}
