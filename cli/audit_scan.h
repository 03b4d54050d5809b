/*
 * wasitrace audit: what a trace says the guest did, as the policy layer
 * sees it. The scan walks the records once, keeping the fd table (preopens
 * from the metadata, path_open results, renumber, close) so that every
 * path call becomes the guest-visible absolute path and the operations the
 * core's guard would have judged (core/path.c: judge_open and friends).
 */
#ifndef WT_CLI_AUDIT_SCAN_H
#define WT_CLI_AUDIT_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "wt/policy.h"
#include "wt/tracer.h"

/* One path the guest used, with the operations done on it. */
typedef struct wt_audit_path_s {
  char *path;
  unsigned ops;       /* WT_PATH_OP_* judged (the call reached the guard) */
  unsigned done;      /* ... of those, by calls that succeeded */
  char *renamed_to;   /* path_rename: the first new name */
} wt_audit_path_t;

/* One path event of one call (a call may have two: rename, link). */
typedef struct wt_audit_event_s {
  uint64_t seq;
  uint16_t call;
  unsigned ops;
  const char *path; /* owned by the scan */
  /* With a policy (audit --policy): its verdict, in the enforced run's
   * order (a refused path stops the call's later ones). */
  wt_policy_verdict_t v;
} wt_audit_event_t;

/* What the trace shows of a name (audit_fs.c). */
enum {
  WT_AUDIT_UNKNOWN,
  WT_AUDIT_EXISTS,
  WT_AUDIT_ABSENT,
  WT_AUDIT_NEW_DIR /* made by the guest: everything below it is known */
};

typedef struct wt_audit_node_s {
  char *path;
  uint8_t state;
  char *link; /* a symlink the guest made: its target */
} wt_audit_node_t;

typedef struct wt_audit_s {
  wt_audit_path_t *paths;
  uint32_t npaths, pcap;
  uint64_t calls_used[WT_CALL_COUNT]; /* per call: how many times */
  uint64_t random_bytes;
  uint32_t clocks; /* bit per clock id read */
  char **env;      /* names the guest read (environ_get) */
  uint32_t nenv;
  bool env_read;
  uint64_t sock_calls, signal_calls;
  /* Every path event, in seq order (for audit --policy). */
  wt_audit_event_t *events;
  uint32_t nevents, ecap;
  /* The fd table: guest path per fd, NULL when unknown. */
  char **fds;
  uint32_t nfds;
  /* The preopens' guest paths ('..' stops there). */
  char **roots;
  uint32_t nroots;
  /* The model of the sandbox. */
  wt_audit_node_t *nodes;
  uint32_t nnodes, ncap;
  /* The trace says whether an O_CREAT open made its file (FD_OPENED's b,
   * traces of format 5 on). */
  bool exact_create;
  /* audit --policy: the policy (borrowed). The model then follows the
   * enforced run: a refused call changes nothing, and a call whose source
   * the enforced run never made fails there too. */
  const wt_policy_t *policy;
} wt_audit_t;

/* Seeds the fd table from the trace's "preopens" entry. */
int wt_audit_meta(wt_audit_t *a, const wt_trace_meta_t *m);
/* One record, in seq order; -1 on a damaged one (message set). */
int wt_audit_add(wt_audit_t *a, const wt_trace_call_t *c);
void wt_audit_free(wt_audit_t *a);

/* The model (audit_fs.c): WT_AUDIT_* of a guest path; set one (link: a
 * symlink's target, or NULL); a rename; the path the resolver reaches. */
int wt_audit_fs_state(const wt_audit_t *a, const char *path);
int wt_audit_fs_set(wt_audit_t *a, const char *path, int state,
                    const char *link);
int wt_audit_fs_rename(wt_audit_t *a, const char *from, const char *to);
char *wt_audit_fs_resolve(const wt_audit_t *a, const char *root,
                          const char *dir, const char *rel, bool follow);
void wt_audit_fs_free(wt_audit_t *a);

/* "read, write" for ops, into buf. */
void wt_audit_ops_text(unsigned ops, char *buf, size_t size);

#endif
