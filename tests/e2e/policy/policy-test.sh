#!/usr/bin/env bash
# End-to-end tests of policies and `wasitrace audit`; the cases are
# described in CMakeLists.txt.
#
#   policy-test.sh --wasitrace EXE --guests DIR [--work DIR] [--keep] CASE...
set -u

WT= GUESTS= WORK= KEEP=0
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh" policy-test
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --guests) GUESTS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --*) die "unknown option $1" ;;
    *) break ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
[ -d "$GUESTS" ] || die "--guests: no $GUESTS"
command -v jq >/dev/null || { echo "jq missing; skipped"; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing; skipped"; exit 77; }
[ $# -gt 0 ] || die "no case given"
WORK=${WORK:-$(mktemp -d)}
FAILED=0

# Policy denials (source policy) in a trace.
policy_denials() { sqlite3 "$1" "SELECT count(*) FROM denials WHERE source = 'policy'"; }

# The options each guest runs with (its wt-dir/wt-env lines, simplified).
guest_opts() {
  case $1 in
    args_env) echo "--env WT_ONE=1 --env WT_TWO=two --env WT_EMPTY= --env WT_EQ=a=b=c" ;;
    *) echo "--dir $D/sb::/sandbox" ;;
  esac
}

# The fixture guest $1 wants as /sandbox (its wt-dir line; '-': empty).
SRC=$(cd "$(dirname "$0")/../../guests" && pwd)
fixture() {
  sed -n 's/.*wt-dir: \([^ ]*\) \/sandbox.*/\1/p' "$SRC/$1.c" 2>/dev/null | head -1
}

# Runs guest $1 into trace $2 (a fresh sandbox each time) with extra options.
rec() {
  local g=$1 t=$2 fx; shift 2
  rm -rf "$D/sb" && mkdir -p "$D/sb"
  fx=$(fixture "$g")
  if [ -n "$fx" ] && [ "$fx" != - ]; then cp -a "$SRC/fixtures/$fx/." "$D/sb/"; fi
  # shellcheck disable=SC2046
  "$WT" record -o "$t" $(guest_opts "$g") "$@" "$GUESTS/$g.wasm" alpha \
    >"$t.out" 2>"$t.err"
}

# ---- suggest ---------------------------------------------------------------
case_suggest() {
  local g n k ops
  for g in files rename_link args_env stat readdir symlinks; do
    rec "$g" "$D/$g.db" || true
    "$WT" audit --suggest-policy "$D/$g.db" >"$D/$g.json" ||
      { fail "$g: suggest-policy exited $?"; continue; }
    rec "$g" "$D/$g-under.db" --policy "$D/$g.json" || true
    cmp -s "$D/$g.db.out" "$D/$g-under.db.out" ||
      fail "$g: output differs under the suggested policy"
    check "$g: policy denials under the suggestion" 0 \
      "$(policy_denials "$D/$g-under.db")"
    # Minimality: each operation of each rule, each call, each env name.
    n=$(jq '.rules | length' "$D/$g.json")
    for ((k = 0; k < n; k++)); do
      for op in $(jq -r ".rules[$k].ops[]" "$D/$g.json"); do
        jq --argjson k "$k" --arg op "$op" \
          '.rules[$k].ops -= [$op] | .rules |= map(select(.ops | length > 0))' \
          "$D/$g.json" >"$D/less.json"
        rec "$g" "$D/less.db" --policy "$D/less.json" || true
        [ "$(policy_denials "$D/less.db")" -gt 0 ] ||
          fail "$g: rule $k without $op met no denial"
      done
    done
    for c in $(jq -r '.calls.allow[]' "$D/$g.json"); do
      [ "$c" = proc_exit ] && continue  # the run's end, never refused
      jq --arg c "$c" '.calls.allow -= [$c]' "$D/$g.json" >"$D/less.json"
      rec "$g" "$D/less.db" --policy "$D/less.json" || true
      [ "$(policy_denials "$D/less.db")" -gt 0 ] ||
        fail "$g: calls without $c met no denial"
    done
    for e in $(jq -r '.env.allow[]?' "$D/$g.json"); do
      jq --arg e "$e" '.env.allow -= [$e]' "$D/$g.json" >"$D/less.json"
      rec "$g" "$D/less.db" --policy "$D/less.json" || true
      [ "$(policy_denials "$D/less.db")" -gt 0 ] ||
        fail "$g: env without $e met no denial"
    done
  done
}

