/*
 * What is wrong with an option getopt_long refused, said the way the
 * command's --help names it: "option --dir needs HOST[::GUEST]".
 *
 * The name of the value comes from the --help text itself (the command's
 * usage function, printed into memory), so the message and the help can
 * never disagree, and no second table of option values exists to drift.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The --help text of a command, malloc'ed, or NULL. */
static char *help_text(void (*usage)(FILE *f)) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f;
  if (usage == NULL || (f = open_memstream(&buf, &len)) == NULL)
    return NULL;
  usage(f);
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/*
 * In an option line of the help ("  -o, --output TRACE   Write..."), the
 * value named after `opt` ("--output" or "-s"): copied into out, or false.
 * Only the option column (up to the first double space) is looked at.
 */
static bool value_in_line(const char *line, size_t line_len, const char *opt,
                          char *out, size_t size) {
  size_t n = strlen(opt), col, i, indent = 0;
  const char *end;
  while (line_len > 0 && *line == ' ')
    line++, line_len--, indent++;
  /* An option line starts near the margin; deeper lines are descriptions. */
  if (line_len == 0 || *line != '-' || indent > 4)
    return false;
  end = memmem(line, line_len, "  ", 2);
  col = end != NULL ? (size_t)(end - line) : line_len;
  for (i = 0; i + n <= col; i++) {
    const char *p = line + i, *v;
    size_t vlen;
    if ((i > 0 && p[-1] != ' ') || strncmp(p, opt, n) != 0)
      continue;
    if (i + n == col || (p[n] != ' ' && p[n] != '='))
      continue; /* a longer option that starts alike, or no value */
    v = p + n + 1;
    vlen = col - (i + n + 1);
    if (vlen == 0 || *v == '-' || vlen >= size)
      return false;
    memcpy(out, v, vlen);
    out[vlen] = '\0';
    return true;
  }
  return false;
}

/* The value `opt` takes according to the help text: "a value" if unsaid. */
static void value_name(void (*usage)(FILE *f), const char *opt, char *out,
                       size_t size) {
  char *help = help_text(usage);
  const char *line = help;
  snprintf(out, size, "a value");
  while (line != NULL && *line != '\0') {
    const char *nl = strchr(line, '\n');
    size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
    if (value_in_line(line, len, opt, out, size))
      break;
    line = nl != NULL ? nl + 1 : NULL;
  }
  free(help);
}

/* The long option whose code is `val`, or NULL. */
static const struct option *long_of(const struct option *longopts, int val) {
  for (const struct option *o = longopts; o != NULL && o->name != NULL; o++)
    if (o->flag == NULL && o->val == val)
      return o;
  return NULL;
}

void wt_cli_bad_option(char **argv, const char *shortopts,
                       const struct option *longopts, void (*usage)(FILE *f),
                       const char *command) {
  const char *bad = argv[optind - 1];
  char opt[128], value[128];
  bool is_long = strncmp(bad, "--", 2) == 0 && bad[2] != '\0';
  const struct option *lo;
  if (optopt == 0) {
    wt_cli_error("unknown option '%s' (see 'wasitrace %s --help')", bad,
                 command);
    return;
  }
  if (is_long && strchr(bad, '=') != NULL) {
    wt_cli_error("option %.*s takes no value", (int)strcspn(bad, "="), bad);
    return;
  }
  if (!is_long && optopt > 0 && optopt < 256) {
    const char *p = shortopts != NULL ? strchr(shortopts, optopt) : NULL;
    if (p == NULL || optopt == ':' || optopt == '+' || p[1] != ':') {
      wt_cli_error("unknown option '-%c' (see 'wasitrace %s --help')", optopt,
                   command);
      return;
    }
  }
  /* A value is missing: name the option as --help does. */
  lo = long_of(longopts, optopt);
  if (is_long || (lo != NULL && optopt >= 256))
    snprintf(opt, sizeof opt, "--%s", lo != NULL ? lo->name : bad + 2);
  else
    snprintf(opt, sizeof opt, "-%c", optopt);
  value_name(usage, opt, value, sizeof value);
  if (strcmp(value, "a value") == 0 && !is_long && lo != NULL) {
    char alt[128];
    snprintf(alt, sizeof alt, "--%s", lo->name);
    value_name(usage, alt, value, sizeof value);
  }
  wt_cli_error("option %s needs %s", opt, value);
}
