"""The conversion loop for the bureau: the funnel from inquiries to paid deals, measured on the
links (``Deal.inquiry``), and the conversion effectiveness of deals from the SMEs' follow-up
answers (share implemented, revenue and jobs attributed), by industry, district and seller."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from finance.models import Deal, FollowUp, Payment, year_range
from matching.models import Inquiry
from portal.models import Organization

FUNNEL_STAGES = ("inquiries", "agreed", "signed", "registered", "paid")
GROUPS = ("industry", "district", "seller")


def funnel_labels() -> dict[str, str]:
    return {
        "inquiries": _("对接咨询"),
        "agreed": _("达成意向"),
        "signed": _("签订合同"),
        "registered": _("合同登记"),
        "paid": _("款项到账"),
    }


def conversion_funnel(*, year: int, district: str | None) -> list[dict]:
    """Inquiries opened in ``year`` (by SMEs of ``district``), and how many of them reached each
    stage, following the foreign keys: agreed, a deal linked to it (signed), that deal registered,
    that deal with a payment. Each stage with its share of the previous one."""
    start, end = year_range(year)
    inquiries = Inquiry.objects.filter(created_at__date__gte=start, created_at__date__lt=end)
    if district:
        inquiries = inquiries.filter(organization__region_id=district)
    linked = inquiries.filter(deal__isnull=False)
    paid = Exists(Payment.objects.filter(deal__inquiry=OuterRef("pk")))
    counts = {
        "inquiries": inquiries.count(),
        "agreed": inquiries.filter(status=Inquiry.Status.AGREED).count(),
        "signed": linked.count(),
        "registered": linked.exclude(deal__registration_no="").count(),
        "paid": linked.filter(paid).count(),
    }
    labels, rows, previous = funnel_labels(), [], None
    for stage in FUNNEL_STAGES:
        count = counts[stage]
        share = None if previous in (None, 0) else round(100 * count / previous)
        rows.append({"key": stage, "label": labels[stage], "count": count, "share": share})
        previous = count
    return rows


def _latest(field: str) -> Subquery:
    answered = FollowUp.objects.filter(deal=OuterRef("pk"), status=FollowUp.Status.ANSWERED).order_by(
        "-months"
    )
    return Subquery(answered.values(field)[:1])


def effectiveness_deals(
    *,
    year: int,
    district: str | None,
    industry: str = "",
    seller: int | None = None,
    buyer: int | None = None,
    place: str = "",
) -> QuerySet[Deal]:
    """Deals signed in ``year`` whose buyer is an SME (of ``district``), with their latest
    follow-up answer (``fu_*``), optionally narrowed to one industry (of their patents), one
    buyer district (``place``), one seller or one buyer."""
    start, end = year_range(year)
    deals = Deal.objects.filter(
        contract_date__gte=start, contract_date__lt=end, buyer__kind=Organization.Kind.SME
    )
    if district:
        deals = deals.filter(buyer__region_id=district)
    if place:
        deals = (
            deals.filter(buyer__region_id=place) if place != "-" else deals.filter(buyer__region__isnull=True)
        )
    if industry:
        if industry == "-":
            deals = deals.exclude(patents__industries__isnull=False)
        else:
            deals = deals.filter(patents__industries__code=industry)
    if seller:
        deals = deals.filter(seller_id=seller)
    if buyer:
        deals = deals.filter(buyer_id=buyer)
    return (
        deals.distinct()
        .annotate(
            fu_asked=Exists(FollowUp.objects.filter(deal=OuterRef("pk"))),
            fu_pk=_latest("pk"),
            fu_months=_latest("months"),
            fu_implemented=_latest("implemented"),
            fu_product=_latest("product"),
            fu_revenue=_latest("revenue"),
            fu_jobs=_latest("jobs"),
        )
        .select_related("buyer", "buyer__region", "seller")
        .prefetch_related("patents__industries")
        .order_by("-contract_date", "-pk")
    )


def _new_totals() -> dict[str, Any]:
    return {"deals": 0, "asked": 0, "answered": 0, "implemented": 0, "revenue": Decimal("0.00"), "jobs": 0}


def _add(totals: dict, deal: Deal) -> None:
    totals["deals"] += 1
    totals["asked"] += 1 if deal.fu_asked else 0
    if deal.fu_pk is not None:
        totals["answered"] += 1
        if deal.fu_implemented:
            totals["implemented"] += 1
            totals["revenue"] += deal.fu_revenue or Decimal("0.00")
            totals["jobs"] += deal.fu_jobs or 0


def _finish(totals: dict) -> dict:
    answered = totals["answered"]
    totals["share_implemented"] = round(100 * totals["implemented"] / answered) if answered else None
    return totals


def effectiveness_summary(*, year: int, district: str | None) -> dict:
    """The totals and the rows by industry, district and seller (each with its filter for the
    drill-down). Share implemented: of the deals whose SME answered a follow-up; revenue and jobs:
    the latest answers of implemented deals."""
    overall = _new_totals()
    groups: dict[str, dict[Any, dict]] = {name: {} for name in GROUPS}
    labels: dict[str, dict[Any, str]] = {name: {} for name in GROUPS}
    for deal in effectiveness_deals(year=year, district=district):
        _add(overall, deal)
        industries = {(i.code, i.label) for p in deal.patents.all() for i in p.industries.all()}
        keys = {
            "industry": industries or {("-", _("未分类"))},
            "district": {
                (deal.buyer.region_id or "-", deal.buyer.region.label if deal.buyer.region_id else _("市外"))
            },
            "seller": {(deal.seller_id, deal.seller.name)},
        }
        for name, pairs in keys.items():
            for key, label in pairs:
                labels[name][key] = label
                _add(groups[name].setdefault(key, _new_totals()), deal)
    rows = {
        name: sorted(
            ({"key": key, "label": labels[name][key], **_finish(totals)} for key, totals in by_key.items()),
            key=lambda row: (-row["deals"], str(row["label"])),
        )
        for name, by_key in groups.items()
    }
    return {"overall": _finish(overall), "rows": rows}


def group_filter(name: str, key: Any) -> dict[str, Any]:
    """The drill-down query of one group row."""
    return {"industry": {"industry": key}, "district": {"place": key}, "seller": {"seller": key}}[name]


def group_labels() -> dict[str, str]:
    return {"industry": _("按产业"), "district": _("按旗区（受让企业）"), "seller": _("按转让方/许可方")}


__all__ = [
    "FUNNEL_STAGES",
    "conversion_funnel",
    "effectiveness_deals",
    "effectiveness_summary",
    "funnel_labels",
    "group_filter",
    "group_labels",
]
