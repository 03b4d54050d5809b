/*
 * Value printers and names, expanded from tables: every fmt token of
 * calls.def has a printer that renders a value as JSON (flags as
 * "CREAT|TRUNC", enums by name, structs as objects). The viewer reuses them
 * through wt_trace_format_value.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* An unsigned integer of 1, 2, 4 or 8 little-endian bytes. */
static uint64_t load(const void *p, size_t size) {
  uint64_t v = 0;
  memcpy(&v, p, size < 8 ? size : 8);
  return v;
}

typedef struct name_s {
  uint64_t v;
  const char *name;
} name_t;

/* An enum: its name as a string, or the number when it has none. */
static void pr_enum(wt__sb_t *b, const name_t *t, size_t n, uint64_t v) {
  for (size_t i = 0; i < n; i++)
    if (t[i].v == v) {
      wt__sb_putc(b, '"');
      wt__sb_puts(b, t[i].name);
      wt__sb_putc(b, '"');
      return;
    }
  wt__sb_json_u64(b, v);
}

/* Flags: "A|B", unknown bits as a trailing hex number, 0 as "0". */
static void pr_flags(wt__sb_t *b, const name_t *t, size_t n, uint64_t v) {
  bool first = true;
  wt__sb_putc(b, '"');
  for (size_t i = 0; i < n; i++)
    if (t[i].v != 0 && (v & t[i].v) == t[i].v) {
      if (!first)
        wt__sb_putc(b, '|');
      wt__sb_puts(b, t[i].name);
      v &= ~t[i].v;
      first = false;
    }
  if (v != 0 || first) {
    char hex[24];
    snprintf(hex, sizeof hex, first ? "%#llx" : "|%#llx",
             (unsigned long long)v);
    wt__sb_puts(b, v == 0 ? "0" : hex);
  }
  wt__sb_putc(b, '"');
}

#define N(t) (sizeof t / sizeof t[0])

