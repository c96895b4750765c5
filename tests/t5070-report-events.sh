#!/usr/bin/env bash
# t5070: --events: the only mode that reads the event table. Counts per kind and the
# events that 'lost' records say were lost, checked against a trace written by hand;
# lost events found there are flagged even when the meta says 0. Without --events
# the event table is not needed at all (a report works with it emptied: t5030).
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
FIX=$ROOT/analysis/testdata
db=$T/ev.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db" < "$FIX/two-vms-results.sql"
# By hand: 3 guest_enter, 2 hcall, 1 vcpu_create, 2 lost events carrying 5 + 4 = 9.
sqlite3 "$db" "INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3) VALUES
 (0, -1, 1, 0, 1, NULL, NULL, NULL, NULL), (10, 0, 1, 0, 2, NULL, NULL, NULL, NULL),
 (20, 0, 1, 0, 4, 4, 0, 1, 0), (25, 3, 0, NULL, 8, 5, NULL, NULL, NULL),
 (30, 4, 1, 0, 2, NULL, NULL, NULL, NULL), (40, 4, 1, 0, 4, 24, 0, 1, 0),
 (45, 3, 0, NULL, 8, 4, NULL, NULL, NULL), (50, 0, 1, 0, 2, NULL, NULL, NULL, NULL);"
check_exit "5070.1 report without --events" 0 tlb tlbreport -o "$T/a" --format none "$db"
ok_if "5070.2 ... shows no event counts" bash -c "! grep -q 'Events in the trace' '$T/a/summary.md'"
ok_if "5070.3 ... and no alert (meta says 0 lost)" bash -c "! grep -q 'class=\"alert\"' '$T/a/index.html'"
check_exit "5070.4 report with --events" 0 tlb tlbreport -o "$T/b" --events "$db"
check_eq "5070.5 events per kind, by hand" "| guest_enter | 3 |
| hcall | 2 |
| lost | 2 |
| vcpu_create | 1 |
| (lost, sum of the 'lost' events) | 9 |" "$(grep -A6 '^| kind | events |' "$T/b/summary.md" | tail -5)"
check_grep "5070.6 the lost events found are flagged in the HTML" 'class="alert">Incomplete capture: 9 events were lost' "$T/b/index.html"
check_grep "5070.7 ... and on stdout" 'WARNING: 9 events lost' "$OUT"
