/*
 * A module given as WebAssembly text (as wasmtime accepts it): translated
 * with wabt's wat2wasm into a private temporary folder, and the binary run
 * in its place. record embeds that binary, so a replay needs nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "wat.h"

extern char **environ;

/* Text when named .wat, or when it starts (after blanks) with '(' or a
 * ';;' comment; a binary module starts with "\0asm". */
bool wt_cli_is_wat(const char *path) {
  char head[256];
  size_t n, len = strlen(path), i = 0;
  FILE *f;
  if (len > 4 && strcmp(path + len - 4, ".wat") == 0)
    return true;
  if ((f = fopen(path, "rb")) == NULL)
    return false;
  n = fread(head, 1, sizeof head, f);
  fclose(f);
  while (i < n && strchr(" \t\r\n", head[i]) != NULL)
    i++;
  return i < n && (head[i] == '(' || (head[i] == ';' && i + 1 < n &&
                                      head[i + 1] == ';'));
}

/* The stem of path: "dir/x.wat" -> "x". */
static void stem(const char *path, char *out, size_t size) {
  const char *base = strrchr(path, '/'), *dot;
  base = base != NULL ? base + 1 : path;
  dot = strrchr(base, '.');
  snprintf(out, size, "%.*s", (int)(dot != NULL && dot != base
                                         ? (size_t)(dot - base)
                                         : strlen(base)),
           base);
}

/* wat2wasm's own words (its stderr), at most a few lines of them. */
static void show_log(const char *log) {
  char line[1024];
  int shown = 0;
  FILE *f = fopen(log, "r");
  if (f == NULL)
    return;
  while (shown < 20 && fgets(line, sizeof line, f) != NULL) {
    fputs(line, stderr);
    shown++;
  }
  fclose(f);
}

/* Runs wat2wasm in -> out, its stderr to log: 0, or the errno of the
 * spawn (ENOENT: not installed), or -1 when it failed. */
static int wat2wasm(const char *in, const char *out, const char *log) {
  posix_spawn_file_actions_t fa;
  char *argv[] = {"wat2wasm", (char *)in, "-o", (char *)out, NULL};
  pid_t pid;
  int rc, status;
  if (posix_spawn_file_actions_init(&fa) != 0)
    return ENOMEM;
  posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  rc = posix_spawnp(&pid, "wat2wasm", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return rc;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int wt_cli_wat_translate(const char *path, wt_cli_wat_t *w) {
  const char *tmp = getenv("TMPDIR");
  char name[256], log[sizeof w->dir + 16];
  int rc;
  memset(w, 0, sizeof *w);
  if (access(path, R_OK) != 0) {
    wt_cli_error("cannot read %s: %s", path, strerror(errno));
    return WT_EXIT_TOOL;
  }
  snprintf(w->dir, sizeof w->dir, "%s/wasitrace-wat-XXXXXX",
           tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
  if (mkdtemp(w->dir) == NULL) {
    wt_cli_error("cannot create a folder for %s's binary: %s", path,
                 strerror(errno));
    w->dir[0] = '\0';
    return WT_EXIT_TOOL;
  }
  stem(path, name, sizeof name);
  snprintf(w->wasm, sizeof w->wasm, "%s/%s.wasm", w->dir,
           name[0] != '\0' ? name : "module");
  snprintf(log, sizeof log, "%s/wat2wasm.log", w->dir);
  rc = wat2wasm(path, w->wasm, log);
  if (rc == ENOENT) {
    wt_cli_error("cannot run %s: it is WebAssembly text, and translating it "
                 "needs wabt's wat2wasm, which is not installed (Debian: "
                 "apt install wabt)",
                 path);
  } else if (rc > 0) {
    wt_cli_error("cannot run %s: cannot start wat2wasm: %s", path,
                 strerror(rc));
  } else if (rc < 0) {
    wt_cli_error("cannot run %s: wat2wasm could not translate it:", path);
    show_log(log);
  }
  unlink(log);
  if (rc != 0) {
    wt_cli_wat_remove(w);
    return WT_EXIT_MODULE;
  }
  return 0;
}

void wt_cli_wat_remove(wt_cli_wat_t *w) {
  if (w->wasm[0] != '\0')
    unlink(w->wasm);
  if (w->dir[0] != '\0')
    rmdir(w->dir);
  memset(w, 0, sizeof *w);
}
