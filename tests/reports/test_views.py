"""Report pages: who may see them, the district scope, drill-downs that add up to the numbers,
the ranking, exports and the statistics upload."""

import io
import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import FileJob
from reports import kpi
from reports.drilldowns import DRILLDOWNS
from reports.selectors import DRILLDOWN_SOURCES
from tests.portal.factories import make_user
from tests.reports.conftest import A, B
from tests.reports.helpers import assert_chinese_pdf

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


def login(client, role, **kwargs):
    user = make_user(role, **kwargs)
    client.force_login(user)
    return user


def test_dashboard_url_name_is_what_the_navigation_expects():
    assert DASHBOARD == "/reports/"


def test_anonymous_is_sent_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


@pytest.mark.parametrize("role", ["sme", "institution", "agency", "bank", "insurer", "none"])
@pytest.mark.parametrize(
    "url",
    [
        DASHBOARD,
        reverse("reports:drilldown", args=["sme_acquisitions.deals"]),
        reverse("reports:ranking"),
        reverse("reports:annual-list"),
        reverse("reports:statistics"),
        reverse("reports:kpi-export"),
    ],
)
def test_other_roles_get_403(client, role, url):
    login(client, role)
    assert client.get(url).status_code == 403


def test_bureau_dashboard_shows_every_card_with_drilldown_links(client, kpi_data):
    login(client, "bureau")
    response = client.get(DASHBOARD, {"year": 2023})
    assert response.status_code == 200
    html = response.content.decode()
    assert "全市 2023 年度专利转化绩效" in html
    for indicator in kpi.INDICATORS:
        assert f'data-indicator="{indicator.name}"' in html
        for value in indicator.values:
            assert f'data-drilldown="{indicator.name}.{value}"' in html
    assert 'id="chart-districts"' in html  # city staff compare districts
    # KPI 2 and 5 only: KPI 1 and 4 have no base-year figures, and KPI 3's SMEs benefited stay at 3
    # (sme_a2 bought only D3, terminated) (see test_kpi).
    assert response.context["met_count"] == 2
    card = next(c for c in response.context["cards"] if c["name"] == "sme_acquisitions")
    contract = next(v for v in card["values"] if v["name"] == "contract_amount")
    assert contract["value"] == Decimal("180000.50") and contract["growth"] == 0.5
    assert contract["url"] == "/reports/drilldown/sme_acquisitions.contract_amount/?year=2023"
    assert contract["previous_url"] == "/reports/drilldown/sme_acquisitions.contract_amount/?year=2022"


def test_dashboard_for_one_district(client, kpi_data):
    login(client, "bureau")
    response = client.get(DASHBOARD, {"year": 2023, "district": B})
    assert response.context["report"] == kpi.kpi_report(year=2023, district=B)
    assert "东胜区 2023 年度专利转化绩效" in response.content.decode()


def test_district_officer_sees_their_district_only(client, kpi_data):
    login(client, "district_officer", district=A)
    response = client.get(DASHBOARD, {"year": 2023})
    assert response.status_code == 200
    assert response.context["report"]["district"] == A
    html = response.content.decode()
    assert "准格尔旗 2023 年度专利转化绩效" in html
    assert 'id="chart-districts"' not in html  # no comparison with other districts
    assert client.get(DASHBOARD, {"year": 2023, "district": B}).status_code == 403
    assert (
        client.get(reverse("reports:drilldown", args=["sme_acquisitions.deals"]), {"district": B}).status_code
        == 403
    )
    assert client.get(reverse("reports:ranking")).status_code == 403
    assert client.get(reverse("reports:annual-list")).status_code == 403
    drill = client.get(reverse("reports:drilldown", args=["sme_acquisitions.deals"]), {"year": 2023})
    assert [row["cells"][0]["value"] for row in drill.context["rows"]] == ["D1", "D5"]  # not D3: terminated


def _number(report: dict, key: str):
    indicator, value = key.split(".")
    if indicator == "funnel":
        return next(s["count"] for s in kpi.kpi_funnel(**report)["stages"] if s["key"] == value)
    scope = kpi.kpi_report(**report)
    if indicator in scope["indicators"]:
        return scope["indicators"][indicator]["values"][value]
    activity = scope["activities"][indicator]
    if indicator == "roadshows" and value == "plan_period":
        return activity["plan_period"]["count"]
    return activity[{"count": "count"}.get(value, value)]


