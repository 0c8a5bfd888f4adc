"""The content of a plan-period summary (the plan's 总结 stage): every year of the period from
the base year, the average growth reached by the last year, the city and each district, and the
activities over the whole period."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.models import Region

from . import kpi
from .exports import growth_label, wan_text
from .kpi.indicators import AMOUNT_VALUES, report_from_raw
from .kpi.targets import no_base_note

Progress = Callable[[int, str], None]


def _list(items) -> str:
    return pgettext("list separator", "、").join(items)


def _reports(raw: dict, years: list[int], district: str | None, plan: kpi.Plan) -> dict[int, dict]:
    return {y: report_from_raw(raw, y, district, plan if plan.covers(y) else None) for y in years}


def _activities(reports: dict[int, dict], plan: kpi.Plan) -> dict:
    """The activities year by year over the plan period, and their totals."""
    years = list(range(plan.first_year, plan.last_year + 1))
    rows = []
    for year in years:
        a = reports[year]["activities"]
        rows.append(
            {
                "year": year,
                "roadshows": a["roadshows"]["count"],
                "navigation_projects": a["navigation_projects"]["count"],
                "navigation_met": a["navigation_projects"]["met"],
                "subsidies": a["subsidies"]["count"],
                "subsidy_amount": a["subsidies"]["amount"],
                "violations": a["subsidies"]["violations"],
                "agricultural_patents": a["agricultural_patents"]["patents"],
                "to_county_level": a["agricultural_patents"]["to_county_level"],
            }
        )
    last = reports[plan.last_year]["activities"]
    return {
        "years": rows,
        "roadshows_plan_period": last["roadshows"]["plan_period"],
        "roadshows_met": last["roadshows"]["met"],
        "roadshows_target": last["roadshows"]["target"],
        "navigation_target": last["navigation_projects"]["target"],
        "navigation_every_year": all(row["navigation_met"] for row in rows),
        "subsidy_violations": sum(row["violations"] for row in rows),
        "subsidy_target": last["subsidies"]["target"],
    }


def _narrative(plan: kpi.Plan, city: dict[int, dict], activities: dict) -> str:
    last = city[plan.last_year]
    labels = kpi.indicator_labels()
    lines = [
        _("%(name)s规划期为%(first)s年至%(last)s年，以%(base)s年为基期。截至%(last)s年：")
        % {"name": plan.name, "first": plan.first_year, "last": plan.last_year, "base": plan.base_year}
    ]
    for indicator in kpi.INDICATORS:
        block = last["indicators"][indicator.name]
        target = plan.targets.get(indicator.name)
        names = target.values if target else indicator.ranked
        figures = pgettext("separator of clauses", "；").join(
            _("%(label)s %(base)s → %(last)s（年均增幅 %(average)s）")
            % {
                "label": kpi.value_label(indicator.name, name, unit=False),
                "base": _shown(name, city[plan.base_year]["indicators"][indicator.name]["values"][name]),
                "last": _shown(name, block["values"][name]),
                "average": growth_label(block["average_growth"][name]),
            }
            for name in names
        )
        met_years = [
            str(y)
            for y in range(plan.first_year, plan.last_year + 1)
            if city[y]["indicators"][indicator.name]["met"]
        ]
        lines.append(
            _("%(label)s：%(figures)s。目标：%(target)s；达标年度：%(years)s。")
            % {
                "label": labels[indicator.name],
                "figures": figures,
                "target": block["target"],
                "years": _list(met_years) if met_years else _("无"),
            }
            + no_base_note(target, block["average_growth"], plan)
        )
    plan_count = activities["roadshows_plan_period"]
    lines.append(
        _(
            "专项工作：规划期内累计举办路演、供需对接活动%(events)s场（目标%(target)s场，%(events_result)s）；"
            "专利导航项目%(navigation)s；专利资助违反50%%规定共%(violations)s项。"
        )
        % {
            "events": plan_count["count"],
            "target": plan_count["target"],
            "events_result": _("已完成") if activities["roadshows_met"] else _("未完成"),
            "navigation": _("每年均不少于1项") if activities["navigation_every_year"] else _("并非每年都有"),
            "violations": activities["subsidy_violations"],
        }
    )
    return "\n".join(lines)


def _shown(name: str, value) -> str:
    return wan_text(value) if name in AMOUNT_VALUES else str(value)


def plan_report_content(
    *, plan: kpi.Plan, generated_at: datetime.datetime | None = None, progress: Progress | None = None
) -> dict:
    """Everything a plan-period summary holds, as JSON-ready data."""
    progress = progress or (lambda percent, stage: None)
    generated_at = timezone.localtime(generated_at or timezone.now())
    years = list(range(plan.base_year, plan.last_year + 1))
    read = [plan.base_year - 1, *years]
    progress(10, _("计算全市逐年指标"))
    city_raw = kpi.collect(read).get(None, {})
    city = _reports(city_raw, years, None, plan)
    progress(30, _("计算各旗区逐年指标"))
    district_raw = kpi.collect(read, by_district=True)
    districts = []
    for region in Region.objects.order_by("code"):
        reports = _reports(district_raw.get(region.code, {}), years, region.code, plan)
        districts.append(
            {
                "code": region.code,
                "name": region.label,
                "years": {str(y): reports[y]["indicators"] for y in years},
            }
        )
    activities = _activities(city, plan)
    trend = kpi.trend_from_reports(years, city, None)
    return {
        "plan": {
            **plan.as_json(),
            "targets": {
                name: city[plan.last_year]["indicators"][name]["target"] for name in kpi.INDICATORS_BY_NAME
            },
        },
        "years": years,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "city": {str(y): city[y] for y in years},
        "trend": trend,
        "districts": districts,
        "activities": activities,
        "narrative": _narrative(plan, city, activities),
    }
