#!/usr/bin/env bash
# t4003-import-pseries-text: the shared real guest trace (Linux 6.1 ppc64el pseries guest,
# tracefs text with powerpc:hcall_* tracepoints and hcall kprobes) imports with the hcall
# counts of its counts.txt, and n agrees with the return codes and returned control bytes.
. "$(dirname "$0")/lib.sh"
need_cmd xz || skip_all "xz is not installed"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"
S=$ROOT/samples/pseries-6.1-smp2
[ -r "$S/trace.txt.xz" ] || skip_all "no $S/trace.txt.xz"
xz -dc "$S/trace.txt.xz" > "$T/trace.txt"
DB=$T/guest.db
q() { sqlite3 "$DB" "$1"; }

ok_if "4003.1 import the text as a guest capture" tlb tlbimport "$T/trace.txt" -o "$DB" --guest -q
check_eq "4003.2 clock ppc-tb, origin and last tb = counts.txt's span" \
	"$(sed -nE 's/^trace span: tb ([0-9]+)\.\.([0-9]+) .*/ppc-tb \1 \2/p' "$S/counts.txt")" \
	"$(q "SELECT group_concat(value, ' ') FROM (SELECT value FROM meta WHERE key IN ('clock','clock_origin','clock_last') ORDER BY key)" |
	   awk '{ print $1, $3, $2 }')"	# keys sort as clock, clock_last, clock_origin

