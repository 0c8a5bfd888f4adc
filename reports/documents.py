"""The documents a bureau submits: the annual report and the plan-period summary, as XLSX and PDF.

PDFs are rendered from HTML by WeasyPrint with the Noto CJK fonts: a cover page (bureau, period,
draft or approved and its date), contents with page numbers, numbered pages, table headers
repeated on every page, wide tables on landscape pages, names that never break, amounts in 万元
with thousands separators, a trend chart per KPI (SVG drawn here) and the definitions in an
appendix. Dates are written out for people (2024年1月5日), never as ISO timestamps.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.errors import ApplicationError
from portal.exports import append_row

from . import charts, kpi
from .exports import (
    activity_rows,
    day_text,
    growth_label,
    kpi_csv,
    kpi_xlsx,
    met_label,
    render_pdf,
    scope_name,
    wan_number,
)
from .kpi.indicators import AMOUNT_VALUES
from .ranking import award_formula_text


@dataclass(frozen=True)
class Cover:
    """What the cover page says about the document."""

    bureau: str
    title: str
    period: str
    approved: bool
    status: str
    dated: str  # the approval date, or the generation date of a draft
    generated: str


def date_text(value: datetime.datetime | datetime.date | str | None) -> str:
    """'2024年1月5日' (Asia/Shanghai)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return _("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


def cover_for(report, title: str, period: str) -> Cover:
    approved = report.approved_at is not None and report.is_frozen
    generated = date_text(report.data.get("generated_at") or report.generated_at)
    return Cover(
        bureau=settings.REPORTS_BUREAU_NAME,
        title=title,
        period=period,
        approved=approved,
        status=_("已审定") if approved else _("草稿（待审定）"),
        dated=date_text(report.approved_at) if approved else generated,
        generated=generated,
    )


def _shown(indicator: str, value: str, amount) -> str:
    """A figure as printed: amounts in 万元 with separators, counts with separators."""
    if value in AMOUNT_VALUES:
        return wan_number(amount)
    return f"{int(amount):,}"


def _label(indicator: str, value: str) -> str:
    label = kpi.value_label(indicator, value, unit=False)
    return _("%(label)s（万元）") % {"label": label} if value in AMOUNT_VALUES else label


def indicator_table(report: dict) -> list[dict]:
    """The indicators of one report as printed rows, one group per indicator."""
    groups = []
    for indicator in kpi.INDICATORS:
        block = report["indicators"][indicator.name]
        groups.append(
            {
                "label": indicator.label,
                "target": block["target"],
                "met": block["met"],
                "met_label": met_label(block["met"]),
                "rows": [
                    {
                        "label": _label(indicator.name, name),
                        "current": _shown(indicator.name, name, block["values"][name]),
                        "previous": _shown(indicator.name, name, block["previous"][name]),
                        "growth": growth_label(block["growth"][name]),
                        "average": growth_label(block["average_growth"][name]),
                    }
                    for name in indicator.values
                ],
            }
        )
    return groups


def district_tables(rows: list[dict], key=lambda row: row["indicators"]) -> list[dict]:
    """One table per indicator (districts × its values), instead of one table too wide to read."""
    tables = []
    for indicator in kpi.INDICATORS:
        tables.append(
            {
                "label": indicator.label,
                "columns": [_label(indicator.name, name) for name in indicator.values],
                "rows": [
                    {
                        "name": row["name"],
                        "values": [
                            _shown(indicator.name, name, key(row)[indicator.name]["values"][name])
                            for name in indicator.values
                        ],
                        "growth": [
                            growth_label(key(row)[indicator.name]["growth"][name])
                            for name in indicator.values
                        ],
                        "met_label": met_label(key(row)[indicator.name]["met"]),
                        "met": key(row)[indicator.name]["met"],
                    }
                    for row in rows
                ],
            }
        )
    return tables


def trend_charts(trend: dict, base_year: int | None = None) -> list[dict]:
    """A row of small bar charts per KPI, one per value (amounts in 万元)."""
    figures = []
    for indicator in kpi.INDICATORS:
        series = trend["indicators"][indicator.name]
        svgs = []
        for name in indicator.values:
            amount = name in AMOUNT_VALUES
            points = [wan_number(v).replace(",", "") if amount else v for v in series["values"][name]]
            svgs.append(
                charts.bar_chart(
                    kpi.value_label(indicator.name, name, unit=False),
                    _("万元") if amount else _("数量"),
                    trend["years"],
                    points,
                    base_year=base_year,
                    amount=amount,
                )
            )
        figures.append({"label": indicator.label, "svgs": svgs})
    return figures


def trend_table(trend: dict) -> list[dict]:
    return [
        {
            "label": f"{kpi.indicator_labels()[name]} · {_label(name, value)}",
            "points": [_shown(name, value, point) for point in points],
        }
        for name, series in trend["indicators"].items()
        for value, points in series["values"].items()
    ]


def definitions() -> list[tuple[str, str]]:
    """The appendix: how every figure is counted (the Chinese text of the KPI definitions)."""
    return [
        (_("统计年度"), _("公历年，按北京时间划分；上年值为同一口径对上一年度的计算结果。")),
        (
            _("中小微企业获得专利转化"),
            _(
                "受让方为市内（本旗区）中小微企业的转让、许可、作价入股交易：交易数、涉及的不重复专利数、合同成交额；实际到账金额为到账日期在本年、所属交易受让方为市内中小微企业的款项之和，不论合同签订年份。"
            ),
        ),
        (_("高校院所专利转化"), _("转让方/许可方为市内（本旗区）高校或科研院所的上述交易，四个数值项同上。")),
        (
            _("受益中小微企业"),
            _(
                "本年作为交易受让方、质押出质人、专利保险被保险人或获得专利资助的市内中小微企业（不重复），及其本年营业收入、从业人数。"
            ),
        ),
        (_("中小微企业专利质押融资"), _("登记日期在本年、出质人为市内中小微企业的专利质押笔数与融资金额。")),
        (_("专利产品备案"), _("备案日期在本年、备案单位为市内中小微企业的专利产品备案数。")),
        (
            _("按时点统计"),
            _(
                "单位的类型和所在旗区取记录日期当天的值（交易及其到账款项按合同日期）；单位改类型或迁旗区不改变以往年度的数字，自始更正除外。"
            ),
        ),
        (
            _("已终止交易"),
            _(
                "合同解除的交易不计入交易数、专利数、合同成交额和受益企业；此前实际到账的款项仍计入实际到账金额。"
            ),
        ),
        (
            _("路演、供需对接活动"),
            _("只计已举办的路演和供需对接活动（计划中、已取消的不计）；规划期累计自2021年1月1日起。"),
        ),
        (_("专利导航项目"), _("写明承担（服务）企业且未终止的企业专利导航项目，按启动年度统计。")),
        (
            _("专利资助规则"),
            _(
                "同一专利截至本年底已批准、已拨付资助合计的2倍不得超过所记载的已缴官费（精确比较，不四舍五入），且只能资助在决定日期当天或之前已授权的专利；违反任一条的专利计为违规。"
            ),
        ),
        (_("同比增长"), _("(本年 − 上年) ÷ 上年，四舍五入保留4位小数；上年为0时不计算。")),
        (
            _("年均增幅"),
            _(
                "(本年 ÷ 基期年) ^ (1 ÷ (本年 − 基期年)) − 1，基期为所属规划期的基期年度，四舍五入（逢五进一）保留4位小数；基期为0或年度不在规划期内时不计算。"
            ),
        ),
        (
            _("达标判断"),
            _(
                "按规划期录入的目标判断，所列数值项须全部达到；用精确数值判断，不用四舍五入后的增长率。“年均增幅不低于20%”即 本年 ≥ 基期 × 1.2^(本年 − 基期年)。年度不在任何规划期内时不设目标。"
            ),
        ),
        (
            _("旗区绩效排名"),
            _(
                "各项指标取目标所列数值项同比增长（截取在 ±100%）的平均值；某旗区某项指标两年均无活动时该项为中性，不参与计算，权重在其余指标间重新分配；五项均无活动的旗区不排名。"
            ),
        ),
        (_("绩效奖补建议"), award_formula_text()),
        (_("金额"), _("以万元为单位，保留两位小数，使用千位分隔符；系统内以元为单位精确记录。")),
    ]


def _context(cover: Cover, sections: list[tuple[str, str]], **extra) -> dict:
    return {
        "cover": cover,
        "sections": [{"id": ident, "title": title} for ident, title in sections],
        "definitions": definitions(),
        **extra,
    }


# --- Annual report -------------------------------------------------------------------------------


def annual_sections() -> list[tuple[str, str]]:
    return [
        ("summary", _("一、完成情况")),
        ("city", _("二、全市绩效指标")),
        ("activities", _("三、规划专项工作")),
        ("trend", _("四、历年趋势")),
        ("districts", _("五、旗区指标")),
        ("ranking", _("六、旗区绩效排名")),
        ("appendix", _("附录：指标定义")),
    ]


def annual_report_context(data: dict, cover: Cover | None = None) -> dict:
    city = data["city"]
    plan = city.get("plan")
    return _context(
        cover,
        annual_sections(),
        data=data,
        narrative=data["narrative"].splitlines(),
        indicators=indicator_table(city),
        activities=activity_rows(city, printed=True),
        charts=trend_charts(data["trend"]),
        trend_years=data["trend"]["years"],
        trend_rows=trend_table(data["trend"]),
        district_tables=district_tables(data["districts"]),
        ranking=data["ranking"],
        ranked=[
            {**row, "neutral_labels": [kpi.indicator_labels()[name] for name in row.get("neutral", [])]}
            for row in data["ranking"]["districts"]
            if row.get("active", True)
        ],
        idle=[row for row in data["ranking"]["districts"] if not row.get("active", True)],
        plan=plan,
    )


def annual_report_pdf(data: dict, cover: Cover) -> bytes:
    return render_pdf("reports/print/annual_report.html", annual_report_context(data, cover))


def _bold_header(sheet, row: int = 1) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)


