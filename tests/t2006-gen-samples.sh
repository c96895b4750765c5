#!/usr/bin/env bash
# t2006: the generated sample set (samples/generated: make.sh and the *.args the demo
# reads) is written, is reproducible, and replays.
. "$(dirname "$0")/lib.sh"

mk=$ROOT/samples/generated/make.sh
nargs=$(ls "$ROOT"/samples/generated/*.args | wc -l | tr -d ' ')
ok_if "t2006.1 make.sh writes the set" "$mk" "$T/a" "$TLB_BIN/tlbgen"
check_eq "t2006.2 one file per scenario and per .args file" "$((4 + nargs))" "$(ls "$T/a" | grep -c '\.db$')"
ok_if "t2006.3 make.sh again, elsewhere" "$mk" "$T/b" "$TLB_BIN/tlbgen"
for f in "$T"/a/*.db; do
	n=$(basename "$f")
	ok_if "t2006.4 $n: identical bytes twice" cmp "$f" "$T/b/$n"
done
if [ -x "$TLB_BIN/tlbreplay" ]; then
	for f in "$T"/a/workload-*.db; do
		ok_if "t2006.5 $(basename "$f") replays" tlb tlbreplay -q --format csv "$f"
		# the all rows of the five default policies each count every event of the file
		check_eq "t2006.6 $(basename "$f"): every event counted by each policy" \
			"$(sqlite3 "$f" "SELECT count(*) FROM event") x5" \
			"$(grep ',all,' "$OUT" | cut -d, -f3 | sort -u) x$(grep -c ',all,' "$OUT")"
	done
else
	skip "t2006.5 replays" "no $TLB_BIN/tlbreplay"
fi
