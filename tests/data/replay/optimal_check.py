#!/usr/bin/env python3
# optimal_check.py CSV [BRUTE] - the properties of `optimal` on one replay (t1060):
#   - its stale_exposures are 0, per VM and all;
#   - its cycles are <= those of every policy with 0 stale exposures, per VM and all;
#   - with BRUTE (replay_brute's output for the same trace and costs): per VM, its
#     full_flushes, tlbiel_flush, tlbiel_inval, local_seqs, tlbie, tlbie_seqs and cycles
#     equal the brute force's (VMs the brute force skipped are not compared).
# Prints each failure, then "compared N" (VMs checked against the brute force);
# exit 1 on a failure.
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
by = {(r["policy"], r["vm"]): r for r in rows}
fails = []
vms = sorted({r["vm"] for r in rows})
policies = sorted({r["policy"] for r in rows})
for vm in vms:
    opt = by.get(("optimal", vm))
    if opt is None:
        fails.append(f"no optimal row for vm {vm}")
        continue
    if int(opt["stale_exposures"]) != 0:
        fails.append(f"vm {vm}: optimal has {opt['stale_exposures']} stale exposures")
    for p in policies:
        r = by.get((p, vm))
        if r and int(r["stale_exposures"]) == 0 and int(r["cycles"]) < int(opt["cycles"]):
            fails.append(f"vm {vm}: safe {p} costs {r['cycles']} < optimal {opt['cycles']}")
compared = 0
if len(sys.argv) > 2:
    names = ["full_flushes", "tlbiel_flush", "tlbiel_inval", "local_seqs", "tlbie",
             "tlbie_seqs", "cycles"]
    for line in open(sys.argv[2]):
        f = line.split()
        if f[1] == "skip":
            continue
        opt = by.get(("optimal", f[0]))
        got = [int(opt[n]) for n in names] if opt else None
        want = [int(x) for x in f[1:]]
        if got != want:
            fails.append(f"vm {f[0]}: optimal {got} != brute force {want} ({' '.join(names)})")
        compared += 1
for x in fails:
    print(x)
print(f"compared {compared}")
sys.exit(1 if fails else 0)
