"""Writes of the reports app: request, build, approve (after confirmation) and finalise the
annual reports and plan-period summaries; record award budgets."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.background import dispatch_on_commit
from portal.errors import ApplicationError
from portal.permissions import Actor

from . import documents, kpi
from .annual import annual_report_content
from .models import AnnualReport, AwardBudget, GeneratedReport, PlanPeriod, PlanPeriodReport
from .summary import plan_report_content

logger = logging.getLogger(__name__)


# --- What differs between the two kinds of report ------------------------------------------------


@dataclass(frozen=True)
class ReportKind:
    model: type[GeneratedReport]
    task: str  # the Celery task that builds it

    def content(self, report, generated_at, progress) -> dict:
        if self.model is AnnualReport:
            return annual_report_content(year=report.year, generated_at=generated_at, progress=progress)
        plan = next(p for p in kpi.plans_all() if p.first_year == report.plan.first_year)
        return plan_report_content(plan=plan, generated_at=generated_at, progress=progress)

    def cover(self, report) -> documents.Cover:
        if self.model is AnnualReport:
            return documents.cover_for(
                report,
                _("%(year)s 年度专利转化绩效报告") % {"year": report.year},
                _("统计年度：%(year)s年（1月1日至12月31日）") % {"year": report.year},
            )
        plan = report.plan
        return documents.cover_for(
            report,
            _("%(name)s总结报告") % {"name": plan.name},
            _("规划期：%(first)s年至%(last)s年（基期：%(base)s年）")
            % {"first": plan.first_year, "last": plan.last_year, "base": plan.base_year},
        )

    def files(self, report, data: dict, progress) -> tuple[bytes, bytes]:
        cover = self.cover(report)
        xlsx_of, pdf_of = (
            (documents.annual_report_xlsx, documents.annual_report_pdf)
            if self.model is AnnualReport
            else (documents.plan_report_xlsx, documents.plan_report_pdf)
        )
        progress(60, _("生成 Excel 文件"))
        xlsx = xlsx_of(data, cover)
        progress(70, _("生成 PDF 文件（排版约需半分钟）"))
        pdf = pdf_of(data, cover)
        return xlsx, pdf


KINDS = {
    "annual": ReportKind(AnnualReport, "reports.tasks.annual_report_build"),
    "plan": ReportKind(PlanPeriodReport, "reports.tasks.plan_report_build"),
}


def kind_of(report: GeneratedReport) -> str:
    return "annual" if isinstance(report, AnnualReport) else "plan"


def _frozen_message(report) -> str:
    return _("%(title)s已审定，审定后的报告不能重新生成。") % {"title": report.title}


def _progress_writer(model, pk: int):
    """Progress is written outside the build's transaction, so the page sees it as it happens."""

    def write(percent: int, stage: str) -> None:
        model.objects.filter(pk=pk).update(progress=percent, stage=stage[:100])

    return write


def _queue(kind: str, report_id: int, task_name: str) -> None:
    # Sent after commit; without a broker it runs on a thread of the web process, so the request
    # that asked for the report answers at once and the page shows the progress (portal.background).
    kwargs: dict[str, Any] = {"report_id": report_id}
    if task_name == "reports.tasks.report_files_finalise":
        kwargs["kind"] = kind
    dispatch_on_commit(task_name, **kwargs)


def _reset_pending(report: GeneratedReport, actor: Actor) -> GeneratedReport:
    if report.is_frozen:
        raise ApplicationError(_frozen_message(report))
    report.status = GeneratedReport.Status.PENDING
    report.requested_by = actor.user
    report.error = ""
    report.progress = 0
    report.stage = _("排队等待后台任务")
    report.full_clean(validate_unique=False)
    report.save()
    return report


# --- Requests ------------------------------------------------------------------------------------


