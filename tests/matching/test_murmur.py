"""The engine's pure-Python MurmurHash3 gives exactly scikit-learn's FeatureHasher columns, so a
demand hashed without scikit-learn lands in the columns its index was built with."""

import random

import numpy as np
import pytest

from matching.engine import murmur, text

pytest.importorskip("sklearn")


def _strings(n=3000, seed=3):
    rng = random.Random(seed)
    chars = "煤矸石建材丁二酸聚苯硫醚abcxyz0129 -_."
    fixed = ["", "a", "ab", "abc", "abcd", "abcde", "煤", "煤矸", "煤矸石"]
    return fixed + ["".join(rng.choice(chars) for _ in range(rng.randint(1, 14))) for _ in range(n)]


def test_murmurhash3_matches_scikit_learn():
    from sklearn.utils import murmurhash3_32

    for s in _strings():
        assert murmur.murmurhash3_32(s.encode()) == murmurhash3_32(s.encode(), seed=0)


def test_transform_matches_scikit_learn_feature_hasher():
    from sklearn.feature_extraction._hashing_fast import transform

    rng = random.Random(5)
    strings = _strings(500)
    rows = [[(s, rng.choice([1.0, 0.5, 0.0, 2.25])) for s in rng.sample(strings, 30)] for _ in range(50)]
    for size in (1 << 20, 1 << 22):
        ours = murmur.transform(rows, size)
        theirs = transform(rows, size, np.float32, False, 0)
        for a, b in zip(ours, theirs, strict=True):
            assert np.array_equal(np.asarray(a), np.asarray(b))


def test_hash_bags_same_matrix_whichever_hasher(monkeypatch):
    bags = [
        text.query_features("煤矸石制备新型建材技术，寻求粉煤灰综合利用专利"),
        text.field_features("一种钢渣煤矸石板材"),
    ]
    python = text.hash_bags(bags)
    monkeypatch.setattr(text, "PYTHON_HASH_MAX_FEATURES", -1)
    compiled = text.hash_bags(bags)
    assert (python != compiled).nnz == 0 and np.array_equal(python.indices, compiled.indices)
