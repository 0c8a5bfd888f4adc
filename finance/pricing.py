"""Price guidance from the portal's own deals (issue 16, item 4).

For a patent and a deal kind, the recorded deals of that kind on comparable patents (same IPC
subclass as the patent's main classification, else one of its industries) give a reference: the
middle half of their amounts per patent, widened to coarse bands in 万元, how many deals and which
years. Nothing that could identify a deal leaves this module: no party, no deal number, no exact
amount; and no band is computed from fewer than ``MIN_DEALS`` deals (k-anonymity), in which case
the answer only says that there are too few.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from patents.models import Patent, PatentIpc

from .models import Deal, DealPatent

MIN_DEALS = 5  # k-anonymity: never a band from fewer deals
WAN = Decimal("10000")


class Basis:
    IPC = "ipc"
    INDUSTRY = "industry"


BASIS_LABELS = {Basis.IPC: _("同一IPC小类"), Basis.INDUSTRY: _("同一产业")}


@dataclass(frozen=True)
class Guidance:
    """The reference for one deal kind. ``enough`` False: fewer than MIN_DEALS comparable deals,
    and then nothing but the kind is set (not even the count, which would tell 1 from 4)."""

    kind: str
    enough: bool
    basis: str = ""
    comparable: str = ""  # the subclass code or the industry names the deals share
    count: int = 0
    low_wan: Decimal | None = None  # lower edge of the band holding the first quartile, 万元
    high_wan: Decimal | None = None  # upper edge of the band holding the third quartile, 万元
    first_year: int | None = None
    last_year: int | None = None

    @property
    def kind_label(self) -> str:
        return Deal.Kind(self.kind).label

    @property
    def basis_label(self) -> str:
        return str(BASIS_LABELS.get(self.basis, ""))

    def as_dict(self) -> dict:
        data = {"kind": self.kind, "enough": self.enough}
        if self.enough:
            data.update(
                basis=self.basis,
                comparable=self.comparable,
                count=self.count,
                low_wan=str(self.low_wan),
                high_wan=str(self.high_wan),
                first_year=self.first_year,
                last_year=self.last_year,
            )
        return data


def band_step(amount_wan: Decimal) -> Decimal:
    """The width of the coarse band an amount (万元) falls in: 1 below 10, 5 below 100, 50 below
    1000, else 500 (a 12.3万 deal reads as 10–15万, a 420万 one as 400–450万)."""
    if amount_wan < 10:
        return Decimal(1)
    if amount_wan < 100:
        return Decimal(5)
    if amount_wan < 1000:
        return Decimal(50)
    return Decimal(500)


def band_floor(amount_wan: Decimal) -> Decimal:
    step = band_step(amount_wan)
    return (amount_wan / step).to_integral_value(rounding=ROUND_FLOOR) * step


def band_ceiling(amount_wan: Decimal) -> Decimal:
    """The upper band edge, strictly above the amount (an amount on an edge opens the next band),
    so the range never ends on an exact amount."""
    step = band_step(amount_wan)
    return ((amount_wan / step).to_integral_value(rounding=ROUND_FLOOR) + 1) * step


def amount_range(amounts_wan: list[Decimal]) -> tuple[Decimal, Decimal]:
    """The interquartile range of ``amounts_wan`` (at least MIN_DEALS values) widened to bands."""
    if len(amounts_wan) < MIN_DEALS:
        raise ValueError("too few amounts for a band")
    q1, _median, q3 = statistics.quantiles(sorted(amounts_wan), n=4, method="inclusive")
    return band_floor(Decimal(q1)), band_ceiling(Decimal(q3))


def comparable_deals(*, kind: str, patent: Patent) -> tuple[str, str, QuerySet[Deal]]:
    """(basis, what is shared, deals): by IPC subclass if that finds MIN_DEALS deals, else by
    industry; deals of the kind, not terminated, with an amount (fee-waived ones say nothing about
    a price). Unscoped on purpose: only aggregates of it may leave this module."""
    base = Deal.objects.filter(kind=kind, contract_amount__gt=0).exclude(status=Deal.Status.TERMINATED)
    subclass = (patent.ipc_main or "").replace(" ", "")[:4].upper()
    if len(subclass) == 4:
        by_ipc = base.filter(
            Exists(
                DealPatent.objects.filter(
                    deal_id=OuterRef("pk"),
                    patent_id__in=PatentIpc.objects.filter(subclass=subclass).values("patent_id"),
                )
            )
        )
        if by_ipc.count() >= MIN_DEALS:
            return Basis.IPC, subclass, by_ipc
    industries = list(patent.industries.all())
    if industries:
        through = Patent.industries.through
        by_industry = base.filter(
            Exists(
                DealPatent.objects.filter(
                    deal_id=OuterRef("pk"),
                    patent_id__in=through.objects.filter(industry__in=industries).values("patent_id"),
                )
            )
        )
        return Basis.INDUSTRY, "、".join(i.name for i in industries), by_industry
    return Basis.IPC, subclass, base.none()


def price_guidance(*, patent: Patent, kind: str) -> Guidance:
    """The reference for ``kind`` deals on patents like ``patent`` (see the module docstring)."""
    basis, comparable, deals = comparable_deals(kind=kind, patent=patent)
    rows = list(
        deals.annotate(patent_count=Count("patents", distinct=True)).values_list(
            "contract_amount", "patent_count", "contract_date"
        )
    )
    if len(rows) < MIN_DEALS:
        return Guidance(kind=kind, enough=False)
    # A deal of several patents counts at its amount per patent.
    amounts = [amount / max(count, 1) / WAN for amount, count, _date in rows]
    low, high = amount_range(amounts)
    years = [date.year for _amount, _count, date in rows]
    return Guidance(
        kind=kind,
        enough=True,
        basis=basis,
        comparable=comparable,
        count=len(rows),
        low_wan=low,
        high_wan=high,
        first_year=min(years),
        last_year=max(years),
    )


def price_guidance_for_patent(*, patent: Patent) -> list[Guidance]:
    """One reference per deal kind the listing offers (transfer when it offers none)."""
    kinds = patent.deal_kinds or [Patent.DealKind.TRANSFER]
    return [price_guidance(patent=patent, kind=kind) for kind in kinds]
