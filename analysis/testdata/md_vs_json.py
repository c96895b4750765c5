#!/usr/bin/env python3
"""md_vs_json.py SUMMARY.md REPLAY.json - do the numbers of tlbreport's summary.md
equal those `tlbreplay --format json` printed for the same trace? (tests t5xxx)

Reads the "Per VM: every metric" table (one row per policy and VM, "all" for the
sum) and the "Totals over all VMs" table of summary.md, and compares every metric
of every row of the JSON's "results". Prints each difference; exit 1 if any, or
if a row is missing on either side.
"""
import json
import sys


def tables(md):
    """{heading: [ {column: cell} ]} for each markdown table under a '## ' heading."""
    out, heading, header = {}, None, None
    for line in md.splitlines():
        if line.startswith("## "):
            heading, header = line[3:].strip(), None
            continue
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            out.setdefault(heading, [])
        elif set("".join(cells)) <= set("-: "):
            continue
        else:
            out[heading].append(dict(zip(header, cells)))
    return out


def main():
    md = open(sys.argv[1], encoding="utf-8").read()
    js = json.load(open(sys.argv[2], encoding="utf-8"))
    t = tables(md)
    per_vm = {(r["policy"], r["vm"]): r for r in t.get("Per VM: every metric", [])}
    totals = {r["metric"]: r for r in t.get("Totals over all VMs", [])}
    bad = []
    if not per_vm:
        bad.append("summary.md has no 'Per VM: every metric' table")
    seen = set()
    for row in js["results"]:
        key = (row["policy"], str(row["vm"]))
        seen.add(key)
        md_row = per_vm.get(key)
        if md_row is None:
            bad.append("summary.md lacks the row %s vm %s" % key)
            continue
        for metric, value in row.items():
            if metric in ("policy", "vm"):
                continue
            if md_row.get(metric) != str(value):
                bad.append("%s vm %s %s: summary.md %s, replay %s" % (key + (metric, md_row.get(metric), value)))
            if row["vm"] == "all":
                tot = totals.get(metric, {}).get(row["policy"])
                if tot != str(value):
                    bad.append("totals %s %s: summary.md %s, replay %s" % (row["policy"], metric, tot, value))
    for key in per_vm:
        if key not in seen:
            bad.append("summary.md has a row the replay has not: %s vm %s" % key)
    for line in bad:
        print(line)
    print("compared %d rows" % len(seen))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
