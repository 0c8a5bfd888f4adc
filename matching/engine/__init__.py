"""Demand-to-patent matching engine (pure Python/NumPy/SciPy; no Django models).

Public API::

    from matching.engine import (
        PatentDoc, DemandDoc, Match, Weights, get_weights,
        build_index, PatentIndex, load_or_build, index_dir, corpus_version,
        score_demands, score_demand, score_new_patents, merge_matches,
    )

    index = build_index(patents, version="2025-06-01")     # or load_or_build(root, version, fn)
    index.save(path); index = PatentIndex.load(path)
    results = score_demands(index, demands, top_n=10)      # list[list[Match]], in demand order

See README.md in this package for the method, the weights and the benchmark figures.
"""

from .docs import DEAL_KINDS, DemandDoc, Match, PatentDoc
from .index import PatentIndex, build_index, corpus_version, index_dir, load_or_build
from .scorer import merge_matches, score_demand, score_demands, score_new_patents
from .weights import DEFAULT_WEIGHTS, Weights, get_weights

__all__ = [
    "DEAL_KINDS",
    "DEFAULT_WEIGHTS",
    "DemandDoc",
    "Match",
    "PatentDoc",
    "PatentIndex",
    "Weights",
    "build_index",
    "corpus_version",
    "get_weights",
    "index_dir",
    "load_or_build",
    "merge_matches",
    "score_demand",
    "score_demands",
    "score_new_patents",
]
