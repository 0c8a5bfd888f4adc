"""Display helpers for patents: IPC titles, status badges, protection remaining."""

from django import template
from django.utils.translation import gettext as _

from patents import ipc
from patents.selectors import patent_review_queue_count
from portal.permissions import actor_for

register = template.Library()

LISTING_BADGES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-warning",
    "published": "text-bg-success",
    "expired": "text-bg-light border",
    "withdrawn": "text-bg-light border",
    "traded": "text-bg-primary",
}
LEGAL_BADGES = {
    "pending": "text-bg-info",
    "granted": "text-bg-success",
    "lapsed": "text-bg-danger",
    "expired": "text-bg-dark",
    "invalidated": "text-bg-danger",
}


@register.filter
def ipc_subclass_title(code: str) -> str:
    """The title of the subclass of a code in the reader's language ("H01M 10/052" -> 用于直接转变化学能为电能…)."""
    code = (code or "").strip()
    return ipc.title_of(code[:4]) if len(code) >= 4 else ipc.title_of(code)


@register.filter
def listing_badge(status: str) -> str:
    return LISTING_BADGES.get(status, "text-bg-secondary")


@register.filter
def legal_badge(status: str) -> str:
    return LEGAL_BADGES.get(status, "text-bg-secondary")


@register.filter
def years_left(patent) -> str:
    years = patent.years_remaining
    if years is None:
        return _("未知")
    if years <= 0:
        return _("已届满")
    return _("%(years)s 年") % {"years": f"{years:g}"}


@register.filter
def split_semicolon(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


@register.filter
def get_list(mapping, key) -> list:
    """mapping[key] or [] (for dicts of selected filter values)."""
    return mapping.get(key, []) if hasattr(mapping, "get") else []


@register.simple_tag(takes_context=True)
def review_queue_count(context) -> int:
    """Listings waiting in the signed-in reviewer's queue (the navbar badge; counted once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_review_queue_count", None)
    if cached is None:
        cached = patent_review_queue_count(actor=actor_for(user))
        if request is not None:
            request._review_queue_count = cached
    return cached
