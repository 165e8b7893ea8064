#!/usr/bin/env bash
# The fuzz harness at length (issue 15): every generated hostile case, then
# seeded mutations of the fixtures for SECONDS (default 600), release
# build, each file run through the binary and checked for its outcome, its
# time (under 2 x the timeout), its peak RSS (under 512 MiB), no signal and
# no process left behind. CI runs the same test for 60 s in debug.
#
#   bash scripts/fuzz.sh [SECONDS] [SEED]
#
# A file that fails is kept in $TMPDIR/shenbao-fuzz-<pid>-mut<thread>/ and
# named in the report; the counts are printed as "fuzz: N runs ...".
set -euo pipefail
cd "$(dirname "$0")/.."
export SHENBAO_FUZZ_SECONDS="${1:-600}"
if [[ -n "${2:-}" ]]; then
    export SHENBAO_FUZZ_SEED="$2"
fi
cargo test --release --test fuzz -- --nocapture --test-threads 1 2>&1 |
    grep -E 'fuzz: |^[a-z_0-9]+ +[a-z_]+ +[0-9.]+ s|test result|panicked|bad-'
