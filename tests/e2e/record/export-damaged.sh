#!/usr/bin/env bash
# `wasitrace export` and `wasitrace replay` on damaged and hostile traces:
# exit 125 with a message naming the trace and the damage, promptly (a
# recursive view in place of `calls` is refused before any row is read),
# and no output file left behind; an existing OUT is left as it was.
#
#   export-damaged.sh --wasitrace EXE --hello HELLO.wasm [--work DIR]
#
# Exit: 0 pass, 1 fail, 2 harness error, 77 skipped (no sqlite3 shell).
set -u

WT= HELLO= WORK=${TMPDIR:-/tmp}
die() { printf 'export-damaged: %s\n' "$*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --wasitrace) WT=$2; shift 2 ;;
    --hello) HELLO=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
[ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
[ -f "$HELLO" ] || die "--hello: no $HELLO"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3 shell"; exit 77; }
mkdir -p "$WORK" || die "cannot create $WORK"
D=$(mktemp -d "$WORK/damaged.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$D"' EXIT
cd "$D" || die "cd $D"

FAILED=0 PASSED=0
fail() { printf 'FAIL: %s\n' "$*"; FAILED=$((FAILED + 1)); }
pass() { PASSED=$((PASSED + 1)); }

"$WT" record -o good.db "$HELLO" >/dev/null 2>rec.err </dev/null ||
  die "record failed: $(cat rec.err)"
"$WT" export -o good.jsonl good.db 2>/dev/null || die "export of a good trace failed"

# NAME SQL MESSAGE: export of good.db changed by SQL exits 125, says
# MESSAGE, and leaves neither OUT nor a temporary file.
refused() {
  local name=$1 sql=$2 want=$3 rc
  cp good.db "$name.db"
  sqlite3 "$name.db" "$sql" || { fail "$name: sqlite3 could not damage the trace"; return; }
  "$WT" export -o "$name.jsonl" "$name.db" >/dev/null 2>"$name.err"
  rc=$?
  if [ "$rc" != 125 ]; then
    fail "$name: export exited $rc, want 125"
  elif ! grep -qF -- "$want" "$name.err"; then
    fail "$name: message '$(cat "$name.err")' lacks '$want'"
  elif ! grep -qF -- "$name.db" "$name.err"; then
    fail "$name: message '$(cat "$name.err")' does not name the trace"
  elif [ -e "$name.jsonl" ] || ls "$name.jsonl".tmp-* >/dev/null 2>&1; then
    fail "$name: an output file was left behind"
  else
    pass
  fi
}

last="(SELECT max(seq) FROM calls)"
refused bad_row "UPDATE calls SET start_ns = 'soon' WHERE seq = $last" \
  "of calls: start_ns is TEXT, not an integer"
refused endless "DROP VIEW payloads; DROP TABLE calls; CREATE VIEW calls AS
  WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
  SELECT x AS seq, 'sched_yield' AS call, 'SUCCESS' AS errno, 0 AS start_ns,
  0 AS dur_ns, x'' AS args_bin, x'' AS results_bin, NULL AS p_kind,
  NULL AS p_size, NULL AS p_digest, NULL AS p_data, NULL AS p_ref FROM r" \
  "schema entry \`calls\` is a view"
refused trigger "CREATE TRIGGER t AFTER INSERT ON calls BEGIN DELETE FROM meta; END" \
  "schema entry \`t\` is a trigger"
refused null_module "UPDATE meta SET value = NULL WHERE key = 'module'" \
  "meta module: the value is NULL, not BLOB"

# A failed export leaves an existing OUT as it was.
cp good.jsonl keep.jsonl
cp bad_row.db again.db
if "$WT" export -o keep.jsonl again.db >/dev/null 2>&1; then
  fail "keep: export of a damaged trace succeeded"
elif ! cmp -s good.jsonl keep.jsonl; then
  fail "keep: the existing OUT was changed by a failed export"
else
  pass
fi

# A damaged JSON Lines trace: a call line broken in the middle of the file.
sed '0,/"type":"call","seq":1,/s//"type":"call","seq":"x",/' good.jsonl >broken.jsonl
"$WT" export -o broken.db broken.jsonl >/dev/null 2>broken.err
rc=$?
if [ "$rc" != 125 ] || ! grep -qF "broken.jsonl: line " broken.err; then
  fail "jsonl: export exited $rc with '$(cat broken.err)'"
elif [ -e broken.db ] || ls broken.db.tmp-* >/dev/null 2>&1; then
  fail "jsonl: an output file was left behind"
else
  pass
fi

# Replay refuses the recursive view too, with a message, not a hang.
"$WT" replay endless.db >/dev/null 2>replay.err </dev/null
rc=$?
if [ "$rc" != 125 ] || ! grep -qF "is a view" replay.err; then
  fail "replay: exited $rc with '$(cat replay.err)'"
else
  pass
fi

printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
