/*
 * The JSON Lines sink: one self-contained object per line, the same
 * information as the SQLite schema (docs/trace-format.md).
 *
 * Lines are emitted directly as text rather than built as jansson trees:
 * the human-readable `args`/`results` are already JSON text (the same the
 * SQLite sink stores), and a tree per record would mean parsing them back
 * only to print them again. Readers use jansson (reader_jsonl.c), and the
 * tests check every line with it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

typedef struct jsonl_sink_s {
  FILE *f;
  bool own;
  char *buf;
  wt__sb_t line;
  wt_trace_summary_t sum;
} jsonl_sink_t;

static void key(wt__sb_t *b, const char *k) {
  wt__sb_puts(b, ",\"");
  wt__sb_puts(b, k);
  wt__sb_puts(b, "\":");
}

static void str(wt__sb_t *b, const char *s) {
  wt__sb_json_str(b, s, strlen(s));
}

static int emit(jsonl_sink_t *s) {
  wt__sb_putc(&s->line, '\n');
  if (s->line.oom) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  if (fwrite(s->line.s, 1, s->line.len, s->f) != s->line.len) {
    wt_trace_set_error("jsonl: write failed");
    return -1;
  }
  return 0;
}

static int jl_meta(void *impl, const wt_trace_meta_t *m) {
  static const char *const types[] = {"int", "text", "json", "blob"};
  jsonl_sink_t *s = impl;
  wt__sb_t *b = &s->line;
  if (m->type > WT_META_BLOB) {
    wt_trace_set_error("meta %s: unknown type %u", m->key, m->type);
    return -1;
  }
  wt__sb_reset(b);
  wt__sb_puts(b, "{\"type\":\"meta\",\"key\":");
  str(b, m->key);
  key(b, "vtype");
  str(b, types[m->type]);
  key(b, "value");
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
  return emit(s);
}

static void payload(wt__sb_t *b, const wt_trace_payload_t *pl) {
  wt__sb_puts(b, "{\"arg\":");
  wt__sb_u64(b, pl->arg);
  key(b, "dir");
  str(b, wt__dir_names[pl->dir]);
  key(b, "capture");
  str(b, wt__capture_names[pl->capture]);
  key(b, "size");
  wt__sb_json_u64(b, pl->size);
  if (pl->capture == WT_PAYLOAD_DIGEST) {
    key(b, "digest");
    wt__sb_putc(b, '"');
    wt__sb_hex64(b, pl->digest);
    wt__sb_putc(b, '"');
  }
  if (pl->capture != WT_PAYLOAD_NONE) {
    key(b, "data");
    wt__sb_putc(b, '"');
    wt__sb_base64(b, pl->data, pl->len);
    wt__sb_putc(b, '"');
  }
  wt__sb_putc(b, '}');
}

static void transition(wt__sb_t *b, const wt_transition_t *tr) {
  wt__sb_puts(b, "{\"kind\":");
  str(b, wt_transition_name(tr->kind));
  key(b, "fd");
  wt__sb_u64(b, tr->fd);
  key(b, "fd2");
  wt__sb_u64(b, tr->fd2);
  key(b, "a");
  wt__sb_json_u64(b, tr->a);
  key(b, "b");
  wt__sb_json_u64(b, tr->b);
  key(b, "data");
  wt__sb_json_u64(b, tr->data);
  wt__sb_putc(b, '}');
}

static void denial(wt__sb_t *b, const wt_trace_denial_t *d) {
  wt__sb_puts(b, "{\"source\":");
  str(b, wt__denial_names[d->source]);
  key(b, "fd");
  if (d->fd == UINT32_MAX)
    wt__sb_puts(b, "null");
  else
    wt__sb_u64(b, d->fd);
  key(b, "right");
  if (d->right == 0)
    wt__sb_puts(b, "null");
  else
    str(b, wt_right_name(d->right));
  key(b, "rule");
  if (d->rule == NULL)
    wt__sb_puts(b, "null");
  else
    str(b, d->rule);
  wt__sb_putc(b, '}');
}

/* The plain columns, present only when the call has them. */
static void columns(wt__sb_t *b, const wt_trace_summary_t *m) {
  if (m->has_fd) {
    key(b, "fd");
    wt__sb_u64(b, m->fd);
  }
  if (m->has_fd2) {
    key(b, "fd2");
    wt__sb_u64(b, m->fd2);
  }
  if (m->has_path) {
    key(b, "path");
    wt__sb_json_str(b, m->path, m->path_len);
  }
  if (m->has_nbytes) {
    key(b, "nbytes");
    wt__sb_json_u64(b, m->nbytes);
  }
  if (m->has_newfd) {
    key(b, "newfd");
    wt__sb_u64(b, m->newfd);
  }
}

static void blob(wt__sb_t *b, const char *k, const uint8_t *p, size_t n) {
  key(b, k);
  wt__sb_putc(b, '"');
  wt__sb_base64(b, p, n);
  wt__sb_putc(b, '"');
}

static int jl_call(void *impl, const wt_trace_call_t *c) {
  jsonl_sink_t *s = impl;
  wt__sb_t *b = &s->line;
  if (wt__check_denials(c) < 0 || wt_trace_summarize(c, &s->sum) < 0)
    return -1;
  wt__sb_reset(b);
  wt__sb_puts(b, "{\"type\":\"call\",\"seq\":");
  wt__sb_u64(b, c->seq);
  key(b, "call");
  str(b, wt_call_name(c->call));
  key(b, "errno");
  str(b, wt_errno_name(c->err));
  columns(b, &s->sum);
  key(b, "start_ns");
  wt__sb_json_u64(b, c->start_ns);
  key(b, "dur_ns");
  wt__sb_json_u64(b, c->dur_ns);
  key(b, "args");
  wt__sb_puts(b, s->sum.args_json);
  key(b, "results");
  wt__sb_puts(b, s->sum.results_json);
  blob(b, "args_bin", c->args, c->args_len);
  blob(b, "results_bin", c->results, c->results_len);
  if (c->npayloads > 0) {
    key(b, "payloads");
    for (uint32_t i = 0; i < c->npayloads; i++) {
      wt__sb_putc(b, i == 0 ? '[' : ',');
      payload(b, &c->payloads[i]);
    }
    wt__sb_putc(b, ']');
  }
  if (c->ntransitions > 0) {
    key(b, "transitions");
    for (uint32_t i = 0; i < c->ntransitions; i++) {
      wt__sb_putc(b, i == 0 ? '[' : ',');
      transition(b, &c->transitions[i]);
    }
    wt__sb_putc(b, ']');
  }
  if (c->ndenials > 0) {
    key(b, "denials");
    for (uint32_t i = 0; i < c->ndenials; i++) {
      wt__sb_putc(b, i == 0 ? '[' : ',');
      denial(b, &c->denials[i]);
    }
    wt__sb_putc(b, ']');
  }
  wt__sb_putc(b, '}');
  return emit(s);
}

/* Lines reach the kernel at each commit: a killed recorder loses only what
 * it wrote since, and at worst leaves one partial last line. */
static int jl_commit(void *impl) {
  jsonl_sink_t *s = impl;
  if (fflush(s->f) != 0) {
    wt_trace_set_error("jsonl: write failed");
    return -1;
  }
  return 0;
}

static void sink_free(jsonl_sink_t *s) {
  wt__sb_free(&s->line);
  wt_trace_summary_free(&s->sum);
  free(s->buf);
  free(s);
}

static int jl_close(void *impl) {
  jsonl_sink_t *s = impl;
  int rc = jl_commit(s);
  if (s->own && fclose(s->f) != 0 && rc == 0) {
    wt_trace_set_error("jsonl: close failed");
    rc = -1;
  }
  sink_free(s);
  return rc;
}

static const wt_sink_ops_t jsonl_ops = {jl_meta, jl_call, jl_commit, jl_close};

int wt_sink_jsonl_open(const char *path, wt_sink_t **out) {
  jsonl_sink_t *s = calloc(1, sizeof *s);
  if (s == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  s->own = strcmp(path, "-") != 0;
  s->f = s->own ? fopen(path, "w") : stdout;
  if (s->f == NULL) {
    wt_trace_set_error("jsonl: cannot create %s", path);
    sink_free(s);
    return -1;
  }
  s->buf = malloc(1 << 20);
  if (s->own && s->buf != NULL)
    setvbuf(s->f, s->buf, _IOFBF, 1 << 20);
  if ((*out = wt_sink_new(&jsonl_ops, s)) == NULL) {
    jl_close(s);
    return -1;
  }
  return 0;
}
