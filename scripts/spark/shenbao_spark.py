#!/usr/bin/env python3
"""shenbao on Spark: an archive's forms read on the executors, written as
Parquet tables (see README.md beside this file).

    spark-submit scripts/spark/shenbao_spark.py --shenbao target/release/shenbao \\
        --out hdfs:///tables/ hdfs:///archive/2019/ hdfs:///archive/2020/

Each task gets a few files (their bytes, read by Spark's `binaryFile`
source from any file system Spark reads), writes them into a scratch
folder, and runs the `shenbao` binary on them: `ingest` into a store of
its own, whose tables it reads with the queries `shenbao export` runs.
The rows come back to Spark typed by `shenbao schema --tables` (nothing
inferred). What needs the whole
archive is then computed with the SQL the binary prints too: which copy
of a form counts (`copies_sql`) and each project's years side by side
(`project_years_sql`). The tables are written as Parquet, those with a
year partitioned by it.

A file that fails is a row of `files` (and `failures`) with its code and
reason, never a failed task; a task that fails (the binary missing, a
full disk) is retried by Spark and its rows are written once.
"""

import argparse
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from pyspark import SparkFiles, StorageLevel, TaskContext
from pyspark.sql import SparkSession
from pyspark.sql import types as T

KINDS = {
    "int": T.LongType(), "bool": T.BooleanType(), "real": T.DoubleType(),
    "money": T.DecimalType(18, 2), "text": T.StringType(), "date": T.DateType(),
    "json": T.StringType(),
}


def table_order(spec):
    """The tables written, in order: the binary's (`shenbao schema
    --tables`: one per table field of every template), with the failed
    files after `files`."""
    order = [t["name"] for t in spec["tables"]]
    order.insert(order.index("files") + 1, "failures")
    return order


def spark_schema(columns):
    return T.StructType([T.StructField(c["name"], KINDS[c["kind"]], True) for c in columns])


def convert(value, kind):
    """One value as the store holds it (SQLite) as the Spark type of its kind."""
    if value is None:
        return None
    if kind == "money":
        # the shortest text of the float is the amount stored: exact to the fen
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "bool":
        return bool(value)
    if kind == "real":
        return float(value)
    return value


