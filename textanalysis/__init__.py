"""Chinese text analysis shared by every app: one tokeniser, one stop list.

A lower layer: patents (keyword search ranking), demands (duplicate titles) and matching (the
engine's features) import it; it imports no app of the portal and holds no models. jieba runs
with its HMM off, so segmentation is stable and dictionary-driven; ``stopwords.txt`` lists the
patent and demand boilerplate removed before words or character n-grams are taken.
"""

from .chinese import (
    STOPWORDS_FILE,
    content_words,
    han_runs,
    normalize,
    query_units,
    segment,
    stopwords,
    tokenize,
    warm_up,
)

__all__ = [
    "STOPWORDS_FILE",
    "content_words",
    "han_runs",
    "normalize",
    "query_units",
    "segment",
    "stopwords",
    "tokenize",
    "warm_up",
]
