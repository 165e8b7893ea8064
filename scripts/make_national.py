#!/usr/bin/env python3
"""Fixtures of the second form, 项目支出绩效目标申报表 (template
`national-project`), printed by several producers with page breaks swept.

Run from the repository root:  python3 scripts/make_national.py [--only NAME,...]

  1. Builds N_TRUTHS seeded truths and writes each to
     golden/national/truth/NAME.json BEFORE anything is rendered.
  2. Lays every truth out as one row model (a label column + 5 value columns;
     the funding block under the caption 项目资金（万元）, the schedule and the
     two indicator tables with their label merged down; level-1/level-2 cells
     merged; 审核意见 rows after the table in some forms) and prints it with
       chromium    HTML -> headless Chromium print-to-pdf
       weasyprint  HTML -> WeasyPrint
       wkhtmltopdf HTML -> wkhtmltopdf (Qt WebKit)
       docx        .docx (python-docx) -> LibreOffice Writer -> PDF
     into fixtures/national/{tuning,validation}/NAME-PRODUCER.pdf, the truth
     (golden/national/truth/NAME.json) copied to golden/national/NAME-PRODUCER.json.
  3. Sweeps page breaks: a spacer above the table and, in most files, a
     forced break before a chosen row, the row cycling through every block
     (funding rows, texts, schedule, each indicator table's header and rows,
     the approval rows), so that breaks fall before, inside and after each.
  4. Two mixed files (a Shanghai form, then a national one, by pdfunite):
     each form must be read with its own template; and pdftotext dumps
     (-raw, -layout) of four tuning PDFs in fixtures/national/dumps/.

Truths nf-01..nf-24 are tuning, nf-25..nf-36 validation (never looked at
while tuning the extractor). The rendered PDFs differ between runs only in
producer metadata; the goldens are identical (seeded).

Needs: chromium wkhtmltopdf libreoffice-writer-nogui fonts-noto-cjk
fonts-wqy-zenhei poppler-utils; pip: python-docx weasyprint.
"""

import calendar
import html
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402
import make_producers as mp  # noqa: E402

ROOT = mf.ROOT
GOLDEN = os.path.join(ROOT, "golden", "national")
OUT = os.path.join(ROOT, "fixtures", "national")
SEED = 20261201
N_TRUTHS = 36
N_TUNING = 24
PRODUCERS = ["chromium", "weasyprint", "wkhtmltopdf", "docx"]
FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei"]
OFFSETS = [0, 40, 80, 120, 20, 60, 100, 140]
TITLE = "项目支出绩效目标申报表"

# ---------------------------------------------------------------------------
# Truths

DEPARTMENTS = [
    ("省教育厅", "301"), ("省卫生健康委员会", "326"), ("市农业农村局", "414"),
    ("省交通运输厅", "321"), ("市生态环境局", "418"), ("省民政厅", "311"),
    ("市文化和旅游局", "425"), ("省人力资源和社会保障厅", "317"), ("市市场监督管理局", "432"),
    ("省科学技术厅", "305"),
]
UNITS = {
    "省教育厅": ["省教育考试院", "省电化教育馆", "省教育厅机关"],
    "省卫生健康委员会": ["省疾病预防控制中心", "省卫生健康信息中心"],
    "市农业农村局": ["市农业技术推广中心", "市动物疫病预防控制中心"],
    "省交通运输厅": ["省公路事业发展中心", "省交通运输综合行政执法监督局"],
    "市生态环境局": ["市生态环境监测站", "市环境信息中心"],
    "省民政厅": ["省社会福利院", "省民政厅机关"],
    "市文化和旅游局": ["市图书馆", "市文化馆", "市博物馆"],
    "省人力资源和社会保障厅": ["省人才交流服务中心", "省社会保险事业管理局"],
    "市市场监督管理局": ["市计量测试研究院", "市食品药品检验所"],
    "省科学技术厅": ["省科技情报研究所", "省科技资源共享服务中心"],
}
TOPICS = ["教育信息化", "公共卫生监测", "农产品质量安全", "公路养护管理", "生态环境监测",
          "养老服务", "公共文化服务", "就业创业服务", "计量检定", "科技资源共享"]
