"""The duplicate flag of demands: an organization's demand whose title is much like one it already
published (same industry) is marked ``duplicate_of`` it, as a warning to the owner."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from functools import lru_cache

from textanalysis import content_words

from ..models import Demand

DUPLICATE_THRESHOLD = 0.6


@lru_cache(maxsize=4096)
def _title_tokens(title: str) -> frozenset[str]:
    # The shared tokeniser's stop list holds the words every demand title has (技术, 需求, 寻求...).
    return content_words(title)


def title_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the titles' content words (textanalysis); difflib when a title has none."""
    tokens_a, tokens_b = _title_tokens(a.strip()), _title_tokens(b.strip())
    if tokens_a and tokens_b:
        return len(tokens_a & tokens_b) / len(tokens_a | tokens_b)
    return difflib.SequenceMatcher(None, a.strip(), b.strip()).ratio()


def demands_similar(a: Demand, b: Demand) -> bool:
    """Same industry (or both without one) and titles at least DUPLICATE_THRESHOLD alike."""
    return a.industry_id == b.industry_id and title_similarity(a.title, b.title) >= DUPLICATE_THRESHOLD


def demand_flag_duplicates(*, organization_ids: Iterable[int]) -> int:
    """Recompute ``duplicate_of`` for these organizations' demands; returns how many changed.

    A draft is flagged when a similar open demand of the same organization exists; an open demand
    when a similar one was published before it. Other demands carry no flag. The flag only warns
    (the owner may have good reasons), it never blocks publishing or matching.
    """
    organization_ids = set(organization_ids)
    if not organization_ids:
        return 0
    demands = list(
        Demand.objects.filter(organization_id__in=organization_ids).only(
            "pk", "organization_id", "industry_id", "title", "status", "published_at", "duplicate_of_id"
        )
    )
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    open_by_org: dict[int, list[Demand]] = {}
    for demand in sorted(demands, key=lambda d: (d.published_at or far_past, d.pk)):
        if demand.status == Demand.Status.OPEN:
            open_by_org.setdefault(demand.organization_id, []).append(demand)
    changed = []
    for demand in demands:
        original_id = None
        if demand.status in (Demand.Status.DRAFT, Demand.Status.OPEN):
            for other in open_by_org.get(demand.organization_id, ()):
                if other.pk == demand.pk:
                    break  # open demands only look at those published before them
                if demands_similar(demand, other):
                    original_id = other.pk
                    break
        if demand.duplicate_of_id != original_id:
            demand.duplicate_of_id = original_id
            changed.append(demand)
    Demand.objects.bulk_update(changed, ["duplicate_of"], batch_size=500)
    return len(changed)
