#!/usr/bin/env bash
# Seconds per scanned page: OCR of fixtures/scanned/*.pdf on one worker
# (-j 1) with each recognizer: PP-OCR (the default where installed),
# tesseract with its three voted passes, tesseract with one pass; wall clock
# and CPU (a page's lines, or tesseract's passes, are read in parallel, so a
# page's wall time is less than its CPU time on 2+ cores), with the accuracy
# of each (strict, and with --text-similarity 0.9).
# Usage: bash scripts/bench_ocr.sh [FILES...]   (default fixtures/scanned)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=target/release/shenbao
files=("$@")
[ "${#files[@]}" -eq 0 ] && files=(fixtures/scanned)
out=$(mktemp)
trap 'rm -f "$out" "$out.time"' EXIT
for run in ppocr:1 tesseract:3 tesseract:1; do
  rec=${run%%:*}
  passes=${run##*:}
  export SHENBAO_OCR_RECOGNIZER=$rec
  /usr/bin/env time -f "%e %U %S" -o "$out.time" \
    env SHENBAO_OCR_PASSES=$passes "$bin" extract -j 1 "${files[@]}" -o "$out" 2>/dev/null || true
  read -r wall user sys < "$out.time"
  pages=$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["source"]["pages"]) for l in open(sys.argv[1])))' "$out")
  strict=$(SHENBAO_OCR_PASSES=$passes "$bin" check --golden golden "${files[@]}" 2>/dev/null | grep '^overall:' || true)
  sim=$(SHENBAO_OCR_PASSES=$passes "$bin" check --golden golden --text-similarity 0.9 "${files[@]}" 2>/dev/null | grep '^overall:' || true)
  python3 - "$rec" "$passes" "$wall" "$user" "$sys" "$pages" "$strict" "$sim" <<'PY'
import sys
rec, passes, wall, user, sys_, pages, strict, sim = sys.argv[1:]
n = max(1, int(pages))
cpu = float(user) + float(sys_)
print(f"{rec}, {passes} pass(es): {n} pages, {float(wall) / n:.2f} s/page wall, {cpu / n:.2f} s/page CPU (1 worker)")
print(f"            strict: {strict}")
print(f"            text-similarity 0.9: {sim}")
PY
done
