"""The persisted patent index: hashed TF-IDF vectors plus per-patent metadata arrays.

Built once per corpus version (and index weights), saved to a directory of ``.npy`` files and
loaded memory-mapped, so every worker process on a machine shares one copy in the page cache.

Patent vector (one row of ``X``): for each feature group (words, bigrams, trigrams) the field-
weighted term counts go through sublinear tf (``log1p``) and smoothed idf, and are L2-normalised
within the group, so a demand vector built the same way gives one cosine per group.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from . import text
from .docs import PatentDoc, deal_mask
from .signals import parse_ipc
from .weights import Weights, get_weights

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_ARRAYS = (
    "X_data",
    "X_indices",
    "X_indptr",
    "XT_data",
    "XT_indices",
    "XT_indptr",
    "idf",
    "ids",
    "application_no",
    "active",
    "deal_mask",
    "price",
    "dormant",
    "open_license",
    "use_first_pay_later",
    "agricultural",
    "ipc_indptr",
    "ipc_codes",
    "industry_indptr",
    "industry_codes",
)


# --------------------------------------------------------------------------------------------
# Featurisation


def patent_features(patent: PatentDoc, weights: Weights) -> text.Bag:
    """Field-weighted features of one patent (title > keywords > abstract > claims)."""
    bag = text.empty_bag()
    for value, field_weight, lead, word_chars in (
        (patent.title, weights.field_title, 0.0, None),
        (patent.keywords_text, weights.field_keywords, 0.0, None),
        (patent.abstract, weights.field_abstract, weights.abstract_lead_boost, None),
        (patent.claims, weights.field_claims, 0.0, weights.claims_word_chars),
    ):
        if value and field_weight:
            text.field_features(value, weight=field_weight, lead_boost=lead, word_chars=word_chars, into=bag)
    return bag


_CHUNK = 500


def _term_counts(patents: Sequence[PatentDoc], weights: Weights) -> sp.csr_matrix:
    parts = [
        text.hash_bags([patent_features(p, weights) for p in patents[i : i + _CHUNK]])
        for i in range(0, len(patents), _CHUNK)
    ]
    return stack_rows(parts)


def stack_rows(parts: list[sp.csr_matrix]) -> sp.csr_matrix:
    """Row-wise concatenation of CSR matrices, releasing each part as it is copied (``parts`` is
    emptied) so that the peak memory stays near one copy of the result."""
    if not parts:
        return sp.csr_matrix((0, text.N_FEATURES), dtype=np.float32)
    n_rows = sum(p.shape[0] for p in parts)
    nnz = sum(p.nnz for p in parts)
    index_dtype = np.int32 if nnz < 2**31 - 1 else np.int64
    data = np.empty(nnz, dtype=np.float32)
    indices = np.empty(nnz, dtype=np.int32)
    indptr = np.empty(n_rows + 1, dtype=index_dtype)
    indptr[0] = 0
    row = at = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        k, n = part.nnz, part.shape[0]
        data[at : at + k] = part.data
        indices[at : at + k] = part.indices
        indptr[row + 1 : row + n + 1] = part.indptr[1:] + at
        row, at = row + n, at + k
        del part
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, text.N_FEATURES), copy=False)


def _term_counts_chunk(args: tuple[list[PatentDoc], dict]) -> sp.csr_matrix:
    chunk, weight_params = args
    return _term_counts(chunk, Weights(**weight_params))


def term_counts(patents: Sequence[PatentDoc], weights: Weights, n_jobs: int = 1) -> sp.csr_matrix:
    """Weighted term counts (patents x features); jieba work spread over ``n_jobs`` processes.
    The result does not depend on ``n_jobs``."""
    text.warm_up()
    if n_jobs <= 1 or len(patents) < 4 * _CHUNK:
        return _term_counts(patents, weights)
    import multiprocessing

    size = max(_CHUNK, math.ceil(len(patents) / (n_jobs * 8)))
    chunks = [list(patents[i : i + size]) for i in range(0, len(patents), size)]
    params = {f: getattr(weights, f) for f in weights.__dataclass_fields__}
    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing
    with ctx.Pool(n_jobs) as pool:
        parts = pool.map(_term_counts_chunk, [(c, params) for c in chunks])
    del chunks
    return stack_rows(parts)


def compute_idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed idf, ``ln((1+N)/(1+df)) + 1``; 0 for features no patent has."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    idf[df == 0] = 0.0
    return idf


def group_of_columns(columns: np.ndarray) -> np.ndarray:
    """Index (0, 1, 2 for w, b, t) of the feature group of each column."""
    bounds = np.array([text.GROUP_OFFSETS[g] for g in text.GROUP_NAMES[1:]], dtype=np.int64)
    return np.searchsorted(bounds, columns, side="right")


def weight_and_normalise(counts: sp.csr_matrix, idf: np.ndarray, *, sublinear: bool) -> sp.csr_matrix:
    """tf (sublinear or raw) x idf, then L2-normalise each row within each feature group.
    Works in place on ``counts`` (float32 CSR), a block of rows at a time, and returns it."""
    m = counts if counts.dtype == np.float32 else counts.astype(np.float32)
    n_groups = len(text.GROUP_NAMES)
    indptr = np.asarray(m.indptr, dtype=np.int64)
    step = 8192
    for start in range(0, m.shape[0], step):
        end = min(start + step, m.shape[0])
        lo, hi = int(indptr[start]), int(indptr[end])
        data = m.data[lo:hi]
        cols = m.indices[lo:hi]
        if sublinear:
            np.log1p(data, out=data)
        data *= idf[cols]
        slot = np.repeat(np.arange(end - start, dtype=np.int64) * n_groups, np.diff(indptr[start : end + 1]))
        slot += group_of_columns(cols)
        sq = np.bincount(slot, weights=np.square(data, dtype=np.float64), minlength=(end - start) * n_groups)
        norms = np.sqrt(sq).astype(np.float32)
        norms[norms == 0] = 1.0
        data /= norms[slot]
    if m.nnz and not np.all(m.data):
        m.eliminate_zeros()
    return m


# --------------------------------------------------------------------------------------------
# Metadata


@dataclass
class PatentMeta:
    """Per-patent arrays, row-aligned with the index matrix."""

    ids: np.ndarray
    application_no: np.ndarray
    active: np.ndarray  # in force, listed and not superseded
    deal_mask: np.ndarray  # uint8 bits of docs.DEAL_BITS
    price: np.ndarray  # float64, NaN when unknown
    dormant: np.ndarray
    open_license: np.ndarray
    use_first_pay_later: np.ndarray
    agricultural: np.ndarray
    ipc_indptr: np.ndarray
    ipc_codes: np.ndarray  # normalised codes, e.g. "E21D 11/00"
    industry_indptr: np.ndarray
    industry_codes: np.ndarray

    @classmethod
    def from_patents(cls, patents: Sequence[PatentDoc]) -> PatentMeta:
        ipc_codes: list[str] = []
        ipc_indptr = [0]
        ind_codes: list[str] = []
        ind_indptr = [0]
        for p in patents:
            for code in p.ipc_codes or ():
                parsed = parse_ipc(code)
                if parsed is not None:
                    ipc_codes.append(parsed.code)
            ipc_indptr.append(len(ipc_codes))
            ind_codes.extend(str(c) for c in (p.industry_codes or ()) if c)
            ind_indptr.append(len(ind_codes))
        ids = [p.id for p in patents]
        id_array = (
            np.array(ids, dtype=np.int64)
            if all(isinstance(i, int | np.integer) for i in ids)
            else np.array([str(i) for i in ids], dtype=str)
        )
        return cls(
            ids=id_array,
            application_no=np.array([str(p.application_no) for p in patents], dtype=str),
            active=np.array([bool(p.in_force and p.listed) for p in patents], dtype=bool),
            deal_mask=np.array([deal_mask(p.deal_kinds) for p in patents], dtype=np.uint8),
            price=np.array(
                [math.nan if p.asking_price is None else float(p.asking_price) for p in patents],
                dtype=np.float64,
            ),
            dormant=np.array([bool(p.dormant) for p in patents], dtype=bool),
            open_license=np.array([bool(p.open_license) for p in patents], dtype=bool),
            use_first_pay_later=np.array([bool(p.use_first_pay_later) for p in patents], dtype=bool),
            agricultural=np.array([bool(p.is_agricultural) for p in patents], dtype=bool),
            ipc_indptr=np.array(ipc_indptr, dtype=np.int64),
            ipc_codes=np.array(ipc_codes, dtype=str) if ipc_codes else np.zeros(0, dtype="<U1"),
            industry_indptr=np.array(ind_indptr, dtype=np.int64),
            industry_codes=np.array(ind_codes, dtype=str) if ind_codes else np.zeros(0, dtype="<U1"),
        )

    def __len__(self) -> int:
        return len(self.application_no)

    def concat(self, other: PatentMeta) -> PatentMeta:
        def cat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            if a.dtype.kind != b.dtype.kind:  # ids: int and str mixed
                return np.concatenate([a.astype(str), b.astype(str)])
            return np.concatenate([a, b])

        return PatentMeta(
            ids=cat(self.ids, other.ids),
            application_no=cat(self.application_no, other.application_no),
            active=cat(self.active, other.active),
            deal_mask=cat(self.deal_mask, other.deal_mask),
            price=cat(self.price, other.price),
            dormant=cat(self.dormant, other.dormant),
            open_license=cat(self.open_license, other.open_license),
            use_first_pay_later=cat(self.use_first_pay_later, other.use_first_pay_later),
            agricultural=cat(self.agricultural, other.agricultural),
            ipc_indptr=np.concatenate([self.ipc_indptr, other.ipc_indptr[1:] + self.ipc_indptr[-1]]),
            ipc_codes=cat(self.ipc_codes, other.ipc_codes),
            industry_indptr=np.concatenate(
                [self.industry_indptr, other.industry_indptr[1:] + self.industry_indptr[-1]]
            ),
            industry_codes=cat(self.industry_codes, other.industry_codes),
        )

    def ipc_of(self, row: int) -> list[str]:
        return [str(c) for c in self.ipc_codes[self.ipc_indptr[row] : self.ipc_indptr[row + 1]]]

    def industries_of(self, row: int) -> list[str]:
        return [
            str(c) for c in self.industry_codes[self.industry_indptr[row] : self.industry_indptr[row + 1]]
        ]


@dataclass
class IpcLookup:
    """Per IPC level ("group", "subclass", "class"): code -> id and sorted keys row * n + id."""

    vocab: dict[str, dict[str, int]]
    keys: dict[str, np.ndarray]

    LEVELS = ("group", "subclass", "class")

    @classmethod
    def build(cls, index: PatentIndex) -> IpcLookup:
        vocab: dict[str, dict[str, int]] = {level: {} for level in cls.LEVELS}
        pairs: dict[str, list[tuple[int, int]]] = {level: [] for level in cls.LEVELS}
        for row in range(len(index)):
            for code in index.ipc_parsed(row):
                for level in cls.LEVELS:
                    value = getattr(code, "klass" if level == "class" else level)
                    if value:
                        ids = vocab[level]
                        pairs[level].append((row, ids.setdefault(value, len(ids))))
        keys = {}
        for level in cls.LEVELS:
            n = max(1, len(vocab[level]))
            arr = np.array(pairs[level], dtype=np.int64).reshape(-1, 2)
            keys[level] = np.unique(arr[:, 0] * n + arr[:, 1])
        return cls(vocab, keys)

    def contains(self, level: str, rows: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """For each (row, id) pair: does that patent have that code at ``level``? (id -1: no)"""
        keys = self.keys[level]
        n = max(1, len(self.vocab[level]))
        q = rows.astype(np.int64) * n + ids
        if not len(keys):
            return np.zeros(len(q), dtype=bool)
        pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
        return (keys[pos] == q) & (ids >= 0)


# --------------------------------------------------------------------------------------------
# The index


class PatentIndex:
    """Hashed, weighted, group-normalised patent vectors and their metadata.

    ``X`` (patents x features, CSR) explains matches; ``XT`` (its transpose, CSR) scores them.
    """

    def __init__(
        self,
        X: sp.csr_matrix,
        XT: sp.csr_matrix | None,
        idf: np.ndarray,
        meta: PatentMeta,
        *,
        version: str = "",
        index_params: dict | None = None,
        built_at: str | None = None,
    ) -> None:
        self.X = X
        self.XT = XT if XT is not None else X.T.tocsr()
        self.idf = idf
        self.meta = meta
        self.version = version
        self.index_params = dict(index_params or {})
        self.built_at = built_at or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self._row_of_id: dict | None = None
        self._order: np.ndarray | None = None
        self._ipc_parsed: list | None = None
        self._ipc_lookup: IpcLookup | None = None
        self._industry_lookup: tuple[dict[str, int], np.ndarray] | None = None

    # ---- basic facts -----------------------------------------------------------------------
    def __len__(self) -> int:
        return self.X.shape[0]

    @property
    def n_active(self) -> int:
        return int(self.meta.active.sum())

    @property
    def has_ipc(self) -> bool:
        return len(self.meta.ipc_codes) > 0

    @property
    def order(self) -> np.ndarray:
        """Rank of each row's application number (ties are broken by it)."""
        if self._order is None:
            order = np.empty(len(self), dtype=np.int64)
            order[np.argsort(self.meta.application_no, kind="stable")] = np.arange(len(self))
            self._order = order
        return self._order

    def rows_for_ids(self, ids: Iterable) -> np.ndarray:
        """Rows (active ones, latest version of each patent) of the given patent ids."""
        if self._row_of_id is None:
            mapping = {}
            for row, pid in enumerate(self.meta.ids.tolist()):
                if self.meta.active[row] or pid not in mapping:
                    mapping[pid] = row
            self._row_of_id = mapping
        keys = {int(i) if self.meta.ids.dtype.kind == "i" else str(i) for i in ids}
        return np.array(sorted(self._row_of_id[k] for k in keys if k in self._row_of_id), dtype=np.int64)

    def ipc_parsed(self, row: int):
        if self._ipc_parsed is None:
            cache: dict[str, object] = {}
            parsed = []
            for r in range(len(self)):
                codes = self.meta.ipc_of(r)
                parsed.append(tuple(cache.setdefault(c, parse_ipc(c)) for c in codes) if codes else ())
            self._ipc_parsed = parsed
        return self._ipc_parsed[row]

    def ipc_lookup(self) -> IpcLookup:
        """Vocabularies and sorted (row, code id) keys of every IPC level, for vectorised checks."""
        if self._ipc_lookup is None:
            self._ipc_lookup = IpcLookup.build(self)
        return self._ipc_lookup

    def industry_lookup(self) -> tuple[dict[str, int], np.ndarray]:
        """(code -> id, sorted keys row * n_codes + id) of the patents' industries."""
        if self._industry_lookup is None:
            vocab = {c: i for i, c in enumerate(sorted(set(self.meta.industry_codes.tolist())))}
            n = max(1, len(vocab))
            counts = np.diff(self.meta.industry_indptr)
            rows = np.repeat(np.arange(len(self), dtype=np.int64), counts)
            ids = np.array([vocab[c] for c in self.meta.industry_codes.tolist()], dtype=np.int64)
            self._industry_lookup = (vocab, np.unique(rows * n + ids))
        return self._industry_lookup

    # ---- building ----------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        patents: Iterable[PatentDoc],
        *,
        weights: Weights | None = None,
        version: str = "",
        n_jobs: int = 1,
    ) -> PatentIndex:
        weights = get_weights(weights)
        patents = list(patents)
        counts = term_counts(patents, weights, n_jobs=n_jobs)
        idf = compute_idf(counts)
        X = weight_and_normalise(counts, idf, sublinear=True)
        del counts
        return cls(
            X,
            None,
            idf,
            PatentMeta.from_patents(patents),
            version=version,
            index_params=weights.index_params(),
        )

    def extend(
        self, patents: Iterable[PatentDoc], *, version: str | None = None, n_jobs: int = 1
    ) -> PatentIndex:
        """A new index with ``patents`` added (a patent id already present replaces the old row).

        idf stays frozen (terms never seen before get the idf of a one-patent term), so scores
        differ slightly from a full rebuild; rebuild at the next full run.
        """
        patents = list(patents)
        if not patents:
            return self
        known = {k: v for k, v in self.index_params.items() if k in Weights.__dataclass_fields__}
        weights = get_weights().replace(**known)
        counts = term_counts(patents, weights, n_jobs=n_jobs)
        idf = self.idf.copy()
        new_cols = np.unique(counts.indices)
        unseen = new_cols[idf[new_cols] == 0]
        if len(unseen):
            idf[unseen] = np.float32(math.log((1.0 + len(self) + len(patents)) / 2.0) + 1.0)
        X_new = weight_and_normalise(counts, idf, sublinear=True)
        meta_new = PatentMeta.from_patents(patents)
        meta = self.meta.concat(meta_new)
        # Supersede older rows of the same patents.
        replaced = set(meta_new.ids.tolist())
        old_ids = self.meta.ids.tolist()
        active = meta.active.copy()
        for row, pid in enumerate(old_ids):
            if pid in replaced:
                active[row] = False
        meta.active = active
        X = sp.vstack([self.X, X_new], format="csr", dtype=np.float32)
        return PatentIndex(
            X,
            None,
            idf,
            meta,
            version=version if version is not None else f"{self.version}+{len(patents)}",
            index_params=self.index_params,
        )

    def without(self, ids: Iterable) -> PatentIndex:
        """A view of this index in which the given patents are no longer matched."""
        rows = self.rows_for_ids(ids)
        meta = PatentMeta(**self.meta.__dict__)
        meta.active = self.meta.active.copy()
        meta.active[rows] = False
        return PatentIndex(
            self.X, self.XT, self.idf, meta, version=self.version, index_params=self.index_params
        )

    # ---- persistence -----------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write the index to directory ``path`` atomically (a temp dir renamed into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            arrays = {
                "X_data": self.X.data,
                "X_indices": self.X.indices,
                "X_indptr": self.X.indptr,
                "XT_data": self.XT.data,
                "XT_indices": self.XT.indices,
                "XT_indptr": self.XT.indptr,
                "idf": self.idf,
                **{k: v for k, v in self.meta.__dict__.items()},
            }
            for name in _ARRAYS:
                np.save(tmp / f"{name}.npy", np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = {
                "format": FORMAT_VERSION,
                "feature_layout": text.FEATURE_LAYOUT_VERSION,
                "version": self.version,
                "index_params": self.index_params,
                "built_at": self.built_at,
                "n_patents": len(self),
                "n_active": self.n_active,
                "nnz": int(self.X.nnz),
                "n_features": int(self.X.shape[1]),
            }
            (tmp / "meta.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
            if path.exists():
                old = path.with_name(f".{path.name}.old.{os.getpid()}")
                os.replace(path, old)
                os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, *, mmap: bool = True) -> PatentIndex:
        path = Path(path)
        info = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if info.get("format") != FORMAT_VERSION or info.get("feature_layout") != text.FEATURE_LAYOUT_VERSION:
            raise ValueError(f"index at {path} has an old format; rebuild it")
        mode = "r" if mmap else None
        # Plain ndarray views of the memory maps (indexing a np.memmap is slower).
        arr = {
            name: np.asarray(np.load(path / f"{name}.npy", mmap_mode=mode, allow_pickle=False))
            for name in _ARRAYS
        }
        n, f = info["n_patents"], info["n_features"]
        X = sp.csr_matrix((arr["X_data"], arr["X_indices"], arr["X_indptr"]), shape=(n, f), copy=False)
        XT = sp.csr_matrix((arr["XT_data"], arr["XT_indices"], arr["XT_indptr"]), shape=(f, n), copy=False)
        meta = PatentMeta(**{k: arr[k] for k in PatentMeta.__dataclass_fields__})
        meta.active = np.array(meta.active)  # writable: ``without`` and ``extend`` copy it anyway
        return cls(
            X,
            XT,
            np.asarray(arr["idf"]),
            meta,
            version=info["version"],
            index_params=info["index_params"],
            built_at=info["built_at"],
        )


# --------------------------------------------------------------------------------------------
# Versioned storage


def index_dir(root: str | os.PathLike, version: str, weights: Weights | None = None) -> Path:
    """Directory of the index for a corpus ``version`` built with ``weights``' index weights."""
    weights = get_weights(weights)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(version))[:80]
    return Path(root) / f"patents-{safe}-f{text.FEATURE_LAYOUT_VERSION}-{weights.index_key()}"


