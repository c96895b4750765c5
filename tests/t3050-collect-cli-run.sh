#!/usr/bin/env bash
# t3050-collect-cli-run: the command line users expect (issue 12): -V, a positional duration
# like the libbpf tools (`tlbcollect -o x.db 10`), a live per-interval summary (-i SECS, on
# stderr: per VM guest entries, exits, migrations, hcalls by opcode; records and lost), and
# an empty capture is a failure: exit 1, saying what it looked for, no file left.
. "$(dirname "$0")/lib.sh"
. "$ROOT/collector/test/collect-lib.sh"
collect_prereqs
W=$TLB_TESTBIN/collect-workload
wait_ready() { for _ in $(seq 1 100); do grep -q ready "$1" && return 0; sleep 0.05; done; return 1; }
wait_done() { for _ in $(seq 1 200); do grep -q '^done' "$1" && return 0; sleep 0.05; done; return 1; }

# --- 3050.1-3: -V
check_exit "3050.1 -V exits 0" 0 tlb tlbcollect -V
check_grep "3050.2 prints 'tlbcollect VERSION'" '^tlbcollect [^ ]+$' "$OUT"
check_grep "3050.3 --help lists -V, --version and -i, --interval" '^  -V, --version ' <(tlb tlbcollect --help)

# --- 3050.4-8: positional duration; refusals
check_exit "3050.4 two positionals: usage" 2 tlb tlbcollect -o "$T/x.db" 1 2
check_exit "3050.5 positional and --duration: usage" 2 tlb tlbcollect -o "$T/x.db" -d 1 2
check_grep "3050.6 ... says --duration was given too" 'cannot use duration 2: --duration was given too' "$ERR"
check_exit "3050.7 positional 'inf': usage" 2 tlb tlbcollect -o "$T/x.db" inf
check_exit "3050.8 -i 0.01: usage (0.1 to 86400)" 2 tlb tlbcollect -o "$T/x.db" -i 0.01 1
check_exit "3050.8b -i nan: usage" 2 tlb tlbcollect -o "$T/x.db" -i nan 1
ok_if "3050.9 nothing written by the refusals" test ! -e "$T/x.db"

# --- 3050.10-: empty captures exit 1, say what they looked for, leave no file
sleep 30 & SP=$!
check_exit "3050.10 --pid of a process without vcpu threads: exit 1" 1 tlb tlbcollect -o "$T/e.db" -p "$SP" 0.5
check_grep "3050.11 ... says what it looked for" \
	"cannot record $T/e.db: no vcpu thread \(named \"CPU N/KVM\" or \"CPU N/TCG\"\) of process $SP ran in 0\.[0-9]+ s; nothing written" "$ERR"
ok_if "3050.12 ... and leaves no file (an empty capture is no result)" test ! -e "$T/e.db"
kill "$SP" 2>/dev/null; wait "$SP" 2>/dev/null
if [ -z "$(grep -lE '^CPU [0-9]+/(KVM|TCG)$' /proc/[0-9]*/task/*/comm 2>/dev/null | head -1)" ]; then
	check_exit "3050.13 no VM on the host: exit 1" 1 tlb tlbcollect -o "$T/e2.db" 0.3
	check_grep "3050.14 ... says it looked on this host" 'no vcpu thread .* on this host ran in' "$ERR"
	ok_if "3050.15 ... no file" test ! -e "$T/e2.db"
else
	skip "3050.13-15 no VM on the host" "vcpu threads run on this host now"
fi

# --- 3050.16-: positional duration + live summary every 0.2 s. The workload makes 9 moves
# (thread k%3 to the next cpu) between its "ready" and "done": the live lines of its VM
# must add up to 9 migrations, and their enter/exit columns to its rows in the DB.
"$W" --threads 3 --moves 9 --wait --hold > "$T/wa.txt" & PA=$!
wait_ready "$T/wa.txt"
start=$(date +%s%N)
"$TLB_BIN/tlbcollect" -o "$T/l.db" -i 0.2 --poll-ms 10 1.5 > "$T/l.out" 2> "$T/l.err" & CPID=$!
for _ in $(seq 1 100); do grep -q recording "$T/l.err" && break; sleep 0.05; done
kill -USR1 "$PA"; wait_done "$T/wa.txt"
wait "$CPID"; CRC=$?
end=$(date +%s%N)
kill -USR1 "$PA"; wait "$PA"
check_eq "3050.16 positional duration 1.5: exit 0" 0 "$CRC"
dur=$(meta "$T/l.db" duration_ns)
ok_if "3050.17 ... recorded 1.5 s (duration_ns $dur)" test "${dur:-0}" -ge 1500000000 -a "${dur:-0}" -lt 6000000000
nint=$(grep -c '^tlbcollect: [0-9.]* s (+[0-9.]* s): [0-9]* records, [0-9]* lost$' "$T/l.err")
# 7 intervals + the last partial one; a loaded machine delays the loop (a busy writer holds
# it back), so at least 3, and every line's "+x s" is about 0.2 s or more
ok_if "3050.18 interval lines through the capture (8 expected, >= 3 on a loaded machine: $nint)" test "$nint" -ge 3
check_grep "3050.19 per-VM header" '^ +vm name +enter +exit +migrate +hcalls  hcalls by opcode$' "$T/l.err"
VM=$(sqlite3 "$T/l.db" "SELECT id FROM vm WHERE pid = $PA"); VM=${VM:-none}
awk -v vm="$VM" '$1 == vm && NF >= 6 { e += $(NF-3); x += $(NF-2); m += $(NF-1); h += $NF } END { print e + 0, x + 0, m + 0, h + 0 }' \
	"$T/l.err" > "$T/sums.txt"
# the columns from the right: enter exit migrate hcalls (no hcall opcodes on this kernel)
read -r le lx lm lh < "$T/sums.txt"
check_eq "3050.20 live migrations of the workload's VM add up to its 9 moves" 9 "$lm"
check_eq "3050.21 live guest entries add up to its rows in the DB" \
	"$(sqlite3 "$T/l.db" "SELECT count(*) FROM guest_entry WHERE vm = $VM")" "$le"
check_eq "3050.22 live guest exits add up to its rows in the DB" \
	"$(sqlite3 "$T/l.db" "SELECT count(*) FROM guest_exit WHERE vm = $VM")" "$lx"
check_eq "3050.23 no hcalls on this kernel (no kvm_hv, no powerpc)" 0 "$lh"
check_grep "3050.24 the end summary still on stdout" '^-- lost events: [0-9]+' "$T/l.out"
ok_if "3050.25 stdout has no live lines (they are on stderr)" test "$(grep -c '^tlbcollect: ' "$T/l.out")" = 0
