"""Scoring demands against the patent index: top-N matches with scores in [0, 1] and reasons.

A batch of demands becomes one sparse matrix; one sparse product with the index gives every
text score; per demand only the few candidates that can still reach its top N get the other
signals (all of them multiply the text score by at most 1, so a patent whose text score is below
the N-th best final score cannot enter). Scores are rounded to 6 decimals and ties broken by
application number, so results are identical however the demands are split into batches or
workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from . import calibration, reason_terms, signals, text
from .docs import DEAL_BITS, DEAL_KINDS, DemandDoc, Match, deal_mask
from .index import PatentIndex, group_of_columns
from .signals import Ipc, parse_ipc
from .weights import Weights, get_weights

SCORE_DECIMALS = 6
_CANDIDATE_FACTOR = 4  # first look at this many times top_n text candidates
_MIN_PRUNED_DF = 200  # impact pruning only drops features found in more patents than this
_NAMED_CONTRIBUTIONS = 12  # strongest feature contributions per match considered for its terms

# Patent ids -> {id: (title, abstract, claims)}: where the reasons look up which field has a term.
FieldTextsFn = Callable[[list], Mapping[object, tuple[str, str, str]]]


# --------------------------------------------------------------------------------------------
# Demand vectors


@dataclass
class PreparedDemand:
    demand: DemandDoc
    cols: np.ndarray  # sorted feature columns present in the index
    vals: np.ndarray  # group-normalised, group-weighted tf-idf values (float32)
    bag: text.Bag = field(default_factory=text.empty_bag)
    hints: list[Ipc] = field(default_factory=list)
    deal_mask: int = 0
    budget: float | None = None
    _surfaces: dict[int, tuple[int, str]] | None = None

    @property
    def surfaces(self) -> dict[int, tuple[int, str]]:
        """Column -> (group number, text) of the demand's features (computed on first use)."""
        if self._surfaces is None:
            out: dict[int, tuple[int, str]] = {}
            for g in range(len(text.GROUP_NAMES)):
                texts = sorted({t for t, _ in self.bag[g]})
                for col, t in zip(text.column_list(g, texts), texts, strict=True):
                    out.setdefault(col, (g, t))
            self._surfaces = out
        return self._surfaces


def demand_bag(demand: DemandDoc, weights: Weights) -> text.Bag:
    return text.query_fields_features(
        [
            (demand.title, weights.query_title),
            (demand.description, weights.query_description),
            (demand.keywords_text, weights.query_keywords),
        ]
    )


def prepare_demands(
    index: PatentIndex, demands: Sequence[DemandDoc], weights: Weights
) -> tuple[list[PreparedDemand], sp.csr_matrix]:
    """Query vectors of a batch of demands (one row each, independent of the others): raw term
    frequency x idf (features no patent has are dropped), L2-normalised per feature group and
    mixed with the group weights, renormalised over the groups the demand has so that a perfect
    match scores 1."""
    bags = [demand_bag(d, weights) for d in demands]
    Q = text.hash_bags(bags)
    # Features no patent has are dropped (idf 0). Keeping them in the norm was tried: on a small
    # inventory every long, detailed demand then lost its real matches to words nobody uses.
    Q.data *= index.idf[Q.indices]
    Q.eliminate_zeros()
    n_groups = len(text.GROUP_NAMES)
    group = group_of_columns(Q.indices)
    slot = np.repeat(np.arange(Q.shape[0], dtype=np.int64) * n_groups, np.diff(Q.indptr)) + group
    norms = np.sqrt(
        np.bincount(slot, weights=np.square(Q.data, dtype=np.float64), minlength=Q.shape[0] * n_groups)
    ).reshape(-1, n_groups)
    gw = weights.group_weights()
    gw_arr = np.array([gw[name] for name in text.GROUP_NAMES], dtype=np.float64)
    total = ((norms > 0) * gw_arr).sum(axis=1)
    total[total == 0] = 1.0
    scale = (gw_arr[None, :] / total[:, None]) / np.where(norms > 0, norms, 1.0)
    Q.data = (Q.data * scale.ravel()[slot]).astype(np.float32)
    if weights.max_df < 1.0 and Q.nnz:
        # Impact pruning: features in more than max_df of all patents count in the demand's norm
        # but are left out of the product (tiny contributions, long posting lists).
        n = max(1, len(index))
        df_cut = max(weights.max_df * n, _MIN_PRUNED_DF)  # small corpora: nothing is pruned
        idf_min = np.log((1.0 + n) / (1.0 + df_cut)) + 1.0
        common = index.idf[Q.indices] < idf_min
        if common.any():
            Q.data[common] = 0.0
            Q.eliminate_zeros()
    prepared = []
    for i, (d, bag) in enumerate(zip(demands, bags, strict=True)):
        lo, hi = Q.indptr[i], Q.indptr[i + 1]
        prepared.append(
            PreparedDemand(
                demand=d,
                cols=Q.indices[lo:hi].astype(np.int64),
                vals=Q.data[lo:hi],
                bag=bag,
                hints=[h for h in (parse_ipc(c) for c in (d.ipc_hints or ())) if h is not None],
                deal_mask=deal_mask(d.deal_kinds),
                budget=None if d.budget_max is None else float(d.budget_max),
            )
        )
    return prepared, Q