@transaction.atomic
def annual_report_request(*, year: int, actor: Actor) -> AnnualReport:
    """Create (or reset) the year's report as pending and queue its build after commit.

    An approved report is frozen: asking again is refused."""
    year = kpi.check_year(year)
    report = AnnualReport.objects.select_for_update().filter(year=year).first() or AnnualReport(year=year)
    _reset_pending(report, actor)
    _queue("annual", report.pk, KINDS["annual"].task)
    return report


@transaction.atomic
def plan_report_request(*, plan: PlanPeriod, actor: Actor) -> PlanPeriodReport:
    """Create (or reset) the plan period's summary as pending and queue its build after commit."""
    report = PlanPeriodReport.objects.select_for_update().filter(plan=plan).first() or PlanPeriodReport(
        plan=plan
    )
    _reset_pending(report, actor)
    _queue("plan", report.pk, KINDS["plan"].task)
    return report


# --- Builds --------------------------------------------------------------------------------------


def report_build(*, kind: str, report_id: int) -> GeneratedReport | None:
    """Compute the report's data, XLSX and PDF and mark it ready; never touches an approved one.

    Idempotent: a redelivered task rebuilds the same figures. The figures and files are made
    outside any transaction (the KPI reads run their own), with the progress written as it goes;
    the result is stored in one short transaction. A failure is recorded on the report (status
    failed, with the error) instead of being raised."""
    spec = KINDS[kind]
    model = spec.model
    progress = _progress_writer(model, report_id)
    generated_at = timezone.now()
    try:
        report = model.objects.filter(pk=report_id).first()
        if report is None:
            return None
        if report.is_frozen:
            logger.info("%s is approved; not rebuilt", report)
            return report
        progress(5, _("开始计算"))
        data = spec.content(report, generated_at, progress)
        report.data, report.generated_at = data, generated_at
        xlsx, pdf = spec.files(report, data, progress)
        progress(95, _("保存文件"))
        with transaction.atomic():
            # The lock keeps an approval from slipping in between the check and the save.
            report = model.objects.select_for_update().filter(pk=report_id).first()
            if report is None:
                return None
            if report.is_frozen:
                return report
            old_files = [f.name for f in (report.xlsx, report.pdf) if f]
            stamp = timezone.localtime(generated_at).strftime("%Y%m%d-%H%M%S")
            report.xlsx.save(f"{report.file_stem}-{stamp}.xlsx", ContentFile(xlsx), save=False)
            report.pdf.save(f"{report.file_stem}-{stamp}.pdf", ContentFile(pdf), save=False)
            report.data = data
            report.narrative = data["narrative"]
            report.generated_at = generated_at
            report.status = model.Status.READY
            report.error = ""
            report.progress, report.stage = 100, _("已完成")
            report.save(
                update_fields=[
                    "data",
                    "narrative",
                    "xlsx",
                    "pdf",
                    "generated_at",
                    "status",
                    "error",
                    "progress",
                    "stage",
                    "updated_at",
                ]
            )
            new_files = {report.xlsx.name, report.pdf.name}
            storage = report.xlsx.storage
            transaction.on_commit(
                lambda: [storage.delete(name) for name in old_files if name not in new_files]
            )
            return report
    except Exception as error:  # recorded for the bureau to see; the worker log has the traceback
        logger.exception("%s report %s failed", kind, report_id)
        model.objects.filter(pk=report_id).exclude(status=model.Status.APPROVED).update(
            status=model.Status.FAILED, error=str(error)[:2000], stage="", updated_at=timezone.now()
        )
        return model.objects.filter(pk=report_id).first()


def annual_report_build(*, report_id: int) -> AnnualReport | None:
    return report_build(kind="annual", report_id=report_id)


def plan_report_build(*, report_id: int) -> PlanPeriodReport | None:
    return report_build(kind="plan", report_id=report_id)


# --- Approval ------------------------------------------------------------------------------------


def confirmation_token(report: GeneratedReport) -> str:
    """What the confirmation page sends back: the version of the report the approver reviewed."""
    return report.generated_at.isoformat() if report.generated_at else ""


