"""Reads of roadshows and matchmaking events: the calendar, an event's patents, demands and
registrations (as the actor may see them), counts and outcomes for the reports."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand
from patents.models import Patent
from portal.models import Industry
from portal.permissions import Actor

from .. import permissions
from ..filters import EventFilterSet
from ..models import Event, EventRegistration


def event_list(*, filters: dict | None = None, request=None) -> QuerySet[Event]:
    """Every event (the calendar is public), newest first, with its district, industries and
    the number of registered organizations (``registrations_count``)."""
    queryset = (
        Event.objects.select_related("district")
        .prefetch_related(
            Prefetch("industries", queryset=Industry.objects.only("id", "code", "name", "name_en"))
        )
        .annotate(registrations_count=Count("registrations", distinct=True))
        .order_by("-date", "-pk")
    )
    if filters is None:
        return queryset
    return EventFilterSet(filters, queryset=queryset, request=request).qs


def event_get(*, pk: int) -> Event:
    event = event_list().filter(pk=pk).first()
    if event is None:
        raise Http404(_("活动不存在。"))
    return event


def _visible_patents(actor: Actor) -> QuerySet[Patent]:
    return Patent.objects.visible_to(actor).select_related("owner").order_by("application_no")


def _visible_demands(actor: Actor) -> QuerySet[Demand]:
    return Demand.objects.visible_to(actor).select_related("organization", "industry").order_by("code")


def event_list_with_references(*, actor: Actor) -> QuerySet[Event]:
    """``event_list`` with each event's patents and demands the actor may see prefetched as
    ``visible_patents`` and ``visible_demands`` (what ``event_patents``/``event_demands`` answer
    for one event): the API lists them without a query per event."""
    return event_list().prefetch_related(
        Prefetch("patents", queryset=_visible_patents(actor), to_attr="visible_patents"),
        Prefetch("demands", queryset=_visible_demands(actor), to_attr="visible_demands"),
    )


def event_patents(*, actor: Actor, event: Event) -> list[Patent] | QuerySet[Patent]:
    """The event's patents the actor may see (published listings for the public)."""
    if hasattr(event, "visible_patents"):
        return event.visible_patents
    return _visible_patents(actor).filter(pk__in=event.patents.values("pk"))


def event_demands(*, actor: Actor, event: Event) -> list[Demand] | QuerySet[Demand]:
    """The event's demands the actor may see (summary at least)."""
    if hasattr(event, "visible_demands"):
        return event.visible_demands
    return _visible_demands(actor).filter(pk__in=event.demands.values("pk"))


def event_registrations(*, actor: Actor, event: Event) -> QuerySet[EventRegistration]:
    """Who registered: all of them for bureau staff, only one's own organization otherwise."""
    queryset = event.registrations.select_related("organization", "registered_by").order_by(
        "created_at", "pk"
    )
    if permissions.can_manage_events(actor):
        return queryset
    if actor.organization_id is None:
        return queryset.none()
    return queryset.filter(organization_id=actor.organization_id)


def events_by_month(events) -> list[tuple[dt.date, list[Event]]]:
    """Group events (already ordered) by the first day of their month, keeping the order."""
    groups: OrderedDict[dt.date, list[Event]] = OrderedDict()
    for event in events:
        groups.setdefault(event.date.replace(day=1), []).append(event)
    return list(groups.items())


def events_upcoming(*, today: dt.date | None = None) -> QuerySet[Event]:
    today = today or timezone.localdate()
    return event_list().filter(date__gte=today).order_by("date", "pk")


def events_past(*, today: dt.date | None = None) -> QuerySet[Event]:
    today = today or timezone.localdate()
    return event_list().filter(date__lt=today).order_by("-date", "-pk")


def events_count(
    *,
    kind: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    district_code: str | None = None,
    county_level_only: bool = False,
) -> int:
    """How many events took place (KPI "roadshows held"): of ``kind`` if given, with a date in
    [date_from, date_to] (both inclusive, either open), in one district or in county-level
    districts only."""
    queryset = Event.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lte=date_to)
    if district_code:
        queryset = queryset.filter(district_id=district_code)
    if county_level_only:
        queryset = queryset.filter(district__is_county_level=True)
    return queryset.count()


def event_outcomes(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """Totals over held events for reports: events per kind, intentions signed, registrations."""
    queryset = Event.objects.all()
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lte=date_to)
    per_kind = dict.fromkeys(Event.Kind.values, 0)
    per_kind.update(dict(queryset.order_by().values_list("kind").annotate(n=Count("pk"))))
    totals = queryset.aggregate(
        with_intentions=Count("pk", filter=Q(intentions_signed__gt=0)),
        intentions=Sum("intentions_signed"),
    )
    return {
        "by_kind": per_kind,
        "events": sum(per_kind.values()),
        "events_with_intentions": totals["with_intentions"],
        "intentions_signed": totals["intentions"] or 0,
        "registrations": EventRegistration.objects.filter(event__in=queryset).count(),
    }
