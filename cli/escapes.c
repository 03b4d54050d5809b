/*
 * run -v / record -v: each path the sandbox refused for leaving every
 * preopen, said once on stderr with what fixes it (--dir). It listens on
 * the core's guard, chained to whatever guard a layer set before it (the
 * policy's, or the tracer's, which then still hear every event).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escapes.h"

/* Distinct paths said at most; a guest probing many gets one more line. */
#define MAX_SAID 256

struct wt_cli_escapes_s {
  wt_t *core;
  wt_guard_t next; /* the guard this one chains to */
  pthread_mutex_t mu;
  uint32_t nsaid;
  char *said[MAX_SAID];
};

static wt_errno_t on_path(void *ud, const wt_path_event_t *ev) {
  wt_cli_escapes_t *e = ud;
  return e->next.path != NULL ? e->next.path(e->next.ud, ev) : WT_ESUCCESS;
}

/* True the first time key is seen (kept: the caller must not free it). */
static bool first_time(wt_cli_escapes_t *e, char *key) {
  for (uint32_t i = 0; i < e->nsaid; i++)
    if (strcmp(e->said[i], key) == 0)
      return false;
  if (e->nsaid == MAX_SAID) {
    if (e->nsaid++ == MAX_SAID)
      wt_cli_error("(further paths outside the preopens not shown)");
    return false;
  }
  e->said[e->nsaid++] = key;
  return true;
}

/* Printable: a guest's path may hold any byte. */
static char *shown(const char *p, uint32_t len) {
  char *s = malloc((size_t)len + 1);
  if (s == NULL)
    return NULL;
  for (uint32_t i = 0; i < len; i++)
    s[i] = (unsigned char)p[i] >= 0x20 && p[i] != 0x7f ? p[i] : '?';
  s[len] = '\0';
  return s;
}

static void on_sandbox(void *ud, const wt_sandbox_event_t *ev) {
  wt_cli_escapes_t *e = ud;
  char *path;
  /* Loops and NUL bytes are not about access; --dir fixes neither. */
  bool outside = ev->reason == WT_SANDBOX_DOTDOT ||
                 ev->reason == WT_SANDBOX_ABSOLUTE ||
                 ev->reason == WT_SANDBOX_SYMLINK_ABSOLUTE ||
                 ev->reason == WT_SANDBOX_SYMLINK_ESCAPE;
  if (outside && (path = shown(ev->given, ev->given_len)) != NULL) {
    pthread_mutex_lock(&e->mu);
    if (first_time(e, path))
      wt_cli_error("the guest's path '%s' is outside every preopened "
                   "directory (%s%s%s%s%s): it got E%s; --dir HOST[::GUEST] "
                   "gives it access",
                   path, wt_sandbox_reason_description(ev->reason),
                   ev->link != NULL ? ": " : "",
                   ev->link != NULL ? ev->link : "",
                   ev->link != NULL && ev->target != NULL ? " -> " : "",
                   ev->link != NULL && ev->target != NULL ? ev->target : "",
                   wt_errno_name(ev->err));
    else
      free(path);
    pthread_mutex_unlock(&e->mu);
  }
  if (e->next.sandbox != NULL)
    e->next.sandbox(e->next.ud, ev);
}

wt_cli_escapes_t *wt_cli_escapes_start(wt_t *core) {
  wt_cli_escapes_t *e = calloc(1, sizeof *e);
  wt_guard_t g = {on_path, on_sandbox, NULL, false};
  if (e == NULL)
    return NULL;
  e->core = core;
  pthread_mutex_init(&e->mu, NULL);
  wt_get_guard(core, &e->next);
  /* Listening only: no path hook of its own, which would cost every
   * path call the resolver's names (core/guard.c). */
  if (e->next.path == NULL)
    g.path = NULL;
  /* on_path only forwards: it answers tentatively if the next one does. */
  g.tentative = e->next.tentative;
  g.ud = e;
  wt_set_guard(core, &g);
  return e;
}

void wt_cli_escapes_stop(wt_cli_escapes_t *e) {
  wt_guard_t now;
  if (e == NULL)
    return;
  /* Put back what was there, unless a layer's close cleared it already. */
  wt_get_guard(e->core, &now);
  if (now.ud == e)
    wt_set_guard(e->core, e->next.path || e->next.sandbox ? &e->next : NULL);
  for (uint32_t i = 0; i < e->nsaid && i < MAX_SAID; i++)
    free(e->said[i]);
  pthread_mutex_destroy(&e->mu);
  free(e);
}