NAME_KINDS = ["能力建设项目", "专项经费", "运行维护经费", "提升工程", "购买服务项目", "平台建设项目"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "海燕"]

FUNCTIONS_POOL = [
    "本单位是{d}所属的公益一类事业单位，主要承担全省{t}工作的组织实施和技术支撑。",
    "负责{t}相关标准规范的研究制定和推广应用，指导基层单位开展业务工作。",
    "承担{t}数据的采集、汇总、分析和发布工作，为行政决策提供依据。",
    "组织开展{t}领域的业务培训和技术交流，提升行业整体服务水平。",
    "完成主管部门交办的其他工作任务。",
]
OVERVIEW_POOL = [
    "本项目围绕{t}工作的重点任务，计划在项目期内完成相关系统建设和服务能力提升。",
    "项目主要内容包括基础设施改造、业务系统升级、数据资源整合和人员培训等。",
    "项目覆盖全省{n}个市县，预计服务对象约{m}万人次。",
    "项目由{u}具体实施，{d}负责统筹协调和监督管理。",
    "上一周期项目已完成主要建设任务，本期重点推进应用深化和成果推广。",
    "项目采用政府采购方式选择服务供应商，按照合同约定分阶段组织实施。",
]
BASIS_POOL = [
    "《中华人民共和国预算法》及其实施条例",
    "《中共中央 国务院关于全面实施预算绩效管理的意见》（中发〔2018〕34号）",
    "《项目支出绩效评价管理办法》（财预〔2020〕10号）",
    "《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》（财预〔2021〕101号）",
    "省委、省政府关于{t}工作的决策部署",
    "《“十四五”{t}发展规划》",
    "本单位“三定”规定明确的职责",
]
FEASIBILITY_POOL = [
    "项目实施方案经过专家论证，技术路线成熟可靠，具备实施条件。",
    "本单位具有多年{t}工作经验，拥有一支专业技术队伍，能够保障项目顺利实施。",
    "项目资金测算依据充分，支出标准符合有关规定。",
    "项目建设所需场地、设备等条件已基本落实。",
    "相关部门已就项目实施达成共识，协调机制健全。",
]
NECESSITY_POOL = [
    "项目是落实国家和省关于{t}工作部署的重要举措，具有较强的必要性和紧迫性。",
    "现有设施设备老化，服务能力已难以满足群众日益增长的需求。",
    "通过项目实施，可有效补齐{t}领域的短板弱项，提升公共服务均等化水平。",
    "项目符合国家政策导向和本地区发展规划，社会效益显著。",
]
LONG_GOAL_POOL = [
    "到项目期末，全面建成覆盖全省的{t}服务体系，服务能力和质量显著提升。",
    "形成一套可复制、可推广的工作机制，为全省{t}工作提供示范。",
    "基础设施条件明显改善，信息化水平进一步提高，群众满意度稳步提升。",
]
ANNUAL_GOAL_POOL = [
    "完成年度建设任务，项目按计划推进，资金支出进度符合要求。",
    "开展业务培训不少于{n}期，培训人员不少于{m}人次。",
    "完成系统升级改造和数据整合，主要业务实现线上办理。",
    "服务对象满意度达到90%以上。",
]
TASKS = [
    "完成项目前期调研和实施方案编制", "组织开展政府采购并签订合同", "开展设备采购和安装调试",
    "完成业务系统开发和部署上线", "组织开展业务培训和应用推广", "开展项目中期检查和绩效监控",
    "完成项目验收和资金结算", "开展绩效自评并形成评价报告",
]
INDICATORS = {
    "产出指标": {
        "数量指标": [("培训人次", ["≥{m}人次", "{m}人次"]), ("新建服务站点数量", ["≥{n}个", "{n}个"]),
                 ("采购设备数量", ["{n}台（套）", "≥{n}台"]), ("覆盖市县数", ["{n}个"])],
        "质量指标": [("设备验收合格率", ["100%", "≥98%"]), ("系统可用率", ["≥99.5%", "≥99%"]),
                 ("数据准确率", ["≥98%", "≥95%"])],
        "时效指标": [("项目完成时限", ["{y}年12月底前", "按期完成"]), ("问题响应时间", ["≤2小时", "≤24小时"])],
        "成本指标": [("项目总成本", ["≤{c}万元"]), ("单位服务成本", ["较上年下降5%", "≤{k}元/人次"])],
    },
    "效益指标": {
        "经济效益指标": [("带动相关产业投资", ["≥{n}00万元"]), ("节约运行成本", ["≥10%"])],
        "社会效益指标": [("服务群众人次", ["≥{m}万人次"]), ("业务办理时限压缩比例", ["≥30%", "≥20%"]),
                   ("公共服务均等化水平", ["明显提升", "有所提高"])],
        "生态效益指标": [("能源消耗降低率", ["≥5%"]), ("环境质量达标率", ["≥95%"])],
        "可持续影响指标": [("长效管理机制建立情况", ["建立健全", "完善"]), ("系统持续运行年限", ["≥5年"])],
    },
    "满意度指标": {
        "服务对象满意度指标": [("服务对象满意度", ["≥90%", "≥85%", "≥95%"]),
                      ("群众投诉办结率", ["100%"])],
    },
}
REMARKS = ["按季度统计", "以第三方测评为准", "含线上培训", "年度累计", "以验收报告为准"]
TICKS = ["■", "√", "☑"]
APPROVAL = [("主管部门审核意见", ["经审核，同意申报。", "（盖章）", "年　月　日"]),
            ("财政部门审核意见", ["", "（盖章）", "年　月　日"])]


