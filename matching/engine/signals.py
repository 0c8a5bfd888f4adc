"""The signals a match score is made of, each a function over arrays of candidate patents.

Every signal returns values in [0, 1] (or a factor in [0, 1]); :mod:`.scorer` multiplies them:

    score = text x structure x availability x boost

- ``text``: mixed cosine similarity of the demand and patent vectors (see :mod:`.index`);
- ``structure``: IPC and industry agreement, ``(1 + w_ipc*ipc + w_ind*ind) / (1 + w_ipc + w_ind)``
  counting only the signals the *demand* has, so a demand without IPC or industry is ranked by
  text alone (nothing is lost when the data is missing);
- ``availability``: 0 for patents not in force or not listed; a factor below 1 when no wanted deal
  kind is offered or the asking price is above the budget;
- ``boost``: dormant, open-license, use-first-pay-later, and agricultural patents for county-level
  demands, ``(1 + sum of boosts) / (1 + max possible)``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .weights import Weights

# --------------------------------------------------------------------------------------------
# IPC

_IPC = re.compile(r"^([A-H])(?:(\d{2})([A-Z])?)?(?:(\d{1,4})(?:/(\d{1,6}))?)?$")


@dataclass(frozen=True)
class Ipc:
    section: str
    klass: str | None  # "E21"
    subclass: str | None  # "E21D"
    group: str | None  # "E21D 11"
    code: str  # normalised full code, "E21D 11/00" (or the deepest level given)

    @property
    def depth(self) -> str:
        if self.group:
            return "group"
        if self.subclass:
            return "subclass"
        if self.klass:
            return "class"
        return "section"


def parse_ipc(value: str | None) -> Ipc | None:
    """Lenient IPC parser: "E21D 11/00", "E21D11/00", "e21d", "E21D 11", "E21". None if not IPC."""
    if not value:
        return None
    s = re.sub(r"[\s\u3000]+", "", str(value).upper())
    s = s.split("(")[0]
    m = _IPC.match(s)
    if not m:
        return None
    section, cls, sub, group, subgroup = m.groups()
    if group and not sub:
        return None
    klass = f"{section}{cls}" if cls else None
    subclass = f"{klass}{sub}" if sub else None
    grp = f"{subclass} {int(group)}" if group else None
    code = f"{grp}/{subgroup}" if grp and subgroup else grp or subclass or klass or section
    return Ipc(section, klass, subclass, grp, code)


IPC_LEVEL_LABELS = {"group": "大组", "subclass": "小类", "class": "大类"}


def ipc_level_value(level: str | None, weights: Weights) -> float:
    return {
        "group": weights.ipc_level_group,
        "subclass": weights.ipc_level_subclass,
        "class": weights.ipc_level_class,
    }.get(level or "", 0.0)


def ipc_agreement(
    hints: tuple[Ipc, ...] | list[Ipc], codes: tuple[Ipc, ...] | list[Ipc], weights: Weights
) -> tuple[float, str | None, str | None]:
    """Agreement of a patent's IPC codes with a demand's IPC hints: (value in [0, 1], level,
    shared code). Matching at the deepest level a hint gives counts as full agreement."""
    best = (0.0, None, None)
    for h in hints:
        full = ipc_level_value(h.depth, weights) or 1.0
        for c in codes:
            if h.group and c.group == h.group:
                level, shared = "group", h.group
            elif h.subclass and c.subclass == h.subclass:
                level, shared = "subclass", h.subclass
            elif h.klass and c.klass == h.klass:
                level, shared = "class", h.klass
            else:
                continue
            value = min(1.0, ipc_level_value(level, weights) / full)
            if value > best[0]:
                best = (value, level, shared)
    return best


def ipc_agreements(hints: list[Ipc], patent_codes: list[tuple[Ipc, ...]], weights: Weights) -> np.ndarray:
    """Vector form of :func:`ipc_agreement` over candidate patents."""
    return np.array([ipc_agreement(hints, codes, weights)[0] for codes in patent_codes], dtype=np.float64)


def infer_ipc(top_codes: list[tuple[Ipc, ...]], top_text: np.ndarray, weights: Weights) -> list[Ipc]:
    """IPC subclasses that carry at least ``ipc_infer_min_share`` of the text score of the best
    text matches (``top_codes``/``top_text``, best first). Empty when they have no IPC."""
    votes: dict[str, float] = {}
    total = float(np.sum(top_text))
    if total <= 0:
        return []
    for codes, score in zip(top_codes, top_text, strict=True):
        for sub in sorted({c.subclass for c in codes if c.subclass}):
            votes[sub] = votes.get(sub, 0.0) + float(score)
    chosen = sorted(
        (s for s, v in votes.items() if v / total >= weights.ipc_infer_min_share),
        key=lambda s: (-votes[s], s),
    )
    return [p for p in (parse_ipc(s) for s in chosen[:2]) if p is not None]


# --------------------------------------------------------------------------------------------
# Industry


def industry_agreement(demand_industry: str | None, patent_industries: list[list[str]]) -> np.ndarray:
    """1 where the patent is tagged with the demand's industry, else 0 (all 0 without one)."""
    if not demand_industry:
        return np.zeros(len(patent_industries))
    return np.array([1.0 if demand_industry in inds else 0.0 for inds in patent_industries])


