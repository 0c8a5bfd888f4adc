"""The indicators: values, previous year, growth, target and met flag, assembled from the raw
figures; and the public reads (report, per district, trend, funnel)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from portal.models import Region

from .figures import FUNNEL_FIGURES, Raw, collect
from .records import (
    CENT,
    GROWTH_PLACES,
    NAVIGATION_TARGET,
    PLAN_END,
    PLAN_START,
    ROADSHOW_TARGET,
    TREND_MAX_YEARS,
    TREND_START,
    plan_period_end,
)
from .targets import (
    Plan,
    as_float,
    average_growth,
    no_plan_text,
    plan_for,
    plans_all,
    target_met,
    target_text,
)

# --- Indicators ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One KPI: its values (name -> "figure.measure"), which of them are amounts, and the values
    the district ranking compares (those the plan's targets name; see reports/ranking.py)."""

    name: str
    values: dict[str, str]
    amounts: frozenset[str]
    ranked: tuple[str, ...]

    @property
    def label(self) -> str:
        return indicator_labels()[self.name]


def _deal_values(prefix: str) -> dict[str, str]:
    return {
        "deals": f"{prefix}_deals.deals",
        "patents": f"{prefix}_patents.patents",
        "contract_amount": f"{prefix}_deals.contract_amount",
        "received_amount": f"{prefix}_payments.received_amount",
    }


DEAL_AMOUNTS = frozenset({"contract_amount", "received_amount"})
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "sme_acquisitions",
        _deal_values("sme"),
        DEAL_AMOUNTS,
        ("patents", "contract_amount", "received_amount"),
    ),
    Indicator(
        "institution_transfers",
        _deal_values("institution"),
        DEAL_AMOUNTS,
        ("patents", "contract_amount", "received_amount"),
    ),
    Indicator(
        "smes_benefited",
        {
            "count": "smes_benefited.count",
            "revenue": "smes_benefited.revenue",
            "employees": "smes_benefited.employees",
        },
        frozenset({"revenue"}),
        ("count", "revenue", "employees"),
    ),
    Indicator(
        "sme_pledge_financing",
        {"count": "pledges.count", "amount": "pledges.amount"},
        frozenset({"amount"}),
        ("count", "amount"),
    ),
    Indicator("product_filings", {"count": "filings.count"}, frozenset(), ("count",)),
)
INDICATORS_BY_NAME = {indicator.name: indicator for indicator in INDICATORS}


def indicator_labels() -> dict[str, str]:
    return {
        "sme_acquisitions": _("中小微企业获得专利转化"),
        "institution_transfers": _("高校院所专利转化"),
        "smes_benefited": _("受益中小微企业"),
        "sme_pledge_financing": _("中小微企业专利质押融资"),
        "product_filings": _("专利产品备案"),
    }


def value_labels() -> dict[str, str]:
    return {
        "deals": _("交易数"),
        "patents": _("专利数"),
        "contract_amount": _("合同成交额"),
        "received_amount": _("实际到账金额"),
        "count": _("数量"),
        "revenue": _("营业收入"),
        "employees": _("从业人数"),
        "amount": _("金额"),
    }


AMOUNT_VALUES = frozenset({"contract_amount", "received_amount", "revenue", "amount"})


def value_label(indicator: str, value: str, *, unit: bool = True) -> str:
    """The name of one value of an indicator; amounts carry their unit (元) unless ``unit=False``."""
    special = {
        ("smes_benefited", "count"): _("受益企业数"),
        ("sme_pledge_financing", "count"): _("质押笔数"),
        ("sme_pledge_financing", "amount"): _("融资金额"),
        ("product_filings", "count"): _("备案数"),
    }
    label = special.get((indicator, value)) or value_labels()[value]
    if unit and value in AMOUNT_VALUES:
        return _("%(label)s（元）") % {"label": label}
    return label


def money(value) -> str:
    """An amount in yuan as a string with two decimals."""
    return str(Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP))


def growth(value, previous) -> float | None:
    """(value − previous) / previous rounded half-up to 4 places; None when previous is 0."""
    value, previous = Decimal(value or 0), Decimal(previous or 0)
    if previous == 0:
        return None
    return float(((value - previous) / previous).quantize(GROWTH_PLACES, rounding=ROUND_HALF_UP))


