"""The plan's KPIs and activity figures, exactly as docs/kpi.md defines them.

Every figure is defined once, as the queryset of the records behind it (the ``*_records``
functions); the reports aggregate those same querysets and the drill-down pages list them, so a
number and the records shown for it cannot disagree.

Cost: a report runs ``QUERY_COUNT`` queries whatever the data size and however many years it
covers. Each query reads the records of all requested years once and computes one aggregate per
year with ``FILTER (WHERE ...)``; ``by_district=True`` groups the same queries by district.
"""

from portal.errors import ApplicationError

from .figures import (
    FIGURES,
    FIGURES_BY_KEY,
    FUNNEL_FIGURES,
    GROUPED_QUERY_COUNT,
    QUERY_COUNT,
    collect,
    query_count,
    so_far_figures,
)
from .indicators import (
    FUNNEL_STAGES,
    INDICATORS,
    INDICATORS_BY_NAME,
    funnel_labels,
    growth,
    indicator_labels,
    kpi_districts,
    kpi_funnel,
    kpi_report,
    kpi_trend,
    met_summary,
    money,
    trend_from_reports,
    trend_years,
    value_label,
)
from .records import (
    PLAN_END,
    PLAN_START,
    TREND_START,
    YEAR_MAX,
    YEAR_MIN,
    check_district,
    check_year,
    year_dates,
    year_moments,
)
from .targets import (
    AVERAGE_GROWTH_AT_LEAST,
    GROWTH_ABOVE,
    GROWTH_AT_LEAST,
    HIGHER,
    RULES,
    Plan,
    Target,
    average_growth,
    plan_for,
    plans_all,
    target_met,
)

__all__ = [
    "AVERAGE_GROWTH_AT_LEAST",
    "FIGURES",
    "FIGURES_BY_KEY",
    "FUNNEL_FIGURES",
    "FUNNEL_STAGES",
    "GROUPED_QUERY_COUNT",
    "GROWTH_ABOVE",
    "GROWTH_AT_LEAST",
    "HIGHER",
    "INDICATORS",
    "INDICATORS_BY_NAME",
    "PLAN_END",
    "PLAN_START",
    "QUERY_COUNT",
    "RULES",
    "TREND_START",
    "YEAR_MAX",
    "YEAR_MIN",
    "ApplicationError",
    "Plan",
    "Target",
    "average_growth",
    "check_district",
    "check_year",
    "collect",
    "funnel_labels",
    "growth",
    "indicator_labels",
    "kpi_districts",
    "kpi_funnel",
    "kpi_report",
    "kpi_trend",
    "met_summary",
    "money",
    "plan_for",
    "plans_all",
    "query_count",
    "so_far_figures",
    "target_met",
    "trend_from_reports",
    "trend_years",
    "value_label",
    "year_dates",
    "year_moments",
]
