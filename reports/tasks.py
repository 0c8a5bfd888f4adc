"""Celery tasks of the reports app: thin adapters around the services (ids in, idempotent)."""

from __future__ import annotations

from celery import shared_task

from portal.permissions import system_actor

from . import services


def _result(report) -> dict | None:
    return None if report is None else {"id": report.pk, "status": report.status}


@shared_task(name="reports.tasks.annual_report_build", acks_late=True)
def annual_report_build(*, report_id: int) -> dict | None:
    """Build one annual report (data, XLSX, PDF); an approved report is left as it is."""
    report = services.annual_report_build(report_id=report_id)
    return None if report is None else {"year": report.year, "status": report.status}


@shared_task(name="reports.tasks.plan_report_build", acks_late=True)
def plan_report_build(*, report_id: int) -> dict | None:
    """Build one plan-period summary (data, XLSX, PDF); an approved one is left as it is."""
    return _result(services.plan_report_build(report_id=report_id))


@shared_task(name="reports.tasks.report_files_finalise", acks_late=True)
def report_files_finalise(*, kind: str, report_id: int) -> dict | None:
    """Render an approved report's files from its frozen data with the approved cover."""
    return _result(services.report_files_finalise(kind=kind, report_id=report_id))


@shared_task(name="reports.tasks.annual_report_request_previous_year", acks_late=True)
def annual_report_request_previous_year() -> int | None:
    """Beat, 5 January: generate last year's report (unless approved)."""
    report = services.annual_report_request_previous_year(actor=system_actor())
    return report.year if report else None