static const name_t clockids[] = {
    {WT_CLOCK_REALTIME, "REALTIME"},
    {WT_CLOCK_MONOTONIC, "MONOTONIC"},
    {WT_CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID"},
    {WT_CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID"}};
static const name_t advices[] = {
    {WT_ADVICE_NORMAL, "NORMAL"},     {WT_ADVICE_SEQUENTIAL, "SEQUENTIAL"},
    {WT_ADVICE_RANDOM, "RANDOM"},     {WT_ADVICE_WILLNEED, "WILLNEED"},
    {WT_ADVICE_DONTNEED, "DONTNEED"}, {WT_ADVICE_NOREUSE, "NOREUSE"}};
static const name_t whences[] = {
    {WT_WHENCE_SET, "SET"}, {WT_WHENCE_CUR, "CUR"}, {WT_WHENCE_END, "END"}};
static const name_t signals[] = {
#define XX(v, n) {v, #n},
    WT_SIGNAL_MAP(XX)
#undef XX
};
static const name_t filetypes[] = {
    {WT_FILETYPE_UNKNOWN, "UNKNOWN"},
    {WT_FILETYPE_BLOCK_DEVICE, "BLOCK_DEVICE"},
    {WT_FILETYPE_CHARACTER_DEVICE, "CHARACTER_DEVICE"},
    {WT_FILETYPE_DIRECTORY, "DIRECTORY"},
    {WT_FILETYPE_REGULAR_FILE, "REGULAR_FILE"},
    {WT_FILETYPE_SOCKET_DGRAM, "SOCKET_DGRAM"},
    {WT_FILETYPE_SOCKET_STREAM, "SOCKET_STREAM"},
    {WT_FILETYPE_SYMBOLIC_LINK, "SYMBOLIC_LINK"}};
static const name_t eventtypes[] = {{WT_EVENTTYPE_CLOCK, "CLOCK"},
                                    {WT_EVENTTYPE_FD_READ, "FD_READ"},
                                    {WT_EVENTTYPE_FD_WRITE, "FD_WRITE"}};
static const name_t fdflags[] = {{WT_FDFLAG_APPEND, "APPEND"},
                                 {WT_FDFLAG_DSYNC, "DSYNC"},
                                 {WT_FDFLAG_NONBLOCK, "NONBLOCK"},
                                 {WT_FDFLAG_RSYNC, "RSYNC"},
                                 {WT_FDFLAG_SYNC, "SYNC"}};
static const name_t oflags[] = {{WT_O_CREAT, "CREAT"},
                                {WT_O_DIRECTORY, "DIRECTORY"},
                                {WT_O_EXCL, "EXCL"},
                                {WT_O_TRUNC, "TRUNC"}};
static const name_t fstflags[] = {{WT_FSTFLAG_ATIM, "ATIM"},
                                  {WT_FSTFLAG_ATIM_NOW, "ATIM_NOW"},
                                  {WT_FSTFLAG_MTIM, "MTIM"},
                                  {WT_FSTFLAG_MTIM_NOW, "MTIM_NOW"}};
static const name_t lookupflags[] = {
    {WT_LOOKUP_SYMLINK_FOLLOW, "SYMLINK_FOLLOW"}};
static const name_t rights[] = {
#define XX(bit, n) {1ull << bit, #n},
    WT_RIGHTS_MAP(XX)
#undef XX
};
static const name_t riflags[] = {{WT_SOCK_RECV_PEEK, "RECV_PEEK"},
                                 {WT_SOCK_RECV_WAITALL, "RECV_WAITALL"}};
static const name_t roflags[] = {
    {WT_SOCK_RECV_DATA_TRUNCATED, "RECV_DATA_TRUNCATED"}};
static const name_t eventrwflags[] = {{WT_EVENT_FD_READWRITE_HANGUP, "HANGUP"}};
static const name_t sdflags[] = {{WT_SHUT_RD, "RD"}, {WT_SHUT_WR, "WR"}};
static const name_t eventfdflags[] = {{WT_EVENTFD_SEMAPHORE, "SEMAPHORE"}};
static const name_t fdflagsext[] = {{WT_FDFLAGEXT_CLOEXEC, "CLOEXEC"}};
static const name_t epoll_ops[] = {{WT_EPOLL_CTL_ADD, "ADD"},
                                   {WT_EPOLL_CTL_MOD, "MOD"},
                                   {WT_EPOLL_CTL_DEL, "DEL"}};
static const name_t epoll_events[] = {
    {WT_EPOLLIN, "IN"},   {WT_EPOLLOUT, "OUT"},        {WT_EPOLLRDHUP, "RDHUP"},
    {WT_EPOLLPRI, "PRI"}, {WT_EPOLLERR, "ERR"},        {WT_EPOLLHUP, "HUP"},
    {WT_EPOLLET, "ET"},   {WT_EPOLLONESHOT, "ONESHOT"}};

#define UNSIGNED_PRINTER(f)                                                    \
  void wt__pr_##f(wt__sb_t *b, const void *p, size_t size) {                   \
    wt__sb_json_u64(b, load(p, size));                                         \
  }
UNSIGNED_PRINTER(size)
UNSIGNED_PRINTER(fd)
UNSIGNED_PRINTER(exitcode)
UNSIGNED_PRINTER(timestamp)
UNSIGNED_PRINTER(filesize)
UNSIGNED_PRINTER(dircookie)
UNSIGNED_PRINTER(u64)
UNSIGNED_PRINTER(timeout_ns)

void wt__pr_boolean(wt__sb_t *b, const void *p, size_t size) {
  uint64_t v = load(p, size);
  if (v <= 1)
    wt__sb_puts(b, v ? "true" : "false");
  else
    wt__sb_json_u64(b, v);
}

void wt__pr_filedelta(wt__sb_t *b, const void *p, size_t size) {
  uint64_t v = load(p, size);
  /* Sign-extend from the value's width. */
  if (size < 8 && (v >> (8 * size - 1)) & 1)
    v |= ~0ull << (8 * size);
  wt__sb_i64(b, (int64_t)v);
}

#define TABLE_PRINTER(f, kind, table)                                          \
  void wt__pr_##f(wt__sb_t *b, const void *p, size_t size) {                   \
    kind(b, table, N(table), load(p, size));                                   \
  }
TABLE_PRINTER(clockid, pr_enum, clockids)
TABLE_PRINTER(advice, pr_enum, advices)
TABLE_PRINTER(whence, pr_enum, whences)
TABLE_PRINTER(signal, pr_enum, signals)
TABLE_PRINTER(filetype, pr_enum, filetypes)
TABLE_PRINTER(fdflags, pr_flags, fdflags)
TABLE_PRINTER(oflags, pr_flags, oflags)
TABLE_PRINTER(fstflags, pr_flags, fstflags)
TABLE_PRINTER(lookupflags, pr_flags, lookupflags)
TABLE_PRINTER(riflags, pr_flags, riflags)
TABLE_PRINTER(roflags, pr_flags, roflags)
TABLE_PRINTER(sdflags, pr_flags, sdflags)
TABLE_PRINTER(eventfdflags, pr_flags, eventfdflags)
TABLE_PRINTER(fdflagsext, pr_flags, fdflagsext)
TABLE_PRINTER(epoll_op, pr_enum, epoll_ops)
TABLE_PRINTER(epoll_events, pr_flags, epoll_events)

/* No siflags are defined by preview1: any value is printed as a number. */
void wt__pr_siflags(wt__sb_t *b, const void *p, size_t size) {
  wt__sb_json_u64(b, load(p, size));
}

void wt__pr_rights(wt__sb_t *b, const void *p, size_t size) {
  uint64_t v = load(p, size);
  if (v == WT_RIGHTS_ALL)
    wt__sb_puts(b, "\"ALL\"");
  else
    pr_flags(b, rights, N(rights), v);
}

/* "key": for struct printers. */
static void key(wt__sb_t *b, const char *k, bool first) {
  if (!first)
    wt__sb_putc(b, ',');
  wt__sb_putc(b, '"');
  wt__sb_puts(b, k);
  wt__sb_puts(b, "\":");
}

/* Struct printers need the exact struct; a short value prints as null. */
#define NEED(type)                                                             \
  type v;                                                                      \
  if (size != sizeof v) {                                                      \
    wt__sb_puts(b, "null");                                                    \
    return;                                                                    \
  }                                                                            \
  memcpy(&v, p, sizeof v)

void wt__pr_fdstat(wt__sb_t *b, const void *p, size_t size) {
  NEED(wt_fdstat_t);
  wt__sb_putc(b, '{');
  key(b, "filetype", true);
  wt__pr_filetype(b, &v.fs_filetype, 1);
  key(b, "flags", false);
  wt__pr_fdflags(b, &v.fs_flags, 2);
  key(b, "rights_base", false);
  wt__pr_rights(b, &v.fs_rights_base, 8);
  key(b, "rights_inheriting", false);
  wt__pr_rights(b, &v.fs_rights_inheriting, 8);
  wt__sb_putc(b, '}');
}

void wt__pr_filestat(wt__sb_t *b, const void *p, size_t size) {
  NEED(wt_filestat_t);
  wt__sb_putc(b, '{');
  key(b, "dev", true);
  wt__sb_json_u64(b, v.dev);
  key(b, "ino", false);
  wt__sb_json_u64(b, v.ino);
  key(b, "filetype", false);
  wt__pr_filetype(b, &v.filetype, 1);
  key(b, "nlink", false);
  wt__sb_json_u64(b, v.nlink);
  key(b, "size", false);
  wt__sb_json_u64(b, v.size);
  key(b, "atim", false);
  wt__sb_json_u64(b, v.atim);
  key(b, "mtim", false);
  wt__sb_json_u64(b, v.mtim);
  key(b, "ctim", false);
  wt__sb_json_u64(b, v.ctim);
  wt__sb_putc(b, '}');
}

void wt__pr_prestat(wt__sb_t *b, const void *p, size_t size) {
  NEED(wt_prestat_t);
  wt__sb_putc(b, '{');
  key(b, "tag", true);
  wt__sb_u64(b, v.tag);
  key(b, "name_len", false);
  wt__sb_u64(b, v.pr_name_len);
  wt__sb_putc(b, '}');
}

void wt__pr_subscription(wt__sb_t *b, const void *p, size_t size) {
  NEED(wt_subscription_t);
  wt__sb_putc(b, '{');
  key(b, "userdata", true);
  wt__sb_json_u64(b, v.userdata);
  key(b, "type", false);
  pr_enum(b, eventtypes, N(eventtypes), v.u.tag);
  if (v.u.tag == WT_EVENTTYPE_CLOCK) {
    key(b, "id", false);
    wt__pr_clockid(b, &v.u.u.clock.id, 4);
    key(b, "timeout", false);
    wt__sb_json_u64(b, v.u.u.clock.timeout);
    key(b, "precision", false);
    wt__sb_json_u64(b, v.u.u.clock.precision);
    key(b, "flags", false);
    wt__sb_puts(b, v.u.u.clock.flags & WT_SUBSCRIPTION_CLOCK_ABSTIME
                       ? "\"ABSTIME\""
                       : "\"0\"");
  } else {
    key(b, "fd", false);
    wt__sb_u64(b, v.u.u.fd_readwrite.fd);
  }
  wt__sb_putc(b, '}');
}

void wt__pr_event(wt__sb_t *b, const void *p, size_t size) {
  NEED(wt_event_t);
  wt__sb_putc(b, '{');
  key(b, "userdata", true);
  wt__sb_json_u64(b, v.userdata);
  key(b, "error", false);
  wt__sb_putc(b, '"');
  wt__sb_puts(b, wt_errno_name(v.error));
  wt__sb_putc(b, '"');
  key(b, "type", false);
  pr_enum(b, eventtypes, N(eventtypes), v.type);
  if (v.type != WT_EVENTTYPE_CLOCK) {
    key(b, "nbytes", false);
    wt__sb_json_u64(b, v.fd_readwrite.nbytes);
    key(b, "flags", false);
    pr_flags(b, eventrwflags, N(eventrwflags), v.fd_readwrite.flags);
  }
  wt__sb_putc(b, '}');
}

void wt__pr_epoll_event(wt__sb_t *b, const void *p, size_t size) {
  NEED(wt_epoll_event_t);
  wt__sb_putc(b, '{');
  key(b, "events", true);
  wt__pr_epoll_events(b, &v.events, 4);
  key(b, "ptr", false);
  wt__sb_u64(b, v.data.ptr);
  key(b, "fd", false);
  wt__sb_u64(b, v.data.fd);
  key(b, "data1", false);
  wt__sb_u64(b, v.data.data1);
  key(b, "data2", false);
  wt__sb_json_u64(b, v.data.data2);
  wt__sb_putc(b, '}');
}

static const struct {
  const char *name;
  void (*fn)(wt__sb_t *, const void *, size_t);
} printers[] = {
#define XX(f) {#f, wt__pr_##f},
    WT__FMT_LIST(XX)
#undef XX
};

bool wt__fmt_value(wt__sb_t *b, const char *fmt, const void *p, size_t size) {
  for (size_t i = 0; i < N(printers); i++)
    if (strcmp(printers[i].name, fmt) == 0) {
      printers[i].fn(b, p, size);
      return true;
    }
  return false;
}

size_t wt_trace_format_value(const char *fmt, const void *p, size_t size,
                             char *buf, size_t bufsize) {
  wt__sb_t b = {0};
  size_t n;
  if (!wt__fmt_value(&b, fmt, p, size))
    wt__sb_puts(&b, "null");
  n = b.len;
  if (bufsize > 0) {
    size_t k = n < bufsize - 1 ? n : bufsize - 1;
    if (k > 0)
      memcpy(buf, b.s, k);
    buf[k] = 0;
  }
  wt__sb_free(&b);
  return n;
}

/* ---- names, both ways -------------------------------------------------- */

const char *const wt__capture_names[3] = {"full", "digest", "none"};

/* Capture modes (wt_capture_t order), as options and metadata name them. */
static const char *const capture_modes[] = {"replay", "full", "meta"};

const char *wt_capture_name(wt_capture_t c) {
  return (unsigned)c < 3 ? capture_modes[c] : "?";
}

int wt_capture_parse(const char *name, wt_capture_t *out) {
  int i = wt__name_index(capture_modes, 3, name);
  if (i < 0)
    return -1;
  *out = (wt_capture_t)i;
  return 0;
}
const char *const wt__dir_names[2] = {"in", "out"};
const char *const wt__denial_names[WT_DENIAL_COUNT] = {
    "rights", "policy", "abi", "sandbox"};

bool wt_trace_call_refused(const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ndenials; i++)
    if (c->denials[i].source == WT_DENIAL_ABI)
      return true;
  return false;
}