@pytest.mark.parametrize("district", [None, A])
@pytest.mark.parametrize("year", [2022, 2023])
def test_every_drilldown_adds_up_to_its_number(client, kpi_data, district, year):
    login(client, "bureau")
    for key, spec in DRILLDOWNS.items():
        query = {"year": year, **({"district": district} if district else {})}
        response = client.get(reverse("reports:drilldown", args=[key]), query)
        assert response.status_code == 200, key
        totals = response.context["totals"]
        expected = _number({"year": year, "district": district}, key)
        shown = totals["total"] if spec.total else totals["count"]
        if isinstance(expected, str):
            assert kpi.money(shown) == expected, key
        else:
            assert shown == expected, key
        assert len(response.context["rows"]) == min(totals["count"], 50), key


def test_drilldown_lists_the_records_behind_the_number(client, kpi_data):
    login(client, "bureau")
    response = client.get(
        reverse("reports:drilldown", args=["sme_acquisitions.received_amount"]), {"year": 2023}
    )
    dates_and_amounts = [
        (row["cells"][0]["value"].isoformat(), row["cells"][5]["value"]) for row in response.context["rows"]
    ]
    assert dates_and_amounts == [
        ("2023-01-01", Decimal("15000.00")),  # E2 (2022 contract) paid in 2023
        ("2023-02-01", Decimal("50000.00")),  # E1 (2022 contract) paid in 2023
        ("2023-04-01", Decimal("60000.00")),
        ("2023-07-01", Decimal("20000.25")),
        ("2023-10-01", Decimal("10000.00")),  # D3, terminated: money received still counts
    ]
    assert response.context["totals"] == {"count": 5, "total": Decimal("155000.25")}
    html = response.content.decode()
    assert reverse("finance:deal-detail", args=[kpi_data.e1.pk]) in html


def test_drilldown_query_count_does_not_grow_with_rows(client, kpi_data, django_assert_max_num_queries):
    login(client, "bureau")
    url = reverse("reports:drilldown", args=["sme_acquisitions.deals"])
    client.get(url, {"year": 2023})
    with django_assert_max_num_queries(12):
        client.get(url, {"year": 2023})


def test_unknown_drilldown_is_404(client, db):
    login(client, "bureau")
    assert client.get(reverse("reports:drilldown", args=["nope.nothing"])).status_code == 404


def test_ranking_page_shows_the_formula(client, kpi_data):
    login(client, "bureau")
    response = client.get(reverse("reports:ranking"), {"year": 2023})
    assert response.status_code == 200
    html = response.content.decode()
    assert "综合得分 = 100 × Σ 权重 × G" in html
    assert "c(v, p) = clamp((v − p) / p, −1, +1)" in html
    assert [row["code"] for row in response.context["ranking"]["districts"]][:2] == [B, A]


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_dashboard_json_and_csv_are_direct_downloads_made_within_a_second(client, kpi_data, file_format):
    # Scripts fetch these URLs directly: they stay plain downloads, and fast ones.
    login(client, "bureau")
    query = {"year": 2023, "district": A, "format": file_format}
    client.get(reverse("reports:kpi-export"), query)  # the first request of a process loads modules
    # CPU time of this process: what the request costs, not how busy the machine's other tests are.
    started = time.process_time()
    response = client.get(reverse("reports:kpi-export"), query)
    assert time.process_time() - started < 1.0
    assert not FileJob.objects.exists()
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="kpi-2023-{A}.{file_format}"'
    if file_format == "json":
        assert json.loads(response.content) == kpi.kpi_report(year=2023, district=A)


