"""Match runs: score open demands against matchable patents with the engine and keep the top N.

A full run is split into chunks of demands recorded in the database *before* they are sent, so
that any number of workers can share them, a lost or stuck chunk can be found and sent again,
and the result does not depend on how many workers ran it (each demand is scored against the
same index on its own). Writing a chunk's matches replaces those demands' matches in one
transaction, so running a chunk twice changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from demands.models import Demand
from demands.selectors import demand_list_open
from matching import corpus
from matching.models import Inquiry, Match, MatchChunk, MatchRun
from matching.selectors import MATCH_JSON_FIELDS, match_json_row
from portal.permissions import Actor

logger = logging.getLogger(__name__)


def chunk_size() -> int:
    return settings.MATCHING_CHUNK_SIZE


def default_top_n() -> int:
    return settings.MATCHING_TOP_N


def stuck_after() -> timedelta:
    return timedelta(seconds=settings.MATCHING_STUCK_SECONDS)


# --- scoring and storing ----------------------------------------------------------------------


def _store(
    results: dict[int, list[corpus.ScoredMatch]], *, run: MatchRun | None, replace_all: bool
) -> list[int]:
    """Make the stored matches of the given demands what ``results`` says (or merge new candidates
    into them) and return the ids of matches that are new for their demand (for notifications).

    Rows are written as a difference, in a constant number of statements per chunk: matches that
    are gone are deleted (inquiries keep their text, their link to the match is cleared), changed
    ones are rewritten by one ``UPDATE ... FROM (VALUES ...)`` per 500, new ones inserted by one
    multi-row ``INSERT`` per 1,000. A match that stays keeps its id, its "notified" flag and the
    inquiries that point at it; running the same chunk twice writes nothing the second time."""
    demand_ids = list(results)
    top_n = run.top_n if run else default_top_n()
    existing: dict[tuple[int, int], tuple] = {}
    by_demand: dict[int, list[corpus.ScoredMatch]] = defaultdict(list)
    rows = Match.objects.filter(demand_id__in=demand_ids).values_list(
        "pk", "demand_id", "patent_id", "score", "rank", "reasons", "tier"
    )
    for pk, demand_id, patent_id, score, rank, reasons, tier in rows:
        existing[(demand_id, patent_id)] = (pk, round(score, SCORE_DECIMALS), rank, reasons, tier)
        by_demand[demand_id].append(corpus.ScoredMatch(patent_id, "", score, reasons, tier))
    desired: dict[tuple[int, int], tuple] = {}
    for demand_id, scored in results.items():
        candidates = {s.patent_id: s for s in scored}
        if not replace_all:
            # Incremental (new patents): keep the demand's current matches in the competition.
            for s in by_demand.get(demand_id, ()):
                candidates.setdefault(s.patent_id, s)
        ranked = sorted(candidates.values(), key=lambda s: (-s.score, s.patent_id))[:top_n]
        for i, s in enumerate(ranked):
            desired[(demand_id, s.patent_id)] = (
                round(s.score, SCORE_DECIMALS),
                i + 1,
                list(s.reasons),
                s.tier,
            )
    stale = [row[0] for key, row in existing.items() if key not in desired]
    changed = [
        (existing[key][0], *values)
        for key, values in desired.items()
        if key in existing and tuple(existing[key][1:]) != values
    ]
    new = [
        Match(
            demand_id=demand_id,
            patent_id=patent_id,
            score=score,
            rank=rank,
            reasons=reasons,
            tier=tier,
            run=run,
        )
        for (demand_id, patent_id), (score, rank, reasons, tier) in desired.items()
        if (demand_id, patent_id) not in existing
    ]
    with transaction.atomic():
        if stale:
            Inquiry.objects.filter(match_id__in=stale).update(match=None)
            stale_rows = Match.objects.filter(pk__in=stale)
            stale_rows._raw_delete(stale_rows.db)
        for start in range(0, len(changed), UPDATE_BATCH):
            _update_rows(changed[start : start + UPDATE_BATCH], run_id=run.pk if run else None)
        if connection.vendor == "postgresql":
            return _insert_rows(new)
        created = Match.objects.bulk_create(new, batch_size=INSERT_BATCH)
    # bulk_create sets primary keys on SQLite (RETURNING).
    return [m.pk for m in created if m.pk]


UPDATE_BATCH = 500
INSERT_BATCH = 1000
SCORE_DECIMALS = 6


def _insert_rows(new: list[Match]) -> list[int]:
    """Insert a chunk's new matches in one statement on PostgreSQL (one array per column,
    ``unnest``-ed: the statement has eight parameters however many rows) and return their ids."""
    if not new:
        return []
    table = connection.ops.quote_name(Match._meta.db_table)
    sql = (
        f"INSERT INTO {table} (demand_id, patent_id, score, rank, reasons, tier, run_id, created_at, notified) "
        "SELECT v.d, v.p, v.s, v.r::smallint, v.re::jsonb, v.t, %s::bigint, %s, false "
        "FROM unnest(%s::bigint[], %s::bigint[], %s::double precision[], %s::integer[], %s::text[], %s::text[]) "
        "AS v(d, p, s, r, re, t) RETURNING id"
    )
    params = [
        new[0].run_id,
        timezone.now(),
        [m.demand_id for m in new],
        [m.patent_id for m in new],
        [m.score for m in new],
        [m.rank for m in new],
        [json.dumps(m.reasons, ensure_ascii=False) for m in new],
        [m.tier for m in new],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _update_rows(rows: list[tuple], *, run_id: int | None) -> None:
    """Rewrite score, rank, reasons and tier of existing matches ``(pk, score, rank, reasons, tier)``
    in one statement."""
    table = connection.ops.quote_name(Match._meta.db_table)
    params: list = []
    for pk, score, rank, reasons, tier in rows:
        params.extend((pk, score, rank, json.dumps(reasons, ensure_ascii=False), tier, run_id))
    if connection.vendor == "postgresql":
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
        sql = (
            f"UPDATE {table} AS m SET score = v.score::double precision, rank = v.rank::smallint, "
            f"reasons = v.reasons::jsonb, tier = v.tier::varchar, run_id = v.run_id::bigint "
            f"FROM (VALUES {values}) AS v(id, score, rank, reasons, tier, run_id) WHERE m.id = v.id::bigint"
        )
    else:  # SQLite (3.33+): VALUES columns are column1, column2, ...
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
        sql = (
            f"UPDATE {table} SET score = v.column2, rank = v.column3, reasons = v.column4, "
            f"tier = v.column5, run_id = v.column6 FROM (VALUES {values}) AS v WHERE {table}.id = v.column1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def demands_match(
    *, demand_ids: Iterable[int], run: MatchRun | None = None, top_n: int | None = None, index=None
) -> int:
    """Score these demands against every matchable patent and store their top N. Returns the
    number of matches stored. ``index``: the current index, when the caller already has it."""
    demand_ids = list(demand_ids)
    demands = list(demand_list_open().filter(pk__in=demand_ids))
    index = index if index is not None else corpus.current_index()
    results = corpus.score(index, demands, top_n=top_n or (run.top_n if run else default_top_n()))
    # Demands no longer open lose their matches too.
    for demand_id in demand_ids:
        results.setdefault(demand_id, [])
    new_ids = _store(results, run=run, replace_all=True)
    _notify(new_ids)
    return sum(len(v) for v in results.values())


def demand_match(*, demand_id: int, top_n: int | None = None) -> int:
    """Match one demand now (saving or publishing a demand queues this)."""
    return demands_match(demand_ids=[demand_id], top_n=top_n)


def patents_match_new(*, patent_ids: Iterable[int]) -> int:
    """Newly published patents: score every open demand against these patents only and merge the
    results into each demand's current top N."""
    patent_ids = sorted(set(patent_ids))
    if not patent_ids:
        return 0
    index = corpus.current_index()
    demands = list(demand_list_open())
    results = corpus.score(index, demands, top_n=default_top_n(), patent_ids=patent_ids)
    results = {d: s for d, s in results.items() if s}
    if not results:
        return 0
    new_ids = _store(results, run=None, replace_all=False)
    _notify(new_ids)
    return sum(len(v) for v in results.values())


