# tests/lib.sh - what every tests/tNNNN-area-what.sh sources.
#
# Each check prints one TAP line; ids are stable within a script, in order.
#   ok_if DESC CMD...          passes when CMD exits 0
#   check_eq DESC EXPECTED ACTUAL
#   check_exit DESC CODE CMD...  passes when CMD exits with CODE (stdout/stderr in $OUT/$ERR files)
#   check_grep DESC REGEX FILE
#   skip DESC WHY              a counted skip with its reason
#   tlb PROG ARGS...           runs $TLB_BIN/PROG
#   need_root / need_cmd CMD   return 1 (and print why) when missing: use as `need_root || skip_all "why"`
#   skip_all WHY               skips the rest of the script and exits 0
# $T is a fresh scratch directory removed at exit; $ROOT the checkout.
set -u
ROOT=${TLB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TLB_BIN=${TLB_BIN:-$ROOT/build/bin}
TLB_TESTBIN=${TLB_TESTBIN:-$ROOT/build/test}
SPEC=${TLB_SPEC:-$ROOT/../shared/spec}
T=$(mktemp -d "${TMPDIR:-/tmp}/tlbtest.XXXXXX")
OUT=$T/.out
ERR=$T/.err
trap 'rm -rf "$T"' EXIT
_tap_n=0

_tap() { _tap_n=$((_tap_n + 1)); echo "$1 $_tap_n - $2"; }
ok() { _tap ok "$1"; }
not_ok() { _tap "not ok" "$1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { _tap ok "$1 # SKIP $2"; }
skip_all() { echo "# skipping the rest: $1"; _tap ok "${2:-remaining checks} # SKIP $1"; exit 0; }

tlb() { local p=$1; shift; "$TLB_BIN/$p" "$@"; }

ok_if() {
	local desc=$1; shift
	if "$@" > "$OUT" 2> "$ERR"; then ok "$desc"
	else not_ok "$desc" "command failed ($?): $*" "stderr: $(head -c 600 "$ERR")"; fi
}
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"
	else not_ok "$1" "expected: $(printf %s "$2" | head -c 800)" "got:      $(printf %s "$3" | head -c 800)"; fi
}
check_exit() {
	local desc=$1 want=$2; shift 2
	"$@" > "$OUT" 2> "$ERR"; local got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"
	else not_ok "$desc" "expected exit $want, got $got: $*" "stderr: $(head -c 600 "$ERR")"; fi
}
check_grep() {
	if grep -qE -- "$2" "$3"; then ok "$1"
	else not_ok "$1" "no line matches /$2/ in $3:" "$(head -c 600 "$3")"; fi
}
need_root() { [ "$(id -u)" -eq 0 ] || { echo "# not root"; return 1; }; }
need_cmd() { command -v "$1" > /dev/null 2>&1 || { echo "# no $1"; return 1; }; }
