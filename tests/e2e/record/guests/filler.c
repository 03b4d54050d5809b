/*
 * Creates files out/f00000, out/f00001, ... (argv[1] of them, default
 * 100000) in the preopened directory "out", writing 4 KiB to each, and
 * says "done N" on stdout. For the tests of a recording that fails: once
 * the trace cannot be written, the files after the failure must not
 * appear.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static char block[4096];
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  memset(block, 'x', sizeof block);
  for (int i = 0; i < n; i++) {
    char name[32];
    int fd;
    snprintf(name, sizeof name, "out/f%05d", i);
    fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, block, sizeof block) != (ssize_t)sizeof block ||
        close(fd) != 0) {
      perror(name);
      return 1;
    }
  }
  printf("done %d\n", n);
  return 0;
}
