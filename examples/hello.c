/*
 * hello: the example guest of the README. It greets, prints its
 * arguments, and lists a directory (its first argument, default "."),
 * which the host has to preopen:
 *
 *   wasitrace run --dir . hello.wasm
 *   wasitrace run --dir /tmp::/data hello.wasm /data
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    fprintf(stderr, "hello: cannot open %s: %s (was it preopened with "
                    "--dir?)\n", path, strerror(errno));
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

int main(int argc, char **argv) {
  const char *who = getenv("HELLO_NAME");
  printf("Hello, %s! This is a WebAssembly guest.\n", who ? who : "world");
  printf("I was given %d argument%s:\n", argc, argc == 1 ? "" : "s");
  for (int i = 0; i < argc; i++)
    printf("  argv[%d] = %s\n", i, argv[i]);
  return list(argc > 1 ? argv[1] : ".");
}
