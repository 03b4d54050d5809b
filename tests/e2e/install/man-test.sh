#!/usr/bin/env bash
# e2e.man: the man page keeps up with the tool. For every command that
# `wasitrace --help` lists, the page has a "wasitrace COMMAND" section and
# names every option `wasitrace COMMAND --help` prints (and, for cache,
# every subcommand). Usage: man-test.sh WASITRACE MANPAGE
set -euo pipefail
tool=$1 page=$2
fails=0

# The page as plain text: roff's \- and font escapes removed.
text=$(sed -E 's/\\-/-/g; s/\\f[BIRP]//g; s/\\&//g' "$page")
words=$(tr -s ' \t,[]()|=' '\n' <<<"$text")

cmds=$("$tool" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[[ -n $cmds ]] || { echo "FAIL: no commands in '$tool --help'" >&2; exit 1; }
for cmd in $cmds; do
  if ! grep -qx ".SS \"wasitrace $cmd\"" "$page"; then
    echo "FAIL: no section 'wasitrace $cmd' in $page" >&2; fails=$((fails + 1))
  fi
  help=$("$tool" "$cmd" --help 2>&1) || true
  opts=$(grep -oE '(^|[ ,[])--?[a-zA-Z][a-zA-Z0-9-]*' <<<"$help" |
         sed -E "s/^[ ,[]//" | sort -u || true)
  # "tail -f" in view's help is prose, and view has -f anyway.
  for o in $opts; do
    if ! grep -qxF -- "$o" <<<"$words"; then
      echo "FAIL: '$cmd --help' prints $o, the man page does not" >&2
      fails=$((fails + 1))
    fi
  done
  if [[ $cmd == cache ]]; then
    for sub in $(sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' <<<"$help"); do
      grep -qx "\\\\fB$sub\\\\fR.*" "$page" ||
        { echo "FAIL: cache $sub is not in the man page" >&2; fails=$((fails + 1)); }
    done
  fi
  echo "checked $cmd: $(wc -w <<<"$opts") options"
done
((fails == 0)) || { echo "$fails missing" >&2; exit 1; }
echo "the man page names every command and option"
