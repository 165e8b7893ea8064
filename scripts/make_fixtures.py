#!/usr/bin/env python3
"""Regenerate every fixture PDF of shenbao from its truth.

Run from the repository root:  python3 scripts/make_fixtures.py

What it does:
  1. Builds the synthetic truths with a seeded generator and writes them to
     golden/synth-NN.json and golden/gbk-NN.json.  The hand-read sample
     goldens (golden/sample-2019-dsjzx-N.json) are only read, never written.
  2. Renders each truth to HTML in the printed layout of the form
     (上海市财政支出项目绩效目标申报表) and converts it to PDF with LibreOffice
     Writer (soffice --headless --convert-to pdf) into fixtures/NAME.pdf.
  3. Writes the gbk-NN fixtures directly as raw PDF: Type0 font with a
     predefined CMap (GBK-EUC-H / UniGB-UCS2-H), CIDFontType0 STSong-Light,
     no /ToUnicode and no embedded font file; table rulings stroked by hand.

Needs: python3 (stdlib), libreoffice-writer-nogui, fonts-noto-cjk.
"""

import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "golden")
FIXTURES = os.path.join(ROOT, "fixtures")

TITLE = "上海市财政支出项目绩效目标申报表"

def _template():
    import tomllib
    with open(os.path.join(ROOT, "templates", "shanghai-2019.toml"), "rb") as f:
        return tomllib.load(f)


# The record's keys, in record order: the header's three, then the
# template's fields (the field registry, src/template/).
TEMPLATE = _template()
KEYS = ["title", "year", "unit"] + [f["key"] for f in TEMPLATE["fields"]]

# Checkbox options as printed, line by line.
PROJECT_TYPE_LINES = [["市委市政府已确定的新增项目", "结转项目", "其他一次性项目"],
                      ["经常性专项业务费", "其他经常性项目"]]
FUND_USE_LINES = [["基本建设工程类", "信息化建设类", "政策补贴类", "政府购买服务"],
                  ["资产购置类", "其他事业专业类"]]
# Separators between options as in the real forms (ASCII spaces).
PROJECT_TYPE_SEPS = [["    ", "    "], ["   "]]
FUND_USE_SEPS = [["    ", "    ", "        "], ["    "]]


# ---------------------------------------------------------------------------
# Truth helpers

def parse_target(t):
    """target_parsed per the schema: optional op, a number, a 0-4 char unit."""
    m = re.fullmatch(r"([≥≤><=]?)(\d+(?:\.\d+)?)([^\d\s≥≤><=]{0,4})", t.strip())
    if not m:
        return None
    v = m.group(2)
    value = float(v) if "." in v else int(v)
    return {"op": m.group(1) or "=", "value": value, "unit": m.group(3)}


def money(x):
    """Round to the fen; whole yuan become ints so JSON prints 42429660."""
    x = round(x, 2)
    return int(x) if x == int(x) else x


def fmt_amount(x, decimals):
    if x is None:
        return ""
    return f"{x:,.2f}" if decimals else f"{x:,.0f}"


def level_runs(inds, key):
    """(first, last) index of each run of indicator rows sharing level 1
    and `key` (level1 or level2): the rows a merged level cell spans."""
    runs, i = [], 0
    while i < len(inds):
        j = i
        k = (inds[i]["level1"], inds[i][key])
        while j + 1 < len(inds) and (inds[j + 1]["level1"], inds[j + 1][key]) == k:
            j += 1
        runs.append((i, j))
        i = j + 1
    return runs


def option_texts(lines, seps, ticked, nobox):
    """The printed lines of a checkbox field: each option followed by ■
    (ticked), □, or nothing (in nobox), separated as in `seps`."""
    out = []
    for line, sp in zip(lines, seps):
        s = ""
        for i, o in enumerate(line):
            s += o + ("" if o in nobox else ("■" if o == ticked else "□"))
            if i < len(sp):
                s += sp[i]
        out.append(s)
    return out


def fmt_date(iso):
    y, m, d = iso.split("-")
    return f"{int(y)}/{int(m)}/{int(d)}"


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def record(**kw):
    kw.setdefault("title", TITLE)
    rec = {k: kw[k] for k in KEYS}
    for ind in rec["indicators"]:
        ind["target_parsed"] = parse_target(ind["target"])
    return rec


# ---------------------------------------------------------------------------
# Synthetic content pools

UNITS = [
    "上海市交通委员会信息中心", "上海市卫生健康委员会", "上海市民政局", "上海市生态环境局",
    "上海市水务局", "上海市绿化和市容管理局", "上海市文化和旅游局", "上海市体育局",
    "上海市农业农村委员会", "上海市应急管理局", "上海市规划和资源局", "上海市统计局",
    "上海市医疗保障局", "上海市城市运行管理中心", "上海市疾病预防控制中心",
    "上海市环境监测中心", "上海市社区服务中心", "上海市市场监督管理局",
    "上海市公共资源交易中心", "上海市住房和城乡建设管理委员会", "上海市教育考试院",
    "上海市档案馆",
]
# The topic of each unit's projects, aligned with UNITS.
TOPICS = [
    ("智慧交通信息", "平台"), ("全民健康信息", "平台"), ("社区养老服务", "体系"),
    ("大气环境质量预报", "系统"), ("防汛防台指挥", "系统"), ("生活垃圾分类监管", "系统"),
    ("文旅公共服务", "平台"), ("市民体质监测", "网络"), ("农产品质量追溯", "系统"),
    ("安全生产风险监测预警", "系统"), ("不动产登记信息", "平台"), ("统计联网直报", "系统"),
    ("医保智能监控", "系统"), ("城市运行数字体征", "平台"), ("公共卫生应急指挥", "系统"),
    ("水环境监测", "网络"), ("社区事务受理", "平台"), ("食品安全抽检", "体系"),
    ("公共资源电子交易", "平台"), ("建筑市场信用管理", "平台"), ("考试安全保障", "体系"),
    ("电子档案长期保存", "系统"),
]
GENERIC_TOPICS = [("政务云资源", "平台"), ("城市网格化管理", "平台"), ("网络安全防护", "体系"),
                  ("办公自动化", "系统"), ("政务服务“一网通办”", "平台")]