int wt__check_denials(const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ndenials; i++)
    if (c->denials[i].source >= WT_DENIAL_COUNT) {
      wt_trace_set_error("record %llu: unknown denial source",
                         (unsigned long long)c->seq);
      return -1;
    }
  return 0;
}

int wt__name_index(const char *const *names, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], s) == 0)
      return i;
  return -1;
}

int wt__errno_lookup(const char *name) {
  static const name_t t[] = {
#define XX(v, n, h, s) {v, #n},
      WT_ERRNO_MAP(XX)
#undef XX
  };
  for (size_t i = 0; i < N(t); i++)
    if (strcmp(t[i].name, name) == 0)
      return (int)t[i].v;
  return -1;
}

int wt__transition_lookup(const char *name) {
  for (unsigned k = 0; k < WT_TR_COUNT; k++)
    if (strcmp(wt_transition_name(k), name) == 0)
      return (int)k;
  return -1;
}

wt_rights_t wt__right_lookup(const char *name) {
  for (size_t i = 0; i < N(rights); i++)
    if (strcmp(rights[i].name, name) == 0)
      return rights[i].v;
  return 0;
}

const char *wt_right_name(wt_rights_t right) {
  for (size_t i = 0; i < N(rights); i++)
    if (rights[i].v == right)
      return rights[i].name;
  return "unknown";
}
