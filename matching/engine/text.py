"""Chinese text analysis for matching: normalisation, words, character n-grams, hashed features.

Three feature groups, each hashed into its own column range of one sparse matrix:

- ``w`` words: jieba (HMM off, so segmentation is stable and dictionary-driven) tokens of two or
  more characters, boilerplate removed. Precise: 煤矿 matches 煤矿, not 煤矿机械.
- ``b`` / ``t`` character bigrams and trigrams of the Han runs left after boilerplate removal.
  They give recall on technical terms jieba does not know (丁二酸, 三烯丙酯) or segments
  differently in the patent and in the demand.

Patents get all n-grams of each Han run (recall); demands get n-grams only inside "units" (a jieba
word, or a run of single-character tokens jieba could not join), so that the seams between the
words of a long, chatty demand text add no noise. Hashing (scikit-learn's FeatureHasher: MurmurHash3, fixed seed) keeps no
vocabulary in memory and is the same in every process.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

# The tokeniser and stop list are the portal's shared text analysis (also used by keyword search
# and demands); re-exported here so the engine's modules keep reading them as ``text.*``.
from textanalysis import (  # noqa: F401
    STOPWORDS_FILE,
    han_runs,
    normalize,
    query_units,
    segment,
    stopwords,
    tokenize,
    warm_up,
)

from . import murmur

# Column layout of the feature space: (group, number of hash buckets). Changing it changes every
# index: bump FEATURE_LAYOUT_VERSION with it.
GROUPS: tuple[tuple[str, int], ...] = (("w", 1 << 21), ("b", 1 << 20), ("t", 1 << 22))
FEATURE_LAYOUT_VERSION = 1
GROUP_NAMES = tuple(name for name, _ in GROUPS)
GROUP_OFFSETS: dict[str, int] = {}
_offset = 0
for _name, _size in GROUPS:
    GROUP_OFFSETS[_name] = _offset
    _offset += _size
N_FEATURES = _offset
GROUP_LABELS = {"w": "词", "b": "二字串", "t": "三字串"}

# A bag of features: one list of (text, weight) pairs per group, in GROUP_NAMES order.
Bag = tuple[list[tuple[str, float]], list[tuple[str, float]], list[tuple[str, float]]]


def empty_bag() -> Bag:
    return ([], [], [])


def _weighted(seq: Sequence[str], weight: float, lead_boost: float) -> list[tuple[str, float]]:
    if not lead_boost:
        return [(x, weight) for x in seq]
    n = len(seq)
    return [(x, weight * (1.0 + lead_boost * (1.0 - i / n))) for i, x in enumerate(seq)]


def field_features(
    text: str,
    *,
    weight: float = 1.0,
    lead_boost: float = 0.0,
    word_chars: int | None = None,
    into: Bag | None = None,
) -> Bag:
    """Weighted features of one patent field, added to ``into`` (a new bag by default).

    Every occurrence counts ``weight``; with ``lead_boost`` > 0 an occurrence at relative
    position r (0 = start) counts ``weight * (1 + lead_boost * (1 - r))``: a patent abstract
    names its subject first. Words come from the first ``word_chars`` characters only (all when
    None, none when 0: segmentation is the slow part), character n-grams from all of it.
    """
    bag = into if into is not None else empty_bag()
    text = normalize(text)
    if not text:
        return bag
    if word_chars is None or word_chars > 0:
        head = text if word_chars is None else text[:word_chars]
        bag[0].extend(_weighted(tokenize(head, segment(head)), weight, lead_boost))
    runs = han_runs(text)
    for g, size in ((1, 2), (2, 3)):
        grams = [run[i : i + size] for run in runs for i in range(len(run) - size + 1)]
        bag[g].extend(_weighted(grams, weight, lead_boost))
    return bag


def query_features(text: str, *, weight: float = 1.0, into: Bag | None = None) -> Bag:
    """Features of a demand text, each occurrence counting ``weight`` (raw term frequency):
    words, and n-grams inside each unit (see :func:`query_units`)."""
    return query_fields_features([(text, weight)], into=into)


def query_fields_features(fields: Sequence[tuple[str, float]], *, into: Bag | None = None) -> Bag:
    """:func:`query_features` of several weighted texts (a demand's title, description and
    keywords) with one jieba pass: the texts are joined by line breaks, which jieba never joins
    across, and its tokens are split back at them."""
    bag = into if into is not None else empty_bag()
    texts = [(" ".join(normalize(t).splitlines()), w) for t, w in fields if t and w]
    texts = [(t, w) for t, w in texts if t.strip()]
    if not texts:
        return bag
    tokens = segment("\n".join(t for t, _ in texts))
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token == "\n":
            parts.append([])
        else:
            parts[-1].append(token)
    for (text, weight), toks in zip(texts, parts, strict=True):
        bag[0].extend((w, weight) for w in tokenize(text, toks))
        for unit in query_units(text, toks):
            bag[1].extend((unit[i : i + 2], weight) for i in range(len(unit) - 1))
            bag[2].extend((unit[i : i + 3], weight) for i in range(len(unit) - 2))
    return bag


def _hash_fn():
    """scikit-learn's public FeatureHasher (MurmurHash3, seed 0): pairs of (term, weight) summed
    per hashed column, unsigned. ``murmur.py`` computes the same columns in pure Python for the
    demands of a run, which then need not import scikit-learn at all."""
    from sklearn.feature_extraction import FeatureHasher

    def run(rows, size):
        m = FeatureHasher(n_features=size, input_type="pair", alternate_sign=False, dtype=np.float32)
        m = m.transform(rows)
        return m.indices, m.indptr, m.data

    return run


@functools.lru_cache(maxsize=1)
def _compiled_hash():
    """scikit-learn's FeatureHasher, imported on first use only (index builds): importing
    it loads most of scikit-learn, which a run over a built index does not need."""
    return _hash_fn()


# Up to this many features a batch is hashed by the pure-Python MurmurHash3 (demands); beyond,
# by scikit-learn's compiled loop (patents while building an index). Same columns either way.
PYTHON_HASH_MAX_FEATURES = 300_000


def _hash(rows, size: int, n_features: int):
    if n_features <= PYTHON_HASH_MAX_FEATURES:
        return murmur.transform(rows, size)
    return _compiled_hash()(rows, size)


def hash_bags(bags: Sequence[Bag]):
    """CSR matrix (len(bags) x N_FEATURES, float32) of summed weights, sorted indices. Each
    group's texts are hashed (MurmurHash3, seed 0, as scikit-learn's FeatureHasher does) into
    that group's column range."""
    import scipy.sparse as sp

    n = len(bags)
    total = sum(len(part) for bag in bags for part in bag)
    rows_parts, cols_parts, vals_parts = [], [], []
    for g, (name, size) in enumerate(GROUPS):
        indices, indptr, values = _hash([bag[g] for bag in bags], size, total)
        rows_parts.append(np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr)))
        cols_parts.append(indices.astype(np.int32) + np.int32(GROUP_OFFSETS[name]))
        vals_parts.append(values.astype(np.float32, copy=False))
    matrix = sp.csr_matrix(
        (np.concatenate(vals_parts), (np.concatenate(rows_parts), np.concatenate(cols_parts))),
        shape=(n, N_FEATURES),
        dtype=np.float32,
    )
    matrix.sum_duplicates()  # also sorts indices
    return matrix


def columns_of(group: int, texts: Sequence[str]) -> np.ndarray:
    """Columns of feature ``texts`` of group number ``group`` (to name the terms behind a score)."""
    if not texts:
        return np.zeros(0, dtype=np.int64)
    return np.array(column_list(group, texts), dtype=np.int64)


def column_list(group: int, texts: Sequence[str]) -> list[int]:
    """:func:`columns_of` as a list (no arrays: a demand names a few dozen terms)."""
    name, size = GROUPS[group]
    offset = GROUP_OFFSETS[name]
    return [offset + murmur.bucket(murmur.signed_hash(t), size) for t in texts]
