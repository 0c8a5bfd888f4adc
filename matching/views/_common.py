"""Helpers shared by the matching pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 20


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback
