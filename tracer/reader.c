/*
 * Reading traces (either format) and converting between them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "internal.h"

static void meta_free(wt_trace_meta_t *m) {
  free((char *)m->key);
  free((char *)m->text);
  free((uint8_t *)m->blob);
}

int wt__trace_meta_set(wt_trace_t *t, const wt_trace_meta_t *m) {
  wt_trace_meta_t copy = {strdup(m->key), m->type, m->i, NULL, NULL, m->len};
  uint32_t i;
  if (m->text != NULL)
    copy.text = strdup(m->text);
  /* An empty blob may come with a NULL pointer: nothing to copy then. */
  if (m->type == WT_META_BLOB && (copy.blob = malloc(m->len + 1)) != NULL &&
      m->len > 0)
    memcpy((uint8_t *)copy.blob, m->blob, m->len);
  if (copy.key == NULL || (m->text != NULL && copy.text == NULL) ||
      (m->type == WT_META_BLOB && copy.blob == NULL))
    goto oom;
  for (i = 0; i < t->nmeta && strcmp(t->meta[i].key, m->key) != 0; i++)
    ;
  if (i == t->nmeta) {
    if (t->nmeta == WT__META_MAX) {
      meta_free(&copy);
      wt_trace_set_error("more than %d metadata entries: not a trace",
                         WT__META_MAX);
      return -1;
    }
    if (t->nmeta == t->meta_cap) {
      uint32_t cap = t->meta_cap ? 2 * t->meta_cap : 32;
      wt_trace_meta_t *n = realloc(t->meta, cap * sizeof *n);
      if (n == NULL)
        goto oom;
      t->meta = n;
      t->meta_cap = cap;
    }
    t->nmeta++;
  } else {
    meta_free(&t->meta[i]);
  }
  t->meta[i] = copy;
  return 0;
oom:
  meta_free(&copy);
  wt_trace_set_error("out of memory");
  return -1;
}

/*
 * The trace's format, from its first bytes, and its size. Only a regular
 * file is read: the size bounds the work of reading it, and the JSON Lines
 * reader reads it twice.
 */
