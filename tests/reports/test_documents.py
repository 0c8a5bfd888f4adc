"""The documents as a reader sees them, read back from the PDF with pdfplumber: cover, contents,
page numbers, names never broken, amounts in 万元 with separators, no file paths or ISO
timestamps; the plan-period summary with its landscape district pages."""

import datetime as dt
import re

import pytest

from portal.permissions import system_actor
from reports import services
from reports.documents import definitions
from reports.models import PlanPeriod
from tests.reports.conftest import make_deal, pay

pdfplumber = pytest.importorskip("pdfplumber")

ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def pages_of(field) -> list:
    with field.open("rb") as handle, pdfplumber.open(handle) as pdf:
        return [(page.width, page.height, page.extract_text() or "") for page in pdf.pages]


@pytest.fixture
def big_amounts(kpi_data):
    """A 2020 (base year) acquisition of 442,826,501.06 yuan: it must print as 44,282.65 万元."""
    o = kpi_data
    deal = make_deal(
        "BIG", "transfer", o.uni_a, o.sme_a1, dt.date(2020, 5, 1), "442826501.06", [o.patents[1]]
    )
    pay(deal, dt.date(2020, 6, 1), "12345.00")
    return kpi_data


@pytest.mark.django_db
def test_submitted_documents_read_back(
    big_amounts, settings, tmp_path, celery_eager, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        annual = services.annual_report_request(actor=system_actor(), year=2023)
    annual.refresh_from_db()
    assert annual.status == "ready", annual.error
    pages = pages_of(annual.pdf)
    texts = [text for _w, _h, text in pages]
    everything = "\n".join(texts)
    lines = everything.splitlines()
    # Cover: bureau, title, period, draft and date; then the contents with page numbers.
    assert "鄂尔多斯市市场监督管理局（知识产权局）" in texts[0]
    assert "2023 年度专利转化绩效报告" in texts[0] and "草稿（待审定）" in texts[0]
    assert re.search(r"数据生成日期：\d{4}年\d{1,2}月\d{1,2}日", texts[0])
    assert "目录" in texts[1] and re.search(r"附录：指标定义\s*\.*\s*\d+", texts[1])
    # Every page after the cover is numbered.
    for number, text in enumerate(texts[1:], start=2):
        assert f"第 {number} 页，共 {len(texts)} 页" in text
    # Names whole on one line (never 康巴 / 什区), headers not one character per line.
    assert any("康巴什区" in line for line in lines)
    assert not any(line.strip() in {"康", "巴", "什", "区", "康巴", "什区"} for line in lines)
    assert any("是否达标" in line for line in lines) and any("旗区 交易数 专利数" in line for line in lines)
    # Indicator names whole in the city table (not 中小微企业专利质 / 押融资).
    assert any(line.startswith("中小微企业获得专利转化 交易数") for line in lines)
    assert any(line.startswith("中小微企业专利质押融资 质押笔数") for line in lines)
    # Amounts in 万元 with thousands separators; no raw yuan figures, file paths or ISO timestamps.
    assert "合同成交额（万元）" in everything and "18.00" in everything  # 180,000.50 yuan (D3 terminated)
    assert "442826501.06" not in everything
    assert "docs/kpi.md" not in everything and "/media/" not in everything
    assert not ISO_TIMESTAMP.search(everything)
    assert "年均增幅" in everything.split("附录：指标定义")[-1]
    # Every term of the appendix is on the page of (the start of) its definition.
    first = max(i for i, text in enumerate(texts) if text.splitlines()[1:2] == ["附录：指标定义"])
    for term, text in definitions():
        page = next(t for t in texts[first:] if term in t.splitlines())
        assert text[:8] in page.replace("\n", ""), term
    # The appendix states the counting decisions an auditor asks about.
    appendix = everything.split("附录：指标定义")[-1]
    for term in ("按时点统计", "已终止交易", "只计已举办的路演", "未终止的企业专利导航项目", "2倍不得超过"):
        assert term in appendix.replace("\n", ""), term

    plan = PlanPeriod.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.plan_report_request(actor=system_actor(), plan=plan)
    summary.refresh_from_db()
    assert summary.status == "ready", summary.error
    pages = pages_of(summary.pdf)
    everything = "\n".join(text for _w, _h, text in pages)
    assert "规划期：2021年至2023年（基期：2020年）" in pages[0][2]
    assert "44,282.65" in everything  # the base year's 442,826,501.06 yuan
    assert "442826501.06" not in everything
    # The district tables are on landscape pages, the rest portrait.
    landscape = [text for width, height, text in pages if width > height]
    assert landscape and all("各旗区指标" in landscape[0] for _ in [0])
    assert any("康巴什区" in line for text in landscape for line in text.splitlines())
    assert not ISO_TIMESTAMP.search(everything)
    assert "规划期内累计举办路演、供需对接活动4场" in everything  # held events since 2021-01-01

    # Approved (after the confirmation), the files are rendered again with the approved cover.
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(
            report=summary, actor=system_actor(), confirmation=services.confirmation_token(summary)
        )
    summary.refresh_from_db()
    cover = pages_of(summary.pdf)[0][2]
    assert "已审定" in cover and "草稿" not in cover and "审定日期" in cover
