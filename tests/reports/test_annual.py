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
from portal.permissions import actor_for, system_actor
from portal.schedule import BEAT_SCHEDULE
from reports import kpi, services
from reports.models import AnnualReport
from reports.tasks import annual_report_build
from tests.portal.factories import make_user
from tests.reports.helpers import assert_chinese_pdf

# KPI 1 and 4 have no base-year (2020) figures; KPI 3 stays at 3 SMEs (sme_a2 bought only D3,
# terminated); see test_kpi.
NARRATIVE_FIRST_LINE = (
    "2023年，全市5项绩效指标中达标2项：高校院所专利转化、专利产品备案；"
    "未达标3项：中小微企业获得专利转化、受益中小微企业、中小微企业专利质押融资。"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def build(django_capture_on_commit_callbacks, year=2023) -> AnnualReport:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.annual_report_request(year=year, actor=system_actor())
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
    # 东胜区 63.33 ahead of 准格尔旗 58.11 (see test_ranking); only two districts are ranked.
    assert "旗区绩效综合得分前三：东胜区（63.33分）、准格尔旗（58.11分）。" in report.narrative
    assert "未参与排名的旗区：康巴什区、达拉特旗" in report.narrative
    # Amounts in 万元 with separators; the average growth beside the year-on-year growth.
    # 180,000.50 yuan (D1 D2 D5; D3 terminated) against 120,000.00: +50 %.
    assert "合同成交额 18.00万元（上年 12.00万元，同比 +50.00%）" in report.narrative
    # KPI 1 is not met for want of base-year figures, and the narrative says so.
    assert "基期（2020年）数值为0，无法计算年均增幅，按规则判为未达标" in report.narrative
    # Held events since 2021-01-01: roadshows 2021-06-30 and 2021-08-01, matchmaking 2022-09-01,
    # roadshow 2023-04-01 (not the planned, cancelled or training events).
    assert "累计举办路演、供需对接活动4场（目标3场，已完成）" in report.narrative
    # The files.
    workbook = load_workbook(io.BytesIO(report.xlsx.read()))
    assert workbook.sheetnames == ["报告说明", "全市指标", "专项工作", "旗区指标", "旗区绩效排名", "历年趋势"]
    assert workbook["报告说明"]["B2"].value == "鄂尔多斯市市场监督管理局（知识产权局）"
    assert workbook["报告说明"]["B4"].value == "草稿（待审定）"
    assert_chinese_pdf(report.pdf.read(), "年度专利转化绩效报告完成情况准格尔旗")


@pytest.mark.django_db
def test_approved_report_is_frozen(kpi_data, media, celery_eager, django_capture_on_commit_callbacks):
    bureau = make_user("bureau")
    report = build(django_capture_on_commit_callbacks)
    services.annual_report_approve(
        report=report, actor=actor_for(bureau), confirmation=services.confirmation_token(report)
    )
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.APPROVED and report.approved_by == bureau
    frozen = (report.data, report.xlsx.name, report.pdf.name, report.generated_at)
    with pytest.raises(ApplicationError, match="2023 年度绩效报告已审定"):
        services.annual_report_request(year=2023, actor=actor_for(bureau))
    # Even a (re)delivered build task leaves it as it is.
    kpi_data.d1.contract_amount = 1
    kpi_data.d1.save()
    annual_report_build.delay(report_id=report.pk)
    report.refresh_from_db()
    assert (report.data, report.xlsx.name, report.pdf.name, report.generated_at) == frozen
    assert report.status == AnnualReport.Status.APPROVED
    with pytest.raises(ApplicationError, match="只有已生成、待审定的报告可以审定"):
        services.annual_report_approve(
            report=report, actor=actor_for(bureau), confirmation=services.confirmation_token(report)
        )


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
    def broken(data, cover):
        raise RuntimeError("渲染失败")

    monkeypatch.setattr("reports.documents.annual_report_pdf", broken)
    report = build(django_capture_on_commit_callbacks)
    assert report.status == AnnualReport.Status.FAILED
    assert report.error == "渲染失败"
    assert not report.pdf


@pytest.mark.django_db
def test_january_job_builds_last_year_unless_approved(
    kpi_data, media, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.annual_report_request_previous_year(actor=system_actor(), today=dt.date(2024, 1, 5))
    report.refresh_from_db()
    assert report.year == 2023 and report.status == AnnualReport.Status.READY
    services.annual_report_approve(
        report=report, actor=system_actor(), confirmation=services.confirmation_token(report)
    )
    assert (
        services.annual_report_request_previous_year(actor=system_actor(), today=dt.date(2024, 1, 5)) is None
    )


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
    assert 'id="job-progress"' not in page  # the job is over: no progress bar
    assert client.get(reverse("reports:annual-list")).status_code == 200
    for file_format, magic in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("json", b"{")):
        download = client.get(reverse("reports:annual-download", args=[report.pk, file_format]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content if download.streaming else [download.content]).startswith(
            magic
        )
    # No one-click freeze: the button opens a confirmation page; a post without the tick is refused.
    confirm = client.get(reverse("reports:annual-approve", args=[report.pk]))
    assert confirm.status_code == 200 and 'id="approve-form"' in confirm.content.decode()
    token = confirm.context["form"].initial["confirmation"]
    client.post(reverse("reports:annual-approve", args=[report.pk]), {"confirmation": token})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.READY
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:annual-approve", args=[report.pk]), {"confirmation": token, "checked": "on"}
        )
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.APPROVED
    assert not report.files_pending and report.progress == 100  # approved files rendered by the job
    page = client.get(reverse("reports:annual-detail", args=[report.pk])).content.decode()
    assert "本报告已审定冻结" in page and 'id="approve-button"' not in page
    refused = client.post(reverse("reports:annual-regenerate", args=[report.pk]), follow=True)
    assert "2023 年度绩效报告已审定，审定后的报告不能重新生成。" in refused.content.decode()


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
    report = services.annual_report_request(actor=system_actor(), year=2023)
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


@pytest.mark.django_db
def test_approval_needs_the_confirmation_of_the_version_reviewed(
    kpi_data, media, celery_eager, django_capture_on_commit_callbacks
):
    bureau = make_user("bureau")
    report = build(django_capture_on_commit_callbacks)
    seen = services.confirmation_token(report)
    with pytest.raises(ApplicationError, match="请重新核对"):
        services.annual_report_approve(report=report, actor=actor_for(bureau), confirmation="")
    # Regenerated after the approver opened the confirmation page: that confirmation is stale.
    time.sleep(1.1)
    build(django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError, match="请重新核对"):
        services.annual_report_approve(report=report, actor=actor_for(bureau), confirmation=seen)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.READY


@pytest.mark.django_db
def test_progress_is_recorded_while_the_job_runs(
    kpi_data, media, celery_eager, django_capture_on_commit_callbacks, client
):
    report = AnnualReport.objects.create(year=2023)
    client.force_login(make_user("bureau"))
    page = client.get(reverse("reports:annual-detail", args=[report.pk])).content.decode()
    # Pending: a progress bar, no download, no approval.
    assert (
        'id="job-progress"' in page and 'id="download-pdf"' not in page and 'id="approve-button"' not in page
    )
    assert client.get(reverse("reports:annual-download", args=[report.pk, "pdf"])).status_code == 404
    status = client.get(reverse("reports:annual-status", args=[report.pk])).json()
    assert status["busy"] is True and status["progress"] == 0
    stages = []
    original = services._progress_writer

    def recording(model, pk):
        write = original(model, pk)

        def both(percent, stage):
            stages.append((percent, stage))
            write(percent, stage)

        return both

    import reports.services as module

    module._progress_writer = recording
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.annual_report_request(actor=system_actor(), year=2023)
    finally:
        module._progress_writer = original
    percents = [percent for percent, _stage in stages]
    assert percents == sorted(percents) and percents[0] < 50 and percents[-1] < 100
    assert any("PDF" in stage for _percent, stage in stages)
    status = client.get(reverse("reports:annual-status", args=[report.pk])).json()
    assert status == {
        "status": "ready",
        "status_label": "待审定",
        "busy": False,
        "progress": 100,
        "stage": "已完成",
        "error": "",
    }


@pytest.mark.django_db
def test_plan_report_pages(client, kpi_data, media, celery_eager, django_capture_on_commit_callbacks):
    from reports.models import PlanPeriod, PlanPeriodReport

    client.force_login(make_user("bureau"))
    plan = PlanPeriod.objects.get()
    listing = client.get(reverse("reports:annual-list")).content.decode()
    assert 'id="plan-request-form"' in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:plan-report-request"), {"plan": plan.pk})
    report = PlanPeriodReport.objects.get(plan=plan)
    assert response["Location"] == reverse("reports:plan-report-detail", args=[report.pk])
    assert report.status == "ready", report.error
    assert report.data["years"] == [2020, 2021, 2022, 2023]
    assert report.data["plan"]["base_year"] == 2020
    assert len(report.data["districts"]) == 9
    page = client.get(response["Location"]).content.decode()
    assert "规划期为2021年至2023年，以2020年为基期" in page and 'id="approve-button"' in page
    assert "规划期内累计举办路演、供需对接活动4场（目标3场，已完成）" in report.narrative  # held ones
    for file_format, magic in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("json", b"{")):
        download = client.get(reverse("reports:plan-report-download", args=[report.pk, file_format]))
        content = b"".join(download.streaming_content) if download.streaming else download.content
        assert download.status_code == 200 and content.startswith(magic)
    workbook = load_workbook(io.BytesIO(report.xlsx.read()))
    assert workbook.sheetnames[:5] == ["报告说明", "全市2020", "全市2021", "全市2022", "全市2023"]
    token = (
        client.get(reverse("reports:plan-report-approve", args=[report.pk]))
        .context["form"]
        .initial["confirmation"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:plan-report-approve", args=[report.pk]), {"confirmation": token, "checked": "on"}
        )
    report.refresh_from_db()
    assert report.is_frozen and not report.files_pending
    refused = client.post(reverse("reports:plan-report-regenerate", args=[report.pk]), follow=True)
    assert "已审定，审定后的报告不能重新生成" in refused.content.decode()


def test_narrative_outside_the_plan_says_once_that_no_target_is_set(kpi_data):
    """2024 is in no plan period: each indicator's line names the reason once, and judges nothing."""
    from reports.annual import narrative

    city = kpi.kpi_report(year=2024)
    text = narrative(city, [], None)
    assert "未设目标，未设目标" not in text
    assert text.count("2024 年不在已录入的规划期内，未设目标。") == 5
    assert "未达标。" not in text.split("专项工作")[0] and "已达标。" not in text.split("专项工作")[0]
