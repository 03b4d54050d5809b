/*
 * Arguments and environment: args_sizes_get, args_get, environ_sizes_get,
 * environ_get, through wasi-libc (argv, environ, getenv) and raw.
 *
 * wt-args: alpha beta
 * wt-arg: two words
 * wt-arg:
 * wt-arg: ünïcödé
 * wt-env: WT_ONE=1
 * wt-env: WT_TWO=two words
 * wt-env: WT_EMPTY=
 * wt-env: WT_EQ=a=b=c
 * wt-exit: 0
 *
 * argv[0] is the runner's module path, so only its presence is printed.
 * The environment holds exactly the wt-env entries (no --inherit-env);
 * it is printed sorted because preview1 does not promise an order.
 */
#include <stdlib.h>

#include "guest.h"

extern char **environ;

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void raw_sizes(int argc) {
  __wasi_size_t n = 0, size = 0, want = 0;
  showw("args_sizes_get", __wasi_args_sizes_get(&n, &size));
  printf("args count matches argc: %s\n", yesno((int)n == argc));
  showw("environ_sizes_get", __wasi_environ_sizes_get(&n, &size));
  for (char **e = environ; *e != NULL; e++)
    want += strlen(*e) + 1;
  printf("environ count: %u\n", (unsigned)n);
  printf("environ buf size is sum of strings+NUL: %s\n", yesno(size == want));
}

int main(int argc, char **argv) {
  char *env[32];
  int n = 0;
  printf("argc: %d\n", argc);
  printf("argv[0] present: %s\n", yesno(argv[0] != NULL && argv[0][0]));
  for (int i = 1; i < argc; i++)
    printf("argv[%d]: [%s] (%zu bytes)\n", i, argv[i], strlen(argv[i]));
  printf("argv[argc] is NULL: %s\n", yesno(argv[argc] == NULL));
  for (char **e = environ; *e != NULL && n < 32; e++)
    env[n++] = *e;
  qsort(env, (size_t)n, sizeof env[0], cmp);
  for (int i = 0; i < n; i++)
    printf("env: [%s]\n", env[i]);
  printf("getenv WT_EQ: [%s]\n", getenv("WT_EQ"));
  printf("getenv WT_EMPTY: [%s]\n", getenv("WT_EMPTY"));
  printf("getenv WT_MISSING is NULL: %s\n", yesno(getenv("WT_MISSING") == NULL));
  raw_sizes(argc);
  return 0;
}