# Per opcode: total, cpu0, cpu1 from counts.txt's hcall_entry table ("0x8 H_ENTER 23535 11764 11771 {...}")
want=$(awk '/^## hcall_entry tracepoint/ { on = 1; next } /^## / { on = 0 }
	on && $1 ~ /^0x/ { print $1, $3, $4, $5 }' "$S/counts.txt" | sort)
got=$(q "SELECT printf('0x%x', opcode), count(*), sum(vcpu = 0), sum(vcpu = 1) FROM hcall GROUP BY opcode" |
	tr '|' ' ' | sort)
check_eq "4003.3 hcalls per opcode and vcpu = counts.txt" "$want" "$got"
check_eq "4003.4 guest rows: vm 1, cpu -1" "1|-1" "$(q 'SELECT group_concat(DISTINCT vm), group_concat(DISTINCT cpu) FROM hcall')"

# Return codes per opcode: counts.txt's exit retvals dicts ("{0: 6733, -7: 4}")
want=$(awk '/^## hcall_entry tracepoint/ { on = 1; next } /^## / { on = 0 }
	on && $1 ~ /^0x/ { d = substr($0, index($0, "{") + 1); gsub(/[{}:,]/, " ", d); n = split(d, f, " ");
	for (i = 1; i < n; i += 2) print $1, f[i], f[i + 1] }' "$S/counts.txt" | sort)
got=$(q "SELECT printf('0x%x', opcode), rc, count(*) FROM hcall GROUP BY opcode, rc" | tr '|' ' ' | sort)
check_eq "4003.5 return codes per opcode = counts.txt" "$want" "$got"

# n of H_REMOVE / H_PROTECT: 1 exactly when rc is H_SUCCESS
check_eq "4003.6 H_REMOVE/H_PROTECT n = (rc == 0) on every row" "0" \
	"$(q 'SELECT count(*) FROM hcall WHERE opcode IN (4, 24) AND n != (rc = 0)')"
check_eq "4003.7 other non-bulk hcalls invalidate nothing" "0" \
	"$(q 'SELECT count(*) FROM hcall WHERE opcode NOT IN (4, 24, 292) AND n != 0')"

# n of H_BULK_REMOVE, derived here from the text: in each return probe (r47, r48) the words
# ret0, ret2, ret4, ret6 are the returned control words; count those whose top byte is a
# success response (0x8X) up to the end marker (type 3, top byte 0xcX).
want=$(awk 'function top(h,   s, v) { sub(/^0x/, "", h); while (length(h) < 16) h = "0" h
		s = "0123456789abcdef"; return (index(s, substr(h, 1, 1)) - 1) * 16 + index(s, substr(h, 2, 1)) - 1 }
	/ r4[78]: / { n = 0
		for (k = 0; k <= 6; k += 2) { if (!match($0, "ret" k "=0x[0-9a-f]+")) break
			t = top(substr($0, RSTART + length("ret" k "="), RLENGTH - length("ret" k "=")))
			if (int(t / 64) == 3) break
			if (t >= 128 && t < 144) n++ }
		c[n]++ }
	END { for (n in c) print n, c[n] }' "$T/trace.txt" | sort)
got=$(q 'SELECT n, count(*) FROM hcall WHERE opcode = 292 GROUP BY n' | tr '|' ' ' | sort)
check_eq "4003.8 H_BULK_REMOVE n per call = successes in its returned control bytes" "$want" "$got"
# every entry of this capture succeeded, so that is also counts.txt's entries-per-call histogram
check_eq "4003.9 ... = counts.txt entries-per-call histogram" \
	"$(sed -nE 's/.*entries-per-call histogram=\{(.*)\}/\1/p' "$S/counts.txt" | tr -d ' ' | tr ',' '\n' | tr ':' ' ' | sort)" "$got"

# flags (guest r4) as counts.txt lists them ("flags seen: 0x80000007:1648, 0x80000006:1111")
want=$(awk '/^  0x/ { op = $1 } /flags seen:/ { sub(/.*flags seen: /, ""); n = split($0, f, ", ");
	for (i = 1; i <= n; i++) { split(f[i], p, ":"); print op, p[1], p[2] } }' "$S/counts.txt" | grep -v '^0x124' | sort)
got=$(q "SELECT printf('0x%x', opcode), printf('0x%x', flags), count(*) FROM hcall WHERE opcode IN (4, 8, 24)
	GROUP BY opcode, flags" | tr '|' ' ' | sort)
check_eq "4003.10 flags of H_ENTER/H_REMOVE/H_PROTECT = counts.txt" "$want" "$got"
check_eq "4003.11 H_LOCAL never set in H_ENTER/H_REMOVE/H_PROTECT (README)" "0" \
	"$(q 'SELECT count(*) FROM hcall WHERE flags & 268435456 AND opcode IN (4, 8, 24)')"

# hcalls whose args came from a kprobe pair = the probed call sites' hits in counts.txt
check_eq "4003.12 hcalls with kprobe args = probed call-site hits" \
	"$(awk '/^## all probed call sites/ { on = 1; next } on && NF == 3 { s += $3 } END { print s }' "$S/counts.txt")" \
	"$(q "SELECT value FROM meta WHERE key = 'hcall_with_args'")"
check_eq "4003.13 no hcall left open, no rc disagreement" "0 0" \
	"$(q "SELECT (SELECT value FROM meta WHERE key='hcall_open_at_end'), (SELECT value FROM meta WHERE key='hcall_rc_mismatch')" | tr '|' ' ')"

# unknown events per name = counts.txt's event counts of the names not mapped
check_eq "4003.14 hash_fault counted as unknown" \
	"$(awk '$1 == "hash_fault" { print $2 }' "$S/counts.txt")" \
	"$(q "SELECT value FROM meta WHERE key='unknown_events'" | sed -E 's/.*"hash_fault": ([0-9]+).*/\1/')"

# stdin: the same text through a pipe gives the same rows
xz -dc "$S/trace.txt.xz" | tlb tlbimport - -o "$T/stdin.db" --guest -q > /dev/null 2>&1
check_eq "4003.15 stdin gives the same rows" "$(q 'SELECT ts,cpu,vm,vcpu,kind,a0,a1,a2,a3 FROM event' | md5sum)" \
	"$(sqlite3 "$T/stdin.db" 'SELECT ts,cpu,vm,vcpu,kind,a0,a1,a2,a3 FROM event' | md5sum)"
