"""Every weight and threshold of the matching engine, in one place.

Defaults live in :class:`Weights`. Django settings may override any of them later with
``MATCHING_WEIGHTS = {"dormant_boost": 0.2, ...}``; :func:`get_weights` applies such a mapping
(unknown names are an error, so a typo does not silently do nothing).

Two kinds of weights:
- *index* weights (``INDEX_FIELDS``) shape the patent vectors: changing them needs a new index
  (they are part of :meth:`Weights.index_key`, which goes into the index directory's name);
- *query* weights apply when scoring and can change between runs of the same index.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INDEX_FIELDS = (
    "field_title",
    "field_abstract",
    "field_claims",
    "field_keywords",
    "abstract_lead_boost",
    "claims_word_chars",
)


@dataclass(frozen=True)
class Weights:
    # --- text relevance: patent side (index weights) ---------------------------------------
    # Term counts of each field are multiplied by these before sublinear tf (log1p) and idf.
    field_title: float = 3.0
    field_abstract: float = 1.0
    field_claims: float = 0.3
    field_keywords: float = 2.0
    # An abstract names its subject first: occurrence at relative position r weighs 1 + boost*(1-r).
    abstract_lead_boost: float = 1.0
    # Claims are long: only their first this many characters are segmented into words (jieba is
    # the slow part of indexing); character n-grams cover all of them. 0: n-grams only.
    claims_word_chars: int = 800

    # --- text relevance: demand side and mixing (query weights) ---------------------------
    query_title: float = 1.0
    query_description: float = 1.0
    query_keywords: float = 1.5
    # Cosine similarity per feature group, mixed with these weights (they sum to 1, so the text
    # score stays in [0, 1]): words for precision, character n-grams for recall.
    group_words: float = 0.4
    group_bigrams: float = 0.3
    group_trigrams: float = 0.3
    # Demand features found in more than this share of all patents (very common words and
    # character pairs) add almost nothing to any score but make the sparse product slow: they
    # stay in the demand vector's norm and are left out of the product. 1.0 keeps everything.
    max_df: float = 0.1
    # Matches whose text relevance is below this are not recommended at all.
    min_text: float = 0.01

    # --- calibration, threshold and tiers (see calibration.py; fitted on the development split,
    # figures in docs/matching.md) -------------------------------------------------------------
    # relevance = sigmoid(calib_intercept + calib_slope * ln(text)) x structure
    calib_intercept: float = 1.714
    calib_slope: float = 1.493
    # Only matches whose relevance reaches this are recommended (stored, listed, notified).
    recommend_min: float = 0.35
    # From this relevance a recommendation is "highly relevant" (高度相关), else "possibly" (可能相关).
    tier_high: float = 0.50

    # --- IPC agreement (multiplies relevance; no effect when the demand has no IPC) --------
    ipc_weight: float = 0.25  # with IPC hints given by the demand
    ipc_inferred_weight: float = 0.10  # with IPC inferred from the best text matches
    ipc_level_group: float = 1.0  # same main group, e.g. E21D 11
    ipc_level_subclass: float = 0.75  # same subclass, e.g. E21D
    ipc_level_class: float = 0.35  # same class, e.g. E21
    ipc_infer_top_k: int = 10  # infer from the IPC subclasses of this many best text matches
    ipc_infer_min_share: float = 0.3  # a subclass must carry this share of their text score

    # --- industry agreement (multiplies relevance; no effect without a demand industry) ----
    industry_weight: float = 0.15

    # --- availability (multiplies; patents not in force or not listed are never matched) ---
    deal_kind_mismatch: float = 0.5  # factor when no wanted deal kind is offered
    over_budget_floor: float = 0.5  # factor floor when the asking price exceeds the budget
    over_budget_power: float = 1.0  # factor = max(floor, (budget / price) ** power)

    # --- boosts (multiply relevance by 1 + sum of boosts, then rescaled into [0, 1]) -------
    dormant_boost: float = 0.15
    open_license_boost: float = 0.08
    use_first_pay_later_boost: float = 0.05
    agricultural_county_boost: float = 0.15

    # --- explanations ----------------------------------------------------------------------
    reason_terms: int = 4  # shared key terms named per match
    # A shared term is named only when it is distinctive: found in at most this share of all
    # patents (and never a word of reason_stopwords.txt). Common words explain nothing.
    reason_max_df: float = 0.02
    # ... but on a small inventory a term in this few patents is always distinctive enough.
    reason_min_df_count: int = 3

    def replace(self, **changes: Any) -> Weights:
        return dataclasses.replace(self, **changes)

    def index_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in INDEX_FIELDS}

    def index_key(self) -> str:
        """Short hash of the index weights (part of an index directory's name)."""
        blob = json.dumps(self.index_params(), sort_keys=True).encode()
        return hashlib.sha1(blob).hexdigest()[:8]

    @property
    def max_boost(self) -> float:
        return (
            self.dormant_boost
            + self.open_license_boost
            + self.use_first_pay_later_boost
            + self.agricultural_county_boost
        )

    def group_weights(self) -> dict[str, float]:
        return {"w": self.group_words, "b": self.group_bigrams, "t": self.group_trigrams}


DEFAULT_WEIGHTS = Weights()


def get_weights(overrides: Mapping[str, Any] | Weights | None = None) -> Weights:
    """Defaults, then Django's ``settings.MATCHING_WEIGHTS`` (if Django is configured), then
    ``overrides``."""
    if isinstance(overrides, Weights):
        return overrides
    weights = DEFAULT_WEIGHTS
    weights = _apply(weights, _settings_overrides())
    return _apply(weights, overrides or {})


def _apply(weights: Weights, overrides: Mapping[str, Any]) -> Weights:
    if not overrides:
        return weights
    names = {f.name for f in dataclasses.fields(Weights)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"unknown matching weight(s): {', '.join(unknown)}")
    return dataclasses.replace(weights, **dict(overrides))


def _settings_overrides() -> Mapping[str, Any]:
    try:
        from django.conf import settings

        if not settings.configured:
            return {}
        return getattr(settings, "MATCHING_WEIGHTS", {}) or {}
    except Exception:  # Django absent or not set up: defaults only.
        return {}
