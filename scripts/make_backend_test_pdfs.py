#!/usr/bin/env python3
"""Generate the small PDFs under tests/data/ used by tests/pdf_backend.rs.

Raw PDFs are written byte by byte (no PDF library needed); the form-like
PDFs come from LibreOffice (`soffice --headless`) with fonts-noto-cjk.

    python3 scripts/make_backend_test_pdfs.py   # from the repo root
"""
import os
import shutil
import subprocess
import tempfile
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def raw_pdf(objects, compress=False):
    """objects: list of bytes bodies (object n = index+1); object 1 = catalog.
    A body starting with b'STREAM' is `STREAM<dict>\n<data>`."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1)
        if body.startswith(b"STREAM"):
            d, data = body[6:].split(b"\n", 1)
            if compress:
                data = zlib.compress(data)
                d = d[:-2] + b" /Filter /FlateDecode>>"
            out += d[:-2] + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"
        else:
            out += body
        out += b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def page_objs(content, font_objs, extra=b""):
    """Catalog, Pages, Page, Contents, then fonts (as objects 5..)."""
    fonts = b" ".join(b"/F%d %d 0 R" % (i + 1, 5 + i) for i in range(len(font_objs)))
    return [
        b"<</Type /Catalog /Pages 2 0 R>>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <<"
        + fonts + b">>" + extra + b">> /Contents 4 0 R>>",
        b"STREAM<<>>\n" + content,
    ] + font_objs


def hexs(b):
    return b"<" + b.hex().upper().encode() + b">"


def gbk_euc_h():
    text = "上海市财政支出项目绩效目标申报表"
    line2 = "(2019年) ABC 123"
    content = (
        b"BT /F1 20 Tf 50 780 Td " + hexs(text.encode("gbk")) + b" Tj ET\n"
        + b"BT /F1 12 Tf 50 750 Td " + hexs(line2.encode("gbk")) + b" Tj ET\n"
    )
    fonts = [
        b"<</Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /GBK-EUC-H /DescendantFonts [6 0 R]>>",
        b"<</Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo <</Registry (Adobe) /Ordering (GB1) /Supplement 2>>"
        b" /FontDescriptor 7 0 R /DW 1000 /W [1 95 500]>>",
        b"<</Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93>>",
    ]
    return raw_pdf(page_objs(content, fonts))


def unigb_ucs2_h():
    text = "项目名称：信息化建设（一期）"
    content = b"BT /F1 10 Tf 72 700 Td " + hexs(text.encode("utf-16-be")) + b" Tj ET\n"
    fonts = [
        b"<</Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R]>>",
        b"<</Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo <</Registry (Adobe) /Ordering (GB1) /Supplement 2>> /DW 1000>>",
    ]
    return raw_pdf(page_objs(content, fonts))


def kangxi_tounicode():
    # Identity-H font whose ToUnicode maps CIDs to Kangxi radicals
    # (U+2F08 ⼈ for 人, U+2F2F ⼯ for 工, U+2FA6 ⾦ for 金) and one CID to
    # two chars (a ligature "fi").
    cmap = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
4 beginbfchar
<0001> <2F08>
<0002> <2F2F>
<0003> <2FA6>
<0004> <00660069>
endbfchar
1 beginbfrange
<0010> <0012> <0031>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end"""
    content = b"BT /F1 12 Tf 100 600 Td <0001000200030004> Tj [<0010> -500 <00110012>] TJ ET\n"
    fonts = [
        b"<</Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H"
        b" /DescendantFonts [6 0 R] /ToUnicode 7 0 R>>",
        b"<</Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun"
        b" /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>>"
        b" /DW 1000 /W [4 [600] 16 18 500]>>",
        b"STREAM<<>>\n" + cmap,
    ]
    return raw_pdf(page_objs(content, fonts), compress=True)