# ---- offline ---------------------------------------------------------------
# The denials as (call, resolved path, rule) lines, from the enforced trace
# and from audit --policy on the unconstrained one.
case_offline() {
  local g pol
  for g in files rename_link stat symlinks readdir; do
    rec "$g" "$D/$g.db" || true
    for pol in read-only no-create; do
      case $pol in
        read-only) printf '{"version":1,"rules":[{"allow":"/sandbox/**","ops":["read","stat","list","readlink"]}]}\n' ;;
        no-create) printf '{"version":1,"rules":[{"allow":"/sandbox/**"},{"deny":"/sandbox/**/*.txt","ops":["create"]}]}\n' ;;
      esac >"$D/$pol.json"
      "$WT" audit --policy "$D/$pol.json" --json "$D/$g.db" >"$D/offline.json"
      st=$?
      jq -r '.denied[] | select(.what != "call") | "\(.call) \(.path) \(.rule)"' \
        "$D/offline.json" | sort >"$D/offline.txt"
      rec "$g" "$D/enf.db" --policy "$D/$pol.json" || true
      sqlite3 -separator ' ' "$D/enf.db" "SELECT c.call, d.resolved, \
        coalesce(d.rule_index, -1) FROM denials d JOIN calls c USING (seq) \
        WHERE d.source = 'policy'" | sort >"$D/enforced.txt"
      diff "$D/enforced.txt" "$D/offline.txt" >"$D/offline.diff" ||
        fail "$g/$pol: audit --policy and the enforced run disagree: $(head -5 "$D/offline.diff")"
      if [ -s "$D/enforced.txt" ]; then check "$g/$pol: exit" 1 "$st"
      else check "$g/$pol: exit" 0 "$st"; fi
    done
  done
}