def _notify(match_ids: list[int]) -> None:
    """Tell both sides about new matches, after commit and outside this task (in Celery)."""
    if not match_ids:
        return
    from matching.tasks.notifications import notify_new_matches

    transaction.on_commit(lambda: notify_new_matches.delay(match_ids=match_ids))


# --- full runs ---------------------------------------------------------------------------------


@transaction.atomic
def match_run_create(
    *, kind: str = MatchRun.Kind.FULL, top_n: int | None = None, actor: Actor, version: str | None = None
) -> MatchRun:
    """Record a full run and its chunks of open demands (before anything is sent). ``version``:
    the corpus version, when the caller has just read it (reading it scans every patent)."""
    run = MatchRun.objects.create(
        kind=kind,
        top_n=top_n or default_top_n(),
        requested_by=actor.user,
        corpus_version=version or corpus.corpus_version(),
    )
    demand_ids = list(demand_list_open().values_list("pk", flat=True))
    size = chunk_size()
    chunks = [
        MatchChunk(run=run, index=i, demand_ids=demand_ids[start : start + size])
        for i, start in enumerate(range(0, len(demand_ids), size))
    ]
    MatchChunk.objects.bulk_create(chunks)
    run.chunks_total, run.demands_count = len(chunks), len(demand_ids)
    run.save(update_fields=["chunks_total", "demands_count"])
    return run


