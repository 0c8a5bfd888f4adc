"""The bridge between the Django models and the engine: patents and demands as the engine's
plain documents, the corpus version, and the persisted, reused index."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from demands.models import Demand
from matching import engine
from patents.models import Patent
from portal.models import Industry

ITERATOR_CHUNK = 2000


@dataclass(frozen=True)
class ScoredMatch:
    patent_id: int
    application_no: str
    score: float
    reasons: list
    tier: str = "possible"


KEEP_INDEXES = 3


def build_jobs() -> int:
    """Processes that build an index: every core this process may use (one inside a daemonic
    process, such as a prefork Celery child, which may not start processes of its own)."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def index_root() -> Path:
    return Path(settings.MATCHING_INDEX_DIR)


def weights() -> engine.Weights:
    return engine.get_weights(getattr(settings, "MATCHING_WEIGHTS", None))


def matchable_patents():
    return Patent.objects.matchable()


def corpus_state() -> dict[int, float]:
    """Every matchable patent's id and last change (one streamed query)."""
    rows = matchable_patents().order_by("pk").values_list("pk", "updated_at")
    return {pk: (updated.timestamp() if updated else 0.0) for pk, updated in rows.iterator(chunk_size=10_000)}


def corpus_version(state: dict[int, float] | None = None) -> str:
    """Changes whenever a matchable patent is added, removed or edited (or the database is another
    one): a hash of every matchable patent's id and last change."""
    state = corpus_state() if state is None else state
    digest = hashlib.sha1()
    for pk, stamp in state.items():
        digest.update(f"{pk}:{stamp};".encode())
    return f"{len(state)}-{digest.hexdigest()[:16]}"


def _industry_codes() -> tuple[dict[int, list[str]], set[str]]:
    through = Patent.industries.through
    by_patent: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(patent__in=matchable_patents()).values_list("patent_id", "industry__code")
    for patent_id, code in rows.iterator(chunk_size=ITERATOR_CHUNK):
        by_patent[patent_id].append(code)
    agricultural = set(Industry.objects.filter(is_agricultural=True).values_list("code", flat=True))
    return by_patent, agricultural


def patent_docs(ids: Iterable[int] | None = None) -> Iterator[engine.PatentDoc]:
    """Every matchable patent (or those of ``ids``) as a PatentDoc, streamed (no model instances)."""
    industries, agricultural = _industry_codes()
    fields = (
        "pk",
        "application_no",
        "title",
        "abstract",
        "claims",
        "keywords",
        "ipc_codes",
        "legal_status",
        "listing_status",
        "offers_transfer",
        "offers_license",
        "offers_equity",
        "asking_price",
        "dormant",
        "open_license",
        "use_first_pay_later",
    )
    queryset = matchable_patents() if ids is None else matchable_patents().filter(pk__in=list(ids))
    rows = queryset.order_by("pk").values_list(*fields)
    for (
        pk,
        no,
        title,
        abstract,
        claims,
        keywords,
        ipc,
        legal,
        listing,
        transfer,
        license_,
        equity,
        price,
        dormant,
        open_license,
        ufpl,
    ) in rows.iterator(chunk_size=ITERATOR_CHUNK):
        codes = industries.get(pk, [])
        kinds = {k for k, on in (("transfer", transfer), ("license", license_), ("equity", equity)) if on}
        if open_license:
            kinds.add("license")
        yield engine.PatentDoc(
            id=pk,
            application_no=no,
            title=title,
            abstract=abstract,
            claims=claims,
            keywords=keywords,
            ipc_codes=[c.strip() for c in (ipc or "").split(";") if c.strip()],
            industry_codes=codes,
            in_force=legal in Patent.IN_FORCE_STATUSES,
            listed=listing == Patent.ListingStatus.PUBLISHED,
            deal_kinds=kinds,
            asking_price=price,
            dormant=dormant,
            open_license=open_license,
            use_first_pay_later=ufpl,
            is_agricultural=bool(agricultural.intersection(codes)),
        )


