#!/usr/bin/env bash
# e2e.install: `cmake --install` into a temporary prefix gives a working
# tool and library. Checks, against the installed tree only:
#   - the files: bin/wasitrace, the shared library (with its SONAME) and the
#     static one, wasitrace.pc, every header and the table they include,
#     the man page, bash and zsh completion;
#   - the installed `wasitrace --version` runs;
#   - every public header compiles on its own with only the installed
#     include directory (-Wall -Wextra -Werror);
#   - examples/embed builds through pkg-config, linked to the shared library
#     and to the static one (pkg-config --static), and runs: a tracer over
#     the core records its calls into SQLite and JSON Lines traces that the
#     installed wasitrace reads back;
#   - the installed bash completion completes commands and options.
# Needs no network. Usage:
#   install-test.sh --build DIR --src DIR --work DIR --libdir LIBDIR
#                   [--cmake CMAKE] [--cc CC] [--cflags FLAGS]
set -euo pipefail

cmake=cmake cc=${CC:-cc} cflags="" build="" src="" work="" libdir=lib
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --src) src=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --libdir) libdir=$2; shift 2 ;;
    --cmake) cmake=$2; shift 2 ;;
    --cc) cc=$2; shift 2 ;;
    --cflags) cflags=$2; shift 2 ;;
    *) echo "install-test: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $build && -n $src && -n $work ]] || { echo "install-test: --build, --src and --work are required" >&2; exit 2; }
command -v pkg-config >/dev/null || { echo "install-test: pkg-config is missing" >&2; exit 1; }

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" ||
  { cat "$work/install.log" >&2; echo "FAIL: cmake --install" >&2; exit 1; }
lib=$prefix/$libdir
export PKG_CONFIG_PATH=$lib/pkgconfig
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

# ---- files -------------------------------------------------------------
for f in bin/wasitrace "$libdir/libwasitrace.a" "$libdir/pkgconfig/wasitrace.pc" \
         include/wt/core.h include/wt/tracer.h include/wt/calls.def \
         share/man/man1/wasitrace.1 share/bash-completion/completions/wasitrace \
         share/zsh/site-functions/_wasitrace; do
  [[ -f $prefix/$f ]] && ok "installed $f" || fail "not installed: $f"
done
for h in "$src"/include/wt/*.h; do
  [[ -f $prefix/include/wt/${h##*/} ]] || fail "header not installed: ${h##*/}"
done
soname=$(objdump -p "$lib/libwasitrace.so" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
if [[ $soname == libwasitrace.so.* && -f $lib/$soname && -L $lib/libwasitrace.so ]]; then
  ok "shared library, SONAME $soname"
else
  fail "libwasitrace.so missing or without a SONAME (got '$soname')"
fi
# The public API (wt_...) and the guest imports (Z_...), nothing internal.
exported=$(nm -D --defined-only "$lib/libwasitrace.so" | awk '$2 ~ /^[TDBR]$/ {print $3}')
inner=$(grep -c '^wt__' <<<"$exported" || true)
stray=$( (grep -v -e '^wt_' -e '^Z_' -e '^_init$' -e '^_fini$' <<<"$exported" || true) |
  head -3 | tr '\n' ' ')
if [[ $inner == 0 && -z $stray ]] && grep -q '^wt_tracer_open$' <<<"$exported" &&
   grep -q '^Z_wasi_snapshot_preview1Z_fd_write$' <<<"$exported"; then
  ok "the shared library exports the API and the guest imports only"
else
  fail "libwasitrace.so exports $inner internal wt__ symbols; others: $stray"
fi

# ---- the tool ------------------------------------------------------------
version=$("$prefix/bin/wasitrace" --version) || fail "installed wasitrace --version failed"
want=$(pkg-config --modversion wasitrace)
[[ $version == "wasitrace $want" ]] && ok "$version" ||
  fail "wasitrace --version says '$version', wasitrace.pc says '$want'"

# ---- headers on their own ------------------------------------------------
echo 'int main(void) { return 0; }' >"$work/empty.c"
for h in "$prefix"/include/wt/*.h; do
  name=wt/${h##*/}
  if $cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" \
      -include "$name" "$work/empty.c" 2>"$work/header.err"; then
    ok "$name compiles on its own"
  else
    fail "$name does not compile on its own:"; cat "$work/header.err" >&2
  fi