def read_partition(files, shenbao, tables, relative_to, fail_first_attempt):
    """The rows of one task's files: (table, row tuple), paths as given."""
    files = list(files)
    if not files:
        return
    scratch = tempfile.mkdtemp(prefix="shenbao-spark-")
    try:
        names = {}
        for i, f in enumerate(files):
            base = os.path.basename(f.path.rstrip("/")) or "file"
            local = os.path.join("in", str(i), base)
            os.makedirs(os.path.join(scratch, "in", str(i)))
            with open(os.path.join(scratch, local), "wb") as out:
                out.write(f.content)
            path = f.path
            if relative_to and path.startswith(relative_to):
                path = path[len(relative_to):]
            names[local] = path
        # one file at a time, on the task's cores only (OCR reads a page's
        # lines on a thread pool): Spark runs the tasks side by side
        ctx = TaskContext.get()
        cpus = ctx.cpus() if ctx is not None else 1
        env = dict(os.environ, RAYON_NUM_THREADS=str(cpus))
        run = [shenbao, "ingest", "-q", "--jobs", "1", "--db", "store.sqlite"] + sorted(names)
        r = subprocess.run(run, cwd=scratch, capture_output=True, text=True, env=env)
        if r.returncode not in (0, 1):  # 1: some file failed, stored as a row
            raise RuntimeError(f"shenbao ingest exited {r.returncode}: {r.stderr[-2000:]}")
        if fail_first_attempt and ctx is not None and ctx.attemptNumber() == 0 \
                and ctx.partitionId() == 0:
            raise RuntimeError("failing the first attempt, as asked (--fail-first-attempt)")
        # the rows as `shenbao export` reads them: its own queries
        con = sqlite3.connect(os.path.join(scratch, "store.sqlite"))
        try:
            for t in tables:
                if t["name"] == "project_years":
                    continue  # made from the whole archive
                kinds = [c["kind"] for c in t["columns"]]
                names_at = [i for i, c in enumerate(t["columns"])
                            if c["name"] in ("path", "last_path")]
                for row in con.execute(t["query"]):
                    row = [convert(v, k) for v, k in zip(row, kinds)]
                    for i in names_at:
                        if row[i] is not None:
                            row[i] = names[row[i]]
                    yield t["name"], tuple(row)
        finally:
            con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="files or folders (any URI Spark reads), "
                    "walked for *.pdf and *.txt")
    ap.add_argument("--shenbao", required=True, help="the shenbao binary (shipped to the "
                    "executors with the job)")
    ap.add_argument("--out", required=True, help="folder (URI) the Parquet tables go into")
    ap.add_argument("--task-bytes", type=int, default=32 << 20,
                    help="bytes of input per task (default 32 MiB); each file counts at "
                    "least --file-cost")
    ap.add_argument("--file-cost", type=int, default=4 << 20,
                    help="bytes a file counts for when tasks are cut (default 4 MiB: "
                    "about 8 files a task, 6 scans)")
    ap.add_argument("--relative-to", default="",
                    help="a prefix cut from every path (e.g. file:/data/ to store archive/x.pdf)")
    ap.add_argument("--fail-first-attempt", action="store_true",
                    help="fail the first attempt of task 0 after it ran (to test retries)")
    args = ap.parse_args(argv)

    spec = json.loads(subprocess.run([args.shenbao, "schema", "--tables"], check=True,
                                     capture_output=True, text=True).stdout)
    tables = spec["tables"]
    year = spec["form_year"]
    order = table_order(spec)
    spark = (SparkSession.builder.appName("shenbao")
             .config("spark.sql.files.maxPartitionBytes", str(args.task_bytes))
             .config("spark.sql.files.openCostInBytes", str(args.file_cost))
             .getOrCreate())
    sc = spark.sparkContext
    sc.addFile(os.path.abspath(args.shenbao))
    # the tasks' code, where this file is imported rather than submitted
    sc.addPyFile(os.path.abspath(__file__))
    binary = os.path.basename(args.shenbao)

    files = (spark.read.format("binaryFile")
             .option("recursiveFileLookup", "true")
             .option("pathGlobFilter", "*.{pdf,txt,PDF,TXT}")
             .load(args.paths)
             .select("path", "content"))

    def task(rows):
        exe = SparkFiles.get(binary)
        os.chmod(exe, 0o755)
        return read_partition(rows, exe, tables, args.relative_to, args.fail_first_attempt)

    t0 = time.monotonic()

    def log(what):
        print(f"shenbao-spark: {what} ({time.monotonic() - t0:.1f} s)", file=sys.stderr)

    # the files read, once: the rows kept while the tables are made
    rows = files.rdd.mapPartitions(task).persist(StorageLevel.MEMORY_AND_DISK)
    log(f"{rows.count()} rows read")
    # the tables are small beside the reading: fewer, larger partitions
    packed = rows.coalesce(max(1, sc.defaultParallelism * 2))
    frames = {}
    for t in tables:
        if t["name"] == "project_years":
            continue
        name = t["name"]
        part = packed.filter(lambda r, n=name: r[0] == n).map(lambda r: r[1])
        # typed once, kept in Spark's columns: the tables below read it again
        frames[name] = spark.createDataFrame(part, spark_schema(t["columns"])).cache()

    # which copy counts, and each project's years: the binary's own SQL
    forms = frames["forms"].drop("copies", "counted")
    forms.createOrReplaceTempView("forms")
    copies = spark.sql(spec["copies_sql"]).select("path", "form_index", "copies", "copy_rank")
    forms_cols = [c["name"] for c in next(t for t in tables if t["name"] == "forms")["columns"]]
    forms = (forms.join(copies, ["path", "form_index"])
             .selectExpr("*", "copy_rank = 1 AND form_key IS NOT NULL AS counted")
             .select(*forms_cols))
    forms = forms.cache()
    frames["forms"] = forms
    forms.createOrReplaceTempView("forms")
    spark.sql("SELECT * FROM forms WHERE counted").createOrReplaceTempView("forms_latest")
    py = next((t for t in tables if t["name"] == "project_years"), None)
    if py is not None and spec["project_years_sql"]:
        df = spark.sql(spec["project_years_sql"])
        frames["project_years"] = df.select(
            *[df[c["name"]].cast(KINDS[c["kind"]]).alias(c["name"]) for c in py["columns"]])
    frames["failures"] = frames["files"].where("status = 'failed'")

    years = forms.select("path", "form_index", year)
    out = args.out.rstrip("/")
    for name in order:
        if name not in frames:
            continue
        df = frames[name]
        if name in ("forms", "project_years"):
            writer = df.write.mode("overwrite").partitionBy(year)
        elif year and "form_index" in df.columns:
            writer = (df.join(years, ["path", "form_index"], "left")
                      .write.mode("overwrite").partitionBy(year))
        else:
            writer = df.write.mode("overwrite")
        writer.parquet(f"{out}/{name}")
        log(f"{name} written")
    counts = {n: frames[n].count() for n in order if n in frames}
    print("shenbao-spark: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    rows.unpersist()
    spark.stop()


if __name__ == "__main__":
    main()
