"""Chinese keyword search over patents that an index can serve on PostgreSQL and that behaves the
same on SQLite.

Every patent keeps three denormalised columns, written by the services and the importer:
- ``search_text``: title, keywords, abstract, applicants, number and IPC codes, NFKC-normalised and
  lower-cased. A term matches when it is a substring (``LIKE '%term%'``), on every backend.
- ``search_bigram_codes``: the distinct overlapping character pairs of every run of Chinese
  characters ("煤矿支护" -> 煤矿, 矿支, 支护), each as a 32-bit integer (``bigram_code``), an
  ``integer[]`` on PostgreSQL. A GIN index on ``patent_bigram_codes(search_bigram_codes)`` (the
  array itself, behind a function whose declared cost tells the planner that reading the array
  of a row is not free: see migration 0005) finds the published listings holding all the bigrams
  of a Chinese term (``@>``); searches over other statuses (an owner's inventory, staff) check
  the codes row by row after their other conditions. For a two-character term that is the exact answer; for a longer one the
  ``LIKE`` then keeps only the exact substring matches. pg_trgm cannot serve two-character words
  such as 煤矿: ``LIKE '%煤矿%'`` yields no trigram. Integer keys, rather than the characters
  themselves in a tsvector, make the index about half as costly to maintain, and that index is
  most of a large import's time (see benchmarks/patents.py).
- ``search_latin``: ``search_text`` with its Chinese runs replaced by line breaks (numbers, IPC
  codes, Latin words). A term without Chinese characters is a substring of ``search_text`` exactly
  when it is one of ``search_latin``, and a pg_trgm GIN index on this small column serves it
  (3+ characters; published listings, like the bigram index). Indexing the whole text with pg_trgm instead costs several times more to build
  and maintain, since Chinese text yields far more distinct trigrams.
Terms are separated by spaces and all must match. A term also matches the patents tagged with an
industry of that name (羊绒 finds the cashmere industry's patents whose text never says 羊绒).

Relevance (the default order of a keyword search, see ``keyword_relevance``): for each term, a hit
in the title or keywords counts 3, in the abstract 2, only through the industry tag 1, only in the
applicants, number or IPC codes 0; the terms' counts are summed, boilerplate terms (the shared
``textanalysis`` stop list: 装置, 方法...) weighing a quarter, and ties keep the newest first. Two
more denormalised columns make this cheap: ``search_head`` (the normalised title and keywords) and
``search_tail`` (applicants, number, IPC codes), both short and stored in line, so that a match
found in neither is an abstract hit without reading the out-of-line text; only a term in both the
tail and the text compares its first position in ``search_text`` with ``search_body_end`` (where
the abstract ends).
"""

from __future__ import annotations

import operator
import re
import struct
import time
from collections.abc import Callable

from django.apps import apps
from django.core.cache import cache
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, StrIndex
from django.db.models.lookups import LessThanOrEqual
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.models import Industry
from portal.pagination import CACHE_SECONDS, CachedPaginator
from textanalysis import normalize, stopwords

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MAX_TERMS = 8
# Listings a keyword page may walk in sort order before collecting and sorting the matches is
# cheaper: each listing walked costs a read of its out-of-line character pairs (~5-8 µs).
WALK_LIMIT = 2000


# Relevance of one term by where it is found (see the module docstring); a boilerplate term's
# count is multiplied by BOILERPLATE_WEIGHT / TERM_WEIGHT.
HEAD_HIT, BODY_HIT, INDUSTRY_HIT, OTHER_HIT = 3, 2, 1, 0
TERM_WEIGHT, BOILERPLATE_WEIGHT = 4, 1
# Industry names change only through the admin: each process re-reads them this often.
INDUSTRY_NAMES_SECONDS = 300


def build_search_text(*parts: str) -> str:
    """The normalised parts (title, keywords, abstract, applicants, number, IPC codes) on lines of
    their own; empty parts are left out."""
    return "\n".join(normalize(part) for part in parts if part)


def build_search_head(title: str, keywords: str) -> str:
    """The start of ``build_search_text(title, keywords, ...)``: what a title or keyword hit is."""
    return build_search_text(title, keywords)


def build_search_tail(*parts: str) -> str:
    """The end of ``build_search_text(title, keywords, abstract, *parts)``: the applicants, the
    number and the IPC codes (a term found there, and not in the abstract, is an "other" hit)."""
    return build_search_text(*parts)


def build_search_body_end(title: str, keywords: str, abstract: str) -> int:
    """Length of the start of ``build_search_text(title, keywords, abstract, ...)`` up to the end
    of the abstract: a term first found at a position (1-based) up to this one is in the title,
    the keywords or the abstract, one found after it only in the applicants, number or IPC."""
    return len(build_search_text(title, keywords, abstract))


def bigrams(text: str) -> list[str]:
    """Distinct character bigrams of the Chinese runs in ``text``, in first-seen order."""
    seen: dict[str, None] = {}
    for run in _CJK_RUN.findall(normalize(text)):
        seen.update(dict.fromkeys(map(operator.add, run, run[1:])))
    return list(seen)


