#!/usr/bin/env bash
# e2e.docs: the commands README.md and docs/*.md show still work, and their
# synopses still match the tool.
#
# Commands run: every line of a ```sh block that mentions wasitrace (a
# leading "./scripts/setup.sh && " is dropped: the build is already there),
# and every "$ "-prompted line of any other code block (continuation lines
# ending in "\" joined). Each file's commands run in order, in one fresh
# directory laid out like a checkout after setup.sh: build/cli/wasitrace,
# build/examples/hello.wasm, examples/, an empty data/, and wasitrace on
# PATH. Each must exit 0, unless the block is preceded by a marker line:
#   <!-- docs-test: exit N -->      every command of the block exits 0 but
#                                   the last, which exits N
#   <!-- docs-test: skip REASON --> the block is not run
# Synopses: in README.md and docs/cli.md, the lines of code blocks that
# start with "wasitrace COMMAND" must name every command `wasitrace --help`
# lists and no other, and every --option they show must be one that
# `wasitrace COMMAND --help` prints.
# Usage: docs-test.sh WASITRACE HELLO_WASM SOURCE_DIR WORK
set -euo pipefail
tool=$(readlink -f "$1") hello=$(readlink -f "$2") src=$3 work=$4
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# ---- commands shown -----------------------------------------------------
# extract FILE: "EXPECT<TAB>COMMAND" lines (EXPECT: 0, N or skip).
extract() {
  awk '
    function flush() {
      if (cmd == "") return
      ncmd++; cmds[ncmd] = cmd; cmd = ""
    }
    /^```/ {
      if (!inb) {
        inb = 1; lang = substr($0, 4); ncmd = 0; cmd = ""
        mode = "0"
        if (last ~ /<!-- docs-test: skip/) mode = "skip"
        else if (match(last, /<!-- docs-test: exit [0-9]+/))
          mode = substr(last, RSTART + 21, RLENGTH - 21)
      } else {
        flush()
        for (i = 1; i <= ncmd; i++) {
          e = (mode == "skip") ? "skip" : (i == ncmd ? mode : "0")
          print e "\t" cmds[i]
        }
        inb = 0
      }
      next
    }
    inb && cont { cmd = cmd " " $0; cont = ($0 ~ /\\$/); if (cont) sub(/\\$/, "", cmd); next }
    inb && lang == "sh" && /wasitrace/ {
      flush(); cmd = $0; sub(/^\.\/scripts\/setup\.sh && /, "", cmd)
      cont = (cmd ~ /\\$/); if (cont) sub(/\\$/, "", cmd); next
    }
    inb && lang != "sh" && /^\$ / {
      flush(); cmd = substr($0, 3)
      cont = (cmd ~ /\\$/); if (cont) sub(/\\$/, "", cmd); next
    }
    !inb && NF { last = $0 }
  ' "$1"
}

export XDG_CACHE_HOME=${XDG_CACHE_HOME:-$work/cache}
rm -rf "$work"
mkdir -p "$work"
ran=0
for doc in "$src/README.md" "$src"/docs/*.md; do
  name=${doc#"$src"/}
  dir=$work/${name//\//_}
  mkdir -p "$dir/build/cli" "$dir/build/examples" "$dir/bin" "$dir/data"
  ln -s "$tool" "$dir/build/cli/wasitrace"
  ln -s "$tool" "$dir/bin/wasitrace"
  ln -s "$hello" "$dir/build/examples/hello.wasm"
  cp -r "$src/examples" "$dir/examples"
  while IFS=$'\t' read -r expect cmd; do
    if [[ $expect == skip ]]; then
      echo "skip ($name): $cmd"; continue
    fi
    set +e
    (cd "$dir" && PATH=$dir/bin:$PATH timeout 120 bash -c "$cmd") \
      >"$dir/out" 2>&1 </dev/null
    rc=$?
    set -e
    ran=$((ran + 1))
    if [[ $rc == "$expect" ]]; then
      echo "ok ($name, exit $rc): $cmd"
    else
      fail "$name: '$cmd' exited $rc, the docs say $expect:"
      tail -20 "$dir/out" >&2
    fi
  done < <(extract "$doc")
done
((ran > 0)) || fail "no command found in the docs"

# ---- synopses -------------------------------------------------------------
cmds=$("$tool" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
for doc in "$src/README.md" "$src/docs/cli.md"; do
  name=${doc#"$src"/}
  # The first code block with "wasitrace COMMAND" lines; continuation
  # lines (indented) belong to the command above.
  # A "RUN OPTIONS" heading starts options of run; a parenthesis, a blank
  # or any other line ends the command.
  syn=$(awk '
    /^```/ { if (inb && found) exit; inb = !inb; next }
    !inb { next }
    /^wasitrace [a-z]/ { found = 1; c = $2; print c "\t" $0; next }
    /^RUN OPTIONS/ { c = "run"; next }
    /^ +\(/ { c = ""; next }
    /^ / { if (found && c != "") print c "\t" $0; next }
    { c = "" }
  ' "$doc")
  [[ -n $syn ]] || { fail "$name: no synopsis found"; continue; }
  shown=$(cut -f1 <<<"$syn" | grep -v '^--' | sort -u)
  for c in $cmds; do
    grep -qx "$c" <<<"$shown" || fail "$name: the synopsis lacks 'wasitrace $c'"
  done
  for c in $shown; do
    if ! grep -qx "$c" <<<"$cmds"; then
      fail "$name: the synopsis shows 'wasitrace $c', which the tool does not have"
      continue
    fi
    help=$("$tool" "$c" --help 2>&1) || true
    for o in $(grep -P "^$c\t" <<<"$syn" | cut -f2- |
               grep -oE '(^|[ [|])--[a-z][a-z0-9-]*' | sed -E 's/^[ [|]//' | sort -u); do
      grep -qE -- "(^|[ ,[])$o([^a-z0-9-]|$)" <<<"$help" ||
        fail "$name: the synopsis shows '$c $o', which '$c --help' does not print"
    done
  done
  echo "synopsis of $name: $(wc -w <<<"$shown") commands checked"
done

((fails == 0)) || { echo "$fails failure(s)" >&2; exit 1; }
echo "every documented command ran as documented"
