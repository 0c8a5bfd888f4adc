"""The XLSX sheets the annual report and the plan-period summary share."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from portal.exports import append_row

from .. import kpi
from ..exports import (
    met_label,
)
from .common import Cover


def bold_header(sheet, row: int = 1) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)


def cover_sheet(workbook, cover: Cover, narrative: str):
    sheet = workbook.active
    sheet.title = _("报告说明")
    for row in (
        [cover.title],
        [_("报送单位"), cover.bureau],
        [_("统计期间"), cover.period],
        [_("状态"), cover.status],
        [_("日期"), cover.dated],
        [_("金额单位"), _("元（精确值）")],
        [],
        [_("完成情况")],
        *([line] for line in narrative.splitlines()),
    ):
        append_row(sheet, row)
    bold_header(sheet)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    return sheet


def indicator_sheet(workbook, title: str, report: dict) -> None:
    sheet = workbook.create_sheet(title)
    append_row(
        sheet,
        [
            _("指标"),
            _("数值项"),
            _("本年"),
            _("上年"),
            _("同比增长"),
            _("年均增幅"),
            _("目标"),
            _("是否达标"),
        ],
    )
    bold_header(sheet)
    for indicator in kpi.INDICATORS:
        block = report["indicators"][indicator.name]
        for name in indicator.values:
            amount = name in indicator.amounts
            append_row(
                sheet,
                [
                    indicator.label,
                    kpi.value_label(indicator.name, name),
                    sheet_cell(block["values"][name]),
                    sheet_cell(block["previous"][name]),
                    block["growth"][name],
                    block["average_growth"][name],
                    block["target"],
                    met_label(block["met"]),
                ],
            )
            for column in (5, 6):
                sheet.cell(row=sheet.max_row, column=column).number_format = "0.00%"
            if amount:
                for column in (3, 4):
                    sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGH", (24, 20, 16, 16, 11, 11, 50, 10), strict=True):
        sheet.column_dimensions[letter].width = width


def sheet_cell(value):
    return Decimal(value) if isinstance(value, str) else value


def trend_sheet(workbook, trend: dict) -> None:
    sheet = workbook.create_sheet(_("历年趋势"))
    append_row(sheet, [_("指标"), _("数值项"), *trend["years"]])
    bold_header(sheet)
    for name, series in trend["indicators"].items():
        for value, points in series["values"].items():
            append_row(
                sheet, [kpi.indicator_labels()[name], kpi.value_label(name, value), *map(sheet_cell, points)]
            )
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 20


def districts_sheet(workbook, title: str, rows: list[dict], key=lambda row: row["indicators"]) -> None:
    sheet = workbook.create_sheet(title)
    columns = [(i.name, v) for i in kpi.INDICATORS for v in i.values]
    append_row(
        sheet,
        [
            _("区划代码"),
            _("旗区"),
            *(f"{kpi.indicator_labels()[i]}·{kpi.value_label(i, v)}" for i, v in columns),
            _("达标项数"),
        ],
    )
    bold_header(sheet)
    for row in rows:
        blocks = key(row)
        append_row(
            sheet,
            [
                row["code"],
                row["name"],
                *(sheet_cell(blocks[i]["values"][v]) for i, v in columns),
                sum(1 for block in blocks.values() if block["met"]),
            ],
        )
