# Shared by the case-based end-to-end scripts (record-test.sh, security-
# test.sh, ...): sourced as `. "$HERE/../lib.sh" NAME`, where NAME prefixes
# harness errors. Each script runs its cases with CASE set and exits with
# FAILED (0 pass, 1 fail); die exits 2, a harness error.
WT_E2E_SCRIPT=${1:-e2e}

die() { printf '%s: %s\n' "$WT_E2E_SCRIPT" "$*" >&2; exit 2; }
fail() { printf 'FAIL %s: %s\n' "${CASE:-}" "$*"; FAILED=1; }
check() {  # DESCRIPTION EXPECTED ACTUAL
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
contains() {  # DESCRIPTION FILE TEXT
  grep -qF -- "$3" "$2" || fail "$1: '$3' not in: $(head -c 600 "$2")"
}
