#!/usr/bin/env bash
# t4100-merge: tlbmerge places every guest hcall on the host thread its vcpu ran on, with a
# given offset, a meta tb_offset, or an estimated offset and rate; a wrong offset is refused.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"

# The generator knows the truth: it draws run intervals for 2 vcpus over 200 ms (runs of
# 0.2-2 ms on a random host cpu 0..7, gaps of 0.05-0.5 ms), puts 3 guest hcalls inside each
# run at least MARGIN ns from its ends, and one in the middle of 1 gap in 10 (expected cpu
# -1), and writes each hcall's guest time as (host - A) / B. So the expected cpu of every
# hcall is known without tlbmerge.
cat > "$T/gen.awk" <<'AWK'
function rnd() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
BEGIN {
	seed = SEED; SPAN = 200000000
	for (v = 0; v < 2; v++) {
		t = 1000000 + v * 137000
		while (t < SPAN) {
			run = int(200000 + rnd() * 1800000); gap = int(50000 + rnd() * 450000)
			cpu = int(rnd() * 8)
			printf "H %d guest_enter %d %d\n", t, v, cpu
			printf "H %d guest_exit %d %d\n", t + run, v, cpu
			for (k = 0; k < 3; k++)
				printf "G %.0f %d %d\n", (t + MARGIN + int(rnd() * (run - 2 * MARGIN)) - A) / B, v, cpu
			if (rnd() < 0.1)
				printf "G %.0f %d -1\n", (t + run + gap / 2 - A) / B, v
			t += run + gap
		}
	}
}
AWK
# make NAME A B SEED MARGIN [GUEST_META_SQL]: NAME.host.db, NAME.guest.db, NAME.want (cpus in guest time order)
make_pair() {
	local n=$T/$1
	awk -v A="$2" -v B="$3" -v SEED="$4" -v MARGIN="$5" -f "$T/gen.awk" > "$n.all"
	{ cat "$ROOT/schemas/trace-v1.sql"
	  echo "INSERT INTO meta VALUES('source','host'),('threads_per_core','1'),('ncpus','8');"
	  echo "INSERT INTO vm(id, name) VALUES(1, 'qemu'); BEGIN;"
	  grep '^H' "$n.all" | sort -k2,2n -s | awk '{ printf "INSERT INTO event(ts,cpu,vm,vcpu,kind) VALUES(%s,%s,1,%s,(SELECT id FROM event_kind WHERE name=\"%s\"));\n", $2, $5, $4, $3 }'
	  echo "COMMIT;"; } | sqlite3 "$n.host.db"
	grep '^G' "$n.all" | sort -k2,2n -s > "$n.g"
	awk '{ print $4 }' "$n.g" > "$n.want"
	{ cat "$ROOT/schemas/trace-v1.sql"
	  echo "INSERT INTO meta VALUES('source','guest'),('threads_per_core','1'),('ncpus','2');"
	  echo "${6:-}"
	  echo "BEGIN;"
	  awk '{ printf "INSERT INTO event(ts,cpu,vm,vcpu,kind,a0,a1,a2,a3) VALUES(%s,-1,1,%s,(SELECT id FROM event_kind WHERE name=\"hcall\"),4,2147483648,1,0);\n", $2, $3 }' "$n.g"
	  echo "COMMIT;"; } | sqlite3 "$n.guest.db"
}
placed() { sqlite3 "$1" 'SELECT cpu FROM hcall ORDER BY ts, id'; }
meta() { sqlite3 "$1" "SELECT value FROM meta WHERE key = '$2'"; }
within() { awk -v x="$1" -v want="$2" -v tol="$3" 'BEGIN { d = x - want; if (d < 0) d = -d; exit !(d <= tol) }'; }

# 4100.1-4: offset given (guest ns 0 = host ns 3 ms), rate 1: every hcall on its expected cpu
make_pair a 3000000 1 7 1000
ok_if "4100.1 merge with --offset" tlb tlbmerge "$T/a.host.db" "$T/a.guest.db" -o "$T/a.db" --offset 3000000 -q
check_eq "4100.2 every hcall on the expected host cpu (-1 in gaps)" "$(cat "$T/a.want")" "$(placed "$T/a.db")"
check_eq "4100.3 unplaced counted in meta = hcalls in gaps" "$(grep -c '^-1$' "$T/a.want")" \
	"$(meta "$T/a.db" merge_guest1_unplaced)"
check_eq "4100.4 host rows kept, guest rows added" \
	"$(( $(sqlite3 "$T/a.host.db" 'SELECT count(*) FROM event') + $(wc -l < "$T/a.want") ))" \
	"$(sqlite3 "$T/a.db" 'SELECT count(*) FROM event')"
