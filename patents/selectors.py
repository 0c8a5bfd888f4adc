"""Reads for the patents app: querysets already narrowed to what the actor may see, with the
related rows their callers display (no N+1)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Industry, Organization
from portal.permissions import Actor

from . import permissions
from .identifiers import normalize_application_no, parse_application_no
from .models import AnnualFeeReduction, NavigationProject, OpenLicense, Patent, SupplyBulletin


def _industries() -> Prefetch:
    return Prefetch(
        "industries", queryset=Industry.objects.only("id", "code", "name", "name_en", "is_agricultural")
    )


def _with_related(queryset: QuerySet) -> QuerySet:
    # The search columns are large and never displayed.
    queryset = queryset.defer(
        "search_text", "search_latin", "search_bigram_codes", "search_head", "search_tail", "search_body_end"
    )
    return queryset.select_related("owner", "owner__region").prefetch_related(_industries())


def patent_cards_related(patents: list[Patent]) -> None:
    """Load the industries of ``patents`` read without them (``patent_list(...,
    industries=False)``), for their result cards."""
    prefetch_related_objects(patents, _industries())


def patent_list(
    *, actor: Actor, filters: dict | None = None, request=None, industries: bool = True
) -> QuerySet:
    """Patents the actor may see (published listings for the public), filtered by
    ``PatentFilterSet`` when ``filters`` (a QueryDict or dict) is given. ``industries=False``
    leaves their industries to ``patent_cards_related`` (the browse page needs them only for
    the cards it has not cached)."""
    queryset = _with_related(Patent.objects.visible_to(actor)).order_by("-published_at", "-id")
    if not industries:
        queryset = queryset.prefetch_related(None)
    if filters is None:
        return queryset
    from django.http import QueryDict

    from .filters import PatentFilterSet

    if not isinstance(filters, QueryDict):
        data = QueryDict(mutable=True)
        for key, value in filters.items():
            data.setlist(key, value if isinstance(value, list | tuple) else [value])
        filters = data

    return PatentFilterSet(filters, queryset=queryset, request=request).qs


def _canonical(application_no: str) -> str:
    try:
        return parse_application_no(application_no).canonical
    except Exception:  # an unparsable number is simply not found
        raise Http404(_("专利不存在。")) from None


def _by_number(queryset: QuerySet, application_no: str) -> Patent | None:
    canonical = _canonical(application_no)
    if not application_no.isascii():
        # A row stored in another script's digits before numbers were folded (migration 0008
        # keeps such a row when its ASCII twin exists) is reached by its own link.
        legacy = queryset.filter(application_no=application_no.upper()).first()
        if legacy is not None:
            return legacy
    return queryset.filter(application_no=canonical).first()


# Not white space: a number may be written with spaces in it ("2021 1012 3456.X").
NUMBERS_SPLIT = re.compile(r"[\r\n;；,，、|]+")


def patents_by_numbers(value: str | list[str], *, single: bool = False) -> list[Patent]:
    """Patents from application numbers (a list, or text with one per line, or separated by
    semicolons or commas), in the order given, each once; the ValidationError names every bad or
    unknown number. The one look-up of forms, serializers and importers that take numbers."""
    parts = value if isinstance(value, list | tuple) else [value or ""]
    numbers = [n.strip() for part in parts for n in NUMBERS_SPLIT.split(str(part)) if n.strip()]
    if single and len(numbers) > 1:
        raise ValidationError(_("只能填写一个申请号。"))
    errors, canonical = [], []
    for number in numbers:
        try:
            canonical.append(normalize_application_no(number))
        except ValidationError as exc:
            errors.extend(exc.messages)
    found = {p.application_no: p for p in Patent.objects.filter(application_no__in=canonical)}
    missing = [n for n in canonical if n not in found]
    if missing:
        errors.append(
            _("平台上没有这些专利：%(numbers)s（请先登记或导入专利）。") % {"numbers": "、".join(missing)}
        )
    if errors:
        raise ValidationError(errors)
    return list({n: found[n] for n in canonical}.values())


def patent_get(*, actor: Actor, pk: int | None = None, application_no: str | None = None) -> Patent:
    """One patent the actor may see; 404 whether it is missing or not visible."""
    queryset = _with_related(Patent.objects.visible_to(actor))
    patent = queryset.filter(pk=pk).first() if pk is not None else _by_number(queryset, application_no or "")
    if patent is None:
        raise Http404(_("专利不存在。"))
    return patent


def patent_get_editable(*, actor: Actor, application_no: str) -> Patent:
    """A patent the actor may edit; 404 otherwise (also when it is visible but not theirs)."""
    patent = _by_number(_with_related(Patent.objects.editable_by(actor)), application_no)
    if patent is None:
        raise Http404(_("专利不存在。"))
    return patent


def patent_inventory(*, actor: Actor, owner: Organization | None = None) -> QuerySet:
    """The patents an institution or agency manages (all listing statuses), newest change first."""
    queryset = Patent.objects.editable_by(actor)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    return _with_related(queryset).order_by("-updated_at", "-id")


def patent_inventory_owners(*, actor: Actor) -> QuerySet:
    """The organizations whose inventory the actor manages (an agency may have several)."""
    return Organization.objects.filter(pk__in=permissions.managed_owner_ids(actor)).order_by("name")


def patent_review_queue(*, actor: Actor) -> QuerySet:
    """Submitted listings the actor may review, oldest first."""
    queryset = Patent.objects.filter(
        permissions.reviewable_q(actor), listing_status=Patent.ListingStatus.SUBMITTED
    )
    return _with_related(queryset).order_by("submitted_at", "id")


def patent_open_licenses(*, patent: Patent) -> QuerySet:
    return OpenLicense.objects.filter(patent=patent).order_by("-starts_on", "-id")


def patent_history(*, patent: Patent, limit: int = 20) -> QuerySet:
    return patent.history.select_related("history_user").order_by("-history_date")[:limit]


def patent_fee_reductions(*, patent: Patent) -> QuerySet:
    """The annual-fee reductions granted under the patent's open-license declarations."""
    return AnnualFeeReduction.objects.filter(open_license__patent=patent).order_by("fee_year", "pk")