NAME_KINDS = ["运维经费", "建设经费", "（运维）", "专项经费", "购买服务项目", "升级改造项目",
              "运行保障经费", "信息化项目"]

OVERVIEW_POOL = [
    "{t}{k}是本单位承担的重要基础性工作，自建成以来运行总体平稳。",
    "项目主要包括{t}{k}的日常运行维护、数据资源更新、安全防护及用户服务等内容。",
    "目前{k}已接入全市16个区及相关委办局，日均处理业务数据约{n}万条。",
    "随着业务量持续增长，现有软硬件资源已接近设计容量，部分设备超过使用年限。",
    "项目按照“统一规划、分步实施、集约建设、共享共用”的原则组织实施。",
    "本年度拟对{t}{k}进行功能完善和性能优化，进一步提升服务能力和运行效率。",
    "项目涉及机房基础设施、网络链路、应用系统及数据库等多个层面的运维保障。",
    "{k}覆盖全市{n}个街镇，服务对象包括市民、企业及各级政府部门。",
    "项目采用政府购买服务方式，由专业服务机构提供7*24小时运行保障。",
    "通过项目实施，形成市、区、街镇三级联动的工作格局。",
    "上年度项目已完成主要建设任务，本年度重点做好系统运维和应用推广。",
    "项目建设内容包括需求调研、方案设计、软件开发、系统集成、测试验收等环节。",
]
BASIS_POOL = [
    "《上海市国民经济和社会发展第十三个五年规划纲要》",
    "《上海市人民政府关于进一步加快智慧城市建设的若干意见》（沪府发〔2020〕12号）",
    "《上海市公共数据和一网通办管理办法》（市政府令第9号）",
    "《关于全面推进“一网统管”城市运行管理体系建设的实施意见》",
    "《上海市市级财政项目支出预算管理办法》（沪财预〔2018〕56号）",
    "《上海市网络安全等级保护管理办法》",
    "《上海市推进新型基础设施建设行动方案（2020－2022年）》",
    "《国务院关于加快推进“互联网+政务服务”工作的指导意见》（国发〔2016〕55号）",
    "本单位“三定”方案明确的职责要求",
    "市委、市政府年度重点工作安排",
]
NECESSITY_POOL = [
    "项目是落实市委、市政府关于{t}工作部署的重要举措，具有较强的必要性和紧迫性。",
    "现有系统建设时间较早，技术架构落后，已难以满足业务快速发展的需要。",
    "如不及时开展运维保障，将影响全市{t}业务的正常开展，带来较大的社会影响。",
    "项目实施有利于打破信息孤岛，实现跨部门、跨层级的数据共享和业务协同。",
    "通过项目建设，可有效降低行政成本，提高政府治理能力和公共服务水平。",
    "本市{t}工作面临新形势、新任务，亟需通过信息化手段提升精细化管理水平。",
    "项目符合国家和本市相关政策导向，是本单位履行法定职责的基础保障。",
    "系统承载的业务数据涉及大量敏感信息，需持续加强安全防护能力。",
]
SAFEGUARD_POOL = [
    "成立项目领导小组，由单位主要领导任组长，统筹协调项目实施中的重大事项。",
    "严格执行《政府采购法》及本市政府采购有关规定，通过公开招标确定服务单位。",
    "建立项目周例会和月报制度，及时掌握项目进度，协调解决存在的问题。",
    "制定《项目资金管理办法》，实行专款专用，严格按照合同约定支付资金。",
    "引入第三方监理和测评机构，对项目质量、进度和安全进行全过程监督。",
    "落实网络安全等级保护制度，定期开展安全检查和应急演练。",
    "建立运维服务考核机制，将服务质量与合同付款挂钩。",
    "完善项目档案管理，确保项目资料完整、规范、可追溯。",
]
PLAN_POOL = [
    "{y}年1月至3月：完成需求调研和实施方案编制；",
    "{y}年4月至5月：完成政府采购程序并签订合同；",
    "{y}年6月至9月：开展系统开发、部署及数据迁移工作；",
    "{y}年10月至11月：完成系统试运行和第三方测评；",
    "{y}年12月：完成项目验收和资金结算。",
    "全年：做好系统日常运行维护和技术支撑服务。",
    "第一季度：完成年度运维服务合同签订，制定运维工作计划；",
    "第二、三季度：按计划开展巡检、故障处理和系统优化；",
    "第四季度：开展年度运维服务考核，完成项目总结。",
]
GOAL_POOL = [
    "保障{t}{k}全年安全稳定运行，系统可用率达到99.9%以上。",
    "完成{t}{k}功能升级，进一步提升业务办理效率和用户体验。",
    "实现与市级大数据资源平台的数据对接，数据共享率达到90%以上。",
    "建立健全运维管理制度和应急处置机制，全年不发生重大安全事件。",
    "通过项目实施，全面提升本市{t}工作的信息化、智能化水平。",
    "形成覆盖全市的{t}服务网络，服务对象满意度不低于90%。",
    "年度内完成各类培训不少于12次，培训人员不少于500人次。",
    "按期完成年度建设任务，预算执行率达到100%。",
]
REMARKS_POOL = [
    "本项目为跨年度项目，{y}年为实施第二年。",
    "项目预算已经第三方机构评审。",
    "部分资金用于支付上年度合同尾款。",
    "无",
    "项目实施内容以最终批复为准。\n如有调整，另行报批。",
]
FUNDING_POOL = [
    "系统运维服务费", "软件开发费", "硬件设备购置费", "网络链路租赁费", "第三方测评费", "监理费",
    "咨询服务费", "数据采集加工费", "等级保护测评费", "机房托管费", "培训费", "宣传推广费",
    "专家评审费", "印刷费", "安全服务费", "云资源租用费",
]
# level1 -> level2 -> [(level3, [targets])]
INDICATOR_POOL = {
    "产出目标": {
        "数量目标": [("完成率", ["100%", "≥95%"]), ("系统接入单位数", ["≥16个", "20个"]),
                  ("巡检次数", ["≥12次", "24次"]), ("培训人次", ["≥500人次"]),
                  ("服务主题数量", ["50个", "6"])],
        "质量目标": [("系统可用率", ["≥99.9%", "≥99%"]), ("验收合格率", ["100%"]),
                  ("数据准确率", ["≥98%"]), ("故障修复率", ["100%"]),
                  ("重大故障次数", ["≤2次"])],
        "时效目标": [("故障响应时间", ["≤2小时", "≤30分钟"]), ("项目按期完成率", ["100%"]),
                  ("及时性", ["≥90%"])],
        "成本目标": [("成本控制率", ["≤100%"]), ("单位运维成本", ["较上年下降5%"])],
    },
    "效果目标": {
        "经济效益目标": [("行政审批事项提交材料量", ["平均减少50%"]), ("节约行政成本", ["≥200万元"])],
        "社会效益目标": [("信息安全", ["全年重大信息安全事件≤2次"]), ("服务覆盖人数", ["≥10万人"]),
                    ("群众办事便利度", ["明显提升"])],
        "生态效益目标": [("能耗降低率", ["≥5%"]), ("纸质材料减少量", ["平均减少50%"])],
        "可持续目标": [("长效管理机制", ["完善"]),
                  ("系统持续运行能力", ["系统在项目期满后能够持续稳定运行，并具备扩展能力"])],
    },
    "影响力目标": {
        "满意度": [("社会满意度", ["≥90%", "100%"])],
        "满意度目标": [("使用对象满意率", ["≥85%", "≥90%"])],
        "人力资源": [("人员到位率", ["100%", "≥85%"])],
        "可持续影响目标": [("制度建设", ["完善"]), ("信息共享程度", ["实现跨部门数据共享"])],
        "长效管理": [("运维管理制度健全性", ["健全"])],
    },
    "投入和管理目标": {
        "投入目标": [("预算执行率", ["100%", "≥95%"]), ("资金到位及时率", ["100%"])],
        "管理目标": [("管理制度健全性", ["健全"]), ("档案管理规范性", ["规范"]),
                  ("合同履约率", ["100%"])],
        "财务管理": [("预算执行率", ["100%"]), ("资金使用合规性", ["合规"]),
                  ("重点支出支持率", ["100%"])],
        "人力资源": [("人员到位率", ["100%"])],
    },
}
LEVEL1_ORDER = ["产出目标", "效果目标", "影响力目标", "投入和管理目标"]