def rulings():
    # Table-like rulings exercising every path form the backend must read.
    content = b"\n".join([
        b"0.5 w",
        # stroked m/l segments, drawn twice (as LibreOffice sometimes does)
        b"100 700 m 300 700 l S",
        b"100 700 m 300 700 l S",
        b"100.1 700.05 m 299.9 700.05 l S",
        # a stroked rectangle: 4 edges
        b"100 500 200 100 re S",
        # thin filled rects (f, f*, B) = ruling lines
        b"100 450 200 0.5 re f",
        b"100 440 200 0.6 re f*",
        b"99.75 300 0.5 100 re B",
        # a closed 4-point m/l axis-aligned thin rectangle, filled
        b"400 300 m 400.8 300 l 400.8 400 l 400 400 l h f",
        # a cell background: not a ruling line by default
        b"0.9 g 110 610 80 30 re f 0 g",
        # a diagonal line: dropped
        b"100 100 m 200 200 l S",
        # a line under a CTM: scale 2 and translate
        b"q 2 0 0 2 50 50 cm 0 0 m 50 0 l S Q",
        # a curve, stroked: not an edge
        b"300 100 m 310 120 330 120 340 100 c S",
        # white lines (gray, RGB, CMYK; stroked and thin-filled): invisible, no edges
        b"q 1 G 450 100 m 550 100 l S 1 1 1 RG 450 120 m 550 120 l S"
        b" 0 0 0 0 K 450 140 m 550 140 l S 1 g 450 160 100 0.5 re f Q",
    ]) + b"\n"
    return raw_pdf(page_objs(content, []))


def form_xobject_simple_font():
    # Text inside a Form XObject (with its own /Matrix), in a simple
    # TrueType font with /Widths and /Differences; a second page with
    # /Rotate 90 and a ruling line.
    form = (
        b"STREAM<</Type /XObject /Subtype /Form /BBox [0 0 500 500] /Matrix [1 0 0 1 100 0]"
        b" /Resources <</Font <</F1 5 0 R>>>>>>\n"
        b"BT /F1 10 Tf 0 700 Td (Ab1) Tj ET 0 690 m 200 690 l S\n"
    )
    font = (
        b"<</Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 49 /LastChar 98"
        b" /Widths [556 " + b"0 " * 15 + b"667 " + b"0 " * 32 + b"556]"
        b" /Encoding <</Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [65 /uni4E0A]>>>>"
    )
    objs = [
        b"<</Type /Catalog /Pages 2 0 R>>",
        b"<</Type /Pages /Kids [3 0 R 7 0 R] /Count 2 /MediaBox [0 0 595 842]>>",
        b"<</Type /Page /Parent 2 0 R /Resources <</XObject <</X1 6 0 R>>>> /Contents 4 0 R>>",
        b"STREAM<<>>\nq 1 0 0 1 0 -100 cm /X1 Do Q\n",
        font,
        form,
        b"<</Type /Page /Parent 2 0 R /Rotate 90 /Resources <</Font <</F1 5 0 R>>>> /Contents 8 0 R>>",
        b"STREAM<<>>\nBT /F1 10 Tf 100 800 Td (A) Tj ET 100 700 m 300 700 l S\n",
    ]
    return raw_pdf(objs)


