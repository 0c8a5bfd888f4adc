"""Files made from KPI reports: CSV, XLSX and PDF of one report; XLSX and PDF of an annual report.

PDFs are rendered from HTML templates by WeasyPrint with the Noto CJK fonts (fonts-noto-cjk), so
Chinese text is embedded in the file, not substituted.
"""

from __future__ import annotations

import csv
import io
import logging
from decimal import ROUND_HALF_UP, Decimal

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
        return _("未设目标")
    return _("达标") if met else _("未达标")


def growth_label(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.2f}%"


WAN = Decimal(10000)


def wan_number(value) -> str:
    """Yuan as 万元 with thousands separators and two places: '442826501.06' -> '44,282.65'."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(value) / WAN).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def wan_text(value) -> str:
    """'44,282.65万元'."""
    return _("%(amount)s万元") % {"amount": wan_number(value)}


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
                    "average_growth": block["average_growth"][value],
                    "amount": value in kpi.indicators.AMOUNT_VALUES,
                    "target": block["target"],
                    "met": block["met"],
                }
            )
    return rows


def day_text(value: str) -> str:
    """An ISO date as people write it: '2021-07-01' -> '2021年7月1日'."""
    year, month, day = (int(part) for part in value.split("-"))
    return _("%(y)s年%(m)s月%(d)s日") % {"y": year, "m": month, "d": day}


def activity_rows(report: dict, *, printed: bool = False) -> list[dict]:
    """The activities as rows; ``printed`` (documents): amounts in 万元, dates written out."""
    a = report["activities"]
    amount = wan_number if printed else str
    day = day_text if printed else str
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
                "start": day(plan["start"]),
                "end": day(plan["counted_to"]),
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
            "label": _("专利资助（项 / 万元）") if printed else _("专利资助（项 / 元）"),
            "current": f"{subsidies['count']} / {amount(subsidies['amount'])}",
            "previous": f"{subsidies['previous']['count']} / {amount(subsidies['previous']['amount'])}",
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
    gettext_lazy("年均增幅"),
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
                "" if row["average_growth"] is None else row["average_growth"],
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
                row["average_growth"],
                row["target"],
                met_label(row["met"]),
            ],
        )
        sheet.cell(row=sheet.max_row, column=7).number_format = "0.00%"
        sheet.cell(row=sheet.max_row, column=8).number_format = "0.00%"
        for column in (5, 6):
            if isinstance(sheet.cell(row=sheet.max_row, column=column).value, Decimal):
                sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHIJ", (24, 22, 18, 18, 16, 16, 12, 12, 44, 10), strict=True):
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
