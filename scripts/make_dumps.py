#!/usr/bin/env python3
"""Text dumps of the PDF fixtures by other extractors, with their truth.

Writes fixtures/dumps/{tuning,validation}/EXTRACTOR/STEM.txt and
golden/dumps/STEM.json (a copy of the PDF's golden file, the truth written
before the PDF was rendered: a dump holds the same forms). The split
follows the PDF corpus: the producers corpus keeps its tuning/validation
split by truth; the synthetic and sample fixtures (fixtures/*.pdf) are
tuning.

Which PDFs: every fixtures/*.pdf with a golden file, and from the
producers corpus the pf- truths, each through two of its five producers
(rotating by truth number, so every producer is dumped about equally):
one dump set stays a few MB.

Extractors (each must be installed; CI never runs this script):
  pdftotext          poppler-utils, default (reading order)
  pdftotext-raw      -raw (content-stream order)
  pdftotext-layout   -layout (columns kept with spaces)
  pdfminer           pdfminer.six pdf2txt.py, default layout analysis
  pdfminer-nolayout  pdf2txt.py -n (no layout analysis: stream order)
  pdfminer-margins   pdf2txt.py -M 1.0 -L 0.2 (other char/line margins)
  pymupdf            PyMuPDF page.get_text(), pages joined by form feeds
  pymupdf-sorted     page.get_text(sort=True) (blocks sorted top to bottom)
  pdfplumber         pdfplumber page.extract_text() (lines by position)
  shuffled-*         the three stream-order ones above, run on a copy of
                     the PDF whose text is written in a shuffled order of
                     cells (LibreOffice's and the raw writer's PDFs only;
                     the page looks the same): what the real samples'
                     dumper met, labels and values far apart in the stream

    python3 scripts/make_dumps.py            # all, ~10 min on 2 cores
    python3 scripts/make_dumps.py --only pdftotext-raw
    python3 scripts/make_dumps.py --extra /tmp/extra   # not committed:
        # the tuning truths' other three producers, dumped by the
        # unshuffled extractors, with their truth in /tmp/extra/golden;
        # a second tuning-side measure on renderings tuning never saw
        #   shenbao check --input text --golden /tmp/extra/golden /tmp/extra/dumps/EXTRACTOR
"""

import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "dumps")
GOLDEN_OUT = os.path.join(ROOT, "golden", "dumps")
PRODUCERS = ["calc", "docx", "chromium", "weasyprint", "wkhtmltopdf"]


def pymupdf_text(pdf, sort=False):
    import pymupdf

    with pymupdf.open(pdf) as doc:
        return "\f".join(page.get_text(sort=sort) for page in doc)


def pdfplumber_text(pdf):
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return "\f".join(page.extract_text() or "" for page in doc.pages)


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8")


# A text-showing chunk of a content stream: LibreOffice's `q … rg BT …
# Td … ET Q`, or the raw GBK writer's one-line `BT … Td … ET`.
CHUNK = re.compile(rb"q [^\n]*rg\nBT\n.*?\nET\nQ\n|BT [^\n]*? Td [^\n]*?ET\n", re.S)
TD = re.compile(rb"(-?[0-9.]+) (-?[0-9.]+) Td")
TF = re.compile(rb"/F\w+ ([0-9.]+) Tf")


def cell_blocks(chunks):
    """Chunks grouped as printed cells: runs on one baseline make a line;
    a line starting near the block's left edge (a paragraph indent apart at
    most) right under the previous one (at most two font sizes down) goes
    on the block."""
    blocks = []
    prev = None  # (x of the block, y of the last line, font size)
    for c in chunks:
        m, f = TD.search(c), TF.search(c)
        x, y = float(m.group(1)), float(m.group(2))
        size = float(f.group(1)) if f else 10.0
        if prev and abs(y - prev[1]) < 0.5:
            blocks[-1].append(c)
        elif prev and abs(x - prev[0]) <= 2.5 * size and 0 < prev[1] - y <= 2 * size:
            blocks[-1].append(c)
            prev = (prev[0], y, size)
        else:
            blocks.append([c])
            prev = (x, y, size)
    return blocks


def shuffled_copy(pdf, out):
    """The PDF with each page's text chunks written in a shuffled order of
    cells (a cell's lines kept in order, as real producers write them);
    positions unchanged, so the page looks the same. Seeded by file name.
    False when the PDF's content streams are not of a known writer."""
    import pymupdf

    rng = random.Random(os.path.basename(pdf))
    with pymupdf.open(pdf) as doc:
        for page in doc:
            xrefs = page.get_contents()
            if len(xrefs) != 1:
                return False
            data = doc.xref_stream(xrefs[0])
            chunks = CHUNK.findall(data)
            if not chunks:
                return False
            blocks = cell_blocks(chunks)
            rng.shuffle(blocks)
            order = iter([c for b in blocks for c in b])
            doc.update_stream(xrefs[0], CHUNK.sub(lambda _: next(order), data))
        doc.save(out)
    return True