def prepare_demand(index: PatentIndex, demand: DemandDoc, weights: Weights) -> PreparedDemand:
    return prepare_demands(index, [demand], weights)[0][0]


# --------------------------------------------------------------------------------------------
# Ranking one demand


@dataclass
class _Candidates:
    """Candidate (demand row, patent row, text score) triples of a batch, grouped by demand."""

    rows: np.ndarray
    docs: np.ndarray
    text: np.ndarray


@dataclass
class _BatchInfo:
    """Per-demand values of a batch as arrays (indexed by demand row)."""

    deal_mask: np.ndarray
    budget: np.ndarray  # NaN: no budget
    county: np.ndarray
    has_industry: np.ndarray
    industry_id: np.ndarray  # -1: none, or an industry no patent has
    hints: list[list[Ipc]]
    ipc_weight: np.ndarray
    inferred: np.ndarray

    @classmethod
    def of(cls, index: PatentIndex, prepared: Sequence[PreparedDemand]) -> _BatchInfo:
        has_industry = np.array([bool(p.demand.industry_code) for p in prepared], dtype=bool)
        if has_industry.any():
            vocab, _ = index.industry_lookup()
            industry_id = np.array(
                [vocab.get(p.demand.industry_code or "", -1) for p in prepared], dtype=np.int64
            )
        else:
            industry_id = np.full(len(prepared), -1, dtype=np.int64)
        return cls(
            deal_mask=np.array([p.deal_mask for p in prepared], dtype=np.int64),
            budget=np.array([np.nan if p.budget is None else max(p.budget, 0.0) for p in prepared]),
            county=np.array([bool(p.demand.district_is_county) for p in prepared], dtype=bool),
            has_industry=has_industry,
            industry_id=industry_id,
            hints=[[] for _ in prepared],
            ipc_weight=np.zeros(len(prepared)),
            inferred=np.zeros(len(prepared), dtype=bool),
        )


