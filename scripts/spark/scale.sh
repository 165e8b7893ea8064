#!/usr/bin/env bash
# How the Spark job scales with executor cores: runs it on FOLDER with
# local[1] and local[2] (the tables thrown away) and prints the wall time of
# each. Usage: scripts/spark/scale.sh SHENBAO FOLDER
set -euo pipefail
bin=$(readlink -f "$1"); folder=$(readlink -f "$2")
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
here=$(dirname "$(readlink -f "$0")")
for cores in 1 2; do
  start=$(date +%s.%N)
  spark-submit --master "local[$cores]" --conf spark.ui.enabled=false \
    "$here/shenbao_spark.py" --shenbao "$bin" --out "$out/t$cores" "$folder" \
    2> "$out/log$cores" || { tail -20 "$out/log$cores"; exit 1; }
  end=$(date +%s.%N)
  printf 'local[%s]: %.1f s; %s\n' "$cores" "$(echo "$end - $start" | bc)" \
    "$(grep '^shenbao-spark: [0-9]* rows read' "$out/log$cores")"
done
