"""The portal's one Chinese tokeniser: normalisation, jieba words, boilerplate, Han runs."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from pathlib import Path

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
    """Raw jieba tokens (HMM off, so segmentation is stable and dictionary-driven) of a
    normalised text."""
    return _jieba().lcut(text, HMM=False)


def tokenize(text: str, tokens: list[str] | None = None) -> list[str]:
    """Words of ``text``: jieba with HMM off, boilerplate and one-character tokens removed,
    numbers and measurements dropped. ``tokens`` (jieba's output for ``text``) saves a pass."""
    if tokens is None:
        tokens = segment(normalize(text))
    return [w for w in (t.strip() for t in tokens) if _keep_word(w)]


def content_words(text: str) -> frozenset[str]:
    """The distinct words of a text (:func:`tokenize` of its normalised form)."""
    return frozenset(tokenize(normalize(text)))


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
