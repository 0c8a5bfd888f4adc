"""What the submitted documents share: the cover, the printed indicator, district and trend
tables, the trend charts and the appendix of definitions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .. import charts, kpi
from ..exports import (
    growth_label,
    met_label,
    wan_number,
)
from ..kpi.indicators import AMOUNT_VALUES
from ..ranking import award_formula_text


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


def figure_text(indicator: str, value: str, amount) -> str:
    """A figure as printed: amounts in 万元 with separators, counts with separators."""
    if value in AMOUNT_VALUES:
        return wan_number(amount)
    return f"{int(amount):,}"


def figure_label(indicator: str, value: str) -> str:
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
                        "label": figure_label(indicator.name, name),
                        "current": figure_text(indicator.name, name, block["values"][name]),
                        "previous": figure_text(indicator.name, name, block["previous"][name]),
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
                "columns": [figure_label(indicator.name, name) for name in indicator.values],
                "rows": [
                    {
                        "name": row["name"],
                        "values": [
                            figure_text(indicator.name, name, key(row)[indicator.name]["values"][name])
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
            "label": f"{kpi.indicator_labels()[name]} · {figure_label(name, value)}",
            "points": [figure_text(name, value, point) for point in points],
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


def document_context(cover: Cover, sections: list[tuple[str, str]], **extra) -> dict:
    return {
        "cover": cover,
        "sections": [{"id": ident, "title": title} for ident, title in sections],
        "definitions": definitions(),
        **extra,
    }
