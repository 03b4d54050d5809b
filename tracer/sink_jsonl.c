/*
 * The JSON Lines sink: one self-contained object per line, the same
 * information as the SQLite schema (docs/trace-format.md).
 *
 * Lines are emitted directly as text rather than built as jansson trees:
 * the human-readable `args`/`results` are already JSON text (the same the
 * SQLite sink stores), and a tree per record would mean parsing them back
 * only to print them again. Readers use jansson (reader_jsonl.c), and the
 * tests check every line with it.
 *
 * Lines gather in a buffer written out with write(2) when it passes FLUSH
 * bytes and at each commit, so the sink knows what reached the file: when
 * a write fails (a full disk), the file is cut back to its last commit,
 * which leaves whole lines only, and the sink says so (wt_sink_ops_t).
 * A line's large values are encoded a slice at a time, the buffer written
 * out between slices: a call with hundreds of megabytes of arguments does
 * not become a line of that size in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fds.h"
#include "internal.h"

#define FLUSH ((size_t)1 << 20)
/* Bytes of a blob encoded at once: a multiple of 3, so the slices'
 * base64 joins into the whole's. */
#define SLICE ((size_t)3 << 18)

typedef struct jsonl_sink_s {
  int fd;
  bool own;
  char *path;
  wt__sb_t line;      /* bytes not yet written: whole lines, then one begun */
  uint64_t base;      /* the file offset of line.s[0] */
  uint64_t committed; /* the file's length at the last commit */
  bool mid_line;      /* part of the line being built is in the file */
  bool lost;          /* cut back to the last commit: the next commit fails */
  bool broken;        /* could not be cut back: nothing more is written */
  uint64_t fail_after; /* test hook (wt__sink_fail_after) */
  wt_trace_summary_t sum;
  wt__fds_t fds;  /* what each fd was, for the `fd` records at close */
  bool lost_any; /* calls were lost: the fds would mention some */
} jsonl_sink_t;

uint64_t wt__sink_fail_after;

static int write_error(jsonl_sink_t *s, int err) {
  if (err == ENOSPC)
    wt_trace_set_error("jsonl: disk full (ENOSPC) writing %s", s->path);
  else
    wt_trace_set_error("jsonl: writing %s: %s", s->path, strerror(err));
  return -1;
}

/* write(2) of n bytes, with the test hook's full disk. */
static int write_all(jsonl_sink_t *s, const char *p, size_t n) {
  while (n > 0) {
    size_t k = n;
    ssize_t w;
    if (s->fail_after != 0 && s->base + k > s->fail_after) {
      k = s->base < s->fail_after ? (size_t)(s->fail_after - s->base) : 0;
      if (k == 0) {
        s->fail_after = 0; /* once, as a disk that is then freed */
        errno = ENOSPC;
        return -1;
      }
    }
    w = write(s->fd, p, k);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (w == 0)
        errno = EIO;
      return -1;
    }
    p += w;
    n -= (size_t)w;
    s->base += (uint64_t)w;
  }
  return 0;
}

/* After a failed write: the file back at its last commit (see the top). */
static void cut_back(jsonl_sink_t *s) {
  wt__sb_reset(&s->line);
  s->mid_line = false;
  s->lost_any = true;
  if (ftruncate(s->fd, (off_t)s->committed) == 0 &&
      lseek(s->fd, (off_t)s->committed, SEEK_SET) >= 0) {
    s->base = s->committed;
    s->lost = true;
  } else {
    s->broken = true;
  }
}

/* Writes the buffer out; mid_line when it ends inside a line. */
static int write_out(jsonl_sink_t *s, bool mid_line) {
  if (s->line.len > 0 && write_all(s, s->line.s, s->line.len) < 0) {
    int err = errno;
    cut_back(s);
    return write_error(s, err);
  }
  wt__sb_reset(&s->line);
  s->mid_line = mid_line;
  return 0;
}