def patent_counts_by_status(*, queryset: QuerySet) -> dict[str, int]:
    return dict(queryset.order_by().values_list("listing_status").annotate(n=Count("id")))


# --- Supply bulletins -------------------------------------------------------------------------


def supply_bulletin_list() -> QuerySet:
    return SupplyBulletin.objects.order_by("-month")


def supply_bulletin_get(*, year: int, month: int) -> SupplyBulletin:
    try:
        first = datetime.date(year, month, 1)
    except ValueError:
        raise Http404(_("公告不存在。")) from None
    bulletin = SupplyBulletin.objects.filter(month=first).first()
    if bulletin is None:
        raise Http404(_("公告不存在。"))
    return bulletin


def supply_bulletin_patents(*, bulletin: SupplyBulletin) -> QuerySet:
    """The bulletin's patents as published (a snapshot: shown even if later withdrawn)."""
    return _with_related(bulletin.patents.all()).order_by("published_at", "id")


# --- Navigation projects ----------------------------------------------------------------------


def navigation_project_list(*, filters: dict | None = None) -> QuerySet:
    queryset = NavigationProject.objects.select_related("industry", "enterprise", "region").order_by(
        "-year_started", "title"
    )
    filters = filters or {}
    if filters.get("kind") in NavigationProject.Kind.values:
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("status") in NavigationProject.Status.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("industry"):
        queryset = queryset.filter(industry__code=filters["industry"])
    return queryset


def navigation_project_get(*, pk: int) -> NavigationProject:
    project = (
        NavigationProject.objects.select_related("industry", "enterprise", "region").filter(pk=pk).first()
    )
    if project is None:
        raise Http404(_("项目不存在。"))
    return project


# --- Workbench ------------------------------------------------------------------------------------

LISTING_EXPIRY_WARNING_DAYS = 30


def patent_listings_expiring_q(today: datetime.date) -> Q:
    """Published listings whose 12 months end within ``LISTING_EXPIRY_WARNING_DAYS``."""
    until = today + datetime.timedelta(days=LISTING_EXPIRY_WARNING_DAYS)
    return Q(listing_status=Patent.ListingStatus.PUBLISHED, listed_until__gte=today, listed_until__lte=until)


def patent_workbench_counts(*, actor: Actor, today: datetime.date | None = None) -> dict[str, int]:
    """What waits for the actor among listings (at most three queries): of the inventory it
    manages, ``submitted`` (awaiting review), ``returned`` (sent back with a note) and
    ``expiring``; ``review``: the review queue it works through (reviewers only)."""
    today = today or timezone.localdate()
    counts = {}
    owner_ids = permissions.managed_owner_ids(actor)
    if owner_ids:
        counts = Patent.objects.filter(owner_id__in=owner_ids).aggregate(
            submitted=Count("pk", filter=Q(listing_status=Patent.ListingStatus.SUBMITTED)),
            returned=Count("pk", filter=Q(listing_status=Patent.ListingStatus.DRAFT) & ~Q(review_note="")),
            expiring=Count("pk", filter=patent_listings_expiring_q(today)),
        )
    if permissions.can_review_any(actor):
        counts["review"] = patent_review_queue(actor=actor).order_by().count()
    return counts


def patent_review_queue_count(*, actor: Actor) -> int:
    """The size of the actor's review queue (0 for anyone who reviews nothing): the nav badge."""
    if not permissions.can_review_any(actor):
        return 0
    return patent_review_queue(actor=actor).order_by().count()


def patent_open_license_count(*, industry_ids: list[int]) -> int:
    """Published open-licence offers in any of the industries (an SME's own)."""
    if not industry_ids:
        return 0
    return (
        Patent.objects.published()
        .filter(open_license=True, industries__in=industry_ids)
        .values("pk")
        .distinct()
        .count()
    )