def para(rng, pool, count, **fmt):
    picks = rng.sample(pool, min(count, len(pool)))
    return "".join(p.format(**fmt) for p in picks)


def paras(rng, pool, nparas, per, **fmt):
    return "\n".join(para(rng, pool, per, **fmt) for _ in range(nparas))


def numbered(rng, pool, count, **fmt):
    picks = rng.sample(pool, min(count, len(pool)))
    return "\n".join(f"{i}、{p.format(**fmt)}" for i, p in enumerate(picks, 1))


def gen_indicators(rng, count, level2_extra=False, management_first=False,
                   io_split=False):
    """Exactly count level-3 rows grouped by level1/level2, in printed order."""
    order = list(LEVEL1_ORDER)
    if management_first:
        order = order[-1:] + order[:-1]
    avail, must = {}, {}
    for l1 in order:
        l2s = list(INDICATOR_POOL[l1])
        if not level2_extra:
            l2s = [x for x in l2s if x not in ("可持续影响目标", "长效管理")]
        avail[l1] = l2s
        must[l1] = []
    if io_split:
        must["投入和管理目标"] = ["投入目标", "管理目标", "财务管理", "人力资源"]
    if level2_extra:
        must["影响力目标"] = ["可持续影响目标"]
    cap = {l1: sum(len(INDICATOR_POOL[l1][x]) for x in avail[l1]) for l1 in order}
    share = {l1: max(1, len(must[l1])) for l1 in order}
    while sum(share.values()) < count:
        l1 = rng.choice([x for x in order if share[x] < cap[x]])
        share[l1] += 1
    rows = []
    for l1 in order:
        n = share[l1]
        chosen = list(must[l1])
        others = [x for x in avail[l1] if x not in chosen]
        rng.shuffle(others)
        want = rng.randint(1, min(n, len(avail[l1])))
        while len(chosen) < want or sum(len(INDICATOR_POOL[l1][x]) for x in chosen) < n:
            chosen.append(others.pop())
        chosen.sort(key=avail[l1].index)
        per = {x: 1 for x in chosen}
        for _ in range(n - len(chosen)):
            l2 = rng.choice([x for x in chosen if per[x] < len(INDICATOR_POOL[l1][x])])
            per[l2] += 1
        for l2 in chosen:
            cands = INDICATOR_POOL[l1][l2]
            picks = sorted(rng.sample(range(len(cands)), per[l2]))
            for j in picks:
                l3, targets = cands[j]
                rows.append({"level1": l1, "level2": l2, "level3": l3,
                             "target": rng.choice(targets)})
    assert len(rows) == count, (len(rows), count)
    return rows


