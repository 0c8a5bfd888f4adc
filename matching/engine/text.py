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
import logging
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

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

STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ALNUM = re.compile(r"[a-z][a-z0-9\-]*[a-z0-9]|[a-z0-9]*[a-z][a-z0-9]*")
_MEASURE = re.compile(r"^[0-9.\-~～%]+[a-z%μ]{0,3}$")


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The boilerplate phrases shipped in ``stopwords.txt`` (normalised)."""
    out = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if len(line) >= 2:
            out.add(normalize(line))
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def _stop_regex() -> re.Pattern[str]:
    phrases = sorted(stopwords(), key=lambda p: (-len(p), p))
    return re.compile("|".join(re.escape(p) for p in phrases))


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary now (about 0.6 s) rather than on the first document."""
    _jieba()
    _stop_regex()


def normalize(text: str | None) -> str:
    """NFKC (full-width to half-width, compatibility forms) and lower case."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", str(text)).lower()


@functools.lru_cache(maxsize=200_000)
def _keep_word(word: str) -> bool:
    if len(word) < 2 or word in stopwords():
        return False
    if _HAN_CHAR.search(word):
        return True
    return bool(_ALNUM.fullmatch(word)) and not _MEASURE.match(word)


@functools.lru_cache(maxsize=200_000)
def _token_kind(token: str) -> tuple[int, tuple[str, ...]]:
    """(0: breaks a unit, 1: single Han character, 2: Han word) and the word's Han runs once
    boilerplate is cut out (memoised: a pure function of the token)."""
    if not _HAN.fullmatch(token) or token in stopwords():
        return 0, ()
    if len(token) == 1:
        return 1, ()
    return 2, tuple(han_runs(token))


def segment(text: str) -> list[str]:
    """Raw jieba tokens (HMM off) of a normalised text."""
    return _jieba().lcut(text, HMM=False)


def tokenize(text: str, tokens: list[str] | None = None) -> list[str]:
    """Words of ``text``: jieba with HMM off, boilerplate and one-character tokens removed,
    numbers and measurements dropped. ``tokens`` (jieba's output for ``text``) saves a pass."""
    if tokens is None:
        tokens = segment(normalize(text))
    return [w for w in (t.strip() for t in tokens) if _keep_word(w)]


def han_runs(text: str) -> list[str]:
    """Han-character runs of a normalised text once boilerplate phrases are cut out."""
    return _HAN.findall(_stop_regex().sub(" ", text))


def query_units(text: str, tokens: list[str] | None = None) -> list[str]:
    """Units of a normalised demand text for n-grams: each jieba word, and each run of
    single-character tokens (what jieba could not segment), split at boilerplate."""
    units: list[str] = []
    pending = ""
    for token in tokens if tokens is not None else segment(text):
        kind, runs = _token_kind(token)
        if kind == 1:
            pending += token
            continue
        if len(pending) >= 2:
            units.extend(han_runs(pending))
        pending = ""
        if kind == 2:
            units.extend(runs)
    if len(pending) >= 2:
        units.extend(han_runs(pending))
    return [u for u in units if len(u) >= 2]


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
    try:  # the Cython loop behind FeatureHasher, without its per-call validation
        from sklearn.feature_extraction._hashing_fast import transform

        def run(rows, size):
            indices, indptr, values = transform(rows, size, np.float32, False, 0)
            return np.asarray(indices), np.asarray(indptr), np.asarray(values)

        return run
    except ImportError:  # pragma: no cover - other scikit-learn layouts
        from sklearn.feature_extraction import FeatureHasher

        def run(rows, size):
            m = FeatureHasher(n_features=size, input_type="pair", alternate_sign=False, dtype=np.float32)
            m = m.transform(rows)
            return m.indices, m.indptr, m.data

        return run


_HASH = _hash_fn()


def hash_bags(bags: Sequence[Bag]):
    """CSR matrix (len(bags) x N_FEATURES, float32) of summed weights, sorted indices. Each
    group's texts are hashed (MurmurHash3, seed 0, as scikit-learn's FeatureHasher does) into
    that group's column range."""
    import scipy.sparse as sp

    n = len(bags)
    rows_parts, cols_parts, vals_parts = [], [], []
    for g, (name, size) in enumerate(GROUPS):
        indices, indptr, values = _HASH([bag[g] for bag in bags], size)
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
    name, size = GROUPS[group]
    indices, _, _ = _HASH([[(t, 1.0)] for t in texts], size)
    return indices.astype(np.int64) + GROUP_OFFSETS[name]
