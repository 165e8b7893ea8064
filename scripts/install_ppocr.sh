#!/usr/bin/env bash
# Installs the PP-OCR recognizer shenbao reads scanned pages with (docs/read-scan.md (history: CHANGELOG.md),
# "Recognizer"): the PP-OCRv4 Chinese text-line recognition model as the
# rapidocr-onnxruntime wheel ships it (Apache-2.0), and the ONNX Runtime C
# library from the onnxruntime wheel (MIT), both from PyPI, pinned by hash.
# No Python is needed at run time: only these two files are kept.
#
#   bash scripts/install_ppocr.sh [DIR]
#
# DIR defaults to /usr/local/share/shenbao/ppocr when run as root, else
# ~/.local/share/shenbao/ppocr: the places shenbao looks in (or set
# SHENBAO_PPOCR_DIR). Idempotent: files already there with the right hash are kept.
set -euo pipefail
if [ $# -ge 1 ]; then
  DIR=$1
elif [ "$(id -u)" -eq 0 ]; then
  DIR=/usr/local/share/shenbao/ppocr
else
  DIR=${XDG_DATA_HOME:-$HOME/.local/share}/shenbao/ppocr
fi
ORT_WHEEL=onnxruntime-1.22.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl
ORT_SHA=f6effa1299ac549a05c784d50292e3378dbbf010346ded67400193b09ddc2f04
REC_WHEEL=rapidocr_onnxruntime-1.4.4-py3-none-any.whl
REC_SHA=971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf
SUMS=$(cd "$(dirname "$0")" && pwd)/ppocr.sha256
LIB_SHA=$(awk '$2=="libonnxruntime.so"{print $1}' "$SUMS")
MODEL_SHA=$(awk '$2=="ch_PP-OCRv4_rec_infer.onnx"{print $1}' "$SUMS")
ok() { [ -f "$DIR/$1" ] && [ "$(sha256sum "$DIR/$1" | cut -d' ' -f1)" = "$2" ]; }
if ok libonnxruntime.so "$LIB_SHA" && ok ch_PP-OCRv4_rec_infer.onnx "$MODEL_SHA"; then
  echo "install_ppocr: ok ($DIR)"
  exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# pip only downloads (any Python 3 with pip; nothing is installed into it);
# the wheels are fixed by name and hash, whatever the local Python version.
cat >"$TMP/req.txt" <<REQ
onnxruntime==1.22.1 --hash=sha256:$ORT_SHA
rapidocr-onnxruntime==1.4.4 --hash=sha256:$REC_SHA
REQ
python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
  --python-version 3.11 --implementation cp --abi cp311 \
  --platform manylinux_2_28_x86_64 -r "$TMP/req.txt" -d "$TMP"
python3 - "$TMP/$ORT_WHEEL" "$TMP/$REC_WHEEL" "$TMP" <<'PY'
import sys, zipfile
ort, rec, out = sys.argv[1:]
with zipfile.ZipFile(ort) as z:
    open(out + "/libonnxruntime.so", "wb").write(z.read("onnxruntime/capi/libonnxruntime.so.1.22.1"))
with zipfile.ZipFile(rec) as z:
    m = "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx"
    open(out + "/ch_PP-OCRv4_rec_infer.onnx", "wb").write(z.read(m))
PY
(cd "$TMP" && sha256sum -c --quiet "$SUMS")
mkdir -p "$DIR"
install -m 0644 "$TMP/libonnxruntime.so" "$TMP/ch_PP-OCRv4_rec_infer.onnx" "$DIR/"
echo "install_ppocr: installed into $DIR"
