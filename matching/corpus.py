"""The bridge between the Django models and the engine: patents and demands as the engine's
plain documents, the corpus version, and the persisted, reused index."""
from __future__ import annotations

import fcntl
import hashlib
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


KEEP_INDEXES = 3


def index_root() -> Path:
    return Path(settings.MATCHING_INDEX_DIR)


def weights() -> engine.Weights:
    return engine.get_weights(getattr(settings, "MATCHING_WEIGHTS", None))


def matchable_patents():
    return Patent.objects.matchable()


def corpus_version() -> str:
    """Changes whenever a matchable patent is added, removed or edited (or the database is another
    one): a hash of every matchable patent's id and last change, streamed in one query."""
    digest = hashlib.sha1()
    count = 0
    rows = matchable_patents().order_by("pk").values_list("pk", "updated_at")
    for pk, updated in rows.iterator(chunk_size=10_000):
        digest.update(f"{pk}:{updated.timestamp() if updated else 0};".encode())
        count += 1
    return f"{count}-{digest.hexdigest()[:16]}"


def _industry_codes() -> tuple[dict[int, list[str]], set[str]]:
    through = Patent.industries.through
    by_patent: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(patent__in=matchable_patents()).values_list("patent_id", "industry__code")
    for patent_id, code in rows.iterator(chunk_size=ITERATOR_CHUNK):
        by_patent[patent_id].append(code)
    agricultural = set(Industry.objects.filter(is_agricultural=True).values_list("code", flat=True))
    return by_patent, agricultural


def patent_docs() -> Iterator[engine.PatentDoc]:
    """Every matchable patent as a PatentDoc, streamed (no model instances)."""
    industries, agricultural = _industry_codes()
    fields = (
        "pk", "application_no", "title", "abstract", "claims", "keywords", "ipc_codes", "legal_status",
        "listing_status", "offers_transfer", "offers_license", "offers_equity", "asking_price", "dormant",
        "open_license", "use_first_pay_later",
    )
    rows = matchable_patents().order_by("pk").values_list(*fields)
    for (pk, no, title, abstract, claims, keywords, ipc, legal, listing, transfer, license_, equity,
         price, dormant, open_license, ufpl) in rows.iterator(chunk_size=ITERATOR_CHUNK):
        codes = industries.get(pk, [])
        kinds = {k for k, on in (("transfer", transfer), ("license", license_), ("equity", equity)) if on}
        if open_license:
            kinds.add("license")
        yield engine.PatentDoc(
            id=pk, application_no=no, title=title, abstract=abstract, claims=claims, keywords=keywords,
            ipc_codes=[c.strip() for c in (ipc or "").split(";") if c.strip()], industry_codes=codes,
            in_force=legal in Patent.IN_FORCE_STATUSES, listed=listing == Patent.ListingStatus.PUBLISHED,
            deal_kinds=kinds, asking_price=price, dormant=dormant, open_license=open_license,
            use_first_pay_later=ufpl, is_agricultural=bool(agricultural.intersection(codes)),
        )


def demand_doc(demand: Demand) -> engine.DemandDoc:
    return engine.DemandDoc(
        id=demand.pk, code=demand.code, title=demand.title, description=demand.description,
        keywords=demand.keywords, ipc_hints=[c.strip() for c in (demand.ipc_hints or "").split(";") if c.strip()],
        industry_code=demand.industry.code if demand.industry_id else None,
        deal_kinds=set(demand.deal_kinds) or {"transfer", "license", "equity"},
        budget_max=demand.budget_max,
        district_is_county=bool(demand.district_id and demand.district.is_county_level),
    )


def current_index() -> engine.PatentIndex:
    """The index of the current corpus: this process's copy, else from disk, else built once
    (under a file lock, so that workers starting together build it only once)."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    version = corpus_version()
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            index = engine.load_or_build(root, version, patent_docs, weights=weights())
            _prune(root, keep=engine.index_dir(root, version, weights()))
            return index
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _prune(root: Path, *, keep: Path) -> None:
    """Old corpus versions are useless once a newer index exists; keep a few for processes that
    still have one open (their memory maps stay valid after deletion anyway)."""
    olds = sorted((p for p in root.glob("patents-*") if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime)
    for path in olds[: max(0, len(olds) - (KEEP_INDEXES - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def _industry_names() -> dict[str, str]:
    return dict(Industry.objects.values_list("code", "name"))


def score(index: engine.PatentIndex, demands: Iterable[Demand], *, top_n: int,
          patent_ids: Iterable[int] | None = None) -> dict[int, list[ScoredMatch]]:
    """Each demand's top N (optionally among some patents only), keyed by demand id."""
    demands = list(demands)
    docs = [demand_doc(d) for d in demands]
    results = engine.score_demands(
        index, docs, top_n, weights(), patent_ids=patent_ids, industry_names=_industry_names()
    )
    return {
        demand.pk: [ScoredMatch(int(m.patent_id), m.application_no, float(m.score), list(m.reasons)) for m in matches]
        for demand, matches in zip(demands, results, strict=True)
    }
