/*
 * The live sink (run --strace, record --strace): the tracer's writer thread
 * hands it every record, which it renders through a viewer into a buffer
 * written out at each commit, so the lines cost the guest nothing but the
 * tracer's own ring write. With a tee, the records also go to a real sink
 * first: one recording, two consumers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "viewer_internal.h"

/* Output is written when this much is pending, or at a commit. */
#define FLUSH_AT ((size_t)1 << 16)

typedef struct vsink_s {
  wt_viewer_t *v;
  FILE *f;
  wt_sink_t *tee;
  wt__sb_t buf;
  bool failed; /* writing f failed: no more lines */
} vsink_t;

static void flush(vsink_t *s) {
  if (s->failed || s->buf.len == 0)
    return;
  if (fwrite(s->buf.s, 1, s->buf.len, s->f) != s->buf.len ||
      fflush(s->f) != 0) {
    fprintf(stderr, "wasitrace: --strace: cannot write the lines: %s; "
                    "the guest goes on without them\n",
            strerror(errno));
    s->failed = true;
  }
  wt__sb_reset(&s->buf);
}

static int vs_meta(void *impl, const wt_trace_meta_t *m) {
  vsink_t *s = impl;
  if (s->tee != NULL && wt_sink_meta(s->tee, m) < 0)
    return -1;
  wt_viewer_meta(s->v, m);
  return 0;
}

static int vs_call(void *impl, const wt_trace_call_t *c) {
  vsink_t *s = impl;
  const char *text;
  size_t len;
  if (s->tee != NULL && wt_sink_call(s->tee, c) < 0)
    return -1;
  if (s->failed)
    return 0;
  if (!wt_viewer_match(s->v, c)) {
    wt_viewer_skip(s->v, c);
    return 0;
  }
  /* A damaged record is marked in its line; the guest is not stopped. */
  wt_viewer_format(s->v, c, &text, &len);
  if (text != NULL)
    wt__sb_putn(&s->buf, text, len);
  if (s->buf.len >= FLUSH_AT)
    flush(s);
  return 0;
}

static int vs_commit(void *impl) {
  vsink_t *s = impl;
  int rc = s->tee != NULL ? wt_sink_commit(s->tee) : 0;
  flush(s);
  return rc;
}

static int vs_close(void *impl) {
  vsink_t *s = impl;
  int rc = s->tee != NULL ? wt_sink_close(s->tee) : 0;
  flush(s);
  wt_viewer_free(s->v);
  wt__sb_free(&s->buf);
  free(s);
  return rc;
}

static const wt_sink_ops_t vsink_ops = {vs_meta, vs_call, vs_commit,
                                        vs_close};

int wt_viewer_sink_open(wt_viewer_t *v, FILE *f, wt_sink_t *tee,
                        wt_sink_t **out) {
  vsink_t *s = calloc(1, sizeof *s);
  if (s == NULL || (*out = wt_sink_new(&vsink_ops, s)) == NULL) {
    free(s);
    wt_trace_set_error("out of memory");
    return -1;
  }
  s->v = v;
  s->f = f;
  s->tee = tee;
  return 0;
}
