#!/usr/bin/env python3
"""Runs a DuckDB SQL script as the duckdb CLI would, in the current
folder: `.read FILE` lines are replaced by the file's text. Prints the
last statement's rows, one a line; exits 1 on an error or no rows.

    python3 tests/analytics/run_sql.py SCRIPT.sql
"""
import sys

import duckdb


def expand(text):
    out = []
    for line in text.splitlines():
        if line.strip().startswith(".read "):
            out.append(expand(open(line.strip()[len(".read "):].strip()).read()))
        else:
            out.append(line)
    return "\n".join(out)


def main(script):
    rows = duckdb.connect().execute(expand(open(script).read())).fetchall()
    for r in rows:
        print(*r, sep="\t")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
