/*
 * path_rename and path_link: renaming files and directories, replacing an
 * existing file, the errors for the mismatched cases (file over directory,
 * directory over file or over a non-empty directory, missing source), hard
 * links (nlink counts, shared content, unlinking one name), and renames or
 * links whose destination would leave the sandbox (NOTCAPABLE).
 *
 * wt-dir: - /sandbox
 * rename_link.tree lists the result.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "guest.h"

static void put(const char *path, const char *text) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0 || write(fd, text, strlen(text)) < 0)
    printf("setup %s: %s\n", path, errname(errno));
  close(fd);
}

static void get(const char *path) {
  char buf[64];
  if (slurp(path, buf, sizeof buf) < 0)
    printf("%s: %s\n", path + 9, errname(errno));
  else
    printf("%s: %s", path + 9, buf);
}

static void nlink(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0)
    printf("stat %s: %s\n", path + 9, errname(errno));
  else
    printf("%s nlink: %llu\n", path + 9, (unsigned long long)st.st_nlink);
}

static void renames(void) {
  put("/sandbox/a.txt", "A\n");
  show("rename a.txt b.txt", rename("/sandbox/a.txt", "/sandbox/b.txt"));
  get("/sandbox/a.txt");
  get("/sandbox/b.txt");
  put("/sandbox/c.txt", "C\n");
  show("rename b.txt over c.txt", rename("/sandbox/b.txt", "/sandbox/c.txt"));
  get("/sandbox/c.txt");
  get("/sandbox/b.txt");
  show("rename missing.txt x.txt",
       rename("/sandbox/missing.txt", "/sandbox/x.txt"));
  show("mkdir d1", mkdir("/sandbox/d1", 0755));
  put("/sandbox/d1/f.txt", "F\n");
  show("rename d1 d2", rename("/sandbox/d1", "/sandbox/d2"));
  get("/sandbox/d2/f.txt");
  show("mkdir empty", mkdir("/sandbox/empty", 0755));
  show("rename c.txt over dir empty", rename("/sandbox/c.txt", "/sandbox/empty"));
  show("rename dir empty over c.txt", rename("/sandbox/empty", "/sandbox/c.txt"));
  show("rename dir empty over non-empty d2",
       rename("/sandbox/empty", "/sandbox/d2"));
  show("rename dir d2 over dir empty", rename("/sandbox/d2", "/sandbox/empty"));
  get("/sandbox/empty/f.txt");
  show("rename file into subdir", rename("/sandbox/c.txt", "/sandbox/empty/c.txt"));
  get("/sandbox/empty/c.txt");
}

static void links(void) {
  put("/sandbox/orig.txt", "shared\n");
  show("link orig.txt hard.txt", link("/sandbox/orig.txt", "/sandbox/hard.txt"));
  nlink("/sandbox/orig.txt");
  nlink("/sandbox/hard.txt");
  put("/sandbox/hard.txt", "changed\n");
  get("/sandbox/orig.txt");
  show("link to existing name", link("/sandbox/orig.txt", "/sandbox/hard.txt"));
  show("link missing source", link("/sandbox/nope.txt", "/sandbox/n2.txt"));
  show("link a directory", link("/sandbox/empty", "/sandbox/dirlink"));
  show("unlink orig.txt", unlink("/sandbox/orig.txt"));
  nlink("/sandbox/hard.txt");
  get("/sandbox/hard.txt");
}

static void escapes(void) {
  int root = preopen_fd("/sandbox");
  showw("path_rename hard.txt to ../outside/x",
        __wasi_path_rename(root, "hard.txt", root, "../outside/x"));
  showw("path_rename ../outside/secret.txt in",
        __wasi_path_rename(root, "../outside/secret.txt", root, "s.txt"));
  showw("path_link hard.txt to ../outside/x",
        __wasi_path_link(root, 0, "hard.txt", root, "../outside/x"));
  showw("path_link ../outside/secret.txt in",
        __wasi_path_link(root, 0, "../outside/secret.txt", root, "s.txt"));
}

int main(void) {
  renames();
  links();
  escapes();
  return 0;
}
