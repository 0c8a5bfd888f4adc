"""The dashboard's export: one KPI report as a CSV, XLSX or PDF file."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError

from ..exports import (
    activity_rows,
    kpi_csv,
    kpi_xlsx,
    render_pdf,
    scope_name,
)
from .common import date_text, indicator_table


def kpi_pdf(report: dict) -> bytes:
    context = {
        "report": report,
        "scope": scope_name(report["district"]),
        "indicators": indicator_table(report),
        "activities": activity_rows(report, printed=True),
        "printed": date_text(timezone.now()),
    }
    return render_pdf("reports/print/kpi_report.html", context)


def kpi_file(report: dict, file_format: str) -> bytes:
    if file_format == "csv":
        return kpi_csv(report)
    if file_format == "xlsx":
        return kpi_xlsx(report)
    if file_format == "pdf":
        return kpi_pdf(report)
    raise ApplicationError(
        _("不支持的格式：%(format)s（可选 json、csv、xlsx、pdf）。") % {"format": file_format}
    )
