"""Plan periods and their targets as the KPI reads see them: average annual growth since the
plan's base year, the target rules, and the text of each target.

The plans are data (``reports.models.PlanPeriod`` and ``PlanTarget``, seeded with the 2021-2023
plan); they are read once per report, all of them in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.models import PlanPeriod

GROWTH_PLACES = Decimal("0.0001")
_HALF_STEP = Fraction(1, 20000)  # half of the last place kept (0.00005)

AVERAGE_GROWTH_AT_LEAST = "average_growth_at_least"
GROWTH_AT_LEAST = "growth_at_least"
GROWTH_ABOVE = "growth_above"
HIGHER = "higher"
RULES = (AVERAGE_GROWTH_AT_LEAST, GROWTH_AT_LEAST, GROWTH_ABOVE, HIGHER)


@dataclass(frozen=True)
class Target:
    rule: str
    threshold: Decimal
    values: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    name: str
    base_year: int
    first_year: int
    last_year: int
    targets: dict[str, Target] = field(default_factory=dict)

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "base_year": self.base_year,
            "first_year": self.first_year,
            "last_year": self.last_year,
        }


def plans_all() -> list[Plan]:
    """Every plan period with its targets, in one query (the table holds a handful of rows)."""
    rows = PlanPeriod.objects.order_by("first_year", "targets__id").values_list(
        "pk",
        "name",
        "base_year",
        "first_year",
        "last_year",
        "targets__indicator",
        "targets__rule",
        "targets__threshold",
        "targets__values",
    )
    plans: dict[int, tuple[tuple, dict]] = {}
    for pk, name, base, first, last, indicator, rule, threshold, values in rows:
        _head, targets = plans.setdefault(pk, ((name, base, first, last), {}))
        if indicator:
            targets[indicator] = Target(rule, Decimal(threshold), tuple(values or ()))
    return [Plan(*head, targets=targets) for head, targets in plans.values()]


def plan_for(year: int, plans: Iterable[Plan]) -> Plan | None:
    """The plan period that ``year`` belongs to (periods never overlap), or None."""
    return next((plan for plan in plans if plan.covers(year)), None)


def average_growth(value, base, years: int) -> Decimal | None:
    """(value / base)^(1 / years) − 1, rounded half-up to 4 places, exactly; None when base is 0.

    Exact: the root is estimated in floating decimal, then the rounded result q is checked with
    integer powers of fractions (q − 0.00005 ≤ root − 1 < q + 0.00005) and moved by one place if
    the estimate fell on the wrong side of a rounding boundary."""
    value, base = Decimal(value or 0), Decimal(base or 0)
    if base <= 0 or value < 0 or years < 1:
        return None
    ratio = Fraction(value) / Fraction(base)
    estimate = Decimal(0)
    if ratio:
        with localcontext() as context:
            context.prec = 40
            estimate = (Decimal(ratio.numerator) / Decimal(ratio.denominator)) ** (
                Decimal(1) / Decimal(years)
            )
    rounded = (estimate - 1).quantize(GROWTH_PLACES, rounding=ROUND_HALF_UP)

    def low(q: Decimal) -> Fraction:
        return max(Fraction(0), 1 + Fraction(q) - _HALF_STEP) ** years

    def high(q: Decimal) -> Fraction:
        return (1 + Fraction(q) + _HALF_STEP) ** years

    while rounded > -1 and low(rounded) > ratio:
        rounded -= GROWTH_PLACES
    while high(rounded) <= ratio:
        rounded += GROWTH_PLACES
    return rounded


def as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def target_met(
    rule: str,
    values: dict,
    previous: dict,
    targeted: Iterable[str],
    *,
    threshold: Decimal = Decimal(0),
    base: dict | None = None,
    years: int | None = None,
) -> bool:
    """Whether every targeted value meets the rule; decided on the exact values, never on a
    rounded growth. ``base`` and ``years`` (Y − base year) are needed by the average-growth rule."""
    threshold = Decimal(threshold)
    targeted = list(targeted)
    if rule == AVERAGE_GROWTH_AT_LEAST:
        if base is None or not years:
            return False
        # (v / b)^(1/n) − 1 ≥ t  ⇔  v ≥ b × (1 + t)^n, for b > 0.
        return all(
            Decimal(base[name] or 0) > 0
            and Fraction(Decimal(values[name] or 0))
            >= Fraction(Decimal(base[name])) * (1 + Fraction(threshold)) ** years
            for name in targeted
        )
    pairs = [(Decimal(values[name] or 0), Decimal(previous[name] or 0)) for name in targeted]
    if rule == GROWTH_AT_LEAST:
        return all(p > 0 and v >= p * (1 + threshold) for v, p in pairs)
    if rule == GROWTH_ABOVE:
        return all(p > 0 and v > p * (1 + threshold) for v, p in pairs)
    if rule == HIGHER:
        return all(v > p for v, p in pairs)
    raise ValueError(rule)


def _percent(threshold: Decimal) -> str:
    text = f"{threshold * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def target_text(names: list[str], target: Target, plan: Plan) -> str:
    """The target in words, e.g. 专利数、合同成交额、实际到账金额年均增幅均不低于20%（基期2020年）."""
    listed = pgettext("list separator", "、").join(names)
    threshold = _percent(target.threshold)
    if len(names) == 1:
        return _one_value_text(listed, target, plan, threshold)
    if target.rule == AVERAGE_GROWTH_AT_LEAST:
        return _("%(values)s年均增幅均不低于%(threshold)s（基期%(base)s年）") % {
            "values": listed,
            "threshold": threshold,
            "base": plan.base_year,
        }
    if target.rule == GROWTH_AT_LEAST:
        return _("%(values)s同比增长均不低于%(threshold)s") % {"values": listed, "threshold": threshold}
    if target.rule == GROWTH_ABOVE:
        if target.threshold == 0:
            return _("%(values)s同比均增长（增长率大于0）") % {"values": listed}
        return _("%(values)s同比增长均高于%(threshold)s") % {"values": listed, "threshold": threshold}
    return _("%(values)s均高于上年") % {"values": listed}


def _one_value_text(name: str, target: Target, plan: Plan, threshold: str) -> str:
    if target.rule == AVERAGE_GROWTH_AT_LEAST:
        return _("%(value)s年均增幅不低于%(threshold)s（基期%(base)s年）") % {
            "value": name,
            "threshold": threshold,
            "base": plan.base_year,
        }
    if target.rule == GROWTH_AT_LEAST:
        return _("%(value)s同比增长不低于%(threshold)s") % {"value": name, "threshold": threshold}
    if target.rule == GROWTH_ABOVE:
        if target.threshold == 0:
            return _("%(value)s同比增长（增长率大于0）") % {"value": name}
        return _("%(value)s同比增长高于%(threshold)s") % {"value": name, "threshold": threshold}
    return _("%(value)s高于上年") % {"value": name}


def no_base_note(target: Target | None, averages: dict, plan: Plan | None) -> str:
    """Why an average-growth target cannot be met: a targeted value was 0 in the base year."""
    if target is None or plan is None or target.rule != AVERAGE_GROWTH_AT_LEAST:
        return ""
    if all(averages.get(name) is not None for name in target.values):
        return ""
    return _(
        "基期（%(base)s年）数值为0，无法计算年均增幅，按规则判为未达标；如有基期数据，请补录后重新生成。"
    ) % {"base": plan.base_year}


def no_plan_text(year: int) -> str:
    return _("%(year)s 年不在已录入的规划期内，未设目标") % {"year": year}
