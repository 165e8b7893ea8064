#!/usr/bin/env python3
"""Make the degradation corpus: image-only PDFs of producer forms, with known truth.

Run from the repository root:

    python3 scripts/make_degraded.py                 # the committed set (fixtures/degraded/)
    python3 scripts/make_degraded.py --only rot3,seal --sources pf-01-chromium
    python3 scripts/make_degraded.py --n 6 --out /tmp/deg --golden-out /tmp/deg/golden
    python3 scripts/make_degraded.py --all --out /tmp/deg --golden-out /tmp/deg/golden
    python3 scripts/make_degraded.py --corpus national   # fixtures/degraded/national/

Each source is a text-layer PDF of the producer corpus
(fixtures/producers/{tuning,validation}/NAME-PRODUCER.pdf, truth
golden/producers/NAME-PRODUCER.json). Each page is rendered by pdftoppm at the
degradation's dpi, degraded by a chain of seeded functions f(image, rng,
**params) and written back as an image-only PDF (no text layer; page size in
points = pixels * 72 / dpi) by img2pdf: JPEG images stay DCT, 1-bit images are
stored as CCITT G4 (from a group4 TIFF), others as Flate. Output
`OUT/{tuning,validation}/SOURCE-DEGRADATION.pdf`, truth copied to
`GOLDEN_OUT/SOURCE-DEGRADATION.json` (the source's golden, byte for byte).
The split is the producer corpus's: tuning sources only from
fixtures/producers/tuning, validation sources only from
fixtures/producers/validation.

Seeds: every (source, degradation) pair gets its own numpy Generator seeded
by crc32("SOURCE/DEGRADATION"), so one file can be regenerated alone and comes
out the same (same tool versions: poppler, numpy, opencv, Pillow, img2pdf).

Needs: poppler-utils (pdftoppm), pip install numpy Pillow opencv-python-headless
img2pdf pdfplumber, fonts-noto-cjk (seal text).
"""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

import cv2
import img2pdf
import numpy as np
import pdfplumber
from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRODUCERS = os.path.join(ROOT, "fixtures", "producers")
GOLDEN_PRODUCERS = os.path.join(ROOT, "golden", "producers")
OUT = os.path.join(ROOT, "fixtures", "degraded")
GOLDEN_OUT = os.path.join(ROOT, "golden", "degraded")
SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"

# The committed sources: 2-page, one-form PDFs with the table right under the
# unit line (spacer 0 in layouts.json, so the seal covers both), two producers
# per split.
# BLEED gives, per split, the form whose mirrored page shows through.
SOURCES = {
    "tuning": ["pf-16-chromium", "pf-38-calc"],
    "validation": ["pf-43-docx", "pf-26-wkhtmltopdf"],
}
BLEED = {"tuning": "pf-05-weasyprint", "validation": "pf-24-chromium"}
# The label of the unit line the seal covers.
UNIT_LABEL = "申报单位名称"
PREFIX = "pf-"

# --corpus national: the national form's fixtures (scripts/make_national.py),
# 2-page one-form sources of four producers, the national split; a few
# degradations (NATIONAL_DEGS) to keep the repository and CI small.
NATIONAL = dict(
    PRODUCERS=os.path.join(ROOT, "fixtures", "national"),
    GOLDEN_PRODUCERS=os.path.join(ROOT, "golden", "national"),
    OUT=os.path.join(ROOT, "fixtures", "degraded", "national"),
    GOLDEN_OUT=os.path.join(ROOT, "golden", "degraded", "national"),
    SOURCES={"tuning": ["nf-11-weasyprint", "nf-07-docx"],
             "validation": ["nf-27-chromium", "nf-29-wkhtmltopdf"]},
    BLEED={"tuning": "nf-03-chromium", "validation": "nf-32-docx"},
    UNIT_LABEL="填报单位",
    PREFIX="nf-",
)
NATIONAL_DEGS = ["rot3", "persp", "jpeg30", "seal", "flatbed", "phone"]

WHITE = (255, 255, 255)
DARK = (38, 34, 30)


# ---------------------------------------------------------------- helpers

def as_float(img):
    return img.astype(np.float32)


