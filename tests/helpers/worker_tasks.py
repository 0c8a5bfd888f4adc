"""Tasks loaded only into the test workers (``celery worker --include tests.helpers.worker_tasks``).

They let a test prove that a worker process reads the pytest-django test database and can be
interrupted mid-task; production code never imports this module.
"""

import time

from celery import shared_task


@shared_task(name="tests.db_probe")
def db_probe(*, username: str) -> dict:
    """Which database the worker uses and whether it sees a user the test created."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    return {
        "database": connection.settings_dict["NAME"],
        "user_exists": get_user_model().objects.filter(username=username).exists(),
    }


@shared_task(name="tests.sleep")
def sleep(*, seconds: float) -> float:
    """Occupies a worker, e.g. before killing it."""
    time.sleep(seconds)
    return seconds