static int check_usable(const jsonl_sink_t *s) {
  if (!s->broken)
    return 0;
  wt_trace_set_error("jsonl: %s could not be cut back to its last commit "
                     "after a failed write",
                     s->path);
  return -1;
}

static void str(wt__sb_t *b, const char *s) {
  wt__sb_json_str(b, s, strlen(s));
}

/*
 * Ends the line begun at `start` in the buffer. A line that could not be
 * made (no memory) is dropped, unless part of it was written already.
 */
static int emit(jsonl_sink_t *s, size_t start) {
  wt__sb_putc(&s->line, '\n');
  if (s->line.oom) {
    s->line.oom = false;
    if (s->mid_line)
      cut_back(s);
    else
      s->line.len = start;
    wt_trace_set_error("out of memory");
    return -1;
  }
  return s->line.len >= FLUSH ? write_out(s, false) : 0;
}

static int jl_meta(void *impl, const wt_trace_meta_t *m) {
  static const char *const types[] = {"int", "text", "json", "blob"};
  jsonl_sink_t *s = impl;
  wt__sb_t *b = &s->line;
  size_t start = b->len;
  if (m->type > WT_META_BLOB) {
    wt_trace_set_error("meta %s: unknown type %u", m->key, m->type);
    return -1;
  }
  if (check_usable(s) < 0)
    return -1;
  wt__fds_meta(&s->fds, m);
  wt__sb_puts(b, "{\"type\":\"meta\",\"key\":");
  str(b, m->key);
  wt__sb_key(b, "vtype");
  str(b, types[m->type]);
  wt__sb_key(b, "value");
  if (m->type == WT_META_INT) {
    wt__sb_i64(b, m->i);
  } else if (m->type == WT_META_TEXT) {
    str(b, m->text);
  } else if (m->type == WT_META_JSON) {
    wt__sb_puts(b, m->text);
  } else {
    wt__sb_putc(b, '"');
    wt__sb_base64(b, m->blob, m->len);
    wt__sb_putc(b, '"');
  }
  wt__sb_putc(b, '}');
  return emit(s, start);
}

static void transition(wt__sb_t *b, const wt_transition_t *tr) {
  wt__sb_puts(b, "{\"kind\":");
  str(b, wt_transition_name(tr->kind));
  wt__sb_key(b, "fd");
  wt__sb_u64(b, tr->fd);
  wt__sb_key(b, "fd2");
  wt__sb_u64(b, tr->fd2);
  wt__sb_key(b, "a");
  wt__sb_json_u64(b, tr->a);
  wt__sb_key(b, "b");
  wt__sb_json_u64(b, tr->b);
  wt__sb_key(b, "data");
  wt__sb_json_u64(b, tr->data);
  wt__sb_putc(b, '}');
}

static void denial(wt__sb_t *b, const wt_trace_denial_t *d) {
  wt__sb_puts(b, "{\"source\":");
  str(b, wt__denial_names[d->source]);
  wt__sb_key(b, "fd");
  if (d->fd == UINT32_MAX)
    wt__sb_puts(b, "null");
  else
    wt__sb_u64(b, d->fd);
  wt__sb_key(b, "right");
  if (d->right == 0)
    wt__sb_puts(b, "null");
  else
    str(b, wt_right_name(d->right));
  wt__sb_key(b, "rule");
  if (d->rule == NULL)
    wt__sb_puts(b, "null");
  else
    str(b, d->rule);
  /* Format 4's members, only when they say something. */
  if (d->rule_index >= 0) {
    wt__sb_key(b, "rule_index");
    wt__sb_u64(b, (uint64_t)d->rule_index);
  }
  if (d->would) {
    wt__sb_key(b, "would");
    wt__sb_puts(b, "true");
  }
#define XX(m, k)                                                               \
  if (d->m != NULL) {                                                          \
    wt__sb_key(b, k);                                                          \
    str(b, d->m);                                                              \
  }
  XX(reason, "reason") XX(preopen, "preopen") XX(path, "path")
  XX(resolved, "resolved")
#undef XX
  wt__sb_putc(b, '}');
}

