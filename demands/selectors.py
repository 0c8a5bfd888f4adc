"""Reads of demands, already narrowed to what the asking user may see."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Demand
from .permissions import as_actor

_RELATED = ("organization", "industry", "district", "duplicate_of")


def demand_list(*, actor) -> QuerySet[Demand]:
    """Demands the actor may see, newest first, each annotated with ``can_view_details``.

    Anonymous visitors and most roles: open public demands (summary only); the owning SME's
    members: all of their own too; verified institutions and agencies: every open demand with
    details; bureau staff and district officers: every demand. See demands.permissions.
    """
    actor = as_actor(actor)
    return (
        Demand.objects.visible_to(actor)
        .with_detail_access(actor)
        .select_related(*_RELATED)
        .order_by("-published_at", "-id")
    )


def demand_get(*, actor, code: str) -> Demand:
    """One demand by code; 404 whether it does not exist or the actor may not see it."""
    return get_object_or_404(demand_list(actor=actor), code=code)


def demands_by_codes(codes: list[str]) -> list[Demand]:
    """Demands from their codes (any case), in the order given, each once; the ValidationError
    names every unknown code. The one look-up of the forms and serializers that take codes."""
    codes = [code.strip().upper() for code in codes if code.strip()]
    found = {d.code: d for d in Demand.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(_("未找到需求：%(codes)s。") % {"codes": "、".join(missing)})
    return [found[c] for c in dict.fromkeys(codes)]


def demand_list_mine(*, actor) -> QuerySet[Demand]:
    """The demands of the actor's own organization (all statuses), for the "my demands" page."""
    actor = as_actor(actor)
    if actor.organization_id is None:
        return Demand.objects.none()
    return (
        Demand.objects.editable_by(actor)
        .with_detail_access(actor)
        .select_related(*_RELATED)
        .order_by("-updated_at", "-id")
    )


def demand_status_counts(*, actor) -> dict[str, int]:
    """How many of the actor's own demands are in each status (for the tabs of "my demands")."""
    actor = as_actor(actor)
    rows = Demand.objects.editable_by(actor).values("status").annotate(n=Count("pk")).order_by()
    counts = {status: 0 for status in Demand.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def demand_list_open() -> QuerySet[Demand]:
    """Every open demand, unscoped, for the matching engine and reports (not for display)."""
    return Demand.objects.open().select_related("organization", "industry", "district").order_by("pk")


def demand_open_count() -> int:
    """Open public demands (the home page counter)."""
    return Demand.objects.open().filter(visibility=Demand.Visibility.PUBLIC).count()


def demand_duplicates_of(*, demand: Demand) -> QuerySet[Demand]:
    """Demands flagged as possible duplicates of this one."""
    return demand.duplicates.filter(Q(status=Demand.Status.DRAFT) | Q(status=Demand.Status.OPEN))


DEMAND_EXPIRY_WARNING_DAYS = 14


def demand_expiry_warning_date(today: dt.date | None = None) -> dt.date:
    """Open demands whose deadline falls on or before this day are "about to expire"."""
    return (today or timezone.localdate()) + dt.timedelta(days=DEMAND_EXPIRY_WARNING_DAYS)


def demand_expiring_count(*, actor, today: dt.date | None = None) -> int:
    """The actor's own open demands that expire within ``DEMAND_EXPIRY_WARNING_DAYS`` (one query)."""
    actor = as_actor(actor)
    if actor.organization_id is None:
        return 0
    today = today or timezone.localdate()
    return (
        Demand.objects.editable_by(actor)
        .filter(
            status=Demand.Status.OPEN,
            deadline__gte=today,
            deadline__lte=demand_expiry_warning_date(today),
        )
        .count()
    )
