#!/usr/bin/env bash
# t1000-replay-examples - the spec's three worked examples (shared/spec/examples, copied
# into tests/data/replay so this test stands alone): traces written by plain sqlite3 with
# unusual kind ids replay to the expected JSON exactly, every key but "trace"; "trace"
# prints the path as given. The expected files were counted by hand by the spec's
# authors (see the comments in each .sql), not produced by tlbreplay.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3

cd "$T" || exit 1
for ex in ex1-old-per-thread ex2-hlocal-smp ex3-bulk-and-reset; do
	mkexample "$ex" "$ex.db"
	check_exit "1000.$ex.1 replays (exit 0)" 0 tlb tlbreplay --format json "$ex.db"
	cp "$OUT" "$ex.json"
	# every key but "trace": drop the one "trace" line of both sides, then compare bytes
	check_eq "1000.$ex.2 JSON equals $ex.expected.json (all keys but trace)" \
		"$(grep -v '^ "trace": ' "$RDATA/$ex.expected.json")" \
		"$(grep -v '^ "trace": ' "$ex.json")"
	check_eq "1000.$ex.3 trace is the path as given" " \"trace\": \"$ex.db\"," \
		"$(grep '^ "trace": ' "$ex.json")"
done

# The path as given, not resolved: ./ and a relative directory stay as typed.
mkdir -p sub && cp ex1-old-per-thread.db sub/e.db
tlb tlbreplay --format json ./sub/e.db > e.json
check_eq "1000.4 trace keeps ./sub/e.db" ' "trace": "./sub/e.db",' "$(grep '^ "trace": ' e.json)"
# The whole expected file with the trace key substituted is byte-identical (layout too).
sed 's|^ "trace": .*| "trace": "./sub/e.db",|' "$RDATA/ex1-old-per-thread.expected.json" > want.json
ok_if "1000.5 byte-identical to the expected layout (1-space indent)" cmp want.json e.json
