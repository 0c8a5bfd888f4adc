"""Match runs through the Django models: full runs in chunks, one demand, new patents, the
`match` command's JSON, and real worker processes (two at once, and one killed mid-run)."""

import io
import json
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from matching.models import Match, MatchChunk, MatchRun
from matching.services import runs
from portal.permissions import actor_for, system_actor
from tests.demands.factories import DemandFactory
from tests.patents.factories import PatentFactory, industry

DEMO_TEXTS = Path(__file__).resolve().parents[2] / "demo" / "data" / "patent_texts.jsonl"

DEMANDS = [
    ("煤矿巷道支护技术需求", "希望引进锚杆支护、巷道顶板监测方面的专利技术。", "coal"),
    ("羊绒分梳工艺改进", "希望引进提高羊绒分梳效率、减少纤维损伤的纺织技术。", "cashmere"),
    ("发酵乳制品工艺", "寻求发酵乳、酸奶发酵菌种与工艺的专利技术。", "dairy"),
    ("液压阀控制技术", "寻求液压系统和阀门控制相关技术合作。", "equipment"),
    ("无线传感器数据采集", "需要低功耗无线传感器和信号处理技术。", "electronics"),
    ("牧草种植收获机械", "合作社需要牧草播种、收获方面的农业机械技术。", "agriculture"),
]


def make_corpus(n_patents=60, n_demands=6):
    texts = [json.loads(line) for line in DEMO_TEXTS.read_text("utf-8").splitlines()][:n_patents]
    patents = [
        PatentFactory(
            published=True,
            title=t["title"],
            abstract=t["abstract"],
            claims=t["claims"],
            ipc_codes=t["ipc"],
            offers_license=True,
            industries=[industry(t["industry"])],
        )
        for t in texts
    ]
    demands = [
        DemandFactory(title=title, description=desc, industry=industry(code), keywords="")
        for title, desc, code in (DEMANDS * 3)[:n_demands]
    ]
    return patents, demands


def snapshot():
    return sorted(Match.objects.values_list("demand__code", "patent__application_no", "rank", "score"))


@pytest.mark.django_db
def test_full_run_same_result_whatever_the_chunking(settings):
    make_corpus()
    settings.MATCHING_TOP_N = 5
    settings.MATCHING_CHUNK_SIZE = 1
    run = runs.match_run_sync(actor=system_actor())
    assert run.status == MatchRun.Status.DONE and run.chunks_total == 6 and run.chunks_done == 6
    by_one = snapshot()
    # At most top 5 of 6 demands: only recommended matches are stored, so some have fewer.
    assert 3 <= len(by_one) <= 30
    settings.MATCHING_CHUNK_SIZE = 500
    run = runs.match_run_sync(actor=system_actor())
    assert run.chunks_total == 1
    assert snapshot() == by_one


@pytest.mark.django_db
def test_matches_are_relevant_and_explained(settings):
    make_corpus()
    runs.match_run_sync(actor=system_actor())
    coal = (
        Match.objects.filter(demand__title__startswith="煤矿")
        .select_related("patent")
        .order_by("rank")
        .first()
    )
    assert coal is not None and 0 < coal.score <= 1
    assert any("支护" in r or "巷道" in r or "锚杆" in r for r in coal.reasons), coal.reasons
    assert coal.patent.industries.filter(code="coal").exists()


@pytest.mark.django_db
def test_single_demand_and_command_json(settings):
    _patents, demands = make_corpus(n_demands=2)
    out = io.StringIO()
    call_command("match", "--demand", demands[0].code, "--top", "3", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["demand"] == demands[0].code and 1 <= len(data["matches"]) <= 3
    assert set(data["matches"][0]) == {"application_no", "score", "reasons", "tier"}
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True)
    stored = list(demands[0].matches.order_by("rank").values_list("patent__application_no", flat=True)[:3])
    assert [m["application_no"] for m in data["matches"]] == stored


