"""Pagination helpers shared by the apps' list pages."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

CACHE_SECONDS = 60


class CachedPaginator(Paginator):
    """A paginator that remembers, for a minute, how many results a query has and which rows
    make up each of its pages.

    Counting every match of a common keyword (tens of thousands of patents) is most of a search
    page's database time, and finding the first page of a three-character term means checking the
    full text of every patent holding its character pairs. A visitor paging back and forth, or
    many visitors running the same popular search, would do both again on every request. The key
    is the query's SQL and parameters, so different filters, and different visitors' scopes (an
    owner also sees their drafts), never share an entry.

    What may lag by up to a minute is the total (and so the number of pages) and which rows a page
    holds; the rows themselves are read fresh on every request, through the same query, so a row
    that no longer matches (withdrawn, edited) drops out at once instead of being shown stale.

    ``page_query(queryset, count=, top=)``, when given, may rewrite the query that reads a page
    once the count is known (the same rows in the same order, planned differently): the count
    and the remembered rows stay keyed by the original query."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page_query=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.page_query = page_query

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        # Django cuts the last page at the count; a remembered count may be a little low.
        if self.orphans and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    @cached_property
    def _digest(self) -> str | None:
        """The query's cache key stem; None for a list, or a query that cannot match anything."""
        query = getattr(self.object_list, "query", None)
        if query is None:
            return None
        try:
            sql, params = query.sql_with_params()
        except EmptyResultSet:  # e.g. .none()
            return None
        return hashlib.sha256(f"{query.model._meta.label}|{sql}|{params!r}".encode()).hexdigest()

    @cached_property
    def count(self) -> int:
        if self._digest is None:
            return super().count if getattr(self.object_list, "query", None) is None else 0
        key = f"portal:count:{self._digest}"
        value = cache.get(key)
        if value is None:
            value = super().count
            cache.set(key, value, CACHE_SECONDS)
        return value

    def _rows(self, bottom: int, top: int):
        if self._digest is None or top <= bottom:
            return self.object_list[bottom:top]
        key = f"portal:page:{self._digest}:{bottom}:{top}"
        pks = cache.get(key)
        if pks is not None:
            # The same query narrowed to the remembered rows: its order, its related rows, and
            # only rows that still match.
            return self.object_list.filter(pk__in=pks)
        queryset = self.object_list
        if self.page_query is not None:
            queryset = self.page_query(queryset, count=self.count, top=top)
        rows = list(queryset[bottom:top])
        cache.set(key, [row.pk for row in rows], CACHE_SECONDS)
        return rows
