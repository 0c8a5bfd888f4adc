"""manage.py kpi_report: the JSON shape, the file formats and clear errors for bad input."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reports import kpi
from tests.helpers.processes import PROJECT_DIR, clean_env
from tests.reports.helpers import assert_chinese_pdf
from tests.reports.test_kpi import CITY_2023, DISTRICT_A_2023, in_plan

pytestmark = pytest.mark.django_db

INDICATORS = [
    "sme_acquisitions",
    "institution_transfers",
    "smes_benefited",
    "sme_pledge_financing",
    "product_filings",
]
VALUES = {
    "sme_acquisitions": ["deals", "patents", "contract_amount", "received_amount"],
    "institution_transfers": ["deals", "patents", "contract_amount", "received_amount"],
    "smes_benefited": ["count", "revenue", "employees"],
    "sme_pledge_financing": ["count", "amount"],
    "product_filings": ["count"],
}


def run(*args) -> str:
    out = io.StringIO()
    call_command("kpi_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_is_exactly_the_documented_shape(kpi_data):
    text = run("--year", "2023", "--format", "json")
    report = json.loads(text)
    assert report == in_plan(CITY_2023)
    assert list(report) == ["year", "district", "plan", "indicators", "activities"]
    assert report["plan"] == {
        "name": "鄂尔多斯市专利转化专项计划实施方案（2021-2023年）",
        "base_year": 2020,
        "first_year": 2021,
        "last_year": 2023,
    }
    assert list(report["indicators"]) == INDICATORS
    for name, block in report["indicators"].items():
        assert list(block) == ["values", "previous", "growth", "average_growth", "target", "met"]
        for part in ("values", "previous", "growth", "average_growth"):
            assert list(block[part]) == VALUES[name]
    # Amounts are strings with two decimals, growth a float or null, met a bool.
    assert '"contract_amount": "180000.50"' in text
    assert '"growth": {\n        "count": null,' in text
    assert list(report["activities"]) == [
        "roadshows",
        "navigation_projects",
        "subsidies",
        "agricultural_patents",
    ]


def test_json_for_a_district(kpi_data):
    assert json.loads(run("--year", "2023", "--district", "150622")) == in_plan(DISTRICT_A_2023)


def test_json_to_a_file(kpi_data, tmp_path):
    path = tmp_path / "kpi.json"
    assert run("--year", "2023", "--format", "json", "--output", str(path)) == ""
    assert json.loads(path.read_text(encoding="utf-8")) == in_plan(CITY_2023)


def test_xlsx(kpi_data, tmp_path):
    path = tmp_path / "kpi.xlsx"
    run("--year", "2023", "--format", "xlsx", "--output", str(path))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["绩效指标", "专项工作"]
    rows = list(workbook["绩效指标"].iter_rows(values_only=True))
    assert rows[0][0] == "全市 2023 年度绩效指标"
    assert rows[1] == (
        "指标代码",
        "指标",
        "数值项代码",
        "数值项",
        "本年",
        "上年",
        "同比增长",
        "年均增幅",
        "目标",
        "是否达标",
    )
    by_key = {(row[0], row[2]): row for row in rows[2:]}
    assert len(by_key) == 14
    contract = by_key[("sme_acquisitions", "contract_amount")]
    assert (float(contract[4]), float(contract[5]), contract[6], contract[7], contract[9]) == (
        180000.5,  # D1 D2 D5: not D3 (terminated)
        120000.0,
        0.5,
        None,  # no base-year figures
        "未达标",
    )
    assert by_key[("sme_pledge_financing", "count")][6] is None


def test_csv(kpi_data, tmp_path):
    path = tmp_path / "kpi.csv"
    run("--year", "2023", "--district", "150602", "--format", "csv", "--output", str(path))
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "年度,2023,范围,150602,东胜区"
    assert "product_filings,专利产品备案,count,备案数,1,0,,,备案数高于上年,达标" in lines


def test_pdf_embeds_a_chinese_font(kpi_data, tmp_path):
    path = tmp_path / "kpi.pdf"
    run("--year", "2023", "--format", "pdf", "--output", str(path))
    assert_chinese_pdf(path.read_bytes(), "全市年度专利转化绩效指标达标")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "abc"], "年度无效：abc"),
        (["--year", "1999"], "年度无效：1999"),
        (["--year", "2023", "--district", "150699"], "未知的旗区代码：150699"),
        (["--year", "2023", "--format", "xlsx"], "须用 --output 指定输出文件"),
        (["--year", "2023", "--format", "pdf", "--output", "/nonexistent-dir/x.pdf"], "输出目录不存在"),
    ],
)
def test_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_bad_input_exits_non_zero():
    completed = subprocess.run(
        [sys.executable, "manage.py", "kpi_report", "--year", "20x3"],
        cwd=PROJECT_DIR,
        env=clean_env(DJANGO_SETTINGS_MODULE="portal.settings.test"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert "年度无效：20x3" in completed.stderr
    assert completed.stdout == ""


def test_unknown_format_is_refused_by_the_parser():
    with pytest.raises(CommandError, match="invalid choice"):
        run("--year", "2023", "--format", "docx")


def test_empty_year_has_zero_values(db):
    report = json.loads(run("--year", "2030"))
    assert report["indicators"]["sme_acquisitions"]["values"]["contract_amount"] == "0.00"
    assert report == kpi.kpi_report(year=2030)
    # Outside every plan period: no plan, no average growth, no target judged.
    assert report["plan"] is None
    block = report["indicators"]["sme_acquisitions"]
    assert block["average_growth"] == dict.fromkeys(VALUES["sme_acquisitions"])
    assert block["met"] is None
    assert block["target"] == "2030 年不在已录入的规划期内，未设目标"