# ---- hostile ---------------------------------------------------------------
# The hostile guest under hostile.json: each attempt denied and logged once,
# with its source and reason; the host tree untouched; complain mode logs
# the same and the guest prints what it prints with no policy.
hostile_tree() {  # a fresh root0 (the tree fixture), root1, outside/
  rm -rf "$D/h" && mkdir -p "$D/h/root0" "$D/h/root1" "$D/h/outside"
  cp -a "$SRC/fixtures/tree/." "$D/h/root0/"
  echo secret >"$D/h/outside/secret.txt"
}
tree_state() {  # entries, inode, size, mtime, atime, ctime and content
  (cd "$1" && find . -printf '%p %y %i %s %T@ %A@ %C@\n' | sort &&
    find . -type f -exec md5sum {} + | sort)
}
hostile_run() {  # MODE TRACE
  "$WT" record -o "$2" --policy "$(dirname "$0")/hostile.json" \
    --policy-mode="$1" --dir "$D/h/root0::/ro" --dir "$D/h/root1::/rw" \
    --env WT_PUBLIC=yes --env WT_SECRET=hunter2 \
    "$GUESTS/policy_hostile.wasm" >"$2.out" 2>"$2.err"
}
hostile_log() {
  sqlite3 -separator ' ' "$1" "SELECT c.call, d.source, d.reason, \
    coalesce(d.rule_index, -1), coalesce(d.resolved, d.path, '-') \
    FROM denials d JOIN calls c USING (seq) ORDER BY d.seq"
}
case_hostile() {
  local want
  want=$(printf '%s\n' \
    "path_open policy write 1 /ro/new.txt" \
    "path_open policy write 1 /ro/a.txt" \
    "path_open sandbox dotdot -1 ../outside/secret.txt" \
    "path_open sandbox symlink_escape -1 esc" \
    "path_open policy create 3 /rw/key.secret" \
    "path_open policy open_fds 0 -" \
    "fd_write policy bytes_written_per_file 2 -" \
    "environ_get policy env -1 -" \
    "random_get policy call 0 -")
  hostile_tree
  # Read once first: under relatime the first read after the copy moves
  # atime, later ones (within a day) do not, so a change is the guest's.
  tree_state "$D/h/root0" >/dev/null
  tree_state "$D/h/outside" >/dev/null
  tree_state "$D/h/root0" >"$D/before.txt"
  tree_state "$D/h/outside" >"$D/outside-before.txt"
  hostile_run enforce "$D/enf.db"
  check "enforce: exit" 0 "$?"
  check "enforce: the denials" "$want" "$(hostile_log "$D/enf.db")"
  check "enforce: none would-be" 0 \
    "$(sqlite3 "$D/enf.db" "SELECT count(*) FROM denials WHERE would = 1")"
  tree_state "$D/h/root0" >"$D/after.txt"
  tree_state "$D/h/outside" >"$D/outside-after.txt"
  cmp -s "$D/before.txt" "$D/after.txt" ||
    fail "enforce: the read-only tree changed: $(diff "$D/before.txt" "$D/after.txt" | head -5)"
  cmp -s "$D/outside-before.txt" "$D/outside-after.txt" ||
    fail "enforce: outside/ changed"
  [ ! -e "$D/h/root1/key.secret" ] || fail "enforce: key.secret was made"
  check "enforce: bytes kept" 96 "$(stat -c %s "$D/h/root1/out.txt")"
  grep -q '^WT_SECRET: -$' "$D/enf.db.out" || fail "enforce: WT_SECRET seen"
  grep -q '^random_get: NOTCAPABLE$' "$D/enf.db.out" ||
    fail "enforce: random_get went through"
  hostile_tree
  hostile_run complain "$D/cmp.db"
  check "complain: exit" 0 "$?"
  check "complain: the denials" "$want" "$(hostile_log "$D/cmp.db")"
  check "complain: policy denials are would-be" 0 "$(sqlite3 "$D/cmp.db" \
    "SELECT count(*) FROM denials WHERE source = 'policy' AND would = 0")"
  cmp -s "$SRC/policy_hostile.stdout" "$D/cmp.db.out" ||
    fail "complain: output differs from the plain run's: $(diff "$SRC/policy_hostile.stdout" "$D/cmp.db.out" | head -5)"
}

# ---- sandbox ---------------------------------------------------------------
case_sandbox() {
  rec symlinks "$D/s.db" || true
  sqlite3 "$D/s.db" "SELECT DISTINCT reason FROM denials WHERE source = 'sandbox'" \
    | sort >"$D/reasons.txt"
  [ -s "$D/reasons.txt" ] || fail "no sandbox denial recorded"
  while read -r r; do
    case $r in dotdot|absolute|symlink_absolute|symlink_escape|loop|nul) ;;
      *) fail "unknown sandbox reason '$r'" ;; esac
  done <"$D/reasons.txt"
  check "sandbox denials name their preopen" 0 "$(sqlite3 "$D/s.db" \
    "SELECT count(*) FROM denials WHERE source = 'sandbox' AND preopen IS NULL")"
  "$WT" audit "$D/s.db" >"$D/audit.txt"
  check "audit exit with denials" 1 "$?"
  grep -q '^  sandbox: ' "$D/audit.txt" || fail "audit shows no sandbox group"
  "$WT" audit --fail-on=never "$D/s.db" >/dev/null
  check "audit --fail-on=never" 0 "$?"
  "$WT" audit --json "$D/s.db" | jq -e '.denials > 0 and (.denial_groups | length) > 0' \
    >/dev/null || fail "audit --json lacks the denials"
}

for CASE in "$@"; do
  D=$WORK/$CASE
  rm -rf "$D" && mkdir -p "$D"
  case $CASE in
    suggest|offline|sandbox|hostile) "case_$CASE" ;;
    *) die "unknown case $CASE" ;;
  esac
  [ "$FAILED" = 0 ] && [ "$KEEP" = 0 ] && rm -rf "$D"
done
[ "$FAILED" = 0 ] && echo "policy-test: $* passed"
exit "$FAILED"
