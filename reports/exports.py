"""Files made from KPI reports: CSV, XLSX and PDF of one report; XLSX and PDF of an annual report.

PDFs are rendered from HTML templates by WeasyPrint with the Noto CJK fonts (fonts-noto-cjk), so
Chinese text is embedded in the file, not substituted.
"""

from __future__ import annotations

import csv
import io
import logging
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import ApplicationError
from portal.exports import append_row, safe_row
from portal.models import Region

from . import kpi

FORMATS = ("json", "csv", "xlsx", "pdf")


def scope_name(district: str | None) -> str:
    if not district:
        return _("全市")
    region = Region.objects.filter(code=district).first()
    return region.name if region else district


def met_label(met: bool | None) -> str:
    if met is None:
        return _("不设数量目标")
    return _("达标") if met else _("未达标")


def growth_label(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.2f}%"


def indicator_rows(report: dict) -> list[dict]:
    """One row per indicator value, in the report's order."""
    rows = []
    for name, block in report["indicators"].items():
        for value in block["values"]:
            rows.append(
                {
                    "indicator": name,
                    "indicator_label": kpi.indicator_labels()[name],
                    "value": value,
                    "value_label": kpi.value_label(name, value),
                    "current": block["values"][value],
                    "previous": block["previous"][value],
                    "growth": block["growth"][value],
                    "target": block["target"],
                    "met": block["met"],
                }
            )
    return rows


def activity_rows(report: dict) -> list[dict]:
    a = report["activities"]
    plan = a["roadshows"]["plan_period"]
    subsidies = a["subsidies"]
    agriculture = a["agricultural_patents"]
    return [
        {
            "key": "roadshows",
            "label": _("路演、供需对接活动（场）"),
            "current": a["roadshows"]["count"],
            "previous": a["roadshows"]["previous"],
            "note": _("规划期（%(start)s 至 %(end)s）累计 %(count)s 场，目标 %(target)s 场")
            % {
                "start": plan["start"],
                "end": plan["counted_to"],
                "count": plan["count"],
                "target": plan["target"],
            },
            "target": a["roadshows"]["target"],
            "met": a["roadshows"]["met"],
        },
        {
            "key": "navigation_projects",
            "label": _("专利导航项目（项）"),
            "current": a["navigation_projects"]["count"],
            "previous": a["navigation_projects"]["previous"],
            "note": "",
            "target": a["navigation_projects"]["target"],
            "met": a["navigation_projects"]["met"],
        },
        {
            "key": "subsidies",
            "label": _("专利资助（项 / 元）"),
            "current": f"{subsidies['count']} / {subsidies['amount']}",
            "previous": f"{subsidies['previous']['count']} / {subsidies['previous']['amount']}",
            "note": _("违反50%%规定 %(n)s 项") % {"n": subsidies["violations"]},
            "target": subsidies["target"],
            "met": subsidies["met"],
        },
        {
            "key": "agricultural_patents",
            "label": _("农牧业专利转化（件）"),
            "current": agriculture["patents"],
            "previous": "",
            "note": _("其中受让方在旗（县域）%(n)s 件") % {"n": agriculture["to_county_level"]},
            "target": agriculture["target"],
            "met": agriculture["met"],
        },
    ]


def _number(value):
    """Amount strings become Decimals in spreadsheets so that they add up."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


INDICATOR_HEADER = (
    gettext_lazy("指标代码"),
    gettext_lazy("指标"),
    gettext_lazy("数值项代码"),
    gettext_lazy("数值项"),
    gettext_lazy("本年"),
    gettext_lazy("上年"),
    gettext_lazy("同比增长"),
    gettext_lazy("目标"),
    gettext_lazy("是否达标"),
)


class _SafeWriter:
    """csv.writer whose text cells are neutralised against spreadsheet formula injection."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        self._writer.writerow(safe_row(row))


