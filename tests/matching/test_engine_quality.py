"""Quality smoke test of the matching engine on a subsample of the shared evaluation set.

60 development demands, ranked among their judged patents plus a fixed random sample of the
others (about 1,600 patents), by the engine and by the plain BM25 baseline of the evaluation
README: the engine's ranking (no recommendation threshold). The full figures come from
``python -m benchmarks.matching``.
"""

from __future__ import annotations

import random

import pytest

from benchmarks.matching import Bm25Baseline, eval_dir, load_eval, mean_metrics, ranking_weights
from matching.engine import build_index, score_demands


@pytest.fixture(scope="module")
def sample():
    directory = eval_dir()
    if not (directory / "patents.csv").exists():
        pytest.skip(f"evaluation set not found at {directory} (set PORTAL_EVAL_DIR)")
    patents, demands, qrels = load_eval(directory)
    demands = demands[::4][:60]
    judged = set().union(*(qrels[d.code] for d in demands))
    others = [p for p in patents if p.application_no not in judged]
    rng = random.Random(5)
    corpus = [p for p in patents if p.application_no in judged] + rng.sample(others, 1200)
    return corpus, demands, {d.code: qrels[d.code] for d in demands}


@pytest.mark.slow
def test_engine_beats_bm25_on_a_subsample(sample):
    corpus, demands, qrels = sample
    index = build_index(corpus)
    engine = {
        d.code: [m.application_no for m in ms]
        for d, ms in zip(
            demands, score_demands(index, demands, 100, ranking_weights(), explain=False), strict=True
        )
    }
    baseline = Bm25Baseline(corpus)
    bm25 = {d.code: baseline.rank(d) for d in demands}
    e, b = mean_metrics(engine, qrels), mean_metrics(bm25, qrels)
    assert e["ndcg@10"] > b["ndcg@10"], (e, b)
    assert e["recall@10"] >= b["recall@10"] * 0.95, (e, b)