def bigram_code(pair: str) -> int:
    """A bigram as a 32-bit signed integer: the code point of its first character in the low
    16 bits, of its second in the high 16 (both are in the Basic Multilingual Plane)."""
    code = ord(pair[0]) | ord(pair[1]) << 16
    return code - (1 << 32) if code >= 1 << 31 else code


def bigram_codes(normalized: str) -> set[int]:
    """``bigram_code`` of every bigram of the Chinese runs of an already normalised text.

    Each run is encoded as UTF-16-LE, two bytes per character, so the little-endian 32-bit
    integers at even character offsets are the codes of pairs (0, 1), (2, 3)... and those at odd
    offsets of pairs (1, 2), (3, 4)...
    """
    codes: set[int] = set()
    for run in _CJK_RUN.findall(normalized):
        units = run.encode("utf-16-le")
        for data in (units, units[2:]):
            count = len(data) // 4
            if count:
                codes.update(struct.unpack_from(f"<{count}i", data))
    return codes


def build_search_bigram_codes(search_text: str) -> list[int]:
    return list(bigram_codes(search_text))  # in no particular order: only the GIN index reads it


class BigramCodesField(models.Field):
    """A sorted list of bigram codes: ``integer[]`` on PostgreSQL (GIN-indexed, see migration
    0005), space-separated text on other databases, where nothing reads it."""

    description = _("汉字二元组编码")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        codes = [int(code) for code in value or ()]
        return codes if connection.vendor == "postgresql" else " ".join(map(str, codes))

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return [int(code) for code in str(value).split()]

    def value_to_string(self, obj):
        return " ".join(map(str, self.value_from_object(obj) or ()))


def build_search_latin(search_text: str) -> str:
    return _CJK_RUN.sub("\n", search_text)


def query_terms(q: str) -> list[str]:
    return [term for term in normalize(q).split() if term][:MAX_TERMS]


def _text_condition(table: str, term: str) -> Q:
    """The search columns contain ``term`` (normalised)."""
    if not _CJK_RUN.search(term):
        return Q(search_latin__contains=term)
    codes = bigram_codes(term)
    if codes and connection.vendor == "postgresql":
        # Must match the expression of the GIN index created in migration 0005.
        index = Q(
            RawSQL(
                f'patent_bigram_codes("{table}"."search_bigram_codes") @> %s::integer[]',
                (sorted(codes),),
                output_field=BooleanField(),
            )
        )
        if len(term) == 2:  # a single bigram: the index condition is the exact answer
            return index
        return index & Q(search_text__contains=term)
    return Q(search_text__contains=term)


def _tagged(industry_ids: list[int]) -> Exists:
    through = apps.get_model("patents", "Patent").industries.through  # models.py imports this module
    return Exists(through.objects.filter(patent_id=OuterRef("pk"), industry_id__in=industry_ids))


def _tagged_filter(table: str, industry_ids: list[int]) -> Q:
    """Patents tagged with one of these industries, as a filter."""
    if connection.vendor != "postgresql":
        return Q(_tagged(industry_ids))
    # An array of the tagged ids that the primary key index can serve: PostgreSQL then ORs its
    # bitmap with the bigram index's (an EXISTS, or IN, beside the text condition makes it check
    # every listing's character pairs: 1.2 s instead of 0.3 s for 羊绒 among 100,000 patents).
    through = apps.get_model("patents", "Patent").industries.through._meta.db_table
    marks = ", ".join(["%s"] * len(industry_ids))
    return Q(
        RawSQL(
            f'"{table}"."id" = ANY(ARRAY(SELECT "patent_id" FROM "{through}" WHERE "industry_id" IN ({marks})))',
            tuple(industry_ids),
            output_field=BooleanField(),
        )
    )


def keyword_filter(queryset: QuerySet, q: str) -> QuerySet:
    """Patents whose search text contains every term of ``q``, or that are tagged with an industry
    the term names."""
    table = queryset.model._meta.db_table
    for term in query_terms(q):
        condition = _text_condition(table, term)
        industry_ids = industries_named(term)
        if industry_ids:
            condition = condition | _tagged_filter(table, industry_ids)
        queryset = queryset.filter(condition)
    return queryset


_industry_names: tuple[float, dict[str, list[int]]] = (float("-inf"), {})


def industries_named(term: str) -> list[int]:
    """Ids of the industries whose Chinese or English name is ``term`` (normalised).

    Kept per process for INDUSTRY_NAMES_SECONDS (seven rows that only the admin edits; a saved
    industry clears it, see PatentsConfig.ready), so that a search page runs no extra query."""
    global _industry_names
    read_at, names = _industry_names
    now = time.monotonic()
    if now - read_at > INDUSTRY_NAMES_SECONDS:
        names = {}
        for pk, *labels in Industry.objects.values_list("pk", "name", "name_en"):
            for label in labels:
                if label and label.strip():
                    names.setdefault(normalize(label).strip(), []).append(pk)
        _industry_names = (now, names)
    return names.get(term, [])


def forget_industry_names(**kwargs) -> None:
    global _industry_names
    _industry_names = (float("-inf"), {})


