#!/usr/bin/env python3
"""A fixture corpus of the declaration form printed by several producers.

Run from the repository root:  python3 scripts/make_producers.py [--only NAME,...]

  1. Builds 48 seeded truths (seed SEED, independent of make_fixtures') with
     the generator of make_fixtures.py plus long level-3 names, sentence
     targets, long funding names and very long text fields, and writes each to
     golden/producers/NAME.json BEFORE anything is rendered.
  2. Lays every truth out as one row model (label column + 4 value columns,
     merged cells as on the printed form) and renders it through each producer:
       calc        .xlsx (openpyxl) -> LibreOffice Calc  -> PDF
       docx        .docx (python-docx) -> LibreOffice Writer -> PDF
       chromium    HTML -> headless Chromium print-to-pdf
       weasyprint  HTML -> WeasyPrint
       wkhtmltopdf HTML -> wkhtmltopdf (Qt WebKit)
     into fixtures/producers/{tuning,validation}/NAME-PRODUCER.pdf, with the
     truth copied to golden/producers/NAME-PRODUCER.json.
  3. Sweeps page breaks: a spacer of varying height above the table, and in
     some files a forced page break before a chosen row. Each file has a
     wanted break case; if the first offset does not give it, the next
     offsets are tried (up to len(OFFSETS) rounds).
  4. Reads every PDF back with pdfplumber, locates every truth value
     (text check) and every page break (coverage), and writes
     fixtures/producers/COVERAGE.md.

Needs: libreoffice-calc-nogui libreoffice-writer-nogui chromium wkhtmltopdf
fonts-noto-cjk fonts-wqy-zenhei; pip: openpyxl python-docx weasyprint pdfplumber.
"""

import concurrent.futures as cf
import copy
import html
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402

ROOT = mf.ROOT
GOLDEN = os.path.join(ROOT, "golden", "producers")
OUT = os.path.join(ROOT, "fixtures", "producers")
SEED = 20240917
N_TRUTHS = 48
# The extra tuning set (`--extra`): 24 more truths, all tuning.
EXTRA_SEED = 20261130
N_EXTRA = 24
PRODUCERS = ["calc", "docx", "chromium", "weasyprint", "wkhtmltopdf"]
FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei"]
# spacer heights above the table (mm), tried in this order, rotated per file
OFFSETS = [0, 37, 74, 111, 18, 55, 92, 129]
ROUNDS = 2

# ---------------------------------------------------------------------------
# Truths

LONG_L3 = [
    "政务服务事项网上可办率（含全程网办和最多跑一次事项）",
    "重点区域视频监控设备在线率及图像质量合格率",
    "跨部门数据共享交换接口按时响应和调用成功比例",
    "市民热线工单按期办结率（不含重复工单和无效来电）",
    "城市运行体征指标实时汇聚和异常告警准确率",
    "基层工作人员业务系统操作培训覆盖率",
]
LONG_TARGETS = [
    "系统在项目期满后能够持续稳定运行，并具备按需扩展和迁移至市级政务云的能力",
    "全年未发生因系统故障导致的业务中断，重大节假日和重要活动期间保障到位",
    "形成一套可复制、可推广的工作机制，并在全市各区推广应用",
    "按照合同约定的时间节点完成各阶段任务，验收资料齐全规范",
    "用户满意度调查结果不低于90%，投诉问题100%得到及时处理和反馈",
]
LONG_FUND = [
    "市级政务外网通信链路及安全接入服务费（含备份链路和专线）",
    "数据中心机房基础设施运行维护及巡检服务费",
    "业务应用系统功能完善和适配改造开发费（含国产化适配）",
    "第三方软件测评、等级保护测评及商用密码应用安全性评估费",
]
EXTRA_PARAS = [
    "{t}{k}自投入运行以来，累计服务各类用户超过{n}万人次，形成了较为完整的业务数据资源体系，"
    "为全市相关工作的开展提供了有力支撑。",
    "从运行情况看，系统总体稳定，但仍存在部分功能模块响应速度偏慢、跨部门数据更新不及时、"
    "移动端应用体验有待提升等问题，需要在本年度通过运维和优化逐步加以解决。",
    "本年度将重点围绕数据治理、安全防护、应用推广三个方面开展工作，进一步健全运维服务体系，"
    "完善应急响应机制，提升系统的可用性、可靠性和安全性。",
    "项目实施过程中，将严格落实网络安全和数据安全管理要求，对涉及个人信息和敏感数据的业务"
    "环节实行分级分类管理，确保数据全生命周期安全可控。",
    "为保证项目顺利实施，本单位将会同相关部门定期召开协调会议，研究解决项目推进中遇到的"
    "重大问题，并将项目实施情况纳入年度绩效考核。",
    "在服务方式上，坚持需求导向和问题导向，广泛听取基层单位和服务对象的意见建议，"
    "持续优化业务流程，减少办事环节，缩短办理时限。",
    "在资金管理上，严格执行国库集中支付和政府采购有关规定，按照合同约定和项目进度支付资金，"
    "确保资金使用规范、安全、有效。",
    "在绩效管理上，建立事前评估、事中监控、事后评价的全过程绩效管理机制，"
    "及时发现和纠正项目实施中的偏差。",
]
TEXT_KEYS = ["overview", "basis", "necessity", "safeguards", "implementation_plan",
             "overall_goal", "annual_goal"]


def very_long_text(rng, fmt, nparas):
    out = []
    for _ in range(nparas):
        k = rng.randint(2, 3)
        out.append("".join(p.format(**fmt) for p in rng.sample(EXTRA_PARAS, k)))
    return "\n".join(out)


