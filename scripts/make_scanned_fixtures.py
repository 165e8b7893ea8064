#!/usr/bin/python3
"""Make the scanned fixtures: image-only PDFs of some text-layer fixtures.

Run from the repository root:  /usr/bin/python3 scripts/make_scanned_fixtures.py

For each NAME below: fixtures/NAME.pdf is rasterized at 200 dpi in gray
(pdftoppm), each page rotated by a small deterministic angle (0.5 to 1.5
degrees, alternating sign), blurred a little, sprinkled with speckle noise
(seeded), quantized to 8 gray levels (so Flate compresses it), and written
back as an image-only PDF (one Flate-compressed 8-bit DeviceGray image
XObject per page, page size = image size at 200 dpi) into
fixtures/scanned/NAME-scan.pdf. The truth is the source fixture's:
golden/NAME.json is copied to golden/NAME-scan.json.

The same for the VALIDATION names into fixtures/scanned-validation/ (a
set kept apart from the choice of OCR settings, see docs/read-scan.md (history: CHANGELOG.md)).

And fixtures/scanned-jpeg/NAME-jpeg.pdf for the JPEG names: 300 dpi color
JPEG scans (see jpeg_scans).

Also fixtures/mixed/mixed-scan.pdf: synth-01.pdf (text layer) followed by
scanned/synth-16-scan.pdf (image only), joined with pdfunite; truth
golden/mixed-scan.json = both truths in order. And
fixtures/mixed/garbage-layer-scan.pdf: synth-10's scan under a text layer
of mojibake (see garbage_layer).

Needs: poppler-utils (pdftoppm, pdfunite) and python3-pil (Debian's /usr/bin/python3).
Deterministic: same inputs, same bytes.
"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import zlib

from PIL import Image, ImageFilter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures")
OUT = os.path.join(FIXTURES, "scanned")
GOLDEN = os.path.join(ROOT, "golden")
DPI = 200
# name -> rotation of the first page in degrees (later pages alternate sign
# and shrink a little)
NAMES = {
    "sample-2019-dsjzx-1": 0.8,
    "synth-01": -1.2,
    "synth-10": 1.5,
    "synth-16": -0.5,
}


# Made the same way into fixtures/scanned-validation/: never used to choose
# OCR settings (docs/read-scan.md (history: CHANGELOG.md)), only to check a choice made on the set above.
VALIDATION = {
    "sample-2019-dsjzx-2": -0.9,
    "synth-05": 1.1,
    "synth-12": -1.4,
    "synth-19": 0.6,
}
VALIDATION_OUT = os.path.join(FIXTURES, "scanned-validation")


def degrade(img, angle, rng):
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    px = img.load()
    w, h = img.size
    # speckles: dark dots on the paper and white dropouts in the ink
    for _ in range(w * h // 4000):
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = rng.choice((0, 60, 255))
    # 8 gray levels
    return img.point(lambda v: min(255, (v // 32) * 255 // 7))


def pdf_bytes(pages, garbage=None):
    """pages: list of (width_px, height_px, raw gray bytes). garbage: bytes
    drawn on every page as an invisible (3 Tr) Helvetica text layer over
    the image, one line per 0x0a-separated chunk."""
    objs = []  # (number, bytes)
    n_pages = len(pages)
    kids = []
    num = 3
    body = []
    for w, h, raw in pages:
        page_no, content_no, image_no = num, num + 1, num + 2
        num += 3
        kids.append(page_no)
        pw, ph = w * 72.0 / DPI, h * 72.0 / DPI
        content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
        fonts = b""
        if garbage is not None:
            content += b"\nBT 3 Tr /F1 10 Tf 12 TL 60 %.2f Td" % (ph - 60)
            for line in garbage.split(b"\n"):
                esc = line.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
                content += b" (" + esc + b") Tj T*"
            content += b" ET"
            fonts = (b" /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
                     b" /Encoding /WinAnsiEncoding >> >>")
        data = zlib.compress(raw, 9)
        body.append((page_no, (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
            f"/Resources << /XObject << /Im0 {image_no} 0 R >>".encode() + fonts + (
            f" >> "
            f"/Contents {content_no} 0 R >>").encode())))
        body.append((content_no, b"<< /Length %d >>\nstream\n" % len(content) + content
                     + b"\nendstream"))
        body.append((image_no, (
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} "
            f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "
            f"/Length {len(data)} >>\nstream\n").encode() + data + b"\nendstream"))
    objs.append((1, b"<< /Type /Catalog /Pages 2 0 R >>"))
    objs.append((2, ("<< /Type /Pages /Count %d /Kids [%s] >>" % (
        n_pages, " ".join(f"{k} 0 R" for k in kids))).encode()))
    objs.extend(body)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n, b in sorted(objs):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + b + b"\nendobj\n"
    xref = len(out)
    total = max(offsets) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % total
    for n in range(1, total):
        out += b"%010d 00000 n \n" % offsets[n]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (total, xref)
    return bytes(out)


def scanned_pages(name, angle):
    rng = random.Random(name)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-gray",
                        os.path.join(FIXTURES, name + ".pdf"),
                        os.path.join(tmp, "p")], check=True)
        files = sorted(f for f in os.listdir(tmp) if f.endswith(".pgm"))
        pages = []
        for i, f in enumerate(files):
            a = angle * (1 if i % 2 == 0 else -0.7)
            img = degrade(Image.open(os.path.join(tmp, f)).convert("L"), a, rng)
            pages.append((img.size[0], img.size[1], img.tobytes()))
    return pages


def main(names=NAMES, out_dir=OUT):
    os.makedirs(out_dir, exist_ok=True)
    for name, angle in names.items():
        pages = scanned_pages(name, angle)
        dst = os.path.join(out_dir, name + "-scan.pdf")
        with open(dst, "wb") as fh:
            fh.write(pdf_bytes(pages))
        shutil.copyfile(os.path.join(GOLDEN, name + ".json"),
                        os.path.join(GOLDEN, name + "-scan.json"))
        print(f"{dst}: {len(pages)} pages, {os.path.getsize(dst) // 1024} KB",
              file=sys.stderr)


def mixed():
    import json
    out = os.path.join(FIXTURES, "mixed")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["pdfunite", os.path.join(FIXTURES, "synth-01.pdf"),
                    os.path.join(OUT, "synth-16-scan.pdf"),
                    os.path.join(out, "mixed-scan.pdf")], check=True)
    truth = []
    for name in ("synth-01", "synth-16"):
        with open(os.path.join(GOLDEN, name + ".json"), encoding="utf-8") as fh:
            truth.extend(json.load(fh))
    with open(os.path.join(GOLDEN, "mixed-scan.json"), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


# Made into fixtures/scanned-jpeg/: another degradation, closer to an
# office scanner's output (300 dpi, color, JPEG quality 70, tinted paper,
# rotated 0.8 degrees). Looked at when choosing the ruling-line threshold
# and the low-confidence amount warning (docs/read-scan.md (history: CHANGELOG.md)).
JPEG = ["synth-05", "synth-12"]
JPEG_OUT = os.path.join(FIXTURES, "scanned-jpeg")


def jpeg_scans():
    os.makedirs(JPEG_OUT, exist_ok=True)
    for name in JPEG:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-r", "300", os.path.join(FIXTURES, name + ".pdf"),
                            os.path.join(tmp, "p")], check=True)
            pages = []
            for f in sorted(f for f in os.listdir(tmp) if f.endswith(".ppm")):
                img = Image.open(os.path.join(tmp, f)).convert("RGB")
                img = img.rotate(-0.8, resample=Image.BICUBIC, fillcolor=(250, 248, 240))
                pages.append(Image.eval(img, lambda v: min(255, int(v * 0.97) + 5)))
        dst = os.path.join(JPEG_OUT, name + "-jpeg.pdf")
        pages[0].save(dst, save_all=True, append_images=pages[1:], resolution=300,
                      quality=70)
        shutil.copyfile(os.path.join(GOLDEN, name + ".json"),
                        os.path.join(GOLDEN, name + "-jpeg.json"))
        print(f"{dst}: {len(pages)} pages, {os.path.getsize(dst) // 1024} KB", file=sys.stderr)


def garbage_layer():
    """fixtures/mixed/garbage-layer-scan.pdf: the images of
    scanned/synth-10-scan.pdf (same seed, same bytes) under an invisible
    text layer of mojibake, the form's title and labels in GBK bytes
    shown as WinAnsi (上海市 as ÉÏº£ÊÐ), as a scanner's broken OCR layer
    might be. The extractor must set that layer aside and OCR the page;
    truth golden/garbage-layer-scan.json = golden/synth-10.json."""
    words = ["上海市财政支出项目绩效目标申报表", "项目名称", "项目类型", "资金用途",
             "项目概况", "项目总预算", "一级指标", "二级指标", "三级指标", "指标目标值"]
    garbage = b"\n".join(w.encode("gbk") for w in words)
    dst = os.path.join(FIXTURES, "mixed", "garbage-layer-scan.pdf")
    with open(dst, "wb") as fh:
        fh.write(pdf_bytes(scanned_pages("synth-10", NAMES["synth-10"]), garbage))
    shutil.copyfile(os.path.join(GOLDEN, "synth-10.json"),
                    os.path.join(GOLDEN, "garbage-layer-scan.json"))
    print(f"{dst}: {os.path.getsize(dst) // 1024} KB", file=sys.stderr)


if __name__ == "__main__":
    main()
    main(VALIDATION, VALIDATION_OUT)
    mixed()
    garbage_layer()
    jpeg_scans()
