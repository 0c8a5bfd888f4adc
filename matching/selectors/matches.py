"""Reads of matches: recommendations for demands, patents and owners, their JSON shape, and the
demands nothing serves yet."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from demands.models import Demand
from patents.models import Patent
from portal.permissions import Actor

from .. import permissions
from ..models import Inquiry, Match


def _open_inquiry_subquery(organization_ref: str, field: str) -> Subquery:
    """The newest inquiry by the demand's organization about the match's patent."""
    return Subquery(
        Inquiry.objects.filter(organization_id=OuterRef(organization_ref), patent_id=OuterRef("patent_id"))
        .order_by("-pk")
        .values(field)[:1]
    )


def _with_inquiry(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        inquiry_id=_open_inquiry_subquery("demand__organization_id", "pk"),
        inquiry_status=_open_inquiry_subquery("demand__organization_id", "status"),
    )


def match_list_for_demands(*, actor: Actor, demands) -> QuerySet[Match]:
    """The matches of several demands (each one the actor may see matches of), best first,
    with the patent, its owner and the newest inquiry (``inquiry_id``, ``inquiry_status``)
    the demand's organization sent about it. Only published patents are proposed to SMEs."""
    allowed = [d.pk for d in demands if permissions.can_see_demand_matches(actor, d)]
    queryset = Match.objects.filter(demand_id__in=allowed)
    queryset = queryset.filter(permissions.match_visible_q(actor))
    return _with_inquiry(
        queryset.select_related("patent", "patent__owner", "demand", "demand__organization")
    ).order_by("demand_id", "rank", "-score", "pk")


def match_list_for_demand(*, actor: Actor, demand: Demand) -> QuerySet[Match]:
    """The matches of one demand: to its SME's members and bureau staff only (others get none)."""
    return match_list_for_demands(actor=actor, demands=[demand]).order_by("rank", "-score", "pk")


def match_list_for_patent(*, actor: Actor, patent: Patent) -> QuerySet[Match]:
    """The demands matched to one patent: to its owner side and bureau staff only, and only
    demands the actor may see (open public summaries at least)."""
    if not permissions.can_see_patent_matches(actor, patent):
        return Match.objects.none()
    return match_list_for_owner(actor=actor).filter(patent=patent)


def match_list_for_owner(*, actor: Actor, owner_id: int | None = None) -> QuerySet[Match]:
    """Matches of the patents the actor manages (institution, its agencies; all for city-level
    staff), best first, each with its demand and any inquiry its SME sent about the patent."""
    queryset = Match.objects.filter(permissions.owner_match_q(actor))
    if owner_id is not None:
        queryset = queryset.filter(patent__owner_id=owner_id)
    visible_demands = Demand.objects.visible_to(actor).filter(
        status__in=(Demand.Status.OPEN, Demand.Status.MATCHED)
    )
    queryset = queryset.filter(demand__in=visible_demands)
    return _with_inquiry(
        queryset.select_related(
            "patent",
            "patent__owner",
            "demand",
            "demand__organization",
            "demand__industry",
            "demand__district",
        )
    ).order_by("-score", "pk")


def match_json_row(application_no: str, score: float, reasons: list, tier: str) -> dict:
    """One match in the interface shape of ``match --json`` and the API."""
    return {
        "application_no": application_no,
        "score": round(score, 4),
        "reasons": list(reasons),
        "tier": tier,
    }


MATCH_JSON_FIELDS = ("patent__application_no", "score", "reasons", "tier")


def match_json_for_demand(*, actor: Actor, demand: Demand) -> dict:
    """``{"demand": CODE, "matches": [...]}`` of one demand, best first, in one query: only what
    the engine recommended (every stored match), published patents only for non-staff; 404 for
    those who may not see the demand's matches."""
    if not permissions.can_see_demand_matches(actor, demand):
        raise Http404(_("需求不存在。"))
    queryset = Match.objects.filter(demand=demand)
    queryset = queryset.filter(permissions.match_visible_q(actor))
    rows = queryset.order_by("rank", "pk").values_list(*MATCH_JSON_FIELDS)
    return {"demand": demand.code, "matches": [match_json_row(*row) for row in rows]}


def demand_list_unserved(*, actor: Actor) -> QuerySet[Demand]:
    """Open demands the actor may see for which the engine recommends nothing: the supply gap
    the bureau can act on (targeted outreach, navigation projects). With their organization,
    industry and district; oldest first (waiting longest)."""
    if not permissions.can_see_unserved(actor):
        return Demand.objects.none()
    return (
        Demand.objects.visible_to(actor)
        .filter(status=Demand.Status.OPEN)
        .exclude(pk__in=Match.objects.values("demand_id"))
        .select_related("organization", "industry", "district")
        .order_by("published_at", "pk")
    )


def unserved_by_industry(queryset: QuerySet[Demand]) -> list[dict]:
    """How many of these demands fall in each industry (none last), most first."""
    rows = (
        queryset.order_by()
        .values("industry__code", "industry__name", "industry__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "industry__code")
    )
    return sorted(rows, key=lambda r: (r["industry__code"] is None, -r["n"], r["industry__code"] or ""))


def match_get(*, actor: Actor, pk: int) -> Match:
    """A match the actor may see (demand side or patent side); 404 otherwise."""
    match = (
        Match.objects.select_related("patent", "patent__owner", "demand", "demand__organization")
        .filter(pk=pk)
        .first()
    )
    if match is None or not (
        permissions.can_see_demand_matches(actor, match.demand)
        or permissions.can_see_patent_matches(actor, match.patent)
    ):
        raise Http404(_("匹配结果不存在。"))
    return match
