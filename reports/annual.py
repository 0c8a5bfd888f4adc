"""The content of an annual report: the year's KPIs for the city and each district, the trend
since 2021, the activity targets, the district ranking and a short narrative of what was met."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import kpi
from .exports import growth_label
from .ranking import district_ranking_from, rank_districts


def _value_text(indicator: str, value: str, block: dict) -> str:
    return _("%(label)s %(value)s（上年 %(previous)s，同比 %(growth)s）") % {
        "label": kpi.value_label(indicator, value),
        "value": block["values"][value],
        "previous": block["previous"][value],
        "growth": growth_label(block["growth"][value]),
    }


def _list(items) -> str:
    return pgettext("list separator", "、").join(items)


def narrative(city: dict, ranking: list[dict]) -> str:
    """A few sentences in Chinese: which targets were met, with the figures behind them."""
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
            _value_text(indicator.name, value, block) for value in indicator.targeted
        )
        lines.append(
            _("%(label)s：%(figures)s。目标：%(target)s，%(result)s。")
            % {
                "label": indicator.label,
                "figures": figures,
                "target": block["target"],
                "result": _("已达标") if block["met"] else _("未达标"),
            }
        )
    activities = city["activities"]
    plan = activities["roadshows"]["plan_period"]
    subsidies = activities["subsidies"]
    lines.append(
        _(
            "专项工作：%(start)s至%(end)s累计举办路演、供需对接活动%(events)s场（目标%(target)s场，%(events_result)s）；"
            "本年启动专利导航项目%(navigation)s项（%(navigation_result)s）；"
            "本年批准专利资助%(subsidies)s项、%(amount)s元，违反50%%规定%(violations)s项；"
            "农牧业专利转化%(agri)s件，其中受让方在旗（县域）%(county)s件。"
        )
        % {
            "start": plan["start"],
            "end": plan["counted_to"],
            "events": plan["count"],
            "target": plan["target"],
            "events_result": _("已完成") if activities["roadshows"]["met"] else _("未完成"),
            "navigation": activities["navigation_projects"]["count"],
            "navigation_result": _("达到每年至少1项的目标")
            if activities["navigation_projects"]["met"]
            else _("未达到每年至少1项的目标"),
            "subsidies": subsidies["count"],
            "amount": subsidies["amount"],
            "violations": subsidies["violations"],
            "agri": activities["agricultural_patents"]["patents"],
            "county": activities["agricultural_patents"]["to_county_level"],
        }
    )
    if ranking:
        top = _list(
            _("%(name)s（%(score).2f分）") % {"name": row["name"], "score": row["score"]}
            for row in ranking[:3]
        )
        lines.append(_("旗区绩效综合得分前三：%(top)s。") % {"top": top})
    return "\n".join(lines)


def annual_report_content(*, year: int, generated_at: datetime.datetime | None = None) -> dict:
    """Everything an annual report holds, as JSON-ready data."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    city = kpi.kpi_report(year=year)
    districts = kpi.kpi_districts(year=year)
    ranking = rank_districts(districts)
    return {
        "year": year,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "city": city,
        "districts": districts,
        "trend": kpi.kpi_trend(year=year),
        "ranking": district_ranking_from(year, ranking),
        "narrative": narrative(city, ranking),
    }
