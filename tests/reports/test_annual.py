"""Annual reports: the Celery job assembles the year's KPIs, districts, trend, ranking and a
narrative, stores JSON + XLSX + PDF with a generated-at stamp; approved reports stay frozen."""

import datetime as dt
import io
import time

import pytest
from celery.schedules import crontab
from django.urls import reverse
from openpyxl import load_workbook

from portal.errors import ApplicationError
from portal.schedule import BEAT_SCHEDULE
from reports import kpi, services
from reports.models import AnnualReport
from reports.tasks import annual_report_build
from tests.portal.factories import make_user
from tests.reports.helpers import assert_chinese_pdf

NARRATIVE_FIRST_LINE = (
    "2023年，全市5项绩效指标中达标2项：高校院所专利转化、专利产品备案；"
    "未达标3项：中小微企业获得专利转化、受益中小微企业、中小微企业专利质押融资。"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def build(django_capture_on_commit_callbacks, year=2023, by=None) -> AnnualReport:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.annual_report_request(year=year, by=by)
    report.refresh_from_db()
    return report


@pytest.mark.django_db
def test_report_job_through_celery_eager(kpi_data, media, celery_eager, django_capture_on_commit_callbacks):
    report = build(django_capture_on_commit_callbacks)
    assert report.status == AnnualReport.Status.READY, report.error
    assert report.generated_at is not None
    data = report.data
    assert data["year"] == 2023
    assert data["generated_at"].startswith(
        report.generated_at.astimezone(kpi.records.TIMEZONE).strftime("%Y-%m-%dT%H:%M")
    )
    assert data["city"] == kpi.kpi_report(year=2023)
    assert [row["code"] for row in data["districts"]][:2] == ["150602", "150603"]
    assert data["trend"]["years"] == [2021, 2022, 2023]
    assert data["ranking"]["districts"][0]["code"] == "150602"
    assert report.narrative.splitlines()[0] == NARRATIVE_FIRST_LINE
    assert (
        "旗区绩效综合得分前三：东胜区（62.08分）、准格尔旗（58.11分）、康巴什区（0.00分）。"
        in report.narrative
    )
    assert "累计举办路演、供需对接活动4场（目标3场，已完成）" in report.narrative
    # The files.
    workbook = load_workbook(io.BytesIO(report.xlsx.read()))
    assert workbook.sheetnames == ["报告说明", "全市指标", "专项工作", "旗区指标", "旗区绩效排名", "历年趋势"]
    assert workbook["报告说明"]["B2"].value == data["generated_at"]
    assert_chinese_pdf(report.pdf.read(), "年度专利转化绩效报告完成情况准格尔旗")


@pytest.mark.django_db
def test_approved_report_is_frozen(kpi_data, media, celery_eager, django_capture_on_commit_callbacks):
    bureau = make_user("bureau")
    report = build(django_capture_on_commit_callbacks)
    services.annual_report_approve(report=report, by=bureau)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.APPROVED and report.approved_by == bureau
    frozen = (report.data, report.xlsx.name, report.pdf.name, report.generated_at)
    with pytest.raises(ApplicationError, match="2023 年度报告已审定"):
        services.annual_report_request(year=2023, by=bureau)
    # Even a (re)delivered build task leaves it as it is.
    kpi_data.d1.contract_amount = 1
    kpi_data.d1.save()
    annual_report_build.delay(report_id=report.pk)
    report.refresh_from_db()
    assert (report.data, report.xlsx.name, report.pdf.name, report.generated_at) == frozen
    assert report.status == AnnualReport.Status.APPROVED
    with pytest.raises(ApplicationError, match="只有已生成、待审定的报告可以审定"):
        services.annual_report_approve(report=report, by=bureau)


@pytest.mark.django_db
def test_regenerating_a_ready_report_replaces_its_files(
    kpi_data, media, celery_eager, django_capture_on_commit_callbacks
):
    first = build(django_capture_on_commit_callbacks)
    old_pdf = media / first.pdf.name
    assert old_pdf.exists()
    time.sleep(1.1)  # file names carry the second
    second = build(django_capture_on_commit_callbacks)
    assert second.pk == first.pk and second.generated_at > first.generated_at
    assert (media / second.pdf.name).exists() and not old_pdf.exists()


@pytest.mark.django_db
def test_a_failed_build_is_recorded(
    kpi_data, media, celery_eager, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(data):
        raise RuntimeError("渲染失败")

    monkeypatch.setattr("reports.exports.annual_report_pdf", broken)
    report = build(django_capture_on_commit_callbacks)
    assert report.status == AnnualReport.Status.FAILED
    assert report.error == "渲染失败"
    assert not report.pdf


@pytest.mark.django_db
def test_january_job_builds_last_year_unless_approved(
    kpi_data, media, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.annual_report_request_previous_year(today=dt.date(2024, 1, 5))
    report.refresh_from_db()
    assert report.year == 2023 and report.status == AnnualReport.Status.READY
    services.annual_report_approve(report=report, by=None)
    assert services.annual_report_request_previous_year(today=dt.date(2024, 1, 5)) is None


def test_beat_runs_the_january_job_on_the_5th():
    entry = BEAT_SCHEDULE["reports-annual-report-previous-year"]
    assert entry["task"] == "reports.tasks.annual_report_request_previous_year"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.month_of_year == {1} and schedule.day_of_month == {5}
    assert schedule.hour == {3} and schedule.minute == {0}


@pytest.mark.django_db
def test_annual_report_pages(client, kpi_data, media, celery_eager, django_capture_on_commit_callbacks):
    client.force_login(make_user("bureau"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:annual-list"), {"year": 2023})
    report = AnnualReport.objects.get(year=2023)
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:annual-detail", args=[report.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert NARRATIVE_FIRST_LINE in page and 'id="approve-button"' in page
    assert client.get(reverse("reports:annual-list")).status_code == 200
    for file_format, magic in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("json", b"{")):
        download = client.get(reverse("reports:annual-download", args=[report.pk, file_format]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content if download.streaming else [download.content]).startswith(
            magic
        )
    client.post(reverse("reports:annual-approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.APPROVED
    page = client.get(reverse("reports:annual-detail", args=[report.pk])).content.decode()
    assert "本报告已审定冻结" in page and 'id="approve-button"' not in page
    refused = client.post(reverse("reports:annual-regenerate", args=[report.pk]), follow=True)
    assert "2023 年度报告已审定，审定后的报告不能重新生成。" in refused.content.decode()


@pytest.mark.django_db
def test_annual_reports_are_for_city_staff(client, db):
    report = AnnualReport.objects.create(year=2023)
    client.force_login(make_user("district_officer"))
    assert client.get(reverse("reports:annual-detail", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:annual-approve", args=[report.pk])).status_code == 403
    assert client.get(reverse("reports:annual-download", args=[report.pk, "json"])).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_report_job_on_a_real_worker(celery_worker, kpi_data):
    """The request commits, the task goes through Redis to a worker process, which writes the
    report into the same database (and files into the shared media directory)."""
    report = services.annual_report_request(year=2023)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status != AnnualReport.Status.PENDING:
            break
        time.sleep(0.5)
    try:
        assert report.status == AnnualReport.Status.READY, report.error or "still pending"
        assert report.data["city"] == kpi.kpi_report(year=2023)
        assert report.narrative.splitlines()[0] == NARRATIVE_FIRST_LINE
        assert report.pdf.storage.exists(report.pdf.name)
        assert_chinese_pdf(report.pdf.read(), "年度报告")
    finally:
        for field in (report.xlsx, report.pdf):
            if field:
                field.storage.delete(field.name)
