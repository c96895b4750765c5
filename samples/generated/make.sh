#!/usr/bin/env bash
# samples/generated/make.sh OUTDIR [TLBGEN] - write the generated sample set into OUTDIR:
# scenario-NAME.db for each scenario of `tlbgen --list`, and workload-NAME.db for each
# NAME.args here (comment lines start with #; the rest are tlbgen's arguments). Older
# copies are replaced. TLBGEN defaults to build/bin/tlbgen of this checkout. Prints one
# line per file: its name, its events, and the arguments that made it.
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make.sh OUTDIR [TLBGEN]}
gen=${2:-$here/../../build/bin/tlbgen}
[ -x "$gen" ] || { echo "make.sh: cannot run $gen: build it with make" >&2; exit 1; }
mkdir -p "$out" || exit 1

# make NAME ARGS...: one file, and its line.
make_one() {
	local name=$1; shift
	"$gen" -q --force -o "$out/$name.db" "$@" || { echo "make.sh: cannot generate $name" >&2; exit 1; }
	printf '%-28s %8s events  %s\n' "$name.db" \
		"$(sqlite3 "$out/$name.db" "SELECT value FROM meta WHERE key='event_count'")" "$*"
}
while read -r name _; do
	make_one "scenario-$name" --scenario "$name"
done < <("$gen" --list)
for f in "$here"/*.args; do
	# shellcheck disable=SC2046 # one option per word, comments dropped
	make_one "workload-$(basename "$f" .args)" $(grep -v '^#' "$f")
done