def wan(rng, lo, hi, places):
    """An amount in 万元 with `places` decimals (4 at most: whole yuan)."""
    v = rng.randint(lo * 10 ** places, hi * 10 ** places)
    return v / 10 ** places


def yuan(w):
    """万元 to yuan, exact (w has at most 4 decimals)."""
    y = round(w * 10000)
    return y


def fmt_wan(w, places, sep):
    return f"{w:,.{places}f}" if sep else f"{w:.{places}f}"


def gen_indicators(rng, count, fmt):
    """count rows grouped by level 1 and 2 in printed order, all three level-1
    groups present when count allows."""
    rows = []
    l1s = list(INDICATORS)
    share = {l1: 1 for l1 in l1s}
    while sum(share.values()) < count:
        l1 = rng.choice(["产出指标", "产出指标", "效益指标", "满意度指标"])
        cap = sum(len(v) for v in INDICATORS[l1].values())
        if share[l1] < cap:
            share[l1] += 1
    for l1 in l1s:
        pool = [(l2, l3, ts) for l2, items in INDICATORS[l1].items() for l3, ts in items]
        picks = sorted(rng.sample(range(len(pool)), share[l1]))
        for j in picks:
            l2, l3, ts = pool[j]
            target = rng.choice(ts).format(**fmt)
            remark = rng.choice(REMARKS) if rng.random() < 0.2 else None
            rows.append({"level1": l1, "level2": l2, "level3": l3, "target": target,
                         "target_parsed": parse_target(target), "remark": remark})
    return rows


def parse_target(t):
    """target_parsed as the record has it: make_fixtures' reading, the unit
    with full-width ASCII folded (`台（套）` is `台(套)`)."""
    p = mf.parse_target(t)
    if p:
        p["unit"] = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c
                            for c in p["unit"])
    return p


def fmt_month(y, m, style):
    return {"cjk": f"{y}年{m}月", "dot": f"{y}.{m:02d}", "dash": f"{y}-{m:02d}"}[style]


