#!/usr/bin/env python3
"""The fixtures of projects declared in two years (fixtures/years/).

Run from the repository root:  python3 scripts/make_years.py

Two projects, each declared in 2019 and in 2020, one form a PDF:

  years-a-2019.pdf, years-a-2020.pdf  2020 declares as its prior-year budget
      (同名项目上年预算额) exactly the 2019 current-year budget (项目当年预算),
      and a prior-year spending (上年预算执行数) below it; 2019 prints the
      project name with “curly” quotes, 2020 with "straight" ones (the
      form_key folds both to ").
  years-b-2019.pdf, years-b-2020.pdf  the planted mismatch: 2020 declares a
      prior-year budget 500,000.00 yuan above what 2019 budgeted (its
      spending is within both).

The truths (golden/years/NAME.json) are written first, then rendered by
our own PDF writer (make_fixtures.write_raw_pdf, UniGB-UCS2-H, no
LibreOffice needed). Seeded: the same files on every run.
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402

GOLDEN = os.path.join(mf.GOLDEN, "years")
FIXTURES = os.path.join(mf.FIXTURES, "years")

PROJECTS = {
    "a": ("上海市体育局", "“全民健身”信息服务平台运维项目", '"全民健身"信息服务平台运维项目'),
    "b": ("上海市文化和旅游局", "公共文化云平台运行保障经费", "公共文化云平台运行保障经费"),
}


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    os.makedirs(FIXTURES, exist_ok=True)
    rng = random.Random(20200101)
    for p, (unit, name19, name20) in PROJECTS.items():
        f19 = mf.gen_form(rng, 0, dict(year=2019, unit=unit, project_name=name19, n_fund=3))
        f20 = mf.gen_form(rng, 0, dict(year=2020, unit=unit, project_name=name20, n_fund=4))
        budget19 = f19[0]["current_year_budget"]
        prior = budget19 if p == "a" else mf.money(budget19 + 500000)
        f20[0]["prior_year_budget"] = prior
        f20[0]["prior_year_spent"] = mf.money(round(budget19 * 0.93 / 100) * 100)
        for year, form in ((2019, f19), (2020, f20)):
            name = f"years-{p}-{year}"
            mf.write_json(os.path.join(GOLDEN, name + ".json"), [form[0]])
            mf.write_raw_pdf(os.path.join(FIXTURES, name + ".pdf"), [form], "UniGB-UCS2-H")
    print(f"wrote {2 * len(PROJECTS)} fixtures into {FIXTURES}")


if __name__ == "__main__":
    main()
