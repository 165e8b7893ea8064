#!/usr/bin/env python3
"""Sanity checks on golden/*.json (schema, key order, invariants) and a
summary of what each golden varies.  Run from the repository root."""

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import KEYS, parse_target  # noqa: E402

bad = 0
for path in sorted(glob.glob("golden/*.json")):
    recs = json.load(open(path, encoding="utf-8"))
    assert isinstance(recs, list) and recs, path
    for i, r in enumerate(recs):
        where = f"{path}[{i}]"
        if list(r) != KEYS:
            print(where, "key order", list(r)); bad += 1
        for k in ("start_date", "end_date"):
            if r[k] is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", r[k]):
                print(where, k, r[k]); bad += 1
        for ind in r["indicators"]:
            if list(ind) != ["level1", "level2", "level3", "target", "target_parsed"]:
                print(where, "indicator keys"); bad += 1
            if ind["target_parsed"] != parse_target(ind["target"]):
                print(where, "target_parsed", ind); bad += 1
        s = round(sum(c["amount"] for c in r["funding_components"]), 2)
        note = "" if s == r["current_year_budget"] else f" SUM {s} != {r['current_year_budget']}"
        l2 = sorted({(x["level1"], x["level2"]) for x in r["indicators"]})
        print(f"{where}: {r['year']} {r['unit']} | {r['project_name']} | type={r['project_type']} "
              f"| funds={len(r['funding_components'])} inds={len(r['indicators'])} "
              f"prior={'empty' if r['prior_year_budget'] is None else 'set'} "
              f"remarks={'yes' if r['remarks'] else 'no'}{note}")
combined = json.load(open("golden/2019-dsjzx-forms-1-3.json", encoding="utf-8"))
singles = [json.load(open(f"golden/sample-2019-dsjzx-{i}.json", encoding="utf-8"))[0]
           for i in (1, 2, 3)]
if combined != singles:
    print("golden/2019-dsjzx-forms-1-3.json differs from the per-form sample goldens"); bad += 1
for path in sorted(glob.glob("golden/*.json")):
    if not os.path.exists("fixtures/" + os.path.basename(path)[:-5] + ".pdf"):
        print(path, "has no fixture PDF"); bad += 1
print("problems:", bad)
sys.exit(1 if bad else 0)
