#!/usr/bin/env python3
# timeline_check.py TIMELINE.json CSV ENTRIES - a tlbreplay --timeline file against the
# same run's CSV (t1070): per policy, the instants add up to its "all" row (full
# flushes, local and global sequences and their n, stale exposures); one vcpu run slice
# per guest entry on a known cpu (ENTRIES, counted in the trace by SQL); every event has
# the trace-event fields its phase needs. Prints each failure; exit 1 on any.
import csv
import json
import sys
from collections import defaultdict

doc = json.load(open(sys.argv[1]))
rows = {r["policy"]: r for r in csv.DictReader(open(sys.argv[2])) if r["vm"] == "all"}
entries = int(sys.argv[3])
ev = doc["traceEvents"]
fails = []
pid_policy = {}
for e in ev:
    if e.get("ph") == "M" and e.get("name") == "process_name" and e["args"]["name"].startswith("policy "):
        pid_policy[e["pid"]] = e["args"]["name"][len("policy "):]
if sorted(pid_policy.values()) != sorted(rows):
    fails.append(f"policy processes {sorted(pid_policy.values())} != csv policies {sorted(rows)}")
sums = defaultdict(lambda: defaultdict(int))
runs = 0
for e in ev:
    ph = e.get("ph")
    if ph not in ("M", "i", "X"):
        fails.append(f"unexpected phase {ph!r}")
        continue
    if ph == "M":
        continue
    for k in ("name", "ts", "pid", "tid"):
        if k not in e:
            fails.append(f"event without {k}: {e}")
    if ph == "X":
        if e.get("dur", -1) < 0:
            fails.append(f"slice with a negative or no dur: {e}")
        runs += 1
        continue
    p = pid_policy.get(e["pid"])
    a = e["args"]
    s = sums[p]
    if e["name"] == "full flush":
        s["full_flushes"] += 1
    elif e["name"] == "local invalidation":
        s["local_seqs"] += a["seqs"]
        s["tlbiel_inval"] += a["n"]
    elif e["name"] == "global invalidation":
        s["tlbie_seqs"] += a["seqs"]
        s["tlbie"] += a["n"]
    elif e["name"] == "stale exposure":
        s["stale_exposures"] += 1
        if a["cause"] not in ("local invalidation", "hpt reset") or a["marked_at_ns"] > e["ts"] * 1000:
            fails.append(f"exposure with a bad cause: {e}")
for p, r in rows.items():
    for k in ("full_flushes", "local_seqs", "tlbiel_inval", "tlbie_seqs", "tlbie", "stale_exposures"):
        if sums[p][k] != int(r[k]):
            fails.append(f"{p}: {k} timeline {sums[p][k]} != replay {r[k]}")
if runs != entries:
    fails.append(f"{runs} vcpu run slices, {entries} guest entries on a known cpu")
for f in fails[:20]:
    print(f)
sys.exit(1 if fails else 0)