def split_amount(rng, total_fen, n):
    """Split total (in fen, multiple of 100000) into n positive parts."""
    unit = 100000  # 1,000 yuan
    units = total_fen // unit
    cuts = sorted(rng.sample(range(1, units), n - 1)) if n > 1 else []
    parts, prev = [], 0
    for c in cuts + [units]:
        parts.append((c - prev) * unit)
        prev = c
    return parts


def gen_form(rng, idx, opts):
    """One synthetic form: (truth record, print spec)."""
    year = opts.get("year", rng.randint(2017, 2021))
    unit = opts.get("unit", rng.choice(UNITS))
    if rng.random() < 0.75:
        topic, kind = TOPICS[UNITS.index(unit)]
    else:
        topic, kind = rng.choice(GENERIC_TOPICS)
    name = opts.get("project_name", topic + kind + rng.choice(NAME_KINDS))
    fmt = {"t": topic, "k": kind, "n": rng.randint(3, 120), "y": year}
    long = opts.get("long", False)
    np_ = (3, 5) if long else (1, 2)

    pt_opts = [o for line in PROJECT_TYPE_LINES for o in line]
    fu_opts = [o for line in FUND_USE_LINES for o in line]
    project_type = None if opts.get("no_project_type") else rng.choice(pt_opts)
    fund_use = rng.choice(fu_opts)
    nobox = set()
    if opts.get("nobox"):
        cands = [o for o in pt_opts + fu_opts if o not in (project_type, fund_use)]
        nobox = set(rng.sample(cands, 2))

    if opts.get("multi_year"):
        start, end = f"{year - 1}-07-01", f"{year + 1}-06-30"
    else:
        start, end = f"{year}-01-01", f"{year}-12-31"
    start_p, end_p = fmt_date(start), fmt_date(end)
    if opts.get("date_typo"):
        end_p = f"{year}12/31"

    n_fund = opts.get("n_fund", rng.randint(1, 12))
    decimals = opts.get("decimals", rng.random() < 0.6)
    total_fen = rng.randint(20, 6000) * 1000000  # 200k .. 60M yuan
    parts = split_amount(rng, total_fen, n_fund)
    if opts.get("fen"):
        # move a few fen between parts so amounts carry cents
        parts[0] += 37
        parts[-1] -= 37
    names = rng.sample(FUNDING_POOL, n_fund)
    components = [{"name": n, "amount": money(p / 100)} for n, p in zip(names, parts)]
    current = money(total_fen / 100)
    if opts.get("sum_mismatch"):
        components[-1]["amount"] = money(components[-1]["amount"] + 150000)
    total = current if not opts.get("multi_year") else money(current * 2)
    if opts.get("empty_prior"):
        prior_budget = prior_spent = None
    else:
        prior_budget = money(rng.randint(20, 6000) * 10000)
        prior_spent = money(round(prior_budget * rng.uniform(0.85, 1.0) / 100) * 100)

    n_ind = opts.get("n_ind", rng.randint(4, 14))
    indicators = gen_indicators(rng, n_ind, level2_extra=opts.get("level2_extra", False),
                                management_first=opts.get("management_first", False),
                                io_split=opts.get("io_split", False))
    remarks = rng.choice(REMARKS_POOL).format(**fmt) if opts.get("remarks") else None

    rec = record(
        year=year, unit=unit, project_name=name, project_type=project_type,
        fund_use=fund_use, start_date=start, end_date=end,
        overview=paras(rng, OVERVIEW_POOL, rng.randint(*np_), 4 if long else 3, **fmt),
        basis=(numbered(rng, [b + "。" for b in BASIS_POOL], rng.randint(2, 4))
               if opts.get("numbered_basis") else
               "根据" + "、".join(rng.sample(BASIS_POOL, 3)) + "等文件要求。"),
        necessity=paras(rng, NECESSITY_POOL, rng.randint(*np_), 3, **fmt),
        safeguards=numbered(rng, SAFEGUARD_POOL, rng.randint(3, 6) if long else 3, **fmt),
        total_budget=total, current_year_budget=current,
        prior_year_budget=prior_budget, prior_year_spent=prior_spent,
        funding_components=components,
        implementation_plan="\n".join(p.format(**fmt) for p in
                                      (PLAN_POOL[:5] if rng.random() < 0.5 else PLAN_POOL[5:])),
        overall_goal=paras(rng, GOAL_POOL, 2 if long else 1, 3, **fmt),
        annual_goal=numbered(rng, GOAL_POOL, rng.randint(2, 4), **fmt),
        indicators=indicators, remarks=remarks)
    spec = {"start": start_p, "end": end_p, "nobox": nobox, "decimals": decimals}
    return rec, spec


