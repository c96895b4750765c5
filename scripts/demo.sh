#!/usr/bin/env bash
# demo.sh BIN - the main job on the bundled samples: generate -> replay -> report.
#
# 1. the real capture in samples/pseries-6.1-smp4 (a Linux 6.1 pseries guest under QEMU,
#    host and guest merged) is decompressed;
# 2. tlbgen writes the four problem scenarios of commit 1b400ba0cd and the parametric
#    workloads listed in samples/generated/*.args;
# 3. tlbreplay --store replays each through old, new, modern and oracle (all in one pass);
# 4. tlbreport puts them side by side in build/demo/report/index.html.
# Everything lands in build/demo (DEMO_DIR overrides); nothing outside it is touched.
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${DEMO_DIR:-$root/build/demo}
rm -rf "$out"
mkdir -p "$out"
cd "$out"

step() { printf '\n== %s\n' "$*"; }
dbs=()

step "real capture: samples/pseries-6.1-smp4 (ppc64el Linux 6.1 guest, hash MMU, 4 vcpus)"
sample=$root/samples/pseries-6.1-smp4/merged.db.xz
if [ -f "$sample" ]; then
	xz -dc "$sample" > pseries-smp4.db
	dbs+=(pseries-smp4.db)
	sqlite3 -separator ' = ' pseries-smp4.db \
		"SELECT key, value FROM meta WHERE key IN ('source','kernel','host','event_count','lost_events','merge_guest1_offset_ns','merge_guest1_rate','merge_guest1_residual_ns') ORDER BY key" \
		| sed 's/^/   /'
else
	echo "   (not in this checkout: $sample)"
fi

step "generated: the four problems commit 1b400ba0cd names (tlbgen --scenario)"
while read -r name _; do
	"$bin/tlbgen" --scenario "$name" -o "scenario-$name.db"
	dbs+=("scenario-$name.db")
done < <("$bin/tlbgen" --list)
"$bin/tlbgen" --list | sed 's/^/   /'

step "generated: parametric workloads (samples/generated/*.args)"
for args in "$root"/samples/generated/*.args; do
	[ -f "$args" ] || continue
	name=$(basename "$args" .args)
	# shellcheck disable=SC2046 # one option per word, comments dropped
	"$bin/tlbgen" $(grep -v '^#' "$args") -o "workload-$name.db"
	dbs+=("workload-$name.db")
	printf '   %-28s %s\n' "workload-$name.db" "$(grep -v '^#' "$args" | tr '\n' ' ')"
done

step "replay: tlbreplay --store (old, new, modern, oracle in one pass per trace)"
for db in "${dbs[@]}"; do
	"$bin/tlbreplay" --quiet --store "$db" > /dev/null
done
for db in "${dbs[@]}"; do
	case "$db" in pseries-*|workload-*)
		echo
		"$bin/tlbreplay" --quiet -P old,new,modern,oracle "$db" | grep -E '^(trace|policy| *[a-z]+ +all)' ;;
	esac
done

step "report: tlbreport (plots by gnuplot)"
"$bin/tlbreport" -o report --format table "${dbs[@]}"
echo
echo "report: $out/report/index.html"
echo "        $out/report/summary.md"
