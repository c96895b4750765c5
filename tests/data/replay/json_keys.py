#!/usr/bin/env python3
# json_keys.py EXPECTED.json GOT.json - every key of EXPECTED but "trace" is in GOT with
# the same value (GOT may have more keys: the spec lets tlbreplay print more). Results
# rows are compared in order, each row key by key. Prints the differences; exit 0 if none.
import json
import sys

exp = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
diffs = []
for key, want in exp.items():
    if key == "trace":
        continue
    if key not in got:
        diffs.append(f"missing key {key}")
    elif key == "results":
        if len(want) != len(got[key]):
            diffs.append(f"results: {len(want)} rows expected, {len(got[key])} printed")
        for i, (a, b) in enumerate(zip(want, got[key])):
            for k, v in a.items():
                if b.get(k) != v:
                    diffs.append(f"row {i} ({a.get('policy')}, vm {a.get('vm')}): {k} = {b.get(k)!r}, expected {v!r}")
    elif got[key] != want:
        diffs.append(f"{key} = {got[key]!r}, expected {want!r}")
for d in diffs:
    print(d)
sys.exit(1 if diffs else 0)