@pytest.mark.django_db
def test_all_json_prints_one_line_per_open_demand():
    _patents, demands = make_corpus(n_patents=20, n_demands=3)
    out, err = io.StringIO(), io.StringIO()
    call_command("match", "--all", "--top", "2", "--json", stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(d["demand"] for d in lines) == sorted(d.code for d in demands)
    assert all(len(d["matches"]) <= 2 for d in lines)


@pytest.mark.django_db
def test_new_patents_merge_into_existing_top_n(settings):
    settings.MATCHING_TOP_N = 5
    _patents, demands = make_corpus(n_patents=40)
    runs.match_run_sync(actor=system_actor())
    before = {d.pk: set(d.matches.values_list("patent_id", flat=True)) for d in demands}
    newcomer = PatentFactory(
        published=True,
        title="一种煤矿巷道锚杆支护装置",
        abstract="本发明涉及煤矿巷道锚杆支护，顶板监测。",
        offers_license=True,
        industries=[industry("coal")],
    )
    runs.patents_match_new(patent_ids=[newcomer.pk])
    coal_demand = next(d for d in demands if d.title.startswith("煤矿"))
    assert coal_demand.matches.filter(patent=newcomer).exists()
    assert 1 <= coal_demand.matches.count() <= 5
    other = next(d for d in demands if d.title.startswith("发酵"))
    assert set(other.matches.values_list("patent_id", flat=True)) == before[other.pk]


@pytest.mark.django_db
def test_closed_demand_loses_its_matches():
    _patents, demands = make_corpus(n_patents=30, n_demands=1)
    runs.demand_match(demand_id=demands[0].pk)
    assert Match.objects.filter(demand=demands[0]).exists()
    demands[0].status = "closed"
    demands[0].save(update_fields=["status"])
    runs.demand_match(demand_id=demands[0].pk)
    assert not Match.objects.filter(demand=demands[0]).exists()


@pytest.mark.django_db
def test_stuck_run_is_resumed(settings, celery_eager):
    make_corpus(n_patents=10, n_demands=2)
    run = runs.match_run_create(actor=system_actor())
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.RUNNING, heartbeat_at="2020-01-01T00:00:00Z"
    )
    assert runs.match_runs_resume_stuck() == [run.pk]
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE and run.chunks_done == run.chunks_total


