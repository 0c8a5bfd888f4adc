"""What a clean-up changes in the KPIs: the figures of every indicator, year and scope (the city
and each district) before and after the change, computed in the same transaction.

``apply_with_impact`` runs the change inside a transaction between two KPI computations, diffs
them, and rolls everything back for a preview (``dry_run``) or when a changed year's annual
report is approved (frozen) and the second confirmation is missing. Nothing is computed twice:
the change that is kept is the one whose effect was measured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event
from portal.models import Region
from portal.permissions import Actor
from reports.kpi import INDICATORS, collect, money, value_label
from reports.kpi.indicators import indicator_labels
from reports.models import AnnualReport

from .models import CleanupRun, FrozenReportChange

# The years compared: from the first year with records, at most the last 15 (a KPI report's
# trend shows at most as many).
IMPACT_YEARS = 15
DATED_RECORDS = (
    (Deal, "contract_date"),
    (Payment, "date"),
    (Pledge, "registration_date"),
    (InsurancePolicy, "start_date"),
    (Subsidy, "decision_date"),
    (ProductFiling, "filing_date"),
    (Event, "date"),
)


def impact_years(today=None) -> list[int]:
    """The years whose figures a change could move: from the first year any KPI record is dated
    in (or an annual report exists for) to this year, at most ``IMPACT_YEARS``. Fewer years make
    the four KPI computations of a preview cheaper."""
    year = (today or timezone.localdate()).year
    firsts = [model.objects.aggregate(first=Min(field))["first"] for model, field in DATED_RECORDS]
    first_years = [d.year for d in firsts if d is not None]
    first_years += list(AnnualReport.objects.values_list("year", flat=True))
    start = max(min(first_years, default=year), year - IMPACT_YEARS + 1)
    return list(range(min(start, year), year + 1))


def _value(raw: dict, key: str, year: int):
    value = raw.get(key, {}).get(year)
    return Decimal(0) if value is None else Decimal(value)


def kpi_snapshot(years: list[int]) -> dict[str | None, dict]:
    """{scope: raw figures}: None is the city, a region code a district."""
    snapshot = dict(collect(years, by_district=True))
    snapshot.pop(None, None)  # organizations outside the city: not a district
    snapshot[None] = collect(years).get(None, {})
    return snapshot


def kpi_diff(before: dict, after: dict, years: list[int]) -> list[dict]:
    """Every indicator value that differs: scope, year, indicator, value, before, after."""
    names = {r.code: r.label for r in Region.objects.all()}
    labels = indicator_labels()
    changes = []
    scopes = sorted(set(before) | set(after), key=lambda s: (s is not None, s or ""))
    for scope in scopes:
        old, new = before.get(scope, {}), after.get(scope, {})
        for year in years:
            for indicator in INDICATORS:
                for name, key in indicator.values.items():
                    a, b = _value(old, key, year), _value(new, key, year)
                    if a != b:
                        shown = money if name in indicator.amounts else (lambda v: str(int(v)))
                        changes.append(
                            {
                                "scope": scope,
                                "scope_label": str(_("全市")) if scope is None else names.get(scope, scope),
                                "year": year,
                                "indicator": indicator.name,
                                "indicator_label": str(labels[indicator.name]),
                                "value": name,
                                "value_label": str(value_label(indicator.name, name)),
                                "before": shown(a),
                                "after": shown(b),
                            }
                        )
    return sorted(changes, key=lambda c: (c["year"], c["scope"] is not None, c["scope"] or ""))


def frozen_years() -> dict[int, AnnualReport]:
    return {r.year: r for r in AnnualReport.objects.filter(status=AnnualReport.Status.APPROVED)}


class FrozenConfirmationRequired(Exception):
    """The change moves figures of a year whose annual report is approved: confirm again."""

    def __init__(self, outcome: Outcome):
        super().__init__(
            _("变更涉及已审定的年度报告：%(years)s，须再次确认。") % {"years": outcome.frozen_label}
        )
        self.outcome = outcome


@dataclass
class Outcome:
    applied: bool
    details: dict
    impact: list[dict]
    frozen: list[int]
    run: CleanupRun | None = None
    summary: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def frozen_label(self) -> str:
        return "、".join(str(year) for year in self.frozen)

    @property
    def changed_years(self) -> list[int]:
        return sorted({c["year"] for c in self.impact})


def apply_with_impact(
    *,
    kind: str,
    apply: Callable[[], tuple[str, dict]],
    actor: Actor,
    dry_run: bool = False,
    confirm_frozen: bool = False,
    years: list[int] | None = None,
) -> Outcome:
    """Run ``apply`` (returns a summary and the details to keep) between two KPI computations.
    Applied for real only when not ``dry_run`` and, if a frozen year's figures move,
    ``confirm_frozen``; then recorded as a ``CleanupRun`` and logged on each frozen report.
    Raises ``FrozenConfirmationRequired`` (nothing written) when that confirmation is missing."""
    years = years or impact_years()
    with transaction.atomic():
        before = kpi_snapshot(years)
        summary, details = apply()
        after = kpi_snapshot(years)
        impact = kpi_diff(before, after, years)
        reports = frozen_years()
        frozen = sorted({c["year"] for c in impact} & set(reports))
        outcome = Outcome(False, details, impact, frozen, summary=summary)
        if dry_run:
            transaction.set_rollback(True)
            return outcome
        if frozen and not confirm_frozen:
            transaction.set_rollback(True)
            raise FrozenConfirmationRequired(outcome)
        outcome.run = CleanupRun.objects.create(
            kind=kind,
            summary=summary[:500],
            details=details,
            impact=impact,
            frozen_years=frozen,
            performed_by=actor.user,
        )
        FrozenReportChange.objects.bulk_create(
            FrozenReportChange(
                report=reports[year],
                run=outcome.run,
                changes=[c for c in impact if c["year"] == year],
                confirmed_by=actor.user,
            )
            for year in frozen
        )
        outcome.applied = True
        return outcome