def kpi_csv(report: dict) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = _SafeWriter(csv.writer(buffer))
    writer.writerow(
        [_("年度"), report["year"], _("范围"), report["district"] or "", scope_name(report["district"])]
    )
    writer.writerow([str(column) for column in INDICATOR_HEADER])
    for row in indicator_rows(report):
        writer.writerow(
            [
                row["indicator"],
                row["indicator_label"],
                row["value"],
                row["value_label"],
                row["current"],
                row["previous"],
                "" if row["growth"] is None else row["growth"],
                row["target"],
                met_label(row["met"]),
            ]
        )
    writer.writerow([])
    writer.writerow([_("专项工作"), _("本年"), _("上年"), _("说明"), _("目标"), _("是否达标")])
    for row in activity_rows(report):
        writer.writerow(
            [row["label"], row["current"], row["previous"], row["note"], row["target"], met_label(row["met"])]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_indicators(sheet, report: dict, bold) -> None:
    append_row(
        sheet,
        [
            _("%(scope)s %(year)s 年度绩效指标")
            % {"scope": scope_name(report["district"]), "year": report["year"]}
        ],
    )
    sheet["A1"].font = bold
    append_row(sheet, [str(column) for column in INDICATOR_HEADER])
    for cell in sheet[2]:
        cell.font = bold
    for row in indicator_rows(report):
        append_row(
            sheet,
            [
                row["indicator"],
                row["indicator_label"],
                row["value"],
                row["value_label"],
                _number(row["current"]),
                _number(row["previous"]),
                row["growth"],
                row["target"],
                met_label(row["met"]),
            ],
        )
        sheet.cell(row=sheet.max_row, column=7).number_format = "0.00%"
        for column in (5, 6):
            if isinstance(sheet.cell(row=sheet.max_row, column=column).value, Decimal):
                sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHI", (24, 22, 18, 18, 16, 16, 12, 44, 10), strict=True):
        sheet.column_dimensions[letter].width = width


def _sheet_activities(sheet, report: dict, bold) -> None:
    append_row(sheet, [_("专项工作"), _("本年"), _("上年"), _("说明"), _("目标"), _("是否达标")])
    for cell in sheet[1]:
        cell.font = bold
    for row in activity_rows(report):
        append_row(
            sheet,
            [
                row["label"],
                row["current"],
                row["previous"],
                row["note"],
                row["target"],
                met_label(row["met"]),
            ],
        )
    for letter, width in zip("ABCDEF", (26, 18, 18, 40, 44, 12), strict=True):
        sheet.column_dimensions[letter].width = width


def kpi_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("绩效指标")
    _sheet_indicators(sheet, report, bold)
    _sheet_activities(workbook.create_sheet(_("专项工作")), report, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(template: str, context: dict) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError as exc:  # the library or its system libraries (pango) are missing
        raise ApplicationError(_("无法生成 PDF：WeasyPrint 不可用（%(error)s）。") % {"error": exc}) from exc
    # WeasyPrint logs every layout step at INFO, which would flood the worker's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def kpi_pdf(report: dict) -> bytes:
    context = {
        "report": report,
        "scope": scope_name(report["district"]),
        "rows": indicator_rows(report),
        "activities": activity_rows(report),
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


# --- Annual report -------------------------------------------------------------------------------


def annual_report_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("报告说明")
    append_row(summary, [_("%(year)s 年度专利转化绩效报告") % {"year": data["year"]}])
    summary["A1"].font = bold
    append_row(summary, [_("生成时间"), data["generated_at"]])
    append_row(summary, [_("完成情况")])
    for line in data["narrative"].splitlines():
        append_row(summary, [line])
    summary.column_dimensions["A"].width = 120

    _sheet_indicators(workbook.create_sheet(_("全市指标")), data["city"], bold)
    _sheet_activities(workbook.create_sheet(_("专项工作")), data["city"], bold)

    districts = workbook.create_sheet(_("旗区指标"))
    header = [_("区划代码"), _("旗区")]
    columns = [(row["indicator"], row["value"]) for row in indicator_rows(data["city"])]
    header += [f"{kpi.indicator_labels()[i]}·{kpi.value_label(i, v)}" for i, v in columns]
    header += [_("达标项数")]
    append_row(districts, header)
    for cell in districts[1]:
        cell.font = bold
    for row in data["districts"]:
        values = [_number(row["indicators"][i]["values"][v]) for i, v in columns]
        met = sum(1 for block in row["indicators"].values() if block["met"])
        append_row(districts, [row["code"], row["name"], *values, met])

    ranking = workbook.create_sheet(_("旗区绩效排名"))
    append_row(ranking, [_("排名"), _("区划代码"), _("旗区"), _("综合得分"), _("达标项数")])
    for cell in ranking[1]:
        cell.font = bold
    for row in data["ranking"]["districts"]:
        append_row(ranking, [row["rank"], row["code"], row["name"], row["score"], row["met_count"]])
    append_row(ranking, [])
    append_row(ranking, [data["ranking"]["formula"]])

    trend = workbook.create_sheet(_("历年趋势"))
    append_row(trend, [_("指标"), _("数值项"), *data["trend"]["years"]])
    for cell in trend[1]:
        cell.font = bold
    for name, series in data["trend"]["indicators"].items():
        for value, points in series["values"].items():
            append_row(
                trend, [kpi.indicator_labels()[name], kpi.value_label(name, value), *map(_number, points)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annual_report_context(data: dict) -> dict:
    columns = [(row["indicator"], row["value"]) for row in indicator_rows(data["city"])]
    return {
        "data": data,
        "rows": indicator_rows(data["city"]),
        "activities": activity_rows(data["city"]),
        "district_columns": [
            {"label": f"{kpi.indicator_labels()[i]}·{kpi.value_label(i, v)}", "indicator": i, "value": v}
            for i, v in columns
        ],
        "district_rows": [
            {
                "code": row["code"],
                "name": row["name"],
                "values": [row["indicators"][i]["values"][v] for i, v in columns],
                "met_count": sum(1 for block in row["indicators"].values() if block["met"]),
            }
            for row in data["districts"]
        ],
        "trend_rows": [
            {"label": f"{kpi.indicator_labels()[name]}·{kpi.value_label(name, value)}", "points": points}
            for name, series in data["trend"]["indicators"].items()
            for value, points in series["values"].items()
        ],
    }


def annual_report_pdf(data: dict) -> bytes:
    return render_pdf("reports/print/annual_report.html", annual_report_context(data))