def gen_truth(rng, i):
    year = rng.randint(2019, 2025)
    dept, code = rng.choice(DEPARTMENTS)
    unit = rng.choice(UNITS[dept])
    topic = TOPICS[DEPARTMENTS.index((dept, code))]
    name = topic + rng.choice(NAME_KINDS)
    fmt = {"t": topic, "d": dept, "u": unit, "n": rng.randint(3, 60), "m": rng.randint(200, 5000),
           "y": year, "c": rng.randint(50, 900), "k": rng.randint(20, 300)}
    multi = rng.random() < 0.4
    end_year = year + (rng.randint(1, 2) if multi else 0)
    start_m, end_m = (1, 12) if rng.random() < 0.7 else (rng.randint(2, 6), rng.randint(9, 12))
    style = rng.choice(["cjk", "cjk", "dot", "dash", "cjkday"])
    if style == "cjkday":
        last = calendar.monthrange(end_year, end_m)[1]
        period_print = f"{year}年{start_m}月1日至{end_year}年{end_m}月{last}日"
        period = f"{year}-{start_m:02d}-01/{end_year}-{end_m:02d}-{last:02d}"
    else:
        sep = {"cjk": "至", "dot": "-", "dash": "至"}[style]
        period_print = fmt_month(year, start_m, style) + sep + fmt_month(end_year, end_m, style)
        period = f"{year}-{start_m:02d}/{end_year}-{end_m:02d}"

    places = rng.choice([4, 4, 2, 0])
    sep = rng.random() < 0.3
    fiscal_own = wan(rng, 20, 3000, places)
    higher = wan(rng, 0, 800, places) if rng.random() < 0.5 else None
    split_fiscal = rng.random() < 0.7
    own = wan(rng, 1, 200, places) if rng.random() < 0.4 else None
    other = wan(rng, 1, 100, places) if rng.random() < 0.3 else None
    fiscal = round(fiscal_own + (higher or 0), places)
    total = round(fiscal + (own or 0) + (other or 0), places)
    amounts_wan = {"total_funds": total, "fiscal_funds": fiscal,
                   "fiscal_own_level": fiscal_own if split_fiscal else None,
                   "fiscal_higher_level": higher if split_fiscal else None,
                   "own_funds": own, "other_funds": other}
    long = rng.random() < 0.3
    npara = (2, 4) if long else (1, 2)

    def paras(pool, per):
        return mf.paras(rng, pool, rng.randint(*npara), per, **fmt)

    n_sched = rng.randint(2, 6)
    sched_style = rng.choice(["cjk", "dot", "dash"])
    months = sorted(rng.sample(range(1, 13), min(12, n_sched + 1)))
    schedule, schedule_print = [], []
    for k, task in enumerate(rng.sample(TASKS, n_sched)):
        a, b = months[min(k, len(months) - 1)], months[min(k + 1, len(months) - 1)]
        a, b = min(a, b), max(a, b)
        schedule.append({"task": task, "start_date": f"{year}-{a:02d}",
                         "end_date": f"{year}-{b:02d}"})
        schedule_print.append((task, fmt_month(year, a, sched_style), fmt_month(year, b, sched_style)))
    rec = {
        "template": "national-project",
        "title": TITLE,
        "year": year,
        "unit": unit,
        "project_name": name,
        "project_attribute": rng.choice(["新增项目", "延续项目"]),
        "department": dept,
        "department_code": code + f"{rng.randint(1, 99):03d}",
        "implementing_unit": unit,
        "project_leader": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "phone": rng.choice(["0731-8", "0791-8", "025-8", "027-8"]) + f"{rng.randint(1000000, 9999999)}",
        "project_period": period,
        **{k: (yuan(v) if v is not None else None) for k, v in amounts_wan.items()},
        "unit_functions": paras(FUNCTIONS_POOL, 3) if rng.random() < 0.85 else None,
        "overview": paras(OVERVIEW_POOL, 3),
        "basis": "根据" + "、".join(b.format(**fmt) for b in rng.sample(BASIS_POOL, 3)) + "等文件要求。",
        "feasibility": paras(FEASIBILITY_POOL, 2),
        "necessity": paras(NECESSITY_POOL, 2),
        "schedule": schedule,
        "long_term_goal": paras(LONG_GOAL_POOL, 2),
        "annual_goal": mf.numbered(rng, ANNUAL_GOAL_POOL, rng.randint(2, 4), **fmt),
        "long_term_indicators": gen_indicators(rng, rng.randint(4, 10), fmt),
        "annual_indicators": gen_indicators(rng, rng.randint(5, 14), fmt),
    }
    if long and rng.random() < 0.5:
        key = rng.choice(["overview", "necessity", "feasibility"])
        rec[key] = rec[key] + "\n" + mf.paras(rng, OVERVIEW_POOL + NECESSITY_POOL,
                                              rng.randint(6, 12), 4, **fmt)
    spec = {
        "period": period_print,
        "amounts": {k: (fmt_wan(v, places, sep) if v is not None else "")
                    for k, v in amounts_wan.items()},
        "unit_in_cells": rng.random() < 0.15,
        "schedule": schedule_print,
        "tick": rng.choice(TICKS),
        "year_line": rng.choice([f"（{year}年度）", f"（{year}年度）", f"({year}年)"]),
        "unit_label": rng.choice(["填报单位（盖章）：", "填报单位（盖章）：", "申报单位："]),
        "impl_label": rng.choice(["项目实施单位", "项目实施单位", "项目单位"]),
        "approval": rng.random() < 0.5,
    }
    if spec["unit_in_cells"]:
        spec["amounts"] = {k: (v + "万元" if v else "") for k, v in spec["amounts"].items()}
    return rec, spec


