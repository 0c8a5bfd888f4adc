"""Pagination helpers shared by the apps' list pages."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CACHE_SECONDS = 60


class CachedCountPaginator(Paginator):
    """A paginator that remembers the number of results of a query for a minute.

    Counting every match of a common keyword (tens of thousands of patents) is most of a search
    page's database time, and a visitor paging through results, or many visitors running the same
    popular search, would count the same thing again on every page. The key is the query's SQL
    and parameters, so different filters, and different visitors' scopes (an owner also sees
    their drafts), never share a count. The rows of a page are always current; only the total
    (and so the number of pages) may lag by up to a minute."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        # Django cuts the last page at the count; a remembered count may be a little low.
        if self.orphans and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        try:
            sql, params = query.sql_with_params()
        except EmptyResultSet:  # e.g. .none(): nothing to count, nothing to remember
            return 0
        digest = hashlib.sha256(f"{query.model._meta.label}|{sql}|{params!r}".encode()).hexdigest()
        key = f"portal:count:{digest}"
        value = cache.get(key)
        if value is None:
            value = super().count
            cache.set(key, value, COUNT_CACHE_SECONDS)
        return value