def match_run_dispatch(*, run: MatchRun) -> None:
    """Send every pending chunk to the workers (after commit)."""
    from matching.tasks.runs import match_chunk

    now = timezone.now()
    pending = list(run.chunks.filter(status=MatchChunk.Status.PENDING).values_list("pk", flat=True))
    MatchChunk.objects.filter(pk__in=pending).update(sent_at=now, attempts=F("attempts") + 1)
    MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.PENDING).update(
        status=MatchRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not pending:
        _finish_if_complete(run.pk)
        return
    transaction.on_commit(lambda: [match_chunk.delay(chunk_id=pk) for pk in pending])


def match_run_start(*, top_n: int | None = None, actor: Actor) -> MatchRun:
    """Create a full run and send its chunks to the workers."""
    with transaction.atomic():
        run = match_run_create(top_n=top_n, actor=actor)
        match_run_dispatch(run=run)
    return run


def match_chunk_process(*, chunk_id: int, worker: str = "", index=None) -> None:
    """Score one chunk (idempotent: a chunk already done is skipped; doing it again writes
    nothing). ``index``: the current index, when the caller already has it."""
    chunk = MatchChunk.objects.select_related("run").filter(pk=chunk_id).first()
    if chunk is None or chunk.status == MatchChunk.Status.DONE:
        return
    run = chunk.run
    stored = demands_match(demand_ids=chunk.demand_ids, run=run, index=index)
    with transaction.atomic():
        updated = MatchChunk.objects.filter(pk=chunk.pk, status=MatchChunk.Status.PENDING).update(
            status=MatchChunk.Status.DONE, finished_at=timezone.now(), worker=worker[:200]
        )
        if updated:
            MatchRun.objects.filter(pk=run.pk).update(
                chunks_done=F("chunks_done") + 1,
                matches_count=F("matches_count") + stored,
                heartbeat_at=timezone.now(),
            )
    _finish_if_complete(run.pk)


def _finish_if_complete(run_id: int) -> None:
    run = MatchRun.objects.get(pk=run_id)
    if run.status == MatchRun.Status.DONE:
        return
    if not run.chunks.filter(status=MatchChunk.Status.PENDING).exists():
        # A conditional update so that exactly one worker finishes the run.
        MatchRun.objects.filter(pk=run_id).exclude(status=MatchRun.Status.DONE).update(
            status=MatchRun.Status.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now()
        )


def match_run_sync(
    *,
    top_n: int | None = None,
    actor: Actor,
    progress: Callable[[int, int], None] | None = None,
    index=None,
) -> MatchRun:
    """A full run in this process (the `match --all` command), same chunks, same result.
    ``index``: the current index, when the caller has just loaded it."""
    # One look at the corpus for the whole run (each look reads every patent's last change).
    index = index if index is not None else corpus.current_index()
    run = match_run_create(top_n=top_n, actor=actor, version=index.version or None)
    now = timezone.now()
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    chunk_ids = list(run.chunks.values_list("pk", flat=True))
    for done, chunk_id in enumerate(chunk_ids, start=1):
        match_chunk_process(chunk_id=chunk_id, worker="sync", index=index)
        if progress:
            progress(done, len(chunk_ids))
    _finish_if_complete(run.pk)
    run.refresh_from_db()
    return run


def match_runs_resume_stuck() -> list[int]:
    """Find running runs with no progress for too long and send their pending chunks again."""
    cutoff = timezone.now() - stuck_after()
    resumed = []
    for run in MatchRun.objects.filter(status=MatchRun.Status.RUNNING, heartbeat_at__lt=cutoff):
        logger.warning("match run %s stuck since %s: re-sending pending chunks", run.pk, run.heartbeat_at)
        MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
        from matching.tasks.runs import match_chunk

        for pk in run.chunks.filter(status=MatchChunk.Status.PENDING).values_list("pk", flat=True):
            MatchChunk.objects.filter(pk=pk).update(sent_at=timezone.now(), attempts=F("attempts") + 1)
            match_chunk.delay(chunk_id=pk)
        resumed.append(run.pk)
    return resumed


_JSON_FIELDS = ("demand_id", *MATCH_JSON_FIELDS)


def matches_as_json(demand: Demand, *, top: int | None = None) -> dict:
    """The interface shape: {"demand": CODE, "matches": [{"application_no", "score", "reasons",
    "tier"}, ...]}, best first; only recommended matches are stored, so there may be fewer than
    ``top``, or none. One query."""
    qs = Match.objects.filter(demand=demand).order_by("rank", "pk").values_list(*MATCH_JSON_FIELDS)
    if top:
        qs = qs[:top]
    return {"demand": demand.code, "matches": [match_json_row(*row) for row in qs]}


def matches_as_json_all(*, top: int | None = None) -> Iterator[dict]:
    """:func:`matches_as_json` of every open demand, ordered by code, in two queries whatever the
    number of demands (the demands, then all their matches streamed)."""
    demands = list(demand_list_open().order_by("code").values_list("pk", "code"))
    by_demand: dict[int, list[dict]] = defaultdict(list)
    rows = (
        Match.objects.filter(demand__in=demand_list_open().order_by().values("pk"))
        .order_by("demand_id", "rank", "pk")
        .values_list(*_JSON_FIELDS)
    )
    for demand_id, *row in rows.iterator(chunk_size=10_000):
        listed = by_demand[demand_id]
        if not top or len(listed) < top:
            listed.append(match_json_row(*row))
    for pk, code in demands:
        yield {"demand": code, "matches": by_demand.get(pk, [])}
