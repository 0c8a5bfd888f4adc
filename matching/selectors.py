"""Reads of the matching workflow, already narrowed to what the actor may see, with the related
rows their pages and serializers display (no N+1)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import OrderedDict

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand
from patents.models import Patent
from patents.permissions import managed_owner_ids
from portal.models import Industry
from portal.permissions import Actor, Role

from . import permissions
from .models import Event, EventRegistration, Inquiry, InquiryMessage, Match, Notification, Subscription

# --- Inquiries ----------------------------------------------------------------------------------

CLOSED_STATUSES = tuple(permissions.CLOSED_STATUSES)


def _inquiry_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("patent", "patent__owner", "organization", "demand", "created_by", "deal")


def inquiry_list(*, actor: Actor, filters: dict | None = None, request=None) -> QuerySet[Inquiry]:
    """Inquiries the actor may read (see matching.permissions), most recently active first;
    filtered by ``InquiryFilterSet`` when ``filters`` is given."""
    condition = permissions.inquiry_visible_q(actor)
    queryset = Inquiry.objects.all() if condition is None else Inquiry.objects.filter(condition)
    queryset = _inquiry_related(queryset).order_by("-updated_at", "-pk")
    if filters is None:
        return queryset
    from .filters import InquiryFilterSet

    return InquiryFilterSet(filters, queryset=queryset, request=request).qs


def inquiry_get(*, actor: Actor, pk: int) -> Inquiry:
    """One inquiry the actor may read; 404 whether it is missing or not theirs."""
    inquiry = inquiry_list(actor=actor).filter(pk=pk).first()
    if inquiry is None:
        raise Http404(_("咨询不存在。"))
    return inquiry


CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def _contacts(organization) -> dict:
    return {"organization": organization.name, **{f: getattr(organization, f) for f in CONTACT_FIELDS}}


def inquiry_contacts(*, actor: Actor, inquiry: Inquiry) -> dict | None:
    """Both organizations' contact details (``owner`` and ``asker``), or None while they are
    not released to the actor: double opt-in, see matching.permissions.can_see_contacts."""
    if not permissions.can_see_contacts(actor, inquiry):
        return None
    return {"owner": _contacts(inquiry.patent.owner), "asker": _contacts(inquiry.organization)}


def inquiry_messages(*, inquiry: Inquiry) -> QuerySet[InquiryMessage]:
    """The thread, oldest first."""
    return inquiry.messages.select_related("author", "organization").order_by("created_at", "pk")


def inquiry_open_for(*, organization_id: int, patent_id: int) -> Inquiry | None:
    """The asking organization's open inquiry about this patent, if any (duplicates are refused)."""
    return (
        Inquiry.objects.filter(organization_id=organization_id, patent_id=patent_id)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("-pk")
        .first()
    )


def inquiry_status_counts(*, actor: Actor) -> dict[str, int]:
    """Inquiries the actor may read, per status (every status present, 0 when none)."""
    rows = inquiry_list(actor=actor).order_by().values_list("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(Inquiry.Status.values, 0)
    counts.update(dict(rows))
    return counts


def inquiry_stats(*, actor: Actor, year: int | None = None, district_code: str | None = None) -> dict:
    """Figures for reports over the inquiries the actor may read (created in ``year`` if given):

    - ``total`` and ``by_status`` (every status, 0 when none);
    - ``replied``: how many got a first reply, ``median_first_reply``: the median time from
      sending to the owner's first reply (a ``timedelta``, None without replies) and
      ``median_first_reply_hours`` (float or None);
    - ``agreed`` and ``conversion_rate``: agreed / total (None when there are none);
    - ``reply_rate``: replied / total (None when there are none).
    ``district_code`` narrows to inquiries whose asking SME is in that district.
    """
    queryset = inquiry_list(actor=actor).order_by()
    if year is not None:
        queryset = queryset.filter(created_at__year=year)
    if district_code:
        queryset = queryset.filter(organization__region_id=district_code)
    by_status = dict.fromkeys(Inquiry.Status.values, 0)
    by_status.update(dict(queryset.values_list("status").annotate(n=Count("pk"))))
    total = sum(by_status.values())
    delays = [
        replied - created
        for created, replied in queryset.filter(first_replied_at__isnull=False).values_list(
            "created_at", "first_replied_at"
        )
    ]
    median = statistics.median(delays) if delays else None
    agreed = by_status[Inquiry.Status.AGREED]
    return {
        "total": total,
        "by_status": by_status,
        "replied": len(delays),
        "median_first_reply": median,
        "median_first_reply_hours": round(median.total_seconds() / 3600, 1) if median is not None else None,
        "agreed": agreed,
        "conversion_rate": agreed / total if total else None,
        "reply_rate": len(delays) / total if total else None,
    }


# --- Matches ------------------------------------------------------------------------------------


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


# --- Notifications ------------------------------------------------------------------------------


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    queryset = Notification.objects.filter(user=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-pk")


def notification_get(*, user, pk: int) -> Notification:
    notification = notification_list(user=user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("通知不存在。"))
    return notification


def notification_unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- Events -------------------------------------------------------------------------------------


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
    from .filters import EventFilterSet

    return EventFilterSet(filters, queryset=queryset, request=request).qs


def event_get(*, pk: int) -> Event:
    event = event_list().filter(pk=pk).first()
    if event is None:
        raise Http404(_("活动不存在。"))
    return event


def event_patents(*, actor: Actor, event: Event) -> QuerySet[Patent]:
    """The event's patents the actor may see (published listings for the public)."""
    return (
        event.patents.all()
        .filter(pk__in=Patent.objects.visible_to(actor).values("pk"))
        .select_related("owner")
        .order_by("application_no")
    )


def event_demands(*, actor: Actor, event: Event) -> QuerySet[Demand]:
    """The event's demands the actor may see (summary at least)."""
    return (
        event.demands.all()
        .filter(pk__in=Demand.objects.visible_to(actor).values("pk"))
        .select_related("organization", "industry")
        .order_by("code")
    )


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


# --- Subscriptions (issue 16, item 5) ---------------------------------------------------------------


def subscription_list(*, user) -> QuerySet[Subscription]:
    """The user's own saved searches and subscriptions, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    return Subscription.objects.filter(user=user).order_by("-created_at", "-pk")


def subscription_get(*, user, pk: int) -> Subscription:
    """One of the user's subscriptions; 404 for another user's or a missing one."""
    return get_object_or_404(subscription_list(user=user), pk=pk)


# --- Workbench ------------------------------------------------------------------------------------

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