@pytest.mark.parametrize("method", ["post", "get"])
@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_dashboard_xlsx_and_pdf_are_file_jobs(
    client, kpi_data, file_format, method, django_capture_on_commit_callbacks, celery_eager
):
    # The dashboard's buttons POST; an old GET link starts the same job. Tasks run inline here, so
    # the job's page already offers the file.
    login(client, "bureau")
    url = f"{reverse('reports:kpi-export')}?year=2023&district={A}&format={file_format}"
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(url)
    assert response.status_code == 302
    job = FileJob.objects.get()
    assert response["Location"] == reverse("portal:file-job-detail", args=[job.pk])
    assert job.status == FileJob.Status.DONE and job.params == {
        "year": 2023,
        "district": A,
        "format": file_format,
    }
    page = client.get(response["Location"])
    assert 'id="file-job-download"' in page.content.decode()
    download = client.get(reverse("portal:file-job-download", args=[job.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="kpi-2023-{A}.{file_format}"'
    content = b"".join(download.streaming_content)
    if file_format == "pdf":
        assert_chinese_pdf(content, "准格尔旗绩效")
    else:
        assert load_workbook(io.BytesIO(content)).sheetnames


def test_a_district_officer_export_job_is_scoped_to_their_district(
    client, kpi_data, django_capture_on_commit_callbacks, celery_eager
):
    login(client, "district_officer", district=A)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{reverse('reports:kpi-export')}?year=2023&format=xlsx")
    job = FileJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.params["district"] == A and job.filename == f"kpi-2023-{A}.xlsx"


def test_statistics_quarter_export(client, kpi_data):
    login(client, "bureau")
    response = client.get(reverse("reports:statistics"), {"year": 2023, "period": "quarter", "number": 2})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statistics-2023-Q2.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "汇总",
        "专利转让许可交易",
        "实际到账",
        "专利质押融资",
        "专利保险",
        "专利资助",
        "专利产品备案",
        "对接活动",
    ]
    summary = {row[0]: row[1:] for row in workbook["汇总"].iter_rows(min_row=6, values_only=True)}
    # Q2 2023: deals D2 (06-15), D4 (05-05); payments D1 04-01, D4 06-01; pledges PL2 04-04; subsidies S1 05-05, S2 06-06.
    assert summary["专利转让许可交易"][:2] == (2, 120000.5)
    assert summary["实际到账"][:2] == (2, 130000)
    assert summary["专利质押融资"][:2] == (1, 300000)
    assert summary["专利资助"][:2] == (2, 1600)
    assert summary["对接活动"][0] == 2  # roadshow 04-01 and training 05-01
    deals = list(workbook["专利转让许可交易"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in deals] == ["D4", "D2"]


def test_statistics_month_export_for_a_district_officer(client, kpi_data):
    login(client, "district_officer", district=A)
    response = client.get(reverse("reports:statistics"), {"year": 2023, "period": "month", "number": 3})
    assert response["Content-Disposition"] == f'attachment; filename="statistics-2023-03-{A}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    deals = [row[0] for row in workbook["专利转让许可交易"].iter_rows(min_row=2, values_only=True)]
    assert deals == ["D1"]  # 2023-03-01, buyer sme_a1 in A
    refused = client.get(
        reverse("reports:statistics"), {"year": 2023, "period": "month", "number": 3, "district": B}
    )
    assert refused.status_code == 403


def test_statistics_form_rejects_quarter_5(client, db):
    login(client, "bureau")
    response = client.get(reverse("reports:statistics"), {"year": 2023, "period": "quarter", "number": 5})
    assert response.status_code == 200 and "季度应为 1–4" in response.content.decode()


def test_statistics_export_neutralises_spreadsheet_formulas(client, kpi_data):
    from finance.models import Deal

    deal = Deal.objects.get(deal_no="D2")
    deal.buyer.name = '=HYPERLINK("http://evil.example","x")'
    deal.buyer.save(update_fields=["name"])
    login(client, "bureau")
    response = client.get(reverse("reports:statistics"), {"year": 2023, "period": "quarter", "number": 2})
    cells = [
        c
        for row in load_workbook(io.BytesIO(response.content))["专利转让许可交易"].iter_rows(values_only=True)
        for c in row
    ]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_every_drilldown_page_has_its_records_and_every_record_source_a_page():
    assert DRILLDOWNS.keys() == DRILLDOWN_SOURCES.keys()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_job_on_a_real_worker(celery_worker, kpi_data, client):
    """With a broker the job goes through Redis to a worker process; the request only records it."""
    user = login(client, "bureau")
    response = client.post(f"{reverse('reports:kpi-export')}?year=2023&district={A}&format=xlsx")
    job = FileJob.objects.get(requested_by=user)
    assert response["Location"] == reverse("portal:file-job-detail", args=[job.pk])
    deadline = time.monotonic() + 90
    while job.is_busy and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
    try:
        assert job.status == FileJob.Status.DONE, job.error or "still busy"
        assert job.filename == f"kpi-2023-{A}.xlsx"
        assert load_workbook(io.BytesIO(job.file.read())).sheetnames
    finally:
        if job.file:
            job.file.storage.delete(job.file.name)
