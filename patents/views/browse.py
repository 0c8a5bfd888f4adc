"""Public pages: the patent list (keyword search ordered by relevance), its cards, a patent's detail."""

from __future__ import annotations

import hashlib
from functools import partial

from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language

from portal.models import Industry, Organization, Region
from portal.pagination import CachedPaginator
from portal.permissions import actor_for

from .. import ipc, permissions, selectors, services
from ..filters import RELEVANCE, SORT_CHOICES, PatentFilterSet
from ..forms import FeeReductionForm
from ..models import Patent
from ..search import RelevancePaginator, keyword_page_query, query_terms
from ._shared import CARDS_CACHE_SECONDS, FLAG_FILTERS, PAGE_SIZES, page_size

# --- Browse -----------------------------------------------------------------------------------


def patent_list(request):
    actor = actor_for(request.user)
    queryset = selectors.patent_list(actor=actor, industries=False)
    # Always bound (an empty query string sorts by default); an invalid value ignores that filter.
    filterset = PatentFilterSet(request.GET, queryset=queryset, request=request)
    results = filterset.qs
    sort = filterset.sort_key
    terms = query_terms(request.GET.get("q") or "")
    keyword = bool(terms)

    def listed() -> int:
        return CachedPaginator(queryset, 1).count

    if sort == RELEVANCE and len(terms) == 1:
        paginator = RelevancePaginator(results, page_size(request), term=terms[0], listed=listed)
    else:
        page_query = keyword_page_query(listed=listed) if keyword and sort != RELEVANCE else None
        paginator = CachedPaginator(results, page_size(request), page_query=page_query)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    ipc_class = (request.GET.get("ipc_class") or "").upper()
    # What the filter sidebar shows: the filters chosen in it, and whether anything is filtered
    # (its "clear all" link). The keyword box, page, sort and page size are outside it, so every
    # keyword search without other filters shares one cached sidebar.
    filter_items = sorted(
        (key, value)
        for key, values in request.GET.lists()
        if key not in ("page", "sort", "per_page")
        for value in values
        if value
    )
    sidebar_items = [(key, value) for key, value in filter_items if key != "q"]
    context = {
        "filter": filterset,
        "page_obj": page,
        "industries": Industry.objects.all(),
        "regions": Region.objects.all(),
        "ipc_tree": ipc.section_class_tree,  # called by the template only when the sidebar is not cached
        "ipc_subclasses": ipc.subclasses_of(ipc_class) if len(ipc_class) == 3 else [],
        # Relevance is offered (and the default) only with a keyword.
        "sort_choices": [(value, label) for value, label in SORT_CHOICES if keyword or value != RELEVANCE],
        "sort": sort,
        # The default order is submitted as "no choice", so that typing a keyword on a page sorted
        # by default gives relevance, and clearing it the newest first.
        "sort_default": RELEVANCE if keyword else "newest",
        "owner_kinds": [(k.value, k.label) for k in Organization.SUPPLIER_KINDS],
        "patent_types": Patent.Type.choices,
        "legal_statuses": Patent.LegalStatus.choices,
        "deal_kinds": Patent.DealKind.choices,
        "page_sizes": PAGE_SIZES,
        "selected": request.GET,
        "sel": {key: request.GET.getlist(key) for key in request.GET},
        "flag_filters": FLAG_FILTERS,
        "trl_levels": range(1, 10),
        "filtered": bool(filter_items),
        "filter_key": f"{int(bool(filter_items))}|{urlencode(sidebar_items)}",
        "today": today,
        "cards": _patent_cards(request, list(page), today),
    }
    return render(request, "patents/patent_list.html", context)


def _patent_cards(request, patents: list[Patent], today) -> str:
    """The result cards of a page: one cache entry (one round trip) while none of its patents
    changed; on a miss each card may still come from its own entry (_patent_card.html)."""
    if not patents:
        return ""
    shown = [(p.pk, p.updated_at.isoformat(), p.owner.updated_at.isoformat()) for p in patents]
    digest = hashlib.sha256(repr((shown, today.isoformat(), get_language())).encode()).hexdigest()
    key = f"patents:cards:{digest}"
    cards = cache.get(key)
    if cards is None:
        selectors.patent_cards_related(patents)
        cards = render_to_string("patents/_patent_cards.html", {"patents": patents, "today": today}, request)
        cache.set(key, cards, CARDS_CACHE_SECONDS)
    return cards


def ipc_subclasses(request):
    """The subclass options of one IPC class (htmx partial for the browse filter)."""
    klass = (request.GET.get("ipc_class") or "").upper()[:3]
    return render(
        request,
        "patents/_ipc_subclass_select.html",
        {"ipc_subclasses": ipc.subclasses_of(klass) if len(klass) == 3 else [], "selected": request.GET},
    )


def _inquiry_url(patent: Patent) -> str | None:
    for name, kwargs in (
        ("matching:inquiry-create", {"application_no": patent.application_no}),
        ("matching:inquiry-create", {"pk": patent.pk}),
    ):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def patent_detail(request, application_no: str):
    actor = actor_for(request.user)
    patent = selectors.patent_get(actor=actor, application_no=application_no)
    can_edit = permissions.can_edit(actor, patent)
    today = timezone.localdate()
    protection_percent = None
    if patent.application_date and patent.expiry_date and patent.expiry_date > patent.application_date:
        elapsed = (today - patent.application_date).days / (patent.expiry_date - patent.application_date).days
        protection_percent = round(min(max(elapsed, 0.0), 1.0) * 100)
    context = {
        "patent": patent,
        "ipc_codes": partial(ipc.titles_for, patent.ipc_list),  # called only when not cached
        "open_license": services.open_license_standing(patent),
        "fee_reductions": selectors.patent_fee_reductions(patent=patent),
        "fee_reduction_form": FeeReductionForm() if can_edit else None,
        "can_edit": can_edit,
        "can_review": permissions.can_review(actor, patent),
        "can_publish": permissions.can_publish_directly(actor, patent),
        "protection_percent": protection_percent,
        # Double opt-in: others reach the owner through an inquiry, whose acceptance releases
        # both sides' contact details; only the owner side and bureau staff see them here.
        "show_contact_person": permissions.can_see_contact_person(actor, patent),
        "inquiry_url": _inquiry_url(patent),
        "can_inquire": permissions.offers_inquiry(actor),
        "history": selectors.patent_history(patent=patent) if can_edit else None,
        "today": today,
    }
    return render(request, "patents/patent_detail.html", context)
