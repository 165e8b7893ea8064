#!/usr/bin/env python3
"""Reads a `shenbao export` folder with DuckDB and pandas, as they are, and
checks row counts against the store. Not part of CI (needs
`pip install duckdb pandas`).

    python3 scripts/check_exports.py archive.sqlite tables-csv csv
    python3 scripts/check_exports.py archive.sqlite tables-jsonl jsonl
"""
import sqlite3
import sys

import duckdb
import pandas as pd

TABLES = ["files", "forms", "funding_components", "indicators", "warnings"]


def main(db, folder, fmt):
    con = sqlite3.connect(db)
    bad = 0
    for t in TABLES:
        p = f"{folder}/{t}.{fmt}"
        reader = "read_csv_auto" if fmt == "csv" else "read_json_auto"
        n_duck = duckdb.sql(f"SELECT count(*) FROM {reader}('{p}')").fetchall()[0][0]
        n_pd = len(pd.read_csv(p) if fmt == "csv" else pd.read_json(p, lines=True))
        n = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        ok = n_duck == n_pd == n
        bad += not ok
        print(f"{t:20} store {n:7} duckdb {n_duck:7} pandas {n_pd:7} {'ok' if ok else 'MISMATCH'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