@transaction.atomic
def report_approve(*, report: GeneratedReport, actor: Actor, confirmation: str) -> GeneratedReport:
    """Freeze a generated report: from now on it is never rebuilt.

    ``confirmation`` must be the ``confirmation_token`` of the version the approver was shown on
    the confirmation page: a report regenerated meanwhile is not approved unseen. The files are
    then rendered once more from the frozen data with the approved cover (a job)."""
    model = type(report)
    report = model.objects.select_for_update().get(pk=report.pk)
    if report.status != model.Status.READY:
        raise ApplicationError(
            _("只有已生成、待审定的报告可以审定（当前状态：%(status)s）。")
            % {"status": report.get_status_display()}
        )
    if not confirmation or confirmation != confirmation_token(report):
        raise ApplicationError(_("报告在确认页面打开后已重新生成，请重新核对后再审定。"))
    report.status = model.Status.APPROVED
    report.approved_at = timezone.now()
    report.approved_by = actor.user
    report.files_pending = True
    report.progress, report.stage = 0, _("生成审定版文件")
    report.save(
        update_fields=[
            "status",
            "approved_at",
            "approved_by",
            "files_pending",
            "progress",
            "stage",
            "updated_at",
        ]
    )
    _queue(kind_of(report), report.pk, "reports.tasks.report_files_finalise")
    return report


def annual_report_approve(*, report: AnnualReport, actor: Actor, confirmation: str) -> AnnualReport:
    return report_approve(report=report, actor=actor, confirmation=confirmation)


def report_files_finalise(*, kind: str, report_id: int) -> GeneratedReport | None:
    """Render an approved report's XLSX and PDF from its frozen data with the approved cover.
    Idempotent; the figures are not recomputed."""
    spec = KINDS[kind]
    model = spec.model
    report = model.objects.filter(pk=report_id).first()
    if report is None or not report.is_frozen or not report.files_pending:
        return report
    progress = _progress_writer(model, report_id)
    xlsx, pdf = spec.files(report, report.data, progress)
    with transaction.atomic():
        report = model.objects.select_for_update().get(pk=report_id)
        if not report.files_pending:
            return report
        old_files = [f.name for f in (report.xlsx, report.pdf) if f]
        stamp = timezone.localtime(report.approved_at).strftime("%Y%m%d-%H%M%S")
        report.xlsx.save(f"{report.file_stem}-approved-{stamp}.xlsx", ContentFile(xlsx), save=False)
        report.pdf.save(f"{report.file_stem}-approved-{stamp}.pdf", ContentFile(pdf), save=False)
        report.files_pending = False
        report.progress, report.stage = 100, _("已完成")
        report.save(update_fields=["xlsx", "pdf", "files_pending", "progress", "stage", "updated_at"])
        new_files = {report.xlsx.name, report.pdf.name}
        storage = report.xlsx.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in old_files if name not in new_files])
    return report


def annual_report_request_previous_year(*, actor: Actor, today=None) -> AnnualReport | None:
    """The January job: (re)build last year's report unless it is already approved."""
    year = (today or timezone.localdate()).year - 1
    if AnnualReport.objects.filter(year=year, status=AnnualReport.Status.APPROVED).exists():
        logger.info("annual report %s already approved; the January job leaves it alone", year)
        return None
    return annual_report_request(year=year, actor=actor)


# --- Award budgets -------------------------------------------------------------------------------


@transaction.atomic
def award_budget_set(*, year: int, amount: Decimal, actor: Actor) -> AwardBudget:
    """Record (or change) the year's performance award budget."""
    year = kpi.check_year(year)
    budget = AwardBudget.objects.select_for_update().filter(year=year).first() or AwardBudget(year=year)
    budget.amount = amount
    budget.entered_by = actor.user
    budget.full_clean(validate_unique=False)
    budget.save()
    return budget
