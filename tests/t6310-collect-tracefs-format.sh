#!/usr/bin/env bash
# t6310-collect-tracefs-format - tlbcollect's host mode for kernels without BTF (Debian
# ppc64el; collector/tlbcollect_tf.bpf.c), on this machine's kernel: TLBCOLLECT_NO_BTF=1
# selects it: --verify, a --pid capture of the collect-workload threads (created before the
# collector: their process comes from /proc) with their moves exactly, identity rows,
# meta bpf_mode, no vcpu thread of unknown process, replay. (The same mode on a real
# kvm_hv kernel: t6300.)
. "$(dirname "$0")/lib.sh"
need_root || skip_all "needs root (BPF)"
[ -x "$TLB_BIN/tlbcollect" ] || skip_all "no $TLB_BIN/tlbcollect"
export TLBCOLLECT_NO_BTF=1
check_exit "6310.1 --verify loads the tracefs-format programs" 0 tlb tlbcollect --verify
check_grep "6310.2 --verify names the mode" "tracefs format offsets" "$OUT"
check_grep "6310.3 task_newtask program loaded (thread -> process)" "tlbc_newtask" "$OUT"
"$TLB_TESTBIN/collect-workload" --threads 2 --moves 4 --wait > "$T/w.txt" & PW=$!
for _ in $(seq 1 100); do grep -q ready "$T/w.txt" && break; sleep 0.05; done
"$TLB_BIN/tlbcollect" -o "$T/a.db" --pid "$PW" --poll-ms 10 > "$T/c.out" 2>&1 & PC=$!
for _ in $(seq 1 200); do grep -q recording "$T/c.out" && break; sleep 0.05; done
kill -USR1 "$PW"; wait "$PW"
kill -INT "$PC"; wait "$PC"; rc=$?
check_eq "6310.4 exit 0 on SIGINT" 0 "$rc"
sqlite3 "$T/a.db" "select value from meta where key = 'bpf_mode'" > "$T/mode"
check_grep "6310.5 meta bpf_mode: tracefs format offsets" "tracefs" "$T/mode"
check_eq "6310.6 no vcpu thread of unknown process" 0 \
	"$(sqlite3 "$T/a.db" "select value from meta where key = 'vcpu_process_unknown'")"
check_eq "6310.7 the workload's moves, exactly" "$(grep '^migrate' "$T/w.txt")" \
	"$(sqlite3 "$T/a.db" "SELECT 'migrate', vcpu, orig_cpu, dest_cpu FROM migration ORDER BY ts, id" | tr '|' ' ')"
check_eq "6310.8 one vm row, two vcpu rows with their names" "1 CPU 0/KVM,CPU 1/KVM" \
	"$(sqlite3 "$T/a.db" "select count(distinct v.id) || ' ' || group_concat(c.name) from vm v join vcpu c on c.vm = v.id where v.pid = $PW")"
if [ -x "$TLB_BIN/tlbreplay" ]; then
	check_exit "6310.9 the capture replays" 0 tlb tlbreplay --format json "$T/a.db"
fi
