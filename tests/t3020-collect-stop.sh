#!/usr/bin/env bash
# t3020-collect-stop: SIGINT in the middle of heavy load. The DB is whole (integrity_check),
# every record the BPF side counted is a row or a counted loss (received = written +
# filtered + lost, the loss also as `lost` rows), and nothing of ours stays attached.
# A deliberately small ring buffer drained slowly must lose records and say so.
. "$(dirname "$0")/lib.sh"
. "$ROOT/collector/test/collect-lib.sh"
collect_prereqs
need_cmd bpftool || skip_all "bpftool is needed to see what is attached"
W=$TLB_TESTBIN/collect-workload

# check_accounting ID DB: the identities every capture must satisfy
check_accounting() {
	local id=$1 db=$2 rx wr fl lost rows creates lostrows lostsum
	rx=$(meta "$db" events_received); wr=$(meta "$db" events_written)
	fl=$(meta "$db" events_filtered); lost=$(meta "$db" lost_events)
	rows=$(sqlite3 "$db" "SELECT count(*) FROM event")
	creates=$(sqlite3 "$db" "SELECT count(*) FROM vcpu_creation")
	lostrows=$(sqlite3 "$db" "SELECT count(*) FROM lost_events")
	lostsum=$(sqlite3 "$db" "SELECT coalesce(sum(count), 0) FROM lost_events")
	check_eq "$id.1 integrity_check" ok "$(sqlite3 "$db" "PRAGMA integrity_check")"
	check_eq "$id.2 received ($rx) = written + filtered + lost" "$rx" "$((wr + fl + lost))"
	# here every written record is one row (no entry/exit pairing on this kernel)
	check_eq "$id.3 rows = written records + vcpu_create + lost rows" "$rows" "$((wr + creates + lostrows))"
	check_eq "$id.4 lost rows add up to meta lost_events" "$lost" "$lostsum"
	check_eq "$id.5 events_<kind> meta matches the rows" "$(sqlite3 "$db" "SELECT count(*) FROM guest_entry")" \
		"$(meta "$db" events_guest_enter | sed "s/^$/0/")"
}

# --- 3020.1-9: default ring, SIGINT after 2 s of 4 ping-pong pairs
"$W" --pingpong 30 --threads 8 > "$T/w.txt" & WP=$!
before=$(tlbc_prog_ids)
collect_start "$T/a.db"
sleep 2
ours=$(new_ids "$before" "$(tlbc_prog_ids)")
ok_if "3020.1 our programs are loaded while recording (ids: $ours)" test -n "$ours"
kill -INT "$CPID"
# The load stops with the signal sent: the collector's drain of its backlog (ring buffer
# and queue: every record already received is written) then does not compete with it.
kill -TERM "$WP"; wait "$WP"
collect_wait
check_eq "3020.2 exit 0 on SIGINT under load" 0 "$CRC"
check_eq "3020.3 none of our programs left afterwards" "" "$(common_ids "$ours" "$(tlbc_prog_ids)")"
check_grep "3020.4 summary ends with the lost count" '^-- lost events: [0-9]+' "$T/c.out"
ok_if "3020.5 a heavy capture (> 10000 records)" test "$(meta "$T/a.db" events_received)" -gt 10000
check_accounting 3020.6 "$T/a.db"
check_eq "3020.7 mode 0600" 600 "$(stat -c %a "$T/a.db")"
check_eq "3020.8 end_time written" 1 "$(sqlite3 "$T/a.db" "SELECT count(*) FROM meta WHERE key='end_time'")"

# --- 3020.9-: a 1 MiB ring drained once a second cannot hold a second of this load
"$W" --pingpong 30 --threads 8 > "$T/w2.txt" & WP=$!
before=$(tlbc_prog_ids)
collect_start "$T/b.db" --ring-mb 1 --poll-ms 1000
sleep 2.5
ours=$(new_ids "$before" "$(tlbc_prog_ids)")
kill -INT "$CPID"
kill -TERM "$WP"; wait "$WP"
collect_wait
check_eq "3020.9 exit 0" 0 "$CRC"
ok_if "3020.10 records were lost and counted ($(meta "$T/b.db" lost_events))" test "$(meta "$T/b.db" lost_events)" -gt 0
check_grep "3020.11 the loss is printed" '^-- lost events: [1-9][0-9]*' "$T/c.out"
check_accounting 3020.12 "$T/b.db"
check_eq "3020.13 none of our programs left afterwards" "" "$(common_ids "$ours" "$(tlbc_prog_ids)")"