def keyword_relevance(q: str, *, table: str = "patents_patent"):
    """The relevance of each patent to the terms of ``q`` (an integer expression, higher is more
    relevant; None without terms), as the module docstring defines it. Meant for patents that
    ``keyword_filter`` kept: a term is known to be somewhere in their text, or in their industry."""
    terms = query_terms(q)
    if not terms:
        return None
    boilerplate = stopwords()
    total = None
    for term in terms:
        industry_ids = industries_named(term)
        in_text = _text_condition(table, term) if industry_ids else Q()
        score = Case(
            When(search_head__contains=term, then=Value(HEAD_HIT)),
            # In the text, not in the head nor in the tail: in the abstract.
            When(~Q(search_tail__contains=term) & in_text, then=Value(BODY_HIT)),
            # In the tail, and maybe in the abstract too: its first occurrence says (StrIndex is
            # 1-based, 0 when absent: made NULL so that it fails the comparison).
            When(
                Q(search_tail__contains=term)
                & Q(
                    LessThanOrEqual(
                        NullIf(StrIndex("search_text", Value(term)), Value(0)), F("search_body_end")
                    )
                ),
                then=Value(BODY_HIT),
            ),
            *([When(_tagged(industry_ids), then=Value(INDUSTRY_HIT))] if industry_ids else []),
            default=Value(OTHER_HIT),
            output_field=IntegerField(),
        ) * Value(BOILERPLATE_WEIGHT if term in boilerplate else TERM_WEIGHT)
        total = score if total is None else total + score
    return total


def keyword_page_query(*, listed: Callable[[], int]):
    """A ``page_query`` for ``portal.pagination.CachedPaginator`` over a keyword search.

    PostgreSQL finds a page of keyword matches one of two ways: walk the sort order's index and
    test each listing's character pairs until the page is full, or collect every match through
    the bigram index and sort them. It picks by its estimate of how many listings match, which
    cannot know how a keyword and another filter go together: 煤矿 among the cashmere industry's
    patents, estimated at 418, is 64, and the walk read 23,000 listings (150 ms instead of 20).
    Once the page's count is known, so is the length of the walk: about ``top`` x the listings
    in the walked order (``listed()``) / the matches. Past ``WALK_LIMIT`` the page is read by
    sorting the matches instead, whose cost is bounded by the keyword's matches, as the count's
    is."""

    def page_query(queryset: QuerySet, *, count: int, top: int) -> QuerySet:
        if connection.vendor != "postgresql" or count == 0 or top * listed() <= WALK_LIMIT * count:
            return queryset
        return sorted_without_index(queryset)

    return page_query


class RelevancePaginator(CachedPaginator):
    """A ``CachedPaginator`` over a one-term keyword search ordered by relevance.

    No index walks the relevance order, so a page means ranking every match: for 装置 (24,000 of
    56,000 listings) about 250 ms where the newest-first page walks an index in 5. But the title
    and keyword hits come first, newest first among them (they all score the same): a page that
    lies within them is the same rows as a walk of the newest-first order over the head hits only.
    So the count query also counts the head hits (one query, as before: the head is stored in
    line) and, on PostgreSQL, such a page is read by that walk, with ``keyword_page_query``'s
    choice between walking and sorting; a later page is ranked."""

    def __init__(self, object_list, per_page, *, term: str, listed: Callable[[], int], **kwargs):
        super().__init__(object_list, per_page, page_query=self._head_page_query, **kwargs)
        self.term = term
        self._walk_or_sort = keyword_page_query(listed=listed)

    @cached_property
    def _counts(self) -> tuple[int, int]:
        """(matches, head hits), remembered like ``CachedPaginator.count``."""
        if self._digest is None:
            return 0, 0
        key = f"patents:relevance-count:{self._digest}"
        value = cache.get(key)
        if value is None:
            counts = self.object_list.aggregate(
                total=Count("pk"), head=Count("pk", filter=Q(search_head__contains=self.term))
            )
            value = (counts["total"], counts["head"])
            cache.set(key, value, CACHE_SECONDS)
        return value

    @cached_property
    def count(self) -> int:
        return self._counts[0]

    def _head_page_query(self, queryset: QuerySet, *, count: int, top: int) -> QuerySet:
        head = self._counts[1]
        if connection.vendor != "postgresql" or top > head:
            return queryset
        # The relevance order less its first item is the newest-first order.
        walk = queryset.filter(search_head__contains=self.term).order_by(*queryset.query.order_by[1:])
        return self._walk_or_sort(walk, count=head, top=top)


def sorted_without_index(queryset: QuerySet) -> QuerySet:
    """The same order by an expression no index matches (``COALESCE(x, x)`` for the leading
    column ``x``), so that PostgreSQL cannot walk an index in that order."""
    order = [
        OrderBy(F(item.lstrip("-")), descending=item.startswith("-")) if isinstance(item, str) else item
        for item in queryset.query.order_by
    ]
    if not order:
        return queryset
    first, *rest = order
    column = first.expression
    leading = OrderBy(
        Coalesce(column, column),
        descending=first.descending,
        nulls_first=first.nulls_first,
        nulls_last=first.nulls_last,
    )
    return queryset.order_by(leading, *rest)
