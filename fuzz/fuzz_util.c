/*
 * Helpers shared by the fuzz targets: the scratch file the readers are
 * given, and a reader loop that touches everything a record hands out.
 */
#include "fuzz_util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wt/tracer.h"

static char scratch[512];

volatile uint64_t wt_fuzz_sink;

/*
 * A crash ends the process in the middle of an input, before its scratch
 * file is removed. The next process removes the files of processes that
 * are gone, so that long runs (-jobs, -fork) do not fill /dev/shm.
 */
static void remove_stale(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[sizeof scratch + 64];
  if (d == NULL)
    return;
  while ((e = readdir(d)) != NULL) {
    long pid;
    int used = 0;
    if (sscanf(e->d_name, "wt-fuzz-%ld.trace%n", &pid, &used) != 1 ||
        used == 0 || pid <= 0)
      continue;
    /* Still running (or not ours to signal): another fuzzer's file. */
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
}

static void scratch_path(void) {
  const char *dir = getenv("TMPDIR");
  if (scratch[0] != '\0')
    return;
  if (access("/dev/shm", W_OK) == 0)
    dir = "/dev/shm";
  else if (dir == NULL || dir[0] == '\0')
    dir = "/tmp";
  remove_stale(dir);
  snprintf(scratch, sizeof scratch, "%s/wt-fuzz-%ld.trace", dir,
           (long)getpid());
}

const char *wt_fuzz_file(const uint8_t *data, size_t size) {
  FILE *f;
  scratch_path();
  wt_fuzz_file_remove();
  if ((f = fopen(scratch, "wb")) == NULL)
    return NULL;
  if (fwrite(data, 1, size, f) != size) {
    fclose(f);
    return NULL;
  }
  return fclose(f) == 0 ? scratch : NULL;
}

void wt_fuzz_file_remove(void) {
  static const char *const sidecars[] = {"", "-journal", "-wal", "-shm"};
  char path[sizeof scratch + 16];
  if (scratch[0] == '\0')
    return;
  for (size_t i = 0; i < sizeof sidecars / sizeof *sidecars; i++) {
    snprintf(path, sizeof path, "%s%s", scratch, sidecars[i]);
    unlink(path);
  }
}

static uint64_t fold(const void *p, size_t n) {
  const uint8_t *b = p;
  uint64_t h = n;
  for (size_t i = 0; i < n; i++)
    h = h * 31 + b[i];
  return h;
}

static uint64_t touch_meta(const wt_trace_t *t) {
  uint64_t h = 0;
  for (uint32_t i = 0; i < wt_trace_meta_count(t); i++) {
    const wt_trace_meta_t *m = wt_trace_meta_at(t, i);
    h += fold(m->key, strlen(m->key)) + (uint64_t)m->i;
    if (m->text != NULL)
      h += fold(m->text, strlen(m->text));
    if (m->type == WT_META_BLOB && m->blob != NULL)
      h += fold(m->blob, m->len);
  }
  return h;
}

static uint64_t touch_call(const wt_trace_call_t *c) {
  uint64_t h = c->seq + c->call + c->err + c->start_ns + c->dur_ns;
  h += fold(c->args, c->args_len) + fold(c->results, c->results_len);
  h += fold(wt_call_name(c->call), strlen(wt_call_name(c->call)));
  for (uint32_t i = 0; i < c->npayloads; i++) {
    const wt_trace_payload_t *p = &c->payloads[i];
    h += p->arg + p->dir + p->capture + p->size + p->digest;
    h += fold(p->data, p->len);
  }
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *tr = &c->transitions[i];
    h += tr->fd + tr->fd2 + tr->a + tr->b + tr->data;
    h += fold(wt_transition_name(tr->kind), 1);
  }
  for (uint32_t i = 0; i < c->ndenials; i++) {
    const wt_trace_denial_t *d = &c->denials[i];
    h += d->source + d->fd + d->right;
    if (d->rule != NULL)
      h += fold(d->rule, strlen(d->rule));
  }
  return h + wt_trace_call_refused(c);
}

uint64_t wt_fuzz_read_trace(const char *path) {
  wt_trace_t *t;
  const wt_trace_call_t *c;
  wt_trace_summary_t s;
  uint64_t n = 0, h;
  memset(&s, 0, sizeof s);
  if (wt_trace_open(path, &t) < 0)
    return 0;
  h = touch_meta(t) + wt_trace_format(t);
  while (wt_trace_next(t, &c) == 1) {
    n++;
    h += touch_call(c);
    if (wt_trace_summarize(c, &s) == 0) {
      h += fold(s.args_json, strlen(s.args_json));
      h += fold(s.results_json, strlen(s.results_json));
      if (s.has_path)
        h += fold(s.path, s.path_len);
    }
  }
  h += wt_trace_truncated(t);
  wt_trace_summary_free(&s);
  wt_trace_close(t);
  wt_fuzz_sink += h;
  return n;
}