def _top_positions(values: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """Positions of the k largest values (any order) and the largest value left out (-1 if none)."""
    if len(values) <= k:
        return np.arange(len(values)), -1.0
    part = np.argpartition(values, len(values) - k)
    return part[len(values) - k :], float(values[part[: len(values) - k]].max())


def _ordered_top(values: np.ndarray, order: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best values, best first, ties by ``order``."""
    pos, _ = _top_positions(values, k)
    if len(values) > k:  # take in every tie of the k-th value, then cut after ordering
        kth = values[pos].min()
        pos = np.flatnonzero(values >= kth)
    return pos[np.lexsort((order[pos], -values[pos]))][:k]


_LEVEL_ATTR = {"class": "klass", "subclass": "subclass", "group": "group"}


def _factors(
    index: PatentIndex, info: _BatchInfo, cand: _Candidates, weights: Weights
) -> dict[str, np.ndarray]:
    """Every non-text signal for each candidate, vectorised over the batch; and the score."""
    meta = index.meta
    r, d = cand.rows, cand.docs
    n = len(r)
    # Availability.
    dmask = info.deal_mask[r]
    pmask = meta.deal_mask[d].astype(np.int64)
    deal_ok = (dmask == 0) | (pmask == 0) | ((pmask & dmask) != 0)
    budget = info.budget[r]
    price = meta.price[d]
    over = ~np.isnan(budget) & ~np.isnan(price) & (price > budget)
    if over.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.clip(np.where(price > 0, budget / price, 1.0), 0.0, 1.0)
        price_f = np.where(
            over, np.maximum(weights.over_budget_floor, np.power(ratio, weights.over_budget_power)), 1.0
        )
    else:
        price_f = 1.0
    avail = meta.active[d] * np.where(deal_ok, 1.0, weights.deal_kind_mismatch) * price_f
    # Boosts.
    boost = signals.boost_factor(
        meta.dormant[d],
        meta.open_license[d],
        meta.use_first_pay_later[d],
        meta.agricultural[d] & info.county[r],
        True,
        weights,
    )
    # Industry.
    industry = np.zeros(n)
    if info.has_industry.any():
        vocab, keys = index.industry_lookup()
        ids = info.industry_id[r]
        if len(keys):
            q = d * max(1, len(vocab)) + ids
            pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
            industry = ((keys[pos] == q) & (ids >= 0)).astype(np.float64)
    # IPC: best agreement over the demand's hints, relative to the depth of the hint.
    ipc = np.zeros(n)
    if info.ipc_weight.any() and index.has_ipc:
        lookup = index.ipc_lookup()
        level_value = {
            "group": weights.ipc_level_group,
            "subclass": weights.ipc_level_subclass,
            "class": weights.ipc_level_class,
        }
        rows_with = np.flatnonzero(info.ipc_weight > 0)
        starts = np.searchsorted(r, rows_with, side="left")
        ends = np.searchsorted(r, rows_with, side="right")
        for i, lo, hi in zip(rows_with.tolist(), starts.tolist(), ends.tolist(), strict=True):
            if hi == lo:
                continue
            docs = d[lo:hi]
            best = np.zeros(hi - lo)
            for h in info.hints[i]:
                full = level_value.get(h.depth) or 1.0
                for level in ("class", "subclass", "group"):
                    value = getattr(h, _LEVEL_ATTR[level])
                    code_id = lookup.vocab[level].get(value, -1) if value else -1
                    if code_id < 0:
                        continue
                    hit = lookup.contains(level, docs, np.full(len(docs), code_id, dtype=np.int64))
                    best = np.maximum(best, np.where(hit, min(1.0, level_value[level] / full), 0.0))
            ipc[lo:hi] = best
    w_ind = np.where(info.has_industry, weights.industry_weight, 0.0)[r]
    w_ipc = info.ipc_weight[r]
    structure = (1.0 + w_ipc * ipc + w_ind * industry) / (1.0 + w_ipc + w_ind)
    # Whether a patent answers the need (calibrated, see calibration.py) decides whether it is
    # recommended; availability and the plan's boosts only shape the score shown.
    rel = calibration.relevance(cand.text, weights) * structure
    boost = boost * (1.0 + weights.max_boost)  # 1 without boosts
    score = np.round(calibration.final_score(rel, avail, boost), SCORE_DECIMALS)
    return {
        "score": score,
        "relevance": rel,
        "ipc": ipc,
        "industry": industry,
        "availability": avail,
        "boost": boost,
    }


def _boost_ceiling(index: PatentIndex, weights: Weights) -> dict[bool, float]:
    """Largest boost (1 + boosts) of any patent in force and listed, for county and other
    demands."""
    store = index.__dict__.setdefault("_boost_ceilings", {})
    cached = store.get(weights)
    if cached is None:
        meta = index.meta
        active = np.asarray(meta.active)
        cached = {}
        for county in (False, True):
            f = signals.boost_factor(
                meta.dormant[active],
                meta.open_license[active],
                meta.use_first_pay_later[active],
                meta.agricultural[active],
                county,
                weights,
            )
            cached[county] = float(f.max()) * (1.0 + weights.max_boost) if len(f) else 1.0
        store[weights] = cached
    return cached


def _rank_batch(
    index: PatentIndex,
    prepared: Sequence[PreparedDemand],
    S: sp.csr_matrix,
    col_rows: np.ndarray | None,
    top_n: int,
    weights: Weights,
    subset: np.ndarray | None,
    industry_names: Mapping[str, str] | None,
    explain_matches: bool,
    field_texts: FieldTextsFn | None = None,
) -> list[list[Match]]:
    meta = index.meta
    order = index.order
    n_rows = len(prepared)
    if top_n <= 0 or not n_rows:
        return [[] for _ in prepared]
    docs_all = S.indices if col_rows is None else col_rows[S.indices]
    text_all = S.data  # float32; candidates are taken to float64 below
    indptr = np.asarray(S.indptr, dtype=np.int64)
    # Only patents in force and listed whose text alone can reach the recommendation threshold
    # (structure is <= 1) are ever matched: most of the product is left out at once.
    min_text = max(weights.min_text, calibration.text_needed(weights.recommend_min, weights))
    usable_pos = np.flatnonzero((text_all >= min_text) & meta.active[docs_all])
    bounds = np.searchsorted(usable_pos, indptr).tolist()

    info = _BatchInfo.of(index, prepared)
    infer = index.has_ipc and weights.ipc_inferred_weight > 0
    row_pos: list[np.ndarray] = []
    for i, p in enumerate(prepared):
        pos = usable_pos[bounds[i] : bounds[i + 1]]
        if p.hints:
            info.hints[i] = p.hints
            info.ipc_weight[i] = weights.ipc_weight
        elif infer and len(pos):
            # IPC inferred from the demand's best text matches over the whole index.
            best = pos[_ordered_top(text_all[pos], order[docs_all[pos]], weights.ipc_infer_top_k)]
            h = signals.infer_ipc(
                [index.ipc_parsed(int(x)) for x in docs_all[best]], text_all[best].astype(np.float64), weights
            )
            info.hints[i] = h
            info.ipc_weight[i] = weights.ipc_inferred_weight if h else 0.0
            info.inferred[i] = True
        if subset is not None:
            pos = pos[subset[docs_all[pos]]]
        row_pos.append(pos)

    # Exact pruning. Structure and availability are <= 1 and the boost is at most the largest
    # boost of any patent, so a patent outside a demand's best k by text (text <= t_out) cannot
    # enter its top N when the score of relevance(t_out) with that boost is below the N-th final
    # score. Start with k = 4 x top_n and widen (x5) only where the bound does not hold yet.
    ceiling = _boost_ceiling(index, weights)
    width = np.full(n_rows, max(top_n * _CANDIDATE_FACTOR, top_n), dtype=np.int64)
    pending = [i for i in range(n_rows) if len(row_pos[i])]
    names = ("text", "relevance", "ipc", "industry", "availability", "boost")
    # Per demand row: (docs, ids, application numbers, scores, signal rows), as Python lists.
    chosen: dict[int, tuple[list, list, list, list, list]] = {}
    while pending:
        outside = {}
        cand_pos = []
        counts = []
        for i in pending:
            pos = row_pos[i]
            top, outside[i] = _top_positions(text_all[pos], int(width[i]))
            cand_pos.append(pos[np.sort(top)])
            counts.append(len(top))
        pos = np.concatenate(cand_pos)
        cand = _Candidates(
            np.repeat(np.array(pending, dtype=np.int64), counts),
            docs_all[pos].astype(np.int64),
            text_all[pos].astype(np.float64),
        )
        parts = _factors(index, info, cand, weights)
        score = parts["score"]
        ranked = np.lexsort((order[cand.docs], -score, cand.rows))
        ranked = ranked[(score[ranked] > 0) & (parts["relevance"][ranked] >= weights.recommend_min)]
        rows_sorted = cand.rows[ranked]
        starts = np.searchsorted(rows_sorted, pending, side="left").tolist()
        ends = np.searchsorted(rows_sorted, pending, side="right").tolist()
        still, accepted, picks = [], [], []
        for i, lo, hi in zip(pending, starts, ends, strict=True):
            sel = ranked[lo : min(hi, lo + top_n)]
            kth = score[sel[-1]] if len(sel) == top_n else 0.0
            if (
                outside[i] >= 0
                and _best_possible(outside[i], ceiling[bool(info.county[i])], weights) + 1e-9 >= kth
            ):
                width[i] *= 5
                still.append(i)
            else:
                accepted.append(i)
                picks.append(sel)
        if accepted:
            sel_all = np.concatenate(picks)
            docs = cand.docs[sel_all]
            signal_rows = np.round(
                np.stack(
                    [
                        cand.text[sel_all],
                        parts["relevance"][sel_all],
                        parts["ipc"][sel_all],
                        parts["industry"][sel_all],
                        parts["availability"][sel_all],
                        parts["boost"][sel_all],
                    ],
                    axis=1,
                ),
                SCORE_DECIMALS,
            ).tolist()
            docs_l, ids_l = docs.tolist(), meta.ids[docs].tolist()
            nos_l, scores_l = meta.application_no[docs].tolist(), score[sel_all].tolist()
            at = 0
            for i, sel in zip(accepted, picks, strict=True):
                k = len(sel)
                chosen[i] = (
                    docs_l[at : at + k],
                    ids_l[at : at + k],
                    nos_l[at : at + k],
                    scores_l[at : at + k],
                    signal_rows[at : at + k],
                )
                at += k
        pending = still

    fields_by_id: dict = {}
    if explain_matches and field_texts is not None and chosen:
        # One call for the whole batch (the caller reads the texts in one query).
        wanted = sorted({pid for c in chosen.values() for pid in c[1]}, key=str)
        fields_by_id = {
            pid: reason_terms.normalise_fields(*texts) for pid, texts in field_texts(wanted).items()
        }

    results: list[list[Match]] = []
    for i, p in enumerate(prepared):
        if i not in chosen or not chosen[i][0]:
            results.append([])
            continue
        row_list, ids, numbers, scores, comps = chosen[i]
        # A recommendation must share at least one term that is not generic (制备、利用、强度 ...)
        # and carries some of the text score: one shared everyday word is not a match.
        # One pass over the shared features gives both (the folding of n-grams is the costly part).
        anchors, all_terms = _anchors_and_terms(index, p, row_list, weights.reason_terms, weights)
        hints = info.hints[i] if info.ipc_weight[i] else []
        matches = []
        for k, (row, pid, number, sc, comp) in enumerate(
            zip(row_list, ids, numbers, scores, comps, strict=True)
        ):
            if not anchors[k]:
                continue
            reasons: tuple[str, ...] = ()
            if explain_matches:
                reasons = tuple(
                    explain(
                        index,
                        p,
                        row,
                        dict(zip(names, comp, strict=True)),
                        hints=hints,
                        inferred=bool(info.inferred[i]),
                        weights=weights,
                        industry_names=industry_names,
                        terms=all_terms[k],
                        fields=fields_by_id.get(pid),
                    )
                )
            tier = calibration.tier(comp[1], weights)
            matches.append(Match(pid, str(number), sc, reasons, tuple(zip(names, comp, strict=True)), tier))
        results.append(matches)
    return results


def _best_possible(text_score: float, boost_ceiling: float, weights: Weights) -> float:
    """The highest score a patent with this text score could reach (structure and availability
    at 1, the largest boost)."""
    rel = calibration.relevance_of(text_score, weights)
    return float(calibration.final_score(np.array([rel]), 1.0, np.array([boost_ceiling]))[0])


# --------------------------------------------------------------------------------------------
# Explanations


def shared_terms_many(
    index: PatentIndex, p: PreparedDemand, rows: Sequence[int], limit: int, weights: Weights | None = None
) -> list[list[str]]:
    """For each patent row, the distinctive demand terms that contribute most to its text score.
    Character n-grams are folded into the matched word (or longer n-gram) containing them, so
    丁二酸 is named rather than 丁二 + 二酸; then terms common across the inventory or generic
    (see reason_terms.py) are left out: they explain nothing."""
    return _anchors_and_terms(index, p, rows, limit, weights)[1]


def _anchors_and_terms(
    index: PatentIndex, p: PreparedDemand, rows: Sequence[int], limit: int, weights: Weights | None = None
) -> tuple[list[bool], list[list[str]]]:
    """For each patent row: does it share a term that is not generic and carries at least 5 % of
    its text score (the *anchor* a recommendation needs; any document frequency: features in more
    than ``max_df`` of the patents never reach the product anyway), and its named terms
    (:func:`shared_terms_many`). One pass over the shared features for both."""
    weights = get_weights(weights)
    if not len(rows) or not len(p.cols):
        return [False for _ in rows], [[] for _ in rows]
    X = index.X
    indptr = X.indptr
    spans = [(int(indptr[r]), int(indptr[r + 1])) for r in rows]
    cols = np.concatenate([X.indices[a:b] for a, b in spans])
    data = np.concatenate([X.data[a:b] for a, b in spans])
    owner = np.repeat(np.arange(len(rows)), [b - a for a, b in spans])
    qi = np.searchsorted(p.cols, cols)
    qi[qi >= len(p.cols)] = 0
    hit = p.cols[qi] == cols
    contrib = p.vals[qi[hit]].astype(np.float64) * data[hit]
    hit_cols = cols[hit]
    hit_owner = owner[hit]
    # Keep the strongest contributions of each patent only (enough to name `limit` terms).
    keep = np.lexsort((-contrib, hit_owner))
    first = np.searchsorted(hit_owner[keep], hit_owner[keep], side="left")
    keep = keep[np.arange(len(keep)) - first < _NAMED_CONTRIBUTIONS]
    contrib, hit_cols, hit_owner = contrib[keep].tolist(), hit_cols[keep].tolist(), hit_owner[keep].tolist()
    per_row: list[list[tuple[int, float]]] = [[] for _ in rows]
    for o, col, c in zip(hit_owner, hit_cols, contrib, strict=True):
        per_row[o].append((col, c))
    surfaces = p.surfaces
    n = len(index)
    limit_df = reason_terms.max_document_frequency(n, weights.reason_max_df, weights.reason_min_df_count)
    seen_cols = sorted({col for items in per_row for col, _ in items})
    df_of = dict(
        zip(
            seen_cols,
            reason_terms.document_frequency(index.idf, np.array(seen_cols), n).tolist(),
            strict=True,
        )
    )
    named = [_name_terms(items, surfaces, limit, df_of, limit_df) for items in per_row]
    return [a for a, _ in named], [t for _, t in named]


def _name_terms(
    items: list[tuple[int, float]],
    surfaces: dict[int, tuple[int, str]],
    limit: int,
    df_of: Mapping[int, float] | None = None,
    limit_df: float = float("inf"),
) -> tuple[bool, list[str]]:
    terms: dict[str, float] = {}
    df: dict[str, float] = {}
    words: list[str] = []
    grams: list[str] = []
    for col, c in items:
        group, surface = surfaces.get(col, (-1, ""))
        if not surface or c <= 0:
            continue
        if surface not in terms:
            (words if group == 0 else grams).append(surface)
        terms[surface] = terms.get(surface, 0.0) + c
        # A surface may be a word and an n-gram at once: its rarest column speaks for it.
        df[surface] = min(df.get(surface, float("inf")), (df_of or {}).get(col, 0.0))
    # Fold each n-gram into the best term that contains it: words first, then longer n-grams.
    for g in sorted(grams, key=lambda s: (len(s), s)):
        holders = [w for w in words if g in w and w != g] or [t for t in grams if len(t) > len(g) and g in t]
        if holders:
            best = max(holders, key=lambda t: (terms[t], t))
            terms[best] += terms.pop(g)
            grams = [t for t in grams if t != g]
    _merge_overlapping(grams, terms, df)
    total = sum(terms.values()) or 1.0
    ranked = sorted(terms, key=lambda t: (-terms[t], t))
    strong = [t for t in ranked if terms[t] / total >= 0.05]
    anchor = any(reason_terms.is_distinctive(t, 0.0, 1.0) for t in strong)
    named = [t for t in strong if reason_terms.is_distinctive(t, df.get(t, 0.0), limit_df)][:limit]
    return anchor, named


def _merge_overlapping(grams: list[str], terms: dict[str, float], df: dict[str, float]) -> None:
    """Name overlapping n-grams of one longer term as that term: 土壤改 + 壤改良 -> 土壤改良 (in
    place; the parts' contributions add up, the rarer part's document frequency speaks for it)."""
    grams[:] = [g for g in grams if g in terms]
    changed = True
    while changed:
        changed = False
        for a in sorted(grams, key=lambda t: (-len(t), t)):
            b = next(
                (g for g in sorted(grams) if g != a and len(g) >= 2 and a.endswith(g[:-1]) and g not in a),
                None,
            )
            if b is None:
                continue
            joined = a + b[-1]
            terms[joined] = terms.pop(a) + terms.pop(b) + terms.get(joined, 0.0)
            df[joined] = min(df.get(a, 0.0), df.get(b, 0.0))
            grams[:] = [g for g in grams if g not in (a, b)] + [joined]
            changed = True
            break


def shared_terms(
    index: PatentIndex, p: PreparedDemand, row: int, limit: int, weights: Weights | None = None
) -> list[str]:
    """:func:`shared_terms_many` for one patent."""
    return shared_terms_many(index, p, [row], limit, weights)[0]


def explain(
    index: PatentIndex,
    p: PreparedDemand,
    row: int,
    comp: Mapping[str, float],
    *,
    hints: list[Ipc],
    inferred: bool,
    weights: Weights,
    industry_names: Mapping[str, str] | None = None,
    terms: list[str] | None = None,
    fields: reason_terms.FieldTexts | None = None,
) -> list[str]:
    """Human-readable Chinese reasons for one match (``terms``: its shared terms, if known;
    ``fields``: its normalised title, abstract and claims, to say where each term is found)."""
    meta = index.meta
    reasons = []
    if terms is None:
        terms = shared_terms(index, p, row, weights.reason_terms, weights)
    if terms:
        reasons.append(reason_terms.terms_reason(terms, fields))
    if hints and comp.get("ipc", 0) > 0:
        _value, level, shared = signals.ipc_agreement(hints, index.ipc_parsed(row), weights)
        if level:
            suffix = "（据文本推断）" if inferred else ""
            reasons.append(f"IPC 同{signals.IPC_LEVEL_LABELS[level]} {shared}{suffix}")
    if p.demand.industry_code and comp.get("industry", 0) > 0:
        code = p.demand.industry_code
        reasons.append(f"同属产业：{(industry_names or {}).get(code, code)}")
    reasons.append(_availability_reason(meta, row, p))
    if meta.dormant[row]:
        reasons.append("沉睡专利，优先推荐")
    if meta.open_license[row]:
        reasons.append("开放许可")
    if meta.use_first_pay_later[row]:
        reasons.append("先用后付")
    if p.demand.district_is_county and meta.agricultural[row]:
        reasons.append("涉农专利，适合县域中小企业")
    return [r for r in reasons if r]


def _availability_reason(meta, row: int, p: PreparedDemand) -> str:
    offered = int(meta.deal_mask[row])
    parts = []
    if offered:
        wanted = p.deal_mask or offered
        both = [label for kind, label in DEAL_KINDS.items() if offered & wanted & DEAL_BITS[kind]]
        if both:
            parts.append("提供" + "、".join(both))
        else:
            labels = [label for kind, label in DEAL_KINDS.items() if offered & DEAL_BITS[kind]]
            parts.append("交易方式不符（仅提供" + "、".join(labels) + "）")
    price = float(meta.price[row])
    if p.budget is not None:
        if np.isnan(price):
            parts.append("价格面议")
        elif price <= p.budget:
            parts.append("价格在预算内")
        else:
            parts.append("报价高于预算")
    return "，".join(parts)


# --------------------------------------------------------------------------------------------
# Public entry points


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def score_demands(
    index: PatentIndex,
    demands: Iterable[DemandDoc],
    top_n: int = 10,
    weights: Weights | Mapping | None = None,
    *,
    patent_ids: Iterable | None = None,
    batch_size: int = 256,
    industry_names: Mapping[str, str] | None = None,
    explain: bool = True,
    field_texts: FieldTextsFn | None = None,
) -> list[list[Match]]:
    """Top ``top_n`` recommended matches (best first) of each demand, in the order of
    ``demands``: only matches whose calibrated relevance reaches ``weights.recommend_min``, so a
    demand may get fewer than ``top_n``, or none.

    With ``patent_ids`` only those patents are ranked (e.g. newly published ones); their scores
    are exactly the scores they get in a full run, so the result can be merged with stored ones.
    The result does not depend on ``batch_size`` or on how callers split the demands.
    ``explain=False`` leaves the reasons empty (ranking only, for evaluation).
    ``field_texts`` (patent ids -> their title, abstract, claims) lets the reasons say in which
    field each shared term is found.
    """
    weights = get_weights(weights)
    demands = list(demands)
    subset = None
    sub_rows = None
    if patent_ids is not None:
        sub_rows = index.rows_for_ids(patent_ids)
        subset = np.zeros(len(index), dtype=bool)
        subset[sub_rows] = True
        if not len(sub_rows):
            return [[] for _ in demands]
    # Ranking a few patents needs only their columns, unless IPC must be inferred from the
    # demand's best matches over the whole index.
    restricted_XT = None
    if sub_rows is not None and len(sub_rows) < len(index) // 4:
        restricted_XT = index.X[sub_rows].T.tocsr()

    out: list[list[Match]] = []
    for batch in _batches(demands, max(1, batch_size)):
        prepared, Q = prepare_demands(index, batch, weights)
        needs_full = restricted_XT is None or (
            index.has_ipc and weights.ipc_inferred_weight > 0 and any(not p.hints for p in prepared)
        )
        if needs_full:
            S = signals.text_relevance(Q, index.XT)
            col_rows = None
        else:
            S = signals.text_relevance(Q, restricted_XT)
            col_rows = sub_rows
        out.extend(
            _rank_batch(
                index, prepared, S, col_rows, top_n, weights, subset, industry_names, explain, field_texts
            )
        )
    return out


def score_demand(
    index: PatentIndex,
    demand: DemandDoc,
    top_n: int = 10,
    weights: Weights | Mapping | None = None,
    *,
    industry_names: Mapping[str, str] | None = None,
    field_texts: FieldTextsFn | None = None,
) -> list[Match]:
    """Matches of one demand (e.g. right after it is saved): the same as in a full run."""
    return score_demands(
        index, [demand], top_n, weights, industry_names=industry_names, field_texts=field_texts
    )[0]


def score_new_patents(
    index: PatentIndex,
    demands: Iterable[DemandDoc],
    patent_ids: Iterable,
    top_n: int = 10,
    weights: Weights | Mapping | None = None,
    *,
    industry_names: Mapping[str, str] | None = None,
    field_texts: FieldTextsFn | None = None,
) -> list[list[Match]]:
    """Each demand's best matches among ``patent_ids`` only (newly published patents, already in
    ``index``, e.g. via :meth:`PatentIndex.extend`). Merge with the stored top N by
    :func:`merge_matches`."""
    return score_demands(
        index,
        demands,
        top_n,
        weights,
        patent_ids=patent_ids,
        industry_names=industry_names,
        field_texts=field_texts,
    )


def merge_matches(old: Iterable[Match], new: Iterable[Match], top_n: int = 10) -> list[Match]:
    """Stored matches and new ones in one top N (a patent in both keeps its new entry)."""
    by_no = {m.application_no: m for m in old}
    by_no.update({m.application_no: m for m in new})
    return sorted(by_no.values(), key=lambda m: (-m.score, m.application_no))[:top_n]
