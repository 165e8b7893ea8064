#!/usr/bin/env bash
# Measure shenbao on the degradation corpus, one `check` run per degradation kind.
#
#   scripts/bench_degraded.sh [DIR] [JOBS]    # DIR default fixtures/degraded/tuning, JOBS default 1
#
# Builds the release binary, then for each degradation kind (the part of the
# file name after SOURCE = pf-NN-PRODUCER) runs
#   ./target/release/shenbao check -j JOBS --golden golden/degraded FILES
# and prints a table: kind, files, pages, fields right, total, % right, silent
# (the "N silent" of check's overall: line: wrong with no warning), s/page wall.
# GOLDEN=dir overrides the golden folder (for a corpus made with --golden-out).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-fixtures/degraded/tuning}
JOBS=${2:-1}
GOLDEN=${GOLDEN:-golden/degraded}
cargo build --release -q
BIN=./target/release/shenbao

kinds=$(for f in "$DIR"/*.pdf; do basename "$f" .pdf | cut -d- -f4-; done | sort -u)
printf '| %-14s | %5s | %5s | %6s | %6s | %6s | %6s | %7s |\n' \
    degradation files pages right total '%' silent 's/page'
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------- ------- ------- -------- -------- -------- -------- ---------
T_R=0; T_T=0; T_S=0; T_P=0; T_F=0; T_W=0
for k in $kinds; do
    files=()
    for f in "$DIR"/[pn]f-*-*-"$k".pdf; do
        # exact kind only (rot3 must not take persp-strong's files and so on)
        [ "$(basename "$f" .pdf | cut -d- -f4-)" = "$k" ] && files+=("$f")
    done
    pages=0
    for f in "${files[@]}"; do
        pages=$((pages + $(pdfinfo "$f" | awk '/^Pages:/{print $2}')))
    done
    t0=$(date +%s.%N)
    out=$("$BIN" check -j "$JOBS" --golden "$GOLDEN" "${files[@]}" 2>/dev/null || true)
    t1=$(date +%s.%N)
    line=$(printf '%s\n' "$out" | grep '^overall:' | tail -1)
    right=$(printf '%s' "$line" | sed -E 's/^overall: ([0-9]+)\/([0-9]+).*/\1/')
    total=$(printf '%s' "$line" | sed -E 's/^overall: ([0-9]+)\/([0-9]+).*/\2/')
    silent=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) silent.*/\1/')
    wall=$(echo "$t1 - $t0" | bc -l)
    printf '| %-14s | %5d | %5d | %6d | %6d | %5.1f%% | %6d | %7.2f |\n' "$k" "${#files[@]}" \
        "$pages" "$right" "$total" "$(echo "100 * $right / $total" | bc -l)" "$silent" \
        "$(echo "$wall / $pages" | bc -l)"
    T_R=$((T_R + right)); T_T=$((T_T + total)); T_S=$((T_S + silent)); T_P=$((T_P + pages))
    T_F=$((T_F + ${#files[@]})); T_W=$(echo "$T_W + $wall" | bc -l)
done
printf '| %-14s | %5d | %5d | %6d | %6d | %5.1f%% | %6d | %7.2f |\n' all "$T_F" "$T_P" "$T_R" \
    "$T_T" "$(echo "100 * $T_R / $T_T" | bc -l)" "$T_S" "$(echo "$T_W / $T_P" | bc -l)"
