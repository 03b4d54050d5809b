/*
 * The fds a run used, derived from its calls (fds.h). The fd transitions
 * (FD_OPENED, FD_CLOSED, FD_RENUMBERED, FD_DUPLICATED) say when an fd
 * appeared and went; the call that opened it says what it is: a path
 * joined to its directory fd's path, a kind, rights. Cheap per call: most
 * calls have no fd transition and only their byte counts are added.
 */
#include <jansson.h>
#include <stdlib.h>

#include "fds.h"

/* Fds above this are not followed (the core hands out small numbers; a
 * hostile trace being converted must not make the table huge). */
#define FD_MAX (1u << 20)

static void *grow(void *p, size_t *cap, size_t need, size_t size, bool *oom) {
  size_t n = *cap ? *cap : 16;
  void *q;
  if (need <= *cap)
    return p;
  while (n < need)
    n *= 2;
  if ((q = realloc(p, n * size)) == NULL) {
    *oom = true;
    return NULL;
  }
  memset((char *)q + *cap * size, 0, (n - *cap) * size);
  *cap = n;
  return q;
}

static wt__fd_row_t *row_of(wt__fds_t *f, uint32_t fd) {
  return fd < f->nopen && f->open[fd] != 0 ? &f->rows[f->open[fd] - 1] : NULL;
}

/* Marks fd's row closed at seq (if fd is open). */
static void close_fd(wt__fds_t *f, uint32_t fd, uint64_t seq) {
  wt__fd_row_t *r = row_of(f, fd);
  if (r == NULL)
    return;
  r->closed_seq = seq;
  f->open[fd] = 0;
}

/* A new row for fd, open from seq (fd's previous row closed then). */
static wt__fd_row_t *open_fd(wt__fds_t *f, uint32_t fd, uint64_t seq) {
  wt__fd_row_t *rows;
  size_t cap = f->nopen;
  if (fd >= FD_MAX || f->oom)
    return NULL;
  if (fd >= f->nopen) {
    uint32_t *o = grow(f->open, &cap, (size_t)fd + 1, sizeof *o, &f->oom);
    if (o == NULL)
      return NULL;
    f->open = o;
    f->nopen = (uint32_t)cap;
  }
  if ((rows = grow(f->rows, &f->cap, f->nrows + 1, sizeof *rows, &f->oom)) ==
      NULL)
    return NULL;
  f->rows = rows;
  close_fd(f, fd, seq);
  rows[f->nrows] = (wt__fd_row_t){.fd = fd, .opened_seq = seq};
  f->open[fd] = (uint32_t)++f->nrows;
  return &rows[f->nrows - 1];
}

static void set_path(wt__fds_t *f, wt__fd_row_t *r, const char *p, size_t n) {
  if ((r->path = malloc(n + 1)) == NULL) {
    f->oom = true;
    return;
  }
  memcpy(r->path, p, n);
  r->path[n] = 0;
  r->path_len = (uint32_t)n;
}

/* ---- preopens ------------------------------------------------------------ */

static void place(wt__fds_t *f) {
  static const char *const stdio[] = {"<stdin>", "<stdout>", "<stderr>"};
  uint32_t fd = 3;
  wt__fd_row_t *r;
  if (f->placed)
    return;
  f->placed = true;
  for (uint32_t i = 0; i < 3; i++)
    if ((r = open_fd(f, i, 0)) != NULL) {
      r->kind = "stdio";
      set_path(f, r, stdio[i], strlen(stdio[i]));
    }
  for (uint32_t i = 0; i < f->ndirs; i++)
    if ((r = open_fd(f, fd++, 0)) != NULL) {
      r->kind = "DIRECTORY";
      r->opened_by = "preopen";
      set_path(f, r, f->dirs[i], strlen(f->dirs[i]));
    }
  for (uint32_t i = 0; i < f->nsocks; i++)
    if ((r = open_fd(f, fd++, 0)) != NULL) {
      r->kind = "socket";
      r->opened_by = "preopen";
      set_path(f, r, f->socks[i], strlen(f->socks[i]));
    }
}

