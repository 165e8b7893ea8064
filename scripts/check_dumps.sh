#!/usr/bin/env bash
# Accuracy of the text-dump path on the dump corpus (scripts/make_dumps.py):
# one line per extractor and split, from `shenbao check` (strict: fields
# equal to the truth; silent: wrong with no warning on the field).
#   bash scripts/check_dumps.sh [path/to/shenbao]
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/shenbao}
printf '%-20s %-11s %s\n' extractor split result
for split in tuning validation; do
  for dir in fixtures/dumps/$split/*/; do
    ext=$(basename "$dir")
    line=$("$bin" check --input text --golden golden/dumps "$dir" 2>/dev/null | grep '^overall:')
    printf '%-20s %-11s %s\n' "$ext" "$split" "${line#overall: }"
  done
done
