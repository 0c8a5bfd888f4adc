"""What a match's reasons may name: distinctive shared terms only, and where the patent has them.

A term shared by a demand and a patent explains the match only when it is distinctive: found in
few patents of the inventory (document frequency, read from the index's idf) and not one of the
generic words of ``reason_stopwords.txt`` (制备, 利用, 强度, 满足 ...), which a small inventory
cannot yet reveal as common. Each named term then says which fields of the patent contain it
(标题, 摘要, 权利要求), e.g. ``共同关键词：煤矸石（标题／摘要）、建材（摘要）``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import text

REASON_STOPWORDS_FILE = Path(__file__).with_name("reason_stopwords.txt")

# Field labels in the order they are named, and the separators of the reason text.
FIELD_LABELS = ("标题", "摘要", "权利要求")
FIELD_SEPARATOR = "／"
TERM_SEPARATOR = "、"

# (title, abstract, claims) of one patent.
FieldTexts = tuple[str, str, str]


@functools.lru_cache(maxsize=1)
def reason_stopwords() -> frozenset[str]:
    """The generic words never named as a reason (normalised)."""
    out = set()
    for line in REASON_STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(text.normalize(line))
    return frozenset(out)


def max_document_frequency(n_patents: int, share: float, min_count: int) -> float:
    """Most patents a term may be found in and still be named as a reason."""
    return max(share * n_patents, float(min_count))


def document_frequency(idf: np.ndarray, columns: np.ndarray, n_patents: int) -> np.ndarray:
    """Patents having each feature column, recovered from the smoothed idf
    ``ln((1+N)/(1+df)) + 1`` the index stores (a feature no patent has: N + 1)."""
    values = np.asarray(idf[np.asarray(columns, dtype=np.int64)], dtype=np.float64)
    df = (1.0 + n_patents) * np.exp(1.0 - values) - 1.0
    return np.where(values > 0, np.maximum(np.round(df), 0.0), n_patents + 1.0)


def is_distinctive(term: str, df: float, limit: float) -> bool:
    return df <= limit and text.normalize(term) not in reason_stopwords() and len(term) >= 2


def fields_having(term: str, fields: FieldTexts) -> list[str]:
    """Labels of the fields (title, abstract, claims) whose text contains ``term``."""
    needle = text.normalize(term)
    return [label for label, value in zip(FIELD_LABELS, fields, strict=True) if value and needle in value]


def normalise_fields(title: str | None, abstract: str | None, claims: str | None) -> FieldTexts:
    return (text.normalize(title), text.normalize(abstract), text.normalize(claims))


def terms_reason(terms: Sequence[str], fields: FieldTexts | None) -> str:
    """``共同关键词：A（标题／摘要）、B（摘要）`` (fields only when the patent's text is known)."""
    parts = []
    for term in terms:
        where = fields_having(term, fields) if fields is not None else []
        parts.append(f"{term}（{FIELD_SEPARATOR.join(where)}）" if where else term)
    return "共同关键词：" + TERM_SEPARATOR.join(parts)