def _cover_sheet(workbook, cover: Cover, narrative: str):
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
    _bold_header(sheet)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    return sheet


def _indicator_sheet(workbook, title: str, report: dict) -> None:
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
    _bold_header(sheet)
    for indicator in kpi.INDICATORS:
        block = report["indicators"][indicator.name]
        for name in indicator.values:
            amount = name in indicator.amounts
            append_row(
                sheet,
                [
                    indicator.label,
                    kpi.value_label(indicator.name, name),
                    _cell(block["values"][name]),
                    _cell(block["previous"][name]),
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


def _cell(value):
    return Decimal(value) if isinstance(value, str) else value


def _trend_sheet(workbook, trend: dict) -> None:
    sheet = workbook.create_sheet(_("历年趋势"))
    append_row(sheet, [_("指标"), _("数值项"), *trend["years"]])
    _bold_header(sheet)
    for name, series in trend["indicators"].items():
        for value, points in series["values"].items():
            append_row(
                sheet, [kpi.indicator_labels()[name], kpi.value_label(name, value), *map(_cell, points)]
            )
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 20


def _districts_sheet(workbook, title: str, rows: list[dict], key=lambda row: row["indicators"]) -> None:
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
    _bold_header(sheet)
    for row in rows:
        blocks = key(row)
        append_row(
            sheet,
            [
                row["code"],
                row["name"],
                *(_cell(blocks[i]["values"][v]) for i, v in columns),
                sum(1 for block in blocks.values() if block["met"]),
            ],
        )


def annual_report_xlsx(data: dict, cover: Cover) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    _cover_sheet(workbook, cover, data["narrative"])
    _indicator_sheet(workbook, _("全市指标"), data["city"])
    activities = workbook.create_sheet(_("专项工作"))
    append_row(activities, [_("专项工作"), _("本年"), _("上年"), _("说明"), _("目标"), _("是否达标")])
    _bold_header(activities)
    for row in activity_rows(data["city"]):
        append_row(
            activities,
            [
                row["label"],
                row["current"],
                row["previous"],
                row["note"],
                row["target"],
                met_label(row["met"]),
            ],
        )
    _districts_sheet(workbook, _("旗区指标"), data["districts"])
    ranking = workbook.create_sheet(_("旗区绩效排名"))
    append_row(ranking, [_("排名"), _("区划代码"), _("旗区"), _("综合得分"), _("达标项数"), _("说明")])
    _bold_header(ranking)
    for row in data["ranking"]["districts"]:
        active = row.get("active", True)
        append_row(
            ranking,
            [
                row["rank"],
                row["code"],
                row["name"],
                row["score"],
                row["met_count"],
                "" if active else _("两年均无活动，不排名"),
            ],
        )
    append_row(ranking, [])
    append_row(ranking, [data["ranking"]["formula"]])
    _trend_sheet(workbook, data["trend"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Plan-period summary -------------------------------------------------------------------------


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
                        "label": _label(indicator.name, name),
                        "points": [_shown(indicator.name, name, block["values"][name]) for block in blocks],
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
                            _shown(indicator.name, name, first_block["values"][name]),
                            _shown(indicator.name, name, last_block["values"][name]),
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
                "columns": [_label(indicator.name, name) for name in indicator.values],
                "rows": rows,
            }
        )
    return tables


def plan_report_context(data: dict, cover: Cover | None = None) -> dict:
    return _context(
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
    _cover_sheet(workbook, cover, data["narrative"])
    for year in data["years"]:
        _indicator_sheet(workbook, _("全市%(year)s") % {"year": year}, data["city"][str(year)])
    _trend_sheet(workbook, data["trend"])
    last = str(data["years"][-1])
    _districts_sheet(
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
    _bold_header(sheet)
    for row in data["activities"]["years"]:
        append_row(
            sheet,
            [
                row["year"],
                row["roadshows"],
                row["navigation_projects"],
                row["subsidies"],
                _cell(row["subsidy_amount"]),
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


# --- The dashboard's export (one KPI report as a file) --------------------------------------------


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
