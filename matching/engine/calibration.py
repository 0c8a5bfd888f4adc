"""From text similarity to a score that means something: calibrated relevance, the threshold
below which nothing is recommended, and the two tiers shown to users.

The mixed cosine of :mod:`.signals` ranks well but its values are not comparable with anything
(a strong match scores 0.2). A logistic curve over its logarithm, fitted on the development split
of the evaluation set (``python -m benchmarks.matching --calibrate`` prints the fit and the
threshold figures, docs/matching.md records them), turns it into an estimate of the probability
that the patent is one the demand asks for::

    relevance = sigmoid(a + b * ln(text)) * structure      (structure: IPC / industry, <= 1)

Two constants are all the engine keeps of that fit (``Weights.calib_intercept`` and
``calib_slope``); no evaluation data is built in. A match is *recommended* when its relevance
reaches ``Weights.recommend_min``; it is *highly relevant* (高度相关) from ``Weights.tier_high``,
otherwise *possibly relevant* (可能相关). Availability and the plan's boosts then shape the score
shown (see :func:`final_score`), never whether a patent is recommended.
"""

from __future__ import annotations

import math

import numpy as np

from .weights import Weights

TIER_HIGH = "high"
TIER_POSSIBLE = "possible"
# The labels as the engine writes them (the portal translates them, see matching.reasons).
TIER_LABELS = {TIER_HIGH: "高度相关", TIER_POSSIBLE: "可能相关"}


def relevance(text_scores: np.ndarray, weights: Weights) -> np.ndarray:
    """Calibrated probability of relevance of each text score (0 for no text match)."""
    t = np.asarray(text_scores, dtype=np.float64)
    out = np.zeros(t.shape)
    pos = t > 0
    if pos.any():
        z = weights.calib_intercept + weights.calib_slope * np.log(t[pos])
        out[pos] = 1.0 / (1.0 + np.exp(-z))
    return out


def relevance_of(text_score: float, weights: Weights) -> float:
    return float(relevance(np.array([text_score]), weights)[0])


def text_needed(probability: float, weights: Weights) -> float:
    """The smallest text score whose calibrated relevance reaches ``probability`` (the inverse
    of :func:`relevance`): patents below it cannot be recommended, whatever else they offer."""
    if probability <= 0:
        return 0.0
    if probability >= 1:
        return math.inf
    z = math.log(probability / (1.0 - probability))
    return math.exp((z - weights.calib_intercept) / weights.calib_slope)


def final_score(rel: np.ndarray, availability: np.ndarray, boost: np.ndarray) -> np.ndarray:
    """The score users see, in [0, 1]: relevance x availability, raised by the boost (>= 1) as
    extra confidence, ``1 - (1 - x) ** boost``: equal to x without boosts, monotone in every
    part, never above 1 (so no two strong matches tie at 100 %)."""
    x = np.clip(np.asarray(rel, dtype=np.float64) * availability, 0.0, 1.0)
    return 1.0 - np.power(1.0 - x, boost)


def tier(rel: float, weights: Weights) -> str:
    """``high`` or ``possible`` for a recommended match (relevance >= ``recommend_min``)."""
    return TIER_HIGH if rel >= weights.tier_high else TIER_POSSIBLE