def helvetica_no_widths():
    # A standard-14 font with no /Widths, as iText writes it.
    return raw_pdf(page_objs(
        b"BT /F1 10 Tf 10 10 Td (Hello, World 2019/12/31 @x) Tj ET\n",
        [b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>"],
    ))


def text_state():
    # Tc, Tw, Tz, TL, T*, ', " and a scaling Tm, with Helvetica AFM widths.
    return raw_pdf(page_objs(
        b"BT /F1 10 Tf 2 Tc 5 Tw 50 Tz 12 TL 100 700 Td (a b) Tj T* (c) ' 1 0 (d) \" ET\n"
        b"BT /F1 5 Tf 2 0 0 2 300 500 Tm (H) Tj ET\n",
        [b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>"],
    ))


def libreoffice(tmp, name, html, opts=None):
    src = os.path.join(tmp, name + ".html")
    with open(src, "w", encoding="utf-8") as f:
        f.write(html)
    fmt = "pdf:writer_pdf_Export" + ("" if opts is None else ":" + opts)
    subprocess.run(
        ["soffice", "--headless", "--infilter=HTML (StarWriter)", "--convert-to", fmt, "--outdir", tmp, src],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    shutil.copy(os.path.join(tmp, name + ".pdf"), os.path.join(OUT, name + ".pdf"))


FORM_HTML = """<html><head><meta charset="utf-8"><style>
body { font-family: 'Noto Sans CJK SC'; font-size: 10pt; }
table { border-collapse: collapse; }
td { border: 1px solid black; padding: 3pt; }
</style></head><body>
<p align="center"><b>上海市财政支出项目绩效目标申报表</b></p>
<p align="center">(2019年)</p>
<p>申报单位名称：上海市大数据中心</p>
<table border="1" cellspacing="0" cellpadding="4">
<tr><td>项目名称</td><td colspan="3">市级政务云运维服务（2019）</td></tr>
<tr><td>项目类型</td><td colspan="3">市委市政府已确定的新增项目□ 结转项目□ 其他一次性项目■</td></tr>
<tr><td>开始时间</td><td>2019/1/1</td><td>结束时间</td><td>2019/12/31</td></tr>
<tr><td>项目总预算（元）</td><td>42,429,660.00</td><td>项目当年预算（元）</td><td>19,700,000</td></tr>
<tr><td>分解目标</td><td>产出目标</td><td>数量目标</td><td>≥90%</td></tr>
</table>
</body></html>
"""

FORM_TEXT = "上海市财政支出项目绩效目标申报表 (2019年) 申报单位名称：上海市大数据中心 项目名称 市级政务云运维服务（2019） 项目类型 市委市政府已确定的新增项目□ 结转项目□ 其他一次性项目■ 开始时间 2019/1/1 结束时间 2019/12/31 项目总预算（元） 42,429,660.00 项目当年预算（元） 19,700,000 分解目标 产出目标 数量目标 ≥90%"


LONG_ROW = "<tr><td>项目概况</td><td colspan=\"3\">" + "本项目用于保障市级政务云平台的日常运维，包括主机、存储、网络与安全设备的巡检、故障处理和性能优化，确保全年服务可用率达到99.9%以上。" * 3 + "</td></tr>"
LONG_HTML = FORM_HTML.replace("</table>", LONG_ROW * 14 + "</table>")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in [
        ("gbk_euc_h.pdf", gbk_euc_h()),
        ("unigb_ucs2_h.pdf", unigb_ucs2_h()),
        ("kangxi_tounicode.pdf", kangxi_tounicode()),
        ("rulings.pdf", rulings()),
        ("form_xobject_simple_font.pdf", form_xobject_simple_font()),
        ("helvetica_no_widths.pdf", helvetica_no_widths()),
        ("text_state.pdf", text_state()),
    ]:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    with open(os.path.join(OUT, "libreoffice_form.txt"), "w", encoding="utf-8") as f:
        f.write(FORM_TEXT + "\n")
    with tempfile.TemporaryDirectory() as tmp:
        libreoffice(tmp, "libreoffice_form", FORM_HTML)
        libreoffice(tmp, "libreoffice_3pages", LONG_HTML)
        libreoffice(
            tmp, "encrypted", FORM_HTML,
            '{"EncryptFile":{"type":"boolean","value":"true"},'
            '"DocumentOpenPassword":{"type":"string","value":"secret"}}',
        )
        libreoffice(
            tmp, "encrypted_owner_only", FORM_HTML,
            '{"EncryptFile":{"type":"boolean","value":"false"},'
            '"RestrictPermissions":{"type":"boolean","value":"true"},'
            '"PermissionPassword":{"type":"string","value":"owner"},'
            '"Printing":{"type":"long","value":"0"}}',
        )


if __name__ == "__main__":
    main()
