/*
 * Instance lifecycle: options, copying argv/env, stdio, preopens.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define WT_DEFAULT_FD_TABLE 1024

static _Thread_local char init_error[512];

const char *wt_init_error(void) { return init_error; }

static void set_init_error(const char *fmt, const char *what, int err) {
  snprintf(init_error, sizeof init_error, fmt, what, strerror(err));
}

static void *libc_malloc(size_t n, void *ud) {
  (void)ud;
  return malloc(n);
}
static void libc_free(void *p, void *ud) {
  (void)ud;
  free(p);
}
static void *libc_calloc(size_t n, size_t size, void *ud) {
  (void)ud;
  return calloc(n, size);
}
static void *libc_realloc(void *p, size_t n, void *ud) {
  (void)ud;
  return realloc(p, n);
}

static const wt_allocator_t libc_allocator = {
    NULL, libc_malloc, libc_free, libc_calloc, libc_realloc};

void *wt__malloc(const wt_t *w, size_t n) { return w->mem.malloc(n, w->mem.ud); }
void *wt__calloc(const wt_t *w, size_t n, size_t size) {
  return w->mem.calloc(n, size, w->mem.ud);
}
void *wt__realloc(const wt_t *w, void *p, size_t n) {
  return w->mem.realloc(p, n, w->mem.ud);
}
void wt__free(const wt_t *w, void *p) {
  if (p != NULL)
    w->mem.free(p, w->mem.ud);
}

char *wt__strndup(const wt_t *w, const char *s, size_t n) {
  char *d = wt__malloc(w, n + 1);
  if (d != NULL) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

void wt_options_init(wt_options_t *opts) {
  memset(opts, 0, sizeof *opts);
  opts->in = 0;
  opts->out = 1;
  opts->err = 2;
}

/*
 * Copies `n` strings (or a NULL-terminated list when n is UINT32_MAX) into
 * one buffer of NUL-terminated strings plus offsets, the shape
 * args_get/environ_get hand out.
 */
static wt_errno_t copy_strings(wt_t *w, const char *const *src, uint32_t n,
                               uint32_t *count, uint32_t **off, char **buf,
                               uint32_t *buf_size) {
  size_t total = 0;
  uint32_t i;
  if (n == UINT32_MAX)
    for (n = 0; src != NULL && src[n] != NULL; n++)
      ;
  for (i = 0; i < n; i++) {
    total += strlen(src[i]) + 1;
    if (total > UINT32_MAX)
      return WT_E2BIG;
  }
  *off = wt__calloc(w, n ? n : 1, sizeof **off);
  *buf = wt__malloc(w, total ? total : 1);
  if (*off == NULL || *buf == NULL)
    return WT_ENOMEM;
  total = 0;
  for (i = 0; i < n; i++) {
    size_t len = strlen(src[i]) + 1;
    (*off)[i] = (uint32_t)total;
    memcpy(*buf + total, src[i], len);
    total += len;
  }
  *count = n;
  *buf_size = (uint32_t)total;
  return WT_ESUCCESS;
}

/* Guest fd `fd` for host fd `host` (dup'ed, so the caller keeps its own). */
static wt_errno_t add_stdio(wt_t *w, int host, wt_fd_t fd) {
  struct stat st;
  wt__desc_t *desc;
  wt_rights_t base, inh;
  wt_fd_t got;
  int dup_fd;
  if (host < 0)
    return WT_ESUCCESS;
  dup_fd = fcntl(host, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0 || fstat(dup_fd, &st) != 0) {
    int err = errno;
    if (dup_fd >= 0)
      close(dup_fd);
    snprintf(init_error, sizeof init_error, "stdio fd %d: %s", host,
             strerror(err));
    return wt_errno_from_host(err);
  }
  desc = wt__desc_new(w, WT_DESC_HOST, wt__filetype_from_mode(st.st_mode),
                      dup_fd);
  if (desc == NULL) {
    close(dup_fd);
    return WT_ENOMEM;
  }
  desc->shared = true;
  wt__rights_for_type(desc->type, false, &base, &inh);
  /* Slots 0-2 are free at this point, so `got` is `fd`. */
  return wt__fd_insert(w, desc, base, inh, fd, &got);
}

static wt_errno_t add_preopen(wt_t *w, const wt_preopen_t *p) {
  wt__desc_t *desc;
  wt_fd_t fd;
  wt_errno_t err;
  int host = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (host < 0) {
    int e = errno;
    set_init_error("preopen %s: %s", p->host_path, e);
    return wt_errno_from_host(e);
  }
  desc = wt__desc_new(w, WT_DESC_HOST, WT_FILETYPE_DIRECTORY, host);
  if (desc == NULL) {
    close(host);
    return WT_ENOMEM;
  }
  desc->preopen_len = (uint32_t)strlen(p->guest_path);
  desc->preopen = wt__strndup(w, p->guest_path, desc->preopen_len);
  desc->gpath = wt__guest_root(w, p->guest_path, &desc->gpath_len);
  desc->groot_len = desc->gpath_len;
  if (desc->preopen == NULL || desc->gpath == NULL) {
    wt__desc_unref(w, desc);
    return WT_ENOMEM;
  }
  err = wt__fd_insert(w, desc, WT_RIGHTS_DIRECTORY,
                      WT_RIGHTS_DIRECTORY_INHERITING, 3, &fd);
  if (err != WT_ESUCCESS) {
    set_init_error("preopen %s: %s", p->host_path, EMFILE);
    wt__desc_unref(w, desc);
  }
  return err;
}