/* The plain columns, present only when the call has them. */
static void columns(wt__sb_t *b, const wt_trace_summary_t *m) {
  if (m->has_fd) {
    wt__sb_key(b, "fd");
    wt__sb_u64(b, m->fd);
  }
  if (m->has_fd2) {
    wt__sb_key(b, "fd2");
    wt__sb_u64(b, m->fd2);
  }
  if (m->has_path) {
    wt__sb_key(b, "path");
    wt__sb_json_str(b, m->path, m->path_len);
  }
  if (m->has_nbytes) {
    wt__sb_key(b, "nbytes");
    wt__sb_json_u64(b, m->nbytes);
  }
  if (m->has_newfd) {
    wt__sb_key(b, "newfd");
    wt__sb_u64(b, m->newfd);
  }
}

/* Base64 of a blob, a slice at a time, the buffer written out between
 * slices when it is full. */
static int base64(jsonl_sink_t *s, const uint8_t *p, size_t n) {
  while (n > 0) {
    size_t k = n < SLICE ? n : SLICE;
    wt__sb_base64(&s->line, p, k);
    p += k;
    n -= k;
    if (s->line.len >= FLUSH && !s->line.oom && write_out(s, true) < 0)
      return -1;
  }
  return 0;
}

static int blob(jsonl_sink_t *s, const char *k, const uint8_t *p, size_t n) {
  wt__sb_key(&s->line, k);
  wt__sb_putc(&s->line, '"');
  if (base64(s, p, n) < 0)
    return -1;
  wt__sb_putc(&s->line, '"');
  return 0;
}

static int payload(jsonl_sink_t *s, const wt_trace_payload_t *pl) {
  wt__sb_t *b = &s->line;
  wt__sb_puts(b, "{\"arg\":");
  wt__sb_u64(b, pl->arg);
  wt__sb_key(b, "dir");
  str(b, wt__dir_names[pl->dir]);
  wt__sb_key(b, "capture");
  str(b, wt__capture_names[pl->capture]);
  wt__sb_key(b, "size");
  wt__sb_json_u64(b, pl->size);
  if (pl->capture == WT_PAYLOAD_DIGEST) {
    wt__sb_key(b, "digest");
    wt__sb_putc(b, '"');
    wt__sb_hex64(b, pl->digest);
    wt__sb_putc(b, '"');
  }
  if (pl->capture != WT_PAYLOAD_NONE) {
    wt__sb_key(b, "data");
    wt__sb_putc(b, '"');
    if (base64(s, pl->data, pl->len) < 0)
      return -1;
    wt__sb_putc(b, '"');
  }
  wt__sb_putc(b, '}');
  return 0;
}