def gen_truths():
    rng = random.Random(SEED)
    return [(f"nf-{i + 1:02d}", gen_truth(rng, i)) for i in range(N_TRUTHS)]


# ---------------------------------------------------------------------------
# Row model: rows of cells over 6 columns (0 label, 1-5 values); spans are
# (first row, last row, column, paragraphs) merged down.

def model(rec, spec):
    rows, spans = [], []

    def add(rid, cells):
        rows.append({"id": rid, "cells": cells})
        return len(rows) - 1

    def text(rid, label, value):
        add(rid, [(0, 1, [label], "label"), (1, 6, value.split("\n") if value else [], "text")])

    a = spec["amounts"]
    add("name", [(0, 1, ["项目名称"], "label"), (1, 6, [rec["project_name"]], "value")])
    opts = "".join(o + (spec["tick"] if o == rec["project_attribute"] else "□") + "　　"
                   for o in ["新增项目", "延续项目"]).rstrip("　")
    add("attr", [(0, 1, ["项目属性"], "label"), (1, 6, [opts], "value")])
    add("dept", [(0, 1, ["主管部门"], "label"), (1, 3, [rec["department"]], "value"),
                 (3, 4, ["主管部门编码"], "label"), (4, 6, [rec["department_code"]], "value")])
    add("impl", [(0, 1, [spec["impl_label"]], "label"), (1, 3, [rec["implementing_unit"]], "value"),
                 (3, 4, ["项目负责人"], "label"), (4, 6, [rec["project_leader"]], "value")])
    add("phone", [(0, 1, ["联系电话"], "label"), (1, 3, [rec["phone"]], "value"),
                  (3, 4, ["项目起止时间"], "label"), (4, 6, [spec["period"]], "value")])
    r0 = add("fund0", [(1, 2, ["资金总额"], "label"), (2, 3, [a["total_funds"]], "value"),
                       (3, 4, ["财政拨款"], "label"), (4, 6, [a["fiscal_funds"]], "value")])
    add("fund1", [(1, 2, ["其中：本级财政"], "label"), (2, 3, [a["fiscal_own_level"]], "value"),
                  (3, 4, ["上级财政"], "label"), (4, 6, [a["fiscal_higher_level"]], "value")])
    r1 = add("fund2", [(1, 2, ["自有资金"], "label"), (2, 3, [a["own_funds"]], "value"),
                       (3, 4, ["其他资金"], "label"), (4, 6, [a["other_funds"]], "value")])
    spans.append((r0, r1, 0, ["项目资金（万元）" if not spec["unit_in_cells"] else "项目资金"]))
    text("functions", "单位职能概述", rec["unit_functions"] or "")
    text("overview", "项目概况", rec["overview"])
    text("basis", "项目立项的依据", rec["basis"])
    text("feasibility", "项目申报的可行性", rec["feasibility"])
    text("necessity", "项目申报的必要性", rec["necessity"])
    r0 = add("sched_hdr", [(1, 4, ["项目实施内容"], "label"), (4, 5, ["开始时间"], "label"),
                           (5, 6, ["完成时间"], "label")])
    for k, (task, s, e) in enumerate(spec["schedule"]):
        r1 = add(f"sched{k}", [(1, 4, [task], "value"), (4, 5, [s], "value"), (5, 6, [e], "value")])
    spans.append((r0, r1, 0, ["项目实施进度计划"]))
    text("long_goal", "长期目标", rec["long_term_goal"])
    text("annual_goal", "年度目标", rec["annual_goal"])
    for key, label, tag in (("long_term_indicators", "长期绩效指标", "lind"),
                            ("annual_indicators", "年度绩效指标", "aind")):
        r0 = add(f"{tag}_hdr", [(1, 2, ["一级指标"], "label"), (2, 3, ["二级指标"], "label"),
                                (3, 4, ["指标内容"], "label"), (4, 5, ["指标值"], "label"),
                                (5, 6, ["备注"], "label")])
        inds = rec[key]
        first = len(rows)
        for k, ind in enumerate(inds):
            r1 = add(f"{tag}{k}", [(3, 4, [ind["level3"]], "value"), (4, 5, [ind["target"]], "value"),
                                   (5, 6, [ind["remark"] or ""], "value")])
        spans.append((r0, r1, 0, [label]))
        for lk, col in (("level1", 1), ("level2", 2)):
            for i, j in mf.level_runs(inds, lk):
                spans.append((first + i, first + j, col, [inds[i][lk]]))
    if spec["approval"]:
        for k, (label, lines) in enumerate(APPROVAL):
            add(f"approval{k}", [(0, 1, [label], "label"), (1, 6, lines, "value")])
    return rows, spans


