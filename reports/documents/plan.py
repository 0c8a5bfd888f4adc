"""The plan-period summary: sections, tables over the years, print context, PDF and XLSX."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.exports import append_row

from .. import kpi
from ..exports import (
    day_text,
    growth_label,
    met_label,
    render_pdf,
    wan_number,
)
from .common import Cover, document_context, figure_label, figure_text, trend_charts
from .sheets import bold_header, cover_sheet, districts_sheet, indicator_sheet, sheet_cell, trend_sheet


def plan_sections() -> list[tuple[str, str]]:
    return [
        ("summary", _("一、总体情况")),
        ("city", _("二、全市逐年指标")),
        ("trend", _("三、趋势图")),
        ("districts", _("四、各旗区指标")),
        ("activities", _("五、规划期专项工作")),
        ("appendix", _("附录：指标定义")),
    ]


def plan_city_tables(data: dict) -> list[dict]:
    """Per indicator: each value over the years (base year first) and its average growth."""
    years = data["years"]
    last = str(years[-1])
    tables = []
    for indicator in kpi.INDICATORS:
        blocks = [data["city"][str(y)]["indicators"][indicator.name] for y in years]
        tables.append(
            {
                "label": indicator.label,
                "target": data["plan"]["targets"][indicator.name],
                "rows": [
                    {
                        "label": figure_label(indicator.name, name),
                        "points": [
                            figure_text(indicator.name, name, block["values"][name]) for block in blocks
                        ],
                        "average": growth_label(
                            data["city"][last]["indicators"][indicator.name]["average_growth"][name]
                        ),
                    }
                    for name in indicator.values
                ],
                "met": [
                    met_label(block["met"]) if str(y) != str(years[0]) else "—"
                    for y, block in zip(years, blocks, strict=True)
                ],
            }
        )
    return tables


def plan_district_tables(data: dict) -> list[dict]:
    """Per indicator: each district's values in the base year and the last year, and the average
    growth between them (landscape pages)."""
    base, last = str(data["years"][0]), str(data["years"][-1])
    tables = []
    for indicator in kpi.INDICATORS:
        rows = []
        for row in data["districts"]:
            first_block = row["years"][base][indicator.name]
            last_block = row["years"][last][indicator.name]
            rows.append(
                {
                    "name": row["name"],
                    "cells": [
                        (
                            figure_text(indicator.name, name, first_block["values"][name]),
                            figure_text(indicator.name, name, last_block["values"][name]),
                            growth_label(last_block["average_growth"][name]),
                        )
                        for name in indicator.values
                    ],
                    "met": met_label(last_block["met"]),
                }
            )
        tables.append(
            {
                "label": indicator.label,
                "columns": [figure_label(indicator.name, name) for name in indicator.values],
                "rows": rows,
            }
        )
    return tables


def plan_report_context(data: dict, cover: Cover | None = None) -> dict:
    return document_context(
        cover,
        plan_sections(),
        data=data,
        narrative=data["narrative"].splitlines(),
        years=data["years"],
        base_year=data["plan"]["base_year"],
        last_year=data["years"][-1],
        city_tables=plan_city_tables(data),
        charts=trend_charts(data["trend"], base_year=data["plan"]["base_year"]),
        district_tables=plan_district_tables(data),
        activities=data["activities"],
        plan_window={
            "start": day_text(data["activities"]["roadshows_plan_period"]["start"]),
            "end": day_text(data["activities"]["roadshows_plan_period"]["counted_to"]),
        },
        activity_years=[
            {**row, "subsidy_amount": wan_number(row["subsidy_amount"])}
            for row in data["activities"]["years"]
        ],
    )


def plan_report_pdf(data: dict, cover: Cover) -> bytes:
    return render_pdf("reports/print/plan_report.html", plan_report_context(data, cover))


def plan_report_xlsx(data: dict, cover: Cover) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    cover_sheet(workbook, cover, data["narrative"])
    for year in data["years"]:
        indicator_sheet(workbook, _("全市%(year)s") % {"year": year}, data["city"][str(year)])
    trend_sheet(workbook, data["trend"])
    last = str(data["years"][-1])
    districts_sheet(
        workbook, _("旗区%(year)s") % {"year": last}, data["districts"], key=lambda row: row["years"][last]
    )
    sheet = workbook.create_sheet(_("专项工作"))
    append_row(
        sheet,
        [
            _("年度"),
            _("路演、供需对接活动（场）"),
            _("专利导航项目（项）"),
            _("专利资助（项）"),
            _("资助金额（元）"),
            _("违反50%规定（项）"),
            _("农牧业专利转化（件）"),
            _("其中受让方在旗（县域）"),
        ],
    )
    bold_header(sheet)
    for row in data["activities"]["years"]:
        append_row(
            sheet,
            [
                row["year"],
                row["roadshows"],
                row["navigation_projects"],
                row["subsidies"],
                sheet_cell(row["subsidy_amount"]),
                row["violations"],
                row["agricultural_patents"],
                row["to_county_level"],
            ],
        )
    plan_count = data["activities"]["roadshows_plan_period"]
    append_row(sheet, [])
    append_row(
        sheet,
        [
            pgettext("sheet note", "规划期累计"),
            _("%(start)s 至 %(end)s：%(count)s 场（目标 %(target)s 场）")
            % {
                "start": plan_count["start"],
                "end": plan_count["counted_to"],
                "count": plan_count["count"],
                "target": plan_count["target"],
            },
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
