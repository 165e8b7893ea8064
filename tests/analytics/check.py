#!/usr/bin/env python3
"""Loads a shenbao export with DuckDB, as a data engineer would, and checks
what tests/analytics.rs cannot see from Rust: the types DuckDB gives every
column (inferred by read_json_auto / read_csv_auto, declared by
sql/duckdb.sql, written into the Parquet files), one amount exact to the fen, the forms counted once per
unit and year, and every record valid against `shenbao schema`.

    python3 tests/analytics/check.py EXPORT_DIR SCHEMA.json TRUTH.json RECORDS.jsonl...

TRUTH.json: {"fen_exact": [path, form_index, name, amount], "forms_per_unit_year":
[[unit, year, n], ...]}. Prints one line per failed check; exits 1 if any.
Needs the duckdb and jsonschema packages (scripts/setup.sh installs them).
"""
import json
import sys
from decimal import Decimal

import duckdb
import jsonschema

MONEY = ["total_budget", "current_year_budget", "prior_year_budget", "prior_year_spent"]
failures = []


def _set(path, value):
    def change(r):
        *head, last = path
        for k in head:
            r = r[k]
        r[last] = value
    return change


def _drop(key):
    return lambda r: r.pop(key)


# records the schema must refuse: one change each to a valid record
BROKEN = {
    "start_date 2019-13-45": _set(["start_date"], "2019-13-45"),
    "no unit key": _drop("unit"),
    "an extra key": _set(["extra"], 1),
    "a warning code not in the list": lambda r: r["warnings"].append(
        {"field": "unit", "code": "nonsense", "message": "x"}),
    "an option not in the list": _set(["fund_use"], "其他"),
    "operator !!": _set(["indicators", 0, "target_parsed"], {"op": "!!", "value": 1.0, "unit": ""}),
    "page 0": _set(["source", "pages"], [0]),
    "year 19": _set(["year"], 19),
    "an amount as a string": _set(["total_budget"], "1.00"),
    "a provenance page 0": lambda r: r["provenance"].update(
        {"unit": {"page": 0, "bbox": {"x0": 0, "top": 0, "x1": 1, "bottom": 1}}}),
    "a source key dropped": lambda r: r["source"].pop("sha256"),
}


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def types(con, query):
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {query}").fetchall()}