def _get(raw: Raw, key: str, year: int):
    value = raw.get(key, {}).get(year)
    return 0 if value is None else value


def _exact_values(indicator: Indicator, raw: Raw, year: int) -> dict[str, Any]:
    return {name: _get(raw, key, year) for name, key in indicator.values.items()}


def _shown(indicator: Indicator, values: dict) -> dict:
    return {name: money(v) if name in indicator.amounts else int(v) for name, v in values.items()}


def indicator_block(indicator: Indicator, raw: Raw, year: int, plan: Plan | None = None) -> dict:
    """Values, previous values, growth, average growth since the plan's base year, the plan's
    target and whether it is met (None when no plan period covers the year, or the plan sets no
    target for the indicator)."""
    current = _exact_values(indicator, raw, year)
    previous = _exact_values(indicator, raw, year - 1)
    if plan is not None and plan.covers(year):
        years = year - plan.base_year
        base = _exact_values(indicator, raw, plan.base_year)
        averages = {
            name: as_float(average_growth(current[name], base[name], years)) for name in indicator.values
        }
        target = plan.targets.get(indicator.name)
    else:
        plan, years, base, target = None, None, None, None
        averages = dict.fromkeys(indicator.values)
    if target is None:
        text, met = no_plan_text(year) if plan is None else _("规划未设该指标目标"), None
    else:
        names = [value_label(indicator.name, name, unit=False) for name in target.values]
        text = target_text(names, target, plan)
        met = target_met(
            target.rule, current, previous, target.values, threshold=target.threshold, base=base, years=years
        )
    return {
        "values": _shown(indicator, current),
        "previous": _shown(indicator, previous),
        "growth": {name: growth(current[name], previous[name]) for name in indicator.values},
        "average_growth": averages,
        "target": text,
        "met": met,
    }


def activities_block(raw: Raw, year: int) -> dict:
    roadshows, roadshows_before = _get(raw, "events.count", year), _get(raw, "events.count", year - 1)
    plan_count = _get(raw, "events.plan_period", year)
    navigation, navigation_before = (
        _get(raw, "navigation.count", year),
        _get(raw, "navigation.count", year - 1),
    )
    subsidies, subsidies_before = _get(raw, "subsidies.count", year), _get(raw, "subsidies.count", year - 1)
    amount, amount_before = _get(raw, "subsidies.amount", year), _get(raw, "subsidies.amount", year - 1)
    violations = _get(raw, "subsidies.violations", year)
    return {
        "roadshows": {
            "count": roadshows,
            "previous": roadshows_before,
            "growth": growth(roadshows, roadshows_before),
            "plan_period": {
                "start": PLAN_START.isoformat(),
                "end": PLAN_END.isoformat(),
                "counted_to": plan_period_end(year).isoformat(),
                "count": plan_count,
                "target": ROADSHOW_TARGET,
            },
            "target": _("2021年至2023年底举办路演、供需对接活动不少于%(n)s场") % {"n": ROADSHOW_TARGET},
            "met": plan_count >= ROADSHOW_TARGET,
        },
        "navigation_projects": {
            "count": navigation,
            "previous": navigation_before,
            "growth": growth(navigation, navigation_before),
            "target": _("每年启动专利导航项目不少于%(n)s项") % {"n": NAVIGATION_TARGET},
            "met": navigation >= NAVIGATION_TARGET,
        },
        "subsidies": {
            "count": subsidies,
            "amount": money(amount),
            "previous": {"count": subsidies_before, "amount": money(amount_before)},
            "growth": {"count": growth(subsidies, subsidies_before), "amount": growth(amount, amount_before)},
            "violations": violations,
            "target": _("资助金额不超过已缴官费的50%（违规0项）"),
            "met": violations == 0,
        },
        "agricultural_patents": {
            "patents": _get(raw, "agricultural.patents", year),
            "to_county_level": _get(raw, "agricultural.to_county_level", year),
            "target": _("农牧业专利优先向旗（县域）转移转化（规划未设数量目标）"),
            "met": None,
        },
    }


def report_from_raw(raw: Raw, year: int, district: str | None, plan: Plan | None = None) -> dict:
    return {
        "year": year,
        "district": district,
        "plan": plan.as_json() if plan is not None else None,
        "indicators": {
            indicator.name: indicator_block(indicator, raw, year, plan) for indicator in INDICATORS
        },
        "activities": activities_block(raw, year),
    }