static int sniff(const char *path, wt_trace_format_t *format,
                 uint64_t *size) {
  static const char magic[16] = "SQLite format 3";
  char head[16] = {0};
  size_t n, i = 0;
  struct stat st;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    if (errno == ENOENT)
      wt_trace_set_error("%s does not exist", path);
    else
      wt_trace_set_error("cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  if (fstat(fileno(f), &st) != 0)
    st.st_mode = 0;
  if (!S_ISREG(st.st_mode)) {
    fclose(f);
    wt_trace_set_error(S_ISDIR(st.st_mode)
                           ? "%s is a directory, not a trace file"
                           : "%s is not a regular file, so not a trace",
                       path);
    return -1;
  }
  *size = (uint64_t)st.st_size;
  n = fread(head, 1, sizeof head, f);
  fclose(f);
  if (n == sizeof head && memcmp(head, magic, sizeof magic) == 0) {
    *format = WT_TRACE_SQLITE;
    return 0;
  }
  while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r'))
    i++;
  if (i < n && head[i] == '{') {
    *format = WT_TRACE_JSONL;
    return 0;
  }
  if (n >= 4 && memcmp(head, "\0asm", 4) == 0)
    wt_trace_set_error("%s is a WebAssembly module, not a trace (record one "
                       "with 'wasitrace record -o TRACE %s')",
                       path, path);
  else
    wt_trace_set_error("%s: not a wasitrace trace (neither SQLite nor JSON "
                       "Lines)",
                       path);
  return -1;
}

/* A reader must find the metadata every trace starts with. */
static int check_meta(wt_trace_t *t, const char *path) {
  const wt_trace_meta_t *f = wt_trace_meta_get(t, "format");
  const wt_trace_meta_t *v = wt_trace_meta_get(t, "format_version");
  if (f == NULL || f->type != WT_META_TEXT ||
      strcmp(f->text, "wasitrace") != 0 || v == NULL ||
      v->type != WT_META_INT) {
    wt_trace_set_error("%s: not a wasitrace trace (no format metadata)", path);
    return -1;
  }
  if (v->i < 1) {
    wt_trace_set_error("%s: trace format %lld does not exist", path,
                       (long long)v->i);
    return -1;
  }
  if (v->i > WT_TRACE_FORMAT_VERSION) {
    wt_trace_set_error("%s: trace format %lld is newer than this reader's "
                       "(%d)",
                       path, (long long)v->i, WT_TRACE_FORMAT_VERSION);
    return -1;
  }
  return 0;
}

int wt_trace_open(const char *path, wt_trace_t **out) {
  wt_trace_t *t = calloc(1, sizeof *t);
  int rc;
  if (t == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  if (sniff(path, &t->format, &t->size) < 0) {
    free(t);
    return -1;
  }
  rc = t->format == WT_TRACE_SQLITE ? wt__reader_sqlite_open(t, path)
                                    : wt__reader_jsonl_open(t, path);
  if (rc == 0 && check_meta(t, path) < 0)
    rc = -1;
  if (rc < 0) {
    wt_trace_close(t);
    return -1;
  }
  *out = t;
  return 0;
}

const char *wt__payload_check(const wt_trace_payload_t *pl) {
  if (pl->len > pl->size)
    return "it holds more bytes than its size";
  if (pl->capture == WT_PAYLOAD_FULL && pl->len != pl->size)
    return "a full capture without all its bytes";
  if (pl->capture == WT_PAYLOAD_NONE && pl->len != 0)
    return "a size-only capture with bytes";
  return NULL;
}

wt_trace_format_t wt_trace_format(const wt_trace_t *t) {
  return t->format;
}

uint32_t wt_trace_meta_count(const wt_trace_t *t) {
  return t->nmeta;
}

const wt_trace_meta_t *wt_trace_meta_at(const wt_trace_t *t, uint32_t i) {
  return i < t->nmeta ? &t->meta[i] : NULL;
}

const wt_trace_meta_t *wt_trace_meta_get(const wt_trace_t *t, const char *key) {
  for (uint32_t i = 0; i < t->nmeta; i++)
    if (strcmp(t->meta[i].key, key) == 0)
      return &t->meta[i];
  return NULL;
}

int wt_trace_next(wt_trace_t *t, const wt_trace_call_t **out) {
  return t->ops->next(t, out);
}

bool wt_trace_truncated(const wt_trace_t *t) {
  return t->truncated;
}

void wt_trace_close(wt_trace_t *t) {
  if (t == NULL)
    return;
  if (t->ops != NULL)
    t->ops->close(t);
  for (uint32_t i = 0; i < t->nmeta; i++)
    meta_free(&t->meta[i]);
  free(t->meta);
  free(t);
}

/* ---- conversion ------------------------------------------------------------
 */

static int copy_records(wt_trace_t *in, wt_sink_t *out) {
  const wt_trace_call_t *c;
  uint64_t n = 0;
  int rc;
  for (uint32_t i = 0; i < in->nmeta; i++) {
    wt_trace_meta_t m = in->meta[i];
    /* The copy is written in this version's format, whatever the input's. */
    if (strcmp(m.key, "format_version") == 0 && m.type == WT_META_INT)
      m.i = WT_TRACE_FORMAT_VERSION;
    if (wt_sink_meta(out, &m) < 0)
      return -1;
  }
  while ((rc = wt_trace_next(in, &c)) == 1) {
    if (wt_sink_call(out, c) < 0)
      return -1;
    /* Bounded transactions, as when recording. */
    if (++n % 8192 == 0 && wt_sink_commit(out) < 0)
      return -1;
  }
  return rc;
}

int wt_trace_convert(const char *in_path, const char *out_path,
                     wt_trace_format_t format) {
  wt_trace_t *in;
  wt_sink_t *out;
  int rc;
  if (wt_trace_open(in_path, &in) < 0)
    return -1;
  rc = format == WT_TRACE_SQLITE ? wt_sink_sqlite_open(out_path, &out)
                                 : wt_sink_jsonl_open(out_path, &out);
  if (rc < 0) {
    wt_trace_close(in);
    return -1;
  }
  rc = copy_records(in, out);
  if (wt_sink_close(out) < 0)
    rc = -1;
  wt_trace_close(in);
  return rc;
}
