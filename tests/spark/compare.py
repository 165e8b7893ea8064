#!/usr/bin/env python3
"""The Spark job's tables against `shenbao export`, row for row.

    python3 tests/spark/compare.py SHENBAO WORKDIR INPUT...

Run from the repository root, INPUTs relative to it. Ingests the inputs
with SHENBAO into a store and exports it as Parquet (the reference), runs
scripts/spark/shenbao_spark.py on them with master local[2,2] (two
cores; a task may fail once) and --fail-first-attempt (task 0's first
attempt fails after reading its files: its retry must not duplicate a
row), then reads both with Spark and compares every table as multisets of
rows (year partitions put back in their columns). Prints what differs;
exits 1 if anything does.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts", "spark"))
import shenbao_spark  # noqa: E402

from pyspark.sql import SparkSession  # noqa: E402


def main(shenbao, work, *inputs):
    shenbao = os.path.abspath(shenbao)
    root = os.getcwd()
    ref = os.path.join(work, "ref")
    db = os.path.join(work, "ref.sqlite")
    r = subprocess.run([shenbao, "ingest", "-q", "--db", db, *inputs], capture_output=True,
                       text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"ingest failed: {r.stderr}")
    subprocess.run([shenbao, "export", "--db", db, "--format", "parquet", "--out", ref],
                   check=True, capture_output=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2,2]").appName("shenbao-compare")
             .config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    out = os.path.join(work, "spark")
    t0 = time.monotonic()
    shenbao_spark.main(["--shenbao", shenbao, "--out", out, "--relative-to",
                        f"file:{root}/", "--fail-first-attempt",
                        *[os.path.join(root, i) for i in inputs]])
    took = time.monotonic() - t0
    spark = SparkSession.builder.master("local[2]").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    failures = []
    counts = {}
    spec = json.loads(subprocess.run([shenbao, "schema", "--tables"], check=True,
                                     capture_output=True, text=True).stdout)
    for name in shenbao_spark.table_order(spec):
        ref_name = "files" if name == "failures" else name
        want = spark.read.parquet(os.path.join(ref, ref_name + ".parquet"))
        if name == "failures":
            want = want.where("status = 'failed'")
        got = spark.read.parquet(os.path.join(out, name))
        cols = [(f.name, f.dataType) for f in want.schema.fields]
        got = got.select(*[got[n].cast(t).alias(n) for n, t in cols])
        types = [f.dataType for f in got.schema.fields]
        if types != [t for _, t in cols]:
            failures.append(f"{name}: types {types}")
        missing, extra = want.exceptAll(got).count(), got.exceptAll(want).count()
        counts[name] = (want.count(), got.count())
        if missing or extra or counts[name][0] != counts[name][1]:
            failures.append(f"{name}: {counts[name][0]} rows in the export, {counts[name][1]} "
                            f"from Spark; {missing} missing, {extra} extra")
            for r in got.exceptAll(want).limit(3).collect():
                failures.append(f"  extra: {r}")
            for r in want.exceptAll(got).limit(3).collect():
                failures.append(f"  missing: {r}")
    spark.stop()
    for f in failures:
        print("FAIL:", f)
    summary = ", ".join(f"{n} {c[0]}" for n, c in counts.items())
    print(f"spark: {summary}; the job took {took:.0f} s; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
