/*
 * A guest that tries what a policy is there to stop, one attempt per line:
 * a write into a read-only preopen, '..' and symlink escapes, a name a
 * deny glob covers, past the open-fds and bytes-written limits, a hidden
 * environment variable, a denied call. Run plain it shows what the core
 * alone allows (the escapes are refused by the sandbox); the policy e2e
 * test (tests/e2e/policy, case hostile) runs it under
 * tests/e2e/policy/hostile.json and checks every attempt is denied and
 * logged once, and that complain mode prints exactly this file's output.
 *
 * wt-dir: tree /ro
 * wt-dir: - /rw
 * wt-env: WT_PUBLIC=yes
 * wt-env: WT_SECRET=hunter2
 * wt-node: skip node:wasi lets '..' and symlinks leave the preopen
 */
#include <stdlib.h>

#include "include/guest.h"

static void attempt_write(const char *label, const char *path, int flags,
                          const char *text) {
  int fd = open(path, flags, 0644);
  if (fd < 0) {
    show(label, fd);
    return;
  }
  show(label, write(fd, text, strlen(text)) == (long)strlen(text) ? 0 : -1);
  close(fd);
}

int main(void) {
  char buf[32];
  int fds[4], i, n;
  int fd;
  attempt_write("create /ro/new.txt", "/ro/new.txt", O_CREAT | O_WRONLY, "x");
  attempt_write("append /ro/a.txt", "/ro/a.txt", O_WRONLY | O_APPEND, "x");
  show("open /rw/../outside/secret.txt",
       open("/rw/../outside/secret.txt", O_RDONLY));
  show("symlink /rw/esc -> ../outside/secret.txt",
       symlink("../outside/secret.txt", "/rw/esc"));
  show("open /rw/esc", open("/rw/esc", O_RDONLY));
  attempt_write("create /rw/key.secret", "/rw/key.secret",
                O_CREAT | O_WRONLY, "k");
  /* Open fds: the limit is 3 (the preopens do not count). */
  for (i = 0, n = 0; i < 4; i++) {
    snprintf(buf, sizeof buf, "/ro/%s", i % 2 ? "b.txt" : "a.txt");
    fds[i] = open(buf, O_RDONLY);
    n += fds[i] >= 0;
    if (fds[i] < 0)
      show("fourth open", fds[i]);
  }
  printf("opened %d of 4\n", n);
  for (i = 0; i < 4; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  /* Bytes written: the limit is 100. */
  fd = open("/rw/out.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  memset(buf, 'w', sizeof buf);
  for (i = 0, n = 0; i < 4 && fd >= 0; i++)
    if (write(fd, buf, 32) == 32)
      n += 32;
    else
      show("write past 100 bytes", -1);
  printf("wrote %d of 128 bytes\n", n);
  if (fd >= 0)
    close(fd);
  printf("WT_PUBLIC: %s\n", getenv("WT_PUBLIC") ? getenv("WT_PUBLIC") : "-");
  printf("WT_SECRET: %s\n", getenv("WT_SECRET") ? getenv("WT_SECRET") : "-");
  showw("random_get", __wasi_random_get((uint8_t *)buf, 8));
  return 0;
}
