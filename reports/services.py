"""Writes of the reports app: request, build and approve annual reports."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError

from . import exports, kpi
from .annual import annual_report_content
from .models import AnnualReport

logger = logging.getLogger(__name__)


def _frozen_message(year: int) -> str:
    return _("%(year)s 年度报告已审定，审定后的报告不能重新生成。") % {"year": year}


@transaction.atomic
def annual_report_request(*, year: int, by=None) -> AnnualReport:
    """Create (or reset) the year's report as pending and queue its build after commit.

    An approved report is frozen: asking again is refused."""
    year = kpi.check_year(year)
    report = AnnualReport.objects.select_for_update().filter(year=year).first()
    if report is not None and report.is_frozen:
        raise ApplicationError(_frozen_message(year))
    if report is None:
        report = AnnualReport(year=year)
    report.status = AnnualReport.Status.PENDING
    report.requested_by = by
    report.error = ""
    report.full_clean(validate_unique=False)
    report.save()

    from .tasks import annual_report_build as build_task

    report_id = report.pk
    transaction.on_commit(lambda: build_task.delay(report_id=report_id))
    return report


def annual_report_build(*, report_id: int) -> AnnualReport | None:
    """Compute the report's data, XLSX and PDF and mark it ready; never touches an approved one.

    Idempotent: a redelivered task rebuilds the same figures. A failure is recorded on the report
    (status failed, with the error) instead of being raised."""
    generated_at = timezone.now()
    try:
        with transaction.atomic():
            # The lock keeps an approval from slipping in between the check and the save.
            report = AnnualReport.objects.select_for_update().filter(pk=report_id).first()
            if report is None:
                return None
            if report.is_frozen:
                logger.info("annual report %s is approved; not rebuilt", report.year)
                return report
            old_files = [f.name for f in (report.xlsx, report.pdf) if f]
            data = annual_report_content(year=report.year, generated_at=generated_at)
            stamp = timezone.localtime(generated_at).strftime("%Y%m%d-%H%M%S")
            report.xlsx.save(
                f"annual-report-{report.year}-{stamp}.xlsx",
                ContentFile(exports.annual_report_xlsx(data)),
                save=False,
            )
            report.pdf.save(
                f"annual-report-{report.year}-{stamp}.pdf",
                ContentFile(exports.annual_report_pdf(data)),
                save=False,
            )
            report.data = data
            report.narrative = data["narrative"]
            report.generated_at = generated_at
            report.status = AnnualReport.Status.READY
            report.error = ""
            report.save(
                update_fields=[
                    "data",
                    "narrative",
                    "xlsx",
                    "pdf",
                    "generated_at",
                    "status",
                    "error",
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
        logger.exception("annual report %s failed", report_id)
        AnnualReport.objects.filter(pk=report_id).exclude(status=AnnualReport.Status.APPROVED).update(
            status=AnnualReport.Status.FAILED, error=str(error)[:2000], updated_at=timezone.now()
        )
        return AnnualReport.objects.filter(pk=report_id).first()


@transaction.atomic
def annual_report_approve(*, report: AnnualReport, by) -> AnnualReport:
    """Freeze a generated report: from now on it is never rebuilt."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != AnnualReport.Status.READY:
        raise ApplicationError(
            _("只有已生成、待审定的报告可以审定（当前状态：%(status)s）。")
            % {"status": report.get_status_display()}
        )
    report.status = AnnualReport.Status.APPROVED
    report.approved_at = timezone.now()
    report.approved_by = by
    report.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    return report


def annual_report_request_previous_year(*, today=None) -> AnnualReport | None:
    """The January job: (re)build last year's report unless it is already approved."""
    year = (today or timezone.localdate()).year - 1
    if AnnualReport.objects.filter(year=year, status=AnnualReport.Status.APPROVED).exists():
        logger.info("annual report %s already approved; the January job leaves it alone", year)
        return None
    return annual_report_request(year=year)