WIDTHS = [16, 17, 17, 17, 16, 17]  # percent


def html_doc(forms, lay, producer):
    """The HTML of the forms (make_producers' style sheet and rows)."""
    body = []
    for fi, (rec, spec) in enumerate(forms):
        rows, spans = model(rec, spec)
        grid = mp.cell_grid(rows, spans)
        brk = "" if fi == 0 else ' style="break-before: page; page-break-before: always"'
        body.append(f'<div{brk}><p class="title">{html.escape(rec["title"])}</p>')
        body.append(f'<p class="year">{html.escape(spec["year_line"])}</p>')
        body.append(f'<p>{html.escape(spec["unit_label"] + rec["unit"])}</p></div>')
        body.append(f'<div style="height:{lay["spacer"] if fi == 0 else 0}mm"></div>')
        cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in WIDTHS) + "</colgroup>"
        body.append("<table>" + cols + "<tbody>")
        force = lay["force"] if fi == 0 else None
        for ri, row in enumerate(rows):
            body.append(mp.html_tr(grid[ri], row["id"], force, producer))
        body.append("</tbody></table>")
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>{mp.html_css(lay["font"])}'
            "</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def docx_write(forms, lay, path):
    """The forms as .docx (make_producers' document, table and cells)."""
    from docx.shared import Cm, Mm, Pt

    d = mp.docx_document(lay["font"])
    widths = [Cm(17.4 * w / 100) for w in WIDTHS]
    for fi, (rec, spec) in enumerate(forms):
        p = d.add_paragraph()
        if fi > 0:
            p.paragraph_format.page_break_before = True
        p.alignment = 1
        p.add_run(rec["title"]).font.size = Pt(16)
        p = d.add_paragraph(spec["year_line"])
        p.alignment = 1
        p = d.add_paragraph(spec["unit_label"] + rec["unit"])
        p.paragraph_format.space_after = Mm(lay["spacer"] if fi == 0 else 0)
        rows, spans = model(rec, spec)
        grid = mp.cell_grid(rows, spans)
        t = mp.docx_table(d, len(rows), widths)
        mp.docx_fill(t, grid, rows, 0, len(rows), lay["force"] if fi == 0 else None)
    d.save(path)


# ---------------------------------------------------------------------------
# Page breaks and rendering

def break_rows(rec, spec):
    """Row ids a forced break can go before, one per block and position."""
    rows, _ = model(rec, spec)
    ids = [r["id"] for r in rows]
    want = ["fund0", "fund1", "fund2", "functions", "overview", "feasibility", "sched_hdr",
            "sched1", "long_goal", "annual_goal", "lind_hdr", "lind0", "lind2", "aind_hdr",
            "aind0", "aind3", "aind5", "approval0", "approval1"]
    return [w for w in want if w in ids]


def plan(truths):
    jobs = []
    for i, (name, (rec, spec)) in enumerate(truths):
        cands = break_rows(rec, spec)
        for k, producer in enumerate(PRODUCERS):
            n = i * len(PRODUCERS) + k
            force = None if n % 5 == 4 else cands[n % len(cands)]
            lay = {"font": FONTS[n % len(FONTS)], "spacer": OFFSETS[n % len(OFFSETS)],
                   "force": force}
            jobs.append((name, producer, lay))
    return jobs


