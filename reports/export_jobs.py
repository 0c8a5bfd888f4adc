"""The KPI dashboard's XLSX and PDF files, built as file jobs (``portal.filejobs``): the PDF's
layout takes seconds, too long for a request to wait. JSON and CSV stay direct downloads."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.filejobs.registry import BuiltFile, FileJobKind, Progress, register
from portal.permissions import actor_for

from . import documents, exports, kpi
from .permissions import scoped_district

KPI_EXPORT = "reports.kpi_export"
JOB_FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def kpi_export_filename(year: int, district: str | None, file_format: str) -> str:
    return f"kpi-{year}{'-' + district if district else ''}.{file_format}"


def kpi_export_params(*, year: int, district: str | None, file_format: str) -> dict:
    return {"year": year, "district": district or None, "format": file_format}


def _build(params: dict, user, progress: Progress) -> BuiltFile:
    # Checked again here, not only in the view: the job runs later, and the user's role may have
    # changed meanwhile (a district officer always gets their own district).
    district = scoped_district(actor_for(user), params.get("district"))
    year, file_format = kpi.check_year(params["year"]), params["format"]
    progress(20, _("计算指标"))
    report = kpi.kpi_report(year=year, district=district)
    progress(50, _("排版 PDF 文件") if file_format == "pdf" else _("生成 Excel 文件"))
    content = documents.kpi_file(report, file_format)
    return BuiltFile(kpi_export_filename(year, district, file_format), CONTENT_TYPES[file_format], content)


def _title(params: dict) -> str:
    return _("%(year)s 年度绩效指标（%(scope)s）%(format)s 文件") % {
        "year": params["year"],
        "scope": exports.scope_name(params.get("district")),
        "format": params["format"].upper(),
    }


def _back(params: dict) -> str:
    query = {"year": params["year"], **({"district": params["district"]} if params.get("district") else {})}
    return f"{reverse('reports:dashboard')}?{urlencode(query)}"


def register_kinds() -> None:
    register(
        FileJobKind(
            name=KPI_EXPORT, build=_build, title=_title, back=_back, back_label=gettext_lazy("监管看板")
        )
    )