# Each synthetic fixture: list of per-form option dicts (several = multi-form PDF).
SYNTH = [
    [dict(year=2019, n_fund=1, n_ind=4)],                                      # 01
    [dict(year=2020, long=True, n_fund=12, n_ind=14, decimals=True)],           # 02
    [dict(year=2018, sum_mismatch=True, n_fund=5, decimals=True)],              # 03
    [dict(year=2021, no_project_type=True, nobox=True)],                        # 04
    [dict(year=2017, empty_prior=True), dict(year=2017, remarks=True)],          # 05
    [dict(year=2019, date_typo=True, decimals=True)],                           # 06
    [dict(year=2020, level2_extra=True, remarks=True, n_ind=12)],               # 07
    [dict(year=2018, io_split=True, n_ind=10, long=True)],                      # 08
    [dict(year=2021, fen=True, n_fund=6, decimals=True, numbered_basis=True)],  # 09
    [dict(year=2019, decimals=False, empty_prior=True, nobox=True)],            # 10
    [dict(year=2020, unit="上海市水务局"), dict(year=2020, unit="上海市水务局", long=True),
     dict(year=2020, unit="上海市水务局", empty_prior=True)],                     # 11
    [dict(year=2017, long=True, n_fund=9, remarks=True)],                       # 12
    [dict(year=2018, management_first=True, n_ind=8)],                          # 13
    [dict(year=2021, multi_year=True, n_fund=3)],                               # 14
    [dict(year=2019, long=True, n_ind=13, io_split=True, decimals=False)],      # 15
    [dict(year=2020, n_fund=2, n_ind=5, remarks=True, numbered_basis=True)],    # 16
    [dict(year=2017, nobox=True), dict(year=2018, long=True, level2_extra=True)],  # 17
    [dict(year=2021, n_fund=11, decimals=False, long=True)],                    # 18
    [dict(year=2018, n_ind=6, empty_prior=True, remarks=True)],                 # 19
    [dict(year=2019, unit="上海市统计局", n_fund=4), dict(year=2019, unit="上海市统计局", n_fund=7),
     ],                                                                          # 20
    [dict(year=2020, n_ind=14, io_split=True, level2_extra=True, n_fund=8)],    # 21
    [dict(year=2021, decimals=True, fen=True, long=True, nobox=True)],          # 22
]

GBK_FORMS = [
    # name, encoding, option dicts
    ("gbk-01", "GBK-EUC-H", [dict(year=2019, n_fund=4, n_ind=7, remarks=True, nobox=True)]),
    ("gbk-02", "UniGB-UCS2-H", [dict(year=2020, n_fund=3, n_ind=6, empty_prior=True)]),
]


# ---------------------------------------------------------------------------
# HTML rendering (LibreOffice Writer)

CSS = """
@page { size: 21cm 29.7cm; margin: 1.8cm 1.8cm 1.8cm 1.8cm; }
body { font-family: "Noto Serif CJK SC"; font-size: 10.5pt; }
td { font-family: "Noto Serif CJK SC"; font-size: 10.5pt; vertical-align: middle; }
p { margin: 0; }
"""


def esc(s):
    return html.escape(s, quote=False)


def options_html(lines, seps, ticked, nobox):
    out = []
    for line, sp in zip(lines, seps):
        parts = []
        for i, opt in enumerate(line):
            box = "" if opt in nobox else ("■" if opt == ticked else "□")
            parts.append(esc(opt + box))
            if i < len(sp):
                parts.append("&nbsp;" * len(sp[i]))
        out.append("".join(parts))
    return "<br>".join(out)


def text_html(text):
    if not text:
        return "&nbsp;"
    return "".join(f'<p style="margin-top:0cm;margin-bottom:0cm;text-indent:0.74cm">{esc(p)}</p>' for p in text.split("\n"))


