"""Redis (the Celery broker) stopped and started around a match run: the run completes after Redis
returns and no demand is left unmatched.

A full run records its chunks in PostgreSQL before sending them, so a message Redis loses is not
work lost: the watchdog (``match_runs_watchdog``, every five minutes from beat) sends the pending
chunks of a run that made no progress again. The broker here is a redis-server of the test's own,
without persistence, killed with SIGKILL: every queued message is gone, the worst case. The worker
is a real process (the session's workers use the shared Redis and never see these messages).
"""

import contextlib
import time

import pytest
from kombu.exceptions import OperationalError as BrokerError

from matching.models import Match, MatchChunk, MatchRun
from matching.services import runs
from matching.tasks.runs import match_runs_watchdog
from portal.permissions import system_actor
from tests.matching.test_runs import make_corpus, snapshot

from .support import celery_app_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "celery"  # the default queue: the tasks are sent exactly as in production
STUCK_SECONDS = 1


@pytest.fixture
def expected(settings):
    """The matches a full run stores, computed in this process first (its follow-up tasks
    inline, so that they queue nothing)."""
    from portal.celery import app

    make_corpus()
    settings.MATCHING_CHUNK_SIZE = 1
    app.conf.task_always_eager = True
    try:
        runs.match_run_sync(actor=system_actor())
    finally:
        app.conf.task_always_eager = False
    result = snapshot()
    assert result
    Match.objects.all().delete()
    return result


@pytest.fixture
def broker(private_redis, postgres_only):
    from portal.celery import app

    with celery_app_broker(app, private_redis.url()):
        yield app


def worker_env(redis) -> dict[str, str]:
    return {
        "CELERY_BROKER_URL": redis.url(),
        "CELERY_RESULT_BACKEND": redis.url(),
        "PORTAL_MATCHING_STUCK_SECONDS": str(STUCK_SECONDS),
        "PORTAL_MATCHING_CHUNK_SIZE": "1",
    }


def resend_stuck_chunks(run: MatchRun) -> None:
    """What beat does every five minutes: the watchdog task, run by the worker."""
    heartbeat = MatchRun.objects.get(pk=run.pk).heartbeat_at
    wait_for(
        lambda: time.time() - heartbeat.timestamp() > STUCK_SECONDS + 0.2,
        timeout=10,
        message="the run to look stuck",
    )
    match_runs_watchdog.delay()


def wait_done(run: MatchRun, timeout: float = 45) -> MatchRun:
    wait_for(
        lambda: MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.DONE,
        timeout=timeout,
        interval=0.2,
        message=f"match run {run.pk} to finish",
    )
    return MatchRun.objects.get(pk=run.pk)


def test_messages_lost_with_redis_are_sent_again(expected, broker, private_redis, start_worker):
    run = runs.match_run_start(actor=system_actor())  # six chunks queued in Redis, no worker yet
    assert run.chunks_total == 6
    assert private_redis.client().llen(QUEUE) == 6

    private_redis.stop()  # crash: the queued messages are gone
    private_redis.start()
    assert private_redis.client().llen(QUEUE) == 0

    start_worker(queues=QUEUE, env=worker_env(private_redis), wait=False).wait_ready(broker)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.RUNNING and run.chunks_done == 0  # nothing to do for the worker
    assert run.chunks.filter(status=MatchChunk.Status.PENDING).count() == 6  # but the database knows

    resend_stuck_chunks(run)
    done = wait_done(run)
    assert done.chunks_done == done.chunks_total == 6
    assert snapshot() == expected
    assert set(run.chunks.values_list("attempts", flat=True)) == {2}


def test_worker_reconnects_and_a_run_started_during_the_outage_completes(
    expected, broker, private_redis, start_worker
):
    worker = start_worker(queues=QUEUE, env=worker_env(private_redis), wait=False)
    worker.wait_ready(broker)

    private_redis.stop()
    # The run is recorded even though its chunks cannot be sent now (the caller may see the
    # broker error: the chunks are in the database all the same).
    with contextlib.suppress(BrokerError):
        runs.match_run_start(actor=system_actor())
    run = MatchRun.objects.get(kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING)
    assert run.chunks.filter(status=MatchChunk.Status.PENDING).count() == run.chunks_total == 6

    private_redis.start()
    worker.wait_ready(broker, timeout=45)  # the same worker process reconnected by itself
    assert worker.is_alive()

    resend_stuck_chunks(run)
    done = wait_done(run)
    assert done.chunks_done == done.chunks_total == 6
    assert snapshot() == expected
