#!/usr/bin/env bash
# Seconds per scanned page: OCR of fixtures/scanned/*.pdf on one worker
# (-j 1), per-cell OCR (default) and whole-page OCR, with the accuracy of
# each (strict and with --text-similarity 0.9).
# Usage: bash scripts/bench_ocr.sh [FILES...]   (default fixtures/scanned)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=target/release/shenbao
files=("$@")
[ "${#files[@]}" -eq 0 ] && files=(fixtures/scanned)
for mode in 1 0; do
  label=$([ "$mode" = 1 ] && echo "per-cell" || echo "whole-page")
  start=$(date +%s.%N)
  SHENBAO_OCR_PER_CELL=$mode "$bin" extract -j 1 "${files[@]}" -o /tmp/shenbao-bench.jsonl 2>/dev/null || true
  end=$(date +%s.%N)
  pages=$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["source"]["pages"]) for l in open("/tmp/shenbao-bench.jsonl")))')
  strict=$(SHENBAO_OCR_PER_CELL=$mode "$bin" check --golden golden "${files[@]}" 2>/dev/null | grep '^overall:' || true)
  sim=$(SHENBAO_OCR_PER_CELL=$mode "$bin" check --golden golden --text-similarity 0.9 "${files[@]}" 2>/dev/null | grep '^overall:' || true)
  python3 - "$label" "$start" "$end" "$pages" "$strict" "$sim" <<'PY'
import sys
label, start, end, pages, strict, sim = sys.argv[1:]
t = float(end) - float(start)
print(f"{label:10s}: {int(pages)} pages in {t:.1f} s = {t / max(1, int(pages)):.2f} s/page (1 worker)")
print(f"            strict: {strict}")
print(f"            text-similarity 0.9: {sim}")
PY
done
