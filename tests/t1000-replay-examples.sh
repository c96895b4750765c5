#!/usr/bin/env bash
# t1000-replay-examples - the spec's four worked examples (shared/spec/examples, copied
# into tests/data/replay so this test stands alone): traces written by plain sqlite3 with
# unusual kind ids replay to the expected JSON: every key of the expected file but
# "trace" present with the same value, every row and every metric of old, new, modern,
# tracked and optimal (tlbreplay may print more keys, e.g. threads_per_core_source);
# "trace" prints the path as given. The expected files were counted by hand by the spec's
# authors (see the comments in each .sql and the examples' README), not produced by
# tlbreplay.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
need_cmd python3 || skip_all "python3 is not installed (compares JSON key by key)"

cd "$T" || exit 1
for ex in ex1-old-per-thread ex2-hlocal-smp ex3-bulk-and-reset ex4-optimal-window; do
	mkexample "$ex" "$ex.db"
	check_exit "1000.$ex.1 replays (exit 0)" 0 tlb tlbreplay --format json "$ex.db"
	cp "$OUT" "$ex.json"
	ok_if "1000.$ex.2 every key of $ex.expected.json but trace, equal" \
		python3 "$RDATA/json_keys.py" "$RDATA/$ex.expected.json" "$ex.json"
	[ -s "$OUT" ] && sed 's/^/#   /' "$OUT"
	check_eq "1000.$ex.3 trace is the path as given" " \"trace\": \"$ex.db\"," \
		"$(grep '^ "trace": ' "$ex.json")"
	# the T of these captures comes from meta (no meta machine: a POWER capture)
	check_eq "1000.$ex.4 threads_per_core_source is meta" '"meta"' \
		"$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["threads_per_core_source"]))' "$ex.json")"
done

# The path as given, not resolved: ./ and a relative directory stay as typed.
mkdir -p sub && cp ex1-old-per-thread.db sub/e.db
tlb tlbreplay --format json ./sub/e.db > e.json
check_eq "1000.4 trace keeps ./sub/e.db" ' "trace": "./sub/e.db",' "$(grep '^ "trace": ' e.json)"
# The layout of the expected file (1-space indent, one key per line) with the one added
# line: the whole file equals the expected one once threads_per_core_source is dropped.
sed 's|^ "trace": .*| "trace": "./sub/e.db",|' "$RDATA/ex1-old-per-thread.expected.json" > want.json
grep -v '^ "threads_per_core_source": ' e.json > e-spec.json
ok_if "1000.5 byte-identical to the expected layout (1-space indent), but the added key" \
	cmp want.json e-spec.json

# A capture from another architecture: T from the profile, not from its meta (4 -> 8 on
# power8 shows the difference), and the JSON says so.
sqlite3 ex1-old-per-thread.db "INSERT INTO meta VALUES ('machine','x86_64')"
tlb tlbreplay --format json -m power8 ex1-old-per-thread.db > x86.json
check_eq "1000.6 x86_64 capture: T from the power8 profile" "8 profile" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["threads_per_core"], d["threads_per_core_source"])' x86.json)"
sqlite3 ex1-old-per-thread.db "UPDATE meta SET value = 'ppc64le' WHERE key = 'machine'"
tlb tlbreplay --format json -m power8 ex1-old-per-thread.db > ppc.json
check_eq "1000.7 ppc64le capture: T from meta" "4 meta" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["threads_per_core"], d["threads_per_core_source"])' ppc.json)"
tlb tlbreplay --format json -m power8 -t 2 ex1-old-per-thread.db > opt.json
check_eq "1000.8 -t 2: T from the option" "2 option" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["threads_per_core"], d["threads_per_core_source"])' opt.json)"
tlb tlbreplay -m power8 ex1-old-per-thread.db > x.txt
check_grep "1000.9 the table says where T came from" 'threads/core \(from the capture.s meta' x.txt