def form_html(rec, spec, first):
    brk = "" if first else ' style="page-break-before: always"'
    dec = spec["decimals"]
    r = []
    r.append(f'<p align="center"{brk}><span style="font-size:16pt">{esc(rec["title"])}</span></p>')
    r.append(f'<p align="center">({rec["year"]}年)</p>')
    r.append(f'<p>申报单位名称：{esc(rec["unit"])}</p>')
    r.append('<table border="1" cellspacing="0" cellpadding="4" width="100%">')
    r.append('<colgroup><col width="15%"><col width="21%"><col width="21%">'
             '<col width="21%"><col width="22%"></colgroup>')

    def row(label, value_html):
        r.append(f'<tr><td>{esc(label)}</td><td colspan="4">{value_html}</td></tr>')

    def row4(l1, v1, l2, v2):
        r.append(f'<tr><td>{esc(l1)}</td><td>{esc(v1) or "&nbsp;"}</td>'
                 f'<td>{esc(l2)}</td><td colspan="2">{esc(v2) or "&nbsp;"}</td></tr>')

    row("项目名称", esc(rec["project_name"]))
    row("项目类型", options_html(PROJECT_TYPE_LINES, PROJECT_TYPE_SEPS, rec["project_type"], spec["nobox"]))
    row("资金用途", options_html(FUND_USE_LINES, FUND_USE_SEPS, rec["fund_use"], spec["nobox"]))
    row4("开始时间", spec["start"], "结束时间", spec["end"])
    row("项目概况", text_html(rec["overview"]))
    row("立项依据", text_html(rec["basis"]))
    row("项目设立的必要性", text_html(rec["necessity"]))
    row("保证项目实施的制度、措施", text_html(rec["safeguards"]))
    row4("项目总预算（元）", fmt_amount(rec["total_budget"], dec),
         "项目当年预算（元）", fmt_amount(rec["current_year_budget"], dec))
    row4("同名项目上年预算额（元）", fmt_amount(rec["prior_year_budget"], dec),
         "同名项目上年预算执行数（元）", fmt_amount(rec["prior_year_spent"], dec))
    comps = rec["funding_components"]
    r.append(f'<tr><td rowspan="{len(comps) + 1}">项目当年投入资金构成</td>'
             '<td colspan="2">子项目名称</td><td colspan="2">预算金额（元）</td></tr>')
    for c in comps:
        r.append(f'<tr><td colspan="2">{esc(c["name"])}</td>'
                 f'<td colspan="2">{fmt_amount(c["amount"], dec)}</td></tr>')
    row("项目实施计划", text_html(rec["implementation_plan"]))
    row("项目总目标", text_html(rec["overall_goal"]))
    row("年度绩效目标", text_html(rec["annual_goal"]))
    inds = rec["indicators"]
    r.append(f'<tr><td rowspan="{len(inds) + 1}">分解目标</td><td>一级指标</td><td>二级指标</td>'
             '<td>三级指标</td><td>指标目标值</td></tr>')
    for i, ind in enumerate(inds):
        cells = []
        if i == 0 or inds[i - 1]["level1"] != ind["level1"]:
            n = 1
            while i + n < len(inds) and inds[i + n]["level1"] == ind["level1"]:
                n += 1
            cells.append(f'<td rowspan="{n}">{esc(ind["level1"])}</td>')
        if i == 0 or (inds[i - 1]["level1"], inds[i - 1]["level2"]) != (ind["level1"], ind["level2"]):
            n = 1
            while (i + n < len(inds) and (inds[i + n]["level1"], inds[i + n]["level2"])
                   == (ind["level1"], ind["level2"])):
                n += 1
            cells.append(f'<td rowspan="{n}">{esc(ind["level2"])}</td>')
        cells.append(f'<td>{esc(ind["level3"])}</td><td>{esc(ind["target"])}</td>')
        r.append("<tr>" + "".join(cells) + "</tr>")
    row("备注", text_html(rec["remarks"]))
    r.append("</table>")
    return "\n".join(r)


def document_html(forms):
    body = "\n".join(form_html(rec, spec, i == 0) for i, (rec, spec) in enumerate(forms))
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>{CSS}</style></head>'
            f"<body>\n{body}\n</body></html>\n")