def shuffled(extract):
    """An extractor run on a shuffled copy of the PDF (None: not shuffled)."""

    def run_on_copy(pdf):
        with tempfile.TemporaryDirectory() as d:
            copy = os.path.join(d, os.path.basename(pdf))
            return extract(copy) if shuffled_copy(pdf, copy) else None

    return run_on_copy


EXTRACTORS = {
    "pdftotext": lambda p: run(["pdftotext", "-enc", "UTF-8", p, "-"]),
    "pdftotext-raw": lambda p: run(["pdftotext", "-enc", "UTF-8", "-raw", p, "-"]),
    "pdftotext-layout": lambda p: run(["pdftotext", "-enc", "UTF-8", "-layout", p, "-"]),
    "pdfminer": lambda p: run(["pdf2txt.py", p]),
    "pdfminer-nolayout": lambda p: run(["pdf2txt.py", "-n", p]),
    "pdfminer-margins": lambda p: run(["pdf2txt.py", "-M", "1.0", "-L", "0.2", p]),
    "pymupdf": pymupdf_text,
    "pymupdf-sorted": lambda p: pymupdf_text(p, sort=True),
    "pdfplumber": pdfplumber_text,
}
for _name in ["pdftotext-raw", "pdfminer-nolayout", "pymupdf"]:
    EXTRACTORS["shuffled-" + _name] = shuffled(EXTRACTORS[_name])


def sources():
    """(split, pdf path, golden path) of every PDF dumped."""
    out = []
    for pdf in sorted(glob.glob(os.path.join(ROOT, "fixtures", "*.pdf"))):
        stem = os.path.splitext(os.path.basename(pdf))[0]
        golden = os.path.join(ROOT, "golden", stem + ".json")
        if os.path.exists(golden):
            out.append(("tuning", pdf, golden))
    for split in ["tuning", "validation"]:
        folder = os.path.join(ROOT, "fixtures", "producers", split)
        truths = sorted({f.rsplit("-", 1)[0] for f in os.listdir(folder) if f.startswith("pf-")})
        for truth in truths:
            n = int(truth.split("-")[1])
            for producer in (PRODUCERS[n % 5], PRODUCERS[(n + 2) % 5]):
                stem = f"{truth}-{producer}"
                pdf = os.path.join(folder, stem + ".pdf")
                golden = os.path.join(ROOT, "golden", "producers", stem + ".json")
                if os.path.exists(pdf) and os.path.exists(golden):
                    out.append((split, pdf, golden))
    return out


def dump(job):
    split, pdf, name = job
    extract = EXTRACTORS[name]
    stem = os.path.splitext(os.path.basename(pdf))[0]
    folder = os.path.join(OUT, split, name)
    os.makedirs(folder, exist_ok=True)
    text = extract(pdf)
    if text is None:
        return None
    with open(os.path.join(folder, stem + ".txt"), "w", encoding="utf-8") as f:
        f.write(text)
    return f"{split}/{name}/{stem}"


def extra(out):
    """Dumps of the tuning truths' producers that sources() leaves out."""
    used = {os.path.basename(p) for _, p, _ in sources()}
    folder = os.path.join(ROOT, "fixtures", "producers", "tuning")
    os.makedirs(os.path.join(out, "golden"), exist_ok=True)
    jobs = []
    for pdf in sorted(glob.glob(os.path.join(folder, "pf-*.pdf"))):
        stem = os.path.splitext(os.path.basename(pdf))[0]
        golden = os.path.join(ROOT, "golden", "producers", stem + ".json")
        if os.path.basename(pdf) in used or not os.path.exists(golden):
            continue
        shutil.copyfile(golden, os.path.join(out, "golden", stem + ".json"))
        jobs += [(out, pdf, n) for n in EXTRACTORS if not n.startswith("shuffled")]
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count()) as ex:
        list(ex.map(dump_extra, jobs))
    print(f"{len(jobs)} extra dumps in {out}/dumps")


def dump_extra(job):
    out, pdf, name = job
    stem = os.path.splitext(os.path.basename(pdf))[0]
    folder = os.path.join(out, "dumps", name)
    os.makedirs(folder, exist_ok=True)
    text = EXTRACTORS[name](pdf)
    with open(os.path.join(folder, stem + ".txt"), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", help="comma-separated extractor names")
    ap.add_argument("--extra", metavar="DIR", help="dump the tuning truths' other producers there")
    args = ap.parse_args()
    if args.extra:
        extra(args.extra)
        return
    names = args.only.split(",") if args.only else list(EXTRACTORS)
    for n in names:
        if n not in EXTRACTORS:
            sys.exit(f"unknown extractor {n}; known: {', '.join(EXTRACTORS)}")
    src = sources()
    os.makedirs(GOLDEN_OUT, exist_ok=True)
    for _, pdf, golden in src:
        stem = os.path.splitext(os.path.basename(pdf))[0]
        shutil.copyfile(golden, os.path.join(GOLDEN_OUT, stem + ".json"))
    jobs = [(s, p, n) for n in names for s, p, _ in src]
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count()) as ex:
        for done in ex.map(dump, jobs):
            pass
    print(f"{len(jobs)} dumps of {len(src)} PDFs, {len(names)} extractors")


if __name__ == "__main__":
    main()
