#!/usr/bin/env bash
# t0001: the schema file and the shared reader/writer keep the trace contract.
. "$(dirname "$0")/lib.sh"

# schemas/trace-v1.sql on an empty file gives a valid, empty trace DB, kinds included.
ok_if "t0001.1 schema runs on an empty file" sqlite3 "$T/empty.db" ".read $ROOT/schemas/trace-v1.sql"
check_eq "t0001.2 schema_version is 1" "1" "$(sqlite3 "$T/empty.db" "SELECT value FROM meta WHERE key='schema_version'")"
check_eq "t0001.3 the eight contract kinds" \
	"guest_enter guest_exit hcall host_inval hpt_reset lost migrate vcpu_create" \
	"$(sqlite3 "$T/empty.db" "SELECT name FROM event_kind WHERE name IN ('vcpu_create','guest_enter','guest_exit','hcall','host_inval','hpt_reset','migrate','lost') ORDER BY name" | tr '\n' ' ' | sed 's/ $//')"
ok_if "t0001.4 schema is idempotent (completes a file twice)" sqlite3 "$T/empty.db" ".read $ROOT/schemas/trace-v1.sql"
check_eq "t0001.5 views resolve kinds by name" "0" "$(sqlite3 "$T/empty.db" "SELECT count(*) FROM hcall")"

# The C side: writer and reader round trip, refusals, bad inputs.
"$TLB_TESTBIN/tracedb_test" "$T"