static int jl_call(void *impl, const wt_trace_call_t *c) {
  jsonl_sink_t *s = impl;
  wt__sb_t *b = &s->line;
  size_t start = b->len;
  if (check_usable(s) < 0 || wt__check_denials(c) < 0 ||
      wt_trace_summarize(c, &s->sum) < 0)
    return -1;
  wt__sb_puts(b, "{\"type\":\"call\",\"seq\":");
  wt__sb_u64(b, c->seq);
  wt__sb_key(b, "call");
  str(b, wt_call_name(c->call));
  wt__sb_key(b, "errno");
  str(b, wt_errno_name(c->err));
  columns(b, &s->sum);
  wt__sb_key(b, "start_ns");
  wt__sb_json_u64(b, c->start_ns);
  wt__sb_key(b, "dur_ns");
  wt__sb_json_u64(b, c->dur_ns);
  wt__sb_key(b, "args");
  wt__sb_puts(b, s->sum.args_json);
  wt__sb_key(b, "results");
  wt__sb_puts(b, s->sum.results_json);
  if (blob(s, "args_bin", c->args, c->args_len) < 0 ||
      blob(s, "results_bin", c->results, c->results_len) < 0)
    return -1;
  if (c->npayloads > 0) {
    wt__sb_key(b, "payloads");
    for (uint32_t i = 0; i < c->npayloads; i++) {
      wt__sb_putc(b, i == 0 ? '[' : ',');
      if (payload(s, &c->payloads[i]) < 0)
        return -1;
    }
    wt__sb_putc(b, ']');
  }
  if (c->ntransitions > 0) {
    wt__sb_key(b, "transitions");
    for (uint32_t i = 0; i < c->ntransitions; i++) {
      wt__sb_putc(b, i == 0 ? '[' : ',');
      transition(b, &c->transitions[i]);
    }
    wt__sb_putc(b, ']');
  }
  if (c->ndenials > 0) {
    wt__sb_key(b, "denials");
    for (uint32_t i = 0; i < c->ndenials; i++) {
      wt__sb_putc(b, i == 0 ? '[' : ',');
      denial(b, &c->denials[i]);
    }
    wt__sb_putc(b, ']');
  }
  wt__sb_putc(b, '}');
  if (emit(s, start) < 0)
    return -1;
  wt__fds_call(&s->fds, c, &s->sum);
  return 0;
}

/* Lines reach the kernel at each commit: a killed recorder loses only what
 * it wrote since, and at worst leaves one partial last line. */
static int jl_commit(void *impl) {
  jsonl_sink_t *s = impl;
  if (check_usable(s) < 0)
    return -1;
  if (s->lost) {
    s->lost = false;
    wt_trace_set_error("jsonl: %s was cut back to its last commit", s->path);
    return -1;
  }
  if (write_out(s, false) < 0)
    return -1;
  s->committed = s->base;
  return 0;
}

static void sink_free(jsonl_sink_t *s) {
  wt__sb_free(&s->line);
  wt_trace_summary_free(&s->sum);
  wt__fds_free(&s->fds);
  free(s->path);
  free(s);
}

/* The `fd` records, derived from the calls (fds.h), after the last call;
 * none when calls were lost, as they would mention some. */
static int fd_records(jsonl_sink_t *s) {
  if (s->lost_any || s->fds.oom || s->broken)
    return 0;
  wt__fds_finish(&s->fds);
  for (size_t i = 0; i < s->fds.nrows; i++) {
    size_t start = s->line.len;
    wt__fds_jsonl(&s->line, &s->fds.rows[i]);
    if (emit(s, start) < 0)
      return -1;
  }
  return 0;
}

static int jl_close(void *impl) {
  jsonl_sink_t *s = impl;
  int rc = jl_commit(s);
  if (rc == 0)
    rc = fd_records(s);
  if (rc == 0)
    rc = jl_commit(s);
  if (s->own && close(s->fd) != 0 && rc == 0)
    rc = write_error(s, errno);
  sink_free(s);
  return rc;
}

static const wt_sink_ops_t jsonl_ops = {jl_meta, jl_call, jl_commit, jl_close};

int wt_sink_jsonl_open(const char *path, wt_sink_t **out) {
  jsonl_sink_t *s = calloc(1, sizeof *s);
  if (s == NULL || (s->path = strdup(path)) == NULL) {
    free(s);
    wt_trace_set_error("out of memory");
    return -1;
  }
  s->own = strcmp(path, "-") != 0;
  s->fd = s->own ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                 : STDOUT_FILENO;
  if (s->fd < 0) {
    wt_trace_set_error("jsonl: cannot create %s: %s", path, strerror(errno));
    sink_free(s);
    return -1;
  }
  s->fail_after = wt__sink_fail_after;
  if ((*out = wt_sink_new(&jsonl_ops, s)) == NULL) {
    jl_close(s);
    return -1;
  }
  return 0;
}
