"""The annual report: sections, print context, PDF and XLSX."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from portal.exports import append_row

from .. import kpi
from ..exports import (
    activity_rows,
    met_label,
    render_pdf,
)
from .common import Cover, district_tables, document_context, indicator_table, trend_charts, trend_table
from .sheets import bold_header, cover_sheet, districts_sheet, indicator_sheet, trend_sheet


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
    return document_context(
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


def annual_report_xlsx(data: dict, cover: Cover) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    cover_sheet(workbook, cover, data["narrative"])
    indicator_sheet(workbook, _("全市指标"), data["city"])
    activities = workbook.create_sheet(_("专项工作"))
    append_row(activities, [_("专项工作"), _("本年"), _("上年"), _("说明"), _("目标"), _("是否达标")])
    bold_header(activities)
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
    districts_sheet(workbook, _("旗区指标"), data["districts"])
    ranking = workbook.create_sheet(_("旗区绩效排名"))
    append_row(ranking, [_("排名"), _("区划代码"), _("旗区"), _("综合得分"), _("达标项数"), _("说明")])
    bold_header(ranking)
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
    trend_sheet(workbook, data["trend"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
