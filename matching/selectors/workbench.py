"""What waits for the actor in the matching workflow (the workbench counters)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from demands.models import Demand
from patents.models import Patent
from patents.permissions import managed_owner_ids
from portal.permissions import Actor, Role

from .. import permissions
from ..models import Inquiry, Match
from .matches import demand_list_unserved

NEW_MATCH_DAYS = 14


def matching_workbench_counts(*, actor: Actor) -> dict[str, int]:
    """What waits for the actor in the matching workflow (a query per kind of count):
    ``new_matches`` (recommendations for its open demands in the last ``NEW_MATCH_DAYS``),
    ``replies`` (its inquiries the owner answered, waiting for its next step), ``to_answer``
    (new inquiries about the patents it manages) and ``unserved`` (staff and agencies)."""
    counts: dict[str, int] = {}
    organization_id = actor.organization_id
    if organization_id is not None and actor.role == Role.SME:
        since = timezone.now() - dt.timedelta(days=NEW_MATCH_DAYS)
        counts["new_matches"] = Match.objects.filter(
            demand__organization_id=organization_id,
            demand__status=Demand.Status.OPEN,
            patent__listing_status=Patent.ListingStatus.PUBLISHED,
            created_at__gte=since,
        ).count()
        counts["replies"] = Inquiry.objects.filter(
            organization_id=organization_id, status=Inquiry.Status.REPLIED
        ).count()
    owner_ids = managed_owner_ids(actor)
    if owner_ids:
        counts["to_answer"] = Inquiry.objects.filter(
            patent__owner_id__in=owner_ids, status=Inquiry.Status.NEW
        ).count()
    if permissions.can_see_unserved(actor):
        counts["unserved"] = demand_list_unserved(actor=actor).order_by().count()
    return counts