def structure_factor(
    ipc: np.ndarray,
    industry: np.ndarray,
    *,
    ipc_weight: float,
    has_industry: bool,
    weights: Weights,
) -> np.ndarray:
    """``(1 + w_ipc*ipc + w_ind*ind) / (1 + w_ipc + w_ind)`` over the signals the demand has
    (``ipc_weight`` is 0 when it has no IPC, given or inferred): in [1/(1+...), 1]."""
    w_ind = weights.industry_weight if has_industry else 0.0
    return (1.0 + ipc_weight * ipc + w_ind * industry) / (1.0 + ipc_weight + w_ind)


# --------------------------------------------------------------------------------------------
# Availability


def deal_factor(patent_masks: np.ndarray, demand_mask: int, weights: Weights) -> np.ndarray:
    """1 when the patent offers a deal kind the demand wants (or either side names none), else
    ``deal_kind_mismatch``."""
    patent_masks = np.asarray(patent_masks, dtype=np.int64)
    if not demand_mask:
        return np.ones(len(patent_masks))
    ok = (patent_masks == 0) | ((patent_masks & int(demand_mask)) != 0)
    return np.where(ok, 1.0, weights.deal_kind_mismatch)


def price_factor(prices: np.ndarray, budget: float | None, weights: Weights) -> np.ndarray:
    """1 when the asking price is within the budget (or either is unknown), else
    ``max(floor, (budget/price)**power)``."""
    prices = np.asarray(prices, dtype=np.float64)
    if budget is None or (isinstance(budget, float) and math.isnan(budget)):
        return np.ones(len(prices))
    budget = max(float(budget), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(prices > 0, budget / prices, 1.0)
    over = ~np.isnan(prices) & (prices > budget)
    factor = np.maximum(
        weights.over_budget_floor, np.power(np.clip(ratio, 0.0, 1.0), weights.over_budget_power)
    )
    return np.where(over, factor, 1.0)


def availability(
    active: np.ndarray,
    patent_masks: np.ndarray,
    prices: np.ndarray,
    demand_mask: int,
    budget: float | None,
    weights: Weights,
) -> np.ndarray:
    """0 for patents not in force / not listed; else deal factor x price factor."""
    return (
        np.asarray(active, dtype=np.float64)
        * deal_factor(patent_masks, demand_mask, weights)
        * price_factor(prices, budget, weights)
    )


# --------------------------------------------------------------------------------------------
# Boosts


def boost_factor(
    dormant: np.ndarray,
    open_license: np.ndarray,
    use_first_pay_later: np.ndarray,
    agricultural: np.ndarray,
    district_is_county: bool,
    weights: Weights,
) -> np.ndarray:
    """``(1 + boosts) / (1 + max boosts)``: dormant patents (the plan's point), open license,
    use-first-pay-later, and agricultural patents for demands from county-level districts."""
    total = (
        weights.dormant_boost * np.asarray(dormant, dtype=np.float64)
        + weights.open_license_boost * np.asarray(open_license, dtype=np.float64)
        + weights.use_first_pay_later_boost * np.asarray(use_first_pay_later, dtype=np.float64)
    )
    if district_is_county:
        total = total + weights.agricultural_county_boost * np.asarray(agricultural, dtype=np.float64)
    return (1.0 + total) / (1.0 + weights.max_boost)


# --------------------------------------------------------------------------------------------
# Text


def text_relevance(queries: sp.csr_matrix, XT: sp.csr_matrix) -> sp.csr_matrix:
    """Mixed cosine similarity of each demand (rows of ``queries``, group-normalised and
    group-weighted) with every patent: one sparse product, demands x patents. Each entry is
    accumulated over its demand's own row only, so it does not depend on the batch it is in."""
    return (queries @ XT).tocsr()