/* The names of one preopens entry: its members `member` (or "?"). */
static void meta_names(wt__fds_t *f, const char *text, const char *member,
                       char ***out, uint32_t *n) {
  json_t *a = json_loads(text, 0, NULL), *e;
  size_t i, k = 0;
  if (!json_is_array(a) || *out != NULL || json_array_size(a) > 1024) {
    json_decref(a);
    return;
  }
  if ((*out = calloc(json_array_size(a) + 1, sizeof **out)) == NULL) {
    f->oom = true;
    json_decref(a);
    return;
  }
  json_array_foreach(a, i, e) {
    const char *s = json_string_value(json_object_get(e, member));
    if (((*out)[k] = strdup(s != NULL ? s : "?")) == NULL) {
      f->oom = true;
      break;
    }
    k++;
  }
  *n = (uint32_t)k;
  json_decref(a);
}

void wt__fds_meta(wt__fds_t *f, const wt_trace_meta_t *m) {
  if (m->type != WT_META_JSON || m->text == NULL || f->placed)
    return;
  if (strcmp(m->key, "preopens") == 0)
    meta_names(f, m->text, "guest", &f->dirs, &f->ndirs);
  else if (strcmp(m->key, "socket_preopens") == 0)
    meta_names(f, m->text, "address", &f->socks, &f->nsocks);
}

/* ---- calls ------------------------------------------------------------- */

/* Appends path component s[0..n) to the sb, lexically: "." dropped, ".."
 * taking the last component off (never above the root of an absolute
 * path). */
static void push_component(wt__sb_t *b, const char *s, size_t n) {
  if (n == 0 || (n == 1 && s[0] == '.'))
    return;
  if (n == 2 && s[0] == '.' && s[1] == '.') {
    char *slash = b->len > 0 ? memrchr(b->s, '/', b->len) : NULL;
    size_t last = slash != NULL ? (size_t)(slash - b->s) + 1 : 0;
    bool dotdot = b->len - last == 2 && memcmp(b->s + last, "..", 2) == 0;
    if (b->len > last && !dotdot) {
      b->len = last > 1 ? last - 1 : last;
      b->s[b->len] = 0;
      return;
    }
    if (b->len == 1 && b->s[0] == '/')
      return;
  }
  if (b->len > 0 && b->s[b->len - 1] != '/')
    wt__sb_putc(b, '/');
  wt__sb_putn(b, s, n);
}

static void push_path(wt__sb_t *b, const char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && p[j] != '/')
      j++;
    push_component(b, p + i, j - i);
    i = j + 1;
  }
}

/* The path a path_open named: its directory's path joined with it. */
static void resolve(wt__fds_t *f, wt__fd_row_t *r, const wt__fd_row_t *dir,
                    const wt_trace_summary_t *m) {
  wt__sb_t b = {0};
  if (m->path_len > 0 && m->path[0] == '/')
    wt__sb_putc(&b, '/');
  else if (dir != NULL && dir->path != NULL) {
    if (dir->path[0] == '/')
      wt__sb_putc(&b, '/');
    push_path(&b, dir->path, dir->path_len);
  } else {
    wt__sb_putc(&b, '?');
  }
  push_path(&b, m->path, m->path_len);
  if (b.len == 0)
    wt__sb_putc(&b, '.');
  if (b.oom)
    f->oom = true;
  else
    set_path(f, r, b.s, b.len);
  wt__sb_free(&b);
}

/*
 * path_open's rights and oflags from its args_bin: the path is borrowed
 * from it (wt_trace_summarize), and calls.def puts after the path oflags,
 * rights_base, rights_inheriting and fdflags, each a u64.
 */
static void open_rights(wt__fd_row_t *r, const wt_trace_call_t *c,
                        const wt_trace_summary_t *m) {
  const uint8_t *p = (const uint8_t *)m->path;
  size_t off;
  if (p < c->args || p > c->args + c->args_len)
    return;
  off = (size_t)(p - c->args) + m->path_len;
  if (off + 16 > c->args_len)
    return;
  memcpy(&r->oflags, c->args + off, 8);
  memcpy(&r->rights_base, c->args + off + 8, 8);
  r->has_rights = true;
}

static const char *kind_of(const wt_trace_call_t *c, uint64_t filetype) {
  static const char *const types[] = {
      "UNKNOWN",      "BLOCK_DEVICE", "CHARACTER_DEVICE", "DIRECTORY",
      "REGULAR_FILE", "SOCKET_DGRAM", "SOCKET_STREAM",    "SYMBOLIC_LINK"};
  switch (c->call) {
  case WT_CALL_fd_event:
    return "eventfd";
  case WT_CALL_epoll_create:
    return "epoll";
  case WT_CALL_fd_pipe:
    return "pipe";
  default:
    return filetype < 8 ? types[filetype] : "UNKNOWN";
  }
}

