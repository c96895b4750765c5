#!/usr/bin/env bash
# t0100: the suite's command line as one thing: the README's options tables equal every
# program's --help, one meaning per short letter across the programs, and the same basic
# manners everywhere (--help and -h exit 0, --version and -V print "NAME VERSION", an
# unknown option or no argument at all is a usage error: exit 2 with a message).
. "$(dirname "$0")/lib.sh"
need_cmd python3 || skip_all "no python3 to read the --help texts"

progs="tlbcollect tlbimport tlbmerge tlbgen tlbreplay tlbreport"
python3 "$ROOT/scripts/options-table.py" "$TLB_BIN" check "$ROOT/README.md" > "$T/diff" 2>&1
check_eq "t0100.1 README options tables == --help, one meaning per letter" "" "$(cat "$T/diff")"

n=1
for p in $progs; do
	n=$((n + 1))
	check_exit "t0100.$n.1 $p --help exits 0" 0 tlb "$p" --help
	check_exit "t0100.$n.2 $p -h exits 0" 0 tlb "$p" -h
	check_exit "t0100.$n.3 $p --version exits 0" 0 tlb "$p" --version
	check_grep "t0100.$n.4 $p --version prints '$p VERSION'" "^$p [0-9a-g][0-9a-zA-Z.+~-]*\$" "$OUT"
	check_exit "t0100.$n.5 $p -V exits 0" 0 tlb "$p" -V
	check_grep "t0100.$n.6 $p -V prints '$p VERSION'" "^$p [0-9a-g]" "$OUT"
	check_exit "t0100.$n.7 $p --no-such-option is a usage error" 2 tlb "$p" --no-such-option
	check_grep "t0100.$n.8 ... and says so, naming itself" "(^|/)$p: " "$ERR"
	check_grep "t0100.$n.9 --help shows USAGE and EXAMPLES" '^EXAMPLES:' <(tlb "$p" --help)
done