def convert_all(jobs):
    """jobs: {name: html}. Converts in one soffice run into fixtures/NAME.pdf.

    A private LibreOffice profile keeps this run apart from any other soffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("soffice not found: apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    with tempfile.TemporaryDirectory(prefix="shenbao-fx-") as tmp:
        paths = []
        for name, doc in jobs.items():
            p = os.path.join(tmp, name + ".html")
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(doc)
            paths.append(p)
        outdir = os.path.join(tmp, "out")
        profile = "file://" + os.path.join(tmp, "profile")
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                        "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export",
                        "--outdir", outdir] + paths, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name in jobs:
            src = os.path.join(outdir, name + ".pdf")
            if not os.path.exists(src):
                sys.exit(f"conversion failed for {name}")
            shutil.copyfile(src, os.path.join(FIXTURES, name + ".pdf"))


# ---------------------------------------------------------------------------
# Raw PDF with a non-embedded CJK font (no ToUnicode)

PAGE_W, PAGE_H = 595, 842
COLS = [45, 120, 227.5, 335, 442.5, 550]
FS = 9          # body font size
LEAD = 13       # line height
PAD = 3
TOP, BOTTOM = 800, 50


def char_w(ch, fs=FS):
    return fs * (0.5 if ord(ch) < 0x80 else 1.0)


def text_w(s, fs=FS):
    return sum(char_w(c, fs) for c in s)


def wrap(text, width, indent=True):
    """Greedy wrap; each paragraph starts with two U+3000 when indent."""
    lines = []
    if not text:
        return lines
    for p in text.split("\n"):
        s = ("\u3000\u3000" + p) if indent else p
        cur, w = "", 0.0
        for ch in s:
            cw = char_w(ch)
            if w + cw > width and cur:
                lines.append(cur)
                cur, w = "", 0.0
            cur += ch
            w += cw
        lines.append(cur)
    return lines


class Cell:
    def __init__(self, c0, c1, text, indent=False):
        self.c0, self.c1 = c0, c1
        width = COLS[c1] - COLS[c0] - 2 * PAD
        self.lines = wrap(text, width, indent) if text else []


class RawLayout:
    """Rows of cells on pages; spans (merged cells) drawn over row ranges."""

    def __init__(self):
        self.rows = []   # list of list[Cell]
        self.spans = []  # (first_row, last_row, Cell)
        self.split_ok = []

    def add(self, cells, split_ok=False):
        self.rows.append(cells)
        self.split_ok.append(split_ok)
        return len(self.rows) - 1

    def span(self, r0, r1, cell):
        self.spans.append((r0, r1, cell))

    def heights(self):
        h = [max([len(c.lines) for c in cells] + [1]) * LEAD + 2 * PAD for cells in self.rows]
        for r0, r1, cell in self.spans:
            need = len(cell.lines) * LEAD + 2 * PAD
            have = sum(h[r0:r1 + 1])
            if need > have:
                h[r1] += need - have
        return h


def raw_form_pages(rec, spec, encode):
    """Lay out one form; returns list of page content streams (bytes)."""
    dec = spec["decimals"]
    L = RawLayout()

    def textrow(label, text, indent=True):
        L.add([Cell(0, 1, label), Cell(1, 5, text, indent)], split_ok=True)

    def row4(a, b, c, d):
        L.add([Cell(0, 1, a), Cell(1, 2, b), Cell(2, 3, c), Cell(3, 5, d)])

    def opts(lines, seps, ticked):
        return option_texts(lines, seps, ticked, spec["nobox"])

    textrow("项目名称", rec["project_name"], False)
    c = Cell(1, 5, "")
    c.lines = [x for line in opts(PROJECT_TYPE_LINES, PROJECT_TYPE_SEPS, rec["project_type"])
               for x in wrap(line, COLS[5] - COLS[1] - 2 * PAD, False)]
    L.add([Cell(0, 1, "项目类型"), c])
    c = Cell(1, 5, "")
    c.lines = [x for line in opts(FUND_USE_LINES, FUND_USE_SEPS, rec["fund_use"])
               for x in wrap(line, COLS[5] - COLS[1] - 2 * PAD, False)]
    L.add([Cell(0, 1, "资金用途"), c])
    row4("开始时间", spec["start"], "结束时间", spec["end"])
    textrow("项目概况", rec["overview"])
    textrow("立项依据", rec["basis"])
    textrow("项目设立的必要性", rec["necessity"])
    textrow("保证项目实施的制度、措施", rec["safeguards"])
    row4("项目总预算（元）", fmt_amount(rec["total_budget"], dec),
         "项目当年预算（元）", fmt_amount(rec["current_year_budget"], dec))
    row4("同名项目上年预算额（元）", fmt_amount(rec["prior_year_budget"], dec),
         "同名项目上年预算执行数（元）", fmt_amount(rec["prior_year_spent"], dec))
    r0 = L.add([Cell(1, 3, "子项目名称"), Cell(3, 5, "预算金额（元）")])
    for comp in rec["funding_components"]:
        r1 = L.add([Cell(1, 3, comp["name"]), Cell(3, 5, fmt_amount(comp["amount"], dec))])
    L.span(r0, r1, Cell(0, 1, "项目当年投入资金构成"))
    textrow("项目实施计划", rec["implementation_plan"])
    textrow("项目总目标", rec["overall_goal"])
    textrow("年度绩效目标", rec["annual_goal"])
    r0 = L.add([Cell(1, 2, "一级指标"), Cell(2, 3, "二级指标"), Cell(3, 4, "三级指标"),
                Cell(4, 5, "指标目标值")])
    inds = rec["indicators"]
    rows = [L.add([Cell(3, 4, i["level3"]), Cell(4, 5, i["target"])]) for i in inds]
    L.span(r0, rows[-1], Cell(0, 1, "分解目标"))
    for key, col in (("level1", 1), ("level2", 2)):
        for i, j in level_runs(inds, key):
            L.span(rows[i], rows[j], Cell(col, col + 1, inds[i][key]))
    textrow("备注", rec["remarks"] or "")

    # Paginate: rows never split except free-text rows (split by lines).
    heights = L.heights()
    pages = [[]]  # per page: list of (row_index, y_top, height, line_from, line_to)
    header_h = 3 * 22
    y = TOP - header_h
    for ri, cells in enumerate(L.rows):
        h = heights[ri]
        if y - h < BOTTOM and L.split_ok[ri]:
            n_lines = max(len(c.lines) for c in cells)
            lo = 0
            while lo < n_lines:
                fit = int((y - BOTTOM - 2 * PAD) // LEAD)
                if fit < 2:
                    pages.append([])
                    y = TOP
                    continue
                hi = min(n_lines, lo + fit)
                hh = (hi - lo) * LEAD + 2 * PAD
                pages[-1].append((ri, y, hh, lo, hi))
                y -= hh
                lo = hi
            continue
        if y - h < BOTTOM:
            pages.append([])
            y = TOP
        pages[-1].append((ri, y, h, 0, None))
        y -= h

    where = {}  # row -> list of (page, y_top, h)
    for pi, items in enumerate(pages):
        for ri, yt, h, lo, hi in items:
            where.setdefault(ri, []).append((pi, yt, h))

    streams = []
    spanned_cols = {}
    for r0, r1, cell in L.spans:
        for ri in range(r0, r1 + 1):
            spanned_cols.setdefault(ri, set()).add(cell.c0)

    for pi, items in enumerate(pages):
        ops = ["0 G 0.5 w"]
        txt = []

        def put(x, y, s, fs=FS):
            if s:
                txt.append(f"BT /F1 {fs} Tf {x:.2f} {y:.2f} Td <{encode(s).hex()}> Tj ET")

        def rect(x0, x1, yt, h):
            yb = yt - h
            ops.append(f"{x0:.2f} {yt:.2f} m {x1:.2f} {yt:.2f} l S")
            ops.append(f"{x1:.2f} {yt:.2f} m {x1:.2f} {yb:.2f} l S")
            ops.append(f"{x1:.2f} {yb:.2f} m {x0:.2f} {yb:.2f} l S")
            ops.append(f"{x0:.2f} {yb:.2f} m {x0:.2f} {yt:.2f} l S")

        if pi == 0:
            put((PAGE_W - text_w(rec["title"], 15)) / 2, TOP - 15, rec["title"], 15)
            yl = f"({rec['year']}年)"
            put((PAGE_W - text_w(yl)) / 2, TOP - 36, yl)
            put(COLS[0], TOP - 58, "申报单位名称：" + rec["unit"])
        for ri, yt, h, lo, hi in items:
            for c in L.rows[ri]:
                rect(COLS[c.c0], COLS[c.c1], yt, h)
                lines = c.lines[lo:hi] if hi is not None else c.lines
                if hi is not None and c.c0 == 0 and lo > 0:
                    lines = []  # label only in the first piece of a split row
                if hi is not None and c.c0 == 0 and lo == 0:
                    lines = c.lines
                ty = yt - PAD - FS
                for ln in lines:
                    put(COLS[c.c0] + PAD, ty, ln)
                    ty -= LEAD
        for r0, r1, cell in L.spans:
            segs = [w for ri in range(r0, r1 + 1) for w in where.get(ri, []) if w[0] == pi]
            if not segs:
                continue
            yt = max(s[1] for s in segs)
            yb = min(s[1] - s[2] for s in segs)
            rect(COLS[cell.c0], COLS[cell.c1], yt, yt - yb)
            first_page = min(w[0] for ri in range(r0, r1 + 1) for w in where.get(ri, []))
            if pi == first_page:
                ty = yt - PAD - FS
                for ln in cell.lines:
                    put(COLS[cell.c0] + PAD, ty, ln)
                    ty -= LEAD
        streams.append(("\n".join(ops + txt) + "\n").encode("latin-1"))
    return streams


def write_raw_pdf(path, forms, cmap):
    if cmap == "GBK-EUC-H":
        def encode(s):
            return s.encode("gbk")
    elif cmap == "UniGB-UCS2-H":
        def encode(s):
            return s.encode("utf-16-be")
    else:
        raise ValueError(cmap)
    streams = []
    for rec, spec in forms:
        streams.extend(raw_form_pages(rec, spec, encode))

    objs = {}
    n_pages = len(streams)
    # 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, then page/content pairs
    page_ids = [6 + 2 * i for i in range(n_pages)]
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = ("<< /Type /Pages /Kids [" + " ".join(f"{p} 0 R" for p in page_ids)
               + f"] /Count {n_pages} >>").encode()
    objs[3] = (f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /{cmap} "
               "/DescendantFonts [4 0 R] >>").encode()
    # GBK-EUC-H maps single bytes 0x21-0x7E to the half-width CIDs 814-907 and
    # 0x20 to CID 7716; UniGB-UCS2-H maps U+0020-007E to CIDs 1-95.
    widths = b"1 95 500 814 907 500 7716 [500]" if cmap == "GBK-EUC-H" else b"1 95 500"
    objs[4] = (b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
               b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
               b"/FontDescriptor 5 0 R /DW 1000 /W [" + widths + b"] >>")
    objs[5] = (b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
               b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
               b"/CapHeight 880 /StemV 93 >>")
    for i, data in enumerate(streams):
        pid = page_ids[i]
        objs[pid] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                     f"/Resources << /Font << /F1 3 0 R >> >> /Contents {pid + 1} 0 R >>").encode()
        objs[pid + 1] = f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"endstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    n = max(objs)
    for oid in range(1, n + 1):
        offsets[oid] = len(out)
        out += f"{oid} 0 obj\n".encode() + objs[oid] + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {n + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for oid in range(1, n + 1):
        out += f"{offsets[oid]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {n + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    with open(path, "wb") as fh:
        fh.write(out)


# ---------------------------------------------------------------------------
# Sample forms: printed variants of the hand-read truth

SAMPLE_SPECS = [
    {"start": "2019/1/1", "end": "2019/12/31", "nobox": {"其他一次性项目"}, "decimals": True},
    {"start": "2019/1/1", "end": "2019/12/31", "nobox": {"政府购买服务"}, "decimals": True},
    {"start": "2019/1/1", "end": "201912/31", "nobox": {"其他一次性项目", "政府购买服务"},
     "decimals": True},
]


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    os.makedirs(FIXTURES, exist_ok=True)
    jobs = {}

    samples = []
    for i, spec in enumerate(SAMPLE_SPECS, 1):
        with open(os.path.join(GOLDEN, f"sample-2019-dsjzx-{i}.json"), encoding="utf-8") as fh:
            (rec,) = json.load(fh)
        samples.append((rec, spec))
        jobs[f"sample-2019-dsjzx-{i}"] = document_html([(rec, spec)])
    jobs["2019-dsjzx-forms-1-3"] = document_html(samples)

    rng = random.Random(20190101)
    for n, form_opts in enumerate(SYNTH, 1):
        name = f"synth-{n:02d}"
        forms = [gen_form(rng, n, o) for o in form_opts]
        write_json(os.path.join(GOLDEN, name + ".json"), [rec for rec, _ in forms])
        jobs[name] = document_html(forms)

    for name, cmap, form_opts in GBK_FORMS:
        forms = [gen_form(rng, 0, o) for o in form_opts]
        write_json(os.path.join(GOLDEN, name + ".json"), [rec for rec, _ in forms])
        write_raw_pdf(os.path.join(FIXTURES, name + ".pdf"), forms, cmap)

    only = sys.argv[1:]  # optional fixture names: convert only those
    if only:
        jobs = {k: v for k, v in jobs.items() if k in only}
    if jobs:
        convert_all(jobs)
    print(f"wrote {len(jobs)} LibreOffice fixtures and {len(GBK_FORMS)} raw GBK fixtures")


if __name__ == "__main__":
    main()
