"""Chinese keyword search over patents that an index can serve on PostgreSQL and that behaves the
same on SQLite.

Every patent keeps two denormalised columns, written by the services and the importer:
- ``search_text``: title, keywords, abstract, applicants, number and IPC codes, NFKC-normalised and
  lower-cased. A term matches when it is a substring (``LIKE '%term%'``), on every backend.
- ``search_bigrams``: the distinct overlapping character pairs of every run of Chinese characters
  ("煤矿支护" -> "煤矿 矿支 支护"). On PostgreSQL a GIN index on ``to_tsvector('simple', ...)`` of
  this column finds the candidate rows for any Chinese term of two or more characters (all of its
  bigrams must be present), and the ``LIKE`` then keeps only the exact substring matches. pg_trgm
  cannot serve two-character words such as 煤矿: ``LIKE '%煤矿%'`` yields no trigram.
- ``search_latin``: ``search_text`` with its Chinese runs replaced by line breaks (numbers, IPC
  codes, Latin words). A term without Chinese characters is a substring of ``search_text`` exactly
  when it is one of ``search_latin``, and a pg_trgm GIN index on this small column serves it
  (3+ characters). Indexing the whole text with pg_trgm instead costs several times more to build
  and maintain, since Chinese text yields far more distinct trigrams.
Terms are separated by spaces and all must match.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MAX_TERMS = 8


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def build_search_text(*parts: str) -> str:
    return "\n".join(normalize(part) for part in parts if part)


def bigrams(text: str) -> list[str]:
    """Distinct character bigrams of the Chinese runs in ``text``, in first-seen order."""
    seen: dict[str, None] = {}
    for run in _CJK_RUN.findall(normalize(text)):
        for i in range(len(run) - 1):
            seen.setdefault(run[i : i + 2], None)
    return list(seen)


def build_search_bigrams(search_text: str) -> str:
    return " ".join(bigrams(search_text))


def build_search_latin(search_text: str) -> str:
    return _CJK_RUN.sub("\n", search_text)


def query_terms(q: str) -> list[str]:
    return [term for term in normalize(q).split() if term][:MAX_TERMS]


def keyword_filter(queryset: QuerySet, q: str) -> QuerySet:
    """Patents whose search text contains every term of ``q``."""
    table = queryset.model._meta.db_table
    for term in query_terms(q):
        if not _CJK_RUN.search(term):
            queryset = queryset.filter(search_latin__contains=term)
            continue
        term_bigrams = bigrams(term)
        if term_bigrams and connection.vendor == "postgresql":
            # Must match the expression of the GIN index created in migration 0002.
            queryset = queryset.filter(
                RawSQL(
                    f'to_tsvector(\'simple\'::regconfig, "{table}"."search_bigrams") '
                    "@@ plainto_tsquery('simple'::regconfig, %s)",
                    (" ".join(term_bigrams),),
                    output_field=BooleanField(),
                )
            )
        queryset = queryset.filter(search_text__contains=term)
    return queryset
