"""Celery tasks of the reports app: thin adapters around the services (ids in, idempotent)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.tasks.annual_report_build", acks_late=True)
def annual_report_build(*, report_id: int) -> dict | None:
    """Build one annual report (data, XLSX, PDF); an approved report is left as it is."""
    report = services.annual_report_build(report_id=report_id)
    if report is None:
        return None
    return {"year": report.year, "status": report.status}


@shared_task(name="reports.tasks.annual_report_request_previous_year", acks_late=True)
def annual_report_request_previous_year() -> int | None:
    """Beat, 5 January: generate last year's report (unless approved)."""
    report = services.annual_report_request_previous_year()
    return report.year if report else None