static void opened(wt__fds_t *f, const wt_trace_call_t *c,
                   const wt_trace_summary_t *m, const wt_transition_t *t) {
  const wt__fd_row_t *dir = c->call == WT_CALL_path_open && m->has_fd
                                ? row_of(f, m->fd)
                                : NULL;
  size_t dir_i = dir != NULL ? (size_t)(dir - f->rows) : 0;
  wt__fd_row_t *r = open_fd(f, t->fd, c->seq);
  if (r == NULL)
    return;
  r->kind = kind_of(c, t->a);
  r->opened_by = wt_call_name(c->call);
  if (c->call == WT_CALL_path_open && m->has_path) {
    /* open_fd may have moved the rows. */
    resolve(f, r, dir != NULL ? &f->rows[dir_i] : NULL, m);
    open_rights(r, c, m);
  }
}

/* A copy of fd's row as newfd's (dup, renumber), open from seq. */
static void copied(wt__fds_t *f, const wt_trace_call_t *c, uint32_t fd,
                   uint32_t newfd) {
  wt__fd_row_t *from = row_of(f, fd), *r;
  size_t from_i = from != NULL ? (size_t)(from - f->rows) : 0;
  if (from == NULL || (r = open_fd(f, newfd, c->seq)) == NULL)
    return;
  from = &f->rows[from_i];
  r->kind = from->kind;
  r->has_rights = from->has_rights;
  r->rights_base = from->rights_base;
  r->oflags = from->oflags;
  r->opened_by = wt_call_name(c->call);
  if (from->path != NULL)
    set_path(f, r, from->path, from->path_len);
}

static void count(wt__fds_t *f, const wt_trace_call_t *c,
                  const wt_trace_summary_t *m) {
  wt__fd_row_t *r;
  bool w;
  switch (c->call) {
  case WT_CALL_fd_write:
  case WT_CALL_fd_pwrite:
  case WT_CALL_sock_send:
    w = true;
    break;
  case WT_CALL_fd_read:
  case WT_CALL_fd_pread:
  case WT_CALL_sock_recv:
    w = false;
    break;
  default:
    return;
  }
  if (c->err != WT_ESUCCESS || !m->has_fd || (r = row_of(f, m->fd)) == NULL)
    return;
  if (w) {
    r->writes++;
    r->bytes_written += m->has_nbytes ? m->nbytes : 0;
  } else {
    r->reads++;
    r->bytes_read += m->has_nbytes ? m->nbytes : 0;
  }
}

void wt__fds_call(wt__fds_t *f, const wt_trace_call_t *c,
                  const wt_trace_summary_t *m) {
  place(f);
  count(f, c, m);
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *t = &c->transitions[i];
    switch (t->kind) {
    case WT_TR_FD_OPENED:
      opened(f, c, m, t);
      break;
    case WT_TR_FD_CLOSED:
      close_fd(f, t->fd, c->seq);
      break;
    case WT_TR_FD_RENUMBERED:
      copied(f, c, t->fd, t->fd2);
      close_fd(f, t->fd, c->seq);
      break;
    case WT_TR_FD_DUPLICATED:
      copied(f, c, t->fd, t->fd2);
      break;
    default:
      break;
    }
  }
}

void wt__fds_finish(wt__fds_t *f) {
  place(f);
}

static void free_names(char **v, uint32_t n) {
  for (uint32_t i = 0; v != NULL && i < n; i++)
    free(v[i]);
  free(v);
}

void wt__fds_free(wt__fds_t *f) {
  for (size_t i = 0; i < f->nrows; i++)
    free(f->rows[i].path);
  free(f->rows);
  free(f->open);
  free_names(f->dirs, f->ndirs);
  free_names(f->socks, f->nsocks);
  memset(f, 0, sizeof *f);
}

/* ---- names ------------------------------------------------------------- */

