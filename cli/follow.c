/*
 * Following a JSON Lines trace while it is recorded (view --follow).
 *
 * The reader reads regular files of a known size, so the follower hands it
 * the trace piece by piece: each time whole lines have been appended, it
 * writes the trace's leading metadata lines and the new lines into an
 * in-memory file (memfd) and opens that as a trace. The viewer keeps its
 * state from piece to piece. The module's bytes (a metadata line that may
 * be megabytes long) are left out of the copies. The follower stops once a
 * piece says how the run ended (its "end" metadata is no longer
 * "incomplete"); it waits for more with inotify, or polls every 100 ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <unistd.h>

#include "follow.h"

typedef struct follow_s {
  int fd, ino, mem;
  char *head; /* the leading metadata lines */
  size_t head_len;
  bool have_head;
  bool head_all; /* the first piece held nothing but metadata */
  char *pend; /* bytes read, not yet a whole line */
  size_t pend_len, pend_cap;
} follow_t;

static bool is_module_line(const char *p, size_t n) {
  static const char k[] = "{\"type\":\"meta\",\"key\":\"module\",";
  return n >= sizeof k - 1 && memcmp(p, k, sizeof k - 1) == 0;
}

static bool is_meta_line(const char *p, size_t n) {
  static const char k[] = "{\"type\":\"meta\",";
  return n >= sizeof k - 1 && memcmp(p, k, sizeof k - 1) == 0;
}

/* Reads what was appended; -1 on a read error. */
static int read_more(follow_t *f) {
  for (;;) {
    ssize_t n;
    if (f->pend_cap - f->pend_len < 65536) {
      size_t cap = f->pend_cap ? 2 * f->pend_cap : 1 << 17;
      char *p = realloc(f->pend, cap);
      if (p == NULL)
        return -1;
      f->pend = p;
      f->pend_cap = cap;
    }
    n = read(f->fd, f->pend + f->pend_len, f->pend_cap - f->pend_len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      return 0;
    f->pend_len += (size_t)n;
  }
}

/* Appends n bytes to the memfd. */
static int put(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The leading metadata lines of the first piece become the head. */
static int take_head(follow_t *f, size_t whole) {
  size_t i = 0;
  while (i < whole) {
    const char *nl = memchr(f->pend + i, '\n', whole - i);
    size_t n = (size_t)(nl - (f->pend + i)) + 1;
    if (!is_meta_line(f->pend + i, n))
      break;
    if (!is_module_line(f->pend + i, n)) {
      char *h = realloc(f->head, f->head_len + n);
      if (h == NULL)
        return -1;
      memcpy(h + f->head_len, f->pend + i, n);
      f->head = h;
      f->head_len += n;
    }
    i += n;
  }
  f->have_head = true;
  f->head_all = i == whole;
  return 0;
}

/*
 * Writes the whole lines pending into the memfd, after the head for every
 * piece but the first (which holds the head itself); the bytes of a cut
 * line stay pending. *made false: no whole line yet.
 */
static int make_piece(follow_t *f, size_t *made) {
  size_t whole = 0, i = 0;
  bool first = !f->have_head;
  for (size_t k = f->pend_len; k > 0 && whole == 0; k--)
    if (f->pend[k - 1] == '\n')
      whole = k;
  *made = 0;
  if (whole == 0)
    return 0;
  if (first && take_head(f, whole) < 0)
    return -1;
  if (ftruncate(f->mem, 0) < 0 || lseek(f->mem, 0, SEEK_SET) < 0)
    return -1;
  if (!first && put(f->mem, f->head, f->head_len) < 0)
    return -1;
  while (i < whole) {
    const char *nl = memchr(f->pend + i, '\n', whole - i);
    size_t n = (size_t)(nl - (f->pend + i)) + 1;
    if (!is_module_line(f->pend + i, n) && put(f->mem, f->pend + i, n) < 0)
      return -1;
    i += n;
  }
  *made = whole;
  return 0;
}

/* The piece was read: its lines are no longer pending. */
static void consume(follow_t *f, size_t whole) {
  memmove(f->pend, f->pend + whole, f->pend_len - whole);
  f->pend_len -= whole;
}

/* Waits until the trace may have grown (inotify, or 100 ms). */
static void wait_more(follow_t *f) {
  struct pollfd p = {f->ino, POLLIN, 0};
  char buf[4096];
  if (f->ino < 0 || poll(&p, 1, 100) <= 0)
    return;
  while (read(f->ino, buf, sizeof buf) > 0)
    ;
}

/* One piece through fn; 1 when it says how the run ended. */
static int piece(follow_t *f, wt_cli_piece_fn fn, void *ud, bool first) {
  char path[64];
  wt_trace_t *t;
  const wt_trace_meta_t *end;
  int rc;
  snprintf(path, sizeof path, "/proc/self/fd/%d", f->mem);
  if (wt_trace_open(path, &t) < 0)
    return -2;
  rc = fn(ud, t, first);
  end = wt_trace_meta_get(t, "end");
  if (rc == 0 && end != NULL && end->text != NULL &&
      strcmp(end->text, "incomplete") != 0)
    rc = 1;
  wt_trace_close(t);
  return rc;
}

int wt_cli_follow(const char *path, wt_cli_piece_fn fn, void *ud) {
  follow_t f = {-1, -1, -1, NULL, 0, false, false, NULL, 0, 0};
  bool first = true, waited = false;
  int rc = -1;
  /* A trace not created yet (the recorder is starting): wait for it. */
  while ((f.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && errno == ENOENT) {
    if (!waited)
      wt_cli_error("waiting for %s to appear", path);
    waited = true;
    poll(NULL, 0, 100);
  }
  if (f.fd < 0) {
    wt_cli_error("cannot open %s: %s", path, strerror(errno));
    return WT_EXIT_TOOL;
  }
  f.ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (f.ino >= 0 && inotify_add_watch(f.ino, path, IN_MODIFY) < 0) {
    close(f.ino);
    f.ino = -1;
  }
  if ((f.mem = memfd_create("wasitrace-follow", MFD_CLOEXEC)) < 0) {
    wt_cli_error("cannot follow %s: memfd_create: %s", path, strerror(errno));
    goto out;
  }
  for (;;) {
    size_t made;
    if (read_more(&f) < 0 || make_piece(&f, &made) < 0) {
      wt_cli_error("cannot follow %s: %s", path, strerror(errno));
      goto out;
    }
    if (first && f.pend_len >= 15 && memcmp(f.pend, "SQLite format 3", 15) == 0) {
      wt_cli_error("%s: a SQLite trace: --follow reads JSON Lines traces "
                   "(record with -o TRACE.jsonl)",
                   path);
      goto out;
    }
    if (!made) {
      wait_more(&f);
      continue;
    }
    rc = piece(&f, fn, ud, first);
    if (rc == -2 && first && f.head_all && f.pend[0] == '{') {
      /* Not all of the leading metadata yet: the recorder is starting. */
      f.have_head = false;
      f.head_len = 0;
      wait_more(&f);
      continue;
    }
    consume(&f, made);
    if (rc == -2) {
      wt_cli_error("%s%s", wt_trace_error(),
                   first ? " (--follow reads JSON Lines traces)" : "");
      goto out;
    }
    if (rc < 0)
      goto out;
    first = false;
    if (rc == 1) {
      rc = 0;
      break;
    }
    wait_more(&f);
  }
out:
  if (f.ino >= 0)
    close(f.ino);
  if (f.mem >= 0)
    close(f.mem);
  close(f.fd);
  free(f.head);
  free(f.pend);
  return rc < 0 ? WT_EXIT_TOOL : 0;
}