done

# ---- the embedder, shared and static ---------------------------------------
# run_embed NAME: runs $work/NAME with both encodings and reads each trace
# back with the installed tool.
run_embed() {
  local exe=$work/$1 ext data out
  for ext in db jsonl; do
    data=$work/data-$1-$ext
    mkdir -p "$data"
    if ! out=$(LD_LIBRARY_PATH=$lib "$exe" "$data" "$work/$1.$ext" 2>&1); then
      fail "$1 ($ext) failed:"; echo "$out" >&2; continue
    fi
    if [[ $out != *"libwasitrace $want"* || $out != *"path_open -> SUCCESS"* ||
          $(cat "$data/hello.txt" 2>/dev/null) != "written through the tracer" ]]; then
      fail "$1 ($ext): unexpected output or file:"; echo "$out" >&2; continue
    fi
    if "$prefix/bin/wasitrace" view --no-times "$work/$1.$ext" >"$work/$1.$ext.view" 2>&1 &&
       grep -q 'fd_write(' "$work/$1.$ext.view" && grep -q 'hello.txt' "$work/$1.$ext.view"; then
      ok "$1 ($ext) ran and the installed wasitrace reads its trace"
    else
      fail "$1 ($ext): wasitrace view of its trace:"; cat "$work/$1.$ext.view" >&2
    fi
  done
}

read -r -a pc_cflags <<<"$(pkg-config --cflags wasitrace)"
read -r -a pc_libs <<<"$(pkg-config --libs wasitrace)"
read -r -a extra <<<"$cflags"
if $cc -std=c11 -Wall -Wextra -Werror "${extra[@]}" "${pc_cflags[@]}" \
    "$src/examples/embed/embed.c" -o "$work/embed-shared" "${pc_libs[@]}" 2>"$work/cc.err"; then
  if objdump -p "$work/embed-shared" | grep -q "NEEDED *$soname"; then
    ok "embed-shared links to $soname"
  else
    fail "embed-shared does not depend on $soname"
  fi
  run_embed embed-shared
else
  fail "cc embed.c \$(pkg-config --cflags --libs wasitrace):"; cat "$work/cc.err" >&2
fi

# Static: the same flags from --static, with the archive instead of -l, so
# the link proves Libs.private and Requires.private are complete.
read -r -a st_libs <<<"$(pkg-config --static --libs wasitrace)"
for i in "${!st_libs[@]}"; do
  [[ ${st_libs[i]} == -lwasitrace ]] && st_libs[i]=$lib/libwasitrace.a
done
if $cc -std=c11 -Wall -Wextra -Werror "${extra[@]}" "${pc_cflags[@]}" \
    "$src/examples/embed/embed.c" -o "$work/embed-static" "${st_libs[@]}" 2>"$work/cc.err"; then
  if objdump -p "$work/embed-static" | grep -q 'NEEDED *libwasitrace'; then
    fail "embed-static still depends on the shared library"
  else
    ok "embed-static links libwasitrace.a"
  fi
  run_embed embed-static
else
  fail "cc embed.c \$(pkg-config --static --cflags --libs wasitrace):"; cat "$work/cc.err" >&2
fi

# ---- bash completion -----------------------------------------------------
complete_words() { # complete_words WORD... : COMPREPLY for the last word
  ( set +e # compopt fails outside a real completion; that is fine here
    PATH=$prefix/bin:$PATH
    # shellcheck disable=SC1091
    source "$prefix/share/bash-completion/completions/wasitrace"
    COMP_WORDS=(wasitrace "$@"); COMP_CWORD=$#
    _wasitrace; printf '%s\n' "${COMPREPLY[@]}" )
}
got=$(complete_words re | sort | tr '\n' ' ')
[[ $got == "record replay " ]] && ok "bash completes 're' to: $got" ||
  fail "bash completion of 're': '$got', expected 'record replay '"
got=$(complete_words record --no- | sort | tr '\n' ' ')
[[ $got == *--no-cache* && $got == *--no-module* ]] && ok "bash completes 'record --no-': $got" ||
  fail "bash completion of 'record --no-': '$got'"

if ((fails)); then
  echo "$fails check(s) failed" >&2
  exit 1
fi
echo "all install checks passed"
