"""The content of an annual report: the year's KPIs for the city and each district, the trend
since 2021, the activity targets, the district ranking and a short narrative of what was met."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import kpi
from .exports import day_text, growth_label, wan_text
from .kpi.targets import no_base_note
from .ranking import district_ranking_from, rank_districts

Progress = Callable[[int, str], None]


def _value_text(indicator: str, value: str, block: dict) -> str:
    amount = value in kpi.indicators.AMOUNT_VALUES
    text = _("%(label)s %(value)s（上年 %(previous)s，同比 %(growth)s") % {
        "label": kpi.value_label(indicator, value, unit=False),
        "value": wan_text(block["values"][value]) if amount else block["values"][value],
        "previous": wan_text(block["previous"][value]) if amount else block["previous"][value],
        "growth": growth_label(block["growth"][value]),
    }
    if block["average_growth"][value] is not None:
        text += _("，年均增幅 %(average)s") % {"average": growth_label(block["average_growth"][value])}
    return text + _("）")


def _targeted(indicator, plan: kpi.Plan | None) -> tuple[str, ...]:
    target = plan.targets.get(indicator.name) if plan else None
    return target.values if target else indicator.ranked


def _list(items) -> str:
    return pgettext("list separator", "、").join(items)


def narrative(city: dict, ranking: list[dict], plan: kpi.Plan | None = None) -> str:
    """A few sentences in Chinese: which targets were met, with the figures behind them (amounts
    in 万元)."""
    year = city["year"]
    colon = pgettext("before a list of names", "：")
    labels = kpi.indicator_labels()
    met, missed = kpi.met_summary(city)
    lines = [
        _(
            "%(year)s年，全市%(total)s项绩效指标中达标%(met)s项%(met_names)s；未达标%(missed)s项%(missed_names)s。"
        )
        % {
            "year": year,
            "total": len(city["indicators"]),
            "met": len(met),
            "met_names": (colon + _list(labels[n] for n in met)) if met else "",
            "missed": len(missed),
            "missed_names": (colon + _list(labels[n] for n in missed)) if missed else "",
        }
    ]
    for indicator in kpi.INDICATORS:
        block = city["indicators"][indicator.name]
        figures = pgettext("separator of clauses", "；").join(
            _value_text(indicator.name, value, block) for value in _targeted(indicator, plan)
        )
        target = plan.targets.get(indicator.name) if plan else None
        if block["met"] is None:
            # The target text already says why nothing is judged ("…未设目标"): not twice.
            line = _("%(label)s：%(figures)s。%(target)s。") % {
                "label": indicator.label,
                "figures": figures,
                "target": block["target"],
            }
        else:
            line = _("%(label)s：%(figures)s。目标：%(target)s，%(result)s。") % {
                "label": indicator.label,
                "figures": figures,
                "target": block["target"],
                "result": _("已达标") if block["met"] else _("未达标"),
            }
        lines.append(line + no_base_note(target, block["average_growth"], plan))
    activities = city["activities"]
    plan = activities["roadshows"]["plan_period"]
    subsidies = activities["subsidies"]
    lines.append(
        _(
            "专项工作：%(start)s至%(end)s累计举办路演、供需对接活动%(events)s场（目标%(target)s场，%(events_result)s）；"
            "本年启动专利导航项目%(navigation)s项（%(navigation_result)s）；"
            "本年批准专利资助%(subsidies)s项、%(amount)s，违反50%%规定%(violations)s项；"
            "农牧业专利转化%(agri)s件，其中受让方在旗（县域）%(county)s件。"
        )
        % {
            "start": day_text(plan["start"]),
            "end": day_text(plan["counted_to"]),
            "events": plan["count"],
            "target": plan["target"],
            "events_result": _("已完成") if activities["roadshows"]["met"] else _("未完成"),
            "navigation": activities["navigation_projects"]["count"],
            "navigation_result": _("达到每年至少1项的目标")
            if activities["navigation_projects"]["met"]
            else _("未达到每年至少1项的目标"),
            "subsidies": subsidies["count"],
            "amount": wan_text(subsidies["amount"]),
            "violations": subsidies["violations"],
            "agri": activities["agricultural_patents"]["patents"],
            "county": activities["agricultural_patents"]["to_county_level"],
        }
    )
    ranked = [row for row in ranking if row["active"]]
    if ranked:
        top = _list(
            _("%(name)s（%(score).2f分）") % {"name": row["name"], "score": row["score"]}
            for row in ranked[:3]
        )
        lines.append(_("旗区绩效综合得分前三：%(top)s。") % {"top": top})
    idle = [row["name"] for row in ranking if not row["active"]]
    if idle:
        lines.append(_("本年与上年均无任何统计活动、未参与排名的旗区：%(names)s。") % {"names": _list(idle)})
    return "\n".join(lines)


def annual_report_content(
    *, year: int, generated_at: datetime.datetime | None = None, progress: Progress | None = None
) -> dict:
    """Everything an annual report holds, as JSON-ready data."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    progress = progress or (lambda percent, stage: None)
    plan = kpi.plan_for(year, kpi.plans_all())
    progress(10, _("计算全市指标"))
    city = kpi.kpi_report(year=year)
    progress(30, _("计算各旗区指标"))
    districts = kpi.kpi_districts(year=year)
    ranking = rank_districts(districts)
    progress(50, _("计算历年趋势"))
    trend = kpi.kpi_trend(year=year)
    return {
        "year": year,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "city": city,
        "districts": districts,
        "trend": trend,
        "ranking": district_ranking_from(year, ranking),
        "narrative": narrative(city, ranking, plan),
    }