static wt_errno_t add_socket(wt_t *w, const wt_preopen_socket_t *s) {
  wt__desc_t *desc;
  wt_fd_t fd;
  wt_errno_t err;
  int host = s->host_fd;
  if (s->address != NULL) {
    err = wt__sock_listen(s->address, &host);
    if (err != WT_ESUCCESS) {
      snprintf(init_error, sizeof init_error, "listen on %s: %s", s->address,
               wt_errno_string(err));
      return err;
    }
  }
  desc = wt__desc_new(w, WT_DESC_SOCKET, WT_FILETYPE_SOCKET_STREAM, host);
  if (desc == NULL) {
    if (s->address != NULL)
      close(host);
    return WT_ENOMEM;
  }
  err = wt__fd_insert(w, desc, WT_RIGHTS_SOCKET_LISTEN, 0, 3, &fd);
  if (err != WT_ESUCCESS)
    wt__desc_unref(w, desc);
  return err;
}

static wt_errno_t init_files(wt_t *w, const wt_options_t *o) {
  wt_errno_t err;
  uint32_t i;
  if ((err = add_stdio(w, o->in, 0)) != WT_ESUCCESS ||
      (err = add_stdio(w, o->out, 1)) != WT_ESUCCESS ||
      (err = add_stdio(w, o->err, 2)) != WT_ESUCCESS)
    return err;
  for (i = 0; i < o->preopenc; i++)
    if ((err = add_preopen(w, &o->preopens[i])) != WT_ESUCCESS)
      return err;
  for (i = 0; i < o->preopen_socketc; i++)
    if ((err = add_socket(w, &o->preopen_sockets[i])) != WT_ESUCCESS)
      return err;
  return WT_ESUCCESS;
}

wt_errno_t wt_init(const wt_options_t *o, wt_t **out) {
  const wt_allocator_t *mem = o->allocator ? o->allocator : &libc_allocator;
  wt_errno_t err = WT_ENOMEM;
  wt_t *w;
  init_error[0] = '\0';
  *out = NULL;
  w = mem->calloc(1, sizeof *w, mem->ud);
  if (w == NULL)
    return WT_ENOMEM;
  w->mem = *mem;
  w->exit_code = -1;
  w->on_exit = o->proc_exit;
  w->on_exit_ud = o->proc_exit_ud;
  w->on_raise = o->proc_raise;
  w->on_raise_ud = o->proc_raise_ud;
  w->sig_register = o->signal_register;
  w->sig_run = o->signal_handler;
  w->sig_ud = o->signal_ud;
  w->timer_next = UINT64_MAX;
  w->nfds = o->fd_table_size ? o->fd_table_size : WT_DEFAULT_FD_TABLE;
  if (w->nfds < 3 + o->preopenc + o->preopen_socketc) {
    err = WT_EMFILE;
    snprintf(init_error, sizeof init_error,
             "fd table of %u slots cannot hold stdio and %u preopens",
             (unsigned)w->nfds, (unsigned)(o->preopenc + o->preopen_socketc));
    goto fail;
  }
  w->fds = wt__calloc(w, w->nfds, sizeof *w->fds);
  if (w->fds == NULL)
    goto fail;
  err = copy_strings(w, o->argv, o->argc, &w->argc, &w->argv_off,
                     &w->argv_buf, &w->argv_buf_size);
  if (err != WT_ESUCCESS)
    goto fail;
  err = copy_strings(w, o->envp, UINT32_MAX, &w->envc, &w->env_off,
                     &w->env_buf, &w->env_buf_size);
  if (err != WT_ESUCCESS)
    goto fail;
  err = init_files(w, o);
  if (err != WT_ESUCCESS)
    goto fail;
  *out = w;
  return WT_ESUCCESS;
fail:
  if (init_error[0] == '\0')
    snprintf(init_error, sizeof init_error, "%s", wt_errno_string(err));
  wt_destroy(w);
  return err;
}

void wt_destroy(wt_t *w) {
  if (w == NULL)
    return;
  /* Tearing down is not the guest's doing: report nothing. */
  w->observer = NULL;
  if (w->fds != NULL)
    for (wt_fd_t fd = 0; fd < w->nfds; fd++)
      if (w->fds[fd].desc != NULL)
        wt__fd_release(w, fd);
  wt__free(w, w->fds);
  wt__free(w, w->argv_off);
  wt__free(w, w->argv_buf);
  wt__free(w, w->env_off);
  wt__free(w, w->env_buf);
  wt__free(w, w->spare_desc);
  w->mem.free(w, w->mem.ud);
}

size_t wt_host_fds(const wt_t *w, int *out, size_t max) {
  size_t n = 0;
  for (wt_fd_t fd = 0; w->fds != NULL && fd < w->nfds; fd++) {
    const wt__desc_t *d = w->fds[fd].desc;
    int dfd = d != NULL && d->dir != NULL ? dirfd(d->dir) : -1;
    if (d == NULL)
      continue;
    if (d->host_fd >= 0 && n++ < max)
      out[n - 1] = d->host_fd;
    if (dfd >= 0 && n++ < max)
      out[n - 1] = dfd;
  }
  return n;
}

int64_t wt_exit_code(const wt_t *w) { return w->exit_code; }
uint8_t wt_raised_signal(const wt_t *w) { return w->raised_signal; }