def clip8(img):
    return np.clip(img, 0, 255).astype(np.uint8)


def multiply(img, layer):
    """img (H,W,3) uint8 times layer (H,W,3) or (H,W) in 0..1."""
    if layer.ndim == 2:
        layer = layer[:, :, None]
    return clip8(as_float(img) * layer)


# ----------------------------------------------------------- degradations
# Each: f(img, rng, ctx, **params) -> img. img is RGB uint8 (H, W, 3);
# ctx holds the page's dpi, its index, the unit line's box in pixels (page 1)
# and the bleed-through page.

def rotate(img, rng, ctx, deg, surround="white"):
    """Rotate by +-deg (sign from rng) on a canvas of the same size; the
    corners uncovered show the scanner lid (white) or a dark bed."""
    a = deg * (1 if rng.random() < 0.5 else -1) * rng.uniform(0.85, 1.0)
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), a, 1.0)
    fill = WHITE if surround == "white" else DARK
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def surround_image(h, w, rng, kind):
    if kind == "dark":
        base = np.full((h, w, 3), DARK, np.float32)
        base += rng.normal(0, 6, (h // 8 + 1, w // 8 + 1, 1)).repeat(8, 0).repeat(8, 1)[:h, :w]
        return clip8(base)
    # "pattern": a wood-grain like desk, brown stripes with noise
    y = np.arange(h, dtype=np.float32)[:, None]
    x = np.arange(w, dtype=np.float32)[None, :]
    f = rng.uniform(0.01, 0.03)
    grain = np.sin((x * 0.15 + y) * f + 3 * np.sin(x * 0.004 + rng.uniform(0, 6)))
    tone = 0.5 + 0.5 * grain
    base = np.stack([95 + 60 * tone, 60 + 40 * tone, 35 + 20 * tone], axis=2)
    return clip8(base)


def perspective(img, rng, ctx, strength=0.06, surround="dark", margin=0.06):
    """The sheet as a quadrilateral on a surround, as a phone photo: each
    corner moved inward by up to `strength` of the page size, plus a margin
    of surround all round."""
    h, w = img.shape[:2]
    mw, mh = margin * w, margin * h
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    out_w, out_h = int(w + 2 * mw), int(h + 2 * mh)
    # keystone: the top edge shorter (or the bottom), plus a random jitter
    k = rng.uniform(0.5, 1.0) * strength * w * (1 if rng.random() < 0.5 else -1)
    dst = []
    for i, (x, y) in enumerate(src):
        jx = rng.uniform(-1, 1) * strength * w * 0.5
        jy = rng.uniform(-1, 1) * strength * h * 0.5
        kx = (k if i in (0, 3) else -k) if i in (0, 1) else 0
        dst.append([x + mw + jx + kx, y + mh + jy])
    dst = np.float32(dst)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(img, m, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (out_w, out_h),
                               flags=cv2.INTER_LINEAR)
    mask = cv2.GaussianBlur(mask, (5, 5), 0).astype(np.float32)[:, :, None] / 255
    bg = surround_image(out_h, out_w, rng, surround)
    out = as_float(warped) * mask + as_float(bg) * (1 - mask)
    # keep the output the input's size (same dpi, same page size)
    return cv2.resize(clip8(out), (w, h), interpolation=cv2.INTER_AREA)


def illumination(img, rng, ctx, kind="gradient", strength=0.45):
    """Uneven light: a linear gradient (one side darker by `strength`),
    vignetting (corners darker), or a shadow band (a soft dark stripe across
    the page, as a hand or phone over it)."""
    h, w = img.shape[:2]
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    if kind == "gradient":
        a = rng.uniform(0, 2 * np.pi)
        t = (x - 0.5) * np.cos(a) + (y - 0.5) * np.sin(a)
        t = (t - t.min()) / (t.max() - t.min())
        field = 1 - strength * t
    elif kind == "vignette":
        cx, cy = rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.6)
        r2 = ((x - cx) / 0.75) ** 2 + ((y - cy) / 0.75) ** 2
        field = 1 - strength * np.clip(r2, 0, 1.5) / 1.5 * 1.0
    else:  # shadow band
        a = rng.uniform(-0.6, 0.6)
        c = rng.uniform(0.3, 0.7)
        d = (y - c) * np.cos(a) - (x - 0.5) * np.sin(a)
        width = rng.uniform(0.06, 0.12)
        field = 1 - strength * np.exp(-(d / width) ** 2)
    field = np.broadcast_to(field, (h, w)).astype(np.float32)
    # a warm cast as under indoor light
    tint = np.float32([1.0, 0.97, 0.9])
    return clip8(as_float(img) * field[:, :, None] * tint)


def blur(img, rng, ctx, sigma=1.0):
    """Gaussian blur, sigma in pixels at 200 dpi (scaled with the dpi)."""
    s = sigma * ctx["dpi"] / 200
    return cv2.GaussianBlur(img, (0, 0), s)


def noise(img, rng, ctx, sigma=6.0):
    """Sensor noise: gaussian, per pixel, gray (same on all channels)."""
    h, w = img.shape[:2]
    n = rng.normal(0, sigma, (h, w, 1)).astype(np.float32)
    return clip8(as_float(img) + n)


def bleed(img, rng, ctx, alpha=0.12):
    """Bleed-through: the mirrored page of another form, faint (its dark
    becomes 1 - alpha), blurred as seen through paper."""
    other = ctx["bleed"]
    h, w = img.shape[:2]
    other = cv2.resize(other, (w, h), interpolation=cv2.INTER_AREA)[:, ::-1]
    other = cv2.GaussianBlur(other, (0, 0), 1.2 * ctx["dpi"] / 200)
    layer = 1 - alpha * (1 - as_float(other) / 255)
    return multiply(img, layer)


def seal_layer(size, rng, text, star=True):
    """An RGBA-free alpha mask (size x size, 0..1) of a round seal: a ring,
    the text around the upper arc, a five-pointed star in the middle."""
    big = size * 2  # drawn at 2x, then downsampled (antialias)
    im = Image.new("L", (big, big), 0)
    d = ImageDraw.Draw(im)
    r = big / 2
    ring = max(4, int(big * 0.035))
    d.ellipse([ring / 2, ring / 2, big - ring / 2, big - ring / 2], outline=255, width=ring)
    # text around the arc, from about 210 deg to -30 deg (clockwise over the top)
    n = len(text)
    fs = int(big * 0.13)
    font = ImageFont.truetype(SEAL_FONT, fs)
    span = min(250.0, 22.0 * n)
    for i, ch in enumerate(text):
        ang = 90 + span / 2 - (span * (i + 0.5) / n)  # degrees, 90 = top
        rad = np.deg2rad(ang)
        rr = r - ring - fs * 0.75
        cx, cy = r + rr * np.cos(rad), r - rr * np.sin(rad)
        glyph = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(glyph).text((fs, fs), ch, fill=255, font=font, anchor="mm")
        glyph = glyph.rotate(ang - 90, resample=Image.BICUBIC)
        im.paste(255, (int(cx - fs), int(cy - fs)), glyph)
    if star:
        rs = big * 0.14
        pts = []
        for k in range(10):
            a = np.deg2rad(90 + k * 36)
            rk = rs if k % 2 == 0 else rs * 0.38
            pts.append((r + rk * np.cos(a), r - rk * np.sin(a) + big * 0.02))
        d.polygon(pts, fill=255)
    # a straight line of text below the star
    font2 = ImageFont.truetype(SEAL_FONT, int(big * 0.085))
    d.text((r, r + big * 0.25), "财务专用章", fill=255, font=font2, anchor="mm")
    im = im.resize((size, size), Image.LANCZOS)
    return np.asarray(im, np.float32) / 255


def seal(img, rng, ctx, diameter_mm=40, opacity=0.75, color=(210, 35, 45)):
    """A red round seal (公章), semi-transparent multiply, centred on the
    unit name line 申报单位名称 (page 1) and shifted down so it also covers
    the table's first rows; uneven ink (blotchy alpha) and a random turn."""
    if ctx["unit_box"] is None:
        return img
    h, w = img.shape[:2]
    size = int(diameter_mm / 25.4 * ctx["dpi"])
    x0, y0, x1, y1 = ctx["unit_box"]
    cx = int(rng.uniform(x0 + 0.4 * (x1 - x0), x1 + 0.1 * size))
    cy = int((y0 + y1) / 2 + rng.uniform(0.1, 0.3) * size)
    a = seal_layer(size, rng, ctx["unit_text"] or "上海市财政局")
    a = cv2.warpAffine(a, cv2.getRotationMatrix2D((size / 2, size / 2),
                                                  rng.uniform(-25, 25), 1.0), (size, size))
    ink = rng.uniform(0.55, 1.0, (size // 12 + 1, size // 12 + 1)).astype(np.float32)
    ink = cv2.resize(ink, (size, size), interpolation=cv2.INTER_CUBIC)
    a = np.clip(a * ink * opacity, 0, 1)
    layer = np.ones((h, w, 3), np.float32)
    xa, ya = cx - size // 2, cy - size // 2
    xs, ys = max(0, xa), max(0, ya)
    xe, ye = min(w, xa + size), min(h, ya + size)
    sub = a[ys - ya:ye - ya, xs - xa:xe - xa, None]
    col = np.float32(color) / 255
    layer[ys:ye, xs:xe] = 1 - sub * (1 - col)
    return multiply(img, layer)


def signature(img, rng, ctx, width_mm=45, thickness=3, color=(25, 30, 70)):
    """A handwritten signature stroke: a dark random Catmull-Rom spline of
    8-12 points with loops, to the right of the unit line (page 1), over the
    table's top rows."""
    if ctx["unit_box"] is None:
        return img
    px = ctx["dpi"] / 25.4
    x0, y0, x1, y1 = ctx["unit_box"]
    w = width_mm * px
    ox = rng.uniform(x1 - 0.2 * w, x1 + 0.6 * w)
    oy = (y0 + y1) / 2 + rng.uniform(0.0, 0.6) * (y1 - y0) * 3
    n = int(rng.integers(8, 13))
    xs = np.sort(rng.uniform(0, w, n))
    ys = rng.normal(0, 4 * px, n)
    ys[1::3] -= rng.uniform(3, 8, len(ys[1::3])) * px  # loops up
    pts = np.stack([xs + ox, ys + oy], 1)
    pts = np.vstack([pts[:1], pts, pts[-1:]])
    curve = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for t in np.linspace(0, 1, 20, endpoint=False):
            t2, t3 = t * t, t * t * t
            curve.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                                + (-p0 + 3 * p1 - 3 * p2 + p3) * t3))
    curve = np.int32(np.round(curve))
    out = img.copy()
    th = max(1, int(round(thickness * ctx["dpi"] / 200)))
    cv2.polylines(out, [curve], False, color, th, lineType=cv2.LINE_AA)
    return out


# ------------------------------------------------------------- the sets
# name -> dict(dpi, color: "gray"|"rgb"|"1bit", store: ("jpeg", q)|("g4",)|("flate",),
#              ops: [(function, params)] applied in order).
# Single degradations that leave the page's background flat are stored
# as 8 gray levels (color: a 16-color palette, 8 grays and 8 seal reds) in Flate (PNG), so that
# no JPEG artifact is added to the degradation; those with smooth backgrounds
# (light, perspective) as JPEG quality 60, where 8 levels would band.
Q_NEUTRAL = ("png", 8)
J_NEUTRAL = ("jpeg", 60)

DEGRADATIONS = {
    # the reference: a clean 200 dpi gray scan (not committed, see DEFAULT)
    "clean": dict(dpi=200, color="gray", store=Q_NEUTRAL, ops=[]),
    "rot1": dict(dpi=200, color="gray", store=Q_NEUTRAL, ops=[(rotate, dict(deg=1))]),
    "rot3": dict(dpi=200, color="gray", store=Q_NEUTRAL, ops=[(rotate, dict(deg=3))]),
    "rot5": dict(dpi=200, color="gray", store=Q_NEUTRAL,
                 ops=[(rotate, dict(deg=5, surround="dark"))]),
    "persp": dict(dpi=200, color="gray", store=J_NEUTRAL,
                  ops=[(perspective, dict(strength=0.04, surround="dark"))]),
    "persp-strong": dict(dpi=200, color="rgb", store=("jpeg", 70),
                         ops=[(perspective, dict(strength=0.09, surround="pattern"))]),
    "light-grad": dict(dpi=200, color="gray", store=J_NEUTRAL,
                       ops=[(illumination, dict(kind="gradient", strength=0.5))]),
    "light-vignette": dict(dpi=200, color="gray", store=J_NEUTRAL,
                           ops=[(illumination, dict(kind="vignette", strength=0.55))]),
    "light-shadow": dict(dpi=200, color="gray", store=J_NEUTRAL,
                         ops=[(illumination, dict(kind="shadow", strength=0.6))]),
    "blur1": dict(dpi=200, color="gray", store=Q_NEUTRAL, ops=[(blur, dict(sigma=1.0))]),
    "blur2": dict(dpi=200, color="gray", store=Q_NEUTRAL, ops=[(blur, dict(sigma=1.8))]),
    "jpeg30": dict(dpi=200, color="gray", store=("jpeg", 30), ops=[]),
    "jpeg60": dict(dpi=200, color="rgb", store=("jpeg", 60), ops=[]),
    "fax": dict(dpi=200, color="1bit", store=("g4",), ops=[(noise, dict(sigma=8))]),
    "dpi150": dict(dpi=150, color="gray", store=Q_NEUTRAL, ops=[]),
    "dpi300": dict(dpi=300, color="gray", store=Q_NEUTRAL, ops=[]),
    "bleed": dict(dpi=200, color="gray", store=Q_NEUTRAL, ops=[(bleed, dict(alpha=0.15))]),
    "seal": dict(dpi=200, color="rgb", store=Q_NEUTRAL, ops=[(seal, dict())]),
    "sign": dict(dpi=200, color="gray", store=Q_NEUTRAL, ops=[(signature, dict())]),
    # combinations
    "flatbed": dict(dpi=None, color=None, store=None, ops=[]),  # drawn per file, see combo()
    "phone": dict(dpi=200, color="rgb", store=None, ops=[]),
}


# The committed set (fixtures/degraded/): the others (clean, rot1,
# light-vignette, jpeg60) only with --degs all or --only, to keep the
# repository small.
DEFAULT = ["rot3", "rot5", "persp", "persp-strong", "light-grad", "light-shadow", "blur1",
           "blur2", "jpeg30", "fax", "dpi150", "dpi300", "bleed", "seal", "sign", "flatbed",
           "phone"]


def combo(name, rng):
    """The parameters of a combination, drawn from the file's rng."""
    if name == "flatbed":
        dpi = int(rng.choice([200, 300]))
        color = "1bit" if rng.random() < 0.5 else "gray"
        store = ("g4",) if color == "1bit" else ("jpeg", int(rng.integers(60, 81)))
        ops = [(seal, dict()), (rotate, dict(deg=float(rng.uniform(1, 3)))),
               (blur, dict(sigma=0.6)), (noise, dict(sigma=2.5))]
        # the seal stays red under gray storage: it is converted with the page
        return dict(dpi=dpi, color=color, store=store, ops=ops)
    if name == "phone":
        ops = [(perspective, dict(strength=float(rng.uniform(0.03, 0.07)), surround="dark")),
               (illumination, dict(kind=str(rng.choice(["gradient", "vignette", "shadow"])),
                                   strength=float(rng.uniform(0.3, 0.5)))),
               (blur, dict(sigma=0.7)), (noise, dict(sigma=2))]
        return dict(dpi=200, color="rgb", store=("jpeg", int(rng.integers(50, 71))), ops=ops)
    raise KeyError(name)


# ------------------------------------------------------------ rendering

def render(pdf, dpi, tmp, tag):
    prefix = os.path.join(tmp, tag)
    subprocess.run(["pdftoppm", "-r", str(dpi), pdf, prefix], check=True)
    files = sorted(f for f in os.listdir(tmp) if f.startswith(tag + "-") and f.endswith(".ppm"))
    return [np.asarray(Image.open(os.path.join(tmp, f)).convert("RGB")) for f in files]


def unit_box(pdf):
    """The unit line (UNIT_LABEL, 申报单位名称 or 填报单位) on page 1:
    (x0, top, x1, bottom) in points, and the unit's name (for the seal's
    text)."""
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        hits = page.search(UNIT_LABEL)
        if not hits:
            return None, None
        h = hits[0]
        line = [w for w in page.extract_words()
                if abs((w["top"] + w["bottom"]) / 2 - (h["top"] + h["bottom"]) / 2) < 4]
        x1 = max([w["x1"] for w in line] + [h["x1"]])
        text = "".join(w["text"] for w in sorted(line, key=lambda w: w["x0"]))
        unit = text.split("：", 1)[-1].split(":", 1)[-1].strip()
        return (h["x0"], h["top"], x1, h["bottom"]), unit


def seal_palette(levels):
    """A fixed palette for color pages that are paper + black print + red
    ink: `levels` grays, then as many tints of the seal red over white
    (alpha 0.25..1) and over black print (dark reds). An adaptive palette
    spends its few colors on grays and loses the red."""
    red = np.float32([210, 35, 45])
    cols = [np.float32([v, v, v]) for v in np.linspace(0, 255, levels)]
    cols += [255 - a * (255 - red) for a in np.linspace(0.25, 1.0, levels - 2)]
    cols += [red * 0.45, red * 0.2]
    pal = np.clip(np.round(np.stack(cols)), 0, 255).astype(np.uint8).ravel().tolist()
    im = Image.new("P", (1, 1))
    im.putpalette(pal + [0] * (768 - len(pal)))
    return im


def encode(img, color, store, dpi):
    """One page to bytes img2pdf embeds as is (JPEG -> DCT, G4 TIFF ->
    CCITTFax, PNG -> Flate)."""
    if color == "rgb":
        pim = Image.fromarray(img, "RGB")
    else:
        pim = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), "L")
    buf = io.BytesIO()
    if color == "1bit":
        # fax-like: a fixed threshold (no dithering), 1 = white
        g = np.asarray(pim)
        bw = Image.fromarray(np.where(g > 150, 255, 0).astype(np.uint8), "L").convert(
            "1", dither=Image.Dither.NONE)
        bw.save(buf, format="TIFF", compression="group4", dpi=(dpi, dpi))
    elif store[0] == "jpeg":
        pim.save(buf, format="JPEG", quality=store[1], dpi=(dpi, dpi), optimize=True)
    else:
        # ("png", levels): gray quantized to `levels` even steps, or color to
        # `levels` grays + `levels` seal reds (no dithering), so Flate compresses
        levels = store[1]
        if pim.mode == "L":
            g = np.asarray(pim).astype(np.float32)
            step = 255 / (levels - 1)
            pim = Image.fromarray(np.uint8(np.round(g / step) * step), "L")
        else:
            pim = pim.quantize(palette=seal_palette(levels), dither=Image.Dither.NONE)
        pim.save(buf, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buf.getvalue()


def make(split, source, deg, out_dir, golden_out, cache):
    pdf = os.path.join(PRODUCERS, split, source + ".pdf")
    rng = np.random.default_rng(zlib.crc32(f"{source}/{deg}".encode()))
    spec = DEGRADATIONS[deg]
    if spec["store"] is None:
        spec = combo(deg, rng)
    dpi = spec["dpi"]
    key = (pdf, dpi)
    if key not in cache:
        cache[key] = render(pdf, dpi, cache["tmp"], f"s{len(cache)}")
    pages = cache[key]
    needs_bleed = any(f is bleed for f, _ in spec["ops"])
    if needs_bleed:
        bkey = (BLEED[split], dpi)
        if bkey not in cache:
            cache[bkey] = render(os.path.join(PRODUCERS, split, BLEED[split] + ".pdf"), dpi,
                                 cache["tmp"], f"s{len(cache)}")
    if ("unit", pdf) not in cache:
        cache[("unit", pdf)] = unit_box(pdf)
    box_pt, unit = cache[("unit", pdf)]
    scale = dpi / 72
    blobs = []
    for i, page in enumerate(pages):
        ctx = dict(dpi=dpi, index=i, unit_text=unit,
                   unit_box=tuple(v * scale for v in box_pt) if (box_pt and i == 0) else None,
                   bleed=cache[bkey][min(i, len(cache[bkey]) - 1)] if needs_bleed else None)
        img = page
        for f, params in spec["ops"]:
            img = f(img, rng, ctx, **params)
        blobs.append(encode(img, spec["color"], spec["store"], dpi))
    dst = os.path.join(out_dir, split, f"{source}-{deg}.pdf")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as fh:
        fh.write(img2pdf.convert(blobs, nodate=True, engine=img2pdf.Engine.internal))
    os.makedirs(golden_out, exist_ok=True)
    shutil.copyfile(os.path.join(GOLDEN_PRODUCERS, source + ".json"),
                    os.path.join(golden_out, f"{source}-{deg}.json"))
    return dst, spec


def two_page_single_form(split):
    """Every source of the split with 2 pages and one form (for --all / --n)."""
    out = []
    d = os.path.join(PRODUCERS, split)
    for f in sorted(os.listdir(d)):
        if not (f.startswith(PREFIX) and f.endswith(".pdf")):
            continue
        name = f[:-4]
        with open(os.path.join(GOLDEN_PRODUCERS, name + ".json"), encoding="utf-8") as fh:
            if len(json.load(fh)) != 1:
                continue
        info = subprocess.run(["pdfinfo", os.path.join(d, f)], capture_output=True,
                              text=True, check=True).stdout
        if any(l.split()[-1] == "2" for l in info.splitlines() if l.startswith("Pages:")):
            out.append(name)
    return out


def describe(spec):
    ops = ", ".join(f.__name__ + "(" + ", ".join(f"{k}={v:.3g}" if isinstance(v, float)
                                                 else f"{k}={v}" for k, v in p.items()) + ")"
                    for f, p in spec["ops"])
    return f"{spec['dpi']} dpi {spec['color']} {'/'.join(map(str, spec['store']))} [{ops}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--all", action="store_true",
                    help="every 2-page one-form pf- source of each split (do not commit)")
    ap.add_argument("--n", type=int, help="the first N such sources per split (do not commit)")
    ap.add_argument("--sources", help="comma list of sources (NAME-PRODUCER), split found")
    ap.add_argument("--only", help="comma list of degradations")
    ap.add_argument("--degs", choices=["default", "all"], default="default",
                    help="default: the committed list; all: every degradation")
    ap.add_argument("--split", choices=["tuning", "validation"], help="one split only")
    ap.add_argument("--corpus", choices=["producers", "national"], default="producers",
                    help="national: the national form's fixtures, into fixtures/degraded/national")
    ap.add_argument("--out")
    ap.add_argument("--golden-out")
    a = ap.parse_args()
    if a.corpus == "national":
        globals().update(NATIONAL)
    a.out = a.out or OUT
    a.golden_out = a.golden_out or GOLDEN_OUT
    default = NATIONAL_DEGS if a.corpus == "national" else DEFAULT
    degs = (a.only.split(",") if a.only
            else list(DEGRADATIONS) if a.degs == "all" else default)
    splits = [a.split] if a.split else ["tuning", "validation"]
    for split in splits:
        if a.sources:
            srcs = [s for s in a.sources.split(",")
                    if os.path.exists(os.path.join(PRODUCERS, split, s + ".pdf"))]
        elif a.all or a.n:
            srcs = two_page_single_form(split)
            srcs = srcs[:a.n] if a.n else srcs
        else:
            srcs = SOURCES[split]
        with tempfile.TemporaryDirectory() as tmp:
            for src in srcs:
                cache = {"tmp": tmp}
                for deg in degs:
                    dst, spec = make(split, src, deg, a.out, a.golden_out, cache)
                    print(f"{os.path.relpath(dst, ROOT)}: {os.path.getsize(dst) // 1024} KB  "
                          f"{describe(spec)}", file=sys.stderr)


if __name__ == "__main__":
    main()