def _years_with_base(years: list[int], plans: list[Plan]) -> list[int]:
    """The years to read: each year and the one before, and the base year of each year's plan."""
    wanted = {y for year in years for y in (year - 1, year)}
    for year in years:
        plan = plan_for(year, plans)
        if plan is not None:
            wanted.add(plan.base_year)
    return sorted(wanted)


# --- Public reads ----------------------------------------------------------------------------------


def kpi_report(*, year: int, district: str | None = None) -> dict:
    """The KPI report of ``year`` for the city or one district (the command's and API's JSON)."""
    plans = plans_all()
    raw = collect(_years_with_base([year], plans), district).get(None, {})
    return report_from_raw(raw, year, district, plan_for(year, plans))


def kpi_districts(*, year: int) -> list[dict]:
    """The same report for every district, from the same queries grouped by district."""
    plans = plans_all()
    plan = plan_for(year, plans)
    raw_by_district = collect(_years_with_base([year], plans), by_district=True)
    return [
        {
            "code": region.code,
            "name": region.label,
            **report_from_raw(raw_by_district.get(region.code, {}), year, region.code, plan),
        }
        for region in Region.objects.order_by("code")
    ]


def trend_years(year: int, start: int = TREND_START) -> list[int]:
    """From ``start`` (or ``year``, if earlier) to ``year``: at most the last TREND_MAX_YEARS."""
    return list(range(max(min(start, year), year - TREND_MAX_YEARS + 1), year + 1))


def kpi_trend(*, year: int, district: str | None = None, start: int = TREND_START) -> dict:
    """Each indicator's values, growth, average growth and met flag for every year from ``start``
    to ``year``."""
    years = trend_years(year, start)
    plans = plans_all()
    raw = collect(_years_with_base(years, plans), district).get(None, {})
    reports = {y: report_from_raw(raw, y, district, plan_for(y, plans)) for y in years}
    return trend_from_reports(years, reports, district)


def trend_from_reports(years: list[int], reports: dict[int, dict], district: str | None) -> dict:
    indicators = {}
    for indicator in INDICATORS:
        blocks = [reports[y]["indicators"][indicator.name] for y in years]
        indicators[indicator.name] = {
            "values": {name: [block["values"][name] for block in blocks] for name in indicator.values},
            "growth": {name: [block["growth"][name] for block in blocks] for name in indicator.values},
            "average_growth": {
                name: [block["average_growth"][name] for block in blocks] for name in indicator.values
            },
            "met": [block["met"] for block in blocks],
        }
    activities = {
        "roadshows": [reports[y]["activities"]["roadshows"]["count"] for y in years],
        "navigation_projects": [reports[y]["activities"]["navigation_projects"]["count"] for y in years],
        "subsidies": [reports[y]["activities"]["subsidies"]["count"] for y in years],
    }
    return {"district": district, "years": years, "indicators": indicators, "activities": activities}


FUNNEL_STAGES = ("demands", "matches", "inquiries", "deals")


def funnel_labels() -> dict[str, str]:
    return {
        "demands": _("发布技术需求"),
        "matches": _("供需匹配"),
        "inquiries": _("对接咨询"),
        "deals": _("达成交易"),
    }


def kpi_funnel(*, year: int, district: str | None = None) -> dict:
    """Demands published → matches proposed → inquiries sent → deals signed, in ``year``, by or
    for SMEs in the city (the district)."""
    raw = collect([year], district, figures=FUNNEL_FIGURES).get(None, {})
    keys = {
        "demands": "demands.count",
        "matches": "matches.count",
        "inquiries": "inquiries.count",
        "deals": "sme_deals.deals",
    }
    return {
        "year": year,
        "district": district,
        "stages": [
            {"key": stage, "label": funnel_labels()[stage], "count": _get(raw, keys[stage], year)}
            for stage in FUNNEL_STAGES
        ],
    }


def met_summary(report: dict) -> tuple[list[str], list[str]]:
    """Names of the indicators met and not met."""
    met = [name for name, block in report["indicators"].items() if block["met"]]
    missed = [name for name, block in report["indicators"].items() if block["met"] is False]
    return met, missed
