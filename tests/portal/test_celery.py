"""Celery: a real round trip through broker, worker and result backend when services are
configured; tasks run inline when they are not."""

import json
import uuid

import pytest

from portal.celery import app, ping
from tests.helpers.processes import clean_env, run_python


def test_ping_task_is_registered():
    assert app.tasks["portal.ping"].name == ping.name == "portal.ping"
    assert ping.run() == "pong"


def test_without_a_broker_tasks_run_inline():
    # A fresh interpreter with no CELERY_BROKER_URL: delay() runs the task before returning.
    code = (
        "import json, django; django.setup()\n"
        "from portal.celery import app, ping\n"
        "result = ping.delay()\n"
        "print(json.dumps({'eager': app.conf.task_always_eager, 'class': type(result).__name__,"
        " 'state': result.state, 'value': result.get(timeout=1)}))\n"
    )
    completed = run_python(code, env=clean_env(DJANGO_SETTINGS_MODULE="portal.settings.local"))
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == {
        "eager": True,
        "class": "EagerResult",
        "state": "SUCCESS",
        "value": "pong",
    }


def test_ping_round_trip_through_a_real_worker(celery_worker):
    result = ping.delay()
    assert type(result).__name__ == "AsyncResult"
    assert result.get(timeout=20) == "pong"
    assert celery_worker.is_alive()


@pytest.mark.django_db(transaction=True)
def test_worker_reads_the_test_database(celery_worker, django_user_model):
    username = f"probe-{uuid.uuid4().hex[:8]}"
    django_user_model.objects.create_user(username=username, password="probe-pass-2024")
    answer = app.send_task("tests.db_probe", kwargs={"username": username}).get(timeout=20)
    assert answer["database"].startswith("test_")
    assert answer["user_exists"] is True


def test_extra_worker_on_its_own_queue_can_be_killed(start_worker):
    queue = f"q-{uuid.uuid4().hex[:8]}"
    first = start_worker(queues=queue)
    assert app.send_task("portal.ping", queue=queue).get(timeout=20) == "pong"
    first.kill()
    assert not first.is_alive()
    # A message queued while nobody listens is taken by the next worker on that queue.
    pending = app.send_task("portal.ping", queue=queue)
    second = start_worker(queues=queue)
    assert pending.get(timeout=30) == "pong"
    assert second.name != first.name


def test_celery_eager_fixture_runs_tasks_inline(celery_eager):
    result = ping.delay()
    assert type(result).__name__ == "EagerResult"
    assert result.get(timeout=1) == "pong"


def test_beat_schedule_is_loaded_and_names_real_tasks():
    from portal.celery import app

    schedule = app.conf.beat_schedule
    assert {"matching-nightly-full-run", "demands-expire-due", "patents-daily-maintenance"} <= set(schedule)
    app.loader.import_default_modules()
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, f"{name}: no task {entry['task']}"