_LOADED: dict[Path, PatentIndex] = {}


def load_or_build(
    root: str | os.PathLike,
    version: str,
    patents: Callable[[], Iterable[PatentDoc]],
    *,
    weights: Weights | None = None,
    n_jobs: int = 1,
) -> PatentIndex:
    """The index of corpus ``version``: from this process's cache, else from disk, else built
    from ``patents()`` (called only then) and saved. Old versions under ``root`` are left alone."""
    path = index_dir(root, version, weights)
    cached = _LOADED.get(path)
    if cached is not None:
        return cached
    if (path / "meta.json").exists():
        index = PatentIndex.load(path)
    else:
        index = PatentIndex.build(patents(), weights=weights, version=version, n_jobs=n_jobs)
        index.save(path)
        index = PatentIndex.load(path)  # memory-mapped, like every other process will see it
    _LOADED.clear()  # keep one warm index per process
    _LOADED[path] = index
    return index


def corpus_version(patents: Iterable[PatentDoc]) -> str:
    """A content hash of everything the index depends on (for callers without a better key)."""
    h = hashlib.sha1()
    for p in sorted(patents, key=lambda p: (str(p.application_no), str(p.id))):
        for value in (
            p.id,
            p.application_no,
            p.title,
            p.abstract,
            p.claims,
            p.keywords_text,
            ";".join(p.ipc_codes or ()),
            ";".join(p.industry_codes or ()),
            p.in_force,
            p.listed,
            ";".join(sorted(p.deal_kinds or ())),
            p.asking_price,
            p.dormant,
            p.open_license,
            p.use_first_pay_later,
            p.is_agricultural,
        ):
            h.update(str(value).encode("utf-8"))
            h.update(b"\x1e")
        h.update(b"\x1d")
    return h.hexdigest()[:16]


def build_index(
    patents: Iterable[PatentDoc], *, weights: Weights | None = None, version: str = "", n_jobs: int = 1
) -> PatentIndex:
    """Build an index over ``patents`` (see :class:`PatentIndex`)."""
    return PatentIndex.build(patents, weights=weights, version=version, n_jobs=n_jobs)