def gen_truths(seed=SEED, n=N_TRUTHS, prefix="pf", two_forms=(8, 27, 41)):
    """n truths (48 by default): list of (name, [(rec, spec), ...]). Seeded;
    nothing rendered. Another seed and prefix give the extra tuning set."""
    rng = random.Random(seed)
    truths = []
    very_long = set(rng.sample(range(n), n * 14 // 48))
    for i in range(n):
        forms = []
        for f in range(2 if i in two_forms else 1):
            opts = dict(
                year=rng.randint(2016, 2024),
                n_fund=rng.randint(1, 14),
                n_ind=rng.randint(4, 16),
                decimals=rng.random() < 0.5,
                long=rng.random() < 0.35,
                numbered_basis=rng.random() < 0.4,
                remarks=rng.random() < 0.45,
                nobox=rng.random() < 0.15,
                fen=rng.random() < 0.2,
                empty_prior=rng.random() < 0.3,
                level2_extra=rng.random() < 0.25,
                io_split=rng.random() < 0.2,
                management_first=rng.random() < 0.1,
            )
            if opts["io_split"]:
                opts["n_ind"] = max(opts["n_ind"], 8)
            if opts["fen"]:
                opts["decimals"] = True
            if opts["n_fund"] == 1:
                opts["fen"] = False
            rec, spec = mf.gen_form(rng, i, opts)
            topic_fmt = {"t": rec["project_name"][:6], "k": "", "n": rng.randint(5, 90)}
            inds = rec["indicators"]
            # long wrapped level-3 names and sentence targets
            if rng.random() < 0.6:
                for j in rng.sample(range(len(inds)), min(len(inds), rng.randint(1, 4))):
                    if rng.random() < 0.5:
                        inds[j]["level3"] = rng.choice(LONG_L3)
                    else:
                        inds[j]["target"] = rng.choice(LONG_TARGETS)
                    inds[j]["target_parsed"] = mf.parse_target(inds[j]["target"])
            if rng.random() < 0.3:
                comps = rec["funding_components"]
                j = rng.randrange(len(comps))
                if all(c["name"] not in LONG_FUND for c in comps):
                    comps[j]["name"] = rng.choice(LONG_FUND)
            if i in very_long and f == 0:
                key = rng.choice(["overview", "necessity", "safeguards", "implementation_plan",
                                  "overview"])
                rec[key] = rec[key] + "\n" + very_long_text(rng, topic_fmt, rng.randint(12, 20))
            forms.append((rec, spec))
        truths.append((f"{prefix}-{i + 1:02d}", forms))
    return truths


def spec_json(spec):
    return {"start": spec["start"], "end": spec["end"], "nobox": sorted(spec["nobox"]),
            "decimals": spec["decimals"]}


# ---------------------------------------------------------------------------
# Row model: rows of cells over 5 columns (0 label, 1-4 values), vertical spans.
# A cell is (c0, c1, [paragraphs], kind); kind "text" = indented free text.

def form_model(rec, spec, split_ind=False, chunk_chars=None):
    """rows: list of dicts {id, cells}; spans: list of (r0, r1, col, paras).

    split_ind: the indicator block starts a second table whose first row (the
    header) carries 分解目标 and may repeat; the label column below is an
    empty merged cell.  chunk_chars: free text longer than this is split at
    paragraph boundaries over several rows with the label merged down (Calc,
    which never splits a row across pages)."""
    dec = spec["decimals"]
    rows, spans = [], []

    def add(rid, cells):
        rows.append({"id": rid, "cells": cells})
        return len(rows) - 1

    def opt_lines(lines, seps, ticked):
        return mf.option_texts(lines, seps, ticked, spec["nobox"])

    def textrow(rid, label, text):
        paras = text.split("\n") if text else []
        if chunk_chars and text and len(text) > chunk_chars:
            chunks, cur = [], []
            for p in paras:
                if cur and sum(len(x) for x in cur) + len(p) > chunk_chars:
                    chunks.append(cur)
                    cur = []
                cur.append(p)
            chunks.append(cur)
            r0 = None
            for k, ch in enumerate(chunks):
                r = add(f"{rid}#{k}", [(1, 5, ch, "text")])
                r0 = r if r0 is None else r0
            spans.append((r0, r, 0, [label]))
            return
        add(rid, [(0, 1, [label], "label"), (1, 5, paras, "text")])

    add("project_name", [(0, 1, ["项目名称"], "label"), (1, 5, [rec["project_name"]], "value")])
    add("project_type", [(0, 1, ["项目类型"], "label"),
                         (1, 5, opt_lines(mf.PROJECT_TYPE_LINES, mf.PROJECT_TYPE_SEPS,
                                          rec["project_type"]), "value")])
    add("fund_use", [(0, 1, ["资金用途"], "label"),
                     (1, 5, opt_lines(mf.FUND_USE_LINES, mf.FUND_USE_SEPS, rec["fund_use"]),
                      "value")])
    add("dates", [(0, 1, ["开始时间"], "label"), (1, 2, [spec["start"]], "value"),
                  (2, 3, ["结束时间"], "label"), (3, 5, [spec["end"]], "value")])
    textrow("overview", "项目概况", rec["overview"])
    textrow("basis", "立项依据", rec["basis"])
    textrow("necessity", "项目设立的必要性", rec["necessity"])
    textrow("safeguards", "保证项目实施的制度、措施", rec["safeguards"])
    add("budget", [(0, 1, ["项目总预算（元）"], "label"),
                   (1, 2, [mf.fmt_amount(rec["total_budget"], dec)], "value"),
                   (2, 3, ["项目当年预算（元）"], "label"),
                   (3, 5, [mf.fmt_amount(rec["current_year_budget"], dec)], "value")])
    add("prior", [(0, 1, ["同名项目上年预算额（元）"], "label"),
                  (1, 2, [mf.fmt_amount(rec["prior_year_budget"], dec)], "value"),
                  (2, 3, ["同名项目上年预算执行数（元）"], "label"),
                  (3, 5, [mf.fmt_amount(rec["prior_year_spent"], dec)], "value")])
    r0 = add("fund_hdr", [(1, 3, ["子项目名称"], "label"), (3, 5, ["预算金额（元）"], "label")])
    for k, c in enumerate(rec["funding_components"]):
        r1 = add(f"fund{k}", [(1, 3, [c["name"]], "value"),
                              (3, 5, [mf.fmt_amount(c["amount"], dec)], "value")])
    spans.append((r0, r1, 0, ["项目当年投入资金构成"]))
    textrow("plan", "项目实施计划", rec["implementation_plan"])
    textrow("overall_goal", "项目总目标", rec["overall_goal"])
    textrow("annual_goal", "年度绩效目标", rec["annual_goal"])
    hdr = [(1, 2, ["一级指标"], "label"), (2, 3, ["二级指标"], "label"),
           (3, 4, ["三级指标"], "label"), (4, 5, ["指标目标值"], "label")]
    if split_ind:
        hdr = [(0, 1, ["分解目标"], "label")] + hdr
    r0 = add("ind_hdr", hdr)
    inds = rec["indicators"]
    first = len(rows)
    for k, ind in enumerate(inds):
        r1 = add(f"ind{k}", [(3, 4, [ind["level3"]], "value"), (4, 5, [ind["target"]], "value")])
    if split_ind:
        spans.append((first, r1, 0, []))
    else:
        spans.append((r0, r1, 0, ["分解目标"]))
    for key, col in (("level1", 1), ("level2", 2)):
        for i, j in mf.level_runs(inds, key):
            spans.append((first + i, first + j, col, [inds[i][key]]))
    textrow("remarks", "备注", rec["remarks"] or "")
    return rows, spans


def cell_grid(rows, spans):
    """Per row: list of (c0, c1, rowspan, paras, kind) anchored there; covered cells omitted."""
    out = [[] for _ in rows]
    for ri, row in enumerate(rows):
        for c0, c1, paras, kind in row["cells"]:
            out[ri].append((c0, c1, 1, paras, kind))
    for r0, r1, col, paras in spans:
        out[r0].append((col, col + 1, r1 - r0 + 1, paras, "label" if col == 0 else "merged"))
    for cells in out:
        cells.sort()
    return out


# ---------------------------------------------------------------------------
# HTML (chromium, weasyprint, wkhtmltopdf)

def html_css(font):
    """The style sheet of the HTML producers: A4, 18 mm margins, collapsed
    1 px borders, rows allowed to break across pages."""
    return f"""
@page {{ size: A4; margin: 18mm 18mm 18mm 18mm; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "{font}"; font-size: 10.5pt; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
td {{ border: 1px solid black; padding: 3px 4px; vertical-align: middle;
      font-family: "{font}"; font-size: 10.5pt; word-wrap: break-word; }}
tr {{ break-inside: auto; page-break-inside: auto; }}
thead {{ display: table-header-group; }}
p {{ margin: 0; }}
p.t {{ text-indent: 2em; }}
.title {{ text-align: center; font-size: 16pt; margin: 0 0 4pt 0; }}
.year {{ text-align: center; margin: 0 0 4pt 0; }}
"""


def html_tr(cells, rid, force, producer):
    """One table row of cell_grid `cells` (row id `rid`); a forced break
    before it when `rid` is `force` (wkhtmltopdf: inside its first plain
    cell, which it honours there only)."""
    tds = []
    for ci, (c0, c1, rs, paras, kind) in enumerate(cells):
        attrs = ""
        if c1 - c0 > 1:
            attrs += f' colspan="{c1 - c0}"'
        if rs > 1:
            attrs += f' rowspan="{rs}"'
        if kind == "text":
            inner = "".join(f'<p class="t">{html.escape(p)}</p>' for p in paras)
        else:
            inner = "<br>".join(html.escape(p).replace("  ", "&nbsp;&nbsp;")
                                for p in paras)
        inner = inner or "&nbsp;"
        first_plain = next(k for k, c in enumerate(cells) if c[2] == 1)
        if ci == first_plain and force == rid and producer == "wkhtmltopdf":
            inner = f'<div style="page-break-before: always">{inner}</div>'
        tds.append(f"<td{attrs}>{inner}</td>")
    trs = ""
    if force == rid and producer != "wkhtmltopdf":
        trs = ' style="break-before: page; page-break-before: always"'
    return f"<tr{trs}>" + "".join(tds) + "</tr>"


def html_doc(forms, lay, producer):
    css = html_css(lay["font"])
    body = []
    for fi, (rec, spec) in enumerate(forms):
        rows, spans = form_model(rec, spec, split_ind=lay["split_ind"])
        grid = cell_grid(rows, spans)
        brk = "" if fi == 0 else ' style="break-before: page; page-break-before: always"'
        body.append(f'<div{brk}><p class="title">{html.escape(rec["title"])}</p>')
        body.append(f'<p class="year">({rec["year"]}年)</p>')
        body.append(f'<p>申报单位名称：{html.escape(rec["unit"])}</p></div>')
        body.append(f'<div style="height:{lay["spacer"] if fi == 0 else 0}mm"></div>')
        cols = ('<colgroup><col style="width:15%"><col style="width:21%"><col style="width:21%">'
                '<col style="width:21%"><col style="width:22%"></colgroup>')
        body.append("<table>" + cols + "<tbody>")
        force = lay["force"] if fi == 0 else None
        for ri, row in enumerate(rows):
            if lay["split_ind"] and row["id"] == "ind_hdr":
                body.append("</tbody></table>")
                body.append("<table>" + cols + "<thead>")
            body.append(html_tr(grid[ri], row["id"], force, producer))
            if lay["split_ind"] and row["id"] == "ind_hdr":
                body.append("</thead><tbody>")
        body.append("</tbody></table>")
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>{css}</style></head>'
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer"]


def render_html(producer, doc, out_pdf, tmp):
    src = os.path.join(tmp, os.path.basename(out_pdf)[:-4] + ".html")
    with open(src, "w", encoding="utf-8") as fh:
        fh.write(doc)
    if producer == "chromium":
        prof = tempfile.mkdtemp(prefix="chr-", dir=tmp)
        subprocess.run(["chromium"] + CHROMIUM_FLAGS + [f"--user-data-dir={prof}",
                                                         f"--print-to-pdf={out_pdf}",
                                                         "file://" + src],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)
        shutil.rmtree(prof, ignore_errors=True)
    elif producer == "wkhtmltopdf":
        subprocess.run(["wkhtmltopdf", "-q", "--enable-local-file-access", "-s", "A4",
                        "-T", "18mm", "-B", "18mm", "-L", "18mm", "-R", "18mm",
                        src, out_pdf], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
    elif producer == "weasyprint":
        subprocess.run([sys.executable, "-c",
                        "import sys, weasyprint; weasyprint.HTML(sys.argv[1])"
                        ".write_pdf(sys.argv[2])", src, out_pdf],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=300)
    else:
        raise ValueError(producer)


# ---------------------------------------------------------------------------
# docx (python-docx -> LibreOffice Writer)

def docx_document(font):
    """A python-docx document: A4, 18 mm margins, `font` at 10.5 pt, single
    spacing, no space around paragraphs."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin = sec.bottom_margin = Mm(18)
    sec.left_margin = sec.right_margin = Mm(18)
    st = d.styles["Normal"]
    st.font.name = font
    st.font.size = Pt(10.5)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    st.paragraph_format.space_after = Pt(0)
    st.paragraph_format.space_before = Pt(0)
    st.paragraph_format.line_spacing = 1.0
    return d


def docx_table(d, nrows, widths):
    """A bordered table (Table Grid) of fixed column widths."""
    t = d.add_table(rows=nrows, cols=len(widths))
    t.style = "Table Grid"
    t.autofit = False
    for ci, w in enumerate(widths):
        t.columns[ci].width = w
        for c in t.columns[ci].cells:
            c.width = w
    return t


def docx_fill(t, grid, rows, a, b, force):
    """Rows a..b of cell_grid `grid` into table `t` (its row 0 is row a),
    merged cells merged, free text indented, a page break before the row
    whose id is `force`."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Pt

    for ri in range(a, b):
        for c0, c1, rs, paras, kind in grid[ri]:
            cell = t.cell(ri - a, c0)
            if c1 - c0 > 1 or rs > 1:
                cell = cell.merge(t.cell(ri - a + rs - 1, c1 - 1))
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paras = paras or [""]
            for k, txt in enumerate(paras):
                para_ = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                para_.add_run(txt)
                if kind == "text":
                    para_.paragraph_format.first_line_indent = Pt(21)
            if force == rows[ri]["id"] and c0 == grid[ri][0][0]:
                cell.paragraphs[0].paragraph_format.page_break_before = True


def docx_write(forms, lay, path):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    d = docx_document(lay["font"])
    widths = [Cm(2.6), Cm(3.7), Cm(3.7), Cm(3.7), Cm(3.7)]

    for fi, (rec, spec) in enumerate(forms):
        p = d.add_paragraph() if fi == 0 else d.add_paragraph()
        if fi > 0:
            p.paragraph_format.page_break_before = True
        p.alignment = 1
        r = p.add_run(rec["title"])
        r.font.size = Pt(16)
        p = d.add_paragraph(f"({rec['year']}年)")
        p.alignment = 1
        p = d.add_paragraph("申报单位名称：" + rec["unit"])
        p.paragraph_format.space_after = Mm(lay["spacer"] if fi == 0 else 0)
        rows, spans = form_model(rec, spec, split_ind=lay["split_ind"])
        grid = cell_grid(rows, spans)
        cut = next(i for i, r in enumerate(rows) if r["id"] == "ind_hdr") if lay["split_ind"] \
            else len(rows)
        parts = [(0, cut)] + ([(cut, len(rows))] if cut < len(rows) else [])
        force = lay["force"] if fi == 0 else None
        for pi, (a, b) in enumerate(parts):
            if pi > 0:
                sep = d.add_paragraph()
                sep.paragraph_format.line_spacing = Pt(1)
                sep.runs or sep.add_run("").font.size
            t = docx_table(d, b - a, widths)
            docx_fill(t, grid, rows, a, b, force)
            if pi > 0 and lay["repeat_hdr"]:
                trPr = t.rows[0]._tr.get_or_add_trPr()
                el = OxmlElement("w:tblHeader")
                el.set(qn("w:val"), "true")
                trPr.append(el)
    d.save(path)


# ---------------------------------------------------------------------------
# xlsx (openpyxl -> LibreOffice Calc)

XL_WIDTHS = [16, 20, 20, 20, 20]   # character units
PT_PER_UNIT = 5.6


def est_lines(paras, width_pt, fs):
    n = 0
    for p in paras or [""]:
        w = sum(fs * (0.55 if ord(ch) < 0x80 else 1.0) for ch in p)
        n += max(1, int(w / (width_pt - 8) + 0.999))
    return n


def xlsx_write(forms, lay, path):
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.pagebreak import Break

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fs = 10
    line_h = 16.5 if "Noto" in lay["font"] else 14.5
    font = Font(name=lay["font"], size=fs)
    for fi, (rec, spec) in enumerate(forms):
        ws = wb.create_sheet(f"表{fi + 1}")
        for ci, w in enumerate(XL_WIDTHS):
            ws.column_dimensions["ABCDE"[ci]].width = w
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.page_margins.top = ws.page_margins.bottom = 0.7
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.print_options.horizontalCentered = True
        ws.merge_cells("A1:E1")
        ws["A1"] = rec["title"]
        ws["A1"].font = Font(name=lay["font"], size=16)
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 30
        ws.merge_cells("A2:E2")
        ws["A2"] = f"({rec['year']}年)"
        ws["A2"].font = font
        ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells("A3:E3")
        ws["A3"] = "申报单位名称：" + rec["unit"]
        ws["A3"].font = font
        ws.row_dimensions[3].height = 20
        ws.row_dimensions[4].height = max(1.0, (lay["spacer"] if fi == 0 else 0) * 2.835)
        base = 5
        rows, spans = form_model(rec, spec, chunk_chars=700)
        grid = cell_grid(rows, spans)
        heights = [14.0] * len(rows)
        for ri, cells in enumerate(grid):
            for c0, c1, rs, paras, kind in cells:
                if rs > 1:
                    continue
                w = sum(XL_WIDTHS[c0:c1]) * PT_PER_UNIT
                heights[ri] = max(heights[ri], est_lines(paras, w, fs) * line_h + 6)
        for ri, cells in enumerate(grid):
            for c0, c1, rs, paras, kind in cells:
                if rs > 1:
                    w = XL_WIDTHS[c0] * PT_PER_UNIT
                    need = est_lines(paras, w, fs) * line_h + 6
                    have = sum(heights[ri:ri + rs])
                    if need > have:
                        heights[ri + rs - 1] += need - have
        for ri, cells in enumerate(grid):
            xr = base + ri
            ws.row_dimensions[xr].height = min(409, heights[ri])
            for c0, c1, rs, paras, kind in cells:
                ref = f"{'ABCDE'[c0]}{xr}"
                if c1 - c0 > 1 or rs > 1:
                    ws.merge_cells(f"{ref}:{'ABCDE'[c1 - 1]}{xr + rs - 1}")
                ws[ref] = "\n".join(paras) if paras else None
                ws[ref].alignment = Alignment(wrap_text=True, vertical="center",
                                              horizontal="left")
                ws[ref].font = font
            for ci in range(5):
                ws[f"{'ABCDE'[ci]}{xr}"].border = border
            if fi == 0 and lay["force"] == rows[ri]["id"]:
                ws.row_breaks.append(Break(id=xr - 1))
    wb.save(path)


def soffice_convert(paths, outdir, tmp):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = "file://" + os.path.join(tmp, "lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", outdir] + paths, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)


# ---------------------------------------------------------------------------
# Reading a PDF back: column texts per page, row location, text check, breaks

def norm(s):
    return re.sub(r"\s+", "", s or "")


def unkangxi(t):
    """Kangxi radicals (U+2F00-2FDF) that some producers put in ToUnicode for
    shared glyphs of Noto CJK (⽀ for 支) folded to the unified ideograph."""
    return "".join(unicodedata.normalize("NFKC", ch) if 0x2F00 <= ord(ch) <= 0x2FDF else ch
                   for ch in t)


def page_lines(page):
    chars = [dict(c, text=unkangxi(c["text"])) for c in page.chars if c["text"].strip()]
    chars.sort(key=lambda c: (c["top"], c["x0"]))
    lines = []
    for c in chars:
        if lines and abs(c["top"] - lines[-1][0]) < 3.0:
            lines[-1][1].append(c)
        else:
            lines.append([c["top"], [c]])
    for ln in lines:
        ln[1].sort(key=lambda c: c["x0"])
    return [ln[1] for ln in lines]


class PdfText:
    def __init__(self, path):
        import pdfplumber
        with pdfplumber.open(path) as pdf:
            self.kangxi = sum(1 for p in pdf.pages for c in p.chars
                              if 0x2F00 <= ord(c["text"][:1] or " ") <= 0x2FDF)
            self.pages = [page_lines(p) for p in pdf.pages]
            self.height = [p.height for p in pdf.pages]
        self.whole = ["".join(c["text"] for ln in lines for c in ln) for lines in self.pages]

    def find_x(self, word, pages):
        for p in pages:
            for ln in self.pages[p]:
                s = "".join(c["text"] for c in ln)
                k = s.find(word)
                if k >= 0:
                    return ln[k]["x0"]
        return None

    def region(self, p, x0, x1):
        out = []
        for ln in self.pages[p]:
            out.append("".join(c["text"] for c in ln if x0 <= c["x0"] < x1))
        return "".join(out)


def form_pages(pt, n_forms):
    starts = [p for p, w in enumerate(pt.whole) if mf.TITLE in w]
    starts = starts[:n_forms]
    if len(starts) < n_forms:
        return None
    bounds = starts + [len(pt.pages)]
    return [list(range(bounds[i], bounds[i + 1])) for i in range(n_forms)]


def locate(pt, pages, rows, spans, rec, spec):
    """Locate each row's pieces page by page.  Returns (rowinfo, missing)."""
    x_c1 = pt.find_x("一级指标", pages)
    x_c2 = pt.find_x("二级指标", pages)
    x_c3 = pt.find_x("三级指标", pages)
    x_c4 = pt.find_x("指标目标值", pages)
    if None in (x_c1, x_c2, x_c3, x_c4):
        return None, ["indicator header not found"]
    tol = 6
    ranges = {"label": (-1, x_c1 - tol), "v1": (x_c1 - tol, 1e9), "f1": (x_c1 - tol, x_c3 - tol),
              "f3": (x_c3 - tol, 1e9), "i1": (x_c1 - tol, x_c2 - tol),
              "i2": (x_c2 - tol, x_c3 - tol), "i3": (x_c3 - tol, x_c4 - tol), "i4": (x_c4 - tol, 1e9)}
    T = {k: [pt.region(p, *r) for p in pages] for k, r in ranges.items()}
    cur = {k: (0, 0) for k in ranges}
    missing = []

    def find_piece(key, s):
        s = norm(s)
        if not s:
            return None
        q, off = cur[key]
        texts = T[key]
        while q < len(texts):
            k = texts[q].find(s, off)
            if k >= 0:
                cur[key] = (q, k + len(s))
                return (q, q)
            # split: longest prefix ending the region text of page q
            t = texts[q]
            for n in range(len(s) - 1, 0, -1):
                if t.endswith(s[:n]) and len(t) - n >= off:
                    rest, qq = s[n:], q + 1
                    while qq < len(texts) and rest:
                        kk = texts[qq].find(rest)
                        if kk >= 0:
                            cur[key] = (qq, kk + len(rest))
                            return (q, qq)
                        tt = texts[qq]
                        m = next((m for m in range(len(rest) - 1, 0, -1)
                                  if tt.endswith(rest[:m])), 0)
                        if not m:
                            break
                        rest, qq = rest[m:], qq + 1
                    break
            q, off = q + 1, 0
        missing.append(f"{key}:{s[:30]}")
        return None

    info = []
    for row in rows:
        rid = row["id"]
        pieces = []
        for c0, c1, paras, kind in row["cells"]:
            txt = "".join(paras)
            if not norm(txt):
                continue
            if re.fullmatch(r"fund\d+|fund_hdr", rid):
                key = "f1" if c0 == 1 else "f3"
            elif re.fullmatch(r"ind\d+|ind_hdr", rid):
                key = {0: "label", 1: "i1", 2: "i2", 3: "i3", 4: "i4"}[c0]
            elif c0 == 0:
                key = "label"
            elif kind == "text" or rid == "project_name":
                key = "v1"
            elif rid in ("dates", "budget", "prior", "project_type", "fund_use"):
                continue   # checked as whole-page values below
            else:
                key = "v1"
            pieces.append(find_piece(key, txt))
        pieces = [p for p in pieces if p]
        if pieces and rid in ("fund_hdr", "ind_hdr"):
            pieces = [(min(p[0] for p in pieces),) * 2]
        if pieces:
            info.append((rid, min(p[0] for p in pieces), max(p[1] for p in pieces)))
        else:
            info.append((rid, None, None))
    # merged level-1/level-2 names, in order
    for r0, r1, col, paras in spans:
        if col in (1, 2):
            find_piece("i1" if col == 1 else "i2", paras[0])
    # scalar values anywhere on the form's pages
    whole = norm("".join(pt.whole[p] for p in pages))
    dec = spec["decimals"]
    scal = [rec["title"], f"({rec['year']}年)", "申报单位名称：" + rec["unit"], spec["start"],
            spec["end"]]
    for k in ("total_budget", "current_year_budget", "prior_year_budget", "prior_year_spent"):
        if rec[k] is not None:
            scal.append(mf.fmt_amount(rec[k], dec))
    for k in ("project_type", "fund_use"):
        if rec[k]:
            scal.append(rec[k] + "■")
    for s in scal:
        if norm(s) not in whole:
            missing.append("scalar:" + s)
    return info, missing


def classify_breaks(info, rows, rec, n_pages, pt, pages):
    """One entry per page boundary: (page, last_row, cut, cases)."""
    ids = [r["id"] for r in rows]
    nf = len(rec["funding_components"])
    inds = rec["indicators"]
    out = []
    for b in range(n_pages - 1):
        started = [(i, r) for i, r in enumerate(info) if r[1] is not None and r[1] <= b]
        if not started:
            out.append((b, "(title only)", False, ["before table"]))
            continue
        i, (rid, s, e) = started[-1]
        cut = e is not None and e > b
        cases = []
        nxt = ids[i + 1] if i + 1 < len(ids) else None
        base = rid.split("#")[0]
        if cut:
            if re.fullmatch(r"fund\d+", base):
                cases.append("cut inside funding row")
            elif re.fullmatch(r"ind\d+", base):
                cases.append("cut inside indicator row")
                k = int(base[3:])
                if k + 1 < len(inds):
                    if (inds[k]["level1"], inds[k]["level2"]) == (inds[k + 1]["level1"],
                                                                  inds[k + 1]["level2"]):
                        cases.append("merged level-1/level-2 cell cut")
                    elif inds[k]["level1"] == inds[k + 1]["level1"]:
                        cases.append("merged level-1/level-2 cell cut")
            else:
                cases.append("cut inside text row")
                if e - s >= 2:
                    cases.append("text row over a whole page")
        else:
            if nxt == "fund_hdr":
                cases.append("before funding block")
            elif rid == "fund_hdr":
                cases.append("funding header alone at foot")
            elif re.fullmatch(r"fund\d+", base):
                k = int(base[4:])
                cases.append("after funding block" if k == nf - 1 else "between funding rows")
            elif nxt == "ind_hdr":
                cases.append("before indicator block")
            elif rid == "ind_hdr":
                cases.append("indicator header alone at foot")
            elif re.fullmatch(r"ind\d+", base):
                k = int(base[3:])
                if k == len(inds) - 1:
                    cases.append("after indicator block")
                else:
                    cases.append("between indicator rows")
                    if inds[k]["level1"] == inds[k + 1]["level1"]:
                        cases.append("merged level-1/level-2 cell cut")
            elif "#" in rid:
                cases.append("between continuation rows of a text field")
            else:
                cases.append("between other rows")
        # repeated indicator header at the top of the next page
        nextp = pages[b + 1]
        hdr_pages = [j for j, r in enumerate(info) if r[0] == "ind_hdr"]
        if hdr_pages and info[hdr_pages[0]][1] is not None and info[hdr_pages[0]][1] <= b:
            if "一级指标" in pt.whole[nextp]:
                cases.append("indicator header repeated")
        out.append((b, rid, cut, cases))
    return out


CASE_ORDER = ["before funding block", "funding header alone at foot", "between funding rows",
              "cut inside funding row", "after funding block", "before indicator block",
              "indicator header alone at foot", "between indicator rows",
              "cut inside indicator row", "merged level-1/level-2 cell cut",
              "after indicator block", "cut inside text row", "text row over a whole page",
              "between continuation rows of a text field", "between other rows",
              "indicator header repeated"]


def analyse(pdf, forms, lay, producer):
    pt = PdfText(pdf)
    fps = form_pages(pt, len(forms))
    if fps is None:
        return {"missing": ["title pages not found"], "breaks": [], "pages": len(pt.pages),
                "kangxi": pt.kangxi}
    missing, breaks = [], []
    for fi, ((rec, spec), pages) in enumerate(zip(forms, fps)):
        kw = {"chunk_chars": 700} if producer == "calc" else {"split_ind": lay["split_ind"]}
        rows, spans = form_model(rec, spec, **kw)
        info, miss = locate(pt, pages, rows, spans, rec, spec)
        missing += [f"form{fi + 1}:{m}" for m in miss]
        if info is None:
            continue
        for b, rid, cut, cases in classify_breaks(info, rows, rec, len(pages), pt, pages):
            breaks.append({"form": fi + 1, "page": pages[b] + 1, "last_row": rid,
                           "cut": cut, "cases": cases})
    return {"missing": missing, "breaks": breaks, "pages": len(pt.pages), "kangxi": pt.kangxi}


# ---------------------------------------------------------------------------
# Layout plan per (truth, producer)

FORCE_CASES = ["fund_hdr", "fund0", "fund_mid", "ind_hdr", "ind0", "ind_mid_group", "remarks",
               "plan"]
WANTED = ["cut inside indicator row", "cut inside text row", "between funding rows",
          "merged level-1/level-2 cell cut", "before indicator block",
          "funding header alone at foot", "after funding block", "indicator header alone at foot"]


def force_row(rec, case, rng):
    inds = rec["indicators"]
    nf = len(rec["funding_components"])
    if case == "fund_mid":
        return f"fund{rng.randint(1, nf - 1)}" if nf > 1 else "fund0"
    if case == "ind_mid_group":
        same = [k for k in range(1, len(inds))
                if (inds[k]["level1"], inds[k]["level2"]) == (inds[k - 1]["level1"],
                                                              inds[k - 1]["level2"])]
        same = same or [k for k in range(1, len(inds))
                        if inds[k]["level1"] == inds[k - 1]["level1"]]
        return f"ind{rng.choice(same)}" if same else "ind1"
    return case


FORCE_WANTED = {"fund_hdr": "before funding block", "fund0": "funding header alone at foot",
                "fund_mid": "between funding rows", "ind_hdr": "before indicator block",
                "ind0": "indicator header alone at foot",
                "ind_mid_group": "merged level-1/level-2 cell cut",
                "remarks": "after indicator block", "plan": "after funding block"}


def plan(truths):
    rng = random.Random(SEED + 1)
    jobs = []
    for ti, (name, forms) in enumerate(truths):
        for pi, prod in enumerate(PRODUCERS):
            force = wanted = None
            wl = [w for w in WANTED if not (prod == "calc" and w.startswith("cut"))]
            if (ti + pi) % 3 == 0:
                case = FORCE_CASES[(ti // 3 + pi) % len(FORCE_CASES)]
                if prod == "docx":
                    # Writer ignores a page break before a paragraph inside a table
                    # cell: the case is reached by sweeping the offset instead.
                    wanted = FORCE_WANTED[case]
                else:
                    force = force_row(forms[0][0], case, rng)
            else:
                wanted = wl[(ti + 2 * pi) % len(wl)]
            split = prod in ("docx", "chromium", "weasyprint", "wkhtmltopdf") and (ti + pi) % 4 == 1
            rot = (ti * 3 + pi) % len(OFFSETS)
            # Chromium (Skia) and wkhtmltopdf (Qt) write a ToUnicode that maps Noto CJK's
            # shared glyphs to radicals (长 -> U+2ED3, 支 -> U+2F40, 户 -> 戶): they print
            # with WenQuanYi Zen Hei only, so that the text layer is the truth.
            font = (FONTS[2] if prod in ("chromium", "wkhtmltopdf")
                    else FONTS[(ti + pi) % len(FONTS)])
            jobs.append({
                "name": name, "producer": prod, "stem": f"{name}-{prod}",
                "font": font,
                "offsets": OFFSETS[rot:] + OFFSETS[:rot],
                "force": force,
                "split_ind": split,
                "repeat_hdr": split and prod == "docx" and ti % 2 == 0,
                "wanted": wanted,
            })
    return jobs


def split_of(truths):
    rng = random.Random(SEED + 2)
    names = [n for n, _ in truths]
    val = set(rng.sample(names, N_TRUTHS // 3))
    return {n: ("validation" if n in val else "tuning") for n in names}


# ---------------------------------------------------------------------------

def render_round(jobs, truths_by_name, attempt, tmp):
    """Render every job at offsets[attempt]; returns {stem: pdf path}."""
    outdir = os.path.join(tmp, f"round{attempt}")
    os.makedirs(outdir, exist_ok=True)
    results = {}
    lo_inputs = []
    html_jobs = []
    for j in jobs:
        lay = dict(j, spacer=j["offsets"][attempt % len(j["offsets"])])
        j["lay"] = lay
        forms = truths_by_name[j["name"]]
        if j["producer"] == "calc":
            p = os.path.join(outdir, j["stem"] + ".xlsx")
            xlsx_write(forms, lay, p)
            lo_inputs.append(p)
        elif j["producer"] == "docx":
            p = os.path.join(outdir, j["stem"] + ".docx")
            docx_write(forms, lay, p)
            lo_inputs.append(p)
        else:
            html_jobs.append((j, html_doc(forms, lay, j["producer"])))
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        futs = []
        if lo_inputs:
            futs.append(ex.submit(soffice_convert, lo_inputs, outdir, tmp))
        for j, doc in html_jobs:
            futs.append(ex.submit(render_html, j["producer"], doc,
                                  os.path.join(outdir, j["stem"] + ".pdf"), outdir))
        for f in futs:
            f.result()
    for j in jobs:
        p = os.path.join(outdir, j["stem"] + ".pdf")
        if not os.path.exists(p):
            sys.exit(f"no PDF for {j['stem']}")
        results[j["stem"]] = p
    return results


def tool_versions():
    def out(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except Exception as e:  # noqa: BLE001
            return f"? ({e})"
    import docx  # noqa: F401
    import openpyxl
    import weasyprint
    import pdfplumber
    from importlib.metadata import version
    return {
        "calc": out(["soffice", "--version"]) + f"; openpyxl {openpyxl.__version__}",
        "docx": out(["soffice", "--version"]) + f"; python-docx {version('python-docx')}",
        "chromium": out(["chromium", "--version"]),
        "weasyprint": f"WeasyPrint {weasyprint.__version__}",
        "wkhtmltopdf": out(["wkhtmltopdf", "--version"]),
        "pdfplumber": pdfplumber.__version__,
    }


def main():
    logging.disable(logging.WARNING)
    args = sys.argv[1:]
    only = None
    extra = args[:1] == ["--extra"]
    if args[:1] == ["--only"]:
        only = set(args[1].split(","))
    producers = None
    if extra:
        # More tuning data, added after the validation part had been
        # measured: new truths, all tuning; the pf- truths and their split
        # are unchanged. `--extra` alone: EXTRA_SEED, N_EXTRA truths pt-NN,
        # every producer; `--extra SEED N PREFIX PRODUCER,...` another set.
        if len(args) >= 5:
            seed, n, prefix = int(args[1]), int(args[2]), args[3]
            producers = args[4].split(",")
        else:
            seed, n, prefix = EXTRA_SEED, N_EXTRA, "pt"
        truths = gen_truths(seed, n, prefix, two_forms=(5, 17))
        split = {n: "tuning" for n, _ in truths}
    else:
        truths = gen_truths()
        split = split_of(truths)
    os.makedirs(GOLDEN, exist_ok=True)
    # 1. truth first
    for name, forms in truths:
        mf.write_json(os.path.join(GOLDEN, name + ".json"), [r for r, _ in forms])
    truths_by_name = {n: f for n, f in truths}
    jobs = plan(truths)
    if producers:
        jobs = [j for j in jobs if j["producer"] in producers]
    if only:
        jobs = [j for j in jobs if j["name"] in only or j["stem"] in only]
    for s in ("tuning", "validation"):
        os.makedirs(os.path.join(OUT, s), exist_ok=True)
    final = {}
    pending = list(jobs)
    with tempfile.TemporaryDirectory(prefix="shenbao-prod-") as tmp:
        for attempt in range(ROUNDS):
            if not pending:
                break
            print(f"round {attempt}: rendering {len(pending)} PDFs", flush=True)
            pdfs = render_round(pending, truths_by_name, attempt, tmp)
            again = []
            for j in pending:
                forms = truths_by_name[j["name"]]
                res = analyse(pdfs[j["stem"]], forms, j["lay"], j["producer"])
                got = {c for b in res["breaks"] for c in b["cases"]}
                ok = j["wanted"] is None or j["wanted"] in got
                final[j["stem"]] = (j, dict(j["lay"]), res, pdfs[j["stem"]])
                if not ok and attempt < ROUNDS - 1:
                    again.append(j)
                else:
                    dst = os.path.join(OUT, split[j["name"]], j["stem"] + ".pdf")
                    shutil.copyfile(pdfs[j["stem"]], dst)
                    mf.write_json(os.path.join(GOLDEN, j["stem"] + ".json"),
                                  [r for r, _ in forms])
            pending = again
    write_layouts(final, split)
    if not only and not extra:
        write_coverage(final, split)
    bad = [(s, v[2]["missing"]) for s, v in sorted(final.items()) if v[2]["missing"]]
    for s, m in bad:
        print("MISMATCH", s, m[:5])
    print(f"{len(final)} PDFs, {len(bad)} with truth values not found in the PDF text")


def write_layouts(final, split):
    path = os.path.join(OUT, "layouts.json")
    old = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            old = json.load(fh)
    for stem, (j, lay, res, _) in final.items():
        old[stem] = {"split": split[j["name"]], "font": lay["font"], "spacer_mm": lay["spacer"],
                     "force_break_before": lay["force"], "indicator_table_separate": lay["split_ind"],
                     "docx_repeat_header": lay["repeat_hdr"], "wanted_case": lay["wanted"],
                     "pages": res["pages"], "kangxi_chars": res.get("kangxi", 0), "breaks": res["breaks"], "missing": res["missing"]}
    mf.write_json(path, dict(sorted(old.items())))


def write_coverage(final, split):
    lines = ["# Page-break coverage of fixtures/producers",
             "",
             "Generated by `scripts/make_producers.py` from the PDFs themselves: each PDF is "
             "read with pdfplumber (characters and positions), every truth value is located "
             "in its column (label column, value columns found from the indicator header "
             "cells), and for each page break the last table row that starts on the page is "
             "named; `cut` = that row's text continues on the next page. Row ids: "
             "`overview`, `basis`, `necessity`, `safeguards`, `plan`, `overall_goal`, "
             "`annual_goal`, `remarks` (free text; Calc splits long ones into `id#k` "
             "continuation rows), `budget`, `prior`, `fund_hdr`, `fundK`, `ind_hdr`, `indK`.",
             ""]
    counts = {}
    for stem, (j, lay, res, _) in final.items():
        for b in res["breaks"]:
            for c in b["cases"]:
                counts[(c, j["producer"])] = counts.get((c, j["producer"]), 0) + 1
    lines += ["## Summary: page breaks per case and producer", "",
              "| case | " + " | ".join(PRODUCERS) + " |",
              "|---|" + "---|" * len(PRODUCERS)]
    for c in CASE_ORDER:
        lines.append(f"| {c} | " + " | ".join(str(counts.get((c, p), 0)) for p in PRODUCERS)
                     + " |")
    lines += ["", "Calc never splits a row across pages, so its `cut inside` counts are 0 "
              "by construction; its long free texts are split over continuation rows "
              "instead, with the label cell merged down over them.", ""]
    lines += ["## Per PDF", "",
              "| PDF | split | pages | font | spacer mm | forced break before | breaks "
              "(page: last row [cut]) |", "|---|---|---|---|---|---|---|"]
    for stem, (j, lay, res, _) in sorted(final.items()):
        br = "; ".join(f"p{b['page']}{'' if b['form'] == 1 else ' f' + str(b['form'])}: "
                       f"{b['last_row']}{' [cut]' if b['cut'] else ''}" for b in res["breaks"])
        lines.append(f"| {stem} | {split[j['name']]} | {res['pages']} | {lay['font']} | "
                     f"{lay['spacer']} | {lay['force'] or ''} | {br} |")
    with open(os.path.join(OUT, "COVERAGE.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