def demand_doc(demand: Demand) -> engine.DemandDoc:
    return engine.DemandDoc(
        id=demand.pk,
        code=demand.code,
        title=demand.title,
        description=demand.description,
        keywords=demand.keywords,
        ipc_hints=[c.strip() for c in (demand.ipc_hints or "").split(";") if c.strip()],
        industry_code=demand.industry.code if demand.industry_id else None,
        deal_kinds=set(demand.deal_kinds) or {"transfer", "license", "equity"},
        budget_max=demand.budget_max,
        district_is_county=bool(demand.district_id and demand.district.is_county_level),
    )


def current_index() -> engine.PatentIndex:
    """The index of the current corpus: this process's copy, else from disk, else derived from the
    newest index on disk when few patents changed (publishing one patent must not rebuild the
    index of 100,000), else built once. Under a file lock, so that workers starting together build
    it only once."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    state = corpus_state()
    version = corpus_version(state)
    path = engine.index_dir(root, version, weights())
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (path / "meta.json").exists():
                _derive_from_newest(root, path, version, state)
            # Segmenting the texts is the slow part of a build: every core takes a share.
            index = engine.load_or_build(root, version, patent_docs, weights=weights(), n_jobs=build_jobs())
            if not (path / MANIFEST).exists():
                _write_manifest(path, state)
            _prune(root, keep=path)
            return index
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


MANIFEST = "corpus-state.json"
# Beyond this share of changed patents (or of superseded rows), a full rebuild is cheaper and
# refreshes the idf that extend() keeps frozen.
MAX_INCREMENTAL_SHARE = 0.2


def _write_manifest(path: Path, state: dict[int, float]) -> None:
    tmp = path / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps({str(k): v for k, v in state.items()}))
    tmp.replace(path / MANIFEST)


def _derive_from_newest(root: Path, path: Path, version: str, state: dict[int, float]) -> None:
    """Save the index of ``version`` as the newest existing index plus the changed patents."""
    bases = sorted(
        (p for p in root.glob("patents-*") if (p / MANIFEST).exists() and (p / "meta.json").exists()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    if not bases:
        return
    try:
        covered = {int(k): v for k, v in json.loads((bases[0] / MANIFEST).read_text()).items()}
        base = engine.PatentIndex.load(bases[0])
    except (OSError, ValueError):
        return
    changed = [pk for pk, stamp in state.items() if covered.get(pk) != stamp]
    removed = [pk for pk in covered if pk not in state]
    superseded = len(base) - base.n_active
    limit = MAX_INCREMENTAL_SHARE * max(len(state), 1)
    if len(changed) + len(removed) + superseded > limit:
        return
    index = base.extend(patent_docs(changed), version=version)
    if removed:
        index = index.without(removed)
    index.save(path)
    _write_manifest(path, state)


def _prune(root: Path, *, keep: Path) -> None:
    """Old corpus versions are useless once a newer index exists; keep a few for processes that
    still have one open (their memory maps stay valid after deletion anyway)."""
    olds = sorted(
        (p for p in root.glob("patents-*") if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime
    )
    for path in olds[: max(0, len(olds) - (KEEP_INDEXES - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def _industry_names() -> dict[str, str]:
    return dict(Industry.objects.values_list("code", "name"))


def field_texts(patent_ids: list) -> dict[int, tuple[str, str, str]]:
    """Title, abstract and claims of the matched patents (one query), so that the reasons say in
    which field each shared term is found."""
    rows = Patent.objects.filter(pk__in=list(patent_ids)).values_list("pk", "title", "abstract", "claims")
    return {pk: (title or "", abstract or "", claims or "") for pk, title, abstract, claims in rows}


def score(
    index: engine.PatentIndex,
    demands: Iterable[Demand],
    *,
    top_n: int,
    patent_ids: Iterable[int] | None = None,
) -> dict[int, list[ScoredMatch]]:
    """Each demand's top N (optionally among some patents only), keyed by demand id."""
    demands = list(demands)
    docs = [demand_doc(d) for d in demands]
    results = engine.score_demands(
        index,
        docs,
        top_n,
        weights(),
        patent_ids=patent_ids,
        industry_names=_industry_names(),
        field_texts=field_texts,
    )
    return {
        demand.pk: [
            ScoredMatch(
                int(m.patent_id), m.application_no, float(m.score), list(m.reasons), m.tier or "possible"
            )
            for m in matches
        ]
        for demand, matches in zip(demands, results, strict=True)
    }