check_eq "4100.5 guest hcalls in the host's VM 1, ts = guest ts + 3 ms" "1 $(( $(head -1 "$T/a.g" | cut -d' ' -f2) + 3000000 ))" \
	"$(sqlite3 "$T/a.db" 'SELECT vm, ts FROM hcall ORDER BY ts LIMIT 1' | tr '|' ' ')"

# 4100.6-9: no offset given: estimated, and placing every hcall as the truth does
ok_if "4100.6 merge, offset estimated" tlb tlbmerge "$T/a.host.db" "$T/a.guest.db" -o "$T/b.db" -q --format json
check_eq "4100.7 method estimated" "estimated" "$(meta "$T/b.db" merge_guest1_method)"
# the fitted line host = a + b g stays within 10 us of the truth (g + 3 ms) over the capture
a=$(meta "$T/b.db" merge_guest1_offset_ns) b=$(meta "$T/b.db" merge_guest1_rate)
ok_if "4100.8a estimated mapping of guest 0 within 10 us of 3 ms" within "$a" 3000000 10000
ok_if "4100.8b estimated mapping of guest 200 ms within 10 us" within "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", a + b * 200000000 }')" 203000000 10000
check_eq "4100.9 every hcall on the expected cpu" "$(cat "$T/a.want")" "$(placed "$T/b.db")"

# 4100.10-13: a wrong offset (0.7 ms late) is detected: exit 2, no output, the estimate named
check_exit "4100.10 wrong --offset: exit 2" 2 tlb tlbmerge "$T/a.host.db" "$T/a.guest.db" -o "$T/c.db" --offset 3700000 -q
check_grep "4100.11 says the offset looks wrong" 'offset looks wrong' "$ERR"
ok_if "4100.12 no output left" test ! -e "$T/c.db"
ok_if "4100.13 --accept-offset writes it anyway" tlb tlbmerge "$T/a.host.db" "$T/a.guest.db" -o "$T/c.db" --offset 3700000 --accept-offset -q

# 4100.14-17: guest clock running 200 ppm fast against the host's (a timebase against ns):
# offset AND rate fitted, residual in meta, every hcall placed (margin 20 us)
make_pair r 5000000 1.0002 11 20000
ok_if "4100.14 merge, offset and rate estimated" tlb tlbmerge "$T/r.host.db" "$T/r.guest.db" -o "$T/r.db" -q
ok_if "4100.15 rate within 5e-5 of 1.0002" within "$(meta "$T/r.db" merge_guest1_rate)" 1.0002 0.00005
check_eq "4100.16 every hcall on the expected cpu" "$(cat "$T/r.want")" "$(placed "$T/r.db")"
check_grep "4100.17 residual in meta" '^[0-9]+\.[0-9]$' <(meta "$T/r.db" merge_guest1_residual_ns)

# 4100.18-19: both captures ppc-tb with tb_first/timebase_hz, guest meta tb_offset: guest
# tb = host tb + tb_offset. Host tb_first 1000000000, tb_offset 512000000, guest tb_first
# 1513536000: guest ns 0 = guest tb 1513536000 = host tb 1001536000 = host ns
# 1536000 / 0.512 = 3000000. The generator's A is that offset.
make_pair m 3000000 1 5 1000 "INSERT INTO meta VALUES('tb_offset','512000000'),('tb_first','1513536000'),('timebase_hz','512000000');"
sqlite3 "$T/m.host.db" "INSERT INTO meta VALUES('tb_first','1000000000'),('timebase_hz','512000000')"
ok_if "4100.18 merge with meta tb_offset" tlb tlbmerge "$T/m.host.db" "$T/m.guest.db" -o "$T/m.db" -q
check_eq "4100.19 method meta tb_offset, offset 3 ms" "meta tb_offset 3000000.0" \
	"$(meta "$T/m.db" merge_guest1_method) $(meta "$T/m.db" merge_guest1_offset_ns)"
check_eq "4100.20 every hcall on the expected cpu" "$(cat "$T/m.want")" "$(placed "$T/m.db")"

# 4100.21-23: usage
check_exit "4100.21 one file only: exit 2" 2 tlb tlbmerge "$T/a.host.db" -o "$T/u.db"
check_exit "4100.22 --rate without --offset: exit 2" 2 tlb tlbmerge "$T/a.host.db" "$T/a.guest.db" -o "$T/u.db" --rate 1.1
check_exit "4100.23 a guest with no hcalls (the host as guest): exit 2" 2 tlb tlbmerge "$T/a.host.db" "$T/a.host.db" -o "$T/u.db"
ok_if "4100.24 no output left by the failures" test ! -e "$T/u.db"
check_exit "4100.25 --help" 0 tlb tlbmerge --help
check_grep "4100.26 --help has EXAMPLES" '^  tlbmerge .*# ' "$OUT"
