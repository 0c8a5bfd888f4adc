"""Template helpers of the matching pages: unread notification count, status badges, scores,
and the matches shown on the demand pages ("my demands", demand detail) and the patent page."""

from __future__ import annotations

from django import template

from demands import permissions as demand_permissions
from portal.permissions import actor_for

from .. import notification_texts, permissions, reasons, selectors
from ..models import Inquiry

register = template.Library()

STATUS_BADGES = {
    "new": "text-bg-primary",
    "replied": "text-bg-info",
    "negotiating": "text-bg-warning",
    "agreed": "text-bg-success",
    "declined": "text-bg-secondary",
    "withdrawn": "text-bg-light border",
}
EVENT_BADGES = {
    "roadshow": "text-bg-danger",
    "matchmaking": "text-bg-primary",
    "training": "text-bg-info",
    "bank_sme": "text-bg-warning",
}
PREVIEW = 5


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in user's unread notifications (counted once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = selectors.notification_unread_count(user=user)
        if request is not None:
            request._unread_notifications = cached
    return cached


@register.filter
def match_reason(reason: str) -> str:
    """A stored match reason in the reader's language."""
    return reasons.localize(str(reason))


@register.filter
def inquiry_badge(status: str) -> str:
    return STATUS_BADGES.get(str(status), "text-bg-light")


@register.filter
def inquiry_status_label(status: str) -> str:
    """The label of an inquiry status value (thread entries store the bare value)."""
    try:
        return Inquiry.Status(status).label
    except ValueError:
        return status or ""


@register.filter
def event_badge(kind: str) -> str:
    return EVENT_BADGES.get(str(kind), "text-bg-secondary")


@register.filter
def percent(score) -> str:
    """0.834 → "83%"."""
    try:
        return f"{float(score):.0%}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def score_bar(score) -> str:
    """Bootstrap background for a score: green from 70%, blue from 50%, grey below."""
    try:
        value = float(score)
    except (TypeError, ValueError):
        return "bg-secondary"
    if value >= 0.7:
        return "bg-success"
    if value >= 0.5:
        return "bg-primary"
    return "bg-secondary"


@register.simple_tag(takes_context=True)
def demand_matches(context, demand):
    """The matches of ``demand`` for the current user, or None when they may not see them.

    On a page listing several demands (context ``demands``), the matches of all of them are
    read in one query the first time and served from there (no query per demand)."""
    actor = context.get("actor") or actor_for(context["request"].user)
    if not permissions.can_see_demand_matches(actor, demand):
        return None
    # Kept on the request: each {% include %} renders with a fresh render_context.
    request = context.get("request")
    cache = getattr(request, "_matching_demand_matches", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._matching_demand_matches = cache
    if demand.pk not in cache:
        page = [d for d in (context.get("demands") or []) if getattr(d, "pk", None)]
        batch = page if any(d.pk == demand.pk for d in page) else [demand]
        for d in batch:
            cache.setdefault(d.pk, [])
        for match in selectors.match_list_for_demands(actor=actor, demands=batch):
            cache[match.demand_id].append(match)
    return cache[demand.pk]


@register.simple_tag(takes_context=True)
def patent_matches(context, patent, limit: int = PREVIEW):
    """The best demands matched to ``patent`` for its owner side and staff (None for others),
    as ``{"items": [...], "total": n}``."""
    actor = context.get("actor") or actor_for(context["request"].user)
    if not permissions.can_see_patent_matches(actor, patent):
        return None
    queryset = selectors.match_list_for_patent(actor=actor, patent=patent)
    return {"items": list(queryset[:limit]), "total": queryset.count()}


@register.filter
def notification_title(notification) -> str:
    """A notification's title in the reader's language (rendered from its text code)."""
    return notification_texts.notification_title(notification)


@register.filter
def notification_body(notification) -> str:
    """A notification's body in the reader's language (rendered from its text code)."""
    return notification_texts.notification_body(notification)


# --- Predicates for templates: pages display by permission, they never decide it themselves ---------


@register.filter
def may_send_match_inquiry(actor, demand) -> bool:
    """``{% if actor|may_send_match_inquiry:demand %}``: the demand's SME turns a match into an inquiry."""
    return permissions.can_send_match_inquiry(actor, demand)


@register.filter
def may_edit_demand(actor, demand) -> bool:
    return demand_permissions.can_edit(actor, demand)


@register.filter
def may_save_searches(actor) -> bool:
    return permissions.can_save_searches(actor)