def main(export, schema_path, truth_path, *records):
    truth = json.load(open(truth_path))
    con = duckdb.connect()
    # 1. inferred, straight from the files: no amount may be an integer type
    for fmt, reader in [("jsonl", "read_json_auto"), ("csv", "read_csv_auto")]:
        t = types(con, f"SELECT * FROM {reader}('{export}/forms.{fmt}')")
        for c in MONEY:
            check(t.get(c) in ("DOUBLE", "DECIMAL(18,2)"), f"{fmt} forms.{c} inferred as {t.get(c)}")
        t = types(con, f"SELECT * FROM {reader}('{export}/funding_components.{fmt}')")
        check(t.get("amount") in ("DOUBLE", "DECIMAL(18,2)"), f"{fmt} amount inferred as {t.get('amount')}")
    t = types(con, f"SELECT * FROM read_json_auto('{export}/records.jsonl')")
    for c in MONEY:
        check(t.get(c) == "DOUBLE", f"records.jsonl {c} inferred as {t.get(c)}")
    # 2. declared by sql/duckdb.sql
    con.execute(f"SET VARIABLE shenbao_export = '{export}'")
    con.execute(open("sql/duckdb.sql").read())
    t = types(con, "forms")
    want = {"year": "BIGINT", "start_date": "DATE", "end_date": "DATE", "ocr": "BOOLEAN",
            "counted": "BOOLEAN", "form_key": "VARCHAR", "source_kind": "VARCHAR",
            "template": "VARCHAR", "total_funds": "DECIMAL(18,2)"}
    want.update({c: "DECIMAL(18,2)" for c in MONEY})
    for c, ty in want.items():
        check(t.get(c) == ty, f"view forms.{c} is {t.get(c)}, not {ty}")
    check(types(con, "funding_components").get("amount") == "DECIMAL(18,2)", "view amount type")
    check(types(con, "indicators").get("target_value") == "DOUBLE", "view target_value type")
    # the second template's tables: rows typed, a remark column, the schedule
    check(types(con, "annual_indicators").get("remark") == "VARCHAR", "view remark type")
    n = con.execute("SELECT count(*) FROM schedule WHERE task IS NOT NULL").fetchone()[0]
    check(n > 0, "no schedule rows read through the view")
    got = con.execute("SELECT template, count(*) FROM forms GROUP BY ALL ORDER BY ALL").fetchall()
    check([t for t, _ in got] == ["national-project", "shanghai-2019"], f"templates: {got}")
    # 2b. Parquet: typed by the writer, the same rows as the CSV
    t = types(con, f"SELECT * FROM read_parquet('{export}/forms.parquet')")
    want = {"year": "BIGINT", "start_date": "DATE", "end_date": "DATE", "ocr": "BOOLEAN",
            "counted": "BOOLEAN", "form_key": "VARCHAR"}
    want.update({c: "DECIMAL(18,2)" for c in MONEY})
    for c, ty in want.items():
        check(t.get(c) == ty, f"parquet forms.{c} is {t.get(c)}, not {ty}")
    t = types(con, f"SELECT * FROM read_parquet('{export}/funding_components.parquet')")
    check(t.get("amount") == "DECIMAL(18,2)", f"parquet amount is {t.get('amount')}")
    for table in ["files", "forms", "funding_components", "indicators", "warnings", "project_years"]:
        a = con.execute(f"SELECT count(*) FROM read_parquet('{export}/{table}.parquet')").fetchone()[0]
        b = con.execute(f"SELECT count(*) FROM read_csv_auto('{export}/{table}.csv')").fetchone()[0]
        check(a == b, f"{table}: {a} Parquet rows, {b} CSV rows")
    t = types(con, "project_years")
    for c, ty in {"year": "BIGINT", "prior_year_budget": "DECIMAL(18,2)",
                  "mismatch": "BOOLEAN", "budget_growth": "DOUBLE"}.items():
        check(t.get(c) == ty, f"view project_years.{c} is {t.get(c)}, not {ty}")
    # 3. one amount with fen, exact through every reader
    path, index, name, amount = truth["fen_exact"]
    want = Decimal(amount)
    q = "SELECT amount FROM {} WHERE path = ? AND form_index = ? AND name = ?"
    for src in ["funding_components", f"read_json_auto('{export}/funding_components.jsonl')",
                f"read_parquet('{export}/funding_components.parquet')",
                f"read_csv_auto('{export}/funding_components.csv')"]:
        got = con.execute(q.format(src), [path, index, name]).fetchall()
        check(len(got) == 1 and Decimal(str(got[0][0])) == want, f"{src}: {name} = {got}, not {amount}")
    # 4. each form counted once
    got = con.execute("SELECT unit, year, count(*) FROM forms_latest GROUP BY ALL ORDER BY ALL").fetchall()
    want = sorted(tuple(x) for x in truth["forms_per_unit_year"])
    check(sorted(got) == want, f"forms_latest per unit and year: {got} != {want}")
    # 5. every record valid against the schema
    schema = json.load(open(schema_path))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    n = 0
    for f in records:
        for line in open(f, encoding="utf-8"):
            n += 1
            for e in v.iter_errors(json.loads(line)):
                check(False, f"{f}: record {n}: {e.json_path}: {e.message[:200]}")
    check(n > 0, "no record validated")
    # 6. and what is not a record is refused
    first = json.loads(open(records[0], encoding="utf-8").readline())
    for what, change in BROKEN.items():
        r = json.loads(json.dumps(first))
        change(r)
        check(not v.is_valid(r), f"schema accepts a record with {what}")
    print(f"analytics: {n} records validated, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
