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

# The golden-file scripts' start (view-test.sh, diff-test.sh): parses
# --wasitrace, --guests, --golden, --work, --update and the case names into
# WT, GUESTS, GOLDEN, WORK, UPDATE and CASES, checks them, and makes TOP, a
# directory named after PREFIX under WORK that is removed at exit.
#   golden_setup PREFIX "$@"
golden_setup() {
  local prefix=$1
  shift
  WT= GUESTS= GOLDEN= WORK=${TMPDIR:-/tmp} UPDATE=0 CASES=()
  while [ $# -gt 0 ]; do
    case $1 in
      --wasitrace) WT=$2; shift 2 ;;
      --guests) GUESTS=$2; shift 2 ;;
      --golden) GOLDEN=$2; shift 2 ;;
      --work) WORK=$2; shift 2 ;;
      --update) UPDATE=1; shift ;;
      -*) die "unknown option $1" ;;
      *) CASES+=("$1"); shift ;;
    esac
  done
  [ -x "$WT" ] || die "--wasitrace: '$WT' is not executable"
  [ -d "$GUESTS" ] || die "--guests: no $GUESTS"
  [ -d "$GOLDEN" ] || die "--golden: no $GOLDEN"
  mkdir -p "$WORK" || die "cannot create $WORK"
  TOP=$(mktemp -d "$WORK/$prefix.XXXXXX") || die "mktemp failed"
  trap 'rm -rf "$TOP"' EXIT
}
