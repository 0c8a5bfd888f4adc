"""Reads of inquiries: the ones an actor may read, their thread, contacts and statistics."""

from __future__ import annotations

import statistics

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.permissions import Actor

from .. import permissions
from ..filters import InquiryFilterSet
from ..models import Inquiry, InquiryMessage

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