/* The name fmt gives v, unquoted, if it is a name and not a number. */
static bool name_of(wt__sb_t *b, const char *fmt, uint64_t v) {
  wt__sb_reset(b);
  if (!wt__fmt_value(b, fmt, &v, sizeof v) || b->oom || b->len < 3 ||
      b->s[0] != '"' || strstr(b->s, "0x") != NULL || strchr(b->s, '|'))
    return false;
  memmove(b->s, b->s + 1, b->len - 2);
  b->len -= 2;
  b->s[b->len] = 0;
  return strcmp(b->s, "0") != 0;
}

void wt__fds_rights(wt__sb_t *b, uint64_t rights) {
  size_t start = b->len;
  if (!wt__fmt_value(b, "rights", &rights, sizeof rights) || b->oom ||
      b->len - start < 2 || b->s[start] != '"')
    return;
  memmove(b->s + start, b->s + start + 1, b->len - start - 2);
  b->len -= 2;
  b->s[b->len] = 0;
}

int wt__names_each(int (*fn)(void *ud, const char *field, uint64_t value,
                             const char *name),
                   void *ud) {
  static const char *const enums[] = {"filetype", "signal"};
  static const char *const flags[] = {"epoll_events", "rights", "oflags",
                                      "fdflags"};
  static const char *const causes[] = {"CREATE", "WRITE", "READ"};
  wt__sb_t b = {0};
  int rc = 0;
  for (size_t i = 0; i < 2 && rc == 0; i++)
    for (uint64_t v = 0; v < 64 && rc == 0; v++)
      if (name_of(&b, enums[i], v))
        rc = fn(ud, enums[i], v, b.s);
  for (size_t i = 0; i < 4 && rc == 0; i++)
    for (unsigned bit = 0; bit < 64 && rc == 0; bit++)
      if (name_of(&b, flags[i], 1ull << bit))
        rc = fn(ud, flags[i], 1ull << bit, b.s);
  for (uint64_t v = 0; v < 3 && rc == 0; v++)
    rc = fn(ud, "eventfd_cause", v, causes[v]);
  wt__sb_free(&b);
  return rc;
}

/* ---- JSON Lines -------------------------------------------------------- */

static void jstr_or_null(wt__sb_t *b, const char *s, size_t n) {
  if (s == NULL)
    wt__sb_puts(b, "null");
  else
    wt__sb_json_str(b, s, n);
}

static void ju64_or_null(wt__sb_t *b, bool has, uint64_t v) {
  if (has)
    wt__sb_json_u64(b, v);
  else
    wt__sb_puts(b, "null");
}

void wt__fds_jsonl(wt__sb_t *b, const wt__fd_row_t *r) {
  wt__sb_puts(b, "{\"type\":\"fd\",\"fd\":");
  wt__sb_u64(b, r->fd);
  wt__sb_key(b, "path");
  jstr_or_null(b, r->path, r->path_len);
  wt__sb_key(b, "kind");
  jstr_or_null(b, r->kind, strlen(r->kind));
  wt__sb_key(b, "rights");
  if (r->has_rights) {
    wt__sb_putc(b, '"');
    wt__fds_rights(b, r->rights_base);
    wt__sb_putc(b, '"');
  } else {
    wt__sb_puts(b, "null");
  }
  wt__sb_key(b, "rights_base");
  ju64_or_null(b, r->has_rights, r->rights_base);
  wt__sb_key(b, "oflags");
  if (r->has_rights)
    wt__fmt_value(b, "oflags", &r->oflags, sizeof r->oflags);
  else
    wt__sb_puts(b, "null");
  wt__sb_key(b, "opened_seq");
  ju64_or_null(b, r->opened_seq != 0, r->opened_seq);
  wt__sb_key(b, "closed_seq");
  ju64_or_null(b, r->closed_seq != 0, r->closed_seq);
  wt__sb_key(b, "opened_by");
  jstr_or_null(b, r->opened_by,
               r->opened_by != NULL ? strlen(r->opened_by) : 0);
  wt__sb_key(b, "reads");
  wt__sb_json_u64(b, r->reads);
  wt__sb_key(b, "bytes_read");
  wt__sb_json_u64(b, r->bytes_read);
  wt__sb_key(b, "writes");
  wt__sb_json_u64(b, r->writes);
  wt__sb_key(b, "bytes_written");
  wt__sb_json_u64(b, r->bytes_written);
  wt__sb_putc(b, '}');
}