def split_of(name):
    return "tuning" if int(name.split("-")[1]) <= N_TUNING else "validation"


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def render(jobs, truths, tmp):
    by_name = dict(truths)
    docx_jobs = []
    for name, producer, lay in jobs:
        out_pdf = os.path.join(OUT, split_of(name), f"{name}-{producer}.pdf")
        forms = [by_name[name]]
        if producer == "docx":
            path = os.path.join(tmp, f"{name}-{producer}.docx")
            docx_write(forms, lay, path)
            docx_jobs.append((path, out_pdf))
        else:
            mp.render_html(producer, html_doc(forms, lay, producer), out_pdf, tmp)
        print(name, producer, lay, file=sys.stderr)
    if docx_jobs:
        outdir = os.path.join(tmp, "docx-out")
        os.makedirs(outdir, exist_ok=True)
        mp.soffice_convert([p for p, _ in docx_jobs], outdir, tmp)
        for path, out_pdf in docx_jobs:
            shutil.move(os.path.join(outdir, os.path.basename(path)[:-5] + ".pdf"), out_pdf)


MIXED = [
    # (name, Shanghai fixture, its golden, national truth, producer)
    ("mixed-01", "fixtures/synth-16.pdf", "golden/synth-16.json", "nf-03", "chromium"),
    ("mixed-02", "fixtures/synth-01.pdf", "golden/synth-01.json", "nf-30", "weasyprint"),
]


def make_mixed(truths):
    by_name = dict(truths)
    for name, sh_pdf, sh_golden, nf, producer in MIXED:
        split = split_of(nf)
        src = os.path.join(OUT, split, f"{nf}-{producer}.pdf")
        out = os.path.join(OUT, split, f"{name}.pdf")
        subprocess.run(["pdfunite", os.path.join(ROOT, sh_pdf), src, out], check=True)
        with open(os.path.join(ROOT, sh_golden), encoding="utf-8") as fh:
            sh = json.load(fh)
        write_json(os.path.join(GOLDEN, f"{name}.json"), sh + [by_name[nf][0]])


DUMPED = ["nf-01-chromium", "nf-04-weasyprint", "nf-07-docx", "nf-10-wkhtmltopdf"]


def make_dumps():
    """Text dumps of a few tuning PDFs (pdftotext -raw and -layout) in
    national/dumps/, truth copied: the text path must warn what it reads
    from this form (its dumps are drafts), never be silently wrong."""
    out = os.path.join(OUT, "dumps")
    os.makedirs(out, exist_ok=True)
    for name in DUMPED:
        for mode in ("raw", "layout"):
            stem = f"{name}-{mode}"
            subprocess.run(["pdftotext", f"-{mode}", os.path.join(OUT, "tuning", name + ".pdf"),
                            os.path.join(out, stem + ".txt")], check=True)
            shutil.copy(os.path.join(GOLDEN, name + ".json"), os.path.join(GOLDEN, stem + ".json"))


def main():
    only = None
    if "--only" in sys.argv:
        only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
    truths = gen_truths()
    os.makedirs(GOLDEN, exist_ok=True)
    for split in ("tuning", "validation"):
        os.makedirs(os.path.join(OUT, split), exist_ok=True)
    # the truth first, before anything is rendered
    os.makedirs(os.path.join(GOLDEN, "truth"), exist_ok=True)
    for name, (rec, _) in truths:
        write_json(os.path.join(GOLDEN, "truth", f"{name}.json"), [rec])
    jobs = [j for j in plan(truths) if only is None or j[0] in only or f"{j[0]}-{j[1]}" in only]
    with tempfile.TemporaryDirectory() as tmp:
        render(jobs, truths, tmp)
    for name, producer, _ in jobs:
        shutil.copy(os.path.join(GOLDEN, "truth", f"{name}.json"),
                    os.path.join(GOLDEN, f"{name}-{producer}.json"))
    if only is None:
        make_mixed(truths)
        make_dumps()
    layouts = {f"{n}-{p}": lay for n, p, lay in plan(truths)}
    write_json(os.path.join(OUT, "layouts.json"), layouts)


if __name__ == "__main__":
    main()