def _wait_for_run(run_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = MatchRun.objects.get(pk=run_id)
        if run.status == MatchRun.Status.DONE:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish: {MatchRun.objects.get(pk=run_id).__dict__}")


@pytest.mark.django_db(transaction=True)
def test_two_real_workers_give_the_single_process_result(settings, start_worker):
    make_corpus()
    settings.MATCHING_CHUNK_SIZE = 1
    reference = runs.match_run_sync(actor=system_actor())
    expected = snapshot()
    Match.objects.all().delete()
    workers = [start_worker(queues="celery"), start_worker(queues="celery")]
    run = runs.match_run_start(actor=system_actor())
    done = _wait_for_run(run.pk)
    assert snapshot() == expected and done.chunks_done == reference.chunks_total
    assert len({c.worker for c in MatchChunk.objects.filter(run=done)}) >= 1
    for worker in workers:
        worker.stop()


@pytest.mark.django_db(transaction=True)
def test_killed_worker_run_still_completes(settings, start_worker):
    make_corpus()
    settings.MATCHING_CHUNK_SIZE = 1
    runs.match_run_sync(actor=system_actor())
    expected = snapshot()
    Match.objects.all().delete()
    first = start_worker(queues="celery")
    run = runs.match_run_start(actor=system_actor())
    # Kill the only worker as soon as it has done some of the work.
    deadline = time.monotonic() + 60
    while MatchRun.objects.get(pk=run.pk).chunks_done < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()
    assert MatchRun.objects.get(pk=run.pk).status != MatchRun.Status.DONE
    # A new worker (the watchdog re-sends chunks whose messages died with the worker).
    start_worker(queues="celery")
    settings.MATCHING_STUCK_SECONDS = 0
    runs.match_runs_resume_stuck()
    done = _wait_for_run(run.pk)
    assert snapshot() == expected
    assert done.chunks_done == done.chunks_total


@pytest.mark.django_db
def test_publishing_a_patent_matches_it_to_open_demands(celery_eager, django_capture_on_commit_callbacks):
    from patents.services import patent_publish

    _patents, demands = make_corpus(n_patents=10, n_demands=1)
    runs.match_run_sync(actor=system_actor())
    draft = PatentFactory(
        title="一种煤矿巷道锚杆支护装置",
        abstract="本发明涉及煤矿巷道锚杆支护与顶板监测。",
        offers_license=True,
        industries=[industry("coal")],
    )
    assert not demands[0].matches.filter(patent=draft).exists()
    with django_capture_on_commit_callbacks(execute=True):
        patent_publish(patent=draft, actor=system_actor())
    assert demands[0].matches.filter(patent=draft).exists()


@pytest.mark.django_db
def test_saving_a_demand_matches_it(celery_eager, django_capture_on_commit_callbacks):
    from demands.services import demand_publish

    make_corpus(n_patents=30, n_demands=0)
    demand = DemandFactory(
        status="draft", title="煤矿巷道支护", description="需要锚杆支护技术", industry=industry("coal")
    )
    from tests.demands.factories import sme_member_of

    with django_capture_on_commit_callbacks(execute=True):
        demand_publish(demand=demand, actor=actor_for(sme_member_of(demand)))
    assert demand.matches.exists()


@pytest.mark.django_db
def test_a_new_patent_extends_the_index_instead_of_rebuilding_it(monkeypatch, settings, tmp_path):
    from matching import corpus, engine

    settings.MATCHING_INDEX_DIR = tmp_path
    make_corpus(n_patents=20, n_demands=0)
    first = corpus.current_index()
    builds = []
    original = engine.PatentIndex.build
    monkeypatch.setattr(
        engine.PatentIndex, "build", classmethod(lambda cls, *a, **k: builds.append(1) or original(*a, **k))
    )
    newcomer = PatentFactory(published=True, title="一种煤矿巷道锚杆支护装置", offers_license=True)
    engine.index._LOADED.clear()
    second = corpus.current_index()
    assert builds == []  # derived from the first index, not rebuilt
    assert newcomer.pk in set(second.meta.ids.tolist()) and len(second) == len(first) + 1
    assert (
        Path(tmp_path)
        / engine.index_dir(tmp_path, corpus.corpus_version(), corpus.weights()).name
        / corpus.MANIFEST
    ).exists()


def _queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


@pytest.mark.django_db
def test_json_of_all_demands_in_a_constant_number_of_queries():
    from tests.matching.factories import MatchFactory

    demands = [DemandFactory() for _ in range(2)]
    for demand in demands:
        MatchFactory(demand=demand, rank=1)
    few, lines = _queries(lambda: list(runs.matches_as_json_all(top=10)))
    assert len(lines) == 2
    for _ in range(8):
        demand = DemandFactory()
        for rank in (1, 2, 3):
            MatchFactory(demand=demand, rank=rank)
    DemandFactory()  # open, nothing recommended: a line with no matches
    many, lines = _queries(lambda: list(runs.matches_as_json_all(top=2)))
    assert many == few == 2
    assert len(lines) == 11 and max(len(line["matches"]) for line in lines) == 2
    assert [line["demand"] for line in lines] == sorted(line["demand"] for line in lines)
    assert sum(1 for line in lines if not line["matches"]) == 1


@pytest.mark.django_db
def test_a_second_identical_run_rewrites_nothing_and_keeps_ids():
    _patents, _demands = make_corpus(n_patents=40, n_demands=6)
    runs.match_run_sync(actor=system_actor())
    before = dict(Match.objects.values_list("pk", "score"))
    assert before
    first_chunk = MatchChunk.objects.order_by("pk").first()
    ids = first_chunk.demand_ids
    runs.demands_match(demand_ids=ids)
    assert dict(Match.objects.values_list("pk", "score")) == before
    # Reading (demands, corpus state, industries, texts, stored matches) but no writes.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        runs.demands_match(demand_ids=ids)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []


@pytest.mark.django_db
def test_changed_matches_are_updated_in_place_and_gone_ones_deleted():
    from matching.services.inquiries import inquiry_create
    from tests.matching.factories import make_user

    _patents, demands = make_corpus(n_patents=40, n_demands=1)
    demand = demands[0]
    runs.demand_match(demand_id=demand.pk)
    kept = demand.matches.order_by("rank").first()
    assert kept is not None
    sme = make_user("sme", organization=demand.organization)
    inquiry = inquiry_create(actor=actor_for(sme), patent=kept.patent, body="您好", match=kept)
    Match.objects.filter(pk=kept.pk).update(score=0.01, reasons=["旧理由"])
    runs.demand_match(demand_id=demand.pk)
    kept.refresh_from_db()
    assert kept.score > 0.01 and kept.reasons != ["旧理由"]  # same row, rewritten
    inquiry.refresh_from_db()
    assert inquiry.match_id == kept.pk
    demand.status = "closed"
    demand.save(update_fields=["status"])
    runs.demand_match(demand_id=demand.pk)
    inquiry.refresh_from_db()
    assert inquiry.match_id is None and not Match.objects.filter(demand=demand).exists()


@pytest.mark.django_db
def test_a_full_run_reads_the_corpus_state_once_and_records_its_version(monkeypatch):
    from matching import corpus

    make_corpus(n_patents=20, n_demands=2)
    calls = []
    real_state = corpus.corpus_state

    def counted():
        calls.append(1)
        return real_state()

    monkeypatch.setattr(corpus, "corpus_state", counted)
    index = corpus.current_index()
    assert len(calls) == 1
    run = runs.match_run_sync(actor=system_actor(), index=index)
    assert len(calls) == 1  # neither the run record nor its chunks look at the corpus again
    assert run.corpus_version == corpus.corpus_version(real_state()) == index.version


@pytest.mark.django_db
def test_a_chunk_inserts_its_new_matches_in_one_statement(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _patents, demands = make_corpus(n_patents=40, n_demands=6)
    with CaptureQueriesContext(connection) as ctx:
        runs.demands_match(demand_ids=[d.pk for d in demands])
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "matching_match"')]
    stored = list(
        Match.objects.order_by("demand_id", "rank").values_list("demand_id", "rank", "tier", "reasons")
    )
    assert stored and all(reasons for *_, reasons in stored)
    assert all(tier in ("high", "possible") for _, _, tier, _ in stored)
    if connection.vendor == "postgresql":
        assert len(inserts) == 1  # one INSERT ... SELECT FROM unnest(...) for the whole chunk
    # Running it again writes nothing and keeps every row as it was.
    runs.demands_match(demand_ids=[d.pk for d in demands])
    assert (
        list(Match.objects.order_by("demand_id", "rank").values_list("demand_id", "rank", "tier", "reasons"))
        == stored
    )
