"""Template helpers of the reports: growth as a percentage, labels of indicators and values."""

from django import template

from reports import kpi
from reports.exports import growth_label

register = template.Library()


@register.filter
def growth_pct(value) -> str:
    """0.3333 → '+33.33%'; None → '—' (no growth without a previous value)."""
    return growth_label(value)


@register.filter
def indicator_label(name: str) -> str:
    return kpi.indicator_labels().get(name, name)


@register.simple_tag
def value_label(indicator: str, value: str) -> str:
    return kpi.value_label(indicator, value)


@register.filter
def growth_share(value) -> str:
    """A share 0.2531… as '25.31%'."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.2f}%"
